"""static/js/pitch.js, the pitch editor's live estimate, in Chromium: the same seconds as the
server (pitches/models.py) for the same text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from pitches.models import CJK_CHARACTERS_PER_MINUTE, WORDS_PER_MINUTE, spoken_seconds
from tests.browser.conftest import import_js_module

TEXTS = {
    "english": "I need introductions to logistics companies with their own fleet. " * 3,
    "chinese": "我需要认识有自己车队的物流公司。我分享区域承运商的基准数据。你认识谁吗？",
    "chinese_33": "我需要认识有自己车队的物流公司我分享区域承运商的基准数据你认识谁吗",
    "mixed": "我需要 B2B 物流客户, 20–200 trucks. Who do you know? 你认识谁吗",
    "kana": "こんにちは、よろしくお願いします。 カタカナ テスト",
    "hiragana": "わたしは ちいさな ぱんやさんを けいえいしています" * 3,
    "katakana_half_width": "ｶﾀｶﾅ ﾃｽﾄ" * 5,
    "beyond_the_bmp": "𠮷野家" * 5,
    "odd_separators": "one\x85two\x1cthree\u3000four",
    "empty": "",
}


@pytest.fixture
def pitch_js(phone: Page) -> Page:
    return import_js_module(phone, "pitch")


def test_spoken_seconds_in_the_browser_equal_the_servers(pitch_js):
    said = pitch_js.evaluate(
        """([texts, wpm, cpm]) => Object.fromEntries(
             Object.entries(texts).map(([k, t]) => [k, pitch.spokenSeconds(t, wpm, cpm)]))""",
        [TEXTS, WORDS_PER_MINUTE, CJK_CHARACTERS_PER_MINUTE],
    )

    assert said == {key: spoken_seconds(text) for key, text in TEXTS.items()}
    assert said["chinese_33"] == 9
