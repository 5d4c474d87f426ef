"""Someone marked gone mid-round, then checked in again at the door while the round goes on, in
Chromium, her phone and a tablemate's open all along: for the rest of the round her phone says
she gets a table when the next round starts (not her old seat, not "thank you for coming") and
the tablemate's table stays without her; when the next round starts she is seated as a walk-in
(the event's switch), last at a table with room, and the phones there show her. With
SPEEDNET_SCREENS=<folder> the phones are saved there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events.models import Attendee
from rounds import queries, services
from rounds.models import Round
from tests.browser.conftest import press_control, sign_in
from tests.browser.test_projector import in_a_thread
from tests.browser.test_walk_in_seating import open_phone
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = {"timeout": 15_000}  # a loaded machine (CI): pushes and redraws may take seconds
NAMES = ["Zelda Quartermain", "Bo Lind", "Ana Costa", "Yusuf Ollerenshaw"]


def save(page, name: str) -> None:
    if os.environ.get("SPEEDNET_SCREENS"):
        page.screenshot(path=str(Path(os.environ["SPEEDNET_SCREENS"]) / name))


def test_gone_then_back_at_the_door_mid_round_waits_for_the_next_round_then_sits_there(
    live_server_url, chromium
):
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=600,
        pitch_seconds=120,
        is_seating_walk_ins=True,
    )
    for name in [*NAMES, "Wanda Xu", "Xavier Ng", "Uma Roy", "Tom Pike"]:
        AttendeeFactory(event=event, name=name, checked_in=True)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    in_a_thread(services.start_round, Round.objects.get(event=event, number=1), by=None)
    table = queries.stored_plan(event.pk)[0][0]
    her, mate = (Attendee.objects.get(pk=pk) for pk in table[:2])
    _her_context, her_phone = open_phone(chromium, live_server_url, her)
    _context, page = open_phone(chromium, live_server_url, mate)
    stop = page.locator('.stop[data-round-number="1"]')
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(1, **WAIT)
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.locator(f"#attendee-{her.pk}-row [data-presence=left]").click()
    expect(her_phone.locator("[data-now-text]")).to_contain_text("Thank you for coming!", **WAIT)
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(0, **WAIT)

    laptop.goto(f"{live_server_url}/events/{event.pk}/door/?q={her.name}")
    laptop.locator(f"#attendee-{her.pk}-row button[data-presence=check_in]").click()
    expect(laptop.locator(f"#attendee-{her.pk}-row button[data-presence=left]")).to_be_enabled(
        **WAIT
    )

    # the rest of round 1: she waits for round 2; her old table goes on without her
    her_text = her_phone.locator("[data-now-text]")
    expect(her_text).to_contain_text("You get a table when round 2 starts", **WAIT)
    expect(her_phone.locator(".stop:visible")).to_have_count(0, **WAIT)
    expect(stop.locator(".tablemate")).to_have_count(len(table) - 1, **WAIT)
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(0, **WAIT)
    expect(stop).not_to_contain_text(her.name, **WAIT)
    expect(page.locator("[data-now-text]")).to_contain_text("Your turn", **WAIT)
    save(her_phone, "back-her-phone-waiting.png")
    save(page, "back-tablemate-round-1.png")

    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    laptop.on("dialog", lambda dialog: dialog.accept())  # "End round 1 now?"
    press_control(laptop, event, "end")
    press_control(laptop, event, "start")

    # round 2: she sits last at a table with room, and the phones there show her
    [joined] = [t for t in queries.stored_plan(event.pk)[1] if her.pk in t]
    assert joined[-1] == her.pk
    number = Round.objects.get(event=event, number=2).tables.get(seats__attendee=her).number
    her_stop = her_phone.locator('.stop[data-round-number="2"]')
    expect(her_phone.locator("[data-now-text]")).to_have_attribute(
        "data-table", str(number), **WAIT
    )
    expect(her_stop.locator(".tablemate")).to_have_count(len(joined), **WAIT)  # hers too
    other = Attendee.objects.get(pk=joined[0])
    _other_context, other_phone = open_phone(chromium, live_server_url, other)
    other_stop = other_phone.locator('.stop[data-round-number="2"]')
    expect(other_stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_contain_text(
        her.name, **WAIT
    )
    if mate.pk in joined:
        mate_stop = page.locator('.stop[data-round-number="2"]')
        expect(mate_stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(1, **WAIT)
    else:
        expect(page.locator('.stop[data-round-number="2"]')).not_to_contain_text(her.name, **WAIT)
    save(her_phone, "back-her-phone-round-2.png")
    save(page, "back-tablemate-round-2.png")
