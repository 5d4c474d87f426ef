"""The rescue round in Chromium: the organizer presses the control panel's next step between the
second-to-last and the last round, and an open phone whose table changed shows its new table for
the last round at once (from the push, without a reload)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rounds import services
from rounds.models import Seat
from tests.browser.conftest import PHONE, rescue_evening, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, UserFactory
from tests.rounds.test_rescue_round import play


def last_table(attendee_id: int) -> int:
    return Seat.objects.get(attendee_id=attendee_id, round__number=3).table.number


def between_kind(attendee_id: int) -> str:
    """What the phone says between rounds 2 and 3: "stay" when its table number is the same in
    both, else "move"."""
    tables = dict(
        Seat.objects.filter(attendee_id=attendee_id, round__number__in=(2, 3)).values_list(
            "round__number", "table__number"
        )
    )
    return "stay" if tables[2] == tables[3] else "move"


@pytest.mark.django_db(transaction=True)
def test_rescue_round_moves_a_phone_to_its_new_table_for_the_last_round(live_server_url, chromium):
    event, by_id, pitcher, helper = rescue_evening(organizer=UserFactory(username="org"))
    before = {pk: last_table(pk) for pk in (pitcher, helper)}
    phones = {}
    for pk in (pitcher, helper):
        page = chromium.new_context(**PHONE).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{by_id[pk].token}/")
        status = page.locator("[data-now-text]")
        expect(page.locator(".room")).to_have_attribute(
            "data-now", between_kind(pk), timeout=15_000
        )
        expect(status).to_have_attribute("data-table", str(before[pk]), timeout=15_000)
        phones[pk] = page
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    panel = laptop.locator(f"#event-{event.pk}-control")
    expect(panel.locator(".control-next")).to_contain_text("Rescue round", timeout=15_000)

    panel.locator("button[data-action=rescue]").click()

    expect(panel.locator(".notice")).to_contain_text(
        "1 now sits with someone who can help", timeout=15_000
    )
    expect(panel.locator("button[data-action=start]")).to_be_enabled(timeout=15_000)
    after = {pk: last_table(pk) for pk in (pitcher, helper)}
    assert after != before  # one of the two walks to the other's table
    assert (
        Seat.objects.get(attendee_id=pitcher, round__number=3).table_id
        == Seat.objects.get(attendee_id=helper, round__number=3).table_id
    )
    for pk, page in phones.items():
        status = page.locator("[data-now-text]")
        expect(page.locator(".room")).to_have_attribute("data-now", between_kind(pk))
        expect(status).to_have_attribute("data-table", str(after[pk]), timeout=15_000)
        expect(status).to_contain_text(str(after[pk]), timeout=15_000)
    # the pitcher's phone says at once who may help, as a reload does
    last_stop = phones[pitcher].locator('.stop[data-round-number="3"]')
    expect(last_stop.locator(".why")).to_contain_text(
        f"May help you: {by_id[helper].name}: I have ten years in", timeout=15_000
    )


@pytest.mark.django_db(transaction=True)
def test_rescue_round_leaves_no_rescue_button_on_a_co_organizers_open_panel(
    live_server_url, chromium
):
    """Owner and co-organizer both have the control panel open; once the owner's rescue ran, the
    co-organizer's panel offers the last round (the pushed state is drawn again) and no rescue."""
    event = EventFactory(
        organizer=UserFactory(username="org"),
        check_in=True,
        rounds_count=3,
        table_size=4,
        round_seconds=180,
        is_rescuing_last_round=True,
    )
    event.co_organizers.add(UserFactory(username="co"))
    AttendeeFactory.create_batch(12, event=event, checked_in=True)

    def first_two_rounds() -> None:
        services.make_plan(event, by=None, time_limit=0.3)
        play(event, 1, 2)

    in_a_thread(first_two_rounds)
    laptops = [sign_in(chromium, live_server_url, name) for name in ("org", "co")]
    for laptop in laptops:
        laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
        expect(laptop.locator("[data-live]")).to_have_attribute("data-connection", "open")
        expect(laptop.locator("button[data-action=rescue]")).to_be_enabled()
    owner, co_organizer = laptops

    owner.locator("button[data-action=rescue]").click()

    expect(owner.locator(".control-panel .notice")).to_contain_text("rescue round")
    panel = co_organizer.locator(f"#event-{event.pk}-control")
    expect(panel.locator("button[data-action=rescue]")).to_have_count(0, timeout=15_000)
    expect(panel.locator("button[data-action=start]")).to_be_enabled()
    expect(panel.locator(".control-next")).to_contain_text("Start round 3")


def round_three_stop(attendee_id: int) -> tuple[int, frozenset[int]]:
    """The attendee's table in round 3 and who sits there."""
    seat = Seat.objects.select_related("table").get(attendee_id=attendee_id, round__number=3)
    people = Seat.objects.filter(table=seat.table).values_list("attendee_id", flat=True)
    return seat.table.number, frozenset(people)


@pytest.mark.django_db(transaction=True)
def test_rescue_round_tells_a_phone_whose_coming_table_changed_and_no_other(
    live_server_url, chromium
):
    event, by_id, pitcher, helper = rescue_evening(organizer=UserFactory(username="org"))
    before = {pk: round_three_stop(pk) for pk in by_id}
    busy = {before[pitcher][0], before[helper][0]}
    others = [pk for pk in before if before[pk][0] not in busy][:2]
    pages = {}
    for pk in (pitcher, helper, *others):
        person = by_id[pk]
        page = chromium.new_context(**PHONE).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server_url}/a/{by_id[person.pk].token}/")
        expect(page.locator(".room")).to_have_attribute("data-now", between_kind(person.pk))
        pages[person.pk] = page
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    panel = laptop.locator(f"#event-{event.pk}-control")
    expect(panel.locator(".control-next")).to_contain_text("Rescue round", timeout=15_000)

    panel.locator("button[data-action=rescue]").click()

    expect(panel.locator("button[data-action=start]")).to_be_enabled(timeout=15_000)
    after = {pk: round_three_stop(pk) for pk in by_id}
    moved = next(pk for pk in (pitcher, helper) if after[pk][0] != before[pk][0])
    still = next(pk for pk in pages if after[pk] == before[pk])
    notice = pages[moved].locator("[data-plan-notice]")
    expect(notice).to_be_visible(timeout=15_000)
    expect(notice).to_have_text(f"Your table for round 3 changed: now table {after[moved][0]}.")
    expect(pages[moved].locator("[data-now-text]")).to_have_attribute(
        "data-table", str(after[moved][0])
    )
    expect(pages[still].locator("[data-now-text]")).to_have_attribute(
        "data-table", str(after[still][0])
    )
    expect(pages[still].locator("[data-plan-notice]")).to_be_hidden()
