"""Someone leaves mid-round on a real evening, in Chromium: every phone at her table, her own
phone and the projector, through pauses, skips, extensions and the round's end. The turns of a
table whose pitcher left mid-slot are shifted (``Round.turn_shifts``); the organizer's controls
that move the turns must keep meaning the same thing at that table as at the others."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from playwright.sync_api import expect

from events.models import Event
from rounds import services
from rounds.models import Round, Seat
from tests.browser.conftest import press_control
from tests.browser.test_projector import in_a_thread
from tests.browser.test_walk_in_seating import control_panel, open_phone
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/t7")
PITCH = 30


def seconds(text: str) -> int:
    """'0:27' → 27."""
    minutes, secs = text.strip().split(":")
    return int(minutes) * 60 + int(secs)


def evening(*, into: timedelta, round_seconds: int = 600, language: str = "en"):
    """Eight people checked in at tables of four, round 1 started ``into`` ago (pitches of 30 s).
    Returns (event, round 1, the people of table 1 in speaking order)."""
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=round_seconds,
        pitch_seconds=PITCH,
    )
    for n in range(8):
        AttendeeFactory(event=event, name=f"Person {n}", checked_in=True, language=language)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    in_a_thread(services.start_round, Round.objects.get(event=event, number=1), by=None)
    Round.objects.filter(event=event, number=1).update(
        started_at=F("started_at") - into,
        turns_started_at=F("turns_started_at") - into,
        ends_at=F("ends_at") - into,
    )
    Event.objects.filter(pk=event.pk).update(state_version=F("state_version") + 1)
    seats = Seat.objects.filter(round__event=event, round__number=1, table__number=1)
    people = [seat.attendee for seat in seats.order_by("speaking_order").select_related("attendee")]
    return event, Round.objects.get(event=event, number=1), people


def phones(chromium, url, people):
    return [open_phone(chromium, url, person)[1] for person in people]


def organizer(chromium, url, event):
    """(the control page, the attendee list) of the signed-in organizer's laptop."""
    control = control_panel(chromium, url, event)
    door = control.context.new_page()
    door.set_default_timeout(15_000)
    door.goto(f"{url}/events/{event.pk}/attendees/")
    return control, door


def mark_gone(door, person):
    """The organizer marks ``person`` gone on the attendee list (accepting the question)."""
    door.once("dialog", lambda dialog: dialog.accept())
    door.locator(f"#attendee-{person.pk}-row [data-presence=left]").click()
    expect(door.locator(f"#attendee-{person.pk}-row")).to_contain_text("Left")


def screens(pages, name):
    for n, page in enumerate(pages):
        page.screenshot(path=str(SHOTS / f"{name}-{n}.png"))


def test_skip_turn_at_a_table_whose_pitcher_left_skips_exactly_her_successor(
    live_server_url, chromium
):
    # 40 s into round 1: the second pitcher (order 1) has 20 s left at every table
    event, _round, people = evening(into=timedelta(seconds=40))
    pages = phones(chromium, live_server_url, people)
    expect(pages[0].locator("[data-now-text]")).to_contain_text(f"{people[1].name} is pitching")
    # she leaves 10 s into her slot: the next one (people[2]) has a full 30 s at table 1
    laptop, door = organizer(chromium, live_server_url, event)
    mark_gone(door, people[1])
    rest = [pages[0], pages[2], pages[3]]
    expect(pages[2].locator("[data-now-text]")).to_contain_text("Your turn")
    expect(pages[0].locator("[data-now-text]")).to_contain_text(f"{people[2].name} is pitching")
    # the organizer skips the turn: at table 1 people[2] is cut, people[3] starts a full slot
    press_control(laptop, event, "skip")
    pages[0].wait_for_timeout(1500)
    screens(rest, "skip-after-shift")
    expect(pages[3].locator("[data-now-text]")).to_contain_text("Your turn", timeout=3000)
    for page in rest:
        expect(page.locator("[data-now-text]")).not_to_contain_text(people[2].name)
        left = seconds(page.locator("[data-now-clock]").text_content())
        assert 27 <= left <= 30, left
