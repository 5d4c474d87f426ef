"""The organizer's live control panel in Chromium: it refreshes itself when the event's state
changes (another tab, a co-organizer, a round ending by the clock), without losing what the
organizer is typing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rounds import services as round_services
from tests.browser.conftest import sign_in
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.fixture
def planned_event(transactional_db):
    event = EventFactory(organizer=UserFactory(username="org"), check_in=True, rounds_count=2)
    AttendeeFactory.create_batch(6, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)
    return event


def test_an_announcement_being_typed_survives_a_refresh_from_another_tab(
    planned_event, chromium, live_server_url
):
    event = planned_event
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    other_tab = laptop.context.new_page()
    other_tab.goto(f"{live_server_url}/events/{event.pk}/control/")
    box = laptop.locator(f"#event-{event.pk}-announcement")
    box.fill("Coffee in the lobby")
    laptop.locator(f"#event-{event.pk}-announcement-minutes").select_option("15")

    other_tab.locator("button[data-action=start]").click()

    expect(laptop.locator("button[data-action=pause]")).to_be_enabled(timeout=10_000)
    expect(box).to_have_value("Coffee in the lobby")
    expect(laptop.locator(f"#event-{event.pk}-announcement-minutes")).to_have_value("15")
    laptop.locator("button[data-action=announce]").click()
    expect(laptop.locator(".control-announcement")).to_contain_text("Coffee in the lobby")
    expect(box).to_have_value("")


def test_the_organizers_own_click_is_not_followed_by_a_second_swap(
    planned_event, chromium, live_server_url
):
    """The panel that answers a click is already drawn for the new state: the push that follows
    does not swap it again (a second swap could swallow the organizer's next click)."""
    event = planned_event
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    expect(laptop.locator("[data-live]")).to_have_attribute("data-connection", "open")
    refreshes = []
    laptop.on(
        "request",
        lambda r: r.url.endswith(f"/events/{event.pk}/control/") and refreshes.append(r.url),
    )

    laptop.locator("button[data-action=start]").click()
    expect(laptop.locator("button[data-action=pause]")).to_be_enabled()
    expect(laptop.locator("[data-live]")).to_have_attribute("data-round", "1")
    laptop.wait_for_timeout(1_000)

    assert refreshes == []


@pytest.fixture
def running_round(planned_event):
    """Round 1 started before the browser (its pushes need no running loop)."""
    round_services.start_round(planned_event.rounds.get(number=1), by=None)
    return planned_event


def test_a_round_that_runs_out_of_time_updates_the_panel_and_the_projector(
    running_round, chromium, live_server_url
):
    """Nobody presses End: when the time is up the panel offers the next round and the
    projector lists the next round's tables, like the phones.

    The round is paused and resumed with 3 s left, so the seconds it has left start counting
    only once both pages are shown, however slow the machine is to open them."""
    event = running_round
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    screen = laptop.context.new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(laptop.locator("button[data-action=end]")).to_be_enabled()
    expect(screen.locator("[data-find-table]")).to_have_attribute("data-round", "1")
    laptop.locator("button[data-action=pause]").click()
    expect(laptop.locator("button[data-action=resume]")).to_be_enabled(timeout=10_000)
    event.rounds.filter(number=1).update(paused_remaining=timedelta(seconds=3))
    laptop.locator("button[data-action=resume]").click()

    expect(laptop.locator("button[data-action=start]")).to_be_enabled(timeout=15_000)
    expect(laptop.locator("button[data-action=end]")).to_be_disabled()
    expect(screen.locator(".screen")).to_have_attribute("data-screen", "between")
    expect(screen.locator("[data-find-table]")).to_have_attribute("data-round", "2")
    expect(screen.locator("[data-find-table] > h2")).to_contain_text("round 2")


def test_skip_turn_is_offered_once_the_count_in_is_over_without_another_click(
    planned_event, chromium, live_server_url
):
    """The panel that answers "Start round 1" is drawn during the count-in, when no turn can be
    skipped yet; when the first pitch begins the panel offers "Skip turn" by itself (the
    organizer whose first pitcher is missing must not have to reload), and the N key works."""
    event = planned_event
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    expect(laptop.locator("[data-live]")).to_have_attribute("data-connection", "open")

    laptop.locator("button[data-action=start]").click()
    expect(laptop.locator("button[data-action=pause]")).to_be_enabled()

    expect(laptop.locator("button[data-action=skip]")).to_be_enabled(timeout=10_000)
    turns_at = event.rounds.get(number=1).turns_started_at
    laptop.keyboard.press("n")
    expect(laptop.locator(f"#event-{event.pk}-control .notice-error")).to_have_count(0)
    for _ in range(50):
        if event.rounds.get(number=1).turns_started_at != turns_at:
            break
        laptop.wait_for_timeout(100)
    assert event.rounds.get(number=1).turns_started_at != turns_at


def test_the_announcement_field_is_styled_and_takes_the_panels_width(
    planned_event, chromium, live_server_url
):
    event = planned_event
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")

    box = laptop.locator(f"#event-{event.pk}-announcement").bounding_box()
    panel = laptop.locator(f"#event-{event.pk}-control").bounding_box()
    minutes = laptop.locator(f"#event-{event.pk}-announcement-minutes").bounding_box()

    assert box["width"] >= panel["width"] * 0.95
    assert box["height"] >= 44
    assert minutes["height"] >= 44


@pytest.fixture
def round_1_over(planned_event):
    round_1 = planned_event.rounds.get(number=1)
    round_services.start_round(round_1, by=planned_event.organizer)
    round_services.end_round(round_1, by=planned_event.organizer)
    return planned_event


def test_a_late_arrival_checked_in_between_rounds_makes_re_planning_the_highlighted_step(
    round_1_over, chromium, live_server_url
):
    event = round_1_over
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    expect(laptop.locator("button.button-primary")).to_have_attribute("data-action", "start")

    # at the door, no reload (the ORM outside Playwright's event loop)
    with ThreadPoolExecutor(1) as worker:
        worker.submit(AttendeeFactory, event=event, name="Zoe Late", checked_in=True).result()

    primary = laptop.locator(".control-buttons button.button-primary")
    expect(primary).to_have_attribute("data-action", "replan", timeout=15_000)
    expect(laptop.locator(".control-next")).to_contain_text("Re-plan the remaining rounds")
    expect(laptop.locator("button[data-action=start]")).to_be_enabled()
    expect(laptop.locator("button[data-action=start]")).to_have_class(re.compile("button-quiet"))
