"""Sitting with someone again (repeats forced by a small room): the card given them in an earlier
round shows as given in another round, and no tap in the later round takes it back, with its
note and introduction."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from rounds import services
from tests.browser.test_card_double_tap import listener_and_pitcher, open_phones
from tests.browser.test_projector import in_a_thread


def button_in(phone, round_number: int, kind: str, receiver):
    return phone.locator(
        f'.stop[data-round-number="{round_number}"] '
        f'[data-card-kind="{kind}"][data-receiver="{receiver.pk}"]'
    )


@pytest.mark.django_db(transaction=True)
def test_a_card_given_in_round_1_stays_given_when_the_same_people_sit_together_in_round_2(
    live_server_url, chromium
):
    # four people at one table of four for two rounds: they sit together in both
    listener, pitcher = listener_and_pitcher()
    phone = open_phones(live_server_url, chromium, listener)[listener.pk]

    phone.get_by_role("button", name=f"See me — {pitcher.name}").click()

    expect(button_in(phone, 1, "see_me", pitcher)).to_have_attribute("aria-pressed", "true")
    # the stop of round 2, not shown yet, already knows
    later = button_in(phone, 2, "see_me", pitcher)
    expect(later).to_have_attribute("data-given-elsewhere", "true")
    expect(later).to_have_attribute("aria-disabled", "true")
    card = Card.objects.get(giver=listener, receiver=pitcher)
    assert card.round.number == 1

    event = listener.event

    def next_round() -> None:
        services.end_round(event.rounds.get(number=1), by=None)
        services.start_round(event.rounds.get(number=2), by=None)

    in_a_thread(next_round)
    phone.reload()
    expect(phone.locator(".room")).to_have_attribute("data-connection", "open")
    later = button_in(phone, 2, "see_me", pitcher)
    expect(later).to_be_visible()
    expect(later).to_have_attribute("data-given-elsewhere", "true")
    expect(later).to_contain_text("Given in another round")
    # "See me" to someone else at the table in round 2 is an ordinary tap
    expect(button_in(phone, 2, "introduce", pitcher)).not_to_have_attribute(
        "data-given-elsewhere", "true"
    )

    # a person's taps (Playwright's click waits for an enabled button: aria-disabled says it is not)
    later.dispatch_event("click")
    phone.wait_for_timeout(1_500)  # a tap, had it been sent, would have been written by now
    later.dispatch_event("click")
    phone.wait_for_timeout(1_500)

    assert Card.objects.filter(pk=card.pk, round__number=1).exists()
    expect(later).to_have_attribute("data-given-elsewhere", "true")
