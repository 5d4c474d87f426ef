"""The door in a real browser: a walk-in is added and checked in without leaving the page (a
refused email keeps everything typed), and the search finds a Chinese name typed in the other
script."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_door_adds_a_walk_in_and_checks_them_in_there(live_server_url, chromium):
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    AttendeeFactory(event=event, name="陳美玲", email="mei@example.com")
    door_url = f"{live_server_url}/events/{event.pk}/door/"
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(door_url)
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("0 checked in of 1")

    laptop.get_by_role("searchbox", name="Search").fill("陈美玲")
    expect(laptop.locator(f"#event-{event.pk}-attendees")).to_contain_text("陳美玲")

    laptop.locator("#walk-in-name").fill("Bo Lund")
    laptop.locator("#walk-in-email").fill("MEI@example.com")
    laptop.locator("#walk-in-company").fill("Lund AB")
    laptop.get_by_role("button", name="Add and check in").click()

    expect(laptop.get_by_role("alert").first).to_contain_text(
        "Someone with this email is already at this event."
    )
    expect(laptop.locator("#walk-in-name")).to_have_value("Bo Lund")
    expect(laptop.locator("#walk-in-company")).to_have_value("Lund AB")
    assert event.attendees.count() == 1

    laptop.locator("#walk-in-email").fill("bo@example.se")
    laptop.get_by_role("button", name="Add and check in").click()

    added = laptop.get_by_role("status").filter(has_text="Bo Lund added and checked in.")
    expect(added).to_be_visible()
    assert laptop.url == door_url
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("1 checked in of 2")
    expect(laptop.locator("#walk-in-name")).to_have_value("")
    bo = event.attendees.get(email="bo@example.se")
    assert (bo.name, bo.company) == ("Bo Lund", "Lund AB")
    assert bo.is_present


@pytest.mark.django_db(transaction=True)
def test_door_names_whom_a_walk_in_duplicates_and_checks_them_in_with_one_click(
    live_server_url, chromium
):
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    li = AttendeeFactory(event=event, name="Li Wei", email="li@example.com", company="Acme")
    door_url = f"{live_server_url}/events/{event.pk}/door/"
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(door_url)

    laptop.locator("#walk-in-name").fill("Wei Li")
    laptop.locator("#walk-in-email").fill("LI@example.com")
    laptop.locator("#walk-in-company").fill("Acme Ltd")
    laptop.get_by_role("button", name="Add and check in").click()

    match = laptop.locator(f"#attendee-{li.pk}-walk-in-match")
    expect(match).to_contain_text("Already on the list: Li Wei (Acme), not checked in yet.")
    expect(laptop.locator("#walk-in-name")).to_have_value("Wei Li")
    expect(laptop.locator("#walk-in-company")).to_have_value("Acme Ltd")
    refused_url = laptop.url

    match.get_by_role("button", name="Check in Li Wei").click()

    expect(match.get_by_role("status")).to_contain_text("Li Wei checked in.")
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("1 checked in of 1")
    assert laptop.url == refused_url  # no page load: what was typed stays
    expect(laptop.locator("#walk-in-name")).to_have_value("Wei Li")
    li.refresh_from_db()
    assert li.is_present
    assert event.attendees.count() == 1

    laptop.get_by_role("button", name="Add and check in").click()

    expect(match).to_contain_text("Already on the list: Li Wei (Acme), already checked in at")
    expect(match.get_by_role("button")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_door_search_finds_someone_checked_in_and_marks_them_as_left(live_server_url, chromium):
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    alice = AttendeeFactory(event=event, name="Alice Smith", email="alice@example.com")
    AttendeeFactory(event=event, name="Alan Waits", email="alan@example.com")
    alice.checked_in_at = event.starts_at
    alice.save(update_fields=["checked_in_at"])
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/door/")
    table = laptop.locator(f"#event-{event.pk}-attendees")
    expect(table).not_to_contain_text("Alice Smith")

    laptop.get_by_role("searchbox", name="Search").fill("Alice")
    row = laptop.locator(f"#attendee-{alice.pk}-row")
    expect(row).to_contain_text("Checked in")
    expect(table).not_to_contain_text("Alan Waits")
    assert laptop.locator(f"[id=event-{event.pk}-attendees]").count() == 1
    ids = laptop.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))

    laptop.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Left").click()
    expect(row.get_by_role("button", name="Left")).to_be_disabled()
    alice.refresh_from_db()
    assert alice.has_left
