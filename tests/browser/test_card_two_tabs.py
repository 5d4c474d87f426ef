"""One attendee link open in two tabs of one phone: a tap's effect is what that tab showed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from tests.browser.conftest import PHONE
from tests.browser.test_card_double_tap import listener_and_pitcher

# A tab that hears nothing of the other tab's taps, as a tab the phone froze in the background
# may (the storage event is all that tells it): it shows what it showed before.
DEAF_TO_OTHER_TABS = """
window.addEventListener('storage', (event) => event.stopImmediatePropagation(), true);
"""


def wait_for(page, check) -> None:
    for _ in range(50):
        if check():
            return
        page.wait_for_timeout(100)
    assert check()


@pytest.mark.django_db(transaction=True)
def test_second_tab_that_missed_the_give_takes_back_the_card_it_shows(live_server_url, chromium):
    """Tab A gives "See me"; tab B, which did not hear of it, shows it not given and gives it
    too (the server answers with the card A gave). Tapping it again in B takes it back: the card
    B shows as given is the one there, not a card of B's own client id that was never stored."""
    listener, pitcher = listener_and_pitcher()
    context = chromium.new_context(**PHONE)
    tabs = []
    for deaf in (False, True):
        page = context.new_page()
        page.set_default_timeout(15_000)
        if deaf:
            page.add_init_script(DEAF_TO_OTHER_TABS)
        page.goto(f"{live_server_url}/a/{listener.token}/")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        tabs.append(page)
    first, second = tabs
    name = f"See me — {pitcher.name}"
    in_first = first.get_by_role("button", name=name)
    in_second = second.get_by_role("button", name=name)

    in_first.click()
    expect(in_first).to_have_attribute("aria-pressed", "true")
    expect(in_first).not_to_have_attribute("data-pending", "true")
    expect(in_second).to_have_attribute("aria-pressed", "false")  # it missed the word

    in_second.click()  # give, as B shows
    expect(in_second).to_have_attribute("aria-pressed", "true")
    expect(in_second).not_to_have_attribute("data-pending", "true")
    assert Card.objects.filter(giver=listener, receiver=pitcher).count() == 1

    second.wait_for_timeout(600)  # not a double tap
    in_second.click()  # take back, as B shows
    expect(in_second).to_have_attribute("aria-pressed", "false")
    expect(in_second).not_to_have_attribute("data-pending", "true")
    wait_for(second, lambda: not Card.objects.filter(giver=listener, receiver=pitcher).exists())
    expect(in_first).to_have_attribute("aria-pressed", "false")  # A heard of it
    context.close()
