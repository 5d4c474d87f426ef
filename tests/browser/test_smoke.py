from __future__ import annotations

from tests.factories import UserFactory


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
