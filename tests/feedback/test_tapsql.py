"""The SQL of a batch of card taps answers as the ORM does (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Attendee
from feedback import tapsql
from feedback.models import Card
from rounds.models import Round, Seat
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    """Two events; in the first a running round 1 with two tables and a planned round 2."""
    event = EventFactory(live=True, conduct_text="Be kind.", conduct_version=3)
    first = RoundFactory(event=event, number=1, running=True)
    RoundFactory(event=event, number=2)
    tables = [TableFactory(round=first, number=n) for n in (1, 2)]
    seated = [SeatFactory(table=tables[i % 2], speaking_order=i).attendee for i in range(5)]
    other_event = EventFactory(live=True)
    RoundFactory(event=other_event, number=1, running=True)
    outsider = AttendeeFactory(event=other_event, name="Wang Fang 王芳")
    seated[1].erased_at = timezone.now()
    seated[1].save(update_fields=["erased_at"])
    seated[2].conduct_accepted_version = 3
    seated[2].save(update_fields=["conduct_accepted_version"])
    return event, other_event, seated, outsider


def test_people_read_what_the_orm_reads(room):
    _, _, seated, outsider = room
    ids = {person.pk for person in [*seated, outsider]} | {999_999}

    found = tapsql.people(ids, lock=True)

    expected = Attendee.objects.select_related("event").filter(pk__in=ids)
    assert list(found) == sorted(person.pk for person in expected)  # in id order
    for person in expected:
        read = found[person.pk]
        for name in tapsql.PEOPLE_FIELDS:
            assert getattr(read, name) == getattr(person, name), name
        for name in tapsql.PEOPLE_EVENT_FIELDS:
            assert getattr(read.event, name) == getattr(person.event, name), name
        assert read.event.pk == person.event_id
        assert read.event.has_conduct == person.event.has_conduct
        as_model = tapsql.attendee(read)
        assert (as_model.pk, as_model.event) == (person.pk, read.event)
        assert as_model.email == person.email  # a field not read loads on access
        assert as_model.name == person.name  # an erased person's as the ORM reads it
    assert found[seated[1].pk].erased_at == seated[1].erased_at  # a datetime, also on SQLite
    assert found[seated[0].pk].event is found[seated[3].pk].event  # one object per event
    assert tapsql.people(set(), lock=True) == {}


def test_people_locks_the_attendee_rows_where_the_database_can(room):
    _, _, seated, _ = room

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        tapsql.people({seated[0].pk}, lock=True)
        tapsql.people({seated[0].pk}, lock=False)

    locked, unlocked = (q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
    # the lock a card's foreign key takes anyway: check-ins and other batches pass it
    assert ("FOR KEY SHARE OF" in locked) == connection.features.has_select_for_update_of
    assert "FOR UPDATE" not in locked
    assert " FOR " not in unlocked


def test_rounds_and_seats_read_what_the_orm_reads(room):
    event, other_event, seated, outsider = room
    people = {person.pk for person in [*seated, outsider]} | {999_999}

    with CaptureQueriesContext(connection) as queries:
        rounds, seats = tapsql.rounds_and_seats({event.pk, other_event.pk}, {1, 2, 7}, people)

    assert len(queries.captured_queries) == 1  # one round trip on PostgreSQL
    expected = Round.objects.filter(event__in=[event, other_event], number__in=[1, 2, 7])
    assert {key: r.pk for key, r in rounds.items()} == {
        (r.event_id, r.number): r.pk for r in expected
    }  # round 2 too, where nobody sits yet
    for round_ in expected:
        assert rounds[(round_.event_id, round_.number)] == tapsql.RoundRow(
            pk=round_.pk, event_id=round_.event_id, number=round_.number, status=round_.status
        )
    assert seats == {
        (round_id, attendee_id): table_id
        for round_id, attendee_id, table_id in Seat.objects.filter(
            round__in=expected, attendee__in=people
        ).values_list("round_id", "attendee_id", "table_id")
    }
    assert len(seats) == 5
    one = seated[0].pk
    assert tapsql.rounds_and_seats({event.pk}, {1}, {one})[1] == {
        (rounds[(event.pk, 1)].pk, one): Seat.objects.get(attendee_id=one).table_id
    }
    assert tapsql.rounds_and_seats(set(), {1}, people) == ({}, {})
    assert tapsql.rounds_and_seats({event.pk}, set(), people) == ({}, {})
    assert set(tapsql.rounds_and_seats({event.pk}, {1, 2}, set())[0]) == {
        (event.pk, 1),
        (event.pk, 2),
    }
    assert tapsql.rounds_and_seats({event.pk}, {1, 2}, set())[1] == {}
    assert tapsql.rounds_and_seats({event.pk}, {1}, {2**70})[1] == {}  # out of any id's range


def test_cards_given_reads_what_the_orm_reads(room):
    event, _, seated, _ = room
    round_ = Round.objects.get(event=event, number=1)
    by_client = CardFactory(round=round_, giver=seated[0], receiver=seated[2])
    by_receiver = CardFactory(round=round_, giver=seated[0], receiver=seated[4], introduce=True)
    CardFactory(round=round_, giver=seated[3], receiver=seated[4])  # another giver

    found = tapsql.cards_given(
        {seated[0].pk}, [by_client.client_id, str(uuid.uuid4())], {seated[4].pk}
    )

    assert sorted(
        (c.pk, c.round_id, c.giver_id, c.receiver_id, c.kind, c.client_id) for c in found
    ) == sorted(
        (c.pk, c.round_id, c.giver_id, c.receiver_id, c.kind, c.client_id)
        for c in [by_client, by_receiver]
    )
    assert all(isinstance(card.client_id, uuid.UUID) for card in found)  # also on SQLite
    assert tapsql.cards_given({seated[0].pk}, [str(by_client.client_id)], set())[0] == by_client
    assert tapsql.cards_given(set(), [by_client.client_id], set()) == []


def test_insert_cards_stores_them_as_bulk_create_does(room):
    event, _, seated, _ = room
    round_ = Round.objects.get(event=event, number=1)
    cards = [
        Card(
            round=round_, giver=seated[0], receiver=seated[2], kind="see_me", client_id=uuid.uuid4()
        ),
        Card(
            round=round_,
            giver=seated[0],
            receiver=seated[4],
            kind="introduce",
            note="my cousin 表哥 at a freight firm",
            client_id=uuid.uuid4(),
        ),
    ]

    tapsql.insert_cards(cards)

    for card in cards:
        stored = Card.objects.get(pk=card.pk)
        assert (stored.giver_id, stored.receiver_id, stored.kind, stored.note) == (
            card.giver_id,
            card.receiver_id,
            card.kind,
            card.note,
        )
        assert stored.client_id == card.client_id
        assert stored.created_at == card.created_at
        assert not card._state.adding
    again = Card(
        round=round_, giver=seated[0], receiver=seated[2], kind="see_me", client_id=uuid.uuid4()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        tapsql.insert_cards([again])  # one card of a kind per pair
    assert Card.objects.count() == 2
