"""Someone leaves mid-round on a real evening, in Chromium: every phone at her table, her own
phone and the projector, through pauses, skips, extensions and the round's end. The turns of a
table whose pitcher left mid-slot are shifted (``Round.turn_shifts``); the organizer's controls
that move the turns must keep meaning the same thing at that table as at the others."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event
from rounds import services
from rounds.models import Round, Seat
from tests.browser.conftest import press_control
from tests.browser.test_projector import in_a_thread
from tests.browser.test_walk_in_seating import control_panel, open_phone
from tests.factories import AttendeeFactory, EventFactory, ReportFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/t7")
PITCH = 30


def seconds(text: str) -> int:
    """'0:27' → 27."""
    minutes, secs = text.strip().split(":")
    return int(minutes) * 60 + int(secs)


def evening(*, into: timedelta, round_seconds: int = 600, language: str = "en"):
    """Eight people checked in at tables of four, round 1 started ``into`` ago (pitches of 30 s).
    Returns (event, round 1, the people of table 1 in speaking order)."""
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=round_seconds,
        pitch_seconds=PITCH,
    )
    for n in range(8):
        AttendeeFactory(event=event, name=f"Person {n}", checked_in=True, language=language)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    in_a_thread(services.start_round, Round.objects.get(event=event, number=1), by=None)
    Round.objects.filter(event=event, number=1).update(
        started_at=F("started_at") - into,
        turns_started_at=F("turns_started_at") - into,
        ends_at=F("ends_at") - into,
    )
    Event.objects.filter(pk=event.pk).update(state_version=F("state_version") + 1)
    seats = Seat.objects.filter(round__event=event, round__number=1, table__number=1)
    people = [seat.attendee for seat in seats.order_by("speaking_order").select_related("attendee")]
    return event, Round.objects.get(event=event, number=1), people


def phones(chromium, url, people):
    return [open_phone(chromium, url, person)[1] for person in people]


def organizer(chromium, url, event):
    """(the control page, the attendee list) of the signed-in organizer's laptop."""
    control = control_panel(chromium, url, event)
    door = control.context.new_page()
    door.set_default_timeout(15_000)
    door.goto(f"{url}/events/{event.pk}/attendees/")
    return control, door


def mark_gone(door, person):
    """The organizer marks ``person`` gone on the attendee list (accepting the question)."""
    door.once("dialog", lambda dialog: dialog.accept())
    door.locator(f"#attendee-{person.pk}-row [data-presence=left]").click()
    expect(door.locator(f"#attendee-{person.pk}-row")).to_contain_text("Left")


def screens(pages, name):
    for n, page in enumerate(pages):
        page.screenshot(path=str(SHOTS / f"{name}-{n}.png"))


def test_skip_turn_at_a_table_whose_pitcher_left_skips_exactly_her_successor(
    live_server_url, chromium
):
    # 40 s into round 1: the second pitcher (order 1) has 20 s left at every table
    event, _round, people = evening(into=timedelta(seconds=40))
    pages = phones(chromium, live_server_url, people)
    expect(pages[0].locator("[data-now-text]")).to_contain_text(f"{people[1].name} is pitching")
    # she leaves 10 s into her slot: the next one (people[2]) has a full 30 s at table 1
    laptop, door = organizer(chromium, live_server_url, event)
    mark_gone(door, people[1])
    rest = [pages[0], pages[2], pages[3]]
    expect(pages[2].locator("[data-now-text]")).to_contain_text("Your turn")
    expect(pages[0].locator("[data-now-text]")).to_contain_text(f"{people[2].name} is pitching")
    # the organizer skips the turn: at table 1 people[2] is cut, people[3] starts a full slot
    press_control(laptop, event, "skip")
    pages[0].wait_for_timeout(1500)
    screens(rest, "skip-after-shift")
    expect(pages[3].locator("[data-now-text]")).to_contain_text("Your turn", timeout=3000)
    for page in rest:
        expect(page.locator("[data-now-text]")).not_to_contain_text(people[2].name)
        left = seconds(page.locator("[data-now-clock]").text_content())
        assert 27 <= left <= 30, left


def table_line(pages):
    """What each phone's now panel says: [(text, clock)]."""
    return [
        (
            page.locator("[data-now-text]").text_content().strip(),
            page.locator("[data-now-clock]").text_content().strip(),
        )
        for page in pages
    ]


