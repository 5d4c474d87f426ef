"""Several walk-ins seated as the organizer starts a round, in Chromium: every phone at every
table they join lists the table as the database has it (names in speaking order, the walk-ins
last), a tablemate's phone asleep at the start shows them once it reconnects, the walk-ins' own
phones their tables, the projector's "find your table" list has them and the control panel no
longer says they are not seated."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rounds import services
from rounds.models import Round, Seat, Table
from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, UserFactory


def names_at(table: Table) -> list[str]:
    return list(table.seats.order_by("speaking_order").values_list("attendee__name", flat=True))


def open_phone(chromium, url: str, person):
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/a/{person.token}/")
    expect(page.locator(".room")).to_have_attribute("data-connection", "open", timeout=15_000)
    return context, page


@pytest.mark.django_db(transaction=True)
def test_walk_ins_show_on_every_phone_at_their_tables_the_projector_and_the_panel(
    live_server_url, chromium
):
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer,
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=180,
        is_seating_walk_ins=True,
    )
    AttendeeFactory.create_batch(17, event=event, checked_in=True)  # tables of 4, 4, 3, 3, 3
    in_a_thread(services.make_plan, event, by=None, time_limit=0.3)
    first = Round.objects.get(event=event, number=1)
    with_room = [table for table in Table.objects.filter(round=first) if table.seats.count() < 4]
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
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    expect(laptop.locator(f"#event-{event.pk}-gaps")).to_contain_text("Zoe Late", timeout=15_000)
    start = laptop.locator(f"#event-{event.pk}-control button[data-action=start]")
    expect(start).to_have_text("Start round 1", timeout=15_000)
    start.click()
    for _ in range(150):
        if Round.objects.get(pk=first.pk).status == Round.Status.RUNNING:
            break
        laptop.wait_for_timeout(100)
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
