"""Walk-ins seated automatically when a round starts (the event's switch, off by default):
only at free places of tables under the table size, nobody else moved."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import LogEntry
from rounds import queries, services
from rounds.groups import attendee_group, event_group
from rounds.models import Round, Seat
from tests.events.test_organizer_views import EVENT_FORM
from tests.factories import AttendeeFactory, EventFactory
from tests.rounds.test_plan_services import what_phones_show

pytestmark = pytest.mark.django_db


def planned_event(people: int, *, seating: bool = True):
    """An event with ``people`` checked in and planned: 4 rounds at tables of 4."""
    event = EventFactory(
        check_in=True, rounds_count=4, table_size=4, round_seconds=180, is_seating_walk_ins=seating
    )
    here = AttendeeFactory.create_batch(people, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.2)
    return event, here


def start(event, number: int) -> Round:
    return services.start_round(event.rounds.get(number=number), by=event.organizer)


def places(event, people) -> dict[int, tuple]:
    """Each person's (round, table, seat) in every round: where their phone sends them."""
    return {pk: stops for pk, (stops, _tablemates) in what_phones_show(event, people).items()}


def table_sizes(event) -> list[Counter]:
    return [Counter(len(table) for table in tables) for tables in queries.stored_plan(event.pk)]


def test_a_walk_in_takes_a_free_place_in_every_round_and_nobody_else_moves(
    listen, django_capture_on_commit_callbacks
):
    event, here = planned_event(18)  # tables of 4, 4, 4, 3, 3: two free places a round
    before = places(event, here)
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    phone = listen(attendee_group(walk_in.pk))

    with django_capture_on_commit_callbacks(execute=True):
        start(event, 1)

    assert places(event, here) == before
    seats = Seat.objects.filter(attendee=walk_in).select_related("round", "table")
    assert sorted(seat.round.number for seat in seats) == [1, 2, 3, 4]
    for seat in seats:
        assert seat.table.seats.count() == 4
        assert seat.speaking_order == 3  # after the three who were there
    assert all(max(sizes) == 4 for sizes in table_sizes(event))
    assert queries.seating_gaps(event.pk).not_seated == []
    [message] = phone.messages()
    assert [stop["round"] for stop in message["itinerary"]] == [1, 2, 3, 4]
    line = LogEntry.objects.get(action="walk_in_seated")
    assert line.params == {"attendee": walk_in.pk, "n": 1}
    assert line.actor == event.organizer


def test_the_walk_ins_tablemates_phones_are_told_of_them_in_every_round_they_join(
    listen, django_capture_on_commit_callbacks
):
    """A phone counts the pitches at its table and names whose turn it is from its stop's
    seats: each tablemate's phone gets the walk-in in that stop, the round just started
    included, and the walk-in's own phone every stop, so no phone loads anything."""
    event, here = planned_event(18)
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    phones = {person.pk: listen(attendee_group(person.pk)) for person in [*here, walk_in]}
    plan_version = event.__class__.objects.get(pk=event.pk).plan_version

    with django_capture_on_commit_callbacks(execute=True):
        start(event, 1)

    joined = {
        seat.round.number: set(seat.table.seats.values_list("attendee_id", flat=True))
        for seat in Seat.objects.filter(attendee=walk_in).select_related("round", "table")
    }
    told = {pk: phone.messages() for pk, phone in phones.items()}
    for person in here:
        rounds = sorted(n for n, members in joined.items() if person.pk in members)
        if not rounds:
            assert told[person.pk] == [], person.name
            continue
        [message] = told[person.pk]
        assert sorted(stop["round"] for stop in message["stops"]) == rounds
        for stop in message["stops"]:
            mates = [mate["name"] for mate in stop["mates"]]
            assert mates[-1] == "Zoe Late"
            assert len(mates) == len(joined[stop["round"]])
    [message] = told[walk_in.pk]
    assert [stop["round"] for stop in message["stops"]] == [1, 2, 3, 4]
    # a phone asleep meanwhile reloads its itinerary when it is back (room.js)
    assert event.__class__.objects.get(pk=event.pk).plan_version == plan_version + 1


def test_the_walk_in_is_placed_with_people_not_met_yet_where_it_can():
    event, _here = planned_event(18)
    walk_in = AttendeeFactory(event=event, checked_in=True)

    start(event, 1)

    met = Counter(
        other
        for tables in queries.stored_plan(event.pk)
        for table in tables
        if walk_in.pk in table
        for other in table
        if other != walk_in.pk
    )
    # Two tables of 3 a round: the second choice is never forced into the same three faces.
    assert sum(met.values()) == 12
    assert max(met.values()) <= 2


def test_switched_off_by_default_nobody_is_seated_and_the_banner_stays():
    event = EventFactory(check_in=True, rounds_count=4, table_size=4, round_seconds=180)
    assert event.is_seating_walk_ins is False
    AttendeeFactory.create_batch(18, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.2)
    walk_in = AttendeeFactory(event=event, name="Zoe Late", checked_in=True)

    start(event, 1)

    assert not Seat.objects.filter(attendee=walk_in).exists()
    assert queries.seating_gaps(event.pk).not_seated == ["Zoe Late"]


def test_no_free_place_at_a_table_under_the_size_means_no_seat_and_the_banner_stays():
    event, here = planned_event(20)  # five full tables of 4
    before = places(event, here)
    AttendeeFactory(event=event, name="Zoe Late", checked_in=True)

    start(event, 1)

    assert places(event, here) == before
    assert queries.seating_gaps(event.pk).not_seated == ["Zoe Late"]
    assert not LogEntry.objects.filter(action="walk_in_seated").exists()


