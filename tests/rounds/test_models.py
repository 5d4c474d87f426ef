from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from rounds.models import Round
from tests.factories import AttendeeFactory, RoundFactory, SeatFactory, TableFactory

pytestmark = pytest.mark.django_db


def test_round_number_is_unique_per_event():
    first = RoundFactory(number=1)

    with pytest.raises(IntegrityError):
        RoundFactory(event=first.event, number=1)


def test_round_only_one_running_or_paused_per_event():
    running = RoundFactory(running=True, number=1)

    with pytest.raises(IntegrityError):
        RoundFactory(
            event=running.event,
            number=2,
            status=Round.Status.PAUSED,
            started_at=timezone.now(),
            turns_started_at=timezone.now(),
            ends_at=timezone.now(),
            paused_remaining=timedelta(seconds=60),
        )


def test_round_started_needs_its_times():
    with pytest.raises(IntegrityError):
        RoundFactory(status=Round.Status.RUNNING, started_at=None, ends_at=None)


def test_round_paused_needs_the_remaining_time():
    with pytest.raises(IntegrityError):
        RoundFactory(running=True, status=Round.Status.PAUSED, paused_remaining=None)


def test_round_cannot_end_before_it_starts():
    now = timezone.now()

    with pytest.raises(IntegrityError):
        RoundFactory(running=True, started_at=now, ends_at=now - timedelta(seconds=1))


def test_table_number_is_unique_per_round():
    table = TableFactory(number=1)

    with pytest.raises(IntegrityError):
        TableFactory(round=table.round, number=1)


def test_seat_one_per_attendee_per_round():
    seat = SeatFactory()
    other_table = TableFactory(round=seat.round, number=seat.table.number + 1)

    with pytest.raises(IntegrityError):
        SeatFactory(table=other_table, attendee=seat.attendee)


def test_seat_same_attendee_in_another_round_is_allowed():
    seat = SeatFactory()
    next_round = RoundFactory(event=seat.round.event, number=seat.round.number + 1)

    again = SeatFactory(table=TableFactory(round=next_round), attendee=seat.attendee)

    assert again.pk is not None


def test_seat_speaking_order_is_unique_per_table():
    seat = SeatFactory(speaking_order=0)

    with pytest.raises(IntegrityError):
        SeatFactory(
            table=seat.table,
            attendee=AttendeeFactory(event=seat.round.event),
            speaking_order=0,
        )


def test_round_table_and_seat_str():
    seat = SeatFactory(table=TableFactory(number=7), speaking_order=2)

    assert str(seat.round) == f"Round {seat.round.number}"
    assert str(seat.table) == "Table 7"
    assert str(seat) == "Seat 3 at table 7"
