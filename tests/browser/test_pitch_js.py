"""static/js/pitch.js, the pitch editor's live estimate, in Chromium: the same seconds as the
server (pitches/models.py) for the same text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from pitches.models import CJK_CHARACTERS_PER_MINUTE, WORDS_PER_MINUTE, spoken_seconds

STATIC = Path(__file__).resolve().parents[2] / "static" / "js"
ORIGIN = "http://speednet.test"

TEXTS = {
    "english": "I need introductions to logistics companies with their own fleet. " * 3,
    "chinese": "我需要认识有自己车队的物流公司。我分享区域承运商的基准数据。你认识谁吗？",
    "chinese_33": "我需要认识有自己车队的物流公司我分享区域承运商的基准数据你认识谁吗",
    "mixed": "我需要 B2B 物流客户, 20–200 trucks. Who do you know? 你认识谁吗",
    "kana": "こんにちは、よろしくお願いします。 カタカナ テスト",
    "empty": "",
}


@pytest.fixture
def pitch_js(phone: Page) -> Page:
    def serve(route: Any) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if route.request.url.startswith(f"{ORIGIN}/static/js/") and (STATIC / name).exists():
            route.fulfill(body=(STATIC / name).read_text(), content_type="text/javascript")
        else:
            route.fulfill(body="<!doctype html><title>pitch</title><body></body>", status=200)

    phone.route(f"{ORIGIN}/**", serve)
    phone.goto(ORIGIN + "/")
    phone.evaluate("async () => { window.pitch = await import('/static/js/pitch.js'); }")
    return phone


def test_spoken_seconds_in_the_browser_equal_the_servers(pitch_js):
    said = pitch_js.evaluate(
        """([texts, wpm, cpm]) => Object.fromEntries(
             Object.entries(texts).map(([k, t]) => [k, pitch.spokenSeconds(t, wpm, cpm)]))""",
        [TEXTS, WORDS_PER_MINUTE, CJK_CHARACTERS_PER_MINUTE],
    )

    assert said == {key: spoken_seconds(text) for key, text in TEXTS.items()}
    assert said["chinese_33"] == 9
