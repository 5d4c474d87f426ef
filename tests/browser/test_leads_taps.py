"""Safe taps on the leads page, on a phone in Chromium: a double tap on a step never lands on
what replaced it, and declining asks once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, offered_introduction
from tests.factories import EventFactory


@pytest.fixture
def introduction():
    return offered_introduction(EventFactory(closed=True))


def phone(chromium):
    page = chromium.new_context(**PHONE).new_page()
    page.set_default_timeout(15_000)
    return page


def double_tap(page, button, status, text: str) -> None:
    """Tap, and tap the very same spot again 100 ms after the answer swapped the card in, as a
    finger does that taps twice (the second tap is fired by the page itself, so a slow machine
    cannot space the two taps further apart than a finger would)."""
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(
        """([x, y]) => document.addEventListener('htmx:afterSwap', () => setTimeout(() => {
             window.__second = document.elementFromPoint(x, y)?.outerHTML ?? '';
             document.elementFromPoint(x, y)?.click();
           }, 100), {once: true})""",
        [x, y],
    )
    page.touchscreen.tap(x, y)
    expect(status).to_have_text(text)
    # Polled from outside the page: wait_for_function evaluates a string, which the CSP forbids.
    for _ in range(200):
        if page.evaluate("() => window.__second !== undefined"):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("the second tap never fired")
    page.wait_for_timeout(1500)  # long enough for a wrongly taken second tap to be saved


def test_leads_double_tap_on_accept_does_not_decline(chromium, live_server_url, introduction):
    pitcher = introduction.card.receiver
    page = phone(chromium)
    page.goto(f"{live_server_url}/a/{pitcher.token}/leads/")
    item = page.locator(f"#introduction-{introduction.pk}-item")
    status = page.locator(f"#introduction-{introduction.pk}-status")

    double_tap(page, item.get_by_role("button", name="Accept"), status, "Accepted")

    introduction.refresh_from_db()
    assert introduction.status == "accepted"
    expect(status).to_have_text("Accepted")


def test_leads_double_tap_on_made_does_not_say_met(chromium, live_server_url, introduction):
    introducer = introduction.card.giver
    page = phone(chromium)
    page.goto(f"{live_server_url}/a/{introducer.token}/leads/")
    item = page.locator(f"#introduction-{introduction.pk}-item")
    status = page.locator(f"#introduction-{introduction.pk}-status")

    double_tap(page, item.get_by_role("button", name="I made the introduction"), status, "Made")

    introduction.refresh_from_db()
    assert (introduction.status, introduction.met_said_by) == ("made", None)
    expect(item.get_by_role("button", name="We met")).to_be_enabled()


def test_leads_decline_asks_once(chromium, live_server_url, introduction):
    pitcher = introduction.card.receiver
    page = phone(chromium)
    page.goto(f"{live_server_url}/a/{pitcher.token}/leads/")
    item = page.locator(f"#introduction-{introduction.pk}-item")
    confirm = item.get_by_role("button", name="Yes, decline")

    expect(confirm).to_be_hidden()
    item.get_by_text("Not for me…").tap()
    confirm.tap()

    expect(page.locator(f"#introduction-{introduction.pk}-status")).to_have_text("Declined")
    introduction.refresh_from_db()
    assert introduction.status == "declined"
