from __future__ import annotations

import itertools
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from conduct import services as conduct_services
from events import logs
from events import services as event_services
from events.models import Attendee, LogEntry, PairRule
from rounds import queries, scheduling, seating, services
from rounds.groups import attendee_group, event_group
from rounds.models import Round, Seat
from tests.factories import AttendeeFactory, EventFactory, PitchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """20 people fit 5 tables of 4, and 4 rounds can be played without anyone meeting twice."""
    return EventFactory(check_in=True, rounds_count=4, table_size=4, round_seconds=180)


def check_in(event, count: int, **fields) -> list:
    return AttendeeFactory.create_batch(count, event=event, checked_in=True, **fields)


def pairs_met(plan) -> list[tuple[int, int]]:
    return [
        pair
        for tables in plan
        for table in tables
        for pair in itertools.combinations(sorted(table), 2)
    ]


def what_phones_show(event, people) -> dict[int, tuple]:
    """Each person's itinerary and tablemates in every round: what their phone displays."""
    tablemates = {
        (number, person): frozenset(table)
        for number, tables in enumerate(queries.stored_plan(event.pk), start=1)
        for table in tables
        for person in table
    }
    itineraries = queries.itineraries(p.pk for p in people)
    return {
        pk: (
            tuple((stop["round"], stop["table"], stop["seat"]) for stop in stops),
            tuple(tablemates[stop["round"], pk] for stop in stops),
        )
        for pk, stops in itineraries.items()
    }


TOPICS = [
    "battery cells", "hospital procurement", "tax accounting", "wine import", "solar panels",
    "cold chain logistics", "patent law", "game design", "dairy farming", "drone mapping",
    "yoga studios", "crypto custody", "textile dyeing", "bike couriers", "3D printing",
    "film subtitles", "pet insurance", "bamboo flooring", "school tutoring", "satellite radio",
]  # fmt: skip


def test_make_plan_seats_each_pitcher_with_the_listener_who_can_help(event):
    people = check_in(event, 20)
    helper_of = {person.pk: people[(i + 7) % 20].pk for i, person in enumerate(people)}
    for i, person in enumerate(people):
        PitchFactory(
            attendee=person,
            need=f"We need someone who knows {TOPICS[i]}.",
            offer=f"I have ten years in {TOPICS[(i - 7) % 20]}.",
            ask="",
        )

    # The planner's work allowance, not a loaded machine's clock, ends the search.
    with mock.patch("time.perf_counter", return_value=0.0):
        report = services.make_plan(event, by=event.organizer, time_limit=0.5)

    met = set(pairs_met(queries.stored_plan(event.pk)))
    assert report.quality.repeated_pairs == 0
    assert all(tuple(sorted((p, h))) in met for p, h in helper_of.items())


def test_make_plan_seats_everyone_once_per_round_without_repeats(event):
    people = check_in(event, 20)

    report = services.make_plan(event, by=event.organizer, time_limit=0.5)

    plan = queries.stored_plan(event.pk)
    assert len(plan) == 4
    for tables in plan:
        assert sorted(p for table in tables for p in table) == sorted(p.pk for p in people)
        assert sorted(len(table) for table in tables) == [4, 4, 4, 4, 4]
    met = pairs_met(plan)
    assert len(met) == len(set(met))
    assert report.quality.repeated_pairs == 0
    assert (report.present, report.changed_attendees) == (20, 20)
    assert logs.text(LogEntry.objects.get(event=event, action="planned")) == (
        "Plan made for 20 people over 4 rounds."
    )


def test_make_plan_ignores_people_not_checked_in_or_gone(event):
    here = check_in(event, 6)
    AttendeeFactory(event=event)
    AttendeeFactory(event=event, left=True)

    services.make_plan(event, by=None, time_limit=0.2)

    seated = set(Seat.objects.filter(round__number=1).values_list("attendee_id", flat=True))
    assert seated == {p.pk for p in here}


def test_make_plan_keeps_colleagues_apart(event):
    colleagues = {p.pk for p in check_in(event, 5, company="Acme")}
    check_in(event, 15)

    report = services.make_plan(event, by=None, time_limit=0.5)

    assert report.quality.avoid_violations == 0
    for tables in queries.stored_plan(event.pk):
        assert [len(colleagues & set(table)) for table in tables] == [1, 1, 1, 1, 1]


