"""The production path's database: invariants hold under concurrent writers on PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from events import services
from tests.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_postgres_is_the_configured_database():
    assert connection.vendor == "postgresql"


def test_add_attendee_concurrent_duplicate_email_keeps_exactly_one():
    event = EventFactory()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def join() -> None:
        try:
            barrier.wait()
            services.add_attendee(event, name="Li Wei", email="li@example.com")
            outcomes.append("joined")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["joined", "refused", "refused", "refused"]
    assert event.attendees.count() == 1


def test_give_card_same_tap_sent_concurrently_is_stored_once():
    from feedback import services as feedback_services
    from feedback.models import Card
    from tests.factories import RoundFactory, SeatFactory, TableFactory

    round_ = RoundFactory(running=True, number=1)
    table = TableFactory(round=round_, number=1)
    pitcher = SeatFactory(table=table, speaking_order=0).attendee
    listener = SeatFactory(table=table, speaking_order=1).attendee
    tap = uuid.uuid4()
    barrier = threading.Barrier(4)
    cards: list[int] = []

    def tap_once() -> None:
        try:
            barrier.wait()
            card = feedback_services.give_card(
                listener, receiver=pitcher, round_=round_, kind="see_me", client_id=tap
            )
            cards.append(card.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(cards) == 4
    assert len(set(cards)) == 1
    assert Card.objects.count() == 1
