"""The phone page over plain HTTP on the venue LAN: no wake lock, no error, a hint instead.

Chromium treats http://127.0.0.1 as a secure context and any other plain-HTTP host as not
secure, so the same server is opened under a LAN-like name mapped to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM_ARGS, PHONE
from tests.conftest import CHROMIUM_PATH

LAN_NAME = "phones.venue.test"


@pytest.fixture
def lan_allowed(monkeypatch):
    """The live server answers to the LAN name (set before it starts)."""
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", f"{LAN_NAME},127.0.0.1,localhost")


@pytest.fixture
def lan_phone(_browser_available, monkeypatch) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {LAN_NAME} 127.0.0.1"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=args)
        page = browser.new_context(**PHONE).new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def is_error(message) -> bool:
    """A console error of the page's own (the browser's favicon request is not one)."""
    return message.type == "error" and not message.location["url"].endswith("/favicon.ico")


def open_hint(page: Page, origin: str) -> list[str]:
    """The hint fragment on ``origin``; returns the page's errors, collected from now on."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if is_error(m) else None)
    page.goto(origin + "/healthz")
    page.set_content(render_to_string("feedback/partials/screen_hint.html"))
    page.wait_for_function("() => document.querySelector('[data-screen-hint]') !== null")
    page.evaluate("() => import('/static/js/screen_hint.js')")
    return errors


def test_screen_hint_shows_over_plain_http_on_a_lan_address_without_errors(
    lan_allowed, live_server_url, lan_phone
):
    origin = live_server_url.replace("127.0.0.1", LAN_NAME)

    errors = open_hint(lan_phone, origin)

    assert lan_phone.evaluate("() => [window.isSecureContext, 'wakeLock' in navigator]") == [
        False,
        False,
    ]
    expect(lan_phone.locator("[data-screen-hint]")).to_be_visible()
    expect(lan_phone.locator("[data-screen-hint]")).to_contain_text("Keep your screen on")
    assert errors == []


def test_screen_hint_stays_hidden_where_the_wake_lock_exists(
    lan_allowed, live_server_url, lan_phone
):
    errors = open_hint(lan_phone, live_server_url)

    assert lan_phone.evaluate("() => typeof navigator.wakeLock.request") == "function"
    expect(lan_phone.locator("[data-screen-hint]")).to_be_hidden()
    assert errors == []


def test_screen_hint_shows_when_forced_after_a_refused_wake_lock(
    lan_allowed, live_server_url, lan_phone
):
    open_hint(lan_phone, live_server_url)

    shown = lan_phone.evaluate(
        "async () => (await import('/static/js/screen_hint.js')).showScreenHint(document, "
        "{force: true})"
    )

    assert shown is True
    expect(lan_phone.locator("[data-screen-hint]")).to_be_visible()
