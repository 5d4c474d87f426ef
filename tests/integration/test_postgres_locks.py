"""What the organizer's transitions lock on PostgreSQL, and what they must not hold up.

A card references its round, so inserting one takes PostgreSQL's ``FOR KEY SHARE`` lock on the
round's row, which ``FOR UPDATE`` (Django's plain ``select_for_update``) blocks. Every socket
of a process does its database work on one thread: a card tap waiting for a transition's
lock on the running round held up every phone of that process meanwhile (a phone connecting
then was dropped by daphne's 5 s handshake timeout, pages were not). The same holds for the
attendee rows: a batch of taps locks its givers and receivers ``FOR KEY SHARE`` (the lock its
cards' foreign keys take), which a check-in, a "gone home" or a phone's own settings
(``FOR NO KEY UPDATE``) do not block; an erasure (``FOR UPDATE``) still waits for the batch."""

from __future__ import annotations

import uuid

import pytest
from django.db import OperationalError

from events import services as event_services
from events.models import Attendee
from feedback import retention, tapsql
from feedback import services as feedback_services
from feedback.models import Card
from rounds import services
from tests.integration.sessions import Holding, a_tap, running, shortened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_card_for_the_running_round_is_given_while_a_transition_holds_it_locked(event):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    round_ = running(event)

    # a transition under way: the event and the round locked as ``services.lock`` does
    with Holding(lambda: services.lock(round_)), shortened("lock_timeout", "1s"):
        card = feedback_services.give_card(
            alice, receiver=bob, round_=round_, kind=Card.Kind.SEE_ME, client_id=uuid.uuid4()
        )

    assert Card.objects.get().pk == card.pk


@pytest.mark.parametrize("presence", ["check_in", "mark_left", "undo_check_in"])
def test_cards_to_and_from_someone_are_given_while_the_door_changes_their_presence(event, presence):
    alice, bob, carol = list(event.attendees.order_by("pk")[:3])
    round_ = running(event)
    change = getattr(event_services, presence)

    with Holding(lambda: change(Attendee.objects.get(pk=bob.pk))), shortened("lock_timeout", "1s"):
        outcomes = feedback_services.tap_cards(
            [(alice.pk, a_tap(bob, round_)), (bob.pk, a_tap(carol, round_))]
        )

    assert [outcome.error for outcome in outcomes] == ["", ""]
    assert Card.objects.count() == 2


def test_two_batches_do_not_wait_for_each_other(event):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    round_ = running(event)

    with (
        Holding(lambda: tapsql.people({alice.pk, bob.pk}, lock=True)),
        shortened("lock_timeout", "1s"),
    ):
        outcomes = feedback_services.tap_cards([(alice.pk, a_tap(bob, round_))])

    assert [outcome.error for outcome in outcomes] == [""]


def test_an_erasure_waits_for_a_batch_that_holds_the_person(event):
    """An erased person's cards are anonymised with them: the erasure must not slip between a
    batch's read of the person and its insert."""
    alice, bob = list(event.attendees.order_by("pk")[:2])

    with (
        Holding(lambda: tapsql.people({alice.pk, bob.pk}, lock=True)),
        shortened("lock_timeout", "1s"),
        pytest.raises(OperationalError, match="lock timeout"),
    ):
        retention.erase_attendee(Attendee.objects.get(pk=bob.pk))

    assert Attendee.objects.get(pk=bob.pk).erased_at is None
