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

import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from events import services as event_services
from events.models import Attendee
from feedback import retention, tapsql
from feedback import services as feedback_services
from feedback.models import Card
from rounds import services
from rounds.models import Round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_card_for_the_running_round_is_given_while_a_transition_holds_it_locked(event):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    round_ = running(event)

    # a transition under way: the event and the round locked as ``services.lock`` does
    with Holding(lambda: services.lock(round_)), short_lock_wait():
        card = feedback_services.give_card(
            alice, receiver=bob, round_=round_, kind=Card.Kind.SEE_ME, client_id=uuid.uuid4()
        )

    assert Card.objects.get().pk == card.pk


class Holding:
    """``hold`` run in a transaction of its own on another thread, kept open until released."""

    def __init__(self, hold) -> None:
        self.hold = hold
        self.locked, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.hold()
                self.locked.set()
                self.release.wait(30)
        except BaseException as error:
            self.error = error
            self.locked.set()
        finally:
            connections.close_all()

    def __enter__(self) -> Holding:
        self.thread.start()
        assert self.locked.wait(30)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)


def running(event) -> Round:
    now = timezone.now()
    event.rounds.filter(number=1).update(
        status=Round.Status.RUNNING,
        started_at=now,
        turns_started_at=now,
        ends_at=now + timedelta(seconds=180),
    )
    return event.rounds.get(number=1)


def a_tap(receiver, round_: Round) -> dict:
    return {
        "action": "give",
        "receiver_id": receiver.pk,
        "round_number": round_.number,
        "kind": Card.Kind.SEE_ME,
        "client_id": uuid.uuid4(),
        "note": "",
    }


@contextmanager
def short_lock_wait():
    """Blocked: an error after a moment, not a hang (the session's own limit is 5 s)."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@pytest.mark.parametrize("presence", ["check_in", "mark_left", "undo_check_in"])
def test_cards_to_and_from_someone_are_given_while_the_door_changes_their_presence(event, presence):
    alice, bob, carol = list(event.attendees.order_by("pk")[:3])
    round_ = running(event)
    change = getattr(event_services, presence)

    with Holding(lambda: change(Attendee.objects.get(pk=bob.pk))), short_lock_wait():
        outcomes = feedback_services.tap_cards(
            [(alice.pk, a_tap(bob, round_)), (bob.pk, a_tap(carol, round_))]
        )

    assert [outcome.error for outcome in outcomes] == ["", ""]
    assert Card.objects.count() == 2


def test_two_batches_do_not_wait_for_each_other(event):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    round_ = running(event)

    with Holding(lambda: tapsql.people({alice.pk, bob.pk}, lock=True)), short_lock_wait():
        outcomes = feedback_services.tap_cards([(alice.pk, a_tap(bob, round_))])

    assert [outcome.error for outcome in outcomes] == [""]


def test_an_erasure_waits_for_a_batch_that_holds_the_person(event):
    """An erased person's cards are anonymised with them: the erasure must not slip between a
    batch's read of the person and its insert."""
    alice, bob = list(event.attendees.order_by("pk")[:2])

    with (
        Holding(lambda: tapsql.people({alice.pk, bob.pk}, lock=True)),
        short_lock_wait(),
        pytest.raises(OperationalError, match="lock timeout"),
    ):
        retention.erase_attendee(Attendee.objects.get(pk=bob.pk))

    assert Attendee.objects.get(pk=bob.pk).erased_at is None
