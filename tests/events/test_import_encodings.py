"""Telling the encodings of attendee lists apart: Cyrillic, Greek and Korean as well as the
Chinese, Japanese and Latin ones."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from events import csv_import, tabular

LISTS = [
    (
        "cp1251",
        "Name,Email,Company\nИван Петров,ivan@example.ru,Яндекс\n"
        "Ольга Смирнова,olga@example.ru,Сбербанк\nJohn Smith,john@example.com,Acme\n",
    ),
    ("cp1251", "Name,Email\nАнна Кузнецова,anna@example.ru\nПётр Иванов,petr@example.ru\n"),
    ("cp1251", "Name,Email\nОксана Ґонта,o@example.ua\nІгор Їжак,i@example.ua\n"),
    ("koi8_r", "Name,Email\nИван Петров,ivan@example.ru\nОльга Смирнова,olga@example.ru\n"),
    (
        "cp1253",
        "Name,Email,Company\nΓιώργος Παπαδόπουλος,g@example.gr,Αθηναϊκή Τράπεζα\n"
        "Ελένη Νικολάου,e@example.gr,Ολυμπιακή\n",
    ),
    (
        "euc_kr",
        "Name,Email,Company\n김민준,kim@example.kr,삼성전자\n이서연,lee@example.kr,현대자동차\n",
    ),
    (
        "euc_kr",
        "이름,이메일\n박지훈,park@example.kr\n최수아,choi@example.kr\n정우진,jung@example.kr\n",
    ),
    ("cp1250", "Name,Email\nŁukasz Żółć,lz@example.pl\nAgnieszka Wąs,aw@example.pl\n"),
    (
        "gb18030",
        "Name,Email,Company\n王芳,wf@example.cn,北京星河科技\n李娜,ln@example.cn,朝阳咨询\n",
    ),
    ("gb18030", "Name,Email\n张伟,zw@example.cn\n"),
    ("big5hkscs", "Name,Email\n陳大文,chan@example.hk\n林美玲,lin@example.tw\n"),
    ("cp932", "Name,Email\n山田太郎,yamada@example.jp\n佐藤花子,sato@example.jp\n"),
]


@pytest.mark.parametrize(("encoding", "text"), LISTS)
def test_decode_reads_each_script_in_its_own_encoding(encoding, text):
    assert tabular.decode(text.encode(encoding)) == (text, encoding)


def test_parse_says_the_encoding_was_guessed_only_when_it_was():
    text = "Name,Email\nИван Петров,ivan@example.ru\n"

    guessed = csv_import.parse(text.encode("cp1251"))
    chosen = csv_import.parse(text.encode("cp1251"), encoding="cp1251")
    utf8 = csv_import.parse(text.encode())

    assert (guessed.is_encoding_guessed, guessed.encoding_name) == (True, "Windows-1251 (Cyrillic)")
    assert [r.name for r in guessed.rows] == ["Иван Петров"]
    assert (chosen.is_encoding_guessed, utf8.is_encoding_guessed) == (False, False)


@pytest.mark.parametrize("encoding", ["utf_16_le", "utf_16_be"])
def test_decode_reads_ascii_utf16_without_a_byte_order_mark(encoding):
    text = "Name\tEmail\r\nAnn Lee\tann@example.com\r\nBob Ray\tbob@example.com\r\n"

    assert tabular.decode(text.encode(encoding)) == (text, encoding)


# Lists in another script saved as "Unicode Text" without a byte-order mark: the high byte of
# each letter is not NUL, and Cyrillic's bytes are all ASCII, so they also "read" as UTF-8.
NON_LATIN_NAMES = {
    "cyrillic": ["Иван Петров", "Ольга Смирнова", "Дмитрий Соколов"],
    "chinese": ["王芳", "李娜", "张伟"],
    "chinese_in_ascii_bytes": ["丁上丽", "严丽字", "上海村"],  # every byte below 0x80
    "greek": ["Γιώργος Παπαδόπουλος", "Ελένη Νικολάου", "Νίκος Οικονόμου"],
}


@pytest.mark.parametrize("encoding", ["utf_16_le", "utf_16_be"])
@pytest.mark.parametrize("separator", ["\t", ","])
@pytest.mark.parametrize("script", list(NON_LATIN_NAMES))
def test_parse_reads_non_latin_utf16_without_a_byte_order_mark(script, separator, encoding):
    names = NON_LATIN_NAMES[script]
    text = f"Name{separator}Company\r\n" + "".join(
        f"{name}{separator}{name[0]}\r\n" for name in names
    )

    parsed = csv_import.parse(text.encode(encoding))

    assert (parsed.encoding, [r.name for r in parsed.rows]) == (encoding, names)
    assert [r.company for r in parsed.rows] == [name[0] for name in names]


@pytest.mark.parametrize("encoding", ["utf_16_le", "utf_16_be"])
@pytest.mark.parametrize(
    "text",
    [
        "Имя\tФамилия\r\nИван\tПетров\r\nОльга\tСмирнова\r\n",
        "Имя,Фамилия\nИван,Петров\nОльга,Смирнова\n",
        "名字\t村名\r\n丁上丽\t上海村\r\n严丽字\t丁村名\r\n",  # every byte below 0x80
        "姓名,公司\n王芳,北京星河科技\n李娜,朝阳咨询\n",
        "Όνομα\tΕπώνυμο\r\nΓιώργος\tΠαπαδόπουλος\r\nΕλένη\tΝικολάου\r\n",
    ],
)
def test_decode_reads_an_all_non_latin_list_as_utf16_without_a_byte_order_mark(text, encoding):
    assert tabular.decode(text.encode(encoding)) == (text, encoding)


@pytest.mark.parametrize(
    "text",
    [
        "Name,Email\nИван Петров,ivan@example.ru\nОльга Смирнова,olga@example.ru\n",
        "Name,Email\n王芳,wf@example.cn\n丁一,dy@example.cn\n",
        "Name,Email\nAnn Lee,ann@example.com\nBob\x0bRay,bob@example.com\n",  # a stray control
    ],
)
def test_decode_still_reads_utf8_as_utf8(text):
    assert tabular.decode(text.encode()) == (text, "utf_8")


# Hangul syllables outside EUC-KR's 2,350, which Korean Windows (CP949) writes all the same.
CP949_LISTS = [
    "Name,Email\n김똠,kim@example.kr\n이햏,lee@example.kr\n박뷁,park@example.kr\n",
    "이름,이메일\n김민준,kim@example.kr\n최똠,choi@example.kr\n",
    "Name,Email,Company\n김민준,kim@example.kr,삼성전자\n이햏,lee@example.kr,현대자동차\n",
    "이름\t회사\r\n정똠방\t뷁컴퍼니\r\n윤햏\t삼성\r\n",
]


@pytest.mark.parametrize("text", CP949_LISTS)
def test_decode_reads_korean_names_only_cp949_can_write(text):
    assert tabular.decode(text.encode("cp949")) == (text, "euc_kr")


def test_parse_reads_cp949_names_guessed_or_chosen_as_euc_kr():
    data = "Name,Email\n김똠,kim@example.kr\n이햏,lee@example.kr\n".encode("cp949")

    guessed = csv_import.parse(data)
    chosen = csv_import.parse(data, encoding="euc_kr")

    assert [r.name for r in guessed.rows] == [r.name for r in chosen.rows] == ["김똠", "이햏"]


# Windows files whose punctuation or letters another one-byte encoding also reads as letters:
# (encoding, name, company) as the organizer typed them.
ONE_BYTE_PEOPLE = [
    ("cp1252", "Tom D’Angelo", "Acme™"),
    ("cp1252", "“Chip” O’Reilly", "Smith – Jones"),
    ("cp1252", "Ann Lee", "Café “Le Petit”"),
    ("cp1252", "Siobhán O’Brien", "Ryan — Partners"),
    ("cp1252", "Zoë ‘Zed’ Hart", "Hart & Sons…"),
    ("cp1250", "Jiří Dvořák", "Škoda Auto"),
    ("cp1250", "Łukasz Żółć", ""),
    ("cp1250", "Tomáš Růžička", "Kovárna"),
    ("cp1250", "Ľubomír Šťastný", "Žilina"),
    ("cp1250", "Zdeněk Dvořák", "Brněnská"),
    ("iso8859_2", "Anna Wąsowska", ""),
    ("iso8859_2", "Paweł Ścisło", "Śląsk"),
    ("mac_roman", "Renée Côté", "Crêperie"),
    ("utf_8", "Tom D’Angelo", "Café “Le Petit”"),
    ("gb18030", "王芳", "北京星河科技"),
]


@pytest.mark.parametrize(("encoding", "name", "company"), ONE_BYTE_PEOPLE)
def test_parse_reads_one_byte_files_with_their_punctuation_and_letters(encoding, name, company):
    data = f"Name,Email,Company\r\n{name},p@example.com,{company}\r\n".encode(encoding)

    parsed = csv_import.parse(data)

    assert [(r.name, r.company) for r in parsed.rows] == [(name, company)]


# Hungarian saved by Windows (Windows-1250): ő and ű are Windows-1252's õ and û, every other
# letter the same, so each word reads in both; only the letters together tell.
HUNGARIAN_LISTS = [
    "Name,City\nErdős Pál,Győr\nKovács Ödön,Budapest\n",
    "Név,Cég\nSzűcs Anna,Fűzfa Kft.\nKovács Ödön,Győri Keksz\n",
    "Name\nErdős Pál\nMüller Hans\nKovács Ödön\n",
    # ő or ű the only letters Windows-1252 reads otherwise, and no ö or ä beside them to tell
    "Name,Email\nKőrösi Csoma,k@example.hu\n",
    "Name,Email\nSzűcs Anna,s@example.hu\n",
    "Name,Email\nErdős Pál,e@example.hu\n",
    "Name,Email,City\nNagy Éva,n@example.hu,Győr\n",
    "Name\nGőz Ferenc\nŐri Ágnes\n",
    "Name\nSZŰCS ANNA\n",
    "Name\nKovács Győző\n",
]


@pytest.mark.parametrize("text", HUNGARIAN_LISTS)
def test_decode_reads_hungarian_windows_1250_with_its_long_umlauts(text):
    assert tabular.decode(text.encode("cp1250")) == (text, "cp1250")


def test_parse_imports_hungarian_names_whose_only_special_letters_are_long_umlauts():
    text = "Name,Email,Company\nErdős Pál,e@example.hu,Győr Kft\nKoós Ákos,k@example.hu,\n"

    parsed = csv_import.parse(text.encode("cp1250"))

    assert parsed.encoding == "cp1250"
    assert [(r.name, r.company) for r in parsed.rows] == [
        ("Erdős Pál", "Győr Kft"),
        ("Koós Ákos", ""),
    ]


# Windows-1252 lists whose õ or û Windows-1250 would read as Hungarian ő or ű.
WESTERN_LISTS = [
    "Name,Company\nJoão Simões,Conceição Ltda\n",
    "Name,Company\nTõnu Mägi,Eesti õlu\nJüri Õun,Tallinn\n",
    "Name\nEesti õ\n",
    "Name,Company\nBenoît Coûteaux,Crêperie Élodie\n",
    "Name,Company\nJoão Silva,São Paulo\nJosé García,Señor\nFrançois Müller,Café\n",
    "Name,Company\nTom D’Angelo,“Chip” Simões – Partners\n",
    "Name,Email\nCamões Luís,c@example.pt\n",
    "Name,Email\nJõgi Õie,j@example.ee\n",
    "Name,Email\nJosé Müller,j@example.com\n",
]


@pytest.mark.parametrize("text", WESTERN_LISTS)
def test_decode_still_reads_western_windows_1252_with_o_tilde_or_u_circumflex(text):
    assert tabular.decode(text.encode("cp1252")) == (text, "cp1252")


def mojibake(text: str) -> bytes:
    """``text`` as it is after its UTF-8 was read as Windows-1252 (bytes Windows-1252 lacks as
    the C1 controls, as browsers and spreadsheets do) and saved again as UTF-8."""
    import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")

    return text.encode().decode("sloppy-windows-1252").encode()


MOJIBAKE_PEOPLE = [
    ("José García", "Müller GmbH"),
    ("张伟", "北京星河科技"),
    ("王芳", "朝阳咨询"),
    ("Erdős Pál", "Győr Kft."),
]


def test_parse_repairs_names_garbled_by_a_wrong_encoding_and_says_on_which_lines():
    text = "Name,Email,Company\n" + "".join(
        f"{name},p{i}@example.com,{company}\n" for i, (name, company) in enumerate(MOJIBAKE_PEOPLE)
    )
    text += "Ann Lee,ann@example.com,Acme\n"
    garbled = mojibake(text)
    assert "JosÃ© GarcÃ\u00ada".encode() in garbled
    assert "å¼\u00a0ä¼Ÿ".encode() in garbled

    parsed = csv_import.parse(garbled)

    assert [(r.name, r.company) for r in parsed.rows] == [*MOJIBAKE_PEOPLE, ("Ann Lee", "Acme")]
    assert parsed.notes == [
        f"Line {line}: text garbled by a wrong encoding (such as “Ã©” for “é”) was repaired; "
        "check the names."
        for line in (2, 3, 4, 5)
    ]


def test_read_repairs_a_garbled_workbook_cell_and_its_header():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "Société".encode().decode("cp1252")])
    book.active.append(["MÃ¼ller", "Acme"])
    book.active.append(["Ann Lee", "Acme"])
    buffer = io.BytesIO()
    book.save(buffer)

    table = tabular.read(buffer.getvalue())

    assert (table.header, table.rows) == (
        ["Name", "Société"],
        [(2, ["Müller", "Acme"]), (3, ["Ann Lee", "Acme"])],
    )
    assert [note.partition(":")[0] for note in table.notes] == ["Line 1", "Line 2"]


# Correct text that looks a little like mojibake, or that a fuller clean-up than the repair of
# the encoding would change (quotes, widths, ligatures, HTML entities, C1 controls).
CORRECT_TEXT = [
    ("JOÃO SILVA", "SÃO PAULO AÇÃO LTDA"),
    ("Conceição Leão", "Mãe & Filhos"),
    ("Tom D’Angelo", "“Chip” Co – Partners…"),
    ("Zoë Ångström", "Ærø Øl"),
    ("Łukasz Żółć", "Spółka Kraków"),
    ("Erdős Pál", "Győri Keksz"),
    ("Jiří Dvořák", "Škoda"),
    ("Иван Петров", "Яндекс"),
    ("Γιώργος Παπαδόπουλος", "Ολυμπιακή"),
    ("张伟", "北京星河科技（ＡＢＣ）"),
    ("陳大文", "星河科技"),
    ("山田太郎", "株式会社テスト"),
    ("김민준", "삼성전자"),
    ("Nguyễn Văn Anh", "Công ty Đại Phát"),
    ("Şükrü Öztürk", "İstanbul Ağ"),
    ("محمد علي", "שלום"),
    ("Ãlvaro ﬁn", "Tom &amp; Jerry"),
    ("Ann Lee", "Acme™ 5×3 °C ±1"),
]


def test_read_leaves_correct_text_of_many_languages_as_it_is():
    text = "Name,Company\n" + "".join(f"{name},{company}\n" for name, company in CORRECT_TEXT)

    table = tabular.read(text.encode())

    assert [tuple(cells) for _line, cells in table.rows] == CORRECT_TEXT
    assert table.notes == []


# A UTF-8 list with a line pasted from an old spreadsheet (or a GBK list with a line pasted
# from a web page): each line is read in its own encoding, and the preview names the odd ones.
MIXED_LINES = [
    (
        [
            ("Name,Email\nJosé Pérez,jp@example.com\n", "utf_8"),
            ("Zoë Müller,zm@example.com\n", "cp1252"),
        ],
        ["José Pérez", "Zoë Müller"],
        ["Line 3 was not UTF-8; read as Windows-1252: check the names."],
    ),
    (
        [
            ("Name,Email\nZoë Müller,zm@example.com\n", "cp1252"),
            ("Ann Lee,a@example.com\nRenée Côté,r@example.fr\n", "utf_8"),
        ],
        ["Zoë Müller", "Ann Lee", "Renée Côté"],
        ["Line 2 was not UTF-8; read as Windows-1252: check the names."],
    ),
    (
        [
            ("Name,Email,Company\n张伟,zw@example.cn,北京星河科技\n", "utf_8"),
            ("François Dupré,fd@example.fr,Crème\n", "cp1252"),
            ("李娜,ln@example.cn,朝阳咨询\n", "utf_8"),
        ],
        ["张伟", "François Dupré", "李娜"],
        ["Line 3 was not UTF-8; read as Windows-1252: check the names."],
    ),
    (
        [
            ("姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n", "gbk"),
            ("José Pérez,jp@example.com\n", "utf_8"),
        ],
        ["张伟", "李娜", "José Pérez"],
        ["Line 4 was not GB18030 (GBK); read as UTF-8: check the names."],
    ),
    (
        [
            ("姓名,邮箱,公司\n王芳,wf@example.cn,星河科技\n", "gbk"),
            ("陈静,cj@example.cn,朝阳咨询\n", "utf_8"),
            ("刘洋,ly@example.cn,海淀创投\n", "gbk"),
        ],
        ["王芳", "陈静", "刘洋"],
        ["Line 3 was not GB18030 (GBK); read as UTF-8: check the names."],
    ),
]


@pytest.mark.parametrize(("parts", "names", "notes"), MIXED_LINES)
def test_parse_reads_each_line_of_a_file_of_two_encodings_in_its_own(parts, names, notes):
    data = b"".join(text.encode(encoding) for text, encoding in parts)

    parsed = csv_import.parse(data)

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == names
    assert parsed.notes == notes


def test_read_of_a_mixed_file_in_its_main_encoding_chosen_reads_each_line_in_its_own():
    data = "Name,Email\nJosé Pérez,jp@example.com\n".encode() + "Zoë,z@example.com\n".encode(
        "cp1252"
    )

    chosen = tabular.read(data, encoding="utf_8")

    assert [cells[0] for _line, cells in chosen.rows] == ["José Pérez", "Zoë"]
    assert (chosen.encoding, chosen.notes) == (
        "utf_8",
        ["Line 3 was not UTF-8; read as Windows-1252: check the names."],
    )
    assert tabular.read(data, encoding="cp1252").notes[0].startswith("Line 2: text garbled")


# Names with ideographs GBK lacks, written by GB18030 in four bytes (or in GBK's rare rows).
RARE_NAMES = ["林䶮", "王𠈌", "𠈌伟", "陈㛃", "𡃁子", "张䲜", "𪚥明", "李龘"]


@pytest.mark.parametrize("name", RARE_NAMES)
@pytest.mark.parametrize("others", [[], ["张伟"], ["李娜", "王芳"]])
def test_decode_reads_gb18030_names_with_rare_ideographs(name, others):
    text = "Name,Email\n" + "".join(
        f"{person},p{i}@example.cn\n" for i, person in enumerate([name, *others])
    )

    assert tabular.decode(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("cp1251", ["Олег Ким", "Юлия Ли"]),
        ("cp1251", ["Яна Орлова", "Шамиль Юн"]),
        ("cp1251", ["Эдуард Щукин"]),
        ("cp1252", ["Zoë Müller", "Jürgen Weiß"]),
        ("cp1252", ["Anaïs Lefèvre", "Søren Ærø"]),
    ],
)
def test_decode_still_reads_one_byte_lists_that_also_decode_as_gb18030(encoding, names):
    text = "Name,Email\n" + "".join(f"{n},p{i}@example.org\n" for i, n in enumerate(names))

    assert tabular.decode(text.encode(encoding)) == (text, encoding)


@pytest.mark.parametrize(
    "text",
    [
        "姓名,邮箱\n林䶮,ly@example.cn\n",
        "姓名,邮箱,公司\n王芳,wf@example.cn,𠈌星科技\n",
        "姓名;邮箱\n陈㛃;cj@example.cn\n张䲜;zy@example.cn\n",
    ],
)
def test_decode_reads_gb18030_with_rare_ideographs_under_chinese_column_names(text):
    assert tabular.decode(text.encode("gb18030")) == (text, "gb18030")


MIXED_VARIANTS = [
    (
        b"\xef\xbb\xbf" + "Name,Email\nJosé,j@example.com\n".encode(),
        "Zoë Müller,z@example.com\n",
        "cp1252",
        ["José", "Zoë Müller"],
        "Line 3 was not UTF-8; read as Windows-1252: check the names.",
    ),
    (
        "Name,Email\r\nJosé,j@example.com\r\nRenée,r@example.com\r\n".encode(),
        "Łukasz Żółć,l@example.pl\r\n",
        "cp1250",
        ["José", "Renée", "Łukasz Żółć"],
        "Line 4 was not UTF-8; read as Windows-1250: check the names.",
    ),
    (
        "Name,Email\n张伟,zw@example.cn\n".encode(),
        "Иван Петров,i@example.ru\n",
        "cp1251",
        ["张伟", "Иван Петров"],
        "Line 3 was not UTF-8; read as Windows-1251 (Cyrillic): check the names.",
    ),
    (
        "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode(),
        "王芳,wf@example.cn\n",
        "gbk",
        ["张伟", "李娜", "王芳"],
        "Line 4 was not UTF-8; read as GB18030 (GBK): check the names.",
    ),
    (
        "sep=;\nName;Email\nJosé;j@example.com\n".encode(),
        "Zoë;z@example.com\n",
        "cp1252",
        ["José", "Zoë"],
        "Line 4 was not UTF-8; read as Windows-1252: check the names.",
    ),
]


@pytest.mark.parametrize(("good", "pasted", "encoding", "names", "note"), MIXED_VARIANTS)
def test_parse_reads_a_line_pasted_in_another_encoding_whatever_the_file_around_it(
    good, pasted, encoding, names, note
):
    parsed = csv_import.parse(good + pasted.encode(encoding))

    assert parsed.errors == []
    assert [r.name for r in parsed.rows] == names
    assert note in parsed.notes


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("Name,Email\nJosé,j@example.com\nZoë,z@example.com\n".encode()[:-3] + b"\xc3", 3),
        ("Name,Email\nJosé,j@example.com\n".encode() + "Zoë Müller Kőrösi".encode() + b"\xff\n", 3),
    ],
)
def test_read_refuses_utf8_broken_on_a_line_and_names_it(data, line):
    with pytest.raises(ValidationError) as refusal:
        tabular.read(data)

    assert refusal.value.messages == [
        f"The file is UTF-8 except line {line}, which was typed in another encoding. Correct "
        "that line (or save the whole file again as CSV UTF-8) and upload it."
    ]


def test_gbk_file_with_a_big5_line_is_refused_by_line_in_chinese_too():
    data = "姓名,邮箱\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode(
        "gbk"
    ) + "陳大文,cd@example.hk\n".encode("big5")

    with pytest.raises(ValidationError) as english:
        tabular.read(data)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as chinese:
        tabular.read(data)

    assert "Line 4 does not read as GB18030 (GBK) like the rest" in english.value.messages[0]
    assert "第 4 行无法像文件其余部分一样按 GB18030 (GBK) 读取" in chinese.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        "Name,Email\n张伟,zw@example.cn\n张伟".encode("utf-16"),  # ideographs alone at the end
        "Name,Email\n张伟,zw@example.cn\n李娜,ln@example.cn\n".encode("gbk"),
        "Name,Email\n陳大文,cd@example.hk\n張偉,zw@example.hk\n".encode("big5"),
    ],
)
def test_file_of_one_encoding_is_not_refused_as_two(data):
    assert tabular.read(data).header == ["Name", "Email"]
