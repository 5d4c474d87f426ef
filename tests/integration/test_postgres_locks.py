"""What the organizer's transitions lock on PostgreSQL, and what they must not hold up.

A card references its round, so inserting one takes PostgreSQL's ``FOR KEY SHARE`` lock on the
round's row, which ``FOR UPDATE`` (Django's plain ``select_for_update``) blocks. Every socket
of a process does its database work on one thread: a card tap waiting for a transition's
lock on the running round held up every phone of that process meanwhile (a phone connecting
then was dropped by daphne's 5 s handshake timeout, pages were not)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Card
from rounds import services
from rounds.models import Round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_card_for_the_running_round_is_given_while_a_transition_holds_it_locked(event):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    now = timezone.now()
    event.rounds.filter(number=1).update(
        status=Round.Status.RUNNING,
        started_at=now,
        turns_started_at=now,
        ends_at=now + timedelta(seconds=180),
    )
    round_ = event.rounds.get(number=1)
    locked, release = threading.Event(), threading.Event()

    def transition() -> None:
        """A transition under way: the event and the round locked as ``services.lock`` does."""
        try:
            with transaction.atomic():
                services.lock(round_)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=transition)
    holder.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # blocked: an error, not a hang
        card = feedback_services.give_card(
            alice, receiver=bob, round_=round_, kind=Card.Kind.SEE_ME, client_id=uuid.uuid4()
        )
    finally:
        release.set()
        holder.join(30)

    assert Card.objects.get().pk == card.pk
