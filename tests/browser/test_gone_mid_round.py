"""The organizer marks the current pitcher gone mid-round from the attendee list, in Chromium: the
next pitcher's phone, open all along, drops her seat at once and counts down a full pitch slot
(not what was left of hers); her own phone thanks her for coming; the round clock on the phone
and on the projector stays the same. With SPEEDNET_SCREENS=<folder> the phone is saved there."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from playwright.sync_api import expect

from events.models import Attendee, Event
from rounds import queries, services
from rounds.models import Round
from tests.browser.conftest import sign_in
from tests.browser.test_projector import in_a_thread
from tests.browser.test_walk_in_seating import open_phone
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["Zelda Quartermain", "Bo Lind", "Ana Costa", "Yusuf Ollerenshaw"]
INTO_HER_SLOT = timedelta(seconds=40)


def test_marking_the_current_pitcher_gone_gives_the_next_one_a_full_slot_on_the_phone(
    live_server_url, chromium, tmp_path
):
    # pitches of two minutes, hers 40 s under way: the next pitcher would get 1:20 of hers
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=600,
        pitch_seconds=120,
    )
    for name in [*NAMES, "Wanda Xu", "Xavier Ng", "Uma Roy", "Tom Pike"]:
        AttendeeFactory(event=event, name=name, checked_in=True)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    in_a_thread(services.start_round, Round.objects.get(event=event, number=1), by=None)
    Round.objects.filter(event=event, number=1).update(
        started_at=F("started_at") - INTO_HER_SLOT,
        turns_started_at=F("turns_started_at") - INTO_HER_SLOT,
    )
    Event.objects.filter(pk=event.pk).update(state_version=F("state_version") + 1)
    table = queries.stored_plan(event.pk)[0][0]
    her, mate = (Attendee.objects.get(pk=pk) for pk in table[:2])  # she pitches, he is next
    _context, page = open_phone(chromium, live_server_url, mate)
    _her_context, her_phone = open_phone(chromium, live_server_url, her)
    stop = page.locator('.stop[data-round-number="1"]')
    status = page.locator("[data-now-text]")
    clock = page.locator("[data-now-clock]")
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(1)
    expect(status).to_contain_text(f"{her.name} is pitching")
    expect(clock).to_have_text(re.compile(r"^1:[12]\d$"))  # what is left of her slot
    screen = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(screen.locator(".screen")).to_have_attribute("data-connection", "open")
    people = screen.locator("[data-people]")
    expect(people).to_have_text("8 people checked in")
    # its 15 s poll stopped (the line replaced by a copy htmx never saw): only the push updates it
    people.evaluate("line => line.replaceWith(line.cloneNode(true))")
    page.evaluate("window.speednetNotReloaded = true")

    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.locator(f"#attendee-{her.pk}-row [data-presence=left]").click()
    expect(laptop.locator(f"#attendee-{her.pk}-row")).to_contain_text("Left")

    # her seat is vacated at once, and the next pitcher has a whole slot
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(0)
    expect(stop.locator(".tablemate")).to_have_count(len(table) - 1)
    expect(status).to_contain_text("Your turn")
    expect(clock).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    expect(page.locator(".room")).not_to_contain_text(her.name)
    assert page.evaluate("window.speednetNotReloaded") is True
    expect(her_phone.locator("[data-now-text]")).to_contain_text("Thank you for coming!")
    expect(screen.locator(".find-list")).not_to_contain_text(her.name)
    expect(people).to_have_text("7 people checked in")
    # the round's clock is the room's: the same on the phone's round line and the projector
    round_left = page.locator("[data-live-clock]").first.text_content()
    assert round_left == screen.locator("[data-live-clock]").first.text_content()
    if os.environ.get("SPEEDNET_SCREENS"):
        page.screenshot(path=str(Path(os.environ["SPEEDNET_SCREENS"]) / "gone-next-pitcher.png"))
    page.screenshot(path=str(tmp_path / "gone-next-pitcher.png"))
    her_phone.screenshot(path=str(tmp_path / "gone-her-phone.png"))

    page.reload()  # a fresh load agrees
    expect(page.locator(".room")).to_have_attribute("data-connection", "open")
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(0)
    expect(status).to_contain_text("Your turn")
    expect(clock).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
