from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from events import logs
from events.models import Event, LogEntry
from rounds import queries, services
from rounds.groups import event_group
from rounds.models import Round
from rounds.services import CHANGE_LEAD, START_LEAD
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, SeatFactory, TableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(check_in=True, rounds_count=3, round_seconds=180, pitch_seconds=30)


@pytest.fixture
def rounds(event):
    """Three planned rounds, each with one table of three seated attendees."""
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    made = []
    for number in (1, 2, 3):
        round_ = RoundFactory(event=event, number=number)
        table = TableFactory(round=round_, number=1)
        for order, person in enumerate(people):
            SeatFactory(table=table, attendee=person, speaking_order=order)
        made.append(round_)
    return made


def running(round_: Round, **changes) -> Round:
    """Move a started round's clock, as if time had passed."""
    Round.objects.filter(pk=round_.pk).update(**changes)
    round_.refresh_from_db()
    return round_


def test_start_round_sets_absolute_times_and_opens_the_event(event, rounds):
    before = timezone.now()

    round_ = services.start_round(rounds[0], by=event.organizer)

    assert round_.status == Round.Status.RUNNING
    assert before + START_LEAD <= round_.started_at <= timezone.now() + START_LEAD
    assert round_.turns_started_at == round_.started_at
    assert round_.ends_at - round_.started_at == timedelta(seconds=180)
    event.refresh_from_db()
    assert event.status == Event.Status.LIVE
    assert event.state_version == 1
    assert logs.text(LogEntry.objects.get(event=event)) == "Round 1 started."


def test_start_round_pushes_one_round_message_after_commit(
    event, rounds, listen, django_capture_on_commit_callbacks
):
    phones = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        round_ = services.start_round(rounds[0], by=None)
        assert phones.messages() == []

    [message] = phones.messages()
    assert len(callbacks) == 1
    assert message["type"] == "round"
    assert message["version"] == 1
    assert message["event_status"] == "live"
    assert message["round"] == {
        "number": 1,
        "status": "running",
        "starts_at": round(round_.started_at.timestamp() * 1000),
        "ends_at": round(round_.ends_at.timestamp() * 1000),
        "turns_at": round(round_.started_at.timestamp() * 1000),
        "paused_at": None,
        "paused_remaining_ms": None,
        "ended_at": None,
        "pitches": 3,
        "turn_shifts": {},  # no table's turns run late: nobody left mid-slot
    }


def test_start_round_of_the_last_round_leaves_no_round_to_seat(event, rounds):
    """Wishes and "don't seat me with" act on a plan or re-plan, and none is left once the
    plan's last round has started: ``Event.has_seating_ahead`` says so from then on, although
    the event stays live until the organizer starts mingling."""
    seating = []
    for round_ in rounds:
        started = services.start_round(round_, by=event.organizer)
        past = timezone.now() - timedelta(seconds=1)  # its time ran out
        running(started, ends_at=past, started_at=past - timedelta(seconds=180))
        event.refresh_from_db()
        seating.append((event.has_seating_ahead, event.last_round_started_at))

    assert [ahead for ahead, _at in seating] == [True, True, False]
    assert [at for _ahead, at in seating[:2]] == [None, None]
    assert seating[2][1] is not None
    assert event.status == Event.Status.LIVE


def test_start_round_refuses_a_second_start(rounds):
    services.start_round(rounds[0], by=None)

    with pytest.raises(ValidationError, match="Round 1 has already started"):
        services.start_round(rounds[0], by=None)


def test_start_round_refuses_while_another_runs(rounds):
    services.start_round(rounds[0], by=None)

    with pytest.raises(ValidationError, match="Round 1 is still running: end it before starting"):
        services.start_round(rounds[1], by=None)


def test_start_round_refuses_out_of_order(rounds):
    with pytest.raises(ValidationError, match="Round 1 comes before round 3"):
        services.start_round(rounds[2], by=None)


