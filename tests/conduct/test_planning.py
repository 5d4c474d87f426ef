"""A private "don't seat me with" is a hard keep-apart rule for the planner: honoured by the
first plan and by every re-plan from the next round on, whoever arrives or leaves."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import queries as event_queries
from events import services as event_services
from rounds import queries as round_queries
from rounds import services as round_services
from rounds.models import Round
from tests.factories import AttendeeFactory, EventFactory

pytestmark = pytest.mark.django_db


def together(plan, rounds, a: int, b: int) -> bool:
    return any(a in table and b in table for tables in rounds for table in tables)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    size=st.integers(min_value=9, max_value=16),
    requests=st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=4),
    leaving=st.integers(0, 2),
    arriving=st.integers(0, 2),
    seed=st.integers(0, 1000),
)
def test_replan_never_seats_a_private_pair_together(size, requests, leaving, arriving, seed):
    event = EventFactory(check_in=True, rounds_count=4, table_size=4, round_seconds=180)
    people = AttendeeFactory.create_batch(size, event=event, checked_in=True)
    round_services.make_plan(event, by=event.organizer, seed=seed, time_limit=0.2)
    round_services.start_round(Round.objects.get(event=event, number=1), by=event.organizer)
    pairs = {
        (people[a % size].pk, people[b % size].pk) for a, b in requests if a % size != b % size
    }
    for asker, other in pairs:
        event_services.ask_apart(people[[p.pk for p in people].index(asker)], other_id=other)
    # Someone leaves, someone arrives late: the re-plan works around them, and the rules stay.
    for person in people[size - leaving :]:
        person.left_at = person.checked_in_at
        person.save(update_fields=["left_at"])
    AttendeeFactory.create_batch(arriving, event=event, checked_in=True)
    event.refresh_from_db()

    round_services.replan(event, by=event.organizer, seed=seed, time_limit=0.3)

    plan = round_queries.stored_plan(event.pk)
    present = {p.pk for p in event.attendees.filter(left_at__isnull=True)}
    for asker, other in pairs:
        if asker in present and other in present:
            assert not together(plan, plan[1:], asker, other), (asker, other)


def test_first_plan_honours_a_private_pair_even_against_a_may_sit_together_rule():
    event = EventFactory(check_in=True, rounds_count=3, table_size=3, round_seconds=180)
    a, b, *_rest = AttendeeFactory.create_batch(9, event=event, checked_in=True)
    event_services.set_pair_rule(
        event, first_id=a.pk, second_id=b.pk, kind="together", by=event.organizer
    )
    event_services.ask_apart(b, other_id=a.pk)

    round_services.make_plan(event, by=event.organizer, time_limit=0.3)

    plan = round_queries.stored_plan(event.pk)
    assert not together(plan, plan, a.pk, b.pk)
    apart, allowed = event_queries.seating_rules(event)
    assert (min(a.pk, b.pk), max(a.pk, b.pk)) in apart
    assert allowed == []