def test_make_plan_keeps_apart_pairs_apart_and_lets_allowed_colleagues_sit_together(event):
    ana, rui = check_in(event, 2)
    kim, lee = check_in(event, 2, company="Kite Labs")
    check_in(event, 16)
    PairRule.objects.create(event=event, first=ana, second=rui, kind=PairRule.Kind.KEEP_APART)
    PairRule.objects.create(event=event, first=kim, second=lee, kind=PairRule.Kind.MAY_SIT_TOGETHER)

    avoid = services.avoid_pairs(event, services.present_people(event))
    report = services.make_plan(event, by=None, time_limit=0.5)

    assert avoid == [(ana.pk, rui.pk)]
    assert report.quality.avoid_violations == 0
    for tables in queries.stored_plan(event.pk):
        assert not any({ana.pk, rui.pk} <= set(table) for table in tables)


def test_replan_keeps_apart_pairs_apart(event):
    ana, rui = check_in(event, 2)
    check_in(event, 18)
    services.make_plan(event, by=None, time_limit=0.5)
    PairRule.objects.create(event=event, first=ana, second=rui, kind=PairRule.Kind.KEEP_APART)

    report = services.replan(event, by=None, time_limit=0.5)

    assert report.quality.avoid_violations == 0
    for tables in queries.stored_plan(event.pk):
        assert not any({ana.pk, rui.pk} <= set(table) for table in tables)


def test_make_plan_does_not_take_freelancers_for_colleagues():
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=180)
    for company in ["Kite Labs", "Ortega Foods", "Lumen Studio"]:
        check_in(event, 3, company=company)
    check_in(event, 12, company="Freelance")
    check_in(event, 15)

    avoid = services.avoid_pairs(event, services.present_people(event))

    assert len(avoid) == 9


def test_make_plan_rotates_who_pitches_first():
    event = EventFactory(check_in=True, rounds_count=4, table_size=5)
    check_in(event, 5)

    services.make_plan(event, by=None, time_limit=0.2)

    firsts = list(
        Seat.objects.filter(speaking_order=0)
        .order_by("round__number")
        .values_list("attendee_id", flat=True)
    )
    assert len(firsts) == 4
    assert len(set(firsts)) == 4


