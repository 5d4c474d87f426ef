"""The projector in a real Chromium at the two common screen sizes."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import factory
import pytest
from playwright.sync_api import expect

from rounds import services as round_services
from tests.browser.conftest import press_control, sign_in
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.fixture
def event(transactional_db):
    """Planned before the browser starts: the plan's pushes need no running event loop."""
    event = EventFactory(check_in=True, join_code="CG26VP", rounds_count=3, table_size=5)
    AttendeeFactory.create_batch(60, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.5)
    return event


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_projector_is_readable_and_fits_the_screen(
    event, live_server_url, chromium, width, height, tmp_path
):
    page = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server_url}/p/{event.projector_key}/")

    expect(page.locator(".screen")).to_have_attribute("data-phase", "before")
    clock_px = page.locator(".screen-clock").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    code_px = page.locator(".screen-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth > innerWidth"
        " || document.documentElement.scrollHeight > innerHeight"
    )
    code_box = page.locator(".screen-code").bounding_box()
    visible = page.locator(".find-list li:not([hidden])").count()
    page.screenshot(path=str(tmp_path / f"projector-{width}.png"))

    assert clock_px >= height * 0.2
    assert code_px >= 48
    assert not overflow
    assert code_box["y"] + code_box["height"] <= height
    pages = -(-60 // visible)
    assert 1 < pages <= 6
    expect(page.locator("[data-find-page]")).to_have_text(f"1 / {pages}")


LONG_TITLE = (
    "Beijing International Founders, Investors and Corporate Innovation Speed Networking Evening "
    "at the Chaoyang Riverside Conference Centre — Autumn Edition 2026 · Supercalifragilisticexpi"
)
LONG_ANNOUNCEMENT = "Coffee, tea and dumplings are served in the lobby on the second floor. " * 4


def in_a_thread(action, *args, **kwargs) -> None:
    """A service call from the test while Playwright's loop runs in this thread: its pushes use
    async_to_sync, which needs a thread without a running loop."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action(*args, **kwargs)
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    if errors:
        raise errors[0]


@pytest.fixture
def crowded_event(transactional_db, monkeypatch):
    """300 checked-in people, a 200-character title, a plan; the public address set, so the
    loopback warning (tested elsewhere) stays out of the way."""
    monkeypatch.setenv("SPEEDNET_SITE_URL", "http://192.168.1.20:8000")
    event = EventFactory(
        check_in=True, title=LONG_TITLE[:200], join_code="BJ2026", rounds_count=3, table_size=6
    )
    AttendeeFactory.create_batch(
        300, event=event, checked_in=True, name=factory.Sequence(lambda n: f"Participant {n}")
    )
    round_services.make_plan(event, by=None, time_limit=0.5)
    return event


def parts_fit(page, width: int, height: int) -> list[str]:
    """The projector's visible parts that leave the screen or overlap another part."""
    return page.evaluate(
        """([w, h]) => {
             const sel = ['.screen-title', '.screen-stage', '.screen-clock', '.screen-turn',
                          '.screen-qr', '.screen-code', '.screen-people', '.screen-find h2',
                          '.find-list', '.screen-banner', '.address-warning', '.screen-conduct'];
             const boxes = [];
             for (const s of sel) {
               const el = document.querySelector(s);
               if (!el || el.offsetParent === null) continue;
               if (getComputedStyle(el).visibility === 'hidden') continue;
               const r = el.getBoundingClientRect();
               if (!r.width || !r.height) continue;
               boxes.push([s, r]);
             }
             const bad = [];
             for (const [s, r] of boxes) {
               const off = r.left < 0 || r.top < 0 || r.right > w + 1 || r.bottom > h + 1;
               if (off) bad.push(`${s} off screen`);
             }
             const apart = (p, q) => p.right - 1 <= q.left || q.right - 1 <= p.left
                                     || p.bottom - 1 <= q.top || q.bottom - 1 <= p.top;
             for (let i = 0; i < boxes.length; i++) {
               for (let j = i + 1; j < boxes.length; j++) {
                 const [a, ra] = boxes[i], [b, rb] = boxes[j];
                 if (!apart(ra, rb)) bad.push(`${a} overlaps ${b}`);
               }
             }
             const page = document.documentElement;
             if (page.scrollHeight > h || page.scrollWidth > w) bad.push('page scrolls');
             return bad;
           }""",
        [width, height],
    )


def code_lines(page) -> int:
    """Lines the join code takes (0 where it is hidden)."""
    return page.locator(".screen-code").evaluate(
        "e => e.offsetParent === null ? 0 : Math.round(e.getBoundingClientRect().height"
        " / (parseFloat(getComputedStyle(e).fontSize) * 1.2))"
    )


@pytest.fixture
def door_event(transactional_db):
    """Check-in as ``make run`` shows it: a word-like code, a code of conduct, no plan yet, and
    the loopback warning (no public address) taking its band."""
    return EventFactory(
        check_in=True,
        join_code="HARBOR",
        conduct_text="Serve, don't sell.\nKeep to business.\nRespect a no.\n"
        "Something wrong? Tap Report a problem on your phone; an organizer comes at once.",
    )


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720), (1024, 768)])
def test_projector_at_the_door_shows_the_code_on_one_line_and_the_conduct_readable(
    door_event, live_server_url, chromium, width, height
):
    page = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server_url}/p/{door_event.projector_key}/")
    expect(page.locator(".screen")).to_have_attribute("data-screen", "check_in")
    expect(page.locator(".screen-conduct")).to_be_visible()

    conduct_px = page.locator(".screen-conduct p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )

    assert code_lines(page) == 1
    assert conduct_px >= 18
    assert parts_fit(page, width, height) == []


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_projector_fits_every_stage_with_300_people_a_long_title_and_an_announcement(
    crowded_event, live_server_url, chromium, width, height
):
    event = crowded_event
    page = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)
    rounds = list(event.rounds.order_by("number"))
    stages = [
        ("check_in", lambda: round_services.announce(event, text=LONG_ANNOUNCEMENT[:280], by=None)),
        ("running", lambda: round_services.start_round(rounds[0], by=None)),
        ("between", lambda: round_services.end_round(rounds[0], by=None)),
        ("mingle", lambda: round_services.start_mingle(event, by=None)),
        ("closed", lambda: round_services.close_event(event, by=None)),
    ]
    for stage, action in stages:
        in_a_thread(action)
        page.goto(f"{live_server_url}/p/{event.projector_key}/")
        expect(page.locator(".screen")).to_have_attribute(
            "data-screen", re.compile(f"^({stage}|starting)$")
        )
        expect(page.locator(".screen")).to_have_attribute("data-screen", stage, timeout=10_000)
        if stage != "closed":
            expect(page.locator(".screen-banner")).to_be_visible()
        if os.environ.get("SPEEDNET_SCREENS"):
            folder = Path(os.environ["SPEEDNET_SCREENS"])
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"projector-300-{width}-{stage}.png"))
        title_lines = page.locator(".screen-title").evaluate(
            "e => Math.round(e.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(e).lineHeight))"
        )

        assert parts_fit(page, width, height) == [], stage
        assert title_lines <= 2, stage
        assert code_lines(page) in (0, 1), stage
        if stage in ("check_in", "running", "between"):
            assert page.locator(".find-list li:not([hidden])").count() >= 5, stage
            assert page.locator(".screen-code").bounding_box()["height"] >= 40, stage


