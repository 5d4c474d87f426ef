"""A card taken back while the phone was offline, then the page reloaded as soon as the network is
back: the reloaded page ends showing what the server holds (the card not given), without a
second reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from tests.browser.conftest import PHONE
from tests.browser.test_card_double_tap import listener_and_pitcher


def outbox_size(page) -> int:
    return page.evaluate(
        "Object.keys(localStorage).filter((k) => /^speednet:outbox:[^:]+$/.test(k))"
        ".reduce((n, k) => n + JSON.parse(localStorage[k] || '[]').length, 0)"
    )


def wait_until_taken_back(page, listener, pitcher) -> None:
    for _ in range(80):
        if not Card.objects.filter(giver=listener, receiver=pitcher).exists():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the take-back never reached the server")


@pytest.mark.django_db(transaction=True)
def test_room_take_back_made_offline_then_reload_rendered_before_it_shows_the_card_not_given(
    live_server_url, chromium
):
    """The reload's page was rendered by the server a moment before the take-back sent on
    reconnecting was written (the two requests raced), and the take-back's answer emptied the
    outbox before the reloaded page ran: the page still ends showing the card not given."""
    listener, pitcher = listener_and_pitcher()
    context = chromium.new_context(**PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    url = f"{live_server_url}/a/{listener.token}/"
    phone.goto(url)
    room = phone.locator(".room")
    expect(room).to_have_attribute("data-connection", "open")
    button = phone.get_by_role("button", name=f"See me — {pitcher.name}")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).not_to_have_attribute("data-pending", "true")
    stale = context.request.get(url).text()  # the page as rendered before the take-back
    context.set_offline(True)
    expect(room).to_have_attribute("data-connection", "reconnecting", timeout=5_000)
    phone.wait_for_timeout(600)  # not a double tap
    button.click()  # the take-back waits in the outbox
    expect(button).to_have_attribute("aria-pressed", "false")
    context.set_offline(False)
    wait_until_taken_back(phone, listener, pitcher)
    for _ in range(50):
        if outbox_size(phone) == 0:
            break
        phone.wait_for_timeout(100)
    assert outbox_size(phone) == 0
    phone.route(
        url,
        lambda route: route.fulfill(body=stale, content_type="text/html; charset=utf-8"),
    )

    phone.reload()

    button = phone.get_by_role("button", name=f"See me — {pitcher.name}")
    expect(button).to_have_attribute("aria-pressed", "false", timeout=3_000)


@pytest.mark.django_db(transaction=True)
def test_room_take_back_made_offline_then_reload_at_once_shows_the_card_not_given(
    live_server_url, chromium
):
    listener, pitcher = listener_and_pitcher()
    context = chromium.new_context(**PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server_url}/a/{listener.token}/")
    room = phone.locator(".room")
    expect(room).to_have_attribute("data-connection", "open")
    button = phone.get_by_role("button", name=f"See me — {pitcher.name}")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).not_to_have_attribute("data-pending", "true")
    assert Card.objects.filter(giver=listener, receiver=pitcher).count() == 1
    context.set_offline(True)
    expect(room).to_have_attribute("data-connection", "reconnecting", timeout=5_000)
    phone.wait_for_timeout(600)  # not a double tap
    button.click()  # the take-back waits in the outbox
    expect(button).to_have_attribute("aria-pressed", "false")

    context.set_offline(False)
    phone.reload()

    button = phone.get_by_role("button", name=f"See me — {pitcher.name}")
    expect(phone.locator(".room")).to_have_attribute("data-connection", "open")
    wait_until_taken_back(phone, listener, pitcher)
    phone.wait_for_timeout(3_000)
    expect(button).to_have_attribute("aria-pressed", "false", timeout=1)
    assert outbox_size(phone) == 0
