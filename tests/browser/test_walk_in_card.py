"""A card to the walk-in from the stop the start's push redrew, in Chromium: the round is
running, the buttons come from the page's template, and the card reaches the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from rounds import services
from rounds.models import Round, Table
from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_projector import in_a_thread
from tests.factories import AttendeeFactory, EventFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_tablemate_gives_the_walk_in_a_card_from_the_pushed_stop(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer,
        check_in=True,
        rounds_count=2,
        table_size=4,
        round_seconds=180,
        is_seating_walk_ins=True,
    )
    AttendeeFactory.create_batch(15, event=event, checked_in=True)  # tables of 4, 4, 4, 3
    in_a_thread(services.make_plan, event, by=None, time_limit=0.3)
    first = Round.objects.get(event=event, number=1)
    [table] = [table for table in Table.objects.filter(round=first) if table.seats.count() < 4]
    mate = table.seats.first().attendee
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    page = chromium.new_context(**PHONE).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server_url}/a/{mate.token}/")
    expect(page.locator(".room")).to_have_attribute("data-connection", "open", timeout=15_000)

    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    start = laptop.locator(f"#event-{event.pk}-control button[data-action=start]")
    expect(start).to_have_text("Start round 1", timeout=15_000)
    start.click()
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
