from __future__ import annotations

from events.chinese import name_sort_key, script_variants


def test_script_variants_are_the_text_and_its_other_scripts_each_once():
    assert script_variants("陈美玲") == ["陈美玲", "陳美玲"]
    assert script_variants("陳美玲")[:2] == ["陳美玲", "陈美玲"]
    assert script_variants("Mei Chen") == ["Mei Chen"]
    assert script_variants("") == [""]


MIXED = ["Zoe Adams", "王小明", "Anna Schmidt", "陳美玲", "Émile Durand", "李伟", "bob Ng", "张三"]


def test_name_sort_key_puts_chinese_names_among_latin_ones_by_their_pinyin():
    assert sorted(MIXED, key=name_sort_key) == [
        "Anna Schmidt",
        "bob Ng",
        "陳美玲",  # Chen Meiling
        "Émile Durand",
        "李伟",  # Li Wei
        "王小明",  # Wang Xiaoming
        "张三",  # Zhang San
        "Zoe Adams",
    ]


def test_name_sort_key_reads_a_name_as_it_is_written_in_latin_letters():
    assert name_sort_key("王小明")[0] == name_sort_key("Wang Xiaoming")[0] == "wang xiaoming"
    assert name_sort_key("陈美玲")[0] == name_sort_key("陳美玲")[0] == "chen meiling"
    # the first character read as a surname: 曾 Zeng (not ceng), 单 Shan (not dan)
    assert name_sort_key("曾志伟")[0] == "zeng zhiwei"
    assert name_sort_key("单田芳")[0] == "shan tianfang"
    assert name_sort_key("欧阳娜娜")[0] == "ouyang nana"  # a two-character surname
    assert name_sort_key("吕布")[:2] == ("lu bu", "lu:3 bu4")  # ü after u of the same letters
    # the same letters: the tones, then the name itself, decide
    assert sorted(["李伟", "Li Wei"], key=name_sort_key) == ["Li Wei", "李伟"]
