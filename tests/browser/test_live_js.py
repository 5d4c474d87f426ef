"""The phone's live module, static/js/live.js, in Debian's Chromium.

Three layers: its pure functions (on a stand-in origin that serves the file from the work tree,
no server needed); its socket behaviour against a scripted server (``page.route_web_socket``); and
the real daphne on the test database (snapshot on connect, clock sync, reconnect, junk).
"""

from __future__ import annotations

import html
import itertools
import json
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F
from playwright.sync_api import ConsoleMessage, Page, WebSocketRoute, expect

from events.models import Event
from rounds.models import Round
from tests.factories import RoundFactory, SeatFactory, TableFactory

JS = Path(__file__).resolve().parents[2] / "static" / "js"
ORIGIN = "http://speednet.test"
SKEW_MS = -600_000

# Records vibrations, beeps and wake locks; lets a test hide and show the page.
RECORDERS = """
window.__calls = {vibrate: [], beeps: 0, wakeLock: []};
Object.defineProperty(Navigator.prototype, 'vibrate', {
  configurable: true, value(pattern) { __calls.vibrate.push(pattern); return true; }});
Object.defineProperty(Navigator.prototype, 'wakeLock', {configurable: true, get: () => ({
  async request(type) {
    __calls.wakeLock.push('request:' + type);
    const sentinel = new EventTarget();
    sentinel.release = async () => {
      __calls.wakeLock.push('release'); sentinel.dispatchEvent(new Event('release'));
    };
    return sentinel;
  }})});
{
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    __calls.beeps += 1; return createOscillator.call(this);
  };
  let visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => visibility});
  window.__setVisibility = (value) => {
    visibility = value; document.dispatchEvent(new Event('visibilitychange'));
  };
}
"""

ROOM = """
<section data-live data-live-url="/ws/a/{token}/" data-text-now-pitching="Am Wort: {{name}}">
  <p data-live-clock></p>
  <p>Round <span data-live-round></span> of <span data-live-rounds-count></span></p>
  <p data-live-starts-in hidden></p>
  <p data-live-announcement hidden></p>
  <p data-live-announcer aria-live="polite"></p>
  <ol data-round-number="1">
    <li data-seat-order="0"><span data-name>Li Wei</span></li>
    <li data-seat-order="1" data-is-me="true"><span data-name>Me</span></li>
    <li data-seat-order="2"><span data-name>Ada Obi</span></li>
  </ol>
  <ol data-round-number="2">
    <li data-seat-order="0" data-is-me="true"><span data-name>Me</span></li>
    <li data-seat-order="1"><span data-name>Sam</span></li>
  </ol>
</section>
"""