@pytest.fixture
def announced_event(transactional_db):
    event = EventFactory(check_in=True, rounds_count=2, table_size=5)
    AttendeeFactory.create_batch(40, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.3)
    round_services.announce(event, text=LONG_ANNOUNCEMENT[:280], by=None)
    return event


def test_projector_loopback_warning_covers_nothing(announced_event, live_server_url, chromium):
    """Served on 127.0.0.1 the projector warns that phones cannot reach it, below everything
    else: the join code and the announcement stay whole."""
    page = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{live_server_url}/p/{announced_event.projector_key}/")

    expect(page.locator(".address-warning")).to_be_visible()
    expect(page.locator(".screen-banner")).to_be_visible()
    assert parts_fit(page, 1280, 720) == []


@pytest.mark.parametrize(
    ("language", "waiting", "welcome"),
    [
        ("en", "Check-in opens soon", "Welcome! Scan the code to join"),
        ("zh-hans", "签到即将开始", "欢迎！扫码加入"),
    ],
)
def test_projector_before_check_in_opens_does_not_invite_people_to_scan(
    transactional_db, live_server_url, chromium, language, waiting, welcome
):
    """A draft event turns phones away at the join page ("not open yet"), so the big screen
    shows the title and that check-in opens soon, with no code to scan; once the organizer
    opens check-in the code appears by itself (no reload)."""
    event = EventFactory(
        organizer=UserFactory(username="org"),
        title="Harbor Founders Night",
        join_code="HARBOR",
        language=language,
    )
    page = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server_url}/p/{event.projector_key}/")
    screen = page.locator(".screen")

    expect(screen).to_have_attribute("data-screen", "draft")
    expect(page.locator(".screen-title")).to_have_text("Harbor Founders Night")
    expect(page.locator("[data-screen-text]")).to_have_text(waiting)
    for part in (".screen-qr", ".screen-code", ".screen-people", ".screen-clock"):
        expect(page.locator(part)).to_be_hidden()
    assert parts_fit(page, 1280, 720) == []
    if os.environ.get("SPEEDNET_SCREENS"):
        page.screenshot(path=str(Path(os.environ["SPEEDNET_SCREENS"]) / f"draft-{language}.png"))

    control = sign_in(chromium, live_server_url)
    control.goto(f"{live_server_url}/events/{event.pk}/control/")
    press_control(control, event, "open")

    expect(screen).to_have_attribute("data-screen", "check_in")
    expect(page.locator("[data-screen-text]")).to_have_text(welcome)
    expect(page.locator(".screen-qr svg")).to_be_visible()
    expect(page.locator(".screen-code")).to_have_text("HARBOR")


