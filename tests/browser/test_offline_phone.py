"""A phone that loses its network says so at once, in words, and shows what it missed once the
network is back (a pause made meanwhile)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from feedback import services as feedback_services
from rounds import services
from tests.browser.conftest import PHONE
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory


@pytest.mark.django_db(transaction=True)
def test_room_offline_says_it_is_reconnecting_and_catches_up_when_back(live_server_url, chromium):
    event = EventFactory(check_in=True, rounds_count=2, table_size=4, round_seconds=180)
    people = AttendeeFactory.create_batch(4, event=event, checked_in=True)

    def start() -> None:
        services.make_plan(event, by=None, time_limit=0.2)
        services.start_round(event.rounds.get(number=1), by=None)

    in_a_thread(start)
    context = chromium.new_context(**PHONE, locale="zh-CN")
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server_url}/a/{people[1].token}/")
    room = phone.locator(".room")
    label = phone.locator("[data-connection-label]")
    expect(room).to_have_attribute("data-connection", "open")
    expect(label).to_have_text("")

    context.set_offline(True)  # the venue Wi-Fi drops: no close frame ever arrives

    expect(room).to_have_attribute("data-connection", "reconnecting", timeout=5_000)
    expect(label).to_have_text("连接已断开：正在重新连接…")
    in_a_thread(lambda: services.pause_round(event.rounds.get(number=1), by=None))
    context.set_offline(False)
    expect(room).to_have_attribute("data-connection", "open")
    expect(label).to_have_text("")
    expect(room).to_have_attribute("data-now", "paused")


def round_1_running():
    """Round 1 running, four people at one table of four: the round and its seats in speaking
    order."""
    event = EventFactory(check_in=True, rounds_count=2, table_size=4, round_seconds=180)
    AttendeeFactory.create_batch(4, event=event, checked_in=True)

    def start() -> None:
        services.make_plan(event, by=None, time_limit=0.2)
        services.start_round(event.rounds.get(number=1), by=None)

    in_a_thread(start)
    round_ = event.rounds.get(number=1)
    return round_, list(round_.tables.order_by("number").first().seats.order_by("speaking_order"))


@pytest.mark.django_db(transaction=True)
def test_room_offline_shows_the_cards_given_meanwhile_once_back(live_server_url, chromium):
    round_, seats = round_1_running()
    receiver, givers = seats[0].attendee, [seat.attendee for seat in seats[1:3]]
    context = chromium.new_context(**PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    loads: list[str] = []
    phone.on("request", lambda r: loads.append(r.url) if "/received/" in r.url else None)
    phone.goto(f"{live_server_url}/a/{receiver.token}/")
    room = phone.locator(".room")
    expect(room).to_have_attribute("data-connection", "open")
    expect(phone.locator("[data-card-count]")).to_have_text("0")
    assert loads == []  # the page came with its cards: the first connect loads none

    context.set_offline(True)
    expect(room).to_have_attribute("data-connection", "reconnecting", timeout=5_000)
    for giver in givers:  # two tablemates tap "See me" for him while he is away
        in_a_thread(
            feedback_services.give_card,
            giver,
            receiver=receiver,
            round_=round_,
            kind="see_me",
            client_id=uuid.uuid4(),
        )
    context.set_offline(False)

    expect(room).to_have_attribute("data-connection", "open")
    expect(phone.locator("[data-card-count]")).to_have_text("2")
    feed = phone.locator("[data-card-feed] li:not([data-empty])")
    expect(feed).to_have_count(2)
    for giver in givers:
        expect(phone.locator("[data-card-feed]")).to_contain_text(giver.name)
    assert len(loads) == 1  # one load for the reconnect


@pytest.mark.django_db(transaction=True)
def test_room_offline_before_its_first_state_still_shows_the_cards_given_meanwhile(
    live_server_url, chromium
):
    """A busy server: the socket opened, then dropped before its first state came. Once back,
    that counts as a reconnect: the cards given meanwhile are loaded."""
    round_, seats = round_1_running()
    receiver, giver = seats[0].attendee, seats[1].attendee
    context = chromium.new_context(**PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    sockets = []

    def first_socket_says_nothing(ws) -> None:
        """The first socket opens and hears nothing from the server (its state is late);
        later sockets pass through."""
        server = ws.connect_to_server()
        sockets.append(ws)
        if len(sockets) == 1:
            server.on_message(lambda message: None)

    phone.route_web_socket("**/ws/a/**", first_socket_says_nothing)
    phone.goto(f"{live_server_url}/a/{receiver.token}/")
    room = phone.locator(".room")
    expect(room).to_have_attribute("data-connection", "open")
    in_a_thread(
        feedback_services.give_card,
        giver,
        receiver=receiver,
        round_=round_,
        kind="see_me",
        client_id=uuid.uuid4(),
    )
    sockets[0].close()  # dropped before its first state

    expect(phone.locator("[data-card-count]")).to_have_text("1", timeout=15_000)
    expect(phone.locator("[data-card-feed]")).to_contain_text(giver.name)