def test_start_round_refuses_without_a_seating_plan(event):
    round_ = RoundFactory(event=event, number=1)

    with pytest.raises(ValidationError, match="has no seating plan yet"):
        services.start_round(round_, by=None)


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.MINGLE, Event.Status.CLOSED])
def test_start_round_refuses_when_the_event_is_not_open(event, rounds, status):
    Event.objects.filter(pk=event.pk).update(status=status)

    with pytest.raises(ValidationError, match="Rounds can only start while the event is open"):
        services.start_round(rounds[0], by=None)

    rounds[0].refresh_from_db()
    assert rounds[0].status == Round.Status.PLANNED


def test_start_round_finishes_a_round_whose_time_ran_out(rounds):
    first = services.start_round(rounds[0], by=None)
    past = timezone.now() - timedelta(seconds=1)
    running(first, ends_at=past, started_at=past - timedelta(seconds=180))

    services.start_round(rounds[1], by=None)

    first.refresh_from_db()
    assert (first.status, first.ended_at) == (Round.Status.DONE, past)


def test_start_round_logs_the_timer_end_of_the_round_before_once(event, rounds):
    """A round that ended on its timer is in the log ("What happened") at its deadline, between
    its start and the next one's, with no actor; written once, however often it is looked at."""
    first = services.start_round(rounds[0], by=None)
    past = timezone.now() - timedelta(seconds=1)
    running(first, ends_at=past, started_at=past - timedelta(seconds=180))
    LogEntry.objects.filter(action="round_started").update(created_at=first.started_at)

    services.start_round(rounds[1], by=None)
    with pytest.raises(ValidationError):
        services.start_round(rounds[1], by=None)
    services.finish_expired(event, timezone.now())

    lines = [line.text for line in queries.recent_log(event.pk)]
    ended = LogEntry.objects.get(event=event, action="round_ended_time_up")
    assert lines[:3] == ["Round 2 started.", "Round 1 ended (time up).", "Round 1 started."]
    assert (ended.created_at, ended.actor, ended.params) == (past, None, {"n": 1})


def test_round_ended_time_up_reads_in_chinese():
    line = LogEntry(action="round_ended_time_up", params={"n": 2})

    with translation.override("zh-hans"):
        assert logs.lines([line])[0].text == "第 2 轮已结束（时间到）。"


def test_pause_then_resume_keeps_the_remaining_time_exactly(rounds):
    started = services.start_round(rounds[0], by=None)
    started = running(
        started,
        started_at=started.started_at - timedelta(seconds=50),
        turns_started_at=started.turns_started_at - timedelta(seconds=50),
        ends_at=started.ends_at - timedelta(seconds=50),
    )
    until_end = started.ends_at - started.turns_started_at

    paused = services.pause_round(started, by=None)
    resumed = services.resume_round(paused, by=None)

    assert paused.status == Round.Status.PAUSED
    assert paused.paused_remaining == started.ends_at - paused.paused_at
    assert resumed.status == Round.Status.RUNNING
    assert resumed.ends_at - resumed.turns_started_at == until_end
    assert resumed.paused_at is None
    assert resumed.paused_remaining is None


def test_pause_during_the_count_in_keeps_the_whole_round_and_the_rest_of_the_count_in(rounds):
    started = services.start_round(rounds[0], by=None)  # starts 3 s from now

    paused = services.pause_round(started, by=None)  # 0.5 s from now: 2.5 s of count-in left
    resumed = services.resume_round(paused, by=None)

    count_in_left = started.started_at - paused.paused_at
    assert paused.paused_remaining == timedelta(seconds=180)
    assert resumed.ends_at - resumed.started_at == timedelta(seconds=180)
    assert resumed.started_at - count_in_left >= paused.paused_at
    assert resumed.turns_started_at == resumed.started_at


def test_skip_refusal_says_when_everyone_has_pitched(event, rounds):
    round_ = services.start_round(rounds[0], by=None)
    seats = round_.seats.count()
    last_slot = round_.started_at + (seats - 1) * event.pitch_length
    after_all = round_.started_at + seats * event.pitch_length

    assert (
        services.skip_refusal(round_, at=round_.started_at, pitch_length=event.pitch_length) is None
    )
    assert services.skip_refusal(round_, at=last_slot, pitch_length=event.pitch_length) is None
    assert services.skip_refusal(round_, at=after_all, pitch_length=event.pitch_length) == (
        "Everyone has pitched in this round."
    )


