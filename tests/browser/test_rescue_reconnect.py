"""A phone asleep during the rescue round (its socket closed, the push missed) shows its new
table for the last round once it reconnects."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback import services as feedback_services
from tests.browser.conftest import PHONE, rescue_evening
from tests.browser.test_projector import in_a_thread
from tests.browser.test_rescue_round import last_table


@pytest.mark.django_db(transaction=True)
def test_a_phone_that_missed_the_rescue_push_shows_its_new_table_after_reconnecting(
    live_server_url, chromium
):
    event, by_id, pitcher, helper = rescue_evening()
    before = {pk: last_table(pk) for pk in (pitcher, helper)}
    phones = {}
    for pk in (pitcher, helper):
        context = chromium.new_context(**PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{by_id[pk].token}/")
        status = page.locator("[data-now-text]")
        expect(status).to_have_attribute("data-table", str(before[pk]), timeout=15_000)
        expect(page.locator(".room")).to_have_attribute("data-connection", "open", timeout=15_000)
        context.set_offline(True)  # the phone sleeps: its socket drops
        phones[pk] = (context, page)
    for _context, page in phones.values():
        expect(page.locator(".room")).not_to_have_attribute(
            "data-connection", "open", timeout=60_000
        )

    in_a_thread(lambda: feedback_services.rescue_last_round(event, by=None))

    after = {pk: last_table(pk) for pk in (pitcher, helper)}
    assert after != before
    for pk, (context, page) in phones.items():
        context.set_offline(False)
        status = page.locator("[data-now-text]")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open", timeout=60_000)
        expect(status).to_have_attribute("data-table", str(after[pk]), timeout=15_000)