# Logs, on the page, every change of the root's phase and of the announcer and count-in texts.
WATCH = """() => {
  const root = document.querySelector('[data-live]');
  window.__log = {phase: [], said: [], startsIn: [], connection: [], events: []};
  new MutationObserver(() => {
    const phase = root.dataset.phase;
    if (phase !== __log.phase.at(-1)) __log.phase.push(phase);
    const n = root.dataset.startsIn;
    if (n && n !== __log.startsIn.at(-1)) __log.startsIn.push(n);
  }).observe(root, {attributes: true});
  const announcer = root.querySelector('[data-live-announcer]');
  new MutationObserver(() => __log.said.push(announcer.textContent))
    .observe(announcer, {childList: true, characterData: true, subtree: true});
  root.addEventListener('speednet:connection', (e) => __log.connection.push(e.detail.status));
  for (const name of ['state', 'card', 'plan']) {
    root.addEventListener(`speednet:${name}`, (e) => __log.events.push([name, e.detail]));
  }
}"""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def wait_for(page: Page, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let Playwright deliver events (route handlers run then) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(20)


def a_round(start: int, **fields: Any) -> dict[str, Any]:
    """A running 3-minute round 1 that starts at ``start``, in the protocol's shape."""
    return {
        "number": 1,
        "status": "running",
        "starts_at": start,
        "ends_at": start + 180_000,
        "turns_at": start,
        "paused_at": None,
        "paused_remaining_ms": None,
        "ended_at": None,
    } | fields


def a_state(version: int = 1, **fields: Any) -> dict[str, Any]:
    event = {
        "id": 1,
        "status": "live",
        "rounds_count": 6,
        "round_ms": 180_000,
        "pitch_ms": 30_000,
        "language": "en",
    } | fields.pop("event", {})
    return {
        "type": "state",
        "version": version,
        "server_time": now_ms(),
        "event": event,
        "round": None,
        "announcement": None,
    } | fields


class FakeServer:
    """Stands in for daphne behind page.route_web_socket: answers pings with the real time plus
    ``ahead_ms``, records the frames the phone sends, sends ``greeting`` on connect."""

    def __init__(self, page: Page, greeting: dict[str, Any] | None = None) -> None:
        self.sockets: list[WebSocketRoute] = []
        self.frames: list[dict[str, Any]] = []
        self.greeting = greeting
        self.ahead_ms = 0
        self.answers_pings = True
        self.on_connect: Callable[[WebSocketRoute], None] | None = None
        page.route_web_socket(f"{ORIGIN.replace('http', 'ws')}/ws/**", self.accept)

    def accept(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws)
        ws.on_message(lambda message: self.receive(ws, message))
        if self.greeting is not None:
            ws.send(json.dumps(self.greeting))
        if self.on_connect is not None:
            self.on_connect(ws)

    def receive(self, ws: WebSocketRoute, message: str | bytes) -> None:
        frame = json.loads(message)
        self.frames.append(frame)
        if frame["type"] == "ping" and self.answers_pings:
            pong = {"type": "pong", "id": frame["id"], "t": frame["t"]}
            ws.send(json.dumps(pong | {"server_time": now_ms() + self.ahead_ms}))

    def send(self, message: dict[str, Any] | str) -> None:
        self.sockets[-1].send(message if isinstance(message, str) else json.dumps(message))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame["type"] == kind]


def serve_from_tree(route: Any) -> None:
    name = route.request.url.rpartition("/static/js/")[2]
    if "/static/js/" in route.request.url and (JS / name).is_file():
        route.fulfill(body=(JS / name).read_text(), content_type="text/javascript")
    else:
        route.fulfill(body="<!doctype html><title>speednet</title><body></body>", status=200)


@pytest.fixture
def offline(phone: Page) -> Page:
    """The phone on a stand-in origin serving static/js from the tree, live.js imported as
    ``live``."""
    phone.add_init_script(RECORDERS)
    phone.route(f"{ORIGIN}/**", serve_from_tree)
    phone.goto(ORIGIN + "/")
    phone.evaluate("async () => { window.live = await import('/static/js/live.js'); }")
    return phone


def is_script_error(message: ConsoleMessage) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def errors(phone: Page) -> list[str]:
    """Uncaught errors and script console errors on the phone (not a missing favicon)."""
    seen: list[str] = []
    phone.on("pageerror", lambda error: seen.append(str(error)))
    phone.on("console", lambda msg: seen.append(msg.text) if is_script_error(msg) else None)
    return seen


def call(page: Page, name: str, *args: Any) -> Any:
    return page.evaluate("([name, args]) => live[name](...args)", [name, list(args)])


def open_room(page: Page, options: dict[str, Any] | None = None) -> None:
    """The room markup, watched (``__log``) and started by hand (with test timings) as
    ``window.room``."""
    page.evaluate("(html) => { document.body.innerHTML = html; }", ROOM.format(token="secret"))
    page.evaluate(WATCH)
    page.evaluate(
        "(o) => { window.room = live.start(document.querySelector('[data-live]'), o); }",
        options or {},
    )


def root(page: Page) -> Any:
    return page.locator("[data-live]")


# --- pure functions ---------------------------------------------------------------------------


def test_best_offset_keeps_the_sample_with_the_smallest_round_trip(offline):
    # The phone is 10 minutes behind; the slow samples are asymmetric and would skew the estimate.
    samples = [
        {"sent": 1_000, "received": 1_100, "server": 601_080},
        {"sent": 2_000, "received": 2_010, "server": 602_005},
        {"sent": 3_000, "received": 3_060, "server": 603_050},
    ]

    assert call(offline, "bestOffset", samples) == 600_000
    assert call(offline, "bestOffset", []) is None


