"""Reporting a problem from a phone in two taps, and the alert (with its beep) on the control
pages of both organizers; the organizer acts on it within the same round."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import expect

from conduct.models import Report
from events.models import Attendee
from rounds import services as round_services
from rounds.models import Round
from tests.browser.conftest import PHONE, open_room, press_control, sign_in
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    ReportFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

# Counts the beeps the control page plays (live.js creates one oscillator per beep).
COUNT_BEEPS = """
window.__beeps = 0;
const Ctx = window.AudioContext;
window.AudioContext = class extends Ctx {
  createOscillator() { window.__beeps += 1; return super.createOscillator(); }
};
"""


def test_two_tap_report_alerts_both_organizers_and_the_organizer_removes_the_person(
    live_server_url, chromium
):
    base = live_server_url
    owner = UserFactory(username="org")
    helper = UserFactory(username="helper")
    event = EventFactory(
        organizer=owner, check_in=True, rounds_count=3, table_size=3, with_conduct=True
    )
    event.co_organizers.add(helper)
    people = AttendeeFactory.create_batch(6, event=event, checked_in=True)

    def plan_and_start() -> None:
        round_services.make_plan(event, by=owner, time_limit=0.2)
        round_services.start_round(Round.objects.get(event=event, number=1), by=owner)

    # Off Playwright's thread: the services push after commit, which needs a thread without a
    # running event loop.
    with ThreadPoolExecutor(1) as worker:
        worker.submit(plan_and_start).result()
    reporter = people[0]
    seller_id = next(
        seat.attendee_id
        for seat in reporter.seats.get(round__number=1).table.seats.all()
        if seat.attendee_id != reporter.pk
    )
    seller = Attendee.objects.get(pk=seller_id)

    dashboards = []
    for username in ("org", "helper"):
        laptop = sign_in(chromium, base, username)
        laptop.context.add_init_script(COUNT_BEEPS)
        if username == "helper":  # the co-organizer's dashboard speaks Chinese
            chinese = {"name": "django_language", "value": "zh-hans", "url": base}
            laptop.context.add_cookies([chinese])
        laptop.goto(f"{base}/events/{event.pk}/control/")
        expect(laptop.locator("[data-conduct-count]")).to_contain_text(
            "没有待处理的报告。" if username == "helper" else "No open reports."
        )
        laptop.locator("h1").click()  # a first gesture unlocks sound, as any click does
        dashboards.append(laptop)
    seller_phone = chromium.new_context(**PHONE).new_page()
    seller_frames: list[str] = []
    seller_phone.on(
        "websocket", lambda ws: ws.on("framereceived", lambda frame: seller_frames.append(frame))
    )
    seller_phone.goto(f"{base}/a/{seller.token}/")
    seller_phone.get_by_role("button", name="I accept").click()
    expect(seller_phone.locator(".room")).to_have_attribute("data-phase", "running")
    seller_apart = seller_phone.get_by_role("link", name="Don't seat me with…")
    expect(seller_apart).to_be_visible()  # rounds 2 and 3 are left to seat

    phone = chromium.new_context(**PHONE).new_page()
    phone.set_default_timeout(10_000)
    phone.goto(f"{base}/a/{reporter.token}/")
    phone.get_by_role("button", name="I accept").click()
    expect(phone.locator(".room")).to_have_attribute("data-phase", "running")
    phone.get_by_role("link", name="Report a problem").click()  # tap 1
    phone.get_by_role("button", name=seller.name).click()  # tap 2: sent
    expect(phone.locator(f"#attendee-{reporter.pk}-report-sent")).to_be_visible()

    report = Report.objects.get()
    assert (report.reporter_id, report.about_id) == (reporter.pk, seller.pk)
    for laptop in dashboards:
        alert = laptop.locator(f'.conduct-alert[data-report-id="{report.pk}"]')
        expect(alert).to_contain_text(seller.name)
        expect(alert).to_contain_text(reporter.name)
    # What it is about, worded for organizers in each dashboard's own language (the reporter's
    # phone is English; the event's language too).
    expect(dashboards[0].locator(".conduct-alert")).to_contain_text("About a tablemate")
    expect(dashboards[1].locator(".conduct-alert")).to_contain_text("新报告——关于同桌的人")
    expect(dashboards[1].locator(".conduct-alert")).not_to_contain_text("About")
    for laptop, count in zip(dashboards, ("1 open report", "1 条待处理的报告"), strict=True):
        expect(laptop.locator("[data-conduct-count]")).to_contain_text(count)
    for laptop in dashboards:
        assert laptop.evaluate("window.__beeps") >= 1
    # The person reported is never told: no frame of theirs mentions it, nor their page.
    assert seller_frames
    assert not [frame for frame in seller_frames if '"report"' in str(frame)]
    expect(seller_phone.locator(".conduct-alert")).to_have_count(0)
    expect(seller_phone.locator("body")).not_to_contain_text("reported")

    # The organizer acts within the same round: removed from the remaining rounds.
    owner_laptop = dashboards[0]
    owner_laptop.locator(".conduct-alert a").click()
    owner_laptop.get_by_role(
        "button", name=f"Remove {seller.name} from the remaining rounds"
    ).click()
    expect(owner_laptop.get_by_role("button", name=f"Undo: put {seller.name} back")).to_be_visible()
    seller.refresh_from_db()
    assert seller.is_removed
    assert not seller.seats.exists()  # the seat of the round under way is vacated too
    assert Round.objects.get(event=event, number=1).status == Round.Status.RUNNING
    # The reporter's room no longer seats them together in the round under way.
    phone.goto(f"{base}/a/{reporter.token}/")
    reporter_stop = phone.locator('.stop[data-round-number="1"]')
    expect(reporter_stop.locator("[data-seat-order]", has_text=seller.name)).to_have_count(0)
    expect(reporter_stop.locator("[data-seat-order]")).to_have_count(
        reporter.seats.get(round__number=1).table.seats.count()
    )
    # Their open phone leaves the table at once, neutrally, and so does a fresh load: never
    # the gone text, which would send them to the door (where checking in again is refused).
    seller_room = seller_phone.locator(".room")
    seller_phone.evaluate("window.__notReloaded = true")
    expect(seller_room).to_have_attribute("data-now", "removed")
    # No table is left for them: "Don't seat me with…" goes from the open phone with the
    # push (no reload), and stays gone on a fresh load.
    expect(seller_apart).to_be_hidden()
    expect(seller_room).to_have_attribute("data-pitch-prompt", "none")  # no table to pitch at
    expect(seller_phone.locator(".pitch-prompt:visible")).to_have_count(0)
    no_tables = "You have no more tables this evening. Please speak to an organizer."
    expect(seller_phone.get_by_text(no_tables)).to_be_visible()  # said at once, too
    expect(seller_phone.locator(".phase-before")).to_be_hidden()  # no pitch to write for a table
    assert seller_phone.evaluate("window.__notReloaded") is True
    screens = os.environ.get("SPEEDNET_SCREENS")
    if screens:
        Path(screens).mkdir(parents=True, exist_ok=True)
        seller_phone.screenshot(path=str(Path(screens) / "removed-room-live.png"), full_page=True)
    seller_phone.reload()
    expect(seller_room).to_have_attribute("data-now", "removed")
    expect(seller_apart).to_be_hidden()
    expect(seller_room).to_have_attribute("data-pitch-prompt", "none")
    expect(seller_phone.locator("body")).not_to_contain_text("Check in again at the door")
    expect(seller_phone.locator("body")).not_to_contain_text("marked as gone")
    expect(seller_phone.get_by_text(no_tables)).to_be_visible()
    # Opened by its address, the keep-apart page offers nobody and says why; the wish list
    # (on My pitch) offers no guest search.
    seller_phone.goto(f"{base}/a/{seller.token}/apart/")
    expect(seller_phone.get_by_text(no_tables)).to_be_visible()
    expect(seller_phone.get_by_role("button", name="Keep us apart")).to_have_count(0)
    expect(seller_phone.get_by_role("button", name=reporter.name)).to_have_count(0)
    if screens:
        seller_phone.screenshot(path=str(Path(screens) / "removed-apart.png"), full_page=True)
    seller_phone.goto(f"{base}/a/{seller.token}/pitch/")
    expect(seller_phone.locator(".wishes")).to_contain_text(no_tables)
    expect(seller_phone.get_by_role("searchbox")).to_have_count(0)
    # The same in Chinese, on a phone asking for it.
    chinese = chromium.new_context(**PHONE, locale="zh-CN").new_page()
    chinese.goto(f"{base}/a/{seller.token}/apart/")
    expect(chinese.get_by_text("今晚你没有更多的桌次了。请与组织者联系。")).to_be_visible()
    expect(chinese.locator('select[name="other"], button[name="other"]')).to_have_count(0)
    if screens:
        chinese.screenshot(path=str(Path(screens) / "removed-apart-zh.png"), full_page=True)
    # Put back: the open room drops the notice with the push and offers the rounds again.
    seller_phone.goto(f"{base}/a/{seller.token}/")
    expect(seller_phone.get_by_text(no_tables)).to_be_visible()
    seller_phone.evaluate("window.__notReloaded = true")
    owner_laptop.get_by_role("button", name=f"Undo: put {seller.name} back").click()
    expect(seller_phone.get_by_text(no_tables)).to_be_hidden()
    expect(seller_apart).to_be_visible()
    assert seller_phone.evaluate("window.__notReloaded") is True


def test_phone_after_the_rounds_offers_its_leads_but_not_dont_seat_me_with(
    live_server_url, chromium
):
    """Once the last round is over no seating plan is left for a keep-apart request to act
    on: the open phone stops offering it (the close included, with no reload), keeps My leads,
    and the page itself, opened by its address, says so instead of offering anyone."""
    base = live_server_url
    event = EventFactory(organizer=UserFactory(username="org"), live=True, rounds_count=1)
    table = TableFactory(round=RoundFactory(event=event, number=1, done=True), number=1)
    me = SeatFactory(table=table, speaking_order=0, attendee__name="Ana Costa").attendee
    SeatFactory(table=table, speaking_order=1, attendee__name="Bo Lind")
    phone, room = open_room(chromium, base, me)
    apart = phone.get_by_role("link", name="Don't seat me with…")
    # My leads once, in the panel at the top (the quiet link at the bottom gives way).
    leads = phone.locator(".now-leads").get_by_role("link", name="My leads")
    quiet = phone.locator(".room-links").get_by_role("link", name="My leads")

    expect(room).to_have_attribute("data-now", "mingle")  # the last round is over
    expect(apart).to_be_hidden()
    expect(leads).to_be_visible()
    expect(quiet).to_be_hidden()

    organizer = sign_in(chromium, base)
    organizer.on("dialog", lambda dialog: dialog.accept())  # closing asks first
    organizer.goto(f"{base}/events/{event.pk}/control/")
    press_control(organizer, event, "close")
    expect(room).to_have_attribute("data-now", "closed")
    expect(apart).to_be_hidden()
    expect(leads).to_be_visible()
    expect(quiet).to_be_hidden()
    if os.environ.get("SPEEDNET_SCREENS"):
        phone.screenshot(path=str(Path(os.environ["SPEEDNET_SCREENS"]) / "closed-room.png"))
    phone.reload()
    expect(room).to_have_attribute("data-now", "closed")
    expect(apart).to_have_count(0)
    expect(leads).to_be_visible()

    phone.goto(f"{base}/a/{me.token}/apart/")
    over = phone.get_by_text(
        "No round is left to seat: no seating plan can keep you apart any more."
    )
    expect(over).to_be_visible()
    if os.environ.get("SPEEDNET_SCREENS"):
        phone.screenshot(path=str(Path(os.environ["SPEEDNET_SCREENS"]) / "closed-apart.png"))
    expect(phone.get_by_role("button", name="Keep us apart")).to_have_count(0)
    expect(phone.get_by_role("button", name="Bo Lind")).to_have_count(0)


NO_TABLES = "You have no more tables this evening. Please speak to an organizer."
SHOTS = Path("/tmp/h1-shots")


def expect_no_more_tables(phone) -> None:
    """What a removed person's room shows, whatever the state: the neutral notice, My leads,
    and nothing else of the evening (no table, no cards section, no mingle invitation, no
    "while you pitch" promise, no pitch to write)."""
    expect(phone.locator(".room")).to_have_attribute("data-now", "removed")
    expect(phone.locator("[data-now-text]")).to_have_text(NO_TABLES)
    expect(phone.locator(".now-leads a")).to_be_visible()
    expect(phone.get_by_role("link", name="My leads").locator("visible=true")).to_have_count(1)
    expect(phone.locator(".stop:visible")).to_have_count(0)
    expect(phone.locator(".received")).to_be_hidden()
    expect(phone.locator(".phase-before")).to_be_hidden()
    shown = phone.evaluate("document.body.innerText")
    assert shown.count(NO_TABLES) == 1
    hidden = ("Time to mingle", "while you pitch", "Table 3", "Your turn", "Move to", "Stay at")
    for words in hidden:
        assert words not in shown


def test_phone_removed_in_the_last_round_says_no_more_tables_through_mingle_and_the_close(
    live_server_url, chromium
):
    """Removed during the last round: the open phone (no reload) and a fresh load say only
    the neutral notice as the round runs, when it ends, in mingle and at the close; never
    "Time to mingle" beside it. The card already received stays on My leads. Undo in mingle
    brings the mingle invitation back, live."""
    base = live_server_url
    owner = UserFactory(username="org")
    event = EventFactory(organizer=owner, live=True, rounds_count=2)
    RoundFactory(event=event, number=1, done=True)
    last = RoundFactory(event=event, number=2, running=True)
    table = TableFactory(round=last, number=3)
    seat = {"attendee__event": event, "attendee__checked_in": True}
    me = SeatFactory(table=table, speaking_order=0, attendee__name="Sam Seller", **seat).attendee
    mate = SeatFactory(table=table, speaking_order=1, attendee__name="Bo Lind", **seat).attendee
    CardFactory(round=last, giver=mate, receiver=me)
    ReportFactory(event=event, reporter=mate, about=me)
    phone, room = open_room(chromium, base, me)
    expect(room).to_have_attribute("data-now", "my_turn")
    phone.evaluate("window.__notReloaded = true")
    # The organizer's laptop (the server pushes to the open phone from its own process).
    laptop = sign_in(chromium, base)
    laptop.on("dialog", lambda dialog: dialog.accept())  # ending and closing ask first
    reports = f"{base}/events/{event.pk}/reports/"
    control = f"{base}/events/{event.pk}/control/"

    def act_on_report(button: str) -> None:
        laptop.goto(reports)
        laptop.get_by_role("button", name=button).click()
        laptop.wait_for_load_state()

    act_on_report("Remove Sam Seller from the remaining rounds")
    expect_no_more_tables(phone)  # the last round under way
    laptop.goto(control)
    press_control(laptop, event, "end")
    expect(room).to_have_attribute("data-phase", "between")
    expect_no_more_tables(phone)  # the last round over: everyone else is asked to mingle
    laptop.goto(control)
    press_control(laptop, event, "mingle")
    expect(room).to_have_attribute("data-phase", "mingle")
    expect_no_more_tables(phone)
    assert phone.evaluate("window.__notReloaded") is True
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "removed-mingle-live.png"), full_page=True)
    phone.reload()
    expect(room).to_have_attribute("data-connection", "open")
    expect_no_more_tables(phone)
    phone.screenshot(path=str(SHOTS / "removed-mingle-fresh.png"), full_page=True)

    phone.evaluate("window.__notReloaded = true")
    act_on_report("Undo: put Sam Seller back")
    expect(room).to_have_attribute("data-now", "mingle")
    expect(phone.locator("[data-now-text]")).to_have_text(
        "Time to mingle — see who wants to meet you"
    )
    phone.screenshot(path=str(SHOTS / "restored-mingle-live.png"), full_page=True)
    act_on_report("Remove Sam Seller from the remaining rounds")
    expect_no_more_tables(phone)
    laptop.goto(control)
    press_control(laptop, event, "close")
    expect(room).to_have_attribute("data-phase", "closed")
    expect_no_more_tables(phone)
    assert phone.evaluate("window.__notReloaded") is True
    phone.reload()
    expect_no_more_tables(phone)
    phone.screenshot(path=str(SHOTS / "removed-closed-fresh.png"), full_page=True)

    phone.locator(".now-leads a").click()
    expect(phone.locator("body")).to_contain_text("Bo Lind")
