"""Someone leaving mid-evening, one rule (``rounds.services.leave_running_round``,
``after_leaving``, ``mark_gone``): the seat of the round under way is vacated at once, a current
pitcher's next one gets a full slot on every phone of that table (``turn_shifts``), the coming
rounds are planned without them, and a second click changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from events.models import Attendee, LogEntry
from rounds import queries, services
from rounds.groups import attendee_group, event_group
from rounds.models import Round
from tests.conftest import open_phone
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, SeatFactory, TableFactory

PITCH = timedelta(seconds=30)
INTO_SLOT = timedelta(seconds=14)


def evening() -> tuple[Round, list[Attendee]]:
    """Three rounds of one table of four (speaking orders 0–3), round 1 running with its second
    pitcher (order 1) 14 s into their 30-second slot."""
    event = EventFactory(
        check_in=True, rounds_count=3, table_size=4, round_seconds=180, pitch_seconds=30
    )
    people = AttendeeFactory.create_batch(4, event=event, checked_in=True)
    for number in (1, 2, 3):
        table = TableFactory(round=RoundFactory(event=event, number=number), number=1)
        for order, person in enumerate(people):
            SeatFactory(table=table, attendee=person, speaking_order=order)
    round_ = services.start_round(Round.objects.get(event=event, number=1), by=None)
    now = timezone.now()
    Round.objects.filter(pk=round_.pk).update(
        started_at=now - PITCH - INTO_SLOT,
        turns_started_at=now - PITCH - INTO_SLOT,
        ends_at=now - PITCH - INTO_SLOT + timedelta(seconds=180),
    )
    round_.refresh_from_db()
    return round_, people


def orders(round_: Round) -> list[int]:
    """The attendee ids at the round's table 1, in speaking order."""
    seats = round_.seats.filter(table__number=1).order_by("speaking_order")
    return list(seats.values_list("attendee_id", flat=True))


def slot_of(round_: Round, order: int) -> tuple:
    """(start, end) of speaking order ``order``'s slot at table 1."""
    start = round_.turns_started_at + round_.turn_shift(1) + order * PITCH
    return start, start + PITCH


def running_stop(phone) -> dict:
    [stop] = [
        stop
        for push in phone.messages()
        if push["type"] == "plan"
        for stop in push["stops"]
        if stop["round"] == 1
    ]
    return stop


@pytest.mark.django_db
def test_leave_running_round_of_the_current_pitcher_gives_the_next_one_a_full_slot(
    listen, django_capture_on_commit_callbacks
):
    round_, (first, her, third, fourth) = evening()
    ends_at = round_.ends_at
    mates = {person.pk: listen(attendee_group(person.pk)) for person in (first, third, fourth)}
    room = listen(event_group(round_.event_id))

    with django_capture_on_commit_callbacks(execute=True):
        told = services.leave_running_round(her)
    now = timezone.now()

    round_.refresh_from_db()
    assert told == sorted(person.pk for person in (first, her, third, fourth))
    assert orders(round_) == [first.pk, third.pk, fourth.pk]
    # the next pitcher (now order 1) started speaking as she left, for a whole slot
    start, end = slot_of(round_, 1)
    assert now - timedelta(seconds=1) <= start <= now
    assert end - now >= PITCH - timedelta(seconds=1)
    assert round_.turn_index(now, PITCH, table=1) == 1
    assert round_.turn_index(now, PITCH) == 1  # by the round's own clock: 14 s in
    assert round_.ends_at == ends_at  # the round does not run longer
    shift = round_.turn_shifts["1"]
    assert INTO_SLOT.total_seconds() * 1000 <= shift <= INTO_SLOT.total_seconds() * 1000 + 1000
    # the tablemates' phones get the stop without her; every phone the round with the shift
    for phone in mates.values():
        stop = running_stop(phone)
        assert [(mate["id"], mate["order"]) for mate in stop["mates"]] == [
            (pk, order) for order, pk in enumerate(orders(round_)) if pk in mates
        ]
    [state] = [m for m in room.messages() if m["type"] == "state"]
    assert state["round"]["turn_shifts"] == {"1": shift}
    assert state["round"]["turns_at"] == round(round_.turns_started_at.timestamp() * 1000)


@pytest.mark.django_db
def test_leave_running_round_of_the_last_pitcher_lets_the_table_talk_without_a_shift():
    round_, people = evening()
    Round.objects.filter(pk=round_.pk).update(
        turns_started_at=round_.turns_started_at - 2 * PITCH
    )  # the fourth (order 3) is pitching

    services.leave_running_round(people[3])

    round_.refresh_from_db()
    assert round_.turn_shifts == {}
    assert round_.turn_index(timezone.now(), PITCH, table=1) == 3  # past the last: open talk
    assert services.largest_table(round_) == 3