def test_each_plan_change_raises_the_plan_version_the_state_carries(
    event, listen, django_capture_on_commit_callbacks
):
    # a phone away when the plan changed learns it from the state after it reconnects
    check_in(event, 6)
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.make_plan(event, by=None, time_limit=0.2)
    event.refresh_from_db()
    made = event.plan_version
    AttendeeFactory(event=event, checked_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.replan(event, by=None, time_limit=0.2)
    event.refresh_from_db()

    assert (made, event.plan_version) == (1, 2)
    states = [m for m in room.messages() if m["type"] == "state"]
    assert [state["event"]["plan_version"] for state in states] == [1, 2]


def test_make_plan_pushes_each_attendee_their_itinerary(
    event, listen, django_capture_on_commit_callbacks
):
    alice, *_ = check_in(event, 6)
    alice_phone = listen(attendee_group(alice.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.make_plan(event, by=None, time_limit=0.2)

    [message] = alice_phone.messages()
    assert message["type"] == "plan"
    assert [stop["round"] for stop in message["itinerary"]] == [1, 2, 3, 4]
    seat = Seat.objects.get(attendee=alice, round__number=2)
    assert message["itinerary"][1] == {
        "round": 2,
        "table": seat.table.number,
        "seat": seat.speaking_order,
    }


def test_make_plan_tells_every_phone_and_projector_that_a_plan_exists(
    event, listen, django_capture_on_commit_callbacks
):
    walk_in = AttendeeFactory(event=event)  # joined, not checked in: no seat
    check_in(event, 6)
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.make_plan(event, by=None, time_limit=0.2)

    [state] = room.messages()
    event.refresh_from_db()
    assert (state["type"], state["version"], event.state_version) == ("state", 1, 1)
    assert state["event"]["has_plan"] is True
    assert not Seat.objects.filter(attendee=walk_in).exists()


def test_make_plan_replaces_an_earlier_plan_before_the_rounds_start(event):
    check_in(event, 6)
    services.make_plan(event, by=None, time_limit=0.2)
    check_in(event, 4)

    services.make_plan(event, by=None, time_limit=0.2)

    assert Round.objects.filter(event=event).count() == 4
    assert Seat.objects.filter(round__event=event, round__number=1).count() == 10


def test_make_plan_refuses_once_a_round_started(event):
    check_in(event, 6)
    services.make_plan(event, by=None, time_limit=0.2)
    services.start_round(event.rounds.get(number=1), by=None)

    with pytest.raises(ValidationError, match="re-plan the remaining rounds instead"):
        services.make_plan(event, by=None)


def test_make_plan_refuses_with_fewer_than_two_people(event):
    check_in(event, 1)

    with pytest.raises(ValidationError, match="At least 2 checked-in people are needed"):
        services.make_plan(event, by=None)

    assert not Round.objects.filter(event=event).exists()


def test_replan_keeps_played_rounds_and_seats_arrivals_in_the_rest(event):
    people = check_in(event, 20)
    services.make_plan(event, by=None, time_limit=0.5)
    first = services.start_round(event.rounds.get(number=1), by=None)
    services.end_round(first, by=None)
    before = queries.stored_plan(event.pk)
    gone = people[0]
    gone.left_at = timezone.now()
    gone.save()
    late = check_in(event, 2)

    report = services.replan(event, by=None, time_limit=0.5)

    after = queries.stored_plan(event.pk)
    assert after[0] == before[0]
    present = {p.pk for p in people[1:]} | {p.pk for p in late}
    for tables in after[1:]:
        assert {p for table in tables for p in table} == present
        assert all(len(table) >= 3 for table in tables)
    met = pairs_met(after)
    assert len(met) == len(set(met))
    assert report.quality.repeated_pairs == 0
    assert report.changed_attendees >= len(late)


def test_replan_never_changes_the_running_round(event):
    check_in(event, 10)
    services.make_plan(event, by=None, time_limit=0.2)
    services.start_round(event.rounds.get(number=1), by=None)
    before = queries.stored_plan(event.pk)[0]
    check_in(event, 3)

    services.replan(event, by=None, time_limit=0.2)

    assert queries.stored_plan(event.pk)[0] == before


def test_replan_pushes_only_to_attendees_whose_itinerary_changed(
    event, listen, django_capture_on_commit_callbacks
):
    people = check_in(event, 20)
    services.make_plan(event, by=None, time_limit=0.5)
    before = what_phones_show(event, people)
    phones = {p.pk: listen(attendee_group(p.pk)) for p in people}
    late = check_in(event, 1)[0]
    late_phone = listen(attendee_group(late.pk))

    with django_capture_on_commit_callbacks(execute=True):
        report = services.replan(event, by=None, time_limit=0.5)

    after = what_phones_show(event, people)
    told = {pk for pk, phone in phones.items() if phone.messages()}
    changed = {pk for pk in before if before[pk] != after[pk]}
    assert told == changed
    assert late_phone.messages()[0]["type"] == "plan"
    assert report.changed_attendees == len(changed) + 1
    event.refresh_from_db()
    assert event.state_version == 2  # the plan, then the re-plan
    assert len(changed) < len(people)


def test_replan_tells_someone_who_left_that_they_have_no_table(
    event, listen, django_capture_on_commit_callbacks
):
    gone, *_ = check_in(event, 8)
    services.make_plan(event, by=None, time_limit=0.2)
    event_services.mark_left(gone, by=None)
    gone_phone = listen(attendee_group(gone.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.replan(event, by=None, time_limit=0.2)

    [message] = gone_phone.messages()
    assert message == {"type": "plan", "itinerary": [], "stops": []}
    assert not Seat.objects.filter(attendee=gone).exists()


def test_replan_refuses_without_a_plan(event):
    check_in(event, 6)

    with pytest.raises(ValidationError, match="There is no plan yet"):
        services.replan(event, by=None)


def test_change_settings_drops_the_plan_and_tells_every_phone(
    event, listen, django_capture_on_commit_callbacks
):
    alice, *_ = check_in(event, 6)
    services.make_plan(event, by=None, time_limit=0.2)
    event.refresh_from_db()
    version = event.state_version
    room = listen(event_group(event.pk))
    alice_phone = listen(attendee_group(alice.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.change_settings(event, by=None, table_size=5)

    event.refresh_from_db()
    assert (event.table_size, event.state_version) == (5, version + 1)
    assert not event.rounds.exists()
    [state] = room.messages()
    assert (state["type"], state["version"], state["event"]["has_plan"]) == (
        "state",
        version + 1,
        False,
    )
    assert alice_phone.messages() == [{"type": "plan", "itinerary": [], "stops": []}]
    assert LogEntry.objects.filter(event=event, action="plan_dropped").count() == 1


def test_change_settings_keeps_the_plan_when_the_title_changes(
    event, listen, django_capture_on_commit_callbacks
):
    check_in(event, 6)
    services.make_plan(event, by=None, time_limit=0.2)
    event.refresh_from_db()
    version = event.state_version
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.change_settings(event, by=None, title="Spring mixer")

    event.refresh_from_db()
    assert (event.title, event.state_version, event.rounds.count()) == ("Spring mixer", version, 4)
    assert room.messages() == []


def test_change_settings_refuses_structure_changes_once_a_round_started(event):
    check_in(event, 6)
    services.make_plan(event, by=None, time_limit=0.2)
    services.start_round(queries.next_round(event.pk), by=None)

    with pytest.raises(ValidationError) as refusal:
        services.change_settings(event, by=None, round_seconds=240)

    assert refusal.value.code == "started"
    event.refresh_from_db()
    assert (event.round_seconds, event.rounds.count()) == (180, 4)


def test_update_event_refuses_fields_outside_its_allow_list(event):
    with pytest.raises(TypeError, match="status"):
        event_services.update_event(event, by=None, status="closed")

    event.refresh_from_db()
    assert event.status == "check_in"


def planner_that_sees_a_change(monkeypatch, name: str, change) -> list[int]:
    """Wrap ``scheduling.<name>`` so that ``change()`` happens while the first plan is being
    made (someone checks in meanwhile); returns the list of calls made, each noting whether a
    transaction was open."""
    real = getattr(scheduling, name)
    calls: list[bool] = []

    def planner(*args, **kwargs):
        calls.append(connection.in_atomic_block)
        if len(calls) == 1:
            change()
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, name, planner)
    return calls


def test_make_plan_plans_again_when_someone_checks_in_while_it_plans(
    event, monkeypatch, listen, django_capture_on_commit_callbacks
):
    check_in(event, 8)
    late: list = []
    calls = planner_that_sees_a_change(
        monkeypatch, "plan_rounds", lambda: late.extend(check_in(event, 1))
    )
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.make_plan(event, by=None, time_limit=0.2)

    assert len(calls) == 2
    assert report.present == 9
    assert Seat.objects.filter(attendee=late[0]).count() == 4
    assert Seat.objects.filter(round__event=event).count() == 9 * 4
    assert Round.objects.filter(event=event).count() == 4
    assert LogEntry.objects.filter(event=event, action="planned").count() == 1
    event.refresh_from_db()
    assert event.state_version == 1
    assert len(callbacks) == 2  # one state push, one batch of itineraries
    assert [m["type"] for m in room.messages()] == ["state"]


def test_make_plan_gives_up_when_the_people_keep_changing(event, monkeypatch):
    check_in(event, 8)
    real = scheduling.plan_rounds

    def planner(*args, **kwargs):
        check_in(event, 1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "plan_rounds", planner)

    with pytest.raises(ValidationError) as refusal:
        services.make_plan(event, by=None, time_limit=0.1)

    assert refusal.value.code == "stale_plan"
    assert not Round.objects.filter(event=event).exists()
    event.refresh_from_db()
    assert event.state_version == 0


def test_replan_plans_again_when_a_round_starts_while_it_plans(
    event, monkeypatch, django_capture_on_commit_callbacks
):
    check_in(event, 10)
    services.make_plan(event, by=None, time_limit=0.2)
    check_in(event, 2)
    calls = planner_that_sees_a_change(
        monkeypatch,
        "replan_rounds",
        lambda: services.start_round(event.rounds.get(number=1), by=None),
    )
    round_one = queries.stored_plan(event.pk)[0]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.replan(event, by=None, time_limit=0.2)

    assert len(calls) == 2
    assert queries.stored_plan(event.pk)[0] == round_one  # the round now running kept its seats
    assert LogEntry.objects.get(event=event, action="replanned").params["first_round"] == 2
    event.refresh_from_db()
    assert event.state_version == 3  # the plan, the start, one re-plan
    pushes = [callback.func.__name__ for callback in callbacks]
    assert pushes == ["broadcast_round", "broadcast_state", "broadcast_itineraries"]


@pytest.mark.django_db(transaction=True)
def test_make_plan_and_replan_search_with_no_transaction_open(monkeypatch):
    event = EventFactory(check_in=True, rounds_count=4, table_size=4, round_seconds=180)
    check_in(event, 8)
    first = planner_that_sees_a_change(monkeypatch, "plan_rounds", lambda: None)
    again = planner_that_sees_a_change(monkeypatch, "replan_rounds", lambda: None)

    services.make_plan(event, by=None, time_limit=0.1)
    services.replan(event, by=None, time_limit=0.1)

    assert (first, again) == ([False], [False])


def test_change_settings_of_what_phones_show_is_a_new_state_version(
    event, listen, django_capture_on_commit_callbacks
):
    check_in(event, 6)
    services.make_plan(event, by=None, time_limit=0.2)
    event.refresh_from_db()
    version = event.state_version
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.change_settings(event, by=None, round_seconds=240)

    event.refresh_from_db()
    assert (event.state_version, event.rounds.count()) == (version + 1, 4)
    [state] = room.messages()
    assert (state["type"], state["version"], state["event"]["round_ms"]) == (
        "state",
        version + 1,
        240_000,
    )


def tables_of(event) -> dict[tuple[int, int], frozenset[int]]:
    """(round number, attendee id) → the people at their table."""
    return {
        (number, person): frozenset(table)
        for number, tables in enumerate(queries.stored_plan(event.pk), start=1)
        for table in tables
        for person in table
    }


def test_replan_push_carries_the_new_tablemates_of_the_rounds_that_changed(
    event, listen, django_capture_on_commit_callbacks, django_assert_num_queries
):
    people = check_in(event, 12)
    PitchFactory(attendee=people[1], ask="A designer", need="Money", offer="")
    services.make_plan(event, by=None, time_limit=0.2)
    services.end_round(services.start_round(event.rounds.get(number=1), by=None), by=None)
    event_services.mark_left(people[-1], by=None)
    check_in(event, 1)
    phones = {p.pk: listen(attendee_group(p.pk)) for p in people[:-1]}
    before = tables_of(event)

    with django_capture_on_commit_callbacks() as callbacks:
        services.replan(event, by=None, time_limit=0.3)
    itineraries = next(c for c in callbacks if c.func.__name__ == "broadcast_itineraries")
    with django_assert_num_queries(3):  # itineraries, the stops, the "May help you" lines
        itineraries()

    seats = {
        (seat.round.number, seat.attendee_id): seat
        for seat in Seat.objects.filter(round__event=event).select_related("round", "table")
    }
    after = tables_of(event)
    told = {pk: phone.messages() for pk, phone in phones.items()}
    assert any(message["stops"] for messages in told.values() for message in messages)
    for pk, messages in told.items():
        for message in messages:
            changed = [n for n in (2, 3, 4) if before.get((n, pk)) != after.get((n, pk))]
            assert [stop["round"] for stop in message["stops"]] == changed
            for stop in message["stops"]:
                mine = seats[(stop["round"], pk)]
                assert stop["table"] == mine.table.number
                mates = Seat.objects.filter(table=mine.table).order_by("speaking_order")
                assert [m["id"] for m in stop["mates"]] == [m.attendee_id for m in mates]
                assert [m["seat"] for m in stop["mates"]] == [m.pk for m in mates]
                for mate in stop["mates"]:
                    if mate["id"] == people[1].pk:
                        assert (mate["ask"], mate["need"], mate["offer"]) == (
                            "A designer",
                            "Money",
                            "",
                        )


def test_replan_logs_the_people_changing_table_apart_from_the_phones_told(event):
    people = {person.pk: person for person in check_in(event, 20)}
    services.make_plan(event, by=None, time_limit=0.5)
    services.start_round(event.rounds.get(number=1), by=None)
    before = queries.stored_plan(event.pk)
    first, second = before[2][0][:2]
    Attendee.objects.filter(pk=second).update(is_listed_in_guest_list=True)
    conduct_services.ask_apart(people[first], other_id=second)

    report = services.replan(event, by=None, time_limit=0.5)

    moved = len(seating.moved_people(before, queries.stored_plan(event.pk)))
    told = report.changed_attendees
    entry = LogEntry.objects.get(event=event, action="replanned")
    assert (entry.params["m"], entry.params["c"]) == (moved, told)
    assert 0 < moved < told
    with translation.override("en"):
        assert logs.text(entry) == (
            f"Rounds 2–4 re-planned for 20 people. People changing table: {moved}. "
            f"Phones told (their table or tablemates changed): {told}."
        )
