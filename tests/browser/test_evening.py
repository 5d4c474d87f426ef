"""The whole evening: the contract between the organizer, every phone and the projector.

One organizer at the control page, seven phones and the projector, in Chromium against a real
daphne, walk every state of an event: check-in before and after the plan, the count-in, each
pitch slot, pause and resume, extend, skip, the end of a round, between rounds without and with a
re-plan (a no-show and a late arrival), the last round, mingling and the close. Phones are
opened at different moments, one is reloaded mid-round, one has its socket cut and one is
offline while its owner is marked gone; two people who never come to the door (never seated,
without a pitch) keep their phones open all evening: they are asked for a pitch in words true at
each moment and load their itinerary only when the plan changes. At every
state, on every phone, the status region names what the database says for the round that state
is about, and the projector agrees.

Run on the embedded default and on PostgreSQL + Redis (marked ``evening`` so CI runs it on both).
With SPEEDNET_SCREENS=<folder> it also saves a screenshot of every phone and the projector at
every state (bench/screens.py does that for a person to look at).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from events import services as event_services
from events.models import Attendee, Event
from feedback.models import Card
from rounds.models import Round, Seat
from tests.browser.conftest import press_control, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, UserFactory
from tests.live import daphne

pytestmark = pytest.mark.evening

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NAMES = ["Ana Costa", "Bo Lind", "Chen Jing", "Dev Patel", "Eva Novak", "Femi Ade", "Gus Ito"]
SCREENS = os.environ.get("SPEEDNET_SCREENS", "")


@pytest.fixture
def evening_server(transactional_db, tmp_path):
    """daphne on the test database; with REDIS_URL set (the production path), through Redis."""
    redis = os.environ.get("REDIS_URL") or None
    with daphne(tmp_path, redis_url=redis) as url:
        yield url


def accept_conduct(page: Page) -> None:
    """The code of conduct comes first, on a personal link as after joining at the door."""
    page.locator('form[action$="/conduct/"] button[type=submit]').click()
    expect(page.locator(".room")).to_be_attached()


@dataclass
class Evening:
    base: str
    event: Event
    organizer: Page
    projector: Page
    phones: dict[int, Page] = field(default_factory=dict)  # attendee id → page
    shots: int = 0

    # -- the organizer -------------------------------------------------------------------------
    def act(self, action: str, **fields: str) -> None:
        """The organizer presses `action` (after typing `fields`): ``press_control``."""
        press_control(self.organizer, self.event, action, **fields)

    # -- the phones ----------------------------------------------------------------------------
    def open_phone(
        self, chromium, attendee: Attendee, *, sockets: list | None = None, locale: str = "en-US"
    ) -> Page:
        """A phone on this attendee's link; with `sockets`, each of its sockets goes through a
        route the test can cut (appended to the list); `locale`, the phone's own language."""
        page = chromium.new_context(**PHONE, locale=locale).new_page()
        page.set_default_timeout(15_000)
        if sockets is not None:

            def through(ws) -> None:
                ws.connect_to_server()
                sockets.append(ws)

            page.route_web_socket(re.compile(r"/ws/a/"), through)
        page.goto(f"{self.base}/a/{attendee.token}/")
        accept_conduct(page)
        self.phones[attendee.pk] = page
        return page

    def expect_phone(self, attendee_id: int, kind: str, round_number: int | None) -> None:
        """The phone shows `kind`, and the table the database assigns to this attendee in
        `round_number` (nothing when they have no seat in it)."""
        page = self.phones[attendee_id]
        table = seat_table(attendee_id, round_number)
        status = page.locator("[data-now-text]")
        expect(page.locator(".room")).to_have_attribute("data-now", kind, timeout=15_000)
        expect(status).to_have_attribute("data-table", str(table or ""))
        if table is not None:
            expect(status).to_contain_text(str(table))
            shown = page.locator(f'.stop[data-round-number="{round_number}"]')
            expect(shown).to_be_visible()
            expect(page.locator(".stop:visible")).to_have_count(1)
        else:
            expect(page.locator(".stop:visible")).to_have_count(0)

    def expect_room(self, round_number: int | None, kinds: dict[int, str]) -> None:
        for attendee_id, kind in kinds.items():
            self.expect_phone(attendee_id, kind, round_number)

    # -- the projector ---------------------------------------------------------------------------
    def expect_projector(self, kind: str, seating_round: int | None = None) -> None:
        wait = {"timeout": 15_000}  # a loaded machine: the find list is fetched after a push
        expect(self.projector.locator(".screen")).to_have_attribute("data-screen", kind, **wait)
        if seating_round is None:
            return
        # the list's own heading (before the plan the section also holds the code of conduct)
        heading = self.projector.locator("[data-find-table] > h2")
        expect(heading).to_contain_text(f"round {seating_round}", **wait)
        rows = self.projector.locator(".find-list li")
        expect(rows).to_have_count(
            Seat.objects.filter(round__event=self.event, round__number=seating_round).count(),
            **wait,
        )
        listed = dict(
            (name, int(table))
            for name, table in self.projector.eval_on_selector_all(
                ".find-list li",
                "rows => rows.map(r => [r.querySelector('.find-name').textContent,"
                " r.querySelector('.find-table').textContent])",
            )
        )
        seats = Seat.objects.filter(round__event=self.event, round__number=seating_round)
        assert listed == {
            s.attendee.name: s.table.number for s in seats.select_related("attendee", "table")
        }

    def screenshot(self, state: str) -> None:
        if not SCREENS:
            return
        folder = Path(SCREENS)
        folder.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        prefix = f"{self.shots:02d}-{state}"
        self.projector.screenshot(path=str(folder / f"{prefix}-projector.png"))
        for attendee_id, page in self.phones.items():
            name = Attendee.objects.get(pk=attendee_id).name.split()[0].lower()
            page.screenshot(path=str(folder / f"{prefix}-phone-{name}.png"), full_page=True)


