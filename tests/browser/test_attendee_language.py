"""An attendee chooses her language on her phone's room page, in Chromium at a 360×640 phone:
from then on her pages speak it whatever the browser asks for, also in another browser that
has no cookie of hers (a mail app opening the follow-up link)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import AttendeeFactory, EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "button", "chosen"),
    [("zh-CN", "English", "en"), ("en-US", "简体中文", "zh-hans")],
)
def test_phone_keeps_the_language_its_attendee_chose_whatever_the_browser_asks(
    live_server_url, chromium, locale, button, chosen
):
    event = EventFactory(check_in=True)
    attendee = AttendeeFactory(event=event, checked_in=True)
    phone = chromium.new_context(**PHONE, locale=locale).new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server_url}/a/{attendee.token}/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans" if chosen == "en" else "en")

    phone.locator(".language-switch").get_by_role("button", name=button).click()

    expect(phone.locator("html")).to_have_attribute("lang", chosen)
    expect(phone.locator(".room")).to_have_attribute("data-connection", "open")
    # another browser, same Accept-Language, none of her cookies: still her choice
    elsewhere = chromium.new_context(**PHONE, locale=locale).new_page()
    elsewhere.set_default_timeout(15_000)
    for page in ("", "leads/", "pitch/", "apart/"):
        elsewhere.goto(f"{live_server_url}/a/{attendee.token}/{page}")
        expect(elsewhere.locator("html")).to_have_attribute("lang", chosen)
    elsewhere.goto(f"{live_server_url}/a/{attendee.token}/")
    expect(elsewhere.locator(".room")).to_have_attribute("data-connection", "open")
    assert f"lang={chosen}" in elsewhere.locator(".room").get_attribute("data-live-url")
