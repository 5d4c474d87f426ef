"""A habitual double tap on a card button gives the card once: it does not give and take back."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.broadcasts import card_json
from feedback.forms import plain_card_frame
from feedback.models import Card
from rounds import services
from rounds.models import Seat
from tests.browser.conftest import PHONE
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory
from tests.feedback.test_services import tap


def listener_and_pitcher():
    """Round 1 running, four people at one table: the second speaker and the first."""
    event = EventFactory(check_in=True, rounds_count=2, table_size=4, round_seconds=180)
    AttendeeFactory.create_batch(4, event=event, checked_in=True)

    def start() -> None:
        services.make_plan(event, by=None, time_limit=0.2)
        services.start_round(event.rounds.get(number=1), by=None)

    in_a_thread(start)
    seats = Seat.objects.filter(round__event=event, round__number=1).select_related("attendee")
    listener = next(seat.attendee for seat in seats if seat.speaking_order == 1)
    table = seats.get(attendee=listener).table_id
    pitcher = next(s.attendee for s in seats if s.speaking_order == 0 and s.table_id == table)
    return listener, pitcher


def open_phones(live_server_url, chromium, *people) -> dict:
    """Each person's room page on a phone of their own, its socket open: by person id."""
    phones = {}
    for person in people:
        page = chromium.new_context(**PHONE).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{person.token}/")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        phones[person.pk] = page
    return phones


@pytest.mark.django_db(transaction=True)
def test_room_double_tap_on_see_me_gives_one_card_and_a_later_tap_takes_it_back(
    live_server_url, chromium
):
    listener, pitcher = listener_and_pitcher()
    phone = chromium.new_context(**PHONE).new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server_url}/a/{listener.token}/")
    expect(phone.locator(".room")).to_have_attribute("data-connection", "open")
    button = phone.get_by_role("button", name=f"See me — {pitcher.name}")
    expect(button).to_be_visible()

    button.dblclick()

    expect(button).to_have_attribute("aria-pressed", "true")
    phone.wait_for_timeout(1_500)  # a second tap, had it counted, would have been sent by now
    expect(button).to_have_attribute("aria-pressed", "true")
    assert Card.objects.filter(giver=listener, receiver=pitcher).count() == 1

    button.click()  # a deliberate tap later takes it back
    expect(button).to_have_attribute("aria-pressed", "false")
    for _ in range(50):
        if not Card.objects.filter(giver=listener, receiver=pitcher).exists():
            break
        phone.wait_for_timeout(100)
    assert not Card.objects.filter(giver=listener, receiver=pitcher).exists()


@pytest.mark.django_db(transaction=True)
def test_room_card_taken_back_takes_its_toast_off_the_pitchers_phone(live_server_url, chromium):
    listener, pitcher = listener_and_pitcher()
    phones = open_phones(live_server_url, chromium, listener, pitcher)
    button = phones[listener.pk].get_by_role("button", name=f"See me — {pitcher.name}")
    toast = phones[pitcher.pk].locator("[data-card-toast]")
    button.click()
    expect(toast).to_have_text(f"{listener.name}: See me")
    expect(phones[pitcher.pk].locator("[data-card-count]")).to_have_text("1")
    phones[listener.pk].wait_for_timeout(600)  # a second tap, not a double tap

    button.click()

    expect(phones[pitcher.pk].locator("[data-card-count]")).to_have_text("0")
    expect(toast).to_be_hidden(timeout=3_000)  # well before the toast's own 6 s


@pytest.mark.django_db(transaction=True)
def test_room_a_give_that_arrives_after_its_take_back_shows_no_toast(live_server_url, chromium):
    """The push of a give may reach the pitcher after the push of its take-back (the take-back
    sent over HTTP after the socket dropped, or through another server process): the phone
    shows no toast for a card that is gone, and counts what the server holds."""
    from feedback.broadcasts import card_json

    listener, pitcher = listener_and_pitcher()
    phones = open_phones(live_server_url, chromium, listener, pitcher)
    button = phones[listener.pk].get_by_role("button", name=f"See me — {pitcher.name}")
    toast = phones[pitcher.pk].locator("[data-card-toast]")
    count = phones[pitcher.pk].locator("[data-card-count]")
    button.click()
    expect(toast).to_have_text(f"{listener.name}: See me")
    late_give = card_json(Card.objects.get(giver=listener, receiver=pitcher), is_given=True)
    phones[listener.pk].wait_for_timeout(600)  # a second tap, not a double tap
    button.click()
    expect(count).to_have_text("0")
    expect(toast).to_be_hidden()

    phones[pitcher.pk].locator(".room").evaluate(
        "(room, message) => room.dispatchEvent("
        "new CustomEvent('speednet:card', { detail: message }))",
        late_give,
    )
    phones[pitcher.pk].wait_for_timeout(1_000)  # the feed fetched again; a toast would show

    expect(toast).to_be_hidden()
    expect(count).to_have_text("0")