@dataclass
class Stray:
    """The phone of someone on the list who never comes to the door, without a pitch: never
    seated, it is open all evening. What its socket brings and each itinerary it loads are
    counted."""

    page: Page
    frames: list[str] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)

    def states(self) -> int:
        """How many ``state`` frames its sockets received so far."""
        return sum(json.loads(frame).get("type") == "state" for frame in self.frames)

    def screenshot(self, state: str) -> None:
        if not SCREENS:
            return
        name = self.page.locator(".room-me").inner_text().split()[0].lower()
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(Path(SCREENS) / f"stray-{state}-{name}.png"), full_page=True)

    def expect_prompt(self, prompt: str, text: str = "") -> None:
        """The room asks for a pitch in the words of ``prompt`` (before, rounds; none: no
        prompt at all), reading ``text``."""
        room = self.page.locator(".room")
        expect(room).to_have_attribute("data-pitch-prompt", prompt)
        for kind in ("before", "rounds"):
            shown = self.page.locator(f".pitch-prompt-{kind}")
            if kind == prompt:
                expect(shown).to_be_visible()
                expect(shown).to_have_text(text)
            else:
                expect(shown).to_be_hidden()


def open_stray(chromium, base: str, attendee: Attendee, *, locale: str) -> Stray:
    page = chromium.new_context(**PHONE, locale=locale).new_page()
    page.set_default_timeout(15_000)
    stray = Stray(page=page)
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda frame: stray.frames.append(str(frame))),
    )
    page.on("request", lambda r: stray.loads.append(r.url) if "/itinerary/" in r.url else None)
    page.goto(f"{base}/a/{attendee.token}/")
    accept_conduct(page)
    expect(page.locator(".room")).to_have_attribute("data-connection", "open")
    return stray


def seat_table(attendee_id: int, round_number: int | None) -> int | None:
    if round_number is None:
        return None
    seat = Seat.objects.filter(attendee_id=attendee_id, round__number=round_number).first()
    return seat.table.number if seat else None


def between_kind(attendee_id: int, next_round: int) -> str:
    """Between rounds: 'stay' for someone whose table in the next round is the one they sit at
    (their table in the round just over), else 'move'."""
    table = seat_table(attendee_id, next_round)
    same = table is not None and table == seat_table(attendee_id, next_round - 1)
    return "stay" if same else "move"