def test_remaining_ms_shows_the_full_round_before_start_and_freezes_when_paused(offline):
    running = a_round(10_000)
    paused = a_round(10_000, status="paused", paused_at=70_000, paused_remaining_ms=120_000)
    resumed = a_round(10_000, ends_at=300_000, resumes_at=180_000)

    assert [call(offline, "remainingMs", running, t) for t in (7_000, 10_000, 100_500)] == [
        180_000,
        180_000,
        89_500,
    ]
    assert [call(offline, "remainingMs", running, t) for t in (190_000, 250_000)] == [0, 0]
    assert [call(offline, "remainingMs", paused, t) for t in (60_000, 80_000, 500_000)] == [
        130_000,
        120_000,
        120_000,
    ]
    assert [call(offline, "remainingMs", resumed, t) for t in (179_000, 190_000)] == [
        120_000,
        110_000,
    ]
    assert call(offline, "remainingMs", a_round(10_000, status="done"), 50_000) == 0
    assert call(offline, "remainingMs", None, 50_000) is None


def test_current_turn_counts_pitch_slots_from_turns_at_and_freezes_when_paused(offline):
    running = a_round(10_000)
    paused = a_round(10_000, status="paused", paused_at=70_000)

    turns = [call(offline, "currentTurn", running, 30_000, t) for t in (9_999, 10_000, 39_999)]
    assert turns == [None, 0, 0]
    turns = [call(offline, "currentTurn", running, 30_000, t) for t in (40_000, 189_999, 190_000)]
    assert turns == [1, 5, None]
    assert call(offline, "currentTurn", paused, 30_000, 100_000) == 2
    assert call(offline, "currentTurn", a_round(10_000, status="done"), 30_000, 50_000) is None
    assert call(offline, "currentTurn", running, 0, 50_000) is None


def test_phase_of_names_every_stage_of_an_event(offline):
    def phase(now: int, round_: dict[str, Any] | None = None, status: str = "live") -> str:
        return call(offline, "phaseOf", a_state(round=round_, event={"status": status}), now)

    pausing = a_round(10_000, status="paused", paused_at=70_000)
    assert call(offline, "phaseOf", None, 0) == "connecting"
    assert phase(0, None, "check_in") == "before"
    assert [phase(t, a_round(10_000)) for t in (9_999, 10_000, 190_000)] == [
        "starting",
        "running",
        "between",
    ]
    assert [phase(t, pausing) for t in (69_999, 70_000)] == ["running", "paused"]
    assert phase(50_000, a_round(10_000, resumes_at=60_000)) == "paused"
    assert phase(50_000, a_round(10_000, status="done")) == "between"
    assert phase(50_000, a_round(10_000, status="done"), "mingle") == "mingle"
    assert phase(50_000, a_round(10_000, status="done"), "closed") == "closed"


def test_format_clock_rounds_up_to_the_second(offline):
    values = [180_000, 179_999, 179_000, 61_000, 1, 0, -5, 600_000, None]

    clocks = [call(offline, "formatClock", ms) for ms in values]

    assert clocks == ["3:00", "3:00", "2:59", "1:01", "0:01", "0:00", "0:00", "10:00", ""]