def test_marked_gone_then_checked_in_again_in_the_same_round(live_server_url, chromium):
    event, _round, people = evening(into=timedelta(seconds=40))
    pages = phones(chromium, live_server_url, people)
    _laptop, door = organizer(chromium, live_server_url, event)
    mark_gone(door, people[1])
    expect(pages[1].locator("[data-now-text]")).to_contain_text("Thank you for coming!")
    door.locator(f"#attendee-{people[1].pk}-row [data-presence=check_in]").click()
    expect(door.locator(f"#attendee-{people[1].pk}-row [data-presence=left]")).to_be_enabled()
    pages[0].wait_for_timeout(2000)
    screens(pages, "gone-then-back")
    # back, she waits for a table in a coming round (seated as a walk-in at the next start)
    expect(pages[1].locator("[data-now-text]")).to_contain_text("You're checked in.")
    expect(pages[1].locator("[data-now-clock]")).to_have_text("")
    for page in [pages[0], pages[2], pages[3]]:
        stop = page.locator('.stop[data-round-number="1"]')
        expect(stop.locator(f'.tablemate[data-person="{people[1].pk}"]')).to_have_count(0)


def test_removed_during_her_own_slot_then_undone_twice(live_server_url, chromium):

    event, _round, people = evening(into=timedelta(seconds=40))
    ReportFactory(event=event, reporter=people[0], about=people[1])
    pages = phones(chromium, live_server_url, people)
    laptop, _door = organizer(chromium, live_server_url, event)
    reports = f"{live_server_url}/events/{event.pk}/reports/"
    laptop.goto(reports)
    second = laptop.context.new_page()
    laptop.get_by_role("button", name=f"Remove {people[1].name} from the remaining rounds").click()
    undo = f"Undo: put {people[1].name} back"
    expect(laptop.get_by_role("button", name=undo)).to_be_visible()
    second.goto(reports)
    expect(pages[2].locator("[data-now-text]")).to_contain_text("Your turn")
    screens(pages, "removed")
    laptop.get_by_role("button", name=undo).click()
    laptop.wait_for_load_state()
    second.get_by_role("button", name=undo).click()  # a second organizer's tab, stale
    second.wait_for_load_state()
    pages[0].wait_for_timeout(2000)
    laptop.screenshot(path=str(SHOTS / "undo-laptop.png"), full_page=True)
    second.screenshot(path=str(SHOTS / "undo-second.png"), full_page=True)
    screens(pages, "undone")
    seats = Seat.objects.filter(round__event=event, round__number=1, attendee=people[1])
    assert seats.count() == 1
    for page in [pages[0], pages[2], pages[3]]:
        stop = page.locator('.stop[data-round-number="1"]')
        expect(stop.locator(f'.tablemate[data-person="{people[1].pk}"]')).to_have_count(1)
    expect(pages[2].locator("[data-now-text]")).to_contain_text("Your turn")


def current_order(event) -> int:
    """The speaking order pitching now at table 1 (by its own turns)."""

    round_ = Round.objects.get(event=event, number=1)
    return round_.turn_index(timezone.now(), timedelta(seconds=PITCH), table=1)


def in_step(pages, *, names=None):
    """Every phone's pitch countdown, read together: within a second of each other."""
    clocks = [seconds(c) for _text, c in table_line(pages)]
    assert max(clocks) - min(clocks) <= 1, table_line(pages)
    return clocks


def test_pitcher_leaves_while_paused_then_resume_skip_extend(live_server_url, chromium):
    event, _round, people = evening(into=timedelta(seconds=0))
    pages = phones(chromium, live_server_url, people)
    laptop, door = organizer(chromium, live_server_url, event)
    screen = laptop.context.new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    press_control(laptop, event, "pause")
    pages[0].wait_for_timeout(1000)
    k = current_order(event)
    assert k is not None
    assert k + 2 < len(people), k
    her, pitcher_next, after = people[k], pages[k + 1], pages[k + 2]
    rest = [page for n, page in enumerate(pages) if n != k]
    mark_gone(door, her)
    stop = pitcher_next.locator('.stop[data-round-number="1"]')
    expect(stop.locator(f'.tablemate[data-person="{her.pk}"]')).to_have_count(0)
    pages[0].wait_for_timeout(1000)
    screens(rest, "paused-left")
    screen.screenshot(path=str(SHOTS / "paused-left-projector.png"))
    assert all(c == "0:30" for _t, c in table_line(rest)), table_line(rest)
    press_control(laptop, event, "resume")
    expect(pitcher_next.locator("[data-now-text]")).to_contain_text("Your turn")
    pages[0].wait_for_timeout(1000)
    first = in_step(rest)
    assert all(27 <= c <= 30 for c in first), table_line(rest)  # her full slot, running
    pages[0].wait_for_timeout(3000)
    clocks = in_step(rest)
    assert all(c <= first[0] - 2 for c in clocks), (first, table_line(rest))  # not frozen
    press_control(laptop, event, "skip")
    pages[0].wait_for_timeout(1500)
    expect(after.locator("[data-now-text]")).to_contain_text("Your turn")
    clocks = in_step(rest)
    assert all(27 <= c <= 30 for c in clocks), table_line(rest)
    press_control(laptop, event, "extend")
    pages[0].wait_for_timeout(1000)
    clocks = in_step(rest)
    screens(rest, "extended")
    screen.screenshot(path=str(SHOTS / "extended-projector.png"))
    expect(after.locator("[data-now-text]")).to_contain_text("Your turn")


