"""The live round engine: every change to a round or to the live event goes through here.

Each transition locks the event row (then the round) so concurrent clicks are serialized, refuses
an illegal move with a ``ValidationError`` a person can read, stores absolute times so the state
survives a restart, bumps the event's state version, and pushes to phones after commit.
Turns inside a round are never written: they follow from ``turns_started_at`` and the pitch length.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events import queries as event_queries
from events import services as event_services
from events.models import Attendee, Event
from pitches import queries as pitch_queries
from rounds import broadcasts, queries, scheduling, seating
from rounds.models import Round, Seat, Table

# A change to a running countdown takes effect this far ahead, so every phone flips together.
CHANGE_LEAD = timedelta(milliseconds=500)
# A round start is announced ahead: "3, 2, 1" on every phone.
START_LEAD = timedelta(seconds=3)
MAX_EXTEND_SECONDS = 600
MAX_ANNOUNCEMENT_CHARS = 280
MIN_PEOPLE = 2
log = logging.getLogger(__name__)

User = AbstractBaseUser | None


def lock(round_: Round) -> tuple[Event, Round]:
    """Lock the event, then the round (always in this order, so transitions cannot deadlock).

    Rounds are locked ``FOR NO KEY UPDATE`` (``no_key=True``) here and wherever they are locked:
    it keeps transitions apart as ``FOR UPDATE`` does, but not a card being given for the round
    (its insert takes ``FOR KEY SHARE`` on the round's row), which the live sockets' one database
    thread per process would otherwise wait for with every phone of that process behind it
    (``tests/integration/test_postgres_locks.py``)."""
    event = Event.objects.select_for_update().get(pk=round_.event_id)
    locked = Round.objects.select_for_update(no_key=True).get(pk=round_.pk)
    locked.event = event
    return event, locked


def bump_version(event: Event, *, fields: tuple[str, ...] = ()) -> None:
    """Add one to the event's ``state_version`` (what phones compare to know they are current)
    and save it with the event's ``fields``."""
    event.state_version += 1
    event.save(update_fields=["state_version", *fields])


def round_changed(
    event: Event,
    *,
    action: str,
    params: dict[str, int],
    by: User,
    fields: tuple[str, ...] = (),
) -> None:
    """What every round transition does last: a new state version (saving ``fields`` of the
    event with it), a log line, and the push to every phone once the transaction has committed."""
    bump_version(event, fields=fields)
    event_services.record(event, action=action, params=params, by=by)
    transaction.on_commit(partial(broadcasts.broadcast_round, event.pk))


def refuse_if_over(round_: Round, now: datetime) -> None:
    """Raise ``ValidationError`` (code ``round_over``) when ``round_``'s time is up at ``now``."""
    if round_.is_over(now):
        raise ValidationError(
            _("Round %(number)s is over.") % {"number": round_.number}, code="round_over"
        )


def finish_expired(event: Event, now: datetime) -> None:
    """A running round whose time ran out is done; record it as such before anything new, with
    its log line ``round_ended_time_up`` at its deadline (no actor: the timer ended it). Called
    with the event locked (``lock``), so the line is written once however many callers race."""
    for expired in event.rounds.select_for_update(no_key=True).filter(
        status=Round.Status.RUNNING, ends_at__lte=now
    ):
        expired.status = Round.Status.DONE
        expired.ended_at = expired.ends_at
        expired.save(update_fields=["status", "ended_at"])
        event_services.record(
            event, action="round_ended_time_up", params={"n": expired.number}, at=expired.ends_at
        )


def largest_table(round_: Round) -> int:
    """The round's pitch slots: one more than its highest speaking order (0 without seats),
    the seats at its largest table unless someone left a slot empty
    (``leave_running_round``)."""
    highest = round_.seats.aggregate(highest=Max("speaking_order"))["highest"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def start_round(round_: Round, *, by: User) -> Round:
    """Start the next planned round ``START_LEAD`` (3 s) from now, so every phone counts in
    "3, 2, 1" together; it ends one round length (``Event.round_seconds``) after that. A round
    whose time ran out is recorded as done first; the event goes from check-in to live.
    Starting the plan's last round stores ``Event.last_round_started_at``: no round is left to
    seat, so phones take no new wish or "don't seat me with" (``Event.has_seating_ahead``).
    Raises ``ValidationError`` (codes ``event_not_open``, ``already_started``,
    ``another_running``, ``out_of_order``, ``no_plan``, and ``rescue_first`` while the rescue
    round is due: ``is_rescue_due``). Bumps the state version, logs
    ``round_started`` and pushes ``round`` to the event group after commit."""
    event, round_ = lock(round_)
    now = timezone.now()
    if event.status not in (Event.Status.CHECK_IN, Event.Status.LIVE):
        raise ValidationError(
            _("Rounds can only start while the event is open (it is %(status)s).")
            % {"status": event.get_status_display()},
            code="event_not_open",
        )
    if round_.status != Round.Status.PLANNED:
        raise ValidationError(
            _("Round %(number)s has already started.") % {"number": round_.number},
            code="already_started",
        )
    finish_expired(event, now)
    active = event.rounds.filter(status__in=[Round.Status.RUNNING, Round.Status.PAUSED]).first()
    if active is not None:
        raise ValidationError(
            _("Round %(active)s is still running: end it before starting round %(number)s.")
            % {"active": active.number, "number": round_.number},
            code="another_running",
        )
    earlier = event.rounds.filter(number__lt=round_.number, status=Round.Status.PLANNED)
    first_unplayed = earlier.order_by("number").first()
    if first_unplayed is not None:
        raise ValidationError(
            _("Round %(earlier)s comes before round %(number)s.")
            % {"earlier": first_unplayed.number, "number": round_.number},
            code="out_of_order",
        )
    if not round_.seats.exists():
        raise ValidationError(
            _("Round %(number)s has no seating plan yet: make the plan first.")
            % {"number": round_.number},
            code="no_plan",
        )
    if is_rescue_due(event, round_):
        raise ValidationError(
            _(
                "Re-plan the last round as the rescue round first, or turn the rescue round off "
                "in the event's settings."
            ),
            code="rescue_first",
        )
    if event.is_seating_walk_ins:
        seat_walk_ins(event, round_, by=by)
    starts_at = now + START_LEAD
    round_.status = Round.Status.RUNNING
    round_.started_at = round_.turns_started_at = starts_at
    round_.ends_at = starts_at + event.round_length
    round_.save(update_fields=["status", "started_at", "turns_started_at", "ends_at"])
    if event.status == Event.Status.CHECK_IN:
        event.status = Event.Status.LIVE
    if not event.rounds.filter(status=Round.Status.PLANNED).exists():
        event.last_round_started_at = now  # no round is left to seat (Event.has_seating_ahead)
    round_changed(
        event,
        action="round_started",
        by=by,
        params={"n": round_.number},
        fields=("status", "last_round_started_at"),
    )
    return round_


def seat_walk_ins(event: Event, round_: Round, *, by: User | None = None) -> list[int]:
    """Seat the people here but not seated in ``round_`` (walk-ins, late arrivals) at free
    places of the tables under ``event.table_size``, in ``round_`` and every planned round after
    it, without moving anyone else: no one else's seat, table or speaking order changes (each is
    added last in their table's order). Someone is seated only if every one of those rounds has
    room (else the walk-in banner still asks for a re-plan). Among the tables with room, the one
    where they meet the fewest people already met, then the fewest colleagues or keep-apart
    pairs, then the smallest, then the lowest number. Called inside ``start_round``'s
    transaction (event and round locked). Returns the ids seated, in order; logs each one and
    sends them, and everyone at the tables they join, the stops that changed after the commit
    (a phone counts its table's pitches and names whose turn it is from its stop's seats),
    raises the event's ``plan_version`` and pushes the full state to the event group."""
    rounds = list(
        event.rounds.filter(number__gte=round_.number, status=Round.Status.PLANNED).order_by(
            "number"
        )
    )
    present = present_people(event)
    seated_now = set(round_.seats.values_list("attendee_id", flat=True))
    waiting = [pk for pk, _company in present if pk not in seated_now]
    if not waiting or not rounds:
        return []
    avoid = {frozenset(pair) for pair in avoid_pairs(event, present)}
    # Who sits where: every round's tables as sets, so placing someone updates what follows.
    tables: dict[int, dict[int, list[int]]] = {r.pk: {} for r in event.rounds.all()}
    table_ids: dict[tuple[int, int], Table] = {}
    next_order: dict[int, int] = {}
    for table in Table.objects.filter(round__event=event).prefetch_related("seats"):
        seats = list(table.seats.all())
        tables[table.round_id][table.pk] = [seat.attendee_id for seat in seats]
        table_ids[(table.round_id, table.pk)] = table
        next_order[table.pk] = max((seat.speaking_order for seat in seats), default=-1) + 1
    seated: list[int] = []
    new_seats: list[Seat] = []
    told: dict[int, set[int]] = {}  # attendee -> round numbers whose stop changed for them
    for person in waiting:
        met = Counter(
            other
            for members in (m for by_table in tables.values() for m in by_table.values())
            if person in members
            for other in members
            if other != person
        )
        choice: list[tuple[Round, int]] = []
        for planned in rounds:
            by_table = tables[planned.pk]
            if any(person in members for members in by_table.values()):
                continue  # already seated in this round (a re-plan after they came)
            room = [
                (
                    sum(met[other] for other in members),
                    sum(frozenset((person, other)) in avoid for other in members),
                    len(members),
                    table_ids[(planned.pk, pk)].number,
                    pk,
                )
                for pk, members in by_table.items()
                if len(members) < event.table_size
            ]
            if not room:
                choice = []
                break
            best = min(room)[-1]
            choice.append((planned, best))
            for other in by_table[best]:
                met[other] += 1
        if not choice:
            continue
        for planned, pk in choice:
            members = tables[planned.pk][pk]
            new_seats.append(
                Seat(
                    round=planned,
                    table=table_ids[(planned.pk, pk)],
                    attendee_id=person,
                    speaking_order=next_order[pk],
                )
            )
            next_order[pk] += 1
            members.append(person)
            for member in members:
                told.setdefault(member, set()).add(planned.number)
        seated.append(person)
        event_services.record(
            event, action="walk_in_seated", by=by, params={"attendee": person, "n": round_.number}
        )
    if seated:
        Seat.objects.bulk_create(new_seats)
        # a phone asleep now learns from its next snapshot that its itinerary may be stale
        # (``plan_changed``); the state version goes up with the round's start. The full state
        # (not only ``round``) makes the projector fetch its "find your table" list again: it
        # is for the same round before and after the start, so nothing else would.
        event.plan_version += 1
        event.save(update_fields=["plan_version"])
        transaction.on_commit(
            partial(
                broadcasts.broadcast_itineraries,
                sorted(told),
                rounds={member: sorted(numbers) for member, numbers in told.items()},
            )
        )
        # after the itineraries: a walk-in's phone with its stops already needs to load nothing
        transaction.on_commit(partial(broadcasts.broadcast_state, event.pk))
        event_services.counters_changed(event.pk)
    return seated


# -- someone leaving during the evening ----------------------------------------------------------
#
# One rule for the three ways someone leaves mid-evening: marked gone at the door or on the
# attendee list (``mark_gone``), taken out of the rounds after a report
# (``conduct.services.remove_from_rounds``) and deleting their own data (``leave_on_erasure``,
# ``after_erasure``). Each path records why, in its own transaction, and calls
# ``leave_running_round`` in it (the round under way); once committed, ``after_leaving`` (the
# coming rounds). Undoing a removal is the inverse where it can be: ``rejoin_running_round``.


def round_under_way_locked(attendee: Attendee) -> tuple[Event, Round | None, datetime]:
    """``attendee``'s event and its round running or paused, both locked (``select_for_update``:
    call inside a transaction), and the time now; the round is None when none is under way or
    its time is up. Two queries."""
    event = Event.objects.select_for_update().get(pk=attendee.event_id)
    now = timezone.now()
    round_ = (
        event.rounds.select_for_update(no_key=True)
        .filter(status__in=[Round.Status.RUNNING, Round.Status.PAUSED])
        .first()
    )
    if round_ is not None and round_.is_over(now):
        round_ = None
    return event, round_, now


@transaction.atomic
def leave_running_round(attendee: Attendee, *, by: User = None) -> list[int]:
    """Vacate ``attendee``'s seat in the event's running or paused round, now: they are no
    longer at that table (a round already over keeps its seats as history).

    - Before their turn: the tablemates who had not pitched yet speak one slot earlier.
    - During their turn (they were the current pitcher): the next pitcher speaks at once, for a
      full pitch slot: the table's turns shift (``Round.turn_shifts``, its table number → ms
      later than ``turns_at``) so that the next slot starts now (frozen at ``paused_at`` while
      paused: the full slot runs from the resume). The round's end does not move: a table whose
      last slots no longer fit talks less freely at the end, as a table larger than the round
      does. With nobody after them the table talks freely at once (no shift).
    - After their turn: everyone keeps their slot (a table's pitch slots run to its highest
      speaking order, ``queries.with_pitches``), so the current pitcher is never cut off.

    Returns the ids told (the tablemates and the person leaving; [] when they have no seat in a
    running or paused round: a second click changes nothing). Logs ``seat_vacated`` (with the
    table, so undoing a removal can give the seat back: ``rejoin_running_round``), raises the
    event's ``plan_version`` and after commit sends the new state to the event group (the
    projector's "find my table" list, the phones' ``turn_shifts``) and the round's stop to
    each of them alone (``plan_changed``): the person leaving gets an itinerary without that
    round. The coming rounds are ``after_leaving``'s."""
    event, round_, now = round_under_way_locked(attendee)
    if round_ is None:
        return []
    seat = (
        Seat.objects.filter(round=round_, attendee_id=attendee.pk).select_related("table").first()
    )
    if seat is None:
        return []
    table = seat.table.number
    seats = list(
        Seat.objects.select_for_update().filter(table_id=seat.table_id).order_by("speaking_order")
    )
    turn = round_.turn_index(now, event.pitch_length, table=table)
    seat.delete()
    later = [other for other in seats if other.speaking_order > seat.speaking_order]
    if turn is None or seat.speaking_order >= turn:
        for other in later:  # one by one, upwards: each order is free when it is taken
            other.speaking_order -= 1
            other.save(update_fields=["speaking_order"])
    if turn == seat.speaking_order and later:
        # the next pitcher's slot (now this speaking order) starts at once, in full: counted
        # in the protocol's whole milliseconds, as the phones count, and a millisecond early,
        # so that a clock frozen at this instant (a pause) reads this slot on every phone and
        # here, not the end of the one before
        pitch_ms = round(event.pitch_length.total_seconds() * 1000)
        clock_ms = queries.epoch_ms(round_.clock_at(now))
        shift = clock_ms - turn * pitch_ms - queries.epoch_ms(round_.turns_started_at) - 1
        round_.turn_shifts = {**round_.turn_shifts, str(table): max(shift, 0)}
        round_.save(update_fields=["turn_shifts"])
    told = sorted(other.attendee_id for other in seats)
    event_services.record(
        event,
        action="seat_vacated",
        by=by,
        params={"attendee": attendee.pk, "n": round_.number, "t": table},
    )
    plan_changed(event, told, rounds={person: [round_.number] for person in told})
    return told


@dataclass(frozen=True)
class Rejoined:
    """What ``rejoin_running_round`` did: ``table`` (its number) and ``order`` (0-based
    speaking order) of the seat given back, or ``round_number`` of the round under way with
    both None when no seat could be given (``reason``, for the organizer); all None without a
    round under way that they left."""

    round_number: int | None = None
    table: int | None = None
    order: int | None = None
    reason: str = ""


@transaction.atomic
def rejoin_running_round(attendee: Attendee, *, by: User = None) -> Rejoined:
    """Give ``attendee`` back a seat in the round under way they left (``leave_running_round``
    logged ``seat_vacated`` with their table), as the last pitcher of that table: whoever
    pitched or waits keeps their slot. Their pitch comes only if the table's turns reach it
    before the round ends; else they listen and talk at that table (the organizer is told).

    Returns ``Rejoined``: with ``table`` when seated; with a ``reason`` when the round under
    way is the one they left but the seat cannot be given back (the table is full:
    ``event.table_size``); empty when no round is under way, or they did not leave it, or they
    already have a seat in it (a second click changes nothing). Logs ``seat_restored``, raises
    the plan version and pushes as ``leave_running_round`` does."""
    event, round_, now = round_under_way_locked(attendee)
    if round_ is None:
        return Rejoined()
    if Seat.objects.filter(round=round_, attendee_id=attendee.pk).exists():
        return Rejoined()
    vacated = (
        event.log_entries.filter(
            action="seat_vacated", params__attendee=attendee.pk, params__n=round_.number
        )
        .order_by("-pk")
        .first()
    )
    if vacated is None:
        return Rejoined()
    table = round_.tables.filter(number=vacated.params["t"]).first()
    seats = list(Seat.objects.select_for_update().filter(table=table)) if table else []
    if table is None or len(seats) >= event.table_size:
        return Rejoined(
            round_number=round_.number,
            reason=_(
                "%(name)s cannot sit at table %(table)s again in round %(number)s: the table is "
                "full. They join again from the next round."
            )
            % {"name": attendee.name, "table": vacated.params["t"], "number": round_.number},
        )
    order = max((seat.speaking_order for seat in seats), default=-1) + 1
    Seat.objects.create(round=round_, table=table, attendee=attendee, speaking_order=order)
    # both move together with a resume: compared while paused too
    starts_at = (
        round_.turns_started_at + round_.turn_shift(table.number) + order * event.pitch_length
    )
    reason = ""
    if starts_at >= round_.ends_at or starts_at < round_.clock_at(now):
        reason = _(
            "%(name)s is back at table %(table)s in round %(number)s, with no pitch slot left "
            "there: they listen."
        ) % {"name": attendee.name, "table": table.number, "number": round_.number}
    told = sorted([*(seat.attendee_id for seat in seats), attendee.pk])
    event_services.record(
        event,
        action="seat_restored",
        by=by,
        params={"attendee": attendee.pk, "n": round_.number, "t": table.number},
    )
    plan_changed(event, told, rounds={person: [round_.number] for person in told})
    return Rejoined(round_number=round_.number, table=table.number, order=order, reason=reason)


def pause_refusal(round_: Round, *, now: datetime) -> ValidationError | None:
    """Why ``round_`` cannot be paused at ``now`` (None: it can): it is not running (code
    ``not_running``), its time is up, or it ends before the pause would take effect
    ``CHANGE_LEAD`` later (code ``round_over``). The one rule for ``pause_round`` and the
    control panel's button."""
    if round_.status != Round.Status.RUNNING:
        return ValidationError(
            _("Only a running round can be paused; round %(number)s is %(status)s.")
            % {"number": round_.number, "status": round_.get_status_display().lower()},
            code="not_running",
        )
    if round_.is_over(now):
        return ValidationError(
            _("Round %(number)s is over.") % {"number": round_.number}, code="round_over"
        )
    if max(now + CHANGE_LEAD, round_.started_at) >= round_.ends_at:
        return ValidationError(_("The round is ending anyway."), code="round_over")
    return None


def resume_refusal(round_: Round) -> ValidationError | None:
    """Why ``round_`` cannot be resumed (None: it can): only a paused round resumes (code
    ``not_paused``). The one rule for ``resume_round`` and the control panel's button."""
    if round_.status != Round.Status.PAUSED:
        return ValidationError(
            _("Only a paused round can be resumed; round %(number)s is %(status)s.")
            % {"number": round_.number, "status": round_.get_status_display().lower()},
            code="not_paused",
        )
    return None


@transaction.atomic
def pause_round(round_: Round, *, by: User) -> Round:
    """Freeze the round's countdown ``CHANGE_LEAD`` (0.5 s) from now, so every phone stops on
    the same second; a pause during the 3-second count-in takes effect when the round starts.
    Stores ``paused_at`` and ``paused_remaining``. Raises ``ValidationError`` (codes
    ``not_running``, ``round_over``: ``pause_refusal``). Bumps the state version, logs
    ``round_paused`` and pushes ``round`` to the event group after commit."""
    event, round_ = lock(round_)
    now = timezone.now()
    refusal = pause_refusal(round_, now=now)
    if refusal is not None:
        raise refusal
    paused_at = max(now + CHANGE_LEAD, round_.started_at)
    round_.status = Round.Status.PAUSED
    round_.paused_at = paused_at
    round_.paused_remaining = round_.ends_at - paused_at
    round_.save(update_fields=["status", "paused_at", "paused_remaining"])
    round_changed(event, action="round_paused", by=by, params={"n": round_.number})
    return round_


@transaction.atomic
def resume_round(round_: Round, *, by: User) -> Round:
    """Run the countdown again ``CHANGE_LEAD`` (0.5 s) from now with the time that was left: the
    turns, the end (and a start still in its count-in) move by the length of the pause. Raises
    ``ValidationError`` (code ``not_paused``: ``resume_refusal``). Bumps the state version, logs
    ``round_resumed`` and pushes ``round`` to the event group after commit."""
    event, round_ = lock(round_)
    now = timezone.now()
    refusal = resume_refusal(round_)
    if refusal is not None:
        raise refusal
    resumes_at = max(now + CHANGE_LEAD, round_.paused_at)
    shift = resumes_at - round_.paused_at
    round_.status = Round.Status.RUNNING
    round_.turns_started_at += shift
    if round_.started_at > round_.paused_at:  # paused during the count-in: it goes on after
        round_.started_at += shift
    round_.ends_at = max(resumes_at, round_.started_at) + round_.paused_remaining
    round_.paused_at = round_.paused_remaining = None
    round_.save(
        update_fields=[
            "status",
            "ends_at",
            "turns_started_at",
            "started_at",
            "paused_at",
            "paused_remaining",
        ]
    )
    round_changed(
        event,
        action="round_resumed",
        by=by,
        params={"n": round_.number},
    )
    return round_


@transaction.atomic
def extend_round(round_: Round, *, seconds: int, by: User) -> Round:
    """Add ``seconds`` (1 to ``MAX_EXTEND_SECONDS``) to a running or paused round, at once (the
    end moves, no lead time). Raises ``ValidationError`` (codes ``bad_extension``,
    ``not_running``, ``round_over``). Bumps the state version, logs ``round_extended`` and
    pushes ``round`` to the event group after commit."""
    if not 1 <= seconds <= MAX_EXTEND_SECONDS:
        raise ValidationError(
            _("A round can be extended by 1 to %(max)s seconds at a time.")
            % {"max": MAX_EXTEND_SECONDS},
            code="bad_extension",
        )
    event, round_ = lock(round_)
    now = timezone.now()
    if round_.status not in (Round.Status.RUNNING, Round.Status.PAUSED):
        raise ValidationError(
            _("Only a running or paused round can be extended."), code="not_running"
        )
    refuse_if_over(round_, now)
    extra = timedelta(seconds=seconds)
    round_.ends_at += extra
    if round_.status == Round.Status.PAUSED:
        round_.paused_remaining += extra
    round_.save(update_fields=["ends_at", "paused_remaining"])
    round_changed(
        event,
        action="round_extended",
        by=by,
        params={"n": round_.number, "s": seconds},
    )
    return round_


@transaction.atomic
def end_round(round_: Round, *, by: User) -> Round:
    """End a running or paused round now (a round whose time ran out ends at its deadline; one
    still in its count-in at its start). Raises ``ValidationError`` (code ``not_running``).
    Bumps the state version, logs ``round_ended`` and pushes ``round`` to the event group after
    commit."""
    event, round_ = lock(round_)
    now = timezone.now()
    if round_.status not in (Round.Status.RUNNING, Round.Status.PAUSED):
        raise ValidationError(
            _("Round %(number)s is not running.") % {"number": round_.number}, code="not_running"
        )
    ended_at = round_.ends_at if round_.is_over(now) else max(now, round_.started_at)
    round_.status = Round.Status.DONE
    round_.ended_at = round_.ends_at = ended_at
    round_.paused_at = round_.paused_remaining = None
    round_.save(update_fields=["status", "ended_at", "ends_at", "paused_at", "paused_remaining"])
    round_changed(event, action="round_ended", by=by, params={"n": round_.number})
    return round_


def skip_refusal(
    round_: Round, *, at: datetime, pitch_length: timedelta, pitches: int | None = None
) -> str | None:
    """Why no turn can be skipped in this running round at ``at`` (None: one can): nobody is
    pitching yet, or everyone has pitched. ``pitches``, the seats at the largest table, is read
    when not given (``queries.current_round`` annotates it). The one rule for the service and
    the control panel's button."""
    turn = round_.turn_index(at, pitch_length)
    if turn is None:
        return _("Nobody is pitching yet.")
    if turn >= (pitches if pitches is not None else largest_table(round_)) and not any(
        shifted_turn is not None and shifted_turn < slots
        for shifted_turn, slots in shifted_tables(round_, at=at, pitch_length=pitch_length)
    ):
        return _("Everyone has pitched in this round.")
    return None


def shifted_tables(round_: Round, *, at: datetime, pitch_length: timedelta) -> list[tuple]:
    """For each table of ``round_`` whose turns are shifted (``turn_shifts``): (its speaking
    order whose slot runs at ``at``, or None; its number of pitch slots, the highest speaking
    order + 1). Empty, with no query, when no table is shifted."""
    if not round_.turn_shifts:
        return []
    slots = dict(
        round_.seats.filter(table__number__in=[int(n) for n in round_.turn_shifts])
        .values_list("table__number")
        .annotate(last=Max("speaking_order"))
    )
    return [
        (round_.turn_index(at, pitch_length, table=number), last + 1)
        for number, last in slots.items()
    ]


@transaction.atomic
def skip_turn(round_: Round, *, by: User) -> Round:
    """End the current pitcher's slot at every table ``CHANGE_LEAD`` (0.5 s) from now; later
    slots move up (a table whose turns are shifted, ``turn_shifts``, included: its own current
    pitcher is the one cut). Raises ``ValidationError`` (codes ``not_running``, ``round_over``,
    ``no_turn``: ``skip_refusal``). Bumps the state version, logs ``turn_skipped`` and pushes
    ``round`` to the event group after commit."""
    event, round_ = lock(round_)
    now = timezone.now()
    if round_.status != Round.Status.RUNNING:
        raise ValidationError(
            _("Turns can only be skipped in a running round."), code="not_running"
        )
    refuse_if_over(round_, now)
    at = now + CHANGE_LEAD
    refusal = skip_refusal(round_, at=at, pitch_length=event.pitch_length)
    if refusal is not None:
        raise ValidationError(refusal, code="no_turn")
    turn = round_.turn_index(at, event.pitch_length)
    # a table whose pitcher left mid-slot runs its own turns (``turn_shifts``): its current
    # slot ends at ``at`` too, so the skip cuts exactly its current pitcher, as everywhere
    table_turns = {
        number: round_.turn_index(at, event.pitch_length, table=int(number))
        for number in round_.turn_shifts
    }
    slot_ends_at = round_.turns_started_at + (turn + 1) * event.pitch_length
    round_.turns_started_at -= slot_ends_at - at
    shifts = {}
    for number, shift in round_.turn_shifts.items():
        current = table_turns[number]
        if current is not None:  # that table's turns start so that its current slot ends at ``at``
            turns_at = at - (current + 1) * event.pitch_length
            shift = round((turns_at - round_.turns_started_at).total_seconds() * 1000)
        shifts[number] = shift
    round_.turn_shifts = shifts
    round_.save(update_fields=["turns_started_at", "turn_shifts"])
    round_changed(
        event,
        action="turn_skipped",
        by=by,
        params={"n": round_.number, "t": turn + 1},
    )
    return round_


MAX_ANNOUNCEMENT_MINUTES = 240


@transaction.atomic
def announce(event: Event, *, text: str, by: User, minutes: int | None = None) -> Event:
    """Show ``text`` on every phone and the projector until it is replaced or cleared, or for
    ``minutes`` (1–240) when given. White space is folded; at most 280 characters.

    Raises ``ValidationError`` (codes ``empty``, ``too_long``, ``bad_expiry``, ``closed``).
    Pushes ``announce`` to the event group after commit.
    """
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("Write the announcement first."), code="empty")
    if len(text) > MAX_ANNOUNCEMENT_CHARS:
        raise ValidationError(
            _("An announcement is at most %(max)s characters (this one has %(n)s).")
            % {"max": MAX_ANNOUNCEMENT_CHARS, "n": len(text)},
            code="too_long",
        )
    if minutes is not None and not 1 <= minutes <= MAX_ANNOUNCEMENT_MINUTES:
        raise ValidationError(
            _("An announcement lasts from 1 to %(max)s minutes.")
            % {"max": MAX_ANNOUNCEMENT_MINUTES},
            code="bad_expiry",
        )
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status in (Event.Status.DRAFT, Event.Status.CLOSED):
        raise ValidationError(_("Announcements go out while the event is open."), code="closed")
    now = timezone.now()
    event.announcement = text
    event.announced_at = now
    event.announcement_expires_at = None if minutes is None else now + timedelta(minutes=minutes)
    bump_version(event, fields=("announcement", "announced_at", "announcement_expires_at"))
    event_services.record(event, action="announced", by=by, message=text)
    transaction.on_commit(partial(broadcasts.broadcast_announcement, event.pk))
    return event


def drop_announcement(event: Event) -> bool:
    """Empty the event's announcement fields in memory; True when there was one to drop."""
    had = bool(event.announcement)
    event.announcement = ""
    event.announced_at = event.announcement_expires_at = None
    return had


ANNOUNCEMENT_FIELDS = ("announcement", "announced_at", "announcement_expires_at")


@transaction.atomic
def clear_announcement(event: Event, *, by: User) -> Event:
    """Take the announcement off every phone and the projector. Clearing when there is none
    changes nothing (no new version, no push). Pushes ``announce`` with ``null`` after commit."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not drop_announcement(event):
        return event
    bump_version(event, fields=ANNOUNCEMENT_FIELDS)
    event_services.record(event, action="announcement_cleared", by=by)
    transaction.on_commit(partial(broadcasts.broadcast_announcement, event.pk))
    return event


EVENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Event.Status.CHECK_IN: (Event.Status.DRAFT,),
    Event.Status.MINGLE: (Event.Status.CHECK_IN, Event.Status.LIVE),
    Event.Status.CLOSED: (Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE),
}


def move_event(event: Event, *, to: str, by: User) -> Event:
    """Move the event to status ``to`` along ``EVENT_TRANSITIONS`` (call inside a transaction):
    an active round ends first; closing drops the announcement. Raises ``ValidationError``
    (code ``bad_transition``). Bumps the state version, logs ``event_<to>`` and pushes
    ``state`` to the event group after commit."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status not in EVENT_TRANSITIONS[to]:
        raise ValidationError(
            _("The event cannot go from %(current)s to %(target)s.")
            % {"current": event.get_status_display(), "target": Event.Status(to).label},
            code="bad_transition",
        )
    now = timezone.now()
    for active in event.rounds.select_for_update(no_key=True).filter(
        status__in=[Round.Status.RUNNING, Round.Status.PAUSED]
    ):
        active.event = event
        end_round(active, by=by)
        event.refresh_from_db(fields=["state_version"])
    event.status = to
    if to == Event.Status.CLOSED:
        event.closed_at = now
        drop_announcement(event)  # nothing is announced to an evening that is over
    bump_version(event, fields=("status", "closed_at", *ANNOUNCEMENT_FIELDS))
    event_services.record(
        event,
        action=f"event_{to}",
        by=by,
        params={"status": to},
    )
    transaction.on_commit(partial(broadcasts.broadcast_state, event.pk))
    return event


@transaction.atomic
def open_check_in(event: Event, *, by: User) -> Event:
    """Draft → check-in: phones can join (``move_event``)."""
    return move_event(event, to=Event.Status.CHECK_IN, by=by)


@transaction.atomic
def start_mingle(event: Event, *, by: User) -> Event:
    """After the rounds: a running round ends now and phones switch to their leads."""
    return move_event(event, to=Event.Status.MINGLE, by=by)


@transaction.atomic
def close_event(event: Event, *, by: User) -> Event:
    """End the evening (``move_event``): a running round ends, the announcement goes."""
    return move_event(event, to=Event.Status.CLOSED, by=by)


def allowed_actions(event: Event, round_: Round | None, next_round: Round | None) -> set[str]:
    """The control actions that can work now (the names of ``rounds.forms.ControlForm``'s
    actions): the one place the control panel, its keyboard shortcuts, the admin and the tests
    ask. ``round_`` is ``queries.current_round`` (annotated with ``pitches``), ``next_round``
    ``queries.next_round``. The transitions themselves still refuse what is not allowed, with
    the same rules (``pause_refusal``, ``resume_refusal``, ``skip_refusal``).

    A plan exists once any round exists (``round_`` or ``next_round``): then "Make the plan" is
    gone and "Re-plan the remaining rounds" takes its place while a round is left to play.
    Mingling needs a round to have started (the event is live); closing is possible from
    check-in on (an evening called off) and always asks first (``confirmations``). While the
    rescue round is due (``is_rescue_due``) "rescue" takes the place of starting the last
    round, once the round before it is over (``rescue_refusal``)."""
    status = round_.effective_status(timezone.now()) if round_ else None
    is_open = event.status in (Event.Status.CHECK_IN, Event.Status.LIVE)
    has_plan = round_ is not None or next_round is not None
    actions: set[str] = set()
    if (
        is_open
        and next_round is not None
        and status not in (Round.Status.RUNNING, Round.Status.PAUSED)
    ):
        actions.add("start")
    if round_ is not None and pause_refusal(round_, now=timezone.now()) is None:
        actions.add("pause")
    if round_ is not None and resume_refusal(round_) is None:
        actions.add("resume")
    if status == Round.Status.RUNNING:
        actions |= {"extend", "end"}
        now = timezone.now() + CHANGE_LEAD
        pitches = getattr(round_, "pitches", None)
        if skip_refusal(round_, at=now, pitch_length=event.pitch_length, pitches=pitches) is None:
            actions.add("skip")
    if status == Round.Status.PAUSED:
        actions |= {"extend", "end"}
    if event.status in (Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE):
        actions |= {"announce", "close"}
    if event.status == Event.Status.LIVE:
        actions.add("mingle")
    if event.announcement and event.status != Event.Status.CLOSED:
        actions.add("clear_announcement")
    if event.status in (Event.Status.DRAFT, Event.Status.CHECK_IN) and not has_plan:
        actions.add("plan")
    if event.status == Event.Status.DRAFT:
        actions.add("open")
    if is_open and next_round is not None:
        actions.add("replan")
    if rescue_refusal(event, round_, next_round) is None:
        actions.add("rescue")
    if is_rescue_due(event, next_round):
        actions.discard("start")  # the rescue round comes first (``start_round`` refuses too)
    return actions


def change_settings(event: Event, *, by: User, **fields: object) -> Event:
    """Change an event's settings (``events.services.update_event``: ``EDITABLE_FIELDS`` only).
    Once a round has started the ``STRUCTURE_FIELDS`` are fixed (``ValidationError``, code
    ``started``); before that a new number of rounds or table size drops the plan
    (``drop_plan``: new state version and pushes), which must be made again. A change of what
    phones show (``PHONE_FIELDS``: the round and pitch lengths, the language) is a new state
    version and the new ``state`` goes to the event group after commit; other settings (the
    title) change neither."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    changed = event_services.changed_settings(event, fields)
    started = event.rounds.exclude(status=Round.Status.PLANNED).exists()
    if started and any(name in event_services.STRUCTURE_FIELDS for name in changed):
        raise ValidationError(
            _(
                "The rounds have started: the number of rounds, their length and the table size "
                "can no longer change."
            ),
            code="started",
        )
    event = event_services.update_event(event, by=by, **fields)
    if {"rounds_count", "table_size"} & set(changed) and event.rounds.exists():
        drop_plan(event, by=by)
    elif PHONE_FIELDS & set(changed):
        bump_version(event)
        transaction.on_commit(partial(broadcasts.broadcast_state, event.pk))
    return event


# The settings in the ``state`` phones are sent (``queries.event_json``) besides the status.
PHONE_FIELDS = frozenset({"rounds_count", "round_seconds", "pitch_seconds", "language"})


def drop_plan(event: Event, *, by: User) -> list[int]:
    """Delete every round of a plan not started yet (call inside a transaction, the event row
    locked). Returns the ids of the attendees who were seated: after commit each gets an empty
    itinerary (``plan``) and the event group the new ``state``, with a new state version, so no
    phone keeps an old table. Nothing happens without a plan. Logs ``plan_dropped``."""
    seated = sorted(
        set(Seat.objects.filter(round__event=event).values_list("attendee_id", flat=True))
    )
    if not event.rounds.exists():
        return []
    event.rounds.all().delete()
    event_services.record(event, action="plan_dropped", by=by)
    plan_changed(event, seated)
    return seated


def primary_action(
    event: Event,
    round_: Round | None,
    next_round: Round | None,
    *,
    is_replan_due: bool = False,
) -> str | None:
    """The one next step of the evening, shown as the panel's main button: "open" (check-in)
    → "plan" → "start" (round 1, 2, …, with "rescue" before the last one when the event
    has the rescue round) → "mingle" → "close"; "resume" while paused; None
    while a round runs (it ends by itself) and once the event is closed. Always one of
    ``allowed_actions`` (arguments as there) or None. ``is_replan_due`` is the walk-in
    banner's condition (``queries.seating_gaps(...).count``: someone here is not seated in
    the next round, someone gone still is, a private request is unmet): then the next step
    is "replan" rather than starting a round that leaves them out."""
    allowed = allowed_actions(event, round_, next_round)
    status = round_.effective_status(timezone.now()) if round_ else None
    if status == Round.Status.RUNNING:
        return None
    if status == Round.Status.PAUSED:
        choice = "resume"
    elif event.status == Event.Status.DRAFT:
        choice = "open"
    elif event.status == Event.Status.MINGLE:
        choice = "close"
    elif "plan" in allowed:
        choice = "plan"
    elif "rescue" in allowed:
        choice = "rescue"
    elif next_round is not None:
        choice = "replan" if is_replan_due and "replan" in allowed else "start"
    else:
        choice = "mingle"
    return choice if choice in allowed else None


def confirmations(event: Event, round_: Round | None) -> dict[str, str]:
    """The disruptive actions that ask "are you sure?" before they are sent, with the question
    in the organizer's language: ending a round early, mingling and closing (every phone
    changes and it cannot be undone), and re-planning while a round is on (itineraries of the
    rounds to come change under people's feet). Mingling after the last round is over skips
    nothing, and its question says so."""
    status = round_.effective_status(timezone.now()) if round_ else None
    last_over = (
        round_ is not None and round_.number >= event.rounds_count and status == Round.Status.DONE
    )
    questions = {
        "end": _("End this round now for every table?"),
        "mingle": (
            _("Start mingling? Every phone switches to mingling; this cannot be undone.")
            if last_over
            else _("Start mingling? The remaining rounds are skipped and cannot be run later.")
        ),
        "close": _("Close the event? Phones stop showing tables; this cannot be undone."),
    }
    if status in (Round.Status.RUNNING, Round.Status.PAUSED):
        questions["replan"] = _(
            "A round is on: re-plan the rounds still to come? Changed itineraries go to the "
            "phones at once."
        )
    return questions


@dataclass(frozen=True)
class PlanReport:
    quality: scheduling.Quality
    forecast: scheduling.Forecast
    changed_attendees: int
    present: int


def present_people(event: Event) -> list[tuple[int, str]]:
    """(attendee id, company) of everyone present now (``Attendee.objects.present``), by id."""
    return list(event.attendees.present().order_by("pk").values_list("pk", "company"))


def people_to_plan(event: Event) -> list[tuple[int, str]]:
    """``present_people``, when there are enough to plan (at least ``MIN_PEOPLE``): the one check
    of ``make_plan`` and ``replan``. Raises ``ValidationError`` (code ``too_few``) otherwise."""
    people = present_people(event)
    if len(people) < MIN_PEOPLE:
        raise ValidationError(
            _("At least %(min)s checked-in people are needed to plan (there are %(n)s).")
            % {"min": MIN_PEOPLE, "n": len(people)},
            code="too_few",
        )
    return people


def avoid_pairs(event: Event, people: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """Who must sit at different tables among ``people`` (present attendees): colleagues and
    the organizer's keep-apart pairs, less the pairs allowed together (``seating.avoid_pairs``)."""
    keep_apart, together = event_queries.seating_rules(event)
    return seating.avoid_pairs(people, keep_apart=keep_apart, together=together)


def write_round(
    round_: Round, tables: Sequence[Sequence[int]], numbers: list[int], orders: list[list[int]]
) -> None:
    """Replace a planned round's tables and seats (three queries whatever the size)."""
    round_.tables.all().delete()
    made = Table.objects.bulk_create(Table(round=round_, number=n) for n in numbers)
    Seat.objects.bulk_create(
        Seat(round=round_, table=table, attendee_id=person, speaking_order=position)
        for table, order in zip(made, orders, strict=True)
        for position, person in enumerate(order)
    )


def plan_changed(
    event: Event, attendee_ids: list[int], *, rounds: dict[int, list[int]] | None = None
) -> None:
    """After a plan is written: a new state version, and after commit the new state to every
    phone and projector (who is seated, which tables the next round has) and each changed
    itinerary to its attendee alone, with the stops of ``rounds`` (attendee id → the round
    numbers whose tablemates changed; None: every round not started). The event's
    ``plan_version`` goes up with it, so a phone that was away learns from its next snapshot
    that its itinerary may be stale."""
    event.plan_version += 1
    bump_version(event, fields=("plan_version",))
    transaction.on_commit(partial(broadcasts.broadcast_state, event.pk))
    transaction.on_commit(partial(broadcasts.broadcast_itineraries, attendee_ids, rounds=rounds))


# How often a plan is made again when what it was made from changed while it was being made
# (someone checked in, a round started): then the organizer is asked to try again.
MAX_PLAN_ATTEMPTS = 3


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan is made from, read in one go: if any of it differs when the plan is
    about to be written, the plan is stale and is made again. ``rounds`` are (id, status) of the
    stored rounds by number and ``old`` the stored seating (``queries.stored_plan``); both are
    empty for a first plan."""

    status: str
    rounds_count: int
    table_size: int
    people: list[tuple[int, str]]
    avoid: list[tuple[int, int]]
    rounds: list[tuple[int, str]]
    old: list[list[list[int]]]

    @property
    def played(self) -> int:
        return sum(1 for _pk, status in self.rounds if status != Round.Status.PLANNED)

    @property
    def present(self) -> list[int]:
        return [pk for pk, _company in self.people]


def refuse_second_plan(event: Event) -> None:
    """Refuse a first plan (``make_plan`` with ``is_first``) once ``event`` has one: a
    co-organizer's click on a panel drawn before the plan was made (code ``planned``)."""
    if event.rounds.exists():
        raise ValidationError(
            _("The plan is already made: re-plan the remaining rounds to change it."),
            code="planned",
        )


def first_plan_inputs(event: Event) -> PlanInputs:
    """What ``make_plan`` plans from, checked: no round has started and enough people are
    present (``people_to_plan``), else ``ValidationError``."""
    if event.status not in (Event.Status.DRAFT, Event.Status.CHECK_IN) or (
        event.rounds.exclude(status=Round.Status.PLANNED).exists()
    ):
        raise ValidationError(
            _("The rounds have started: re-plan the remaining rounds instead."), code="started"
        )
    return plan_inputs(event, rounds=[], old=[])


def plan_inputs(
    event: Event, *, rounds: list[tuple[int, str]], old: list[list[list[int]]]
) -> PlanInputs:
    """The people to plan (``people_to_plan``: ``ValidationError`` when too few) and the rules
    that hold among them, with the stored ``rounds`` and seating ``old`` given."""
    people = people_to_plan(event)
    return PlanInputs(
        status=event.status,
        rounds_count=event.rounds_count,
        table_size=event.table_size,
        people=people,
        avoid=avoid_pairs(event, people),
        rounds=rounds,
        old=old,
    )


def replan_inputs(event: Event) -> PlanInputs:
    """What ``replan`` plans from, checked: a plan with a round still to play and enough
    people present, else ``ValidationError``."""
    rounds = list(event.rounds.order_by("number").values_list("pk", "status"))
    if not rounds:
        raise ValidationError(_("There is no plan yet: make the plan first."), code="no_plan")
    if all(status != Round.Status.PLANNED for _pk, status in rounds):
        raise ValidationError(
            _("Every round has started already: nothing is left to re-plan."), code="all_played"
        )
    return plan_inputs(event, rounds=rounds, old=queries.stored_plan(event.pk))


def stale_plan() -> ValidationError:
    return ValidationError(
        _("The people present kept changing while the plan was being made: try again."),
        code="stale_plan",
    )


def make_plan(
    event: Event, *, by: User, seed: int = 0, time_limit: float = 2.0, is_first: bool = False
) -> PlanReport:
    """Plan every round from the people present now (before the first round starts), replacing
    any plan there was; the planner searches for at most ``time_limit`` seconds and, below the
    keep-apart pairs and the repeats, seats each pitcher with listeners whose offer answers their
    need (``pitches.queries.seating_helps``). With ``is_first`` (the control panel's "Make the
    plan") a plan made meanwhile, from another laptop, is kept: ``ValidationError`` code
    ``planned`` (``refuse_second_plan``).

    The search runs with no transaction open (card taps and check-ins go on meanwhile): the
    inputs are read, the plan is made, then the event is locked and the inputs read again; if
    they changed (someone checked in) the plan is made again, at most ``MAX_PLAN_ATTEMPTS``
    times, then ``ValidationError`` (code ``stale_plan``). Raises ``ValidationError`` once a
    round has started or with fewer than ``MIN_PEOPLE`` present (``people_to_plan``). Bumps the
    state version, logs ``planned`` and, after commit, pushes ``state`` to the event group and
    each itinerary to its attendee (``plan_changed``)."""
    for _attempt in range(MAX_PLAN_ATTEMPTS):
        fresh = Event.objects.get(pk=event.pk)
        inputs = first_plan_inputs(fresh)
        if is_first:
            refuse_second_plan(fresh)
        plan = scheduling.plan_rounds(
            inputs.present,
            rounds=inputs.rounds_count,
            table_size=inputs.table_size,
            met=queries.planning_memory(event, inputs.present),
            avoid=inputs.avoid,
            seed=seed,
            time_limit=time_limit,
            helps=pitch_queries.seating_helps(inputs.present),
        )
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            if is_first:
                refuse_second_plan(locked)
            if first_plan_inputs(locked) != inputs:
                continue
            write_plan(locked, plan, inputs=inputs, by=by)
        return PlanReport(
            quality=scheduling.plan_quality(plan, avoid=inputs.avoid),
            forecast=scheduling.forecast(
                len(inputs.people), rounds=len(plan), table_size=inputs.table_size
            ),
            changed_attendees=len(inputs.people),
            present=len(inputs.people),
        )
    raise stale_plan()


def write_plan(event: Event, plan: list[list[list[int]]], *, inputs: PlanInputs, by: User) -> None:
    """Store a first plan (the event locked): every round, its tables and speaking orders."""
    event.rounds.all().delete()
    rounds = Round.objects.bulk_create(
        Round(event=event, number=number) for number in range(1, len(plan) + 1)
    )
    history = seating.SpeakingHistory()
    for round_, tables in zip(rounds, plan, strict=True):
        orders = [history.order(table, round_.number) for table in tables]
        write_round(round_, tables, list(range(1, len(tables) + 1)), orders)
    event_services.record(
        event,
        action="planned",
        by=by,
        params={"n": len(inputs.people), "r": len(plan)},
    )
    plan_changed(event, inputs.present)


def replan(event: Event, *, by: User, seed: int = 0, time_limit: float = 1.0) -> PlanReport:
    """Re-plan the rounds not yet started around late arrivals and people who left.

    Rounds already played (and the one running now) are history and never change; the planner
    repairs the rest so that most itineraries stay as they were, and only attendees whose
    itinerary changed are told. The planner searches for at most ``time_limit`` seconds with no
    transaction open, then the event and its rounds are locked and the inputs read again; if
    anything changed meanwhile the re-plan is made again (``make_plan``: at most
    ``MAX_PLAN_ATTEMPTS`` times, then ``ValidationError`` code ``stale_plan``).
    Raises ``ValidationError`` without a plan, when every round has started, or with fewer than
    ``MIN_PEOPLE`` present. Bumps the state version, logs ``replanned`` and pushes after commit
    (``plan_changed``).
    """
    for _attempt in range(MAX_PLAN_ATTEMPTS):
        inputs = replan_inputs(Event.objects.get(pk=event.pk))
        new = scheduling.replan_rounds(
            inputs.old,
            played=inputs.played,
            present=inputs.present,
            table_size=inputs.table_size,
            met=queries.planning_memory(event, inputs.present),
            avoid=inputs.avoid,
            seed=seed,
            time_limit=time_limit,
        )
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            rounds = list(locked.rounds.select_for_update(no_key=True).order_by("number"))
            if replan_inputs(locked) != inputs:
                continue
            changed = write_replan(locked, rounds, new, inputs=inputs, by=by)
        return PlanReport(
            quality=scheduling.plan_quality(new, avoid=inputs.avoid),
            forecast=scheduling.forecast(
                len(inputs.present), rounds=len(new), table_size=inputs.table_size
            ),
            changed_attendees=len(changed),
            present=len(inputs.present),
        )
    raise stale_plan()


def write_replan(
    event: Event,
    rounds: list[Round],
    new: list[list[list[int]]],
    *,
    inputs: PlanInputs,
    by: User,
) -> list[int]:
    """Store a re-plan (``write_future``), log ``replanned`` with the people present who must
    walk to another table number in some round (``m``: ``seating.moved_people``, arrivals not
    counted) and the phones told (``c``: table or tablemates changed), and tell those
    attendees after commit (``plan_changed``); returns them."""
    changed = write_future(rounds, new, inputs=inputs)
    played = inputs.played
    moved = seating.moved_people(inputs.old[played:], new[played:])
    event_services.record(
        event,
        action="replanned",
        by=by,
        params={
            "first_round": played + 1,
            "last_round": len(rounds),
            "n": len(inputs.present),
            "m": len(moved & set(inputs.present)),
            "c": len(changed),
        },
    )
    plan_changed(event, changed, rounds=seating.changed_rounds(inputs.old, new))
    return changed


def write_future(
    rounds: list[Round], new: list[list[list[int]]], *, inputs: PlanInputs
) -> list[int]:
    """Store the rounds not started of a re-plan (the event and its rounds locked): each gets
    its new tables, keeping table numbers and speaking orders where a table stayed the same.
    Returns the attendees whose itinerary changed (also the people who left: their phones must
    stop showing a table they no longer have), in id order."""
    old, played = inputs.old, inputs.played
    history = seating.SpeakingHistory.from_played(old[:played])
    for round_, old_tables, new_tables in zip(
        rounds[played:], old[played:], new[played:], strict=True
    ):
        numbers = seating.table_numbers(old_tables, new_tables)
        kept = {frozenset(t): list(t) for t in old_tables}
        orders = [
            kept.get(frozenset(table)) or history.order(table, round_.number)
            for table in new_tables
        ]
        write_round(round_, new_tables, numbers, orders)
    return sorted(scheduling.changed_itineraries(old, new))


def after_leaving(event: Event, *, attendee_id: int, by: User) -> bool:
    """The coming rounds of someone who left (marked gone, removed after a report, erased),
    once that has committed: the rounds not started that still seat them are planned again
    without them, at once: re-planned once a round has started (``replan``), made again before
    (``make_plan``: a plan not started takes every rule anyway). Only changed itineraries are
    pushed. Called with no transaction open: the search holds no lock.

    Why at once, for every path, rather than a banner asking the organizer: a removal after a
    report must keep the reporter away from the next round and an erasure must take the
    person's name off every table, and the organizer who marks someone gone at the door expects
    the same: nobody faces an empty chair at the next table because a re-plan was forgotten,
    and a phone that sees the seat gone now sees the coming rounds without it too. When the
    re-plan is refused (too few people present, the people changing meanwhile) the control
    page's banner lists them among the gone still seated, and the organizer re-plans: the
    refusal is logged here, not raised (the leaving itself succeeded).

    Returns whether the coming rounds were planned again. Nothing for someone present again
    (an undone removal, checked in again) or with no seat in a round not started."""
    if not queries.is_seated(attendee_id, statuses=[Round.Status.PLANNED]):
        return False
    if event.attendees.present().filter(pk=attendee_id).exists():
        return False
    return plan_coming_rounds(event, by=by)


def plan_coming_rounds(event: Event, *, by: User) -> bool:
    """Plan the rounds not started again from the people present now: ``replan`` once a round
    has started, ``make_plan`` before (an existing plan not started is made again). A refusal
    (``ValidationError``) is logged and False returned: the control page's banners then ask
    the organizer. Called with no transaction open. True when a plan was written."""
    started = event.rounds.exclude(status=Round.Status.PLANNED).exists()
    try:
        if started:
            replan(event, by=by)
        elif queries.has_plan(event.pk):
            make_plan(event, by=by)
        else:
            return False
    except ValidationError as refusal:
        log.info("no re-plan for event %s: %s", event.pk, refusal.messages)
        return False
    return True


def mark_gone(attendee: Attendee, *, by: User) -> Attendee:
    """Someone went home (the door, the attendee list): marked gone
    (``events.services.mark_left``: ``left_at``, the log line, their phone's "Thank you for
    coming!"), their seat in the round under way vacated at once (``leave_running_round``) and,
    after the commit, the coming rounds planned without them (``after_leaving``). Raises
    ``ValidationError`` for someone who never checked in. Marking someone gone twice changes
    nothing the second time."""
    with transaction.atomic():
        attendee = event_services.mark_left(attendee, by=by)
        leave_running_round(attendee, by=by)
    after_leaving(attendee.event, attendee_id=attendee.pk, by=by)
    return attendee


# -- an attendee who deletes their data during the evening -------------------------------------

# The event states in which an erasure is someone leaving: the rounds are planned or played.
EVENING = (Event.Status.CHECK_IN, Event.Status.LIVE)


def leave_on_erasure(attendee: Attendee, *, by: User) -> bool:
    """An attendee whose personal data was just erased during the evening (check-in open or
    live; called by ``feedback.retention.erase_attendee`` inside its transaction) leaves as
    anyone who leaves: marked gone (``events.services.mark_left``: ``left_at``, the log line
    ``attendee_left``, the control page's counters) and their seat in the round under way
    vacated at once (``leave_running_round``: a current pitcher's tablemates go on to the next
    pitcher with a full slot). True when they were present and are marked gone now. Call
    ``after_erasure`` once the erasure has committed, whatever this returned."""
    if attendee.event.status not in EVENING:
        return False
    marked = attendee.is_present
    if marked:
        event_services.mark_left(attendee, by=by)
    # ``person`` first, while the phones still show them: a phone then forgets the name
    # everywhere it said it (its screen reader's last "Now pitching: …" too), and only then
    # gets its stop without them.
    mates = queries.tablemates_now(attendee.pk)
    if mates:
        transaction.on_commit(partial(broadcasts.broadcast_erased, attendee.pk, mates=mates))
    leave_running_round(attendee, by=by)  # gone before too: no name left at a table
    return marked


def after_erasure(event: Event, *, attendee_id: int, by: User) -> bool:
    """After an attendee's erasure during the evening has committed (``leave_on_erasure``):
    the coming rounds that still seat them are planned again without them (``after_leaving``,
    as for anyone who left; refused, the control page's banner lists them among the gone still
    seated, and the organizer re-plans). Without a re-plan, their seat in a round not done
    raises the plan version (and the state version), so a phone that was away loads its
    itinerary again when it reconnects and shows them as the page now does: the placeholder
    name, no card buttons. After commit, ``person`` goes to their tablemates of the round
    under way and to the projector (``broadcasts.broadcast_erased``; for a seat vacated by
    the erasure, ``leave_on_erasure`` sent it as the erasure committed): a tablemate's phone
    redraws them in every stop it shows. Nothing outside the evening, nor
    for someone with no seat in a round not done nor left in the one under way. Returns
    whether the remaining rounds were re-planned."""
    not_done = [Round.Status.RUNNING, Round.Status.PAUSED, Round.Status.PLANNED]
    if event.status not in EVENING:
        return False
    seated = queries.is_seated(attendee_id, statuses=not_done)
    left_mates = queries.tablemates_left(attendee_id)
    if not seated and not left_mates:
        return False
    replanned = after_leaving(event, attendee_id=attendee_id, by=by)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if seated and not replanned:
            locked.plan_version += 1
            bump_version(locked, fields=("plan_version",))
        if not left_mates:  # else told as the erasure committed (``leave_on_erasure``)
            transaction.on_commit(partial(broadcasts.broadcast_erased, attendee_id))
    return replanned


# -- the rescue round ---------------------------------------------------------------------------


def is_rescue_due(event: Event, next_round: Round | None) -> bool:
    """Whether ``next_round`` (the next round to start) waits for the rescue round: the event
    has it (``Event.is_rescuing_last_round``), it was not made yet, and ``next_round`` is the
    last round with a round before it."""
    return (
        event.is_rescuing_last_round
        and event.last_round_rescued_at is None
        and next_round is not None
        and next_round.number == event.rounds_count
        and next_round.number >= 2
    )


def rescue_refusal(
    event: Event, round_: Round | None, next_round: Round | None
) -> ValidationError | None:
    """Why the rescue round cannot be made now (None: it can), ``round_`` and ``next_round``
    as in ``allowed_actions``: it is off (code ``rescue_off``), made already (``rescued``), or
    it is not the moment, between the end of the second-to-last round and the start of the
    last one (``not_now``). The one rule for ``rescue_last_round`` and the panel's button."""
    if not event.is_rescuing_last_round:
        return ValidationError(
            _("The rescue round is off for this event: turn it on in the event's settings."),
            code="rescue_off",
        )
    if event.last_round_rescued_at is not None:
        return ValidationError(
            _("The last round was already re-planned as the rescue round."), code="rescued"
        )
    status = round_.effective_status(timezone.now()) if round_ else None
    if (
        event.status != Event.Status.LIVE
        or not is_rescue_due(event, next_round)
        or status in (Round.Status.RUNNING, Round.Status.PAUSED)
    ):
        return ValidationError(not_now_reason(event, round_, status=status), code="not_now")
    return None


def not_now_reason(event: Event, round_: Round | None, *, status: str | None) -> str:
    """Why it is not the moment for the rescue round, in the organizer's words: the last round
    started already, the round before it still runs, the event is not live, or rounds before
    the second-to-last are still to play. ``status`` is ``round_``'s effective status."""
    if round_ is not None and round_.number >= event.rounds_count:
        return _(
            "The last round has already started: the rescue round re-plans it before it starts, "
            "so there is nothing left to re-plan."
        )
    if status in (Round.Status.RUNNING, Round.Status.PAUSED) and round_ is not None:
        return _(
            "Round %(n)s is still running: the rescue round is made once it is over, before "
            "the last round starts."
        ) % {"n": round_.number}
    if event.status != Event.Status.LIVE:
        return _("The rescue round is made while the event is live, before the last round.")
    return _(
        "The rescue round is made once the second-to-last round is over, before the last "
        "round starts."
    )


def refuse_rescue(event: Event) -> None:
    """Raise ``rescue_refusal``'s error for ``event`` as stored now, if any."""
    refusal = rescue_refusal(event, queries.current_round(event.pk), queries.next_round(event.pk))
    if refusal is not None:
        raise refusal


@dataclass(frozen=True)
class RescueReport:
    """What a rescue round did, in the figures the organizer reads."""

    round_number: int
    pitchers: int
    """Pitchers rescued for: at most the median of cards so far, with a helper left to meet."""
    helped: int
    """Of them, those now seated with a helper they were not seated with before."""
    moved: int
    """People present whose table number changes."""
    told: int
    """Phones told (table or tablemates changed, or who left)."""
    quality: scheduling.Quality
    """The whole evening's figures with the new last round (repeats, keep-apart pairs)."""
    fewest: int = 0
    """People present with the fewest cards (``seating.rescued_pitchers``), helper or not."""
    most_cards: int = 0
    """The most cards any of those ``fewest`` received (the room's lower median)."""
    cards_given: int = 0
    """Cards given at the event so far (0: no card history to go by)."""
    already: int = 0
    """Pitchers with a helper found who already sat with one as planned (and got no new one)."""
    tables: int = 0
    """Tables of the re-planned rounds whose people changed (0: the plan stays as it was)."""

    @property
    def reason(self) -> str:
        """Why no pitcher was brought to a new helper ("" when some were): ``no_cards`` (no
        card given yet and no helper found), ``no_helpers`` (no helper found for any pitcher
        with the fewest cards), ``already_seated`` (each pitcher with a helper found sits with
        one already), ``no_seating`` (no seating brings them together without a repeat or a
        keep-apart pair at one table)."""
        return rescue_reason(
            helped=self.helped, pitchers=self.pitchers, already=self.already, cards=self.cards_given
        )

    def log_params(self) -> dict[str, int | str]:
        """The figures as the ``rescue_replanned`` log line stores them (and
        ``events.logs.rescue_text`` reads them): short keys, plain numbers, and ``w`` the
        ``reason`` code."""
        return {
            "n": self.round_number,
            "p": self.pitchers,
            "h": self.helped,
            "m": self.moved,
            "c": self.told,
            "f": self.fewest,
            "k": self.most_cards,
            "g": self.cards_given,
            "s": self.already,
            "t": self.tables,
            "w": self.reason,
        }


def rescue_reason(*, helped: int, pitchers: int, already: int, cards: int) -> str:
    """``RescueReport.reason`` from its figures."""
    if helped:
        return ""
    if not pitchers:
        return "no_helpers" if cards else "no_cards"
    if already >= pitchers:
        return "already_seated"
    return "no_seating"


def met_pairs(plan: Sequence[Sequence[Sequence[int]]]) -> list[tuple[int, int]]:
    """Every pair seated at one table in ``plan`` (rounds → tables → ids), lower id first."""
    return sorted(
        {
            (a, b) if a < b else (b, a)
            for tables in plan
            for table in tables
            for i, a in enumerate(table)
            for b in table[i + 1 :]
        }
    )


def rescue_last_round(
    event: Event,
    *,
    received: Mapping[int, int],
    by: User,
    seed: int = 0,
    time_limit: float = 1.0,
) -> RescueReport:
    """The rescue round: re-plan the last round (once the one before is over) so that the
    pitchers with the fewest cards so far sit with their best remaining helpers.

    ``received`` is each attendee's number of cards received so far (id → count, missing = 0;
    the cards are ``feedback``'s, which calls this). The pitchers rescued and their helpers
    are ``seating.rescue_helps``: the present people at most at the median of cards, each with
    the ``pitches.queries.HELPERS_PER_PITCHER`` best-scored listeners present whom they have
    not met (in the played rounds, or at the series' recent events when new faces come
    first). ``scheduling.rescue_rounds`` plans with the keep-apart pairs and the meetings so
    far: no keep-apart pair together, no repeat where a plan without exists, never more than
    the plan had.

    Planned like ``replan``: with no transaction open, then the event and its rounds locked
    and the inputs read again; a change of the people present or of the rounds meanwhile plans
    again (at most ``MAX_PLAN_ATTEMPTS`` times, then ``ValidationError`` code ``stale_plan``).
    Cards given meanwhile are not waited for. Raises ``ValidationError`` from
    ``rescue_refusal`` and ``replan_inputs``. Stores ``Event.last_round_rescued_at``, bumps the
    state version, logs ``rescue_replanned`` with the figures, and after commit sends the new
    state to the event group and each changed itinerary to its attendee alone
    (``plan_changed``): phones whose table and tablemates stay get nothing."""
    for _attempt in range(MAX_PLAN_ATTEMPTS):
        fresh = Event.objects.get(pk=event.pk)
        refuse_rescue(fresh)
        inputs = replan_inputs(fresh)
        present = inputs.present
        memory = queries.planning_memory(fresh, present)
        helps = seating.rescue_helps(
            pitch_queries.seating_helps(
                present, limit=len(present), distinct_texts=False, meaning=False
            ),
            received=received,
            present=present,
            met=[*met_pairs(inputs.old[: inputs.played]), *memory],
            limit=pitch_queries.HELPERS_PER_PITCHER,
        )
        new = scheduling.rescue_rounds(
            inputs.old,
            played=inputs.played,
            present=present,
            table_size=inputs.table_size,
            helps=helps,
            avoid=inputs.avoid,
            met=memory,
            seed=seed,
            time_limit=time_limit,
        )
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            rounds = list(locked.rounds.select_for_update(no_key=True).order_by("number"))
            refuse_rescue(locked)
            if replan_inputs(locked) != inputs:
                continue
            changed = write_future(rounds, new, inputs=inputs)
            report = rescue_report(inputs, new, helps=helps, told=len(changed), received=received)
            locked.last_round_rescued_at = timezone.now()
            locked.save(update_fields=["last_round_rescued_at"])
            event_services.record(
                locked, action="rescue_replanned", by=by, params=report.log_params()
            )
            plan_changed(locked, changed, rounds=seating.changed_rounds(inputs.old, new))
        return report
    raise stale_plan()


def rescue_report(
    inputs: PlanInputs,
    new: list[list[list[int]]],
    *,
    helps: list[tuple[int, int, float]],
    told: int,
    received: Mapping[int, int],
) -> RescueReport:
    """The figures of a rescue round: the old plan ``inputs.old`` against ``new``;
    ``received`` the cards each attendee received so far (id → count, missing = 0)."""
    played = inputs.played
    future_old, future_new = inputs.old[played:], new[played:]

    def mates(plan: Sequence[Sequence[Sequence[int]]]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        for tables in plan:
            for table in tables:
                for person in table:
                    found.setdefault(person, set()).update(table)
        return found

    before, after = mates(future_old), mates(future_new)
    helpers: dict[int, set[int]] = {}
    for pitcher, listener, _weight in helps:
        helpers.setdefault(pitcher, set()).add(listener)
    new_helper = {
        pitcher
        for pitcher, listeners in helpers.items()
        if (listeners & after.get(pitcher, set())) - before.get(pitcher, set())
    }
    already = sum(
        1
        for pitcher, listeners in helpers.items()
        if pitcher not in new_helper and listeners & before.get(pitcher, set())
    )
    tables = sum(
        1
        for old_tables, new_tables in zip(future_old, future_new, strict=True)
        for table in new_tables
        if frozenset(table) not in {frozenset(t) for t in old_tables}
    )
    fewest = seating.rescued_pitchers(received, inputs.present)
    present = set(inputs.present)
    return RescueReport(
        round_number=played + 1,
        pitchers=len(helpers),
        helped=len(new_helper),
        moved=len(seating.moved_people(future_old, future_new) & present),
        told=told,
        quality=scheduling.plan_quality(new, avoid=inputs.avoid),
        fewest=len(fewest),
        most_cards=max((received.get(person, 0) for person in fewest), default=0),
        cards_given=sum(received.values()),
        already=already,
        tables=tables,
    )
