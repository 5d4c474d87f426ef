"""A phone open before its owner is checked in follows the check-in at once: it stops saying
"Check in at the door" (what a fresh load says, the open page says), and so does a phone whose
socket was away at that moment, once it reconnects: from the ``presence`` frame every connect
gets after its ``state``, with no load of its itinerary (a reconnect storm at the door must not
cost a request per phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, open_room, sign_in
from tests.factories import AttendeeFactory, EventFactory, UserFactory


def itinerary_loads(page) -> list[str]:
    """The itinerary loads (``/a/<token>/itinerary/``) ``page`` makes from now on."""
    loads: list[str] = []
    page.on("request", lambda request: "/itinerary/" in request.url and loads.append(request.url))
    return loads


@pytest.mark.django_db(transaction=True)
def test_room_open_during_check_in_follows_the_organizers_tick(live_server_url, chromium):
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    english, chinese, asleep = AttendeeFactory.create_batch(3, event=event)
    phones = {}
    for person, locale in ((english, "en-US"), (chinese, "zh-CN"), (asleep, "en-US")):
        page = chromium.new_context(**PHONE, locale=locale).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{person.token}/")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        expect(page.locator(".room")).to_have_attribute("data-now", "welcome")
        phones[person.pk] = page

    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")

    def tick(person, presence: str) -> None:
        button = laptop.locator(f"#attendee-{person.pk}-row button[data-presence={presence}]")
        button.click()
        expect(button).to_be_disabled()

    phones[asleep.pk].context.set_offline(True)  # its socket goes: the push is missed
    expect(phones[asleep.pk].locator(".room")).to_have_attribute("data-connection", "reconnecting")
    for person in (english, chinese, asleep):
        tick(person, "check_in")

    loads = itinerary_loads(phones[asleep.pk])
    phones[asleep.pk].context.set_offline(False)  # back: it learns on reconnecting
    for page in phones.values():
        expect(page.locator(".room")).to_have_attribute("data-now", "waiting_plan")
    phones[asleep.pk].wait_for_timeout(1_000)  # the reconnect's frames have been acted on
    assert loads == []
    expect(phones[english.pk].locator("[data-now-text]")).to_have_text(
        "You're checked in. Your table appears here when the organizer makes the plan."
    )
    expect(phones[chinese.pk].locator("[data-now-text]")).not_to_contain_text("Check in")

    tick(english, "undo")
    expect(phones[english.pk].locator(".room")).to_have_attribute("data-now", "welcome")
    # a fresh load agrees with the open page
    phones[chinese.pk].reload()
    expect(phones[chinese.pk].locator(".room")).to_have_attribute("data-now", "waiting_plan")


@pytest.mark.django_db(transaction=True)
def test_room_fresh_load_before_check_in_does_not_load_its_itinerary_again(
    live_server_url, chromium
):
    """The page comes with the itinerary: only a phone coming back from away looks again (a
    room of people opening their link in the queue at the door must not cost two loads each)."""
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    person = AttendeeFactory(event=event)
    page = chromium.new_context(**PHONE).new_page()
    page.set_default_timeout(15_000)
    loads: list[str] = []
    page.on("request", lambda request: loads.append(request.url))

    page.goto(f"{live_server_url}/a/{person.token}/")
    expect(page.locator(".room")).to_have_attribute("data-connection", "open")
    expect(page.locator(".room")).to_have_attribute("data-now", "welcome")
    page.wait_for_timeout(2_000)  # the first state has come and been acted on

    assert [url for url in loads if "/itinerary/" in url] == []


@pytest.mark.django_db(transaction=True)
def test_room_away_while_its_check_in_is_undone_says_check_in_again_once_back(
    live_server_url, chromium
):
    """The other way round from a check-in missed while away: a tick undone (a mistake at the
    door) while the phone's socket was gone. Back, it says what a fresh load says."""
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    person = AttendeeFactory(event=event, checked_in=True)
    page, room = open_room(chromium, live_server_url, person)
    expect(room).to_have_attribute("data-now", "waiting_plan")
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")
    loads = itinerary_loads(page)

    at_the_door_while_away(page, room, laptop, person, "undo")

    expect(room).to_have_attribute("data-now", "welcome")
    page.wait_for_timeout(1_000)  # the reconnect's frames have been acted on
    assert loads == []


def at_the_door_while_away(page, room, laptop, person, presence: str) -> None:
    """The phone's socket goes away, the door's ``presence`` button (check_in, undo, left) is
    clicked on the laptop's attendees page, and the phone comes back, its socket open."""
    page.context.set_offline(True)
    expect(room).to_have_attribute("data-connection", "reconnecting")
    button = laptop.locator(f"#attendee-{person.pk}-row button[data-presence={presence}]")
    button.click()
    expect(button).to_be_disabled()
    page.context.set_offline(False)
    expect(room).to_have_attribute("data-connection", "open")


@pytest.mark.django_db(transaction=True)
def test_room_away_while_marked_gone_shows_no_table_once_back_and_its_table_when_back_again(
    live_server_url, chromium
):
    """After the plan, a person marked gone while their phone's socket was away: back, the
    phone says what a fresh load says (marked gone, no table: check in again at the door), not
    the table it showed; brought back at the door while away again, it shows the table again."""
    from rounds.models import Seat
    from tests.factories import RoundFactory, SeatFactory, TableFactory

    event = EventFactory(organizer=UserFactory(username="org"), check_in=True)
    table = TableFactory(round=RoundFactory(event=event, number=1), number=4)
    person = SeatFactory(table=table, speaking_order=0, attendee__name="Ana Costa").attendee
    SeatFactory(table=table, speaking_order=1, attendee__name="Bo Lind")
    page, room = open_room(chromium, live_server_url, person)
    expect(room).to_have_attribute("data-now", "first_table")
    laptop = sign_in(chromium, live_server_url)
    laptop.on("dialog", lambda dialog: dialog.accept())  # "Mark Ana Costa as gone home?"
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")

    at_the_door_while_away(page, room, laptop, person, "left")
    expect(room).to_have_attribute("data-now", "left")
    expect(page.locator("[data-now-text]")).to_have_text(
        "Thank you for coming! You are marked as gone, so you have no table. Still here? "
        "Check in again at the door."
    )
    expect(page.locator(".stop:visible")).to_have_count(0)
    assert Seat.objects.filter(attendee=person).count() == 1  # no re-plan: the seat is still there

    at_the_door_while_away(page, room, laptop, person, "check_in")
    expect(room).to_have_attribute("data-now", "first_table")
    expect(page.locator("[data-now-text]")).to_have_text("Your first table: 4")
    expect(page.locator(".stop:visible")).to_have_count(1)
    page.reload()  # a fresh load agrees
    expect(room).to_have_attribute("data-now", "first_table")
