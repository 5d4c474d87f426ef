"""The introduction's note form open when the round ends: nothing typed is lost, the card can
still be given (for the round it was opened in), and the new instruction shows above it."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from playwright.sync_api import expect

from feedback.models import Card
from rounds.models import Round
from tests.browser.conftest import PHONE
from tests.browser.test_card_double_tap import listener_and_pitcher

NEW_INSTRUCTION = re.compile(r"^(Move to table|Stay at table) \d+$")
ENDS_IN = timedelta(seconds=12)
"""Round 1's time runs out this long after the phone's page is opened: the phone goes on to
the next instruction by its own clock, as when a round's time runs out at the venue."""


def note_open_when_the_round_ends(live_server_url, chromium, *, last_round: bool = False):
    """The listener's phone with the introduction's note form open for the pitcher, a note
    typed, when round 1 (with ``last_round``: the event's only round) ends."""
    listener, pitcher = listener_and_pitcher()
    if last_round:
        listener.event.rounds.filter(number__gt=1).delete()
        type(listener.event).objects.filter(pk=listener.event_id).update(rounds_count=1)
    first = listener.event.rounds.get(number=1)
    Round.objects.filter(pk=first.pk).update(
        ends_at=max(first.started_at, timezone.now()) + ENDS_IN
    )
    phone = chromium.new_context(**PHONE).new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server_url}/a/{listener.token}/")
    expect(phone.locator(".room")).to_have_attribute("data-connection", "open")
    past = phone.locator(".stop[data-round-number='1']")
    past.get_by_role("button", name=f"I can introduce you to someone — {pitcher.name}").click()
    note = past.get_by_label(f"Whom can you introduce {pitcher.name} to? (optional)")
    note.fill("my cousin at the port")
    # typed while the round still ran (else this test tests nothing)
    expect(phone.locator(".room")).to_have_attribute("data-cards", "on", timeout=1)

    return phone, listener, pitcher, note


@pytest.mark.django_db(transaction=True)
def test_note_form_open_at_the_round_end_stays_and_gives_the_card(live_server_url, chromium):
    phone, listener, pitcher, note = note_open_when_the_round_ends(live_server_url, chromium)

    room = phone.locator(".room")
    expect(room).to_have_attribute("data-now", re.compile("^(move|stay)$"), timeout=20_000)
    expect(phone.locator("[data-now-text]")).to_have_text(NEW_INSTRUCTION)
    expect(note).to_be_visible()
    expect(note).to_have_value("my cousin at the port")
    expect(phone.locator(".stop[data-round-number='2']")).to_be_visible()
    # only the tablemate the card is for, not the whole past table
    expect(phone.locator(".stop[data-round-number='1'] .tablemate:visible")).to_have_count(1)
    # under the new round's heading, a short line says which round the kept card is from
    held_label = phone.locator(".stop[data-round-number='1'] .stop-held-label")
    expect(held_label).to_be_visible()
    expect(held_label).to_have_text("From round 1:")
    expect(phone.locator(".stop[data-round-number='2'] .stop-held-label")).to_be_hidden()

    past = phone.locator(".stop[data-round-number='1']")
    past.get_by_role("button", name=f"Give the card — {pitcher.name}").click()

    introduce = past.get_by_role("button", name=f"I can introduce you to someone — {pitcher.name}")
    expect(note).to_be_hidden()
    expect(introduce).to_have_attribute("aria-pressed", "true")  # shown as given…
    expect(introduce).not_to_have_attribute("data-pending", "true")
    card = Card.objects.get(giver=listener, receiver=pitcher)
    assert (card.kind, card.note, card.round.number) == ("introduce", "my cousin at the port", 1)
    expect(introduce).to_be_hidden(timeout=8_000)  # …then the past round goes
    expect(phone.locator(".stop[data-round-number='1']")).to_be_hidden()
    expect(phone.locator("[data-now-text]")).to_have_text(NEW_INSTRUCTION)


@pytest.mark.django_db(transaction=True)
def test_note_form_open_at_the_round_end_can_be_cancelled(live_server_url, chromium):
    phone, listener, pitcher, note = note_open_when_the_round_ends(live_server_url, chromium)
    expect(phone.locator(".room")).to_have_attribute(
        "data-now", re.compile("^(move|stay)$"), timeout=20_000
    )
    expect(note).to_have_value("my cousin at the port")

    phone.locator(".stop[data-round-number='1']").get_by_role(
        "button", name=f"Cancel — {pitcher.name}"
    ).click()

    expect(note).to_be_hidden()
    expect(phone.locator(".stop[data-round-number='1']")).to_be_hidden()
    expect(phone.locator(".stop-held-label:visible")).to_have_count(0)
    expect(phone.locator("[data-now-text]")).to_have_text(NEW_INSTRUCTION)
    phone.wait_for_timeout(500)
    assert not Card.objects.filter(giver=listener).exists()


@pytest.mark.django_db(transaction=True)
def test_note_form_open_when_the_last_round_ends_stays_in_mingle(live_server_url, chromium):
    phone, listener, pitcher, note = note_open_when_the_round_ends(
        live_server_url, chromium, last_round=True
    )
    expect(phone.locator(".room")).to_have_attribute("data-now", "mingle", timeout=20_000)
    expect(note).to_have_value("my cousin at the port")

    note.press("Enter")

    expect(note).to_be_hidden()
    for _ in range(50):
        if Card.objects.filter(giver=listener, receiver=pitcher, round__number=1).exists():
            break
        phone.wait_for_timeout(100)
    assert Card.objects.get(giver=listener, receiver=pitcher).note == "my cousin at the port"


def test_the_kept_stop_label_in_chinese():
    stop = SimpleNamespace(round_number=2, table_number=5, tablemates=[])
    with translation.override("zh-hans"):
        html = render_to_string(
            "feedback/partials/stop.html", {"stop": stop, "attendee": SimpleNamespace(pk=7)}
        )

    assert '<p class="stop-held-label">第 2 轮：</p>' in html
