"""Walk-ins seated when a round starts (the event's switch), in Chromium. The organizer starts
the round from the control panel; then:

- the phones already open at a table a walk-in joins count the walk-in among the table's
  pitches ("Pitch 1 of 4") and have them last in the speaking order, from the push, without a
  reload; the walk-in's own phone shows its table;
- with several walk-ins, every phone at every table they join lists the table as the database
  has it, a tablemate's phone asleep at the start shows them once it reconnects, a walk-in's
  phone opened after the start shows its table, the projector's "find your table" list has them
  and the control panel no longer says they are not seated;
- when the walk-in's pitch slot comes every phone at the table names them (a phone in Chinese
  included) and the walk-in's own phone says it is their turn;
- a tablemate gives the walk-in a card from the stop the push redrew.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from rounds import services
from rounds.models import Round, Seat, Table
from tests.browser.conftest import PHONE, press_control, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, UserFactory


def planned_with_walk_ins(people: int, *, rounds: int, **fields):
    """An event that seats walk-ins at a round's start, ``people`` checked in and planned at
    tables of 4: (the event, its round 1, round 1's tables with room)."""
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=rounds,
        table_size=4,
        round_seconds=180,
        is_seating_walk_ins=True,
        **fields,
    )
    AttendeeFactory.create_batch(people, event=event, checked_in=True)
    in_a_thread(services.make_plan, event, by=None, time_limit=0.3)
    first = Round.objects.get(event=event, number=1)
    with_room = [table for table in Table.objects.filter(round=first) if table.seats.count() < 4]
    return event, first, with_room


def open_phone(chromium, url: str, person, **context):
    """(the browser context, the page) of ``person``'s phone, its socket open."""
    phone = chromium.new_context(**PHONE, **context)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/a/{person.token}/")
    expect(page.locator(".room")).to_have_attribute("data-connection", "open", timeout=15_000)
    return phone, page


def control_panel(chromium, url: str, event):
    laptop = sign_in(chromium, url)
    laptop.goto(f"{url}/events/{event.pk}/control/")
    return laptop


def start_first_round(laptop, event, first: Round) -> None:
    """Press "Start round 1" and wait until the server has started it (and seated walk-ins)."""
    start = laptop.locator(f"#event-{event.pk}-control button[data-action=start]")
    expect(start).to_have_text("Start round 1", timeout=15_000)
    start.click()
    for _ in range(150):
        if Round.objects.get(pk=first.pk).status == Round.Status.RUNNING:
            return
        laptop.wait_for_timeout(100)
    raise AssertionError("round 1 did not start")


def names_at(table: Table) -> list[str]:
    return list(table.seats.order_by("speaking_order").values_list("attendee__name", flat=True))


@pytest.mark.django_db(transaction=True)
def test_phones_at_the_walk_ins_table_count_them_and_name_their_turn(live_server_url, chromium):
    event, first, with_room = planned_with_walk_ins(18, rounds=3)  # tables of 4, 4, 4, 3, 3
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    phones = {
        person.pk: open_phone(chromium, live_server_url, person)[1]
        for person in [*(s.attendee for t in with_room for s in t.seats.all()), walk_in]
    }

    start_first_round(control_panel(chromium, live_server_url, event), event, first)

    joined = Table.objects.get(round=first, seats__attendee=walk_in)
    at_table = set(joined.seats.values_list("attendee_id", flat=True))
    assert len(at_table) == 4
    for pk, page in phones.items():
        stop = page.locator('.stop[data-round-number="1"]')
        if pk not in at_table:  # the other table with room: as it was
            expect(stop.locator("[data-seat-order]")).to_have_count(3, timeout=15_000)
            continue
        status = page.locator("[data-now-text]")
        expect(status).to_have_attribute("data-table", str(joined.number), timeout=15_000)
        expect(stop.locator("[data-seat-order]")).to_have_count(4, timeout=15_000)
        # the fourth pitch slot, the last in speaking order, is the walk-in's
        expect(stop.locator('[data-seat-order="3"]')).to_contain_text("Zoe Late", timeout=15_000)
        expect(page.locator("[data-now-detail]")).to_contain_text("of 4", timeout=15_000)