def test_backoff_delay_doubles_up_to_the_cap_with_full_jitter(offline):
    ceilings = offline.evaluate("[...Array(9).keys()].map((n) => live.backoffDelay(n, () => 1))")
    floors = offline.evaluate("[...Array(9).keys()].map((n) => live.backoffDelay(n, () => 0))")
    draws = offline.evaluate("[...Array(200)].map(() => live.backoffDelay(10))")

    assert ceilings == [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
    assert floors == [0] * 9
    assert all(0 <= d < 30_000 for d in draws)
    assert max(draws) - min(draws) > 15_000


def test_ms_to_next_change_wakes_at_the_next_flip_of_the_displayed_second(offline):
    def delay(now: int, **fields: Any) -> int:
        return call(offline, "msToNextChange", a_state(round=a_round(10_000, **fields)), now)

    assert delay(100_250) == 750
    assert delay(100_250, ends_at=190_400) == 150
    assert delay(9_700) == 300
    assert delay(100_250, status="paused", paused_at=100_300) == 50
    assert delay(39_990, ends_at=190_500) == 10
    assert call(offline, "msToNextChange", a_state(), 123) == 1000


# --- against a scripted server ----------------------------------------------------------------


def test_live_renders_a_paused_round_with_its_turn_and_announcement(offline, errors):
    paused_at = now_ms() - 1_000
    round_ = a_round(
        paused_at - 45_000,
        status="paused",
        paused_at=paused_at,
        paused_remaining_ms=135_000,
    )
    announcement = {"text": "Coffee is in the lobby", "at": paused_at}
    FakeServer(offline, a_state(7, round=round_, announcement=announcement))

    open_room(offline)

    expect(root(offline)).to_have_attribute("data-phase", "paused")
    expect(offline.locator("[data-live-clock]")).to_have_text("2:15")
    assert offline.locator("[data-live-round]").text_content() == "1"
    assert offline.locator("[data-live-rounds-count]").text_content() == "6"
    assert root(offline).get_attribute("data-round") == "1"
    assert root(offline).get_attribute("data-turn") == "1"
    assert root(offline).get_attribute("data-my-turn") == "true"
    assert root(offline).get_attribute("data-connection") == "open"
    current = offline.locator("[aria-current=true]")
    assert current.count() == 1
    assert current.text_content() == "Me"
    assert offline.locator("[data-next=true]").text_content() == "Ada Obi"
    banner = offline.locator("[data-live-announcement]")
    assert (banner.text_content(), banner.is_visible()) == ("Coffee is in the lobby", True)
    assert errors == []


def test_live_flips_the_clock_on_the_server_second_never_before(offline):
    ends_at = now_ms() + 120_437  # the flips fall at .437 of every server second
    FakeServer(offline, a_state(1, round=a_round(ends_at - 180_000, ends_at=ends_at)))
    open_room(offline)
    expect(root(offline)).to_have_attribute("data-phase", "running")
    offline.wait_for_timeout(1_000)  # clock synced

    # At each flip: the text shown and the whole seconds left by the phone's server clock. How
    # late after the server second a flip lands (and how far apart phones flip) is measured by
    # bench/clock.py, not asserted here.
    flips = offline.evaluate(
        """(endsAt) => new Promise((resolve) => {
          const clock = document.querySelector('[data-live-clock]');
          const flips = [];
          const left = () => Math.ceil((endsAt - room.serverNow()) / 1000);
          new MutationObserver(() => flips.push([clock.textContent, left()]))
            .observe(clock, {childList: true});
          setTimeout(() => resolve(flips), 3_200);
        })""",
        ends_at,
    )

    assert len(flips) in (3, 4), flips  # a 3.2 s window holds 3 or 4 flips, by where it starts
    # each flip shows the second the server clock is in: not one early, none skipped
    shown = [text for text, _left in flips]
    lefts = [left for _text, left in flips]
    assert shown == [f"{left // 60}:{left % 60:02d}" for left in lefts]
    assert lefts == list(range(lefts[0], lefts[0] - len(lefts), -1))


def test_live_counts_in_and_announces_each_turn_without_buzzing_before_a_tap(offline, errors):
    start = now_ms() + 1_500
    round_ = a_round(start, ends_at=start + 2_400)
    FakeServer(offline, a_state(1, round=round_, event={"pitch_ms": 800}))

    open_room(offline)

    expect(root(offline)).to_have_attribute("data-phase", "between", timeout=6_000)
    log = offline.evaluate("__log")
    assert log["startsIn"] == ["2", "1"]
    assert log["phase"] == ["connecting", "starting", "running", "between"]
    assert log["said"] == [
        "Round 1 starts. Am Wort: Li Wei",
        "Your turn",
        "Am Wort: Ada Obi",
        "Round over",
    ]
    assert offline.locator("[data-live-clock]").text_content() == "0:00"
    assert root(offline).get_attribute("data-turn") is None
    assert offline.evaluate("[__calls.vibrate, __calls.beeps]") == [[], 0]
    assert errors == []


def test_live_announces_a_right_to_left_name_isolated_and_as_text(offline, errors):
    """An Arabic name followed by digits or brackets would, as plain text, carry the sentence
    around it into its own direction: the announcer holds the name in its own <bdi>, as text
    (what a name says is never markup)."""
    name = "مريم 2 (CEO) <b>x</b>"
    start = now_ms() + 300
    FakeServer(offline, a_state(1, round=a_round(start), event={"pitch_ms": 30_000}))
    room_html = ROOM.format(token="secret").replace("Li Wei", html.escape(name))

    offline.evaluate("(markup) => { document.body.innerHTML = markup; }", room_html)
    offline.evaluate("() => { window.room = live.start(document.querySelector('[data-live]')); }")

    announcer = offline.locator("[data-live-announcer]")
    expect(announcer).to_have_text(f"Round 1 starts. Am Wort: {name}")
    assert announcer.locator("bdi").all_text_contents() == [name]
    assert announcer.locator("b").count() == 0
    assert errors == []


SCREEN = """
<section data-live data-live-url="/ws/control/1/">
  <p data-live-clock></p>
  <p data-live-announcer aria-live="polite"></p>
</section>
"""


def open_screen(page: Page) -> None:
    """A page without seat lists (the control page, the projector), watched and started."""
    page.evaluate("(html) => { document.body.innerHTML = html; }", SCREEN)
    page.evaluate(WATCH)
    page.evaluate("() => { window.room = live.start(document.querySelector('[data-live]')); }")


def test_live_without_seats_says_open_conversation_after_the_largest_tables_pitches(
    offline, errors
):
    """Tables of 2 at most: turns 3 and 4 are open conversation on every phone, and the
    control page says so once, never "Turn 3"."""
    start = now_ms() + 1_500
    round_ = a_round(start, ends_at=start + 3_000, pitches=2)
    FakeServer(offline, a_state(1, round=round_, event={"pitch_ms": 600}))

    open_screen(offline)

    expect(root(offline)).to_have_attribute("data-phase", "between", timeout=8_000)
    assert offline.evaluate("__log.said") == [
        "Round 1 starts. Turn 1",
        "Turn 2",
        "Open conversation",
        "Round over",
    ]
    assert errors == []


def test_live_says_the_event_is_closed_when_it_closes(offline, errors):
    start = now_ms() - 1_000
    server = FakeServer(offline, a_state(1, round=a_round(start)))
    open_screen(offline)
    expect(root(offline)).to_have_attribute("data-phase", "running")

    ended = a_round(start, status="done", ended_at=now_ms())
    server.send(a_state(2, round=ended, event={"status": "closed"}))

    expect(root(offline)).to_have_attribute("data-phase", "closed")
    expect(offline.locator("[data-live-announcer]")).to_have_text("The event is closed.")
    assert "Round over" not in offline.evaluate("__log.said")
    assert errors == []


def test_live_buzzes_and_beeps_at_each_turn_and_at_the_end_after_a_tap(offline):
    server = FakeServer(offline, a_state(1, event={"pitch_ms": 800}))
    open_room(offline)
    expect(root(offline)).to_have_attribute("data-phase", "before")
    offline.locator("[data-live-clock]").tap()

    start = now_ms() + 300
    server.send({"type": "round", "version": 2, "round": a_round(start, ends_at=start + 2_400)})

    expect(root(offline)).to_have_attribute("data-phase", "between", timeout=5_000)
    assert offline.evaluate("__calls.vibrate") == [200, 200, 200, [300, 120, 300]]
    assert offline.evaluate("__calls.beeps") == 4


def test_live_holds_a_screen_wake_lock_only_while_a_round_runs(offline):
    server = FakeServer(offline, a_state(1))
    open_room(offline)
    expect(root(offline)).to_have_attribute("data-phase", "before")
    assert offline.evaluate("__calls.wakeLock") == []

    start = now_ms() - 1_000
    server.send({"type": "round", "version": 2, "round": a_round(start, ends_at=start + 1_800)})

    expect(root(offline)).to_have_attribute("data-phase", "running")
    wait_for(offline, lambda: offline.evaluate("__calls.wakeLock") == ["request:screen"])
    expect(root(offline)).to_have_attribute("data-phase", "between")
    wait_for(offline, lambda: len(offline.evaluate("__calls.wakeLock")) == 2)
    assert offline.evaluate("__calls.wakeLock") == ["request:screen", "release"]


def test_live_applies_only_newer_versions_and_asks_for_a_snapshot_on_a_gap(offline):
    paused = a_round(now_ms() - 60_000, status="paused", paused_at=now_ms() - 30_000)
    server = FakeServer(offline, a_state(5, round=paused))
    open_room(offline)
    expect(root(offline)).to_have_attribute("data-phase", "paused")
    banner = offline.locator("[data-live-announcement]")

    server.send({"type": "round", "version": 5, "round": a_round(now_ms(), number=2)})
    server.send({"type": "announce", "version": 6, "announcement": {"text": "A", "at": 1}})
    expect(banner).to_have_text("A")
    assert root(offline).get_attribute("data-round") == "1"
    assert server.of_type("snapshot") == []

    server.send({"type": "announce", "version": 8, "announcement": {"text": "B", "at": 2}})
    expect(banner).to_have_text("B")
    wait_for(offline, lambda: len(server.of_type("snapshot")) == 1)

    server.send(a_state(3, round=paused))
    expect(banner).to_be_hidden()
    assert offline.evaluate("room.state().version") == 3


def test_live_ignores_junk_frames(offline, errors):
    server = FakeServer(offline, a_state(1, round=a_round(now_ms() - 10_000)))
    open_room(offline)
    expect(root(offline)).to_have_attribute("data-phase", "running")
    wait_for(offline, lambda: len(server.of_type("ping")) == 5)
    junk = [
        "not json",
        "[1, 2]",
        "null",
        '"state"',
        '{"type": 5}',
        '{"type": "round", "version": "2", "round": null}',
        '{"type": "round", "version": 2, "round": {"number": "x"}}',
        '{"type": "round", "version": 2, "round": {"number": 1, "status": "running"}}',
        '{"type": "state", "version": 9}',
        '{"type": "pong", "id": 999, "server_time": 0}',
        '{"type": "pong", "id": 1, "server_time": "soon"}',
        '{"type": "drop_tables", "version": 2}',
    ]

    for frame in junk:
        server.send(frame)
    server.send({"type": "announce", "version": 2, "announcement": {"text": "Still here", "at": 1}})

    expect(offline.locator("[data-live-announcement]")).to_have_text("Still here")
    assert root(offline).get_attribute("data-phase") == "running"
    assert root(offline).get_attribute("data-round") == "1"
    # the junk pongs changed nothing: the clock is still the server's (one taken would be
    # decades off or not a number)
    assert abs(offline.evaluate("room.serverNow()") - now_ms()) < 1_000
    assert errors == []


def test_live_dispatches_state_card_and_plan_events(offline):
    server = FakeServer(offline, a_state(4))
    card = {"type": "card", "card": {"id": 991, "round": 2, "kind": "see_me", "is_given": True}}
    plan = {"type": "plan", "itinerary": [{"round": 1, "table": 4, "seat": 2}]}
    open_room(offline)
    wait_for(offline, lambda: len(offline.evaluate("__log.events")) == 1)

    server.send(card)
    server.send(plan)
    server.send({"type": "announce", "version": 5, "announcement": None})

    wait_for(offline, lambda: len(offline.evaluate("__log.events")) == 4)
    state = {"version": 4, "event": a_state()["event"], "round": None, "announcement": None}
    assert offline.evaluate("__log.events") == [
        ["state", state],
        ["card", card],
        ["plan", plan],
        ["state", state | {"version": 5}],
    ]


def test_live_syncs_its_clock_with_five_spaced_pings_at_connect(offline):
    server = FakeServer(offline, a_state(1))
    server.ahead_ms = 600_000

    open_room(offline)
    wait_for(offline, lambda: len(server.of_type("ping")) == 5)
    offline.wait_for_timeout(100)

    pings = server.of_type("ping")
    assert [p["id"] for p in pings] == [1, 2, 3, 4, 5]
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(pings)]
    assert all(149 <= gap < 1_000 for gap in gaps), gaps
    # the phone knows it is ten minutes behind (its accuracy is bench/clock.py's |error|)
    offset = offline.evaluate("room.serverNow() - Date.now()")
    assert abs(offset - 600_000) < 1_000


