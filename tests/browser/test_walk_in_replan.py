"""A walk-in seated by a re-plan while a round is on, in Chromium at a 360×640 phone: the round
under way has no seat for them (it is never re-planned), a later round has. Their phone names
that round and its table, calmly, from the re-plan's push (no reload) and after a reload, while
the round runs and while it is paused; never "ask the organizer", which sent every such walk-in
to the organizer for nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rounds import services
from rounds.models import Round, Seat
from tests.browser.conftest import press_control
from tests.browser.test_projector import in_a_thread
from tests.browser.test_walk_in_seating import control_panel, open_phone
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = os.environ.get("SPEEDNET_SCREENS", "")


def first_seat(person) -> Seat:
    """``person``'s seat in the first round that has one."""
    seats = Seat.objects.select_related("round", "table").filter(attendee=person)
    return seats.order_by("round__number").first()


def test_a_walk_in_seated_by_a_re_plan_during_a_round_sees_their_first_table(
    live_server_url, chromium
):
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=4,
        table_size=4,
        round_seconds=180,
    )
    AttendeeFactory.create_batch(8, event=event, checked_in=True)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    in_a_thread(services.start_round, Round.objects.get(event=event, number=1), by=None)
    mia = AttendeeFactory(event=event, name="Mia Walk", checked_in=True)
    _context, page = open_phone(chromium, live_server_url, mia)
    room, status = page.locator(".room"), page.locator("[data-now-text]")
    expect(room).to_have_attribute("data-now", "not_seated")  # no plan has her yet
    # calmly told she will be seated, not sent to queue at the organizer's laptop mid-round
    expect(status).to_contain_text("when the organizer seats you")
    panel = page.locator("[data-now-panel]")
    assert panel.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(254, 242, 242)"

    laptop = control_panel(chromium, live_server_url, event)
    laptop.on("dialog", lambda dialog: dialog.accept())  # "Re-plan while round 1 is on?"

    press_control(laptop, event, "replan")  # pushes from the server the organizer's page talks to

    seat = first_seat(mia)
    assert seat.round.number == 2
    said = f"You join from round 2 — your first table: {seat.table.number}"
    expect(room).to_have_attribute("data-now", "joins_later")  # from the push
    expect(status).to_have_text(said)
    expect(page.locator(".pitch-prompt-rounds")).to_be_visible()
    expect(page.locator('.stop[data-round-number="2"]')).to_be_visible()
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / "walk-in-joins-later.png"))
    page.reload()
    expect(room).to_have_attribute("data-now", "joins_later")
    expect(status).to_have_text(said)
    press_control(laptop, event, "pause")
    expect(room).to_have_attribute("data-phase", "paused")  # from the push
    expect(room).to_have_attribute("data-now", "joins_later")
    page.reload()
    expect(room).to_have_attribute("data-phase", "paused")
    expect(room).to_have_attribute("data-now", "joins_later")
    expect(status).to_have_text(said)
    expect(page.locator(".notice-error:visible, [role=alert]:visible")).to_have_count(0)
