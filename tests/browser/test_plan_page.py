"""The plan page at laptop width when the room forces repeats: what attendees feel is the
first thing the organizer reads, in a line of its own above the figures."""

from __future__ import annotations

from unittest import mock

import pytest
from playwright.sync_api import expect

from rounds import services
from tests.browser.conftest import sign_in
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.fixture
def event(transactional_db):
    """12 people at 3 tables of 4 for 6 rounds, planned before the browser starts (the plan's
    pushes need no running event loop)."""
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer, check_in=True, rounds_count=6, table_size=4, round_seconds=300
    )
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    with mock.patch("time.perf_counter", return_value=0.0):
        services.make_plan(event, by=organizer)
    return event


def test_plan_page_says_what_attendees_feel_at_laptop_width(
    event, live_server_url, chromium, tmp_path
):
    laptop = sign_in(chromium, live_server_url, width=1280, height=800)

    laptop.goto(f"{live_server_url}/events/{event.pk}/plan/")

    feel = laptop.locator(f"#event-{event.pk}-plan-feel")
    expect(feel).to_have_text(
        "Each person meets 11 different people; no two people sit together more than 3 times.",
        timeout=15_000,
    )
    figures = laptop.locator(".figures")
    expect(figures).to_contain_text("Most times two people sit together", timeout=15_000)
    expect(figures).not_to_contain_text("Pairs meeting twice or more", timeout=15_000)
    # the line sits above the figures and fits the width without a scroll bar
    assert feel.bounding_box()["y"] < figures.bounding_box()["y"]
    assert laptop.evaluate("document.documentElement.scrollWidth") <= 1280
    laptop.screenshot(path=tmp_path / "plan-forced.png", full_page=True)