def test_live_measures_again_when_the_phone_clock_is_set(offline):
    server = FakeServer(offline, a_state(1))
    open_room(offline)
    wait_for(offline, lambda: len(server.of_type("ping")) == 5)

    offline.evaluate("() => { const now = Date.now; Date.now = () => now() + 120_000; }")

    wait_for(offline, lambda: len(server.of_type("ping")) == 10)
    offline.wait_for_timeout(100)
    # measured again: a phone that kept its old offset would be two minutes off
    assert abs(offline.evaluate("room.serverNow()") - now_ms()) < 1_000


def test_live_reconnects_after_a_normal_close(offline):
    server = FakeServer(offline, a_state(1))
    open_room(offline, {"backoffBase": 20})
    expect(root(offline)).to_have_attribute("data-connection", "open")

    server.sockets[0].close(code=1000)

    wait_for(offline, lambda: len(server.sockets) == 2)
    expect(root(offline)).to_have_attribute("data-connection", "open")
    assert offline.evaluate("__log.connection") == ["reconnecting", "open", "reconnecting", "open"]


def test_live_stays_closed_after_a_forbidden_close_4403(offline):
    server = FakeServer(offline)
    server.on_connect = lambda ws: ws.close(code=4403, reason="forbidden")

    open_room(offline, {"backoffBase": 1})

    expect(root(offline)).to_have_attribute("data-phase", "forbidden")
    assert root(offline).get_attribute("data-connection") == "closed"
    offline.wait_for_timeout(300)
    assert len(server.sockets) == 1