@pytest.mark.django_db
def test_leave_paused_round_of_the_current_pitcher_gives_the_next_one_a_full_slot_after_resume():
    round_, (_first, her, _third, _fourth) = evening()
    services.pause_round(round_, by=None)

    services.leave_running_round(her)
    resumed = services.resume_round(round_, by=None)
    now = timezone.now()

    start, end = slot_of(resumed, 1)
    # the next pitcher's slot began as she left (the pause took effect 0.5 s later) and runs
    # its whole length once the round runs again
    assert end - max(now, start) >= PITCH - timedelta(seconds=1)
    assert resumed.turn_index(now + timedelta(seconds=1), PITCH, table=1) == 1
    assert resumed.turn_index(end, PITCH, table=1) == 2


@pytest.mark.django_db
def test_leave_while_paused_the_frozen_clock_reads_the_next_pitchers_slot_on_phones_and_server():
    # the protocol's whole milliseconds round the turns' start up and the pause's instant down
    round_, (_first, her, third, _fourth) = evening()
    services.pause_round(round_, by=None)
    paused_at = (timezone.now() - timedelta(seconds=1)).replace(microsecond=123_400)
    Round.objects.filter(pk=round_.pk).update(
        paused_at=paused_at,
        turns_started_at=(paused_at - PITCH - INTO_SLOT).replace(microsecond=777_600),
    )

    services.leave_running_round(her)

    round_.refresh_from_db()
    assert orders(round_)[1] == third.pk
    assert round_.turn_index(timezone.now(), PITCH, table=1) == 1  # the third, frozen
    sent = queries.round_json(round_, now=timezone.now())
    turns_at = sent["turns_at"] + sent["turn_shifts"]["1"]  # as live.js atTable counts
    pitch_ms = PITCH.total_seconds() * 1000
    assert (sent["paused_at"] - turns_at) // pitch_ms == 1
    assert pitch_ms - (sent["paused_at"] - turns_at) % pitch_ms >= pitch_ms - 2  # a full slot


@pytest.mark.django_db
def test_skip_turn_at_a_shifted_table_cuts_exactly_its_current_pitcher():
    # she left 14 s into her slot: the third pitches a full slot, 14 s behind the round's clock
    round_, (_first, her, third, fourth) = evening()
    services.leave_running_round(her)
    round_.refresh_from_db()
    assert orders(round_)[1:] == [third.pk, fourth.pk]

    skipped = services.skip_turn(round_, by=None)
    at = timezone.now() + services.CHANGE_LEAD

    # the third is cut as the skip takes effect; the fourth starts then, with a full slot
    start, end = slot_of(skipped, 2)
    assert abs((start - at).total_seconds()) < 0.5
    assert end - start == PITCH
    assert skipped.turn_index(at + timedelta(seconds=1), PITCH, table=1) == 2
    assert skipped.turn_index(at - timedelta(seconds=1), PITCH, table=1) == 1


@pytest.mark.django_db
def test_skip_turn_is_offered_while_a_shifted_tables_last_pitcher_speaks():
    round_, (_first, her, _third, fourth) = evening()
    services.leave_running_round(her)  # 14 s into her slot: the table's turns run 14 s later
    round_.refresh_from_db()
    # the round clock 95 s into the turns (past 3 slots); the table 81 s: the fourth (now
    # order 2) pitches, 21 s into her full slot
    now = timezone.now()
    Round.objects.filter(pk=round_.pk).update(turns_started_at=now - timedelta(seconds=95))
    round_.refresh_from_db()
    assert round_.turn_index(now, PITCH, table=1) == 2
    assert orders(round_)[2] == fourth.pk

    assert services.skip_refusal(round_, at=now, pitch_length=PITCH) is None
    skipped = services.skip_turn(round_, by=None)
    at = timezone.now() + services.CHANGE_LEAD
    assert skipped.turn_index(at + timedelta(seconds=1), PITCH, table=1) == 3  # open talk


