"""The organizer's whole evening on a laptop, with attendees' phones following along."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from events.models import Attendee, Event
from rounds import queries
from tests.browser.conftest import PHONE, press_control
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
CSV = "\n".join(
    ["First Name,Last Name,Email,Company"]
    + [f"Person,{n:02d},p{n}@example.com,Company {n}" for n in range(12)]
).encode()


def test_organizer_path_from_sign_in_to_close(live_server_url, chromium):
    UserFactory(username="org")
    base = live_server_url
    laptop = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    laptop.set_default_timeout(15_000)
    laptop.on("dialog", lambda dialog: dialog.accept())  # "Left", end, mingle, close ask first

    laptop.goto(f"{base}/accounts/login/")
    laptop.fill("#id_username", "org")
    laptop.fill("#id_password", PASSWORD)
    laptop.get_by_role("button", name="Sign in").click()
    laptop.get_by_role("link", name="New event").click()
    laptop.fill("#id_title", "Harbor Founders Night")
    laptop.fill("#id_starts_at", "2026-12-01T18:30")
    laptop.fill("#id_rounds_count", "3")
    laptop.fill("#id_table_size", "3")
    laptop.fill("#id_round_seconds", "120")
    laptop.get_by_role("button", name="Create the event").click()
    expect(laptop.locator("h1")).to_have_text("Harbor Founders Night")
    event = Event.objects.get(title="Harbor Founders Night")
    laptop.get_by_role("link", name="Code of conduct").click()
    laptop.get_by_role("link", name="Start from the short default").click()
    expect(laptop.locator("#id_text")).to_contain_text("Serve, don't sell")
    laptop.get_by_role("button", name="Save").click()
    expect(laptop.locator(".notice").first).to_contain_text("Code of conduct saved (version 1)")
    laptop.get_by_role("link", name="Harbor Founders Night").click()

    laptop.get_by_role("link", name="Attendees and check-in").click()
    laptop.get_by_role("link", name="Import a list (CSV or Excel)").click()
    laptop.set_input_files(
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    laptop.get_by_role("button", name="Check the file").click()
    expect(laptop.locator(".import-counts")).to_contain_text("12 new attendees")
    laptop.get_by_role("button", name="Import", exact=True).click()
    expect(laptop.locator(".notice").first).to_contain_text("Imported: 12 added, 0 updated")

    check_in_buttons = laptop.locator("button[name=action][value=check_in]:enabled")
    for done in range(1, 10):
        check_in_buttons.first.click()
        expect(laptop.locator("button[value=undo]:enabled")).to_have_count(done)

    laptop.goto(f"{base}/events/{event.pk}/control/")
    press_control(laptop, event, "open")
    expect(laptop.locator(f"#event-{event.pk}-control")).to_contain_text("Event: Check-in")
    press_control(laptop, event, "plan")
    expect(laptop.locator(f"#event-{event.pk}-control")).to_contain_text(
        "Planned 9 people: 0 repeated"
    )
    people = list(Attendee.objects.filter(event=event, checked_in_at__isnull=False))
    phones = []
    for person in people[:2]:
        phone = chromium.new_context(**PHONE).new_page()
        phone.goto(f"{base}/a/{person.token}/")
        expect(phone.locator("h1")).to_have_text("Code of conduct")
        phone.get_by_role("button", name="I accept").click()
        expect(phone.locator(".room")).to_have_attribute("data-phase", "before")
        phones.append(phone)

    press_control(laptop, event, "start")
    for phone in phones:
        expect(phone.locator(".room")).to_have_attribute("data-phase", "running", timeout=10_000)

    press_control(laptop, event, "pause")
    for phone in phones:
        expect(phone.locator(".room")).to_have_attribute("data-phase", "paused")
    frozen = phones[0].locator("[data-live-clock]").inner_text()
    press_control(laptop, event, "resume")
    press_control(laptop, event, "extend")
    expect(phones[0].locator(".room")).to_have_attribute("data-phase", "running")
    expect(phones[0].locator("[data-live-clock]")).to_have_text(re.compile(r"^2:\d\d$"))
    assert frozen.startswith(("1:", "2:"))

    laptop.goto(f"{base}/events/{event.pk}/attendees/?status=invited")
    laptop.locator("button[name=action][value=check_in]:enabled").first.click()
    laptop.goto(f"{base}/events/{event.pk}/attendees/?status=present")
    gone = people[-1]
    laptop.locator(f"#attendee-{gone.pk}-row button[value=left]").click()
    expect(laptop.locator(f"#attendee-{gone.pk}-row")).to_contain_text("Left")

    laptop.goto(f"{base}/events/{event.pk}/control/")
    first_round = queries.stored_plan(event.pk)[0]
    press_control(laptop, event, "replan")
    expect(laptop.locator(f"#event-{event.pk}-control")).to_contain_text("Planned 9 people")
    assert queries.stored_plan(event.pk)[0] == first_round
    later = {p for table in queries.stored_plan(event.pk)[1] for p in table}
    assert gone.pk not in later
    assert len(later) == 9

    press_control(laptop, event, "end")
    expect(phones[0].locator(".room")).to_have_attribute("data-phase", "between")
    press_control(laptop, event, "start")
    expect(phones[0].locator(".room")).to_have_attribute("data-round", "2", timeout=10_000)

    press_control(laptop, event, "mingle")
    expect(phones[0].locator(".room")).to_have_attribute("data-phase", "mingle")
    press_control(laptop, event, "close")
    expect(phones[1].locator(".room")).to_have_attribute("data-phase", "closed")
    event.refresh_from_db()
    assert event.status == Event.Status.CLOSED