def test_pause_round_takes_effect_at_a_shared_instant_ahead(rounds):
    started = services.start_round(rounds[0], by=None)
    started = running(started, started_at=timezone.now() - timedelta(seconds=10))
    before = timezone.now()

    paused = services.pause_round(started, by=None)

    assert before + CHANGE_LEAD <= paused.paused_at <= timezone.now() + CHANGE_LEAD


def test_pause_round_refuses_a_paused_round(rounds):
    paused = services.pause_round(services.start_round(rounds[0], by=None), by=None)

    with pytest.raises(ValidationError, match="Only a running round can be paused"):
        services.pause_round(paused, by=None)


def test_pause_round_refuses_a_round_whose_time_ran_out(rounds):
    started = services.start_round(rounds[0], by=None)
    past = timezone.now() - timedelta(seconds=1)
    running(started, started_at=past - timedelta(seconds=180), ends_at=past)

    with pytest.raises(ValidationError, match="Round 1 is over"):
        services.pause_round(started, by=None)


def test_resume_round_refuses_a_running_round(rounds):
    started = services.start_round(rounds[0], by=None)

    with pytest.raises(ValidationError, match="Only a paused round can be resumed"):
        services.resume_round(started, by=None)


def test_extend_round_moves_the_end_while_running_and_while_paused(rounds):
    started = services.start_round(rounds[0], by=None)
    ends_at = started.ends_at

    extended = services.extend_round(started, seconds=30, by=None)
    paused = services.pause_round(extended, by=None)
    remaining = paused.paused_remaining
    extended_again = services.extend_round(paused, seconds=30, by=None)

    assert extended.ends_at == ends_at + timedelta(seconds=30)
    assert extended_again.paused_remaining == remaining + timedelta(seconds=30)
    assert extended_again.ends_at == ends_at + timedelta(seconds=60)


@pytest.mark.parametrize("seconds", [0, -30, 601])
def test_extend_round_refuses_a_bad_amount(rounds, seconds):
    started = services.start_round(rounds[0], by=None)

    with pytest.raises(ValidationError, match="extended by 1 to 600 seconds"):
        services.extend_round(started, seconds=seconds, by=None)


def test_extend_round_refuses_a_planned_round(rounds):
    with pytest.raises(ValidationError, match="Only a running or paused round can be extended"):
        services.extend_round(rounds[0], seconds=30, by=None)


def test_end_round_marks_it_done_now_and_allows_the_next(rounds):
    started = services.start_round(rounds[0], by=None)
    started = running(started, started_at=timezone.now() - timedelta(seconds=20))

    ended = services.end_round(started, by=None)
    services.start_round(rounds[1], by=None)

    assert ended.status == Round.Status.DONE
    assert ended.ended_at == ended.ends_at
    assert ended.ended_at <= timezone.now()


def test_end_round_refuses_a_planned_round(rounds):
    with pytest.raises(ValidationError, match="Round 1 is not running"):
        services.end_round(rounds[0], by=None)


def test_skip_turn_moves_the_next_pitcher_up_to_now(event, rounds):
    started = services.start_round(rounds[0], by=None)
    ten_seconds_in = timezone.now() - timedelta(seconds=10)
    started = running(started, started_at=ten_seconds_in, turns_started_at=ten_seconds_in)
    before = timezone.now()

    skipped = services.skip_turn(started, by=None)

    second_turn_at = skipped.turns_started_at + event.pitch_length
    assert before + CHANGE_LEAD <= second_turn_at <= timezone.now() + CHANGE_LEAD
    assert skipped.turn_index(second_turn_at, event.pitch_length) == 1
    assert skipped.ends_at == started.ends_at


def test_skip_turn_refuses_before_anyone_pitches(rounds):
    started = services.start_round(rounds[0], by=None)

    with pytest.raises(ValidationError, match="Nobody is pitching yet"):
        services.skip_turn(started, by=None)


def test_skip_turn_refuses_after_everyone_pitched(rounds):
    started = services.start_round(rounds[0], by=None)
    long_ago = timezone.now() - timedelta(seconds=100)
    running(started, started_at=long_ago, turns_started_at=long_ago)

    with pytest.raises(ValidationError, match="Everyone has pitched in this round"):
        services.skip_turn(started, by=None)


