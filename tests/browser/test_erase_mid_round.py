"""An attendee deletes her data mid-round while she pitches, in Chromium at a 360×640 phone: she
leaves as anyone leaving mid-round does, so her tablemate's phone, open all along, drops her seat
at once (no reload) and, next to pitch, counts down a full slot; the projector's "find your
table" list no longer names her; a reload of the tablemate's phone shows the same."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from events.models import Attendee
from rounds import queries, services
from rounds.models import Round
from tests.browser.conftest import PHONE
from tests.browser.test_projector import in_a_thread
from tests.browser.test_walk_in_seating import open_phone
from tests.factories import AttendeeFactory, EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["Zelda Quartermain", "Bo Lind", "Ana Costa", "Yusuf Ollerenshaw"]


def test_erasing_her_data_mid_round_shows_her_tablemate_the_placeholder_without_reload(
    live_server_url, chromium
):
    # pitches of two minutes: the first pitcher (her) is still pitching while the test runs
    event = EventFactory(
        check_in=True, rounds_count=3, table_size=4, round_seconds=600, pitch_seconds=120
    )
    for name in [*NAMES, "Wanda Xu", "Xavier Ng", "Uma Roy", "Tom Pike"]:
        AttendeeFactory(event=event, name=name, checked_in=True)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    in_a_thread(services.start_round, Round.objects.get(event=event, number=1), by=None)
    table = queries.stored_plan(event.pk)[0][0]
    her, mate = (Attendee.objects.get(pk=pk) for pk in table[:2])  # she pitches first
    _context, page = open_phone(chromium, live_server_url, mate)
    stop = page.locator('.stop[data-round-number="1"]')
    entry = stop.locator(f'.tablemate[data-person="{her.pk}"]')
    status = page.locator("[data-now-text]")
    expect(entry.locator("[data-name]")).to_have_text(her.name)
    expect(entry.locator(f'[data-receiver="{her.pk}"]')).to_have_count(2)
    expect(status).to_contain_text(f"{her.name} is pitching")
    screen = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(screen.locator(".screen")).to_have_attribute("data-connection", "open")
    expect(screen.locator(".find-list")).to_contain_text(her.name)
    listed = screen.locator(".find-list li").count()
    page.evaluate("window.speednetNotReloaded = true")

    her_phone = chromium.new_context(**PHONE).new_page()
    her_phone.goto(f"{live_server_url}/a/{her.token}/")  # her confirmed device from now on
    her_phone.goto(f"{live_server_url}/a/{her.token}/erase/")
    her_phone.locator("#id_is_confirmed").check()
    her_phone.get_by_role("button", name="Delete my data").click()
    expect(her_phone.locator("h1")).to_be_visible()

    expect(entry).to_have_count(0)  # from the push: her seat is vacated
    expect(stop.locator(".tablemate")).to_have_count(len(table) - 1)
    expect(status).to_contain_text("Your turn")  # the next pitcher, at once
    expect(page.locator("[data-now-clock]")).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    expect(page.locator(".room")).not_to_contain_text(her.name)
    expect(page.locator(".room")).not_to_contain_text("Erased attendee")
    assert page.evaluate("window.speednetNotReloaded") is True
    mates = [pk for pk in table if pk not in (her.pk, mate.pk)]
    for other in mates:  # the other tablemates keep their cards
        expect(stop.locator(f'[data-receiver="{other}"]')).to_have_count(2)
    # the screen drops her line at once (the push), no placeholder in her place
    expect(screen.locator(".find-list li")).to_have_count(listed - 1)
    expect(screen.locator(".find-list")).not_to_contain_text(her.name)
    expect(screen.locator(".find-list")).not_to_contain_text("Erased attendee")

    page.reload()
    expect(page.locator(".room")).to_have_attribute("data-connection", "open")
    expect(entry).to_have_count(0)
    expect(stop.locator(".tablemate")).to_have_count(len(table) - 1)
    expect(status).to_contain_text("Your turn")
    expect(page.locator(".room")).not_to_contain_text(her.name)
