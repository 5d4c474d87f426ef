"""Fixtures shared by the integration tests (real daphne processes, PostgreSQL, Redis)."""

from __future__ import annotations

import pytest

from tests.factories import AttendeeFactory, EventFactory, RoundFactory, SeatFactory, TableFactory


@pytest.fixture
def event():
    """A checked-in event of two planned rounds: three people at table 1 in both."""
    event = EventFactory(check_in=True, rounds_count=2)
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    for number in (1, 2):
        table = TableFactory(round=RoundFactory(event=event, number=number), number=1)
        for order, person in enumerate(people):
            SeatFactory(table=table, attendee=person, speaking_order=order)
    return event