def test_live_stays_quiet_after_a_replaced_close_4409_until_shown_again(offline):
    server = FakeServer(offline, a_state(1))
    server.on_connect = lambda ws: ws.close(code=4409, reason="replaced")

    open_room(offline, {"backoffBase": 1})

    expect(root(offline)).to_have_attribute("data-connection", "replaced")
    offline.wait_for_timeout(300)
    assert len(server.sockets) == 1  # no reconnect loop with the newer screen
    server.on_connect = None
    offline.evaluate("__setVisibility('hidden'); __setVisibility('visible')")
    wait_for(offline, lambda: len(server.sockets) == 2)
    expect(root(offline)).to_have_attribute("data-connection", "open")


def test_live_reconnects_when_the_server_goes_silent(offline):
    server = FakeServer(offline, a_state(1))
    timings = {"heartbeat": 100, "silence": 400, "pingTimeout": 100, "backoffBase": 1}
    open_room(offline, timings)
    offline.wait_for_timeout(1_500)  # pings answered: quiet for longer than `silence` is fine
    assert len(server.sockets) == 1

    server.answers_pings = False

    wait_for(offline, lambda: len(server.sockets) == 2)


def test_live_reconnects_when_shown_again_after_a_while_hidden(offline):
    server = FakeServer(offline, a_state(1))
    open_room(offline, {"hiddenFor": 200})
    expect(root(offline)).to_have_attribute("data-connection", "open")

    offline.evaluate("__setVisibility('hidden'); __setVisibility('visible')")
    offline.wait_for_timeout(100)
    assert len(server.sockets) == 1

    offline.evaluate("__setVisibility('hidden')")
    offline.wait_for_timeout(250)
    offline.evaluate("__setVisibility('visible')")
    wait_for(offline, lambda: len(server.sockets) == 2)


