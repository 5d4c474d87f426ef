"""A phone giving cards to its tablemate in Chromium while its page reloads mid-tap, and with a
second tab of the same attendee open: what the buttons say is what the database holds."""

from __future__ import annotations

from playwright.sync_api import expect

from feedback.models import Card
from tests.browser.conftest import PHONE, press_control, sign_in
from tests.browser.test_attendee_path import event  # noqa: F401 (fixture)
from tests.factories import AttendeeFactory


def test_card_taps_reload_mid_tap_and_a_second_tab_agree_with_the_database(
    chromium,
    live_server_url,
    event,  # noqa: F811
):
    base = live_server_url
    ana = AttendeeFactory(event=event, name="Ana Costa", checked_in=True)
    organizer = sign_in(chromium, base)
    organizer.goto(f"{base}/events/{event.pk}/control/")
    press_control(organizer, event, "plan")
    press_control(organizer, event, "start")
    context = chromium.new_context(**PHONE)  # two tabs share the phone's outbox
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.set_default_timeout(15_000)
        page.goto(f"{base}/a/{ana.token}/")
        expect(page.locator(".room")).to_have_attribute("data-phase", "running", timeout=10_000)
    button = '.stop[data-round-number="1"] [data-card-kind="see_me"]'

    first.locator(button).click()
    first.reload()  # mid-tap: the outbox sends it again from the new page
    expect(first.locator(button)).to_have_attribute("aria-pressed", "true")
    expect(first.locator(button)).not_to_have_attribute("data-pending", "true")
    assert Card.objects.filter(giver=ana).count() == 1

    second.reload()
    expect(second.locator(button)).to_have_attribute("aria-pressed", "true")
    second.locator(button).click()  # take back
    second.locator(button).click()  # and give again at once
    second.locator(button).click()  # and take back again
    expect(second.locator(button)).not_to_have_attribute("data-pending", "true")
    first.wait_for_timeout(1500)
    pressed = second.locator(button).get_attribute("aria-pressed") == "true"
    assert Card.objects.filter(giver=ana).count() == int(pressed)
    first.reload()
    expect(first.locator(button)).to_have_attribute("aria-pressed", str(pressed).lower())
    context.close()


def test_a_card_given_in_one_tab_shows_in_the_other_tab_of_the_phone_at_once(
    chromium,
    live_server_url,
    event,  # noqa: F811
):
    """Two tabs of one link on one phone: a give or a take-back in one shows in the other with
    no reload, so neither offers to give a card already given (or to take back one gone)."""
    base = live_server_url
    ana = AttendeeFactory(event=event, name="Ana Costa", checked_in=True)
    organizer = sign_in(chromium, base)
    organizer.goto(f"{base}/events/{event.pk}/control/")
    press_control(organizer, event, "plan")
    press_control(organizer, event, "start")
    context = chromium.new_context(**PHONE)
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.set_default_timeout(15_000)
        page.goto(f"{base}/a/{ana.token}/")
        expect(page.locator(".room")).to_have_attribute("data-phase", "running", timeout=10_000)
        page.evaluate("window.__notReloaded = true")
    button = '.stop[data-round-number="1"] [data-card-kind="see_me"]'

    second.locator(button).click()
    expect(second.locator(button)).not_to_have_attribute("data-pending", "true")
    expect(first.locator(button)).to_have_attribute("aria-pressed", "true")
    assert Card.objects.filter(giver=ana).count() == 1

    first.locator(button).click()  # taken back from the first tab, which knows the card
    expect(first.locator(button)).not_to_have_attribute("data-pending", "true")
    expect(second.locator(button)).to_have_attribute("aria-pressed", "false")
    assert Card.objects.filter(giver=ana).count() == 0
    assert first.evaluate("window.__notReloaded")
    assert second.evaluate("window.__notReloaded")
    context.close()