@pytest.mark.django_db(transaction=True)
def test_room_card_frames_take_the_servers_short_way(live_server_url, chromium):
    """The phone writes its card frames in the shape the server cleans without the form's fields
    (``plain_card_frame``: whole numbers, not the digits of a data attribute), both kinds."""
    listener, pitcher = listener_and_pitcher()
    phone = chromium.new_context(**PHONE).new_page()
    phone.set_default_timeout(15_000)
    sent: list[dict] = []

    def watch(ws) -> None:
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))

    phone.on("websocket", watch)
    phone.goto(f"{live_server_url}/a/{listener.token}/")
    expect(phone.locator(".room")).to_have_attribute("data-connection", "open")

    phone.get_by_role("button", name=f"See me — {pitcher.name}").click()
    introduce = phone.get_by_role("button", name=f"I can introduce you to someone — {pitcher.name}")
    introduce.click()
    stop = phone.locator(".stop:visible")  # round 2's stop may hold the same tablemate
    stop.get_by_label(f"Whom can you introduce {pitcher.name} to? (optional)").fill("Ms Wang")
    phone.get_by_role("button", name=f"Give the card — {pitcher.name}").click()
    for _ in range(50):
        if Card.objects.filter(giver=listener, receiver=pitcher).count() == 2:
            break
        phone.wait_for_timeout(100)

    frames = [frame for frame in sent if frame.get("type") == "card"]
    assert [frame["kind"] for frame in frames] == ["see_me", "introduce"]
    assert [plain_card_frame(frame) is not None for frame in frames] == [True, True]
    assert Card.objects.filter(giver=listener, receiver=pitcher).count() == 2


@pytest.mark.django_db(transaction=True)
def test_room_cards_arriving_together_all_reach_the_pitchers_count_and_feed(
    live_server_url, chromium
):
    """Two listeners tap at the same moment: both cards' pushes reach the pitcher before the
    first card's feed has loaded. The count and the feed end with both (the second load used
    to be queued on the feed the first one replaced, and the count read before either)."""
    _, pitcher = listener_and_pitcher()
    others = [
        seat.attendee
        for seat in Seat.objects.filter(round__number=1, table__seats__attendee=pitcher)
        .exclude(attendee=pitcher)
        .select_related("attendee")
    ]
    phones = open_phones(live_server_url, chromium, pitcher)
    taps = [(giver.pk, tap(pitcher)) for giver in others]

    page = phones[pitcher.pk]
    held: list = []  # the first feed load, answered by the server but not yet delivered

    def hold_first(route) -> None:
        if held:
            route.continue_()
            return
        held.append((route, route.fetch()))

    page.route(re.compile(r"/received/"), hold_first)
    room = page.locator(".room")
    for index, tap_ in enumerate(taps):  # each its own batch: a card, then its push
        in_a_thread(feedback_services.tap_cards, [tap_])
        card = Card.objects.select_related("giver", "round").get(client_id=tap_[1]["client_id"])
        room.evaluate(
            "(room, message) => room.dispatchEvent(new CustomEvent('speednet:card', "
            "{ detail: message }))",
            card_json(card, is_given=True),
        )
        if index == 0:
            page.wait_for_timeout(300)  # the first load is on its way
    route, answer = held[0]
    route.fulfill(response=answer)

    page = phones[pitcher.pk]
    expect(page.locator("[data-card-count]")).to_have_text(str(len(others)))
    for giver in others:
        expect(page.locator("[data-card-feed]")).to_contain_text(giver.name)
