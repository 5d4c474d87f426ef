"""A phone that loses its network says so at once, in words, and shows what it missed once the
network is back (a pause made meanwhile)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
