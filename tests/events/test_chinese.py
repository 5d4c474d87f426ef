from __future__ import annotations

from events.chinese import script_variants


def test_script_variants_are_the_text_and_its_other_scripts_each_once():
    assert script_variants("陈美玲") == ["陈美玲", "陳美玲"]
    assert script_variants("陳美玲")[:2] == ["陳美玲", "陈美玲"]
    assert script_variants("Mei Chen") == ["Mei Chen"]
    assert script_variants("") == [""]