def test_announce_stores_and_pushes_the_text(event, listen, django_capture_on_commit_callbacks):
    phones = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.announce(event, text="  Coffee is   in the lobby ", by=event.organizer)

    [message] = phones.messages()
    event.refresh_from_db()
    assert event.announcement == "Coffee is in the lobby"
    assert message["type"] == "announce"
    assert message["version"] == event.state_version == 1
    assert message["announcement"] == {
        "text": "Coffee is in the lobby",
        "at": round(event.announced_at.timestamp() * 1000),
        "expires_at": None,
    }


def test_announce_for_some_minutes_expires_then_the_snapshot_has_none(event):
    services.announce(event, text="Coffee", minutes=5, by=None)
    event.refresh_from_db()

    assert event.announcement_expires_at == event.announced_at + timedelta(minutes=5)
    shown = queries.announcement_json(event, now=event.announced_at + timedelta(minutes=4))
    assert shown["expires_at"] == round(event.announcement_expires_at.timestamp() * 1000)
    later = event.announced_at + timedelta(minutes=5)
    assert queries.announcement_json(event, now=later) is None


@pytest.mark.parametrize("minutes", [0, -1, 241])
def test_announce_refuses_an_expiry_out_of_range(event, minutes):
    with pytest.raises(ValidationError, match="from 1 to 240 minutes"):
        services.announce(event, text="Coffee", minutes=minutes, by=None)


def test_clear_announcement_takes_it_off_every_phone(
    event, listen, django_capture_on_commit_callbacks
):
    services.announce(event, text="Coffee", by=None)
    phones = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.clear_announcement(event, by=event.organizer)

    [message] = phones.messages()
    event.refresh_from_db()
    assert (event.announcement, event.announced_at, event.state_version) == ("", None, 2)
    assert (message["type"], message["announcement"], message["version"]) == ("announce", None, 2)
    assert queries.event_state(event.pk)["announcement"] is None
    assert LogEntry.objects.filter(event=event, action="announcement_cleared").count() == 1


def test_clear_announcement_without_one_changes_nothing(
    event, listen, django_capture_on_commit_callbacks
):
    phones = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.clear_announcement(event, by=None)

    event.refresh_from_db()
    assert (event.state_version, callbacks, phones.messages()) == (0, [], [])


def test_close_event_clears_the_announcement(event):
    services.announce(event, text="Last round!", minutes=30, by=None)

    services.close_event(event, by=None)

    event.refresh_from_db()
    assert (event.status, event.announcement, event.announcement_expires_at) == (
        Event.Status.CLOSED,
        "",
        None,
    )
    assert queries.event_state(event.pk)["announcement"] is None


@pytest.mark.parametrize(
    ("text", "error"),
    [("   ", "Write the announcement first."), ("x" * 281, "at most 280 characters")],
)
def test_announce_refuses_empty_or_long_text(event, text, error):
    with pytest.raises(ValidationError, match=error):
        services.announce(event, text=text, by=None)

    event.refresh_from_db()
    assert (event.announcement, event.state_version) == ("", 0)


def test_start_mingle_ends_the_running_round_and_pushes_state(
    event, rounds, listen, django_capture_on_commit_callbacks
):
    phones = listen(event_group(event.pk))
    services.start_round(rounds[0], by=None)

    with django_capture_on_commit_callbacks(execute=True):
        services.start_mingle(event, by=None)

    kinds = [m["type"] for m in phones.messages()]
    rounds[0].refresh_from_db()
    event.refresh_from_db()
    assert rounds[0].status == Round.Status.DONE
    assert event.status == Event.Status.MINGLE
    assert kinds == ["round", "state"]
    assert event.state_version == 3


def test_close_event_refuses_a_closed_event(event):
    services.close_event(event, by=None)

    with pytest.raises(ValidationError, match="The event cannot go from Closed to Closed"):
        services.close_event(event, by=None)

    event.refresh_from_db()
    assert event.closed_at is not None


def test_open_check_in_only_from_draft():
    draft = EventFactory()

    services.open_check_in(draft, by=None)

    draft.refresh_from_db()
    assert draft.status == Event.Status.CHECK_IN
    with pytest.raises(ValidationError):
        services.open_check_in(draft, by=None)