def slot_kinds(event: Event, round_number: int, slot: int, phones) -> dict[int, str]:
    """What each phone must say while pitch slot `slot` (0-based) runs in this round."""
    kinds = {}
    for attendee_id in phones:
        seat = Seat.objects.filter(attendee_id=attendee_id, round__number=round_number).first()
        if Attendee.objects.filter(pk=attendee_id, left_at__isnull=False).exists():
            kinds[attendee_id] = "left"  # marked gone at the door
            continue
        if seat is None:
            kinds[attendee_id] = "not_seated"
            continue
        table = list(seat.table.seats.order_by("speaking_order"))
        if slot >= len(table):
            kinds[attendee_id] = "open_talk"
        else:
            kinds[attendee_id] = "my_turn" if seat.speaking_order == slot else "listening"
    return kinds


def expect_pitchers(evening: Evening, round_number: int, slot: int) -> None:
    """Listeners see whose turn it is by name; the projector counts the slot."""
    for attendee_id, page in evening.phones.items():
        seat = Seat.objects.filter(attendee_id=attendee_id, round__number=round_number).first()
        if seat is None:
            continue
        table = list(seat.table.seats.order_by("speaking_order").select_related("attendee"))
        if slot < len(table) and seat.speaking_order != slot:
            expect(page.locator("[data-now-text]")).to_contain_text(table[slot].attendee.name)
            current = page.locator('.stop:visible .tablemate[aria-current="true"]')
            expect(current).to_contain_text(table[slot].attendee.name)
            expect(current.locator(".pitching-label")).to_be_visible()
    largest = max(
        t.seats.count()
        for t in Round.objects.get(event=evening.event, number=round_number).tables.all()
    )
    if slot < largest:
        expect(evening.projector.locator("[data-turn-label]")).to_contain_text(
            re.compile(rf"Pitch {slot + 1} · \d:\d\d")
        )


