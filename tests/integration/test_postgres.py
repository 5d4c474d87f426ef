"""The production path's database: invariants hold under concurrent writers on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from events import services
from events.models import Attendee
from tests.conftest import close_database_connections, database_sessions_left
from tests.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_postgres_enforces_one_email_per_event_whatever_its_case():
    """The functional unique index on Lower("email") is the database's own guarantee: a write
    that skips every form and service is still refused, and PostgreSQL's own catalogue holds
    the index (a query that fails on any other database)."""
    event = EventFactory()
    Attendee.objects.create(event=event, name="Li Wei", email="li@example.com")

    with (
        pytest.raises(IntegrityError, match="attendee_unique_email_per_event"),
        transaction.atomic(),
    ):
        Attendee.objects.create(event=event, name="Li Wei", email="LI@Example.com")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["attendee_unique_email_per_event"],
        )
        [(definition,)] = cursor.fetchall()
    assert "UNIQUE INDEX" in definition
    assert "(lower((email)::text), event_id) WHERE (NOT ((email)::text = ''::text))" in definition
    assert Attendee.objects.filter(event=event).count() == 1


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


def test_join_event_same_form_sent_three_times_at_once_joins_one_person():
    """A triple tap on "Join and check in": three requests with the form's one nonce, at once.
    The event's row lock orders them; the first adds the walk-in, the others find them."""
    event = EventFactory(check_in=True)
    nonce = "ZG91YmxlLXRhcC1ub25jZQ"
    barrier = threading.Barrier(3)
    joined: list[int] = []
    refused: list[str] = []

    def tap() -> None:
        try:
            barrier.wait()
            attendee = services.join_event(
                event, name="Li Wei", email="li@example.com", join_nonce=nonce
            )
            joined.append(attendee.pk)
        except ValidationError as refusal:
            refused.extend(refusal.messages)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert refused == []
    assert len(joined) == 3
    assert len(set(joined)) == 1
    assert list(event.attendees.values_list("pk", "email")) == [(joined[0], "li@example.com")]


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


def test_closing_the_database_connections_leaves_none_on_the_test_database():
    """What the test session does before the test database is dropped: a pool connection still
    lent to asgiref's sync thread (where ``database_sync_to_async`` runs in the tests) and this
    thread's are closed with the pool, so PostgreSQL can drop the database."""

    def borrow() -> None:  # a query on the sync thread, its connection not given back
        connection.ensure_connection()

    close_database_connections()
    # What another test's thread may still hold (a thread of its own, ended or not) is not
    # what this test is about: only the sessions opened here must go.
    before = {pid for pid, *_ in database_sessions_left(wait_s=1)}
    asyncio.run(sync_to_async(borrow, thread_sensitive=True)())
    connection.ensure_connection()
    assert len({pid for pid, *_ in database_sessions_left(wait_s=0)} - before) >= 1

    close_database_connections()

    assert [session for session in database_sessions_left() if session[0] not in before] == []
