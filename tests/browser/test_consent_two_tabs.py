"""The sharing question ("may my contact details be shared?") answered in one tab of an
attendee's link: every other open page of theirs drops it at once (the answer's push), and a
page that missed the push (its socket away) drops it when it reconnects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from events.models import Attendee
from tests.browser.conftest import PHONE
from tests.factories import AttendeeFactory, EventFactory


@pytest.mark.django_db(transaction=True)
def test_sharing_question_answered_in_one_tab_leaves_every_open_page(live_server_url, chromium):
    person = AttendeeFactory(event=EventFactory(check_in=True), checked_in=True)
    context = chromium.new_context(**PHONE)
    cut = {"on": False, "sockets": []}

    def through(ws) -> None:  # the third tab's sockets, which the test can keep away
        if cut["on"]:
            ws.close(code=4000, reason="out of the Wi-Fi")
            return
        ws.connect_to_server()
        cut["sockets"].append(ws)

    tabs = []
    for away in (False, False, True):
        page = context.new_page()
        page.set_default_timeout(15_000)
        if away:
            page.route_web_socket(re.compile(r"/ws/a/"), through)
        page.goto(f"{live_server_url}/a/{person.token}/")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        expect(page.locator(".consent-prompt")).to_be_visible()
        tabs.append(page)
    answering, open_tab, away_tab = tabs
    cut["on"] = True
    cut["sockets"][-1].close(code=4000, reason="out of the Wi-Fi")
    expect(away_tab.locator(".room")).to_have_attribute("data-connection", "reconnecting")

    answering.get_by_label("No, keep them to myself").check()
    answering.get_by_role("button", name="Save my choice").click()

    expect(answering.locator(".consent-prompt")).to_have_count(0)  # the room, loaded again
    assert Attendee.objects.get(pk=person.pk).is_consenting_to_share is False
    expect(open_tab.locator(".consent-prompt")).to_have_count(0)  # at once, with no reload
    expect(away_tab.locator(".consent-prompt")).to_be_visible()  # it heard nothing
    cut["on"] = False
    expect(away_tab.locator(".room")).to_have_attribute("data-connection", "open", timeout=40_000)
    expect(away_tab.locator(".consent-prompt")).to_have_count(0)
    context.close()
