from __future__ import annotations

import pytest

from pitches.models import count_words, spoken_seconds
from tests.factories import PitchFactory


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("I need a bookkeeper.", 4),
        ("Who do you know? It's B2B, 20–200 trucks.", 8),
        ("我需要物流客户", 7),
        ("I need 物流 clients", 5),
    ],
)
def test_count_words_counts_latin_words_and_cjk_characters(text, words):
    assert count_words(text) == words


@pytest.mark.parametrize(("words", "seconds"), [(0, 0), (75, 30), (76, 31), (150, 60)])
def test_spoken_seconds_at_150_words_a_minute_rounds_up(words, seconds):
    assert spoken_seconds("word " * words) == seconds


# A 33-character Chinese pitch: "I need introductions to logistics companies; I share a
# benchmark of carriers. Who do you know?"
CHINESE_33 = "我需要认识有自己车队的物流公司我分享区域承运商的基准数据你认识谁吗"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (CHINESE_33, 9),  # 33 characters at 240 a minute: 8.25 s
        ("字" * 240, 60),
        ("字" * 40, 10),
        ("字" * 41, 11),
        ("I need 物流 clients", 2),  # 3 words (1.2 s) and 2 characters (0.5 s)
    ],
)
def test_spoken_seconds_says_chinese_characters_at_240_a_minute_and_mixed_text_as_the_sum(
    text, seconds
):
    assert len(CHINESE_33) == 33
    assert spoken_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("わ" * 88, 22),  # hiragana, written without spaces: each kana once, not one word
        ("カ" * 40 + "ｶ" * 20, 15),  # katakana, full and half width
        ("𠮷" * 12, 3),  # Han beyond the BMP (extension B)
        ("one\x85two\x1cthree", 1),  # separators only Python's \s knows make no words
    ],
)
def test_spoken_seconds_counts_kana_and_every_han_character_as_the_browser_does(text, seconds):
    assert spoken_seconds(text) == seconds


def test_pitch_word_count_and_seconds_cover_need_offer_and_ask():
    pitch = PitchFactory.build(need="one two three", offer="four five", ask="six")

    assert pitch.text == "one two three\nfour five\nsix"
    assert pitch.word_count == 6
    assert pitch.spoken_seconds == 3


def test_pitch_str_prefers_the_ask():
    assert str(PitchFactory.build(ask="Who do you know?")) == "Who do you know?"
    assert str(PitchFactory.build(ask="", need="A bookkeeper")) == "A bookkeeper"