def test_third_pitcher_leaves_when_the_round_has_less_than_a_slot_left(live_server_url, chromium):
    """Paused with 20 s of the round left, the third pitcher 15 s into her slot; she is marked
    gone, one phone is offline meanwhile, one reloads; after the resume the fourth pitches for
    the 20 s left (no slot past the round's end) and the round ends on time on every phone."""

    event, _round, people = evening(into=timedelta(seconds=0))
    pages = phones(chromium, live_server_url, people)
    laptop, door = organizer(chromium, live_server_url, event)
    press_control(laptop, event, "pause")
    pages[0].wait_for_timeout(800)
    round_ = Round.objects.get(event=event, number=1)
    assert round_.paused_at < timezone.now()
    Round.objects.filter(pk=round_.pk).update(
        turns_started_at=round_.paused_at - timedelta(seconds=2 * PITCH + 15),
        started_at=round_.paused_at - timedelta(seconds=2 * PITCH + 15),
        paused_remaining=timedelta(seconds=20),
        ends_at=round_.paused_at + timedelta(seconds=20),
    )
    pages[0].context.set_offline(True)
    mark_gone(door, people[2])
    pages[3].reload()
    expect(pages[3].locator(".room")).to_have_attribute("data-connection", "open")
    press_control(laptop, event, "resume")
    pages[0].context.set_offline(False)
    pages[1].wait_for_timeout(4000)
    rest = [pages[0], pages[1], pages[3]]
    screens(rest, "near-end")
    expect(pages[3].locator("[data-now-text]")).to_contain_text("Your turn")
    expect(pages[1].locator("[data-now-text]")).to_contain_text(people[3].name)
    for page in rest:
        stop = page.locator('.stop[data-round-number="1"]')
        expect(stop.locator(f'.tablemate[data-person="{people[2].pk}"]')).to_have_count(0)
    clocks = in_step(rest)
    for page, clock in zip(rest, clocks, strict=True):
        round_left = seconds(page.locator("[data-live-clock]").first.text_content())
        assert clock <= round_left + 1, (clock, round_left)
    pages[1].wait_for_timeout(18_000)
    screens(rest, "near-end-over")
    for page in rest:
        text = page.locator("[data-now-text]").text_content()
        assert "Table 1 ·" not in text or "Round 2" in text, text
        assert "-" not in page.locator("[data-now-clock]").text_content()


def test_chinese_phones_when_the_current_pitcher_leaves(live_server_url, chromium):
    """Every phone of the table in Chinese (the browser asks for it): the next pitcher's, a
    listener's and her own, and the projector's turn line beside them."""
    event, _round, people = evening(into=timedelta(seconds=0))
    pages = [open_phone(chromium, live_server_url, person, locale="zh-CN")[1] for person in people]
    expect(pages[0].locator("html")).to_have_attribute("lang", "zh-hans")
    laptop, door = organizer(chromium, live_server_url, event)
    screen = laptop.context.new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    k = current_order(event)
    assert k is not None
    assert k + 1 < len(people), k
    mark_gone(door, people[k])
    expect(pages[k + 1].locator(".now")).not_to_contain_text(people[k].name)
    pages[0].wait_for_timeout(1500)
    screens(pages, "zh")
    screen.screenshot(path=str(SHOTS / "zh-projector.png"))
    rest = [page for n, page in enumerate(pages) if n != k]
    clocks = in_step(rest)
    assert all(c >= 28 for c in clocks), table_line(rest)
    for page in rest:
        expect(page.locator("[data-now-text]")).not_to_contain_text("Your turn")
        expect(page.locator("[data-now-text]")).not_to_contain_text("pitching")


