"""A private "don't seat me with" is a hard keep-apart rule for the planner: honoured by the
first plan and by every re-plan from the next round on, whoever arrives or leaves."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conduct import services as conduct_services
from events import queries as event_queries
from events import services as event_services
from events.sockets import control_group
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
    people = AttendeeFactory.create_batch(
        size, event=event, checked_in=True, is_listed_in_guest_list=True
    )
    round_services.make_plan(event, by=event.organizer, seed=seed, time_limit=0.2)
    round_services.start_round(Round.objects.get(event=event, number=1), by=event.organizer)
    pairs = {
        (people[a % size].pk, people[b % size].pk) for a, b in requests if a % size != b % size
    }
    for asker, other in pairs:
        conduct_services.ask_apart(people[[p.pk for p in people].index(asker)], other_id=other)
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
    a, b, *_rest = AttendeeFactory.create_batch(
        9, event=event, checked_in=True, is_listed_in_guest_list=True
    )
    event_services.set_pair_rule(
        event, first_id=a.pk, second_id=b.pk, kind="together", by=event.organizer
    )
    conduct_services.ask_apart(b, other_id=a.pk)

    round_services.make_plan(event, by=event.organizer, time_limit=0.3)

    plan = round_queries.stored_plan(event.pk)
    assert not together(plan, plan, a.pk, b.pk)
    apart, allowed = event_queries.seating_rules(event)
    assert (min(a.pk, b.pk), max(a.pk, b.pk)) in apart
    assert allowed == []


# A request made after the plan: the control page's banner asks for the re-plan.


def planned_and_running(people: int = 8):
    """An event of ``people`` planned at tables of 4 for 3 rounds, round 1 running; everyone
    on the guest list (anyone may ask to be kept apart from anyone)."""
    event = EventFactory(check_in=True, rounds_count=3, table_size=4, round_seconds=180)
    here = AttendeeFactory.create_batch(
        people, event=event, checked_in=True, is_listed_in_guest_list=True
    )
    round_services.make_plan(event, by=event.organizer, seed=1, time_limit=0.2)
    round_services.start_round(Round.objects.get(event=event, number=1), by=event.organizer)
    return event, {person.pk: person for person in here}


def pair_seated(plan, *, in_rounds, not_in_rounds) -> tuple[int, int]:
    """A pair at one table in one of ``in_rounds`` (indexes) and in none of ``not_in_rounds``."""
    for index in in_rounds:
        for table in plan[index]:
            for a in table:
                for b in table:
                    if a < b and not together(plan, [plan[i] for i in not_in_rounds], a, b):
                        return a, b
    raise AssertionError("no such pair in this plan")


def test_unmet_apart_requests_counts_a_pair_seated_together_in_a_coming_round():
    event, people = planned_and_running()
    plan = round_queries.stored_plan(event.pk)
    asker, other = pair_seated(plan, in_rounds=[1], not_in_rounds=[])

    conduct_services.ask_apart(people[asker], other_id=other)
    conduct_services.ask_apart(people[other], other_id=asker)  # both asked: still one pair

    assert round_queries.unmet_apart_requests(event.pk) == 1
    assert round_queries.unmet_apart_requests(event.pk, asked_by=asker) == 1
    assert round_queries.seating_gaps(event.pk).unmet_apart == 1
    assert round_queries.seating_gaps(event.pk).count == 1


def test_unmet_apart_requests_ignores_a_pair_together_only_in_the_running_round():
    event, people = planned_and_running()
    plan = round_queries.stored_plan(event.pk)
    asker, other = pair_seated(plan, in_rounds=[0], not_in_rounds=[1, 2])

    conduct_services.ask_apart(people[asker], other_id=other)

    assert round_queries.unmet_apart_requests(event.pk) == 0
    assert round_queries.seating_gaps(event.pk).count == 0


def test_unmet_apart_requests_is_none_after_the_re_plan_which_seats_them_apart():
    event, people = planned_and_running()
    plan = round_queries.stored_plan(event.pk)
    asker, other = pair_seated(plan, in_rounds=[1, 2], not_in_rounds=[])
    conduct_services.ask_apart(people[asker], other_id=other)

    round_services.replan(event, by=event.organizer, seed=1, time_limit=0.3)

    replanned = round_queries.stored_plan(event.pk)
    assert replanned[0] == plan[0]  # the running round is history
    assert not together(replanned, replanned[1:], asker, other)
    assert round_queries.unmet_apart_requests(event.pk) == 0


def test_ask_apart_tells_the_control_pages(listen, django_capture_on_commit_callbacks):
    event, people = planned_and_running()
    asker, other = list(people)[:2]
    control = listen(control_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        conduct_services.ask_apart(people[asker], other_id=other)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.drop_apart(people[asker], other_id=other)

    assert control.messages() == [{"type": "counters"}, {"type": "counters"}]
