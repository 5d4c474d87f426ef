from __future__ import annotations

from tests.factories import AttendeeFactory, EventFactory, UserFactory


def test_home_page_renders_on_a_phone_with_htmx_and_styles(live_server_url, phone):
    phone.goto(live_server_url + "/")

    assert phone.locator("h1").inner_text() == "speednet"
    assert phone.evaluate("typeof window.htmx") == "object"
    assert phone.locator(".button").evaluate("e => getComputedStyle(e).minHeight") == "48px"


def test_admin_sign_in_works_in_a_real_browser(live_server_url, phone):
    UserFactory(username="ada", is_staff=True, is_superuser=True)

    phone.goto(live_server_url + "/admin/")
    phone.fill("#id_username", "ada")
    phone.fill("#id_password", "correct horse battery staple")
    phone.click("input[type=submit]")

    assert phone.locator("#site-name").inner_text() == "Django administration"
    assert phone.url == live_server_url + "/admin/"


def test_pages_ask_for_nothing_that_is_missing(live_server_url, phone):
    """The home page, a phone's room page and the projector load without one failed request
    (the browser's own favicon request was a 404 on every page)."""
    event = EventFactory(live=True)
    attendee = AttendeeFactory(event=event)
    failed: list[str] = []
    phone.on(
        "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )

    for path in ("/", f"/a/{attendee.token}/", f"/p/{event.projector_key}/"):
        phone.goto(live_server_url + path)
        phone.wait_for_load_state("networkidle")

    assert failed == []
    assert phone.locator("link[rel=icon]").count() == 1