def test_projector_turn_line_agrees_with_the_phones_of_a_shifted_table(live_server_url, chromium):
    event, _round, people = evening(into=timedelta(seconds=0))
    pages = phones(chromium, live_server_url, people)
    laptop, door = organizer(chromium, live_server_url, event)
    screen = laptop.context.new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(screen.locator(".screen")).to_have_attribute("data-connection", "open")
    k = current_order(event)
    assert k is not None
    assert k + 1 < len(people), k
    pages[0].wait_for_timeout(5000)  # 5 s into her slot at least: the table's turns shift
    mark_gone(door, people[k])
    expect(pages[k + 1].locator("[data-now-text]")).to_contain_text("Your turn")
    # while the tables are out of step no one pitch number and clock is true for every table
    # (the projector's push may arrive a moment after the phone's: waited for, not read once)
    expect(screen.locator("[data-turn-label]")).to_have_text("Pitches under way at every table")
    screen.screenshot(path=str(SHOTS / "projector-shifted.png"))


def test_leaving_during_the_count_in_and_between_rounds(live_server_url, chromium):
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=600,
        pitch_seconds=PITCH,
    )
    for n in range(8):
        AttendeeFactory(event=event, name=f"Person {n}", checked_in=True)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.2)
    seats = Seat.objects.filter(round__event=event, round__number=1, table__number=1)
    people = [seat.attendee for seat in seats.order_by("speaking_order").select_related("attendee")]
    pages = phones(chromium, live_server_url, people)
    laptop, door = organizer(chromium, live_server_url, event)
    press_control(laptop, event, "start")
    mark_gone(door, people[0])  # the first pitcher, within the count-in

    rest = pages[1:]
    expect(pages[1].locator("[data-now-text]")).to_contain_text("Your turn", timeout=8000)
    pages[0].wait_for_timeout(1000)
    screens(pages, "count-in")
    clocks = in_step(rest)
    assert all(27 <= c <= 30 for c in clocks), table_line(rest)
    for page in rest:
        stop = page.locator('.stop[data-round-number="1"]')
        expect(stop.locator(f'.tablemate[data-person="{people[0].pk}"]')).to_have_count(0)
    # between rounds: round 1 ended, someone at table 1 goes home before round 2
    laptop.on("dialog", lambda dialog: dialog.accept())
    press_control(laptop, event, "end")
    expect(pages[2].locator("[data-now-text]")).to_contain_text(re.compile("table", re.I))
    mark_gone(door, people[1])
    pages[0].wait_for_timeout(2500)
    for n, page in enumerate(pages):
        page.screenshot(path=str(SHOTS / f"between-{n}.png"), full_page=True)
    expect(pages[1].locator("[data-now-text]")).to_contain_text("Thank you for coming!")
    for page in pages[2:]:
        coming = page.locator('.stop[data-round-number="2"]')
        expect(coming.locator(f'.tablemate[data-person="{people[1].pk}"]')).to_have_count(0)
        expect(page.locator(".now")).not_to_contain_text(people[1].name)
        expect(page.locator("[data-now-clock]")).not_to_contain_text("-")


def test_two_pitchers_leave_in_the_same_slot(live_server_url, chromium):
    """The current pitcher is marked gone, then her successor a few seconds into his full slot:
    the one after him gets a full slot too, on every phone left at the table, in step."""
    event, _round, people = evening(into=timedelta(seconds=0), round_seconds=600)
    pages = phones(chromium, live_server_url, people)
    _laptop, door = organizer(chromium, live_server_url, event)
    k = current_order(event)
    assert k is not None
    assert k + 2 < len(people), k
    mark_gone(door, people[k])
    expect(pages[k + 1].locator("[data-now-text]")).to_contain_text("Your turn")
    pages[0].wait_for_timeout(4000)
    mark_gone(door, people[k + 1])
    expect(pages[k + 2].locator("[data-now-text]")).to_contain_text("Your turn")
    expect(pages[k + 1].locator("[data-now-text]")).to_contain_text("Thank you for coming!")
    rest = [page for n, page in enumerate(pages) if n not in (k, k + 1)]
    pages[0].wait_for_timeout(500)
    screens(pages, "two-left")
    clocks = in_step(rest)
    assert all(28 <= c <= 30 for c in clocks), table_line(rest)
    for page in rest:
        stop = page.locator('.stop[data-round-number="1"]')
        expect(stop.locator(".tablemate")).to_have_count(2)
        for gone in (people[k], people[k + 1]):
            expect(page.locator(".now")).not_to_contain_text(gone.name)
