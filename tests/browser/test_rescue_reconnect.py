"""A phone asleep during the rescue round (its socket closed, the push missed), or whose page was
closed and opened again, shows its new table for the last round once back, and says so as an
open phone does: "Your table for round 3 changed…". Phones whose coming stop stayed say nothing,
and a page never opened before here says nothing either."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback import services as feedback_services
from tests.browser.conftest import PHONE, open_room, rescue_evening
from tests.browser.test_projector import in_a_thread
from tests.browser.test_rescue_round import last_table, round_three_stop


def told(before, after, pk: int) -> str | None:
    """What the phone of ``pk`` should say of the change from ``before`` to ``after`` (each
    attendee's round-3 table and who sits there), as an open phone does; None: nothing."""
    (table, mates), (new_table, new_mates) = before[pk], after[pk]
    if new_table != table:
        return f"Your table for round 3 changed: now table {new_table}."
    if new_mates != mates:
        return f"Your tablemates for round 3 changed (table {new_table})."
    return None


def phones_to_watch(by_id, pitcher: int, helper: int, before) -> list[int]:
    """The pitcher, the helper (one of them changes table, the other tablemates) and two people
    at neither's table, whose stops the rescue keeps as a rule."""
    busy = {before[pitcher][0], before[helper][0]}
    return [pitcher, helper, *[pk for pk in by_id if before[pk][0] not in busy][:2]]


def expect_notice(page, text: str | None) -> None:
    notice = page.locator("[data-plan-notice]")
    if text is None:
        expect(notice).to_be_hidden()
    else:
        expect(notice).to_be_visible()
        expect(notice).to_have_text(text)


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


@pytest.mark.django_db(transaction=True)
def test_a_phone_that_missed_the_rescue_push_is_told_its_coming_stop_changed_once_back(
    live_server_url, chromium
):
    """Bob read "Move to table 2", his phone slept through the rescue round: once it reconnects
    it says his table changed (and buzzes), not only "Stay at table 1"."""
    event, by_id, pitcher, helper = rescue_evening()
    before = {pk: round_three_stop(pk) for pk in by_id}
    phones = {}
    for pk in phones_to_watch(by_id, pitcher, helper, before):
        context = chromium.new_context(**PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{by_id[pk].token}/")
        expect(page.locator("[data-now-text]")).to_have_attribute("data-table", str(before[pk][0]))
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        context.set_offline(True)  # the phone sleeps: its socket drops
        phones[pk] = (context, page)
    for _context, page in phones.values():
        expect(page.locator(".room")).not_to_have_attribute(
            "data-connection", "open", timeout=60_000
        )

    in_a_thread(lambda: feedback_services.rescue_last_round(event, by=None))

    after = {pk: round_three_stop(pk) for pk in by_id}
    said = {pk: told(before, after, pk) for pk in phones}
    assert None not in (said[pitcher], said[helper])
    assert any(text and "Your table for round 3 changed" in text for text in said.values())
    assert None in said.values()
    for pk, (context, page) in phones.items():
        # every phone loads its itinerary once back (the plan changed meanwhile)
        with page.expect_response(
            lambda response: response.url.endswith("/itinerary/"), timeout=60_000
        ):
            context.set_offline(False)
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        expect(page.locator("[data-now-text]")).to_have_attribute("data-table", str(after[pk][0]))
        expect_notice(page, said[pk])
    for pk, (_context, page) in phones.items():  # and so it stays, the itineraries all in
        expect_notice(page, said[pk])


@pytest.mark.django_db(transaction=True)
def test_a_phone_whose_page_was_closed_during_the_rescue_is_told_when_opened_again(
    live_server_url, chromium
):
    """The browser dropped the page (or it was reloaded) while the rescue round re-seated the
    last round: opened again on the same phone, it says what changed since it last showed the
    stop. The link opened on a phone that never showed it says nothing."""
    event, by_id, pitcher, helper = rescue_evening()
    before = {pk: round_three_stop(pk) for pk in by_id}
    watched = phones_to_watch(by_id, pitcher, helper, before)
    contexts = {}
    for pk in watched:
        context = chromium.new_context(**PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{by_id[pk].token}/")
        expect(page.locator("[data-now-text]")).to_have_attribute("data-table", str(before[pk][0]))
        page.close()
        contexts[pk] = context

    in_a_thread(lambda: feedback_services.rescue_last_round(event, by=None))

    after = {pk: round_three_stop(pk) for pk in by_id}
    said = {pk: told(before, after, pk) for pk in watched}
    assert None not in (said[pitcher], said[helper])
    assert None in said.values()
    for pk, context in contexts.items():
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{by_id[pk].token}/")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open")
        expect(page.locator("[data-now-text]")).to_have_attribute("data-table", str(after[pk][0]))
        expect_notice(page, said[pk])
    moved = next(pk for pk in watched if after[pk][0] != before[pk][0])
    page, _room = open_room(chromium, live_server_url, by_id[moved])  # a phone new to the link
    expect(page.locator("[data-now-text]")).to_have_attribute("data-table", str(after[moved][0]))
    expect_notice(page, None)