@pytest.mark.django_db
def test_mark_gone_mid_round_vacates_her_seat_tells_the_table_and_replans_once(
    listen, django_capture_on_commit_callbacks
):
    round_, (first, her, third, fourth) = evening()
    event = round_.event
    her_phone = listen(attendee_group(her.pk))
    mate = listen(attendee_group(third.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.mark_gone(her, by=event.organizer)

    round_.refresh_from_db()
    assert orders(round_) == [first.pk, third.pk, fourth.pk]
    assert round_.turn_shifts.keys() == {"1"}
    plan = queries.stored_plan(event.pk)
    assert all(her.pk not in table for tables in plan[1:] for table in tables)
    assert [mate["id"] for mate in running_stop(mate)["mates"]] == [first.pk, third.pk, fourth.pk]
    pushes = her_phone.messages()
    presence = [m for m in pushes if m["type"] == "presence"]
    assert [(m["checked_in"], m["left"], m["removed"]) for m in presence] == [(True, True, False)]
    her_plans = [push for push in pushes if push["type"] == "plan"]
    assert her_plans
    assert all(stop["round"] != 1 for push in her_plans for stop in push["stops"])
    actions = list(event.log_entries.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["attendee_left", "seat_vacated", "replanned"]

    with django_capture_on_commit_callbacks(execute=True) as again:
        services.mark_gone(her, by=event.organizer)

    assert again == []
    round_.refresh_from_db()
    assert orders(round_) == [first.pk, third.pk, fourth.pk]
    assert LogEntry.objects.filter(event=event, action="seat_vacated").count() == 1
    assert LogEntry.objects.filter(event=event, action="replanned").count() == 1


@pytest.mark.django_db
def test_mark_gone_at_the_door_of_another_organizers_event_is_refused_and_keeps_her_seat(client):
    round_, (first, her, third, fourth) = evening()
    client.force_login(EventFactory().organizer)

    response = client.post(
        reverse("attendee_presence", args=[round_.event_id, her.pk]), {"action": "left"}
    )

    assert response.status_code == 404
    assert orders(round_) == [first.pk, her.pk, third.pk, fourth.pk]
    assert Attendee.objects.get(pk=her.pk).left_at is None


@pytest.mark.django_db
def test_mark_gone_by_a_co_organizer_vacates_her_seat(client):
    round_, (first, her, third, fourth) = evening()
    helper = EventFactory().organizer
    round_.event.co_organizers.add(helper)
    client.force_login(helper)

    response = client.post(
        reverse("attendee_presence", args=[round_.event_id, her.pk]), {"action": "left"}
    )

    assert response.status_code == 302
    assert orders(round_) == [first.pk, third.pk, fourth.pk]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_mark_gone_a_reconnecting_tablemate_gets_the_shifted_turns_in_its_snapshot(
    asgi_app,
):
    round_, people = await database_sync_to_async(evening)()
    her, mate = people[1], people[2]
    await database_sync_to_async(services.mark_gone)(her, by=None)
    fresh = await database_sync_to_async(Round.objects.get)(pk=round_.pk)

    phone, state, _presence = await open_phone(asgi_app, mate.token)

    assert state["round"]["turn_shifts"] == {"1": fresh.turn_shifts["1"]}
    turns_at = state["round"]["turns_at"] + state["round"]["turn_shifts"]["1"]
    turn, into = divmod(state["server_time"] - turns_at, 30_000)
    assert turn == 1  # the seat she left is the next pitcher's now, from its start
    assert into < 2_000
    await phone.disconnect()
    her_phone, _state, her_presence = await open_phone(asgi_app, her.token)
    assert (her_presence["left"], her_presence["removed"]) == (True, False)
    await her_phone.disconnect()


@pytest.mark.django_db
def test_gone_then_checked_in_again_mid_round_is_seated_as_a_walk_in_when_the_next_round_starts(
    client, listen, django_capture_on_commit_callbacks
):
    event = EventFactory(
        check_in=True, rounds_count=3, table_size=4, round_seconds=180, is_seating_walk_ins=True
    )
    people = AttendeeFactory.create_batch(8, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.2)
    first = services.start_round(event.rounds.get(number=1), by=event.organizer)
    [her_table] = [table for table in queries.stored_plan(event.pk)[0] if people[0].pk in table]
    her = Attendee.objects.get(pk=people[0].pk)
    client.force_login(event.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_gone(her, by=event.organizer)
    without_her = [pk for pk in her_table if pk != her.pk]
    her_phone = listen(attendee_group(her.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("attendee_presence", args=[event.pk, her.pk]), {"action": "check_in"}
        )

    # the rest of round 1: she is here again, with no seat in it nor in the rounds re-planned
    # without her; her table goes on without her
    assert response.status_code == 302
    her.refresh_from_db()
    assert her.is_present
    seated = queries.stored_plan(event.pk)
    assert [t for t in seated[0] if set(without_her) <= set(t)] == [without_her]
    assert all(her.pk not in table for tables in seated for table in tables)
    assert [m["type"] for m in her_phone.messages()] == ["presence"]

    services.end_round(first, by=event.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_round(event.rounds.get(number=2), by=event.organizer)

    # round 2 and 3: a walk-in's seat, last at a table that had room, nobody else moved
    for number, tables in enumerate(queries.stored_plan(event.pk)[1:], start=2):
        [table] = [table for table in tables if her.pk in table]
        assert table[-1] == her.pk, number
        assert len(table) == 4
    [plan] = [m for m in her_phone.messages() if m["type"] == "plan"]
    assert {stop["round"] for stop in plan["stops"]} == {2, 3}
    logged = LogEntry.objects.filter(event=event, action="walk_in_seated")
    assert [entry.params for entry in logged] == [{"attendee": her.pk, "n": 2}]