def mark_gone_mid_round(evening: Evening, number: int) -> Attendee:
    """Mid-round (paused, so the room's pitch slots wait for the assertions), the organizer marks
    the current pitcher of a table gone on the attendee list. Her tablemates' phones drop her at
    once and, resumed, the next pitcher speaks a full slot; the projector drops her from "find
    your table" and counts one person fewer; the coming rounds are re-planned without her."""
    seat = next(
        seat
        for seat in Seat.objects.filter(
            round__event=evening.event,
            round__number=number,
            speaking_order=0,
            attendee_id__in=evening.phones,
            attendee__left_at__isnull=True,
        )
        .select_related("attendee", "table")
        .order_by("table__number")
        if seat.table.seats.count() >= 3
    )
    her, stop = seat.attendee, f'.stop[data-round-number="{number}"]'
    wait = {"timeout": 15_000}  # a loaded machine: pushes and redraws may take seconds
    mates = list(seat.table.seats.exclude(pk=seat.pk).order_by("speaking_order"))
    next_pitcher, listener = mates[0].attendee, mates[1].attendee
    people = evening.projector.locator("[data-people]")
    # the count from the database, not the projector's line read at one moment (a fetch for an
    # earlier change may still be on its way on a loaded machine)
    here = Attendee.objects.present().filter(event=evening.event, erased_at__isnull=True).count()
    expect(people).to_have_text(f"{here} people checked in", **wait)
    evening.act("pause")
    expect(evening.phones[next_pitcher.pk].locator(".room")).to_have_attribute(
        "data-now", "paused", **wait
    )
    door = evening.organizer.context.new_page()
    door.goto(f"{evening.base}/events/{evening.event.pk}/attendees/")
    door.once("dialog", lambda dialog: dialog.accept())  # "Mark … as gone home?"
    gone = door.locator(f"#attendee-{her.pk}-row [data-presence=left]")
    gone.click()
    expect(gone).to_be_disabled()  # the server's answer: she is marked gone
    door.close()

    evening.expect_phone(her.pk, "left", None)
    # in her phone's language: which pitcher she is depends on the plan (the Chinese phone too)
    chinese = (evening.phones[her.pk].locator("html").get_attribute("lang") or "").startswith("zh")
    expect(evening.phones[her.pk].locator("[data-now-text]")).to_contain_text(
        "感谢你的到来！" if chinese else "Thank you for coming!", **wait
    )
    for mate in (next_pitcher, listener):
        if mate.pk not in evening.phones:
            continue
        # her seat is vacated: the table without her
        phone = evening.phones[mate.pk]
        expect(phone.locator(f"{stop} .tablemate")).to_have_count(len(mates), **wait)
        expect(phone.locator(f'{stop} .tablemate[data-person="{her.pk}"]')).to_have_count(0)
        # the screen reader's region no longer says she is pitching ("Now pitching: …")
        expect(phone.locator("[data-live-announcer]")).not_to_contain_text(her.name, **wait)
    expect(people).to_have_text(f"{here - 1} people checked in", **wait)
    evening.expect_projector("paused", seating_round=number)
    expect(evening.projector.locator(".find-list")).not_to_contain_text(her.name, **wait)

    evening.act("resume")
    # her table's next pitcher speaks at once, for a whole slot, and the table names him
    evening.expect_phone(next_pitcher.pk, "my_turn", number)
    if listener.pk in evening.phones:
        evening.expect_phone(listener.pk, "listening", number)
        listening = evening.phones[listener.pk]
        expect(listening.locator("[data-now-text]")).to_contain_text(next_pitcher.name, **wait)
        current = listening.locator(f'{stop} .tablemate[aria-current="true"]')
        expect(current).to_contain_text(next_pitcher.name, **wait)
    # one table speaks on its own turn clock now: no single pitch number on the projector
    expect(evening.projector.locator("[data-turn-label]")).to_have_text(
        "Pitches under way at every table", **wait
    )
    # the coming rounds were re-planned without her, on every phone that shows them
    assert not Seat.objects.filter(attendee=her, round__number__gte=number).exists()
    coming = ", ".join(
        f'.stop[data-round-number="{n}"] .tablemate[data-person="{her.pk}"]'
        for n in range(number, evening.event.rounds_count + 1)
    )
    for page in evening.phones.values():
        expect(page.locator(coming)).to_have_count(0, **wait)
    evening.screenshot(f"round{number}-gone")
    return her


