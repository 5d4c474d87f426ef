"""On a 360×640 phone, a listener sees the first pitcher's cards ("See me", "I can introduce
you to someone") without scrolling, whoever sits at the table: every demo name and company
(events/demo.py), the longest ones together."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.demo import PEOPLE
from tests.browser.conftest import PHONE
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)

TABLE_SIZE = 8


def demo_round():
    """Round 1 running, its first pitch slot lasting two minutes, every demo person seated at
    tables of eight, the longest name and company first: the seats by table."""
    event = EventFactory(
        live=True, rounds_count=3, table_size=TABLE_SIZE, pitch_seconds=120, round_seconds=1800
    )
    now = timezone.now()
    round_ = RoundFactory(
        event=event,
        number=1,
        running=True,
        started_at=now,
        turns_started_at=now,
        ends_at=now + timedelta(seconds=1800),
    )
    longest_first = sorted(PEOPLE, key=lambda p: len(f"{p.name} · {p.company}"), reverse=True)
    tables = []
    for start in range(0, len(longest_first), TABLE_SIZE):
        table = TableFactory(round=round_, number=len(tables) + 1)
        seats = []
        for order, demo in enumerate(longest_first[start : start + TABLE_SIZE]):
            person = AttendeeFactory(
                event=event, name=demo.name, company=demo.company, checked_in=True, consenting=True
            )
            PitchFactory(attendee=person, need=demo.need, offer=demo.offer, ask=demo.ask)
            seats.append(SeatFactory(table=table, speaking_order=order, attendee=person))
        tables.append(seats)
    return tables


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_first_pitchers_cards_are_on_a_360x640_phones_first_screen(
    live_server_url, chromium, locale
):
    tables = demo_round()
    page = chromium.new_context(**PHONE, locale=locale).new_page()
    page.set_default_timeout(15_000)
    below = {}
    for seats in tables:
        pitcher = seats[0].attendee
        for seat in seats[1:]:
            page.goto(f"{live_server_url}/a/{seat.attendee.token}/")
            room = page.locator(".room")
            expect(room).to_have_attribute("data-now", "listening")
            entry = page.locator('.stop:visible .tablemate[aria-current="true"]')
            expect(entry).to_contain_text(pitcher.name)
            buttons = entry.locator(".card-buttons")
            expect(buttons).to_be_visible()
            assert page.evaluate("window.scrollY") == 0
            bottom = buttons.evaluate("el => el.getBoundingClientRect().bottom")
            if bottom > 640:
                below[seat.attendee.name] = bottom
    assert below == {}
