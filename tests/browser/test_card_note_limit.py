"""The introduction's note ("Whom can you introduce them to?") on the phone: a live count of
the characters left, counted as a reader counts them (a Chinese character, an emoji family, a
flag: one each), as the server counts them; a note over the limit is refused with a message in
the phone's language and never cut; one at the limit is kept whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from tests.browser.conftest import PHONE
from tests.browser.test_card_double_tap import listener_and_pitcher
from tests.feedback.test_services import NOTE_OF_200

TEXTS = {
    "en-US": {
        "left": "Characters left: {}",
        "over": "Characters over the limit: {}",
        "refused": "The note is at most 200 characters.",
        "introduce": "I can introduce you to someone",
        "give": "Give the card",
    },
    "zh-CN": {
        "left": "还可输入 {} 个字",
        "over": "超出 {} 个字",
        "refused": "备注最多 200 个字符。",
        "introduce": "我可以为你引荐",
        "give": "发出卡片",
    },
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_introduction_note_counts_characters_refuses_one_too_many_and_keeps_200_whole(
    live_server_url, chromium, locale
):
    said = TEXTS[locale]
    listener, pitcher = listener_and_pitcher()
    page = chromium.new_context(**PHONE, locale=locale).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server_url}/a/{listener.token}/")
    expect(page.locator(".room")).to_have_attribute("data-cards", "on")
    card = page.locator(f'.stop:visible [data-card-kind="introduce"][data-receiver="{pitcher.pk}"]')
    expect(card).to_contain_text(said["introduce"])
    card.click()
    form = page.locator(".stop:visible [data-card-note]:visible")
    note = form.locator('input[name="note"]')
    count = form.locator("[data-card-note-count]")
    error = form.locator("[data-card-note-error]")
    expect(count).to_have_text(said["left"].format(200))

    note.fill("中🇨🇳👍🏽")
    expect(count).to_have_text(said["left"].format(197))
    note.fill(NOTE_OF_200)
    expect(count).to_have_text(said["left"].format(0))
    note.press("End")
    note.press_sequentially("中")
    expect(count).to_have_text(said["over"].format(1))
    form.get_by_role("button", name=said["give"]).click()

    expect(error).to_have_text(said["refused"])
    expect(form).to_be_visible()  # refused: the note stays, whole, to be shortened
    assert note.input_value() == NOTE_OF_200 + "中"
    expect(card).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(500)
    assert not Card.objects.filter(giver=listener).exists()

    note.press("Backspace")
    expect(count).to_have_text(said["left"].format(0))
    expect(error).to_be_hidden()
    form.get_by_role("button", name=said["give"]).click()

    expect(card).to_have_attribute("aria-pressed", "true")
    expect(card).not_to_have_attribute("data-pending", "true")
    given = Card.objects.get(giver=listener, receiver=pitcher, kind="introduce")
    assert given.note == NOTE_OF_200
