"""Reads of the live state, shared by the sockets (snapshot on connect) and the broadcasts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.utils import timezone

from events import chinese, logs
from events.models import (
    Attendee,
    Event,
    LogEntry,
    SeatingRequest,
    erased_name,
    present_filter,
)
from events.queries import earlier_selves, is_same_person_filter
from pitches import matching
from pitches import queries as pitch_queries
from rounds import presence
from rounds.models import Round, Seat, Table


def epoch_ms(moment: datetime | None) -> int | None:
    """``moment`` as milliseconds since the epoch (the protocol's times), or None."""
    return None if moment is None else round(moment.timestamp() * 1000)


def server_time_ms() -> int:
    """Now, in epoch milliseconds: what phones set their clock offset from."""
    return epoch_ms(timezone.now())


def with_pitches(rounds: models.QuerySet[Round]) -> models.QuerySet[Round]:
    """Annotate each round with ``pitches``: how many pitch slots the round has, one more than
    its highest speaking order: the seats at its largest table (smaller tables finish early and
    talk freely), unless someone who had pitched left their seat empty mid-round (marked gone,
    removed, erased: ``services.leave_running_round``), which keeps every later slot where it
    was."""
    slots = (
        Seat.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(slots=Max("speaking_order") + 1)
        .values("slots")[:1]
    )
    return rounds.annotate(pitches=Subquery(slots))


def current_round(event_id: int) -> Round | None:
    """The round phones show: the running or paused one, else the last one played, else None.

    Rounds start in order and only one is active at a time, so this is the highest-numbered
    round that has started. Annotated with ``pitches`` (see ``with_pitches``). One query.
    """
    rounds = Round.objects.filter(event_id=event_id).exclude(status=Round.Status.PLANNED)
    return with_pitches(rounds).order_by("-number").first()


def has_plan(event_id: int) -> bool:
    """Whether the event has a seating plan (any seat in any round). One query."""
    return Seat.objects.filter(round__event_id=event_id).exists()


def event_json(event: Event, *, planned: bool) -> dict[str, Any]:
    """The protocol's event shape; ``planned`` says whether a seating plan exists;
    ``seats_walk_ins``, whether a round's start seats the walk-ins without a seat."""
    return {
        "id": event.pk,
        "status": event.status,
        "rounds_count": event.rounds_count,
        "round_ms": event.round_seconds * 1000,
        "pitch_ms": event.pitch_seconds * 1000,
        "language": event.language,
        "has_plan": planned,
        "plan_version": event.plan_version,
        "seats_walk_ins": event.is_seating_walk_ins,
    }


def round_json(round_: Round | None, *, now: datetime) -> dict[str, Any] | None:
    """The round as the protocol sends it (docs/protocol.md): number, effective status at
    ``now``, absolute times in epoch ms, the time left of a pause in ms, pitch slots (when
    annotated), the tables whose turns run later (``turn_shifts``: table number as a string →
    ms after ``turns_at``; empty mostly); None without a round."""
    if round_ is None:
        return None
    remaining = round_.paused_remaining
    ended_at = round_.ended_at or (round_.ends_at if round_.is_over(now) else None)
    return {
        "number": round_.number,
        "status": round_.effective_status(now),
        "starts_at": epoch_ms(round_.started_at),
        "ends_at": epoch_ms(round_.ends_at),
        "turns_at": epoch_ms(round_.turns_started_at),
        "paused_at": epoch_ms(round_.paused_at),
        "paused_remaining_ms": None
        if remaining is None
        else round(remaining.total_seconds() * 1000),
        "ended_at": epoch_ms(ended_at),
        "pitches": getattr(round_, "pitches", None),
        "turn_shifts": dict(round_.turn_shifts),
    }


def announcement_json(event: Event, *, now: datetime) -> dict[str, Any] | None:
    """The banner phones and the projector show, or None (none, or expired at ``now``)."""
    if not event.announcement:
        return None
    expires_at = event.announcement_expires_at
    if expires_at is not None and expires_at <= now:
        return None
    return {
        "text": event.announcement,
        "at": epoch_ms(event.announced_at),
        "expires_at": epoch_ms(expires_at),
    }


def pitch_prompt(state: dict[str, Any], *, is_removed: bool = False) -> str:
    """Which "write your pitch" prompt the room shows someone without a pitch, from the
    ``state`` it is rendered with (static/js/now.js ``pitchPromptFor`` follows it live):
    ``before`` until the first round starts, ``rounds`` once the rounds have started (the
    room shows it to someone without a table yet: written now, it is ready when they get one),
    ``none`` once the last round has started (no table is to come), in mingle and after the
    close, and for someone taken out of the rounds after a report (``is_removed``: no table is
    left for them). No queries."""
    event, round_ = state["event"], state["round"]
    if is_removed or event["status"] in (Event.Status.MINGLE, Event.Status.CLOSED):
        return "none"
    if event["status"] == Event.Status.DRAFT or round_ is None:
        return "before"
    if round_["number"] >= event["rounds_count"]:  # the last round started: no table to come
        return "none"
    return "rounds"


def event_state(event_id: int, *, event: Event | None = None) -> dict[str, Any]:
    """The full ``state`` snapshot (docs/protocol.md). Three queries; two when the caller has
    just read the ``event``."""
    if event is None:
        event = Event.objects.get(pk=event_id)
    return state_json(
        event, planned=has_plan(event_id), round_=current_round(event_id), now=timezone.now()
    )


def state_json(
    event: Event, *, planned: bool, round_: Round | None, now: datetime
) -> dict[str, Any]:
    """The ``state`` snapshot from what it is made of, as it stands at ``now`` (a round's
    effective status and an announcement's expiry follow the clock). No queries."""
    return {
        "type": "state",
        "version": event.state_version,
        "server_time": epoch_ms(now),
        "event": event_json(event, planned=planned),
        "round": round_json(round_, now=now),
        "announcement": announcement_json(event, now=now),
    }


def next_round(event_id: int) -> Round | None:
    """The lowest-numbered round not started yet, or None. One query."""
    return (
        Round.objects.filter(event_id=event_id, status=Round.Status.PLANNED)
        .order_by("number")
        .first()
    )


def active_round(event_id: int) -> Round | None:
    """The round running or paused now, or None. One query."""
    return Round.objects.filter(
        event_id=event_id, status__in=[Round.Status.RUNNING, Round.Status.PAUSED]
    ).first()


def stored_plan(event_id: int) -> list[list[list[int]]]:
    """The seating as the planner sees it: rounds → tables (by number) → attendee ids in
    speaking order. One query."""
    plan: dict[int, dict[int, list[int]]] = {}
    seats = (
        Seat.objects.filter(round__event_id=event_id)
        .order_by("round__number", "table__number", "speaking_order")
        .values_list("round__number", "table__number", "attendee_id")
    )
    for round_number, table_number, attendee_id in seats:
        plan.setdefault(round_number, {}).setdefault(table_number, []).append(attendee_id)
    return [list(tables.values()) for _, tables in sorted(plan.items())]


def itineraries(attendee_ids: Iterable[int]) -> dict[int, list[dict[str, int]]]:
    """Each attendee's table and seat in every round (docs/protocol.md, ``plan``). One query."""
    result: dict[int, list[dict[str, int]]] = {}
    seats = (
        Seat.objects.filter(attendee_id__in=list(attendee_ids))
        .order_by("attendee_id", "round__number")
        .values_list("attendee_id", "round__number", "table__number", "speaking_order")
    )
    for attendee_id, round_number, table_number, order in seats:
        result.setdefault(attendee_id, []).append(
            {"round": round_number, "table": table_number, "seat": order}
        )
    return result


def planned_stops(
    attendee_ids: Iterable[int], *, numbers: Iterable[int] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Each attendee's stops in the rounds not started yet (or in the rounds ``numbers``, of
    any status: a round just started whose tables walk-ins joined), with their tablemates in
    speaking order (docs/protocol.md, ``plan``): what a phone needs to draw its itinerary after
    a re-plan without loading anything; a tablemate whose data was erased is named as the page
    names them (``erased_name``, in the active language) and ``erased``. One query whatever the
    number of attendees."""
    ids = set(attendee_ids)
    tables = Table.objects.filter(seats__attendee_id__in=ids)
    if numbers is None:
        tables = tables.filter(round__status=Round.Status.PLANNED)
    else:
        tables = tables.filter(round__number__in=set(numbers))
    tables = tables.values("pk")
    seats = (
        Seat.objects.filter(table__in=tables)
        .order_by("round__number", "table_id", "speaking_order")
        .values_list(
            "round__number",
            "table_id",
            "table__number",
            "pk",
            "speaking_order",
            "attendee_id",
            "attendee__name",
            "attendee__company",
            "attendee__pitch__ask",
            "attendee__pitch__need",
            "attendee__pitch__offer",
            "attendee__erased_at",
        )
    )
    by_table: dict[int, dict[str, Any]] = {}
    for number, table_id, table_number, seat, order, person, name, company, *rest in seats:
        stop = by_table.setdefault(table_id, {"round": number, "table": table_number, "mates": []})
        *pitch, erased_at = rest
        ask, need, offer = (text or "" for text in pitch)
        stop["mates"].append(
            {
                "id": person,
                "seat": seat,
                "order": order,
                "name": name if erased_at is None else erased_name(),
                "company": company,
                "ask": ask,
                "need": need,
                "offer": offer,
                "erased": erased_at is not None,
            }
        )
    result: dict[int, list[dict[str, Any]]] = {}
    for stop in by_table.values():
        for mate in stop["mates"]:
            if mate["id"] in ids:
                result.setdefault(mate["id"], []).append(stop)
    return result


def why_lines_of(attendee_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """For each attendee of ``attendee_ids``: tablemate id → the "May help you" line the room
    page shows of them (``pitches.queries.why_lines`` over the tablemates of every round of the
    attendee's itinerary, as ``feedback.queries.why_for`` reads them), so a push draws the same
    lines as a page load. One query whatever the number of attendees."""
    ids = set(attendee_ids)
    tables = Table.objects.filter(seats__attendee_id__in=ids).values("pk")
    seats = (
        Seat.objects.filter(table__in=tables)
        .order_by("round__number", "table_id", "speaking_order")
        .values_list(
            "table_id",
            "attendee_id",
            "attendee__name",
            "attendee__company",
            "attendee__job_title",
            "attendee__pitch__need",
            "attendee__pitch__offer",
            "attendee__pitch__ask",
        )
    )
    profiles: dict[int, matching.Profile] = {}
    at_table: dict[int, list[int]] = {}
    for table_id, person, name, company, job_title, *pitch in seats:
        need, offer, ask = (text or "" for text in pitch)
        profiles.setdefault(
            person,
            matching.Profile(
                id=person,
                need=need,
                offer=offer,
                ask=ask,
                name=name,
                company=company,
                job_title=job_title,
            ),
        )
        at_table.setdefault(table_id, []).append(person)
    mates: dict[int, dict[int, None]] = {pk: {} for pk in ids}  # ordered: as the page meets them
    for people in at_table.values():
        for person in people:
            if person in ids:
                mates[person].update(dict.fromkeys(people))
    seated = [pk for pk in mates if pk in profiles]
    lines = pitch_queries.why_lines_within(
        [(profiles[pk], [profiles[m] for m in mates[pk] if m != pk]) for pk in seated]
    )
    return {pk: {} for pk in mates} | dict(zip(seated, lines, strict=True))


@dataclass(frozen=True)
class Stop:
    """One round of an attendee's itinerary: where they sit and with whom, in speaking order."""

    round_number: int
    round_status: str
    table_number: int
    seats: list[Seat]


def itinerary_with_tablemates(attendee_id: int) -> list[Stop]:
    """Every round of this attendee with their tablemates and pitches. Two queries."""
    mine = list(
        Seat.objects.filter(attendee_id=attendee_id)
        .select_related("round", "table")
        .order_by("round__number")
    )
    at_my_tables = (
        Seat.objects.filter(table_id__in=[seat.table_id for seat in mine])
        .select_related("attendee__pitch")
        .order_by("speaking_order")
    )
    by_table: dict[int, list[Seat]] = {}
    for seat in at_my_tables:
        by_table.setdefault(seat.table_id, []).append(seat)
    return [
        Stop(
            round_number=seat.round.number,
            round_status=seat.round.status,
            table_number=seat.table.number,
            seats=by_table[seat.table_id],
        )
        for seat in mine
    ]


def seating_by_attendee(event_id: int) -> dict[int, dict[int, int]]:
    """attendee id → {round number → table number}, for the whole event. One query."""
    result: dict[int, dict[int, int]] = {}
    seats = Seat.objects.filter(round__event_id=event_id).values_list(
        "attendee_id", "round__number", "table__number"
    )
    for attendee_id, round_number, table_number in seats:
        result.setdefault(attendee_id, {})[round_number] = table_number
    return result


def present_count(event_id: int) -> int:
    """People checked in and not gone, the projector's "N people checked in": someone who
    deleted their data is not counted (during the evening that marks them gone; after it,
    in mingle, it does not). One query."""
    return Attendee.objects.present().filter(event_id=event_id, erased_at__isnull=True).count()


def live_counters(event_id: int) -> dict[str, int]:
    """The figures an organizer watches during the event (``present``, ``registered``,
    ``phones``, ``round``: the current round's number or 0): a few queries and one cache read,
    whatever the event's size. The cards of the round are feedback's
    (``feedback.queries.live_counters``)."""
    people = Attendee.objects.filter(event_id=event_id).aggregate(
        present=Count("pk", filter=present_filter()),
        registered=Count("pk"),
    )
    attendee_ids = Attendee.objects.filter(event_id=event_id).values_list("pk", flat=True)
    current = current_round(event_id)
    return {
        **people,
        "phones": presence.connected_count(attendee_ids),
        "round": current.number if current else 0,
    }


@dataclass(frozen=True)
class SeatingGaps:
    """Who the plan no longer fits, for the control page's banner: ``not_seated`` are present
    people without a seat in the next round (walk-ins, late arrivals, an undone "left"),
    ``gone`` are people who left but still hold one; names sorted. ``unmet_apart`` counts the
    private keep-apart pairs the rounds not yet started seat at one table (no names: who asked
    is private)."""

    not_seated: list[str]
    gone: list[str]
    unmet_apart: int = 0

    @property
    def count(self) -> int:
        """How many things the banner has to say: a re-plan answers them all."""
        return len(self.not_seated) + len(self.gone) + self.unmet_apart


def seating_gaps(event_id: int, *, upcoming: Round | bool | None = True) -> SeatingGaps:
    """The gaps between who is here and the next round's seats; empty when no round is left to
    plan (nothing can be done) or there is no plan yet. Three queries, four unless the caller
    passes the ``upcoming`` round (``next_round``, None for none) it already has."""
    if upcoming is True:
        upcoming = next_round(event_id)
    if not isinstance(upcoming, Round):
        return SeatingGaps(not_seated=[], gone=[])
    seated = set(Seat.objects.filter(round=upcoming).values_list("attendee_id", flat=True))
    people = Attendee.objects.filter(event_id=event_id, checked_in_at__isnull=False).values_list(
        "pk", "name", "left_at"
    )
    not_seated = sorted(name for pk, name, left in people if left is None and pk not in seated)
    gone = sorted(name for pk, name, left in people if left is not None and pk in seated)
    return SeatingGaps(not_seated=not_seated, gone=gone, unmet_apart=unmet_apart_requests(event_id))


def unmet_apart_requests(event_id: int, *, asked_by: int | None = None) -> int:
    """How many of the attendees' private keep-apart pairs (``SeatingRequest``, asked after the
    plan was made; only those ``asked_by`` this attendee when given) sit at one table in a round
    not started yet: a re-plan honours them. Rounds played or running are history and count
    for nothing. One query."""
    together = Seat.objects.filter(
        round__event_id=event_id,
        round__status=Round.Status.PLANNED,
        attendee_id=OuterRef("attendee_id"),
        table__seats__attendee_id=OuterRef("other_id"),
    )
    requests = SeatingRequest.objects.filter(event_id=event_id)
    if asked_by is not None:
        requests = requests.filter(attendee_id=asked_by)
    pairs = requests.filter(Exists(together)).values_list("attendee_id", "other_id")
    return len({(min(a, b), max(a, b)) for a, b in pairs})


LOG_LINES = 15


def recent_log(event_id: int) -> list[logs.LogLine]:
    """The latest lines of the event's log, newest first, for the live control page, written in
    the active language. At most three queries (lines, the names and usernames they refer to)."""
    entries = LogEntry.objects.filter(event_id=event_id).select_related("actor")
    return logs.lines(entries.order_by("-created_at", "-pk")[:LOG_LINES])


def seating_round(event: Event) -> Round | None:
    """The round people are looking for a seat in: the running or paused one, else the next to
    start (also when the running one has just run out of time, before anyone pressed End).

    None once no one is looking for a table: after the last round is done (no round is left to
    start), in mingle and after the close, even when the organizer ended the rounds early. The
    projector link stays on the venue screen and with its staff, so its "find your table" list
    of everyone's name then shows no one. Two queries; none in mingle or after the close."""
    if event.status in (Event.Status.MINGLE, Event.Status.CLOSED):
        return None
    current = current_round(event.pk)
    live = (Round.Status.RUNNING, Round.Status.PAUSED)
    if current is not None and current.effective_status(timezone.now()) in live:
        return current
    return next_round(event.pk)


def find_my_table(round_: Round | None) -> list[tuple[str, int]]:
    """Everyone in this round with their table, by name (``chinese.name_sort_key``: Chinese
    names by their pinyin among the Latin ones): for the projector, ``[(name, table number)]``.
    Someone whose data was erased has no line: nobody looks for "Erased attendee" on the
    screen, and her seat is no one's to find. One query."""
    if round_ is None:
        return []
    seats = Seat.objects.filter(round=round_, attendee__erased_at__isnull=True).values_list(
        "attendee__name", "table__number", "attendee_id"
    )
    ordered = sorted(seats, key=lambda seat: (chinese.name_sort_key(seat[0]), seat[2]))
    return [(name, table) for name, table, _attendee in ordered]


def tablemates_now(attendee_id: int) -> list[int]:
    """The attendees at this attendee's table in the round running or paused now (themselves
    left out), by id; empty between rounds or without a seat in it. One query."""
    seats = Seat.objects.filter(
        round__status__in=[Round.Status.RUNNING, Round.Status.PAUSED],
        table__seats__attendee_id=attendee_id,
    ).exclude(attendee_id=attendee_id)
    return sorted(seats.values_list("attendee_id", flat=True))


def tablemates_left(attendee_id: int) -> list[int]:
    """The attendees at the table this attendee left in the round running or paused now
    (``services.leave_running_round`` logged ``seat_vacated`` with its number), by id; empty
    when they left no seat of it. Two queries."""
    active = Round.objects.filter(
        event__attendees__pk=attendee_id, status__in=[Round.Status.RUNNING, Round.Status.PAUSED]
    ).first()
    if active is None:
        return []
    tables = LogEntry.objects.filter(
        event_id=active.event_id,
        action="seat_vacated",
        params__attendee=attendee_id,
        params__n=active.number,
    ).values_list("params__t", flat=True)
    seats = Seat.objects.filter(round=active, table__number__in=list(tables)).exclude(
        attendee_id=attendee_id
    )
    return sorted(seats.values_list("attendee_id", flat=True))


def is_seated(attendee_id: int, *, statuses: Iterable[str]) -> bool:
    """Whether this attendee holds a seat in a round of one of these ``statuses`` (``PLANNED``:
    a round not started yet, which a re-plan can take back from someone who left). One query."""
    return Seat.objects.filter(attendee_id=attendee_id, round__status__in=list(statuses)).exists()


# The series' memory: who sat together at earlier events of the event's series.

# Planning remembers the meetings of the last few events of the series only: the planner takes
# pairs, each counting as one meeting, so recency is the weight: a pair who met at one of the
# last ``SERIES_MEMORY_EVENTS`` events is kept apart where the plan allows, an older meeting is
# forgotten (people may sit together again after a season). The plan page's "new encounters"
# figure compares with every earlier event.
SERIES_MEMORY_EVENTS = 3


def series_met(
    event: Event, attendee_ids: Iterable[int], *, last: int | None = SERIES_MEMORY_EVENTS
) -> list[tuple[int, int]]:
    """Pairs among ``attendee_ids`` (attendees of ``event``) who sat at one table at one of the
    ``last`` earlier events of its series (None: every earlier one), as pairs of their ids at
    ``event`` (lower id first), sorted. People are one person across the series by their
    normalised email, unless either side answered "Someone else"; an event whose personal data
    was erased is forgotten. Empty outside a series. Two queries."""
    if event.series_id is None:
        return []
    earlier = Event.objects.filter(
        series_id=event.series_id,
        starts_at__lt=event.starts_at,
        personal_data_erased_at__isnull=True,
    ).order_by("-starts_at", "-pk")
    earlier_ids = earlier.values("pk")[:last] if last is not None else earlier.values("pk")
    current = dict(
        Attendee.objects.filter(is_same_person_filter(), pk__in=list(attendee_ids)).values_list(
            "email", "pk"
        )
    )
    if not current:
        return []
    seats = (
        Seat.objects.filter(is_same_person_filter("attendee__"))
        .filter(round__event_id__in=earlier_ids, attendee__email__in=list(current))
        .values_list("table_id", "attendee__email")
    )
    tables: dict[int, set[int]] = {}
    for table_id, email in seats:
        tables.setdefault(table_id, set()).add(current[email])
    pairs = {pair for members in tables.values() for pair in combinations(sorted(members), 2)}
    return sorted(pairs)


def planning_memory(event: Event, attendee_ids: Iterable[int]) -> list[tuple[int, int]]:
    """The planner's ``met`` for ``event``: the series' recent meetings among ``attendee_ids``
    (``series_met``) when the organizer favours new faces (``Event.is_favouring_new_faces``),
    else none. The one place ``make_plan`` and ``replan`` read the series' memory."""
    if not event.is_favouring_new_faces:
        return []
    return series_met(event, attendee_ids)


@dataclass(frozen=True)
class Encounters:
    """The pairs who share a table in a plan: all of them, and those who never sat together at
    an earlier event of the series."""

    total: int
    new: int

    @property
    def new_share(self) -> float:
        return self.new / self.total if self.total else 1.0


def plan_encounters(event: Event, plan: list[list[list[int]]]) -> Encounters | None:
    """How many of the plan's pairs are new encounters for the series (never at one table at an
    earlier event, ``series_met`` over every earlier event); None outside a series or without a
    plan. Two queries."""
    if event.series_id is None or not plan:
        return None
    pairs = {pair for round_ in plan for table in round_ for pair in combinations(sorted(table), 2)}
    people = {person for round_ in plan for table in round_ for person in table}
    met = set(series_met(event, people, last=None))
    return Encounters(total=len(pairs), new=len(pairs - met))


def earlier_tablemates(attendee: Attendee) -> dict[int, datetime]:
    """The attendee's tablemates at ``attendee.event`` whom they sat with at an earlier event of
    the series (the same people by normalised email, as ``series_met``): their ids at this event
    and the start of the latest such event. No query outside a series, else two."""
    selves = earlier_selves(attendee)
    if attendee.event.series_id is None or not attendee.email:
        return {}
    met_at: dict[str, datetime] = {}
    seats = (
        Seat.objects.filter(is_same_person_filter("attendee__"))
        .filter(
            table__seats__attendee__in=selves.values("pk"),
            round__event__personal_data_erased_at__isnull=True,
        )
        .exclude(attendee__email=attendee.email)
        .values_list("attendee__email", "round__event__starts_at")
    )
    for email, starts_at in seats:
        met_at[email] = max(starts_at, met_at.get(email, starts_at))
    if not met_at:
        return {}
    here = Attendee.objects.filter(
        is_same_person_filter(), event_id=attendee.event_id, email__in=list(met_at)
    ).values_list("pk", "email")
    return {pk: met_at[email] for pk, email in here}


def earlier_tablemate_count(attendee: Attendee) -> int:
    """How many people the attendee sat with at earlier events of the series (each attendee
    once; what the series remembers of their meetings). No query outside a series, else one."""
    selves = earlier_selves(attendee)
    if attendee.event.series_id is None or not attendee.email:
        return 0
    mine = selves.values("pk")
    return (
        Seat.objects.filter(
            table__seats__attendee__in=mine, round__event__personal_data_erased_at__isnull=True
        )
        .exclude(attendee__in=mine)
        .values("attendee_id")
        .distinct()
        .count()
    )