def panel_actions(event) -> set[str]:
    event.refresh_from_db()
    current = queries.current_round(event.pk)
    return services.allowed_actions(event, current, queries.next_round(event.pk))


def test_pause_and_resume_rules_are_the_same_for_the_panel_and_the_services(event, rounds):
    started = services.start_round(rounds[0], by=None)
    assert {"pause", "resume"} & panel_actions(event) == {"pause"}

    paused = services.pause_round(started, by=None)
    assert {"pause", "resume"} & panel_actions(event) == {"resume"}
    assert services.pause_refusal(paused, now=timezone.now()).code == "not_running"

    services.resume_round(paused, by=None)
    assert {"pause", "resume"} & panel_actions(event) == {"pause"}


def test_pause_rule_refuses_a_round_ending_before_the_pause_would_take_effect(event, rounds):
    started = services.start_round(rounds[0], by=None)
    soon = timezone.now() + services.CHANGE_LEAD / 2
    running(started, started_at=soon - timedelta(seconds=180), ends_at=soon)

    assert "pause" not in panel_actions(event)
    with pytest.raises(ValidationError) as refusal:
        services.pause_round(started, by=None)
    assert (refusal.value.code, refusal.value.messages) == (
        "round_over",
        ["The round is ending anyway."],
    )


def test_plan_and_replan_refuse_fewer_than_two_present_by_one_rule(event, rounds):
    _stays, *others = event.attendees.order_by("pk")
    event.attendees.filter(pk__in=[p.pk for p in others]).update(left_at=timezone.now())

    codes = []
    for plan in (services.replan, services.make_plan):
        with pytest.raises(ValidationError) as refusal:
            plan(event, by=None)
        codes.append((refusal.value.code, refusal.value.messages))

    too_few = ("too_few", ["At least 2 checked-in people are needed to plan (there are 1)."])
    assert codes == [too_few, too_few]


def orders_at_table(round_: Round) -> list[tuple[int, int]]:
    """(attendee id, speaking order) at the round's table 1, in speaking order."""
    return list(
        round_.seats.filter(table__number=1)
        .order_by("speaking_order")
        .values_list("attendee_id", "speaking_order")
    )


def test_leave_running_round_before_their_turn_moves_the_later_pitchers_up(event, rounds):
    round_ = services.start_round(rounds[0], by=None)
    first, leaving, last = (pk for pk, _order in orders_at_table(round_))
    # the first pitcher is speaking: the one leaving had not pitched yet
    round_ = running(round_, turns_started_at=timezone.now() - timedelta(seconds=5))

    leaving_person = round_.seats.get(attendee_id=leaving).attendee

    told = services.leave_running_round(leaving_person)

    assert told == sorted([first, leaving, last])
    assert orders_at_table(round_) == [(first, 0), (last, 1)]
    assert services.largest_table(round_) == 2
    assert queries.current_round(event.pk).pitches == 2
    assert rounds[1].seats.filter(attendee=leaving_person).exists()  # coming rounds: re-plan


def test_leave_running_round_after_their_turn_keeps_every_later_slot(event, rounds):
    round_ = services.start_round(rounds[0], by=None)
    leaving, second, third = (pk for pk, _order in orders_at_table(round_))
    # the second pitcher is speaking: the one leaving pitched first
    round_ = running(
        round_,
        turns_started_at=timezone.now() - event.pitch_length - timedelta(seconds=5),
    )

    services.leave_running_round(round_.seats.get(attendee_id=leaving).attendee)

    assert orders_at_table(round_) == [(second, 1), (third, 2)]
    assert services.largest_table(round_) == 3
    assert queries.current_round(event.pk).pitches == 3
    last_slot = round_.turns_started_at + 2 * event.pitch_length
    assert services.skip_refusal(round_, at=last_slot, pitch_length=event.pitch_length) is None


def test_leave_running_round_without_a_seat_in_a_running_round_tells_nobody(
    event, rounds, django_capture_on_commit_callbacks
):
    person = rounds[0].seats.first().attendee

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.leave_running_round(person) == []

    assert callbacks == []
    assert rounds[0].seats.filter(attendee=person).exists()