@pytest.mark.django_db(transaction=True)
def test_walk_ins_show_on_every_phone_at_their_tables_the_projector_and_the_panel(
    live_server_url, chromium
):
    event, first, with_room = planned_with_walk_ins(17, rounds=3)  # tables of 4, 4, 3, 3, 3
    walk_ins = [
        AttendeeFactory(event=event, name=name, checked_in=True)
        for name in ("Zoe Late", "Yan Later", "Xia Latest")
    ]
    mates = [seat.attendee for table in with_room for seat in table.seats.all()]
    asleep_context, asleep = open_phone(chromium, live_server_url, mates[0])
    phones = {mates[0].pk: asleep}
    for person in [*mates[1:], walk_ins[0]]:
        phones[person.pk] = open_phone(chromium, live_server_url, person)[1]
    expect(phones[walk_ins[0].pk].locator("[data-now-text]")).to_have_attribute(
        "data-table", "", timeout=15_000
    )
    screen = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    screen.goto(f"{live_server_url}/p/{event.projector_key}/")
    expect(screen.locator(".screen")).to_have_attribute("data-screen", "check_in", timeout=15_000)
    expect(screen.locator(".find-list")).not_to_contain_text("Zoe Late", timeout=15_000)

    asleep_context.set_offline(True)
    expect(asleep.locator(".room")).not_to_have_attribute("data-connection", "open", timeout=60_000)
    laptop = control_panel(chromium, live_server_url, event)
    expect(laptop.locator(f"#event-{event.pk}-gaps")).to_contain_text("Zoe Late", timeout=15_000)
    start_first_round(laptop, event, first)
    assert Seat.objects.filter(round=first, attendee__in=walk_ins).count() == 3

    late = phones.pop(walk_ins[0].pk)
    table = Table.objects.get(round=first, seats__attendee=walk_ins[0])
    expect(late.locator("[data-now-text]")).to_have_attribute(
        "data-table", str(table.number), timeout=15_000
    )
    for number in (1, 2, 3):
        stop = late.locator(f'.stop[data-round-number="{number}"] [data-seat-order] [data-name]')
        mine = Table.objects.get(
            round__event=event, round__number=number, seats__attendee=walk_ins[0]
        )
        expect(stop).to_have_text(names_at(mine), timeout=15_000)
    opened_after = open_phone(chromium, live_server_url, walk_ins[1])[1]
    table = Table.objects.get(round=first, seats__attendee=walk_ins[1])
    expect(opened_after.locator("[data-now-text]")).to_have_attribute(
        "data-table", str(table.number), timeout=15_000
    )

    asleep_context.set_offline(False)
    for pk, page in phones.items():
        for number in (1, 2, 3):
            mine = Table.objects.get(round__event=event, round__number=number, seats__attendee=pk)
            stop = page.locator(
                f'.stop[data-round-number="{number}"] [data-seat-order] [data-name]'
            )
            expect(stop).to_have_text(names_at(mine), timeout=60_000)
        expect(page.locator("[data-now-detail]")).to_contain_text(
            f"of {Table.objects.get(round=first, seats__attendee=pk).seats.count()}",
            timeout=15_000,
        )

    for person in walk_ins:
        expect(screen.locator(".find-list")).to_contain_text(person.name, timeout=15_000)
    expect(laptop.locator(f"#event-{event.pk}-gaps")).to_have_count(0, timeout=15_000)


@pytest.mark.django_db(transaction=True)
def test_the_walk_ins_turn_is_named_on_every_phone_at_the_table(live_server_url, chromium):
    # tables of 4, 4, 4, 3, 3; the walk-in's slot, the fourth, comes after 30 s
    event, first, with_room = planned_with_walk_ins(18, rounds=2, pitch_seconds=10)
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    phones = {}
    people = [*(s.attendee for t in with_room for s in t.seats.all()), walk_in]
    for index, person in enumerate(people):
        chinese = index % 2 == 1
        language = {
            "locale": "zh-CN" if chinese else "en-US",
            "extra_http_headers": {"Accept-Language": "zh-Hans" if chinese else "en"},
        }
        phones[person.pk] = (chinese, open_phone(chromium, live_server_url, person, **language)[1])

    start_first_round(control_panel(chromium, live_server_url, event), event, first)

    joined = Table.objects.get(round=first, seats__attendee=walk_in)
    at_table = set(joined.seats.values_list("attendee_id", flat=True))
    assert len(at_table) == 4
    late_page = phones[walk_in.pk][1]
    expect(late_page.locator(".room")).to_have_attribute("data-now", "my_turn", timeout=60_000)
    for pk, (chinese, page) in phones.items():
        if pk == walk_in.pk or pk not in at_table:
            continue
        status = page.locator("[data-now-text]")
        expect(status).to_contain_text("Zoe Late", timeout=15_000)
        expect(page.locator(".room")).to_have_attribute("data-now", "listening", timeout=5_000)
        expect(page.locator("[data-now-detail]")).to_contain_text("4", timeout=5_000)
        if chinese:
            expect(status).not_to_contain_text("pitching", timeout=5_000)


