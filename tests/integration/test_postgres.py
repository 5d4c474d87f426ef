"""The production path's database: invariants hold under concurrent writers on PostgreSQL."""

from __future__ import annotations

import threading

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
