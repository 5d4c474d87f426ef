"""The walk-in's pitch slot, in Chromium: when it comes, every phone at the table names them
(a tablemate's phone in Chinese included) and the walk-in's own phone says it is their turn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rounds import services
from rounds.models import Round, Table
from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_the_walk_ins_turn_is_named_on_every_phone_at_the_table(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer,
        check_in=True,
        rounds_count=2,
        table_size=4,
        round_seconds=180,
        pitch_seconds=10,
        is_seating_walk_ins=True,
    )
    AttendeeFactory.create_batch(18, event=event, checked_in=True)  # tables of 4, 4, 4, 3, 3
    in_a_thread(services.make_plan, event, by=None, time_limit=0.3)
    first = Round.objects.get(event=event, number=1)
    with_room = [table for table in Table.objects.filter(round=first) if table.seats.count() < 4]
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    phones = {}
    people = [*(s.attendee for t in with_room for s in t.seats.all()), walk_in]
    for index, person in enumerate(people):
        chinese = index % 2 == 1
        context = chromium.new_context(
            **PHONE,
            locale="zh-CN" if chinese else "en-US",
            extra_http_headers={"Accept-Language": "zh-Hans" if chinese else "en"},
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{person.token}/")
        expect(page.locator(".room")).to_have_attribute("data-connection", "open", timeout=15_000)
        phones[person.pk] = (chinese, page)

    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    start = laptop.locator(f"#event-{event.pk}-control button[data-action=start]")
    expect(start).to_have_text("Start round 1", timeout=15_000)
    start.click()
    for _ in range(150):
        if Round.objects.get(pk=first.pk).status == Round.Status.RUNNING:
            break
        laptop.wait_for_timeout(100)
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
        detail = page.locator("[data-now-detail]")
        expect(detail).to_contain_text("4", timeout=5_000)
        if chinese:
            expect(status).not_to_contain_text("pitching", timeout=5_000)
        print(pk, chinese, status.text_content(), detail.text_content())