# --- against the real server ------------------------------------------------------------------


def aware(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def seated_round(**fields: Any) -> tuple[Round, str]:
    """Round 1 of a live event with my table: Li Wei (0), me (1), Ada Obi (2). Returns my token."""
    round_ = RoundFactory(number=1, **fields)
    table = TableFactory(round=round_, number=1)
    me = None
    for order, name in enumerate(["Li Wei", "Me", "Ada Obi"]):
        seat = SeatFactory(table=table, speaking_order=order, attendee__name=name)
        me = seat.attendee if name == "Me" else me
    assert me is not None
    return round_, me.token


def open_real_room(page: Page, base_url: str, token: str) -> None:
    """The room markup on the live server's origin, with the module as served there."""
    page.goto(base_url + "/healthz")
    page.set_content(
        ROOM.format(token=token) + '<script type="module" src="/static/js/live.js"></script>'
    )


def controller(page: Page, expression: str) -> Any:
    """Evaluate ``expression`` with ``room``: the auto-started controller (start is idempotent)."""
    return page.evaluate(
        f"""async () => {{
          const live = await import('/static/js/live.js');
          const room = live.start(document.querySelector('[data-live]'));
          return {expression};
        }}"""
    )


def test_live_auto_starts_and_renders_the_snapshot_from_the_server(live_server_url, phone):
    paused_at = now_ms() - 1_000
    round_, token = seated_round(
        status=Round.Status.PAUSED,
        started_at=aware(paused_at - 45_000),
        turns_started_at=aware(paused_at - 45_000),
        ends_at=aware(paused_at + 135_000),
        paused_at=aware(paused_at),
        paused_remaining=timedelta(seconds=135),
    )

    open_real_room(phone, live_server_url, token)

    expect(root(phone)).to_have_attribute("data-phase", "paused")
    expect(phone.locator("[data-live-clock]")).to_have_text("2:15")
    assert root(phone).get_attribute("data-connection") == "open"
    assert root(phone).get_attribute("data-turn") == "1"
    assert root(phone).get_attribute("data-my-turn") == "true"
    assert phone.locator("[data-live-rounds-count]").text_content() == "6"
    assert controller(phone, "room.state().event.id") == round_.event_id


def test_live_shows_the_same_second_on_a_phone_whose_clock_is_ten_minutes_off(
    live_server_url, phone, chromium
):
    # Round times on whole server seconds, so the digit flips at .000 and .500 is mid-second.
    start = (now_ms() // 1000 - 20) * 1000
    _, token = seated_round(running=True, started_at=aware(start), ends_at=aware(start + 180_000))
    context = chromium.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
    skewed = context.new_page()
    skewed.add_init_script(f"{{ const now = Date.now; Date.now = () => now() + {SKEW_MS}; }}")
    for page in (phone, skewed):
        open_real_room(page, live_server_url, token)
        expect(root(page)).to_have_attribute("data-phase", "running")
    phone.wait_for_timeout(800)  # the five pings of the clock sync
    assert abs(skewed.evaluate("Date.now()") - now_ms() - SKEW_MS) < 1_000  # really skewed

    time.sleep((1.5 - time.time() % 1) % 1)
    texts = [page.locator("[data-live-clock]").text_content() for page in (phone, skewed)]
    left = math.ceil((start + 180_000 - now_ms()) / 1000)

    assert texts == [f"{left // 60}:{left % 60:02d}"] * 2
    before = now_ms()
    estimate = controller(skewed, "room.serverNow()")
    after = now_ms()
    # the skewed phone counts in server time, not in its own (ten minutes off); how close is
    # bench/clock.py's |error|
    assert before - 1_000 <= estimate <= after + 1_000
    context.close()


def test_live_reconnects_after_the_server_closes_the_socket(live_server_url, phone):
    round_, token = seated_round(running=True)
    open_real_room(phone, live_server_url, token)
    expect(root(phone)).to_have_attribute("data-connection", "open")
    phone.evaluate(WATCH)  # after the auto-start: the log starts at "open"
    Event.objects.filter(pk=round_.event_id).update(
        announcement="Fresh from the database", state_version=F("state_version") + 1
    )

    # 61 frames in 10 s: the server closes the socket (4429); the phone comes back.
    controller(phone, "[...Array(61)].forEach(() => room.send({type: 'chatter'}))")

    expect(phone.locator("[data-live-announcement]")).to_have_text("Fresh from the database")
    expect(root(phone)).to_have_attribute("data-connection", "open")
    assert phone.evaluate("__log.connection") == ["reconnecting", "open"]


def test_live_heals_from_junk_with_a_snapshot_from_the_server(live_server_url, phone, errors):
    round_, token = seated_round(running=True)
    routes: list[WebSocketRoute] = []
    sent: list[Any] = []

    def proxy(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda message: (sent.append(json.loads(message)), server.send(message)))
        routes.append(ws)

    phone.route_web_socket("**/ws/**", proxy)
    open_real_room(phone, live_server_url, token)
    expect(root(phone)).to_have_attribute("data-round", "1")
    version = Event.objects.get(pk=round_.event_id).state_version

    for frame in ["junk", "{}", '{"type": "state"}', '{"type": "round", "version": null}']:
        routes[0].send(frame)
    bogus = a_round(now_ms(), number=9)
    routes[0].send(json.dumps({"type": "round", "version": version + 5, "round": bogus}))

    wait_for(phone, lambda: {"type": "snapshot"} in sent)
    expect(root(phone)).to_have_attribute("data-round", "1")
    assert controller(phone, "room.state().version") == version
    assert errors == []