@pytest.fixture
def named_event(transactional_db):
    """Two rounds planned for ten people whose names all start with "Guest"."""
    event = EventFactory(
        check_in=True,
        rounds_count=2,
        table_size=5,
        language="en",
        organizer=UserFactory(username="org"),
    )
    AttendeeFactory.create_batch(
        10, event=event, checked_in=True, name=factory.Sequence(lambda n: f"Guest {n}")
    )
    round_services.make_plan(event, by=None, time_limit=0.3)
    return event


def test_projector_drops_the_names_when_the_last_round_ends_and_says_the_event_ended(
    named_event, live_server_url, chromium
):
    """The open projector page, never reloaded, as the organizer runs the evening: names while
    a round is to come, none once the last round is done, and after the close none either,
    also on a fresh load."""
    event = named_event
    page = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(page.locator(".find-name")).to_have_count(10)
    control = sign_in(chromium, live_server_url)
    control.on("dialog", lambda dialog: dialog.accept())  # the close asks first
    control.goto(f"{live_server_url}/events/{event.pk}/control/")
    screen = page.locator(".screen")

    def act(action: str, stage: str) -> None:
        press_control(control, event, action)
        expect(screen).to_have_attribute("data-screen", re.compile(f"^({stage}|starting)$"))
        expect(screen).to_have_attribute("data-screen", stage)

    act("start", "running")
    act("end", "between")
    expect(page.locator(".screen-find h2")).to_contain_text("round 2")
    expect(page.locator(".find-name")).to_have_count(10)
    act("start", "running")
    act("end", "last_over")
    expect(page.locator(".find-name")).to_have_count(0)
    expect(page.locator(".screen-find")).to_contain_text("Time to mingle")
    act("close", "closed")
    expect(page.locator("[data-screen-text]")).to_have_text(
        "This event has ended. Thank you for coming!"
    )

    assert "Guest" not in page.content()
    page.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(screen).to_have_attribute("data-screen", "closed")
    expect(page.locator(".screen-title")).to_have_text(event.title)
    expect(page.locator("[data-screen-text]")).to_have_text(
        "This event has ended. Thank you for coming!"
    )
    assert "Guest" not in page.content()
