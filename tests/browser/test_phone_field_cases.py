"""Field cases of the phone (shared field-cases: audio-interrupted-init, ws-refused-token-scenario),
on a real daphne in Chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rounds import services as round_services
from rounds.models import Seat
from tests.browser.conftest import PHONE
from tests.browser.field_cases.audio_interrupted_init import FAKE_AUDIO
from tests.factories import AttendeeFactory, EventFactory, PitchFactory


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


def test_a_phone_open_while_its_data_is_deleted_says_so_at_once(
    running_event, chromium, live_server_url
):
    """Deleting one's data from another tab: the open room closes at once ("This link no
    longer works"), without waiting for a reconnect."""
    _, people = running_event
    context = chromium.new_context(**PHONE)
    room = context.new_page()
    room.goto(f"{live_server_url}/a/{people[0].token}/")
    expect(room.locator(".room")).to_have_attribute("data-connection", "open")

    settings_tab = context.new_page()
    settings_tab.goto(f"{live_server_url}/a/{people[0].token}/erase/")
    settings_tab.locator("#id_is_confirmed").check()
    settings_tab.get_by_role("button", name="Delete my data").click()

    expect(room.locator("[data-gone]")).to_be_visible(timeout=5_000)
    expect(room.locator(".room")).to_be_hidden()


@pytest.fixture
def wordy_event(transactional_db):
    """A 200-character title, an unbroken 280-character announcement and an unbroken ask."""
    event = EventFactory(
        check_in=True, rounds_count=2, table_size=3, title=("Founders " * 30)[:200].strip()
    )
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    PitchFactory(attendee=people[0], ask="x" * 200)
    round_services.make_plan(event, by=None, time_limit=0.2)
    round_services.announce(event, text="https://example.com/" + "a" * 250, by=None)
    return event, people


def test_long_words_and_titles_never_widen_the_phone_or_push_the_instruction_down(
    wordy_event, chromium, live_server_url
):
    _, people = wordy_event
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/a/{people[0].token}/")
    expect(page.locator(".room")).to_have_attribute("data-now", "first_table")

    width = page.evaluate("document.documentElement.scrollWidth")
    status = page.locator("[data-now-text]").bounding_box()

    assert width <= PHONE["viewport"]["width"]
    assert status["y"] + status["height"] < PHONE["viewport"]["height"] / 2


@pytest.fixture
def long_pitches(transactional_db):
    """Round 1 running with one-minute pitches: the first pitcher's turn outlasts the test."""
    event = EventFactory(
        check_in=True, rounds_count=2, table_size=3, pitch_seconds=60, round_seconds=300
    )
    AttendeeFactory.create_batch(3, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)
    round_services.start_round(event.rounds.get(number=1), by=None)
    seats = Seat.objects.filter(table__round__event=event, table__round__number=1)
    return [seat.attendee for seat in seats.select_related("attendee").order_by("speaking_order")]


@pytest.mark.parametrize("width", [320, 390])
def test_the_countdown_stays_on_one_line_on_a_narrow_phone(
    long_pitches, chromium, live_server_url, width
):
    """The pitcher's full-screen countdown and a listener's clock never wrap ("0:3" over "0"),
    up to a five-character "10:00", on a 320 or 390 px wide phone."""
    pitcher, listener, _ = long_pitches
    context = chromium.new_context(**{**PHONE, "viewport": {"width": width, "height": 700}})
    for attendee, now in ((pitcher, "my_turn"), (listener, "listening")):
        page = context.new_page()
        page.goto(f"{live_server_url}/a/{attendee.token}/")
        expect(page.locator(".room")).to_have_attribute("data-now", now, timeout=10_000)
        for text in ("0:30", "10:00"):
            lines, overflow = page.evaluate(
                """(text) => {
                    const clock = document.querySelector('.now-clock');
                    clock.textContent = text;
                    const size = parseFloat(getComputedStyle(clock).fontSize);
                    const box = clock.getBoundingClientRect();
                    return [box.height / size, box.right > document.documentElement.clientWidth];
                }""",
                text,
            )
            assert lines < 1.5, f"{now} {text} wraps at {width} px"
            assert not overflow, f"{now} {text} runs off a {width} px screen"
        page.close()


def test_a_listeners_cards_are_on_the_first_screen_while_a_round_is_on(
    long_pitches, chromium, live_server_url
):
    """The contact question waits while a round is on: the listener sees the pitcher's cards
    without scrolling, and the question again between rounds."""
    pitcher, listener, _ = long_pitches
    assert not listener.has_decided_consent  # the question is on the page
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/a/{listener.token}/")
    expect(page.locator(".room")).to_have_attribute("data-now", "listening", timeout=10_000)

    card = page.get_by_role("button", name=f"See me — {pitcher.name}")
    box = card.bounding_box()

    expect(page.locator(".consent-prompt")).to_be_hidden()
    assert box["y"] + 44 <= PHONE["viewport"]["height"]  # a tappable part is in view


