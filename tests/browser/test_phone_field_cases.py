"""Field cases of the phone (shared field-cases: audio-interrupted-init, ws-refused-token-scenario),
on a real daphne in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rounds import services as round_services
from tests.browser.conftest import PHONE
from tests.browser.field_cases.audio_interrupted_init import FAKE_AUDIO
from tests.factories import AttendeeFactory, EventFactory


@pytest.fixture
def running_event(transactional_db):
    event = EventFactory(check_in=True, rounds_count=2, table_size=3, pitch_seconds=10)
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)
    return event, people


def test_sound_resumes_after_the_screen_locked_and_a_tap(running_event, chromium, live_server_url):
    """iOS leaves the audio context "interrupted" after a screen lock: the phone resumes it when
    shown again and on the next tap, and schedules no beep on a context that is not running."""
    _, people = running_event
    context = chromium.new_context(**PHONE)
    context.add_init_script(FAKE_AUDIO)
    page = context.new_page()
    page.goto(f"{live_server_url}/a/{people[0].token}/")
    expect(page.locator(".room")).to_have_attribute("data-connection", "open")
    page.locator("[data-now-text]").click()  # the first tap unlocks sound
    assert page.evaluate("window.__audio.created") == 1

    page.evaluate("window.__ctx.state = 'interrupted'")
    page.evaluate("window.__setVisibility('hidden')")
    page.evaluate("window.__setVisibility('visible')")
    resumed_on_show = page.evaluate("window.__audio.resumes")
    page.evaluate("window.__ctx.state = 'interrupted'")
    page.locator("[data-now-text]").click()
    resumed_on_tap = page.evaluate("window.__audio.resumes")

    assert resumed_on_show >= 1
    assert resumed_on_tap == resumed_on_show + 1
    assert page.evaluate("window.__ctx.state") == "running"


def test_a_phone_whose_attendee_was_deleted_says_so_and_stops_retrying(
    running_event, chromium, live_server_url
):
    """The organizer deletes a duplicate record while its page is open: at the next connect the
    server closes the socket with 4403, and the phone says the link no longer works."""
    _, people = running_event
    gone = people[0]
    page = chromium.new_context(**PHONE).new_page()
    sockets = []

    def through(ws) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/ws/a/"), through)
    page.goto(f"{live_server_url}/a/{gone.token}/")
    expect(page.locator(".room")).to_have_attribute("data-connection", "open")

    gone.delete()
    sockets[-1].close(code=4000, reason="Wi-Fi dropped")

    expect(page.locator("[data-gone]")).to_be_visible(timeout=15_000)
    expect(page.locator("[data-gone] h1")).to_have_text("This link no longer works")
    expect(page.locator(".room")).to_be_hidden()
    opened = len(sockets)
    page.wait_for_timeout(3_000)
    assert len(sockets) == opened  # no more attempts


@pytest.fixture
def started_round(transactional_db):
    """Round 1 running (10-second pitches) before the browser starts: pushes need no loop."""
    event = EventFactory(check_in=True, rounds_count=2, table_size=3, pitch_seconds=10)
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)
    round_services.start_round(event.rounds.get(number=1), by=None)
    return event, people


def test_no_beep_is_scheduled_while_the_audio_is_interrupted(
    started_round, chromium, live_server_url
):
    """At a pitch change with the audio still interrupted the phone asks it to resume and
    flashes, but schedules no beep that would be lost (or heard late, all at once)."""
    _, people = started_round
    context = chromium.new_context(**PHONE)
    context.add_init_script(FAKE_AUDIO)
    page = context.new_page()
    page.goto(f"{live_server_url}/a/{people[0].token}/")
    expect(page.locator(".room")).to_have_attribute(
        "data-now", re.compile("my_turn|listening"), timeout=10_000
    )
    page.locator("[data-now-text]").click()
    page.evaluate(
        "window.__ctx.resume = () => { window.__audio.resumes++; return Promise.resolve(); }"
    )
    page.evaluate("window.__ctx.state = 'interrupted'")
    turn = page.locator(".room").get_attribute("data-turn")

    expect(page.locator(".room")).not_to_have_attribute("data-turn", turn, timeout=15_000)
    page.wait_for_timeout(300)

    assert page.evaluate("window.__audio.oscsWhileNotRunning") == 0
    assert page.evaluate("window.__audio.resumes") >= 1


def test_room_tap_targets_names_and_heading(started_round, chromium, live_server_url):
    """Every control on the live room is at least 44×44 px, each card button names its person,
    and the page has a heading."""
    _, people = started_round
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/a/{people[0].token}/")
    expect(page.locator(".room")).to_have_attribute(
        "data-now", re.compile("my_turn|listening"), timeout=10_000
    )

    small = page.evaluate(
        """() => [...document.querySelectorAll('.room a, .room button')]
             .filter((el) => el.offsetParent !== null)
             .map((el) => [el.textContent.trim(), el.getBoundingClientRect()])
             .filter(([, r]) => r.width < 44 || r.height < 44)
             .map(([text, r]) => `${text}: ${Math.round(r.width)}×${Math.round(r.height)}`)"""
    )
    tablemate = people[1] if page.get_by_text(people[1].name).count() else people[2]

    assert small == []
    expect(page.locator("h1").first).to_have_text(people[0].event.title)
    expect(page.get_by_role("button", name=f"See me — {tablemate.name}")).to_have_count(1)
    expect(
        page.get_by_role("button", name=f"I can introduce you to someone — {tablemate.name}")
    ).to_have_count(1)