def test_whole_evening_every_phone_and_the_projector_agree_with_the_database(
    chromium, evening_server
):
    base = evening_server
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        title="Harbor Founders Night",
        join_code="HARBOR",
        rounds_count=3,
        table_size=3,
        pitch_seconds=30,
        round_seconds=120,
        with_conduct=True,
    )
    people = [AttendeeFactory(event=event, name=name, checked_in=True) for name in NAMES]
    for person in people:
        PitchFactory(attendee=person, ask=f"Who do you know who can help {person.name}?")
    # Ana's need and Bo's offer share no word, only their meaning: the plan seats them together
    # and Ana's phone says why (the other pitches are all alike).
    mentor_line = "Sold a solar mini-grid company, now a mentor."
    people[0].pitch.need = "Fifteen years in oil and gas, moving into renewables."
    people[0].pitch.save()
    people[1].pitch.offer = mentor_line
    people[1].pitch.save()
    people[1].company = ""  # the factory's "Company <n>" would change what the model reads
    people[1].save()
    no_show = people[-1]

    organizer = sign_in(chromium, base, height=900)
    organizer.on("dialog", lambda dialog: dialog.accept())  # mingle and close ask first
    organizer.goto(f"{base}/events/{event.pk}/control/")
    width, height = map(int, os.environ.get("SPEEDNET_SCREENS_PROJECTOR", "1280x720").split("x"))
    projector = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    projector.set_default_timeout(15_000)
    projector.goto(f"{base}/p/{event.projector_key}/")
    evening = Evening(base=base, event=event, organizer=organizer, projector=projector)

    # Check-in, no plan yet: four phones open; nobody has a table.
    cut_sockets: list = []
    for person in people[:4]:
        evening.open_phone(chromium, person, sockets=cut_sockets if person == people[2] else None)
    evening.expect_room(None, {p.pk: "waiting_plan" for p in people[:4]})
    evening.expect_projector("check_in")
    expect(projector.locator("[data-people]")).to_contain_text("7 people checked in")
    # The door ticks someone off by mistake and back: their open phone follows each tick at
    # once, with no reload (it said "Check in at the door" until a reload showed the truth).
    door = organizer.context.new_page()
    door.goto(f"{base}/events/{event.pk}/attendees/")
    for presence, kind in (("undo", "welcome"), ("check_in", "waiting_plan")):
        tick = door.locator(f"#attendee-{people[3].pk}-row button[data-presence={presence}]")
        tick.click()
        expect(tick).to_be_disabled()
        evening.expect_phone(people[3].pk, kind, None)
    door.close()
    # Two people on the list who never come to the door, with no pitch, their phones open all
    # evening (one in Chinese): never seated, each is asked for a pitch in words true at the
    # time, and loads its itinerary only when the plan changes, not at every state.
    strays = [
        open_stray(chromium, base, AttendeeFactory(event=event, name=name), locale=locale)
        for name, locale in (("Ivy Wong", "en-US"), ("Jun Li", "zh-CN"))
    ]
    english, chinese_stray = strays
    english.expect_prompt("before", "Write your 30-second pitch before the rounds start.")
    chinese_stray.expect_prompt("before", "请在各轮开始前写好你的 30 秒自我介绍。")
    for stray in strays:
        stray.screenshot("check-in")
    evening.screenshot("check-in")

    # The plan: every open phone shows its first table and only round 1's tablemates.
    with english.page.expect_request(lambda r: "/itinerary/" in r.url):
        evening.act("plan")  # a plan made: the strays look whether they are in it
    evening.expect_room(1, {p.pk: "first_table" for p in people[:4]})
    for stray in strays:
        expect(stray.page.locator(".room")).to_have_attribute("data-now", "welcome")
    # not at the door: asked to check in there, not told "You're checked in"
    expect(english.page.locator("[data-now-text]")).to_contain_text("Check in at the door")
    evening.expect_projector("check_in", seating_round=1)
    for page in evening.phones.values():
        expect(page.locator(".card-buttons:visible")).to_have_count(0)
    # "Why this table": Ana's phone, open since check-in, names Bo in the round they share,
    # with a line from his offer, and no other tablemate of hers (nobody else can help her).
    together = [
        n
        for n in range(1, event.rounds_count + 1)
        if seat_table(people[0].pk, n) is not None
        and seat_table(people[0].pk, n) == seat_table(people[1].pk, n)
    ]
    assert together, "the plan did not seat Ana with the only person who can help her"
    ana_phone = evening.phones[people[0].pk]
    why = ana_phone.locator(
        f'.stop[data-round-number="{together[0]}"] .tablemate[data-person="{people[1].pk}"] .why'
    )
    expect(why).to_have_text(f"May help you: {people[1].name}: {mentor_line}")
    expect(ana_phone.locator(".why")).to_have_count(len(together))
    evening.open_phone(chromium, people[4], locale="zh-CN")  # fresh after the plan, in Chinese
    evening.expect_phone(people[4].pk, "first_table", 1)
    chinese = evening.phones[people[4].pk]
    expect(chinese.locator("[data-now-text]")).to_have_text(
        f"你的第一桌：{seat_table(people[4].pk, 1)} 号桌"
    )
    evening.screenshot("planned")

    # Round 1: the count-in, then each pitch slot.
    evening.act("start")
    evening.expect_room(1, {pk: "starting" for pk in evening.phones})
    evening.expect_projector("starting", seating_round=1)
    evening.expect_room(1, slot_kinds(event, 1, 0, evening.phones))
    expect_pitchers(evening, 1, 0)
    evening.expect_projector("running", seating_round=1)
    # The rounds have started: the open strays no longer say "before the rounds start".
    during = "Write your 30-second pitch now, so it is ready when you get a table."
    english.expect_prompt("rounds", during)
    chinese_stray.expect_prompt("rounds", "现在就写好你的 30 秒自我介绍，入座时就能用上。")
    for stray in strays:
        stray.screenshot("round1")
    # A stray's socket drops and comes back: its state on connect changes nothing it shows.
    english.page.context.set_offline(True)
    expect(english.page.locator(".room")).to_have_attribute("data-connection", "reconnecting")
    english.page.context.set_offline(False)
    expect(english.page.locator(".room")).to_have_attribute("data-connection", "open")
    english.expect_prompt("rounds", during)
    for page in evening.phones.values():
        expect(page.locator(".stop:visible .card-buttons").first).to_be_visible()
    # A listener hands the pitcher a card: it shows at the top of the pitcher's phone.
    giver_seat = next(
        seat
        for seat in Seat.objects.filter(round__number=1, attendee_id__in=evening.phones)
        .select_related("attendee", "table")
        .order_by("table__number", "speaking_order")
        if seat.speaking_order > 0
        and seat.attendee_id != people[4].pk  # an English phone taps the English label
        and seat.table.seats.filter(speaking_order=0, attendee_id__in=evening.phones).exists()
    )
    pitcher = giver_seat.table.seats.get(speaking_order=0).attendee
    giver_phone = evening.phones[giver_seat.attendee_id]
    giver_phone.get_by_role("button", name=f"See me — {pitcher.name}").click()
    pitcher_phone = evening.phones[pitcher.pk]
    toast = pitcher_phone.locator("[data-card-toast]")
    said = "：来找我" if pitcher.pk == people[4].pk else ": See me"  # people[4]'s phone is Chinese
    expect(toast).to_have_text(f"{giver_seat.attendee.name}{said}")
    expect(toast).to_be_in_viewport()
    expect(pitcher_phone.locator("[data-card-count]")).to_have_text("1")
    expect(pitcher_phone.locator("[data-card-feed]")).to_contain_text(giver_seat.attendee.name)
    evening.screenshot("round1-slot1")

    # A phone reloaded mid-round says the same.
    reloaded = evening.phones[people[1].pk]
    reloaded.reload()
    evening.expect_room(1, slot_kinds(event, 1, 0, [people[1].pk]))

    evening.act("announce", text="Coffee is in the lobby")
    for page in [*evening.phones.values(), projector]:
        expect(page.locator("[data-live-announcement]")).to_have_text("Coffee is in the lobby")

    evening.act("skip")
    evening.expect_room(1, slot_kinds(event, 1, 1, evening.phones))
    expect_pitchers(evening, 1, 1)
    evening.screenshot("round1-slot2")

    evening.act("pause")
    evening.expect_room(1, {pk: "paused" for pk in evening.phones})
    evening.expect_projector("paused", seating_round=1)
    evening.screenshot("paused")
    evening.act("resume")
    evening.expect_room(1, slot_kinds(event, 1, 1, evening.phones))
    evening.act("extend")
    evening.expect_room(1, slot_kinds(event, 1, 1, evening.phones))

    # One phone loses its socket and gets it back.
    cut = evening.phones[people[2].pk]
    opened = len(cut_sockets)
    cut_sockets[-1].close(code=4000, reason="the venue Wi-Fi dropped")
    expect(cut.locator(".room")).to_have_attribute("data-connection", "open", timeout=20_000)
    assert len(cut_sockets) == opened + 1
    evening.expect_room(1, slot_kinds(event, 1, 1, [people[2].pk]))

    evening.act("clear_announcement")
    for page in [*evening.phones.values(), projector]:
        expect(page.locator("[data-live-announcement]")).to_be_hidden()

    evening.act("skip")
    evening.expect_room(1, slot_kinds(event, 1, 2, evening.phones))
    expect_pitchers(evening, 1, 2)
    evening.act("skip")
    evening.expect_room(1, slot_kinds(event, 1, 3, evening.phones))  # everyone talks freely
    evening.screenshot("round1-open")

    # Between rounds, without a re-plan: every phone says where to go for round 2. The end of
    # round 1 is said on the phones that sat in it, not on the strays' (never seated).
    evening.act("end")
    for page in evening.phones.values():
        expect(page.locator("[data-live-announcer]")).to_have_text(
            re.compile(r"The round is over\.|本轮已结束。")
        )
    for stray in strays:
        expect(stray.page.locator("[data-live-announcer]")).not_to_contain_text(
            re.compile(r"round is over|本轮已结束")
        )
    evening.expect_room(2, {pk: between_kind(pk, 2) for pk in evening.phones})
    said = {"move": "请移步到 {} 号桌", "stay": "留在 {} 号桌"}[between_kind(people[4].pk, 2)]
    chinese_table = seat_table(people[4].pk, 2)
    expect(chinese.locator("[data-now-text]")).to_have_text(said.format(chinese_table))
    evening.expect_projector("between", seating_round=2)
    evening.open_phone(chromium, people[5])  # loaded fresh between rounds
    evening.expect_phone(people[5].pk, between_kind(people[5].pk, 2), 2)
    evening.open_phone(chromium, no_show)
    evening.expect_phone(no_show.pk, between_kind(no_show.pk, 2), 2)
    evening.screenshot("between")

    # A no-show and a late arrival, then the re-plan. The no-show's phone is out of the Wi-Fi
    # when the door marks them gone: back, it shows no table (it used to keep showing its table
    # until the re-plan), although their seats stay in the plan until then.
    gone_phone = evening.phones[no_show.pk]
    gone_phone.context.set_offline(True)
    expect(gone_phone.locator(".room")).to_have_attribute("data-connection", "reconnecting")
    in_a_thread(event_services.mark_left, no_show, by=None)  # it pushes to the control page
    gone_phone.context.set_offline(False)
    expect(gone_phone.locator(".room")).to_have_attribute("data-connection", "open")
    assert seat_table(no_show.pk, 2) is not None
    evening.expect_phone(no_show.pk, "left", None)  # marked gone: check in again at the door
    expect(gone_phone.locator("[data-now-text]")).to_contain_text("Thank you for coming!")
    evening.screenshot("gone-while-away")
    late_phone = chromium.new_context(**PHONE).new_page()
    late_phone.set_default_timeout(15_000)
    late_phone.goto(f"{base}/join/HARBOR/")
    late_phone.fill("#id_name", "Hana Sato")
    late_phone.click("button[type=submit]")
    accept_conduct(late_phone)
    late = Attendee.objects.get(event=event, name="Hana Sato")
    evening.phones[late.pk] = late_phone
    evening.expect_phone(late.pk, "not_seated", None)
    loads: list[str] = []
    for pk, page in evening.phones.items():
        # Bound to redraw from the push: the phones connected since round 1. A phone with no
        # seat (the late arrival, the no-show who left) looks when the state says the plan
        # changed, and one opened moments ago may look once on its first state after the
        # re-plan.
        if pk not in (late.pk, no_show.pk, people[5].pk):
            page.on("request", lambda request: loads.append(request.url))
    with english.page.expect_request(lambda r: "/itinerary/" in r.url):
        evening.act("replan")  # a plan re-made: the strays look whether they are in it now
    kinds = {pk: between_kind(pk, 2) for pk in evening.phones}
    kinds[no_show.pk] = "left"
    evening.expect_room(2, kinds)
    reloaded_by = {  # who loaded their itinerary (a failure names them)
        Attendee.objects.get(token=url.split("/a/")[1].split("/")[0]).name
        for url in loads
        if "/itinerary/" in url
    }
    assert reloaded_by == set()  # redrawn from the push
    for stray in strays:
        expect(stray.page.locator(".room")).to_have_attribute("data-now", "welcome")
    evening.expect_projector("between", seating_round=2)
    assert seat_table(late.pk, 2) is not None
    assert seat_table(no_show.pk, 2) is None
    evening.screenshot("replanned")

    # Round 2, then round 3, the last.
    for number in (2, 3):
        evening.act("start")
        kinds = slot_kinds(event, number, 0, evening.phones)
        evening.expect_room(number, kinds)
        expect_pitchers(evening, number, 0)
        if number == 2:  # someone goes home in the middle of a pitch
            mark_gone_mid_round(evening, number)
        # Marked gone: thanked for coming, with no table, round line, clock or cards.
        gone_phone = evening.phones[no_show.pk]
        expect(gone_phone.locator("[data-now-text]")).to_contain_text("Thank you for coming!")
        expect(gone_phone.locator(".round-line")).to_be_hidden()
        expect(gone_phone.locator("[data-now-clock]")).to_be_hidden()
        expect(gone_phone.locator(".card-buttons:visible")).to_have_count(0)
        evening.expect_projector("running", seating_round=number)
        # "Don't seat me with…" acts on a re-plan: offered while a round is left to seat, gone
        # from every open phone once the last one has started.
        for page in evening.phones.values():
            if number == 3:
                expect(page.locator(".room-apart")).to_be_hidden()
            else:
                expect(page.locator(".room-apart")).to_be_visible()
        evening.screenshot(f"round{number}")
        evening.act("end")
    mingle = {pk: "mingle" for pk in evening.phones}
    mingle[no_show.pk] = "mingle"
    evening.expect_room(None, mingle)
    evening.expect_projector("last_over")
    absent_texts = (
        "The rounds are over. Check in at the door to join the mingling.",
        "各轮已结束。请在门口签到，加入自由交流。",
    )
    # no more rounds to pitch in: no prompt; never here: nobody to find, the door to go to
    for stray, absent_text in zip(strays, absent_texts, strict=True):
        expect(stray.page.locator(".room")).to_have_attribute("data-now", "mingle_absent")
        expect(stray.page.locator("[data-now-text]")).to_have_text(absent_text)
        expect(stray.page.locator(".room-apart")).to_be_hidden()
        # no "they arrive here live while you pitch": no pitch is left
        expect(stray.page.locator("[data-card-feed] [data-empty]")).to_be_hidden()
        stray.expect_prompt("none")
        stray.screenshot("after-last-round")
    evening.screenshot("after-last-round")

    evening.act("mingle")
    evening.expect_room(None, mingle)
    evening.expect_projector("mingle")
    for attendee_id, page in evening.phones.items():
        expect(page.locator(".now-leads a")).to_be_visible()
        # My leads once (the quiet link at the bottom gives way to the panel's)
        expect(page.locator(".room-links .room-leads")).to_be_hidden()
        # mingling is finding who tapped "See me": the cards received stay in view
        received = Card.objects.filter(receiver_id=attendee_id).count()
        expect(page.locator(".received")).to_be_visible()
        expect(page.locator("[data-card-count]")).to_have_text(str(received))
        expect(page.locator("[data-card-feed] li:not([data-empty])")).to_have_count(received)
        expect(page.locator("[data-card-feed] [data-empty]")).to_be_hidden()
        expect(page.locator(".room-apart")).to_be_hidden()  # no seating plan is left
    assert Card.objects.filter(receiver_id__in=evening.phones).exists()
    evening.screenshot("mingle")

    evening.act("announce", text="Thank you all")
    evening.act("close")
    evening.expect_room(None, {pk: "closed" for pk in evening.phones})
    evening.expect_projector("closed")
    expect(projector.locator("[data-screen-text]")).to_have_text(
        "This event has ended. Thank you for coming!"
    )
    for page in [*evening.phones.values(), projector]:
        expect(page.locator("[data-live-announcement]")).to_be_hidden()
    evening.screenshot("closed")
    # The strays loaded their itinerary only when the plan changed: made, re-made between rounds,
    # and twice for the person gone mid-round (her seat vacated, the coming rounds re-planned),
    # although their sockets brought more states (each connect, mingle, the close).
    # They never came: no thanks for coming, only that the event is closed.
    for stray, closed_text in zip(strays, ("The event is closed.", "活动已结束。"), strict=True):
        expect(stray.page.locator(".room")).to_have_attribute("data-now", "closed_absent")
        expect(stray.page.locator("[data-now-text]")).to_have_text(closed_text)
        stray.expect_prompt("none")
        assert stray.states() >= 5
        assert len(stray.loads) == 4, stray.loads

    # A phone loaded fresh after the close says the same as the others.
    evening.phones[people[6].pk].reload()
    evening.expect_phone(people[6].pk, "closed", None)
    expect(evening.phones[people[6].pk].locator(".room-apart")).to_have_count(0)