# Pitchers' names that once filled a listener's first screen with "Table 1 · <name> is pitching".
LONG_NAMES = {
    "latin": (
        "Maximilian Alexander Christopher "
        "Montgomery-Wolfeschlegelsteinhausenbergerdorff the Third of Nowhere"
    ),
    "chinese": "阿卜杜拉·本·穆罕默德·本·阿卜杜勒-阿齐兹·阿勒沙特·哈希姆·古莱什·伊本·赛义德",
    "arabic": "عبد الرحمن بن محمد بن عبد الله بن عبد العزيز آل سعود الهاشمي القرشي",
    "unbroken": ("Wolfeschlegelsteinhausenbergerdorff" * 2)[:60],
}


@pytest.mark.parametrize("name", LONG_NAMES.values(), ids=LONG_NAMES.keys())
def test_a_long_pitchers_name_is_shortened_in_the_listeners_instruction(
    long_pitches, chromium, live_server_url, name
):
    """ "Table 1 · <name> is pitching" takes at most four lines on a 360×640 phone, the clock
    right below it: the name shortened with "…" (whole in its title and in the table list),
    nothing wider than the screen."""
    pitcher, listener, _ = long_pitches
    pitcher.name = name
    pitcher.save(update_fields=["name"])
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/a/{listener.token}/")
    expect(page.locator(".room")).to_have_attribute("data-now", "listening", timeout=10_000)

    lines = page.evaluate(
        """() => {
            const el = document.querySelector('[data-now-text]');
            return el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight);
        }"""
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    shown = page.locator("[data-now-text] bdi")

    assert lines <= 4.1
    assert width <= PHONE["viewport"]["width"]
    expect(shown).to_have_attribute("title", name)
    assert shown.text_content().endswith("…")
    assert name.startswith(shown.text_content()[:-1])
    expect(page.locator(f"#seat-{seat_of(pitcher)}-person [data-name]")).to_have_text(name)


def seat_of(attendee) -> int:
    """The attendee's seat in round 1."""
    return Seat.objects.get(attendee=attendee, table__round__number=1).pk


@pytest.mark.parametrize("name", ["Ana Lima", *LONG_NAMES.values()], ids=["short", *LONG_NAMES])
def test_a_listeners_cards_are_on_the_first_screen_whatever_the_pitchers_pitch_and_name(
    long_pitches, chromium, live_server_url, name
):
    """A pitcher with a full written pitch (the ask, and a need and an offer of several lines)
    and any name: the listener's "See me" card is on a 360×640 phone's first screen, the
    pitch to read below it; the name in full in the tablemate's entry."""
    pitcher, listener, _ = long_pitches
    pitcher.name = name
    pitcher.save(update_fields=["name"])
    PitchFactory(
        attendee=pitcher,
        need="I need introductions to regional logistics companies that run their own fleet "
        "of refrigerated trucks between the coast and the western provinces. " * 2,
        offer="I share a benchmark of carriers' prices and delays, updated every month. " * 3,
    )
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/a/{listener.token}/")
    expect(page.locator(".room")).to_have_attribute("data-now", "listening", timeout=10_000)

    card = page.get_by_role("button", name=f"See me — {name}")
    need = page.locator(f"#seat-{seat_of(pitcher)}-person .pitch-full")

    assert card.bounding_box()["y"] + 44 <= PHONE["viewport"]["height"]
    expect(need).to_be_visible()
    assert need.bounding_box()["y"] > card.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    expect(page.locator(f"#seat-{seat_of(pitcher)}-person [data-name]")).to_have_text(name)


@pytest.fixture
def second_pitching(long_pitches):
    """``long_pitches`` with written pitches, the first turn over: the second one speaks."""
    first, second, _third = long_pitches
    for attendee in (first, second):
        PitchFactory(attendee=attendee, need="A need of several lines. " * 12)
    event = first.event
    event.rounds.filter(number=1).update(
        turns_started_at=timezone.now() - event.pitch_length - timedelta(seconds=5)
    )
    return long_pitches


def test_the_current_pitchers_cards_lead_the_list_from_the_second_pitch_on(
    second_pitching, chromium, live_server_url
):
    """After the first pitch, the entry of the person speaking comes first in the listener's
    table list, so the first cards on the screen are theirs, not an earlier pitcher's."""
    _first, second, third = second_pitching
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/a/{third.token}/")
    expect(page.locator(".room")).to_have_attribute("data-now", "listening", timeout=10_000)

    cards = page.locator(".card-button[data-card-kind='see_me']:visible")
    now = page.get_by_role("button", name=f"See me — {second.name}")
    tops = {c.get_attribute("data-receiver"): c.bounding_box()["y"] for c in cards.all()}

    assert min(tops, key=tops.get) == str(second.pk)  # the highest on the screen
    assert now.bounding_box()["y"] + 44 <= PHONE["viewport"]["height"]