@pytest.mark.django_db(transaction=True)
def test_a_tablemate_gives_the_walk_in_a_card_from_the_pushed_stop(live_server_url, chromium):
    event, first, [table] = planned_with_walk_ins(15, rounds=2)  # tables of 4, 4, 4, 3
    mate = table.seats.first().attendee
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    page = open_phone(chromium, live_server_url, mate)[1]

    start_first_round(control_panel(chromium, live_server_url, event), event, first)

    button = page.locator(
        f'.stop[data-round-number="1"] [data-card-kind="see_me"][data-receiver="{walk_in.pk}"]'
    )
    expect(button).to_be_visible(timeout=15_000)
    expect(page.locator(".room")).to_have_attribute("data-cards", "on", timeout=15_000)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true", timeout=15_000)
    for _ in range(100):
        if Card.objects.filter(receiver=walk_in).exists():
            break
        page.wait_for_timeout(100)
    card = Card.objects.get(receiver=walk_in)
    assert (card.giver_id, card.round.number, card.kind) == (mate.pk, 1, "see_me")


@pytest.mark.django_db(transaction=True)
def test_walk_in_checked_in_during_a_round_is_told_the_next_round_gives_a_table(
    live_server_url, chromium
):
    """Round 1 running at an event that seats walk-ins as a round starts: a walk-in the door
    checks in now (their phone open before, or opened after) is told "You get a table when
    round 2 starts", no table; when round 2 starts, the table it gave them. The end of round 1
    is not theirs to hear: "The round is over." is said only on the phones of people who sat in
    it."""
    event, first, _ = planned_with_walk_ins(18, rounds=3)
    seated = Seat.objects.filter(round=first).select_related("attendee").first().attendee
    early, late = (AttendeeFactory(event=event, name=name) for name in ("Zoe Early", "Yan Late"))
    seated_page = open_phone(chromium, live_server_url, seated)[1]
    early_page = open_phone(chromium, live_server_url, early)[1]
    laptop = control_panel(chromium, live_server_url, event)
    laptop.on("dialog", lambda dialog: dialog.accept())  # ending a round asks first
    start_first_round(laptop, event, first)
    # not at the door yet: asked to check in there, not told "You're checked in"
    expect(early_page.locator(".room")).to_have_attribute("data-now", "welcome")

    door = laptop.context.new_page()
    door.goto(f"{live_server_url}/events/{event.pk}/attendees/")
    for person in (early, late):
        tick = door.locator(f"#attendee-{person.pk}-row button[data-presence=check_in]")
        tick.click()
        expect(tick).to_be_disabled()
    late_page = open_phone(chromium, live_server_url, late)[1]

    for page in (early_page, late_page):
        expect(page.locator(".room")).to_have_attribute("data-now", "table_at_start")
        status = page.locator("[data-now-text]")
        expect(status).to_have_text("You get a table when round 2 starts")
        expect(status).to_have_attribute("data-table", "")
        expect(page.locator(".stop:visible")).to_have_count(0)

    # the round is under way on the phones (past its starting countdown) before it ends: a round
    # ended during the countdown was never running there, and nothing is said
    expect(seated_page.locator(".room")).to_have_attribute("data-phase", "running", timeout=10_000)
    press_control(laptop, event, "end")
    expect(seated_page.locator("[data-live-announcer]")).to_have_text("The round is over.")
    for page in (early_page, late_page):
        expect(page.locator(".room")).to_have_attribute("data-now", "table_at_start")
        expect(page.locator("[data-live-announcer]")).not_to_contain_text("round is over")

    press_control(laptop, event, "start")
    second = Round.objects.get(event=event, number=2)
    for person, page in ((early, early_page), (late, late_page)):
        table = Table.objects.get(round=second, seats__attendee=person)
        status = page.locator("[data-now-text]")
        expect(status).to_have_attribute("data-table", str(table.number), timeout=15_000)
        expect(page.locator('.stop:visible[data-round-number="2"]')).to_have_count(1)