def test_seated_in_every_remaining_round_or_not_at_all():
    event, _here = planned_event(19)  # tables of 4, 4, 4, 4, 3: one free place a round
    first = AttendeeFactory(event=event, name="Ann First", checked_in=True)
    second = AttendeeFactory(event=event, name="Ben Second", checked_in=True)

    start(event, 1)

    assert Seat.objects.filter(attendee=first).count() == 4
    assert not Seat.objects.filter(attendee=second).exists()
    assert queries.seating_gaps(event.pk).not_seated == ["Ben Second"]
    assert all(max(sizes) == 4 for sizes in table_sizes(event))


def test_at_a_later_round_only_the_rounds_still_to_play_get_the_walk_in():
    event, here = planned_event(18)
    start(event, 1)
    services.end_round(event.rounds.get(number=1), by=event.organizer)
    played = [set(table) for table in queries.stored_plan(event.pk)[0]]
    walk_in = AttendeeFactory(event=event, checked_in=True)
    gone = here[0]
    gone.left_at = timezone.now()
    gone.save(update_fields=["left_at"])

    start(event, 2)

    assert sorted(
        Seat.objects.filter(attendee=walk_in).values_list("round__number", flat=True)
    ) == [2, 3, 4]
    assert [set(table) for table in queries.stored_plan(event.pk)[0]] == played
    assert Seat.objects.filter(attendee=gone).count() == 4  # nobody else moved, even to leave


def test_the_organizer_switches_it_on_in_the_event_form(client):
    event = EventFactory()
    client.force_login(event.organizer)

    client.post(reverse("event_edit", args=[event.pk]), {**EVENT_FORM, "is_seating_walk_ins": "on"})

    event.refresh_from_db()
    assert event.is_seating_walk_ins is True


def test_the_projector_and_every_screen_get_the_new_state_when_walk_ins_are_seated(
    listen, django_capture_on_commit_callbacks
):
    """The projector's "find your table" list is for round 1 before and after the start: only
    a full state (a new version) makes it fetch the list again with the walk-ins in it, and the
    phones learn the new ``plan_version`` from it."""
    event, _here = planned_event(18)
    AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    screens = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        start(event, 1)

    event.refresh_from_db()
    states = [message for message in screens.messages() if message["type"] == "state"]
    assert [state["version"] for state in states] == [event.state_version]
    assert states[0]["event"]["plan_version"] == event.plan_version
    assert states[0]["round"]["number"] == 1


def test_before_round_2_the_played_round_stays_as_it_was_on_every_phone(
    listen, django_capture_on_commit_callbacks
):
    event, here = planned_event(18)
    start(event, 1)
    services.end_round(event.rounds.get(number=1), by=event.organizer)
    walk_ins = [AttendeeFactory(event=event, checked_in=True) for _ in range(2)]
    before = {pk: stops[0] for pk, stops in places(event, here).items()}
    phones = {person.pk: listen(attendee_group(person.pk)) for person in [*here, *walk_ins]}

    with django_capture_on_commit_callbacks(execute=True):
        start(event, 2)

    for person in here:
        for message in phones[person.pk].messages():
            assert [stop["round"] for stop in message["stops"]] != []
            assert all(stop["round"] >= 2 for stop in message["stops"])
            assert message["itinerary"][0] == {
                "round": 1,
                "table": before[person.pk][1],
                "seat": before[person.pk][2],
            }
    for person in walk_ins:
        [message] = phones[person.pk].messages()
        assert [stop["round"] for stop in message["stops"]] == [2, 3, 4]


def test_seating_many_walk_ins_takes_a_few_queries_more_per_walk_in():
    counts = []
    for walk_ins in (1, 8):
        event, _here = planned_event(24)  # tables of 4: no room ...
        event.table_size = 6  # ... until the size goes up: two places a table
        event.save(update_fields=["table_size"])
        AttendeeFactory.create_batch(walk_ins, event=event, checked_in=True)
        with CaptureQueriesContext(connection) as captured:
            start(event, 1)
        assert Seat.objects.filter(round__event=event, round__number=1).count() == 24 + walk_ins
        counts.append(len(captured))
    assert counts[1] - counts[0] <= 7, counts  # one log line each


def test_a_late_arrival_not_seated_makes_re_planning_the_next_step_and_start_stays_quiet(client):
    event, _here = planned_event(18, seating=False)
    start(event, 1)
    services.end_round(event.rounds.get(number=1), by=event.organizer)
    AttendeeFactory(event=event, name="Zoe Late", checked_in=True)
    client.force_login(event.organizer)

    page = client.get(reverse("control", args=[event.pk])).content.decode()

    next_step = page.split('class="control-next"')[1].split("</p>")[0]
    assert "Re-plan the remaining rounds" in next_step
    assert "Start round 2" not in next_step
    start_button = page.split('data-action="start"')[0].rsplit("<button", 1)[1]
    assert "button-quiet" in start_button
    replan_button = page.split('data-action="replan"')[0].rsplit("<button", 1)[1]
    assert "button-primary" in replan_button
    assert 'data-replan-due="1"' in page


def test_with_everyone_seated_starting_the_next_round_stays_the_next_step():
    event, _here = planned_event(18, seating=False)
    start(event, 1)
    services.end_round(event.rounds.get(number=1), by=event.organizer)
    current, upcoming = queries.current_round(event.pk), queries.next_round(event.pk)

    assert services.primary_action(event, current, upcoming, is_replan_due=False) == "start"
    assert services.primary_action(event, current, upcoming, is_replan_due=True) == "replan"
