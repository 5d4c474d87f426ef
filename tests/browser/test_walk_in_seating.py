"""Walk-ins seated when a round starts (the event's switch), in Chromium: the phones already
open at the table the walk-in joins count the walk-in among the table's pitches ("Pitch 1 of
4") and have them last in the speaking order, from the push, without a reload; the walk-in's own
phone shows its table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rounds import services
from rounds.models import Round, Table
from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_phones_at_the_walk_ins_table_count_them_and_name_their_turn(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer,
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=180,
        is_seating_walk_ins=True,
    )
    AttendeeFactory.create_batch(18, event=event, checked_in=True)  # tables of 4, 4, 4, 3, 3
    in_a_thread(services.make_plan, event, by=None, time_limit=0.3)
    first = Round.objects.get(event=event, number=1)
    with_room = [table for table in Table.objects.filter(round=first) if table.seats.count() < 4]
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    phones = {}
    for person in [*(s.attendee for t in with_room for s in t.seats.all()), walk_in]:
        page = chromium.new_context(**PHONE).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{person.token}/")
        expect(page.locator("[data-live]").first).to_have_attribute(
            "data-connection", "open", timeout=15_000
        )
        phones[person.pk] = page

    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    start = laptop.locator(f"#event-{event.pk}-control button[data-action=start]")
    expect(start).to_have_text("Start round 1", timeout=15_000)
    start.click()
    for _ in range(150):  # the server seats the walk-in as it starts the round
        if Round.objects.get(pk=first.pk).status == Round.Status.RUNNING:
            break
        laptop.wait_for_timeout(100)

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
