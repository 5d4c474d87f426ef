"""Reads used by the organizer's pages (and the rounds app's control pages)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse

from config.site import public_url
from events import chinese, hygiene
from events.models import (
    Attendee,
    Event,
    ImportUpload,
    PairRule,
    SeatingRequest,
    Series,
    arrived_filter,
    invited_filter,
    left_filter,
    present_filter,
)


def join_url(event: Event, *, site_url: str | None = None) -> str:
    """The absolute address phones open to join ``event`` (poster, projector, control page,
    the venue server's start-up lines): ``site_url`` (default ``settings.SITE_URL``) followed
    by the join page's path with the event's code."""
    path = reverse("join", args=[event.join_code])
    return public_url(path) if site_url is None else site_url + path


def organizer_event(user: Any, event_id: int) -> Event:
    """The event, if this user organizes it; otherwise 404, so that another organizer's event is
    not even confirmed to exist."""
    event = Event.objects.organized_by(user).filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def owned_event(user: Any, event_id: int) -> Event:
    """The event, if this user owns it: for the owner's actions (erasing the event's personal
    data or one attendee's, inviting and removing co-organizers). A co-organizer gets 403 (they
    know the event; the action is not theirs), anyone else 404 as ``organizer_event``."""
    event = organizer_event(user, event_id)
    if not is_owner(user, event):
        raise PermissionDenied("Only the event's owner can do this.")
    return event


def is_owner(user: Any, event: Event) -> bool:
    """Whether ``user`` owns ``event`` (its organizer, not a co-organizer): the one rule of the
    owner's actions, their buttons and the admin's."""
    return user.is_authenticated and event.organizer_id == user.pk


def events_of(user: Any) -> QuerySet[Event]:
    """The user's events, each annotated with ``attendee_total`` and ``present_total`` (checked
    in and not gone, ``present_filter``). One query."""
    return Event.objects.organized_by(user).annotate(
        attendee_total=Count("attendees", distinct=True),
        present_total=Count("attendees", filter=present_filter("attendees"), distinct=True),
    )


def with_attendance(events: QuerySet[Event]) -> QuerySet[Event]:
    """``events`` annotated with ``attendee_total`` and ``arrived_total`` (checked in at some
    time, those who left included: ``arrived_filter``), for the admin's list."""
    return events.annotate(
        attendee_total=Count("attendees", distinct=True),
        arrived_total=Count("attendees", filter=arrived_filter("attendees"), distinct=True),
    )


# The door's lists: the attendee list, its counts and the admin's presence filter.
STATUS_FILTERS = {
    "invited": invited_filter(),
    "present": present_filter(),
    "left": left_filter(),
}


def attendees_of(event: Event, *, search: str = "", status: str = "") -> QuerySet[Attendee]:
    """The event's attendees by name, narrowed by ``search`` (name, email or company, any case;
    Chinese in Simplified or Traditional characters, whichever the list used: ``chinese``) and
    ``status`` (a key of ``STATUS_FILTERS``; anything else: everyone). One query."""
    attendees = event.attendees.order_by("name", "pk")
    if search:
        found = Q()
        for variant in chinese.script_variants(search):
            found |= (
                Q(name__icontains=variant)
                | Q(email__icontains=variant)
                | Q(company__icontains=variant)
            )
        attendees = attendees.filter(found)
    if status in STATUS_FILTERS:
        attendees = attendees.filter(STATUS_FILTERS[status])
    return attendees


def attendee_with_email(event: Event, email: str) -> Attendee | None:
    """The event's attendee with this email (any case): who an email refused as already at the
    event (``services.DUPLICATE_EMAIL``) belongs to. None for no email or nobody. One query."""
    if not email:
        return None
    return event.attendees.filter(email__iexact=email).first()


def door_counts(event: Event) -> dict[str, int]:
    """Where the event's attendees are now: ``total``, ``present`` (checked in, not gone),
    ``left`` and ``invited`` (not checked in yet). One query. The report's figures after the
    event are ``feedback.reports.turnout``."""
    return event.attendees.aggregate(
        total=Count("pk"),
        present=Count("pk", filter=STATUS_FILTERS["present"]),
        left=Count("pk", filter=STATUS_FILTERS["left"]),
        invited=Count("pk", filter=STATUS_FILTERS["invited"]),
    )


DOOR_STATUSES = (Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE)
RECENT_DRAFT = timedelta(days=1)


def events_at_the_door(*, now: datetime, limit: int = 3) -> list[Event]:
    """Events phones may be joining now, for the venue server's start-up lines: those open
    (check-in, live, mingle) first, then drafts starting from a day ago on, each group by start
    time. At most ``limit``; one query."""
    is_open = Case(When(status__in=DOOR_STATUSES, then=Value(0)), default=Value(1))
    events = Event.objects.filter(
        Q(status__in=DOOR_STATUSES)
        | Q(status=Event.Status.DRAFT, starts_at__gte=now - RECENT_DRAFT)
    )
    return list(events.annotate(door_rank=is_open).order_by("door_rank", "starts_at", "pk")[:limit])


def import_upload(event: Event, *, key: str, user: Any) -> ImportUpload | None:
    """An upload of this event by this user, by its key (None when unknown or expired): an
    upload key never opens another organizer's file."""
    if not key:
        return None
    return ImportUpload.objects.filter(event=event, uploaded_by=user, key=key).first()


def colleague_groups(event: Event) -> list[list[Attendee]]:
    """Attendees the planner takes for colleagues (same company, compared by
    ``hygiene.company_key``), groups of two or more, largest first."""
    groups: dict[str, list[Attendee]] = {}
    for attendee in (
        event.attendees.filter(erased_at__isnull=True).exclude(company="").order_by("name", "pk")
    ):
        key = attendee.company_key
        if key:
            groups.setdefault(key, []).append(attendee)
    found = [group for group in groups.values() if len(group) > 1]
    return sorted(found, key=lambda group: (-len(group), group[0].company.casefold()))


def pair_rules(event: Event) -> QuerySet[PairRule]:
    """The organizer's seating rules of ``event`` with both people, keep-apart first. One query."""
    return event.pair_rules.select_related("first", "second").order_by(
        "kind", "first__name", "second__name"
    )


def seating_rules(event: Event) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(keep-apart pairs, may-sit-together pairs) of attendee ids, for the planner. Attendees'
    private "don't seat me with" requests are keep-apart pairs that no "together" rule undoes:
    they come last in the first list and are never in the second."""
    apart, together = [], []
    for first, second, kind in event.pair_rules.values_list("first_id", "second_id", "kind"):
        (apart if kind == PairRule.Kind.KEEP_APART else together).append((first, second))
    private = private_apart_pairs(event)
    together = [pair for pair in together if tuple(sorted(pair)) not in private]
    return apart + sorted(private), together


def private_apart_pairs(event: Event) -> set[tuple[int, int]]:
    """The attendees' private keep-apart pairs, smaller id first (who asked is not kept)."""
    pairs = SeatingRequest.objects.filter(event=event).values_list("attendee_id", "other_id")
    return {(min(a, b), max(a, b)) for a, b in pairs}


def private_apart_count(event: Event) -> int:
    """How many keep-apart rules attendees asked for privately: all an organizer page shows."""
    return len(private_apart_pairs(event))


# Series: events of one organizer that remember who came and who met.


def organizer_series(user: Any, series_id: int) -> Series:
    """The series, if this user runs it (its organizer); otherwise 404, so that another
    organizer's series is not even confirmed to exist."""
    series = Series.objects.filter(organizer=user, pk=series_id).first()
    if series is None:
        raise Http404("No such series.")
    return series


def series_of(user: Any) -> QuerySet[Series]:
    """The user's series, each annotated with ``event_total``. One query."""
    return Series.objects.filter(organizer=user).annotate(event_total=Count("events"))


def last_event(series: Series) -> Event | None:
    """The series' latest event by start (the one whose settings a new event copies)."""
    return series.events.order_by("-starts_at", "-pk").first()


# The settings a new event of a series takes from the last one (its title and start are new).
COPIED_SETTINGS = (
    tuple(name for name in Event.FORM_FIELDS if name not in {"title", "starts_at"})
    + Event.GUIDE_FIELDS
)


def copied_settings(series: Series) -> dict[str, Any]:
    """The initial values of a new event "in" ``series``: the last event's settings (venue,
    zone, language, rounds, lengths, table sizes, switches) and the series itself."""
    previous = last_event(series)
    initial: dict[str, Any] = {"series": series.pk}
    if previous is not None:
        initial.update({name: getattr(previous, name) for name in COPIED_SETTINGS})
    return initial


def is_same_person_filter(prefix: str = "") -> Q:
    """Attendees who may be linked to the series' memory: an email (not a walk-in's typed one
    still waiting for its mailed code), not erased, and not answered "Someone else"."""
    return (
        ~Q(**{f"{prefix}email": ""})
        & Q(**{f"{prefix}is_email_unconfirmed": False})
        & ~Q(**{f"{prefix}series_answer": Attendee.SeriesAnswer.OTHER})
        & Q(**{f"{prefix}erased_at__isnull": True})
    )


def earlier_selves(attendee: Attendee) -> QuerySet[Attendee]:
    """The same person at earlier events of the attendee's series: the same normalised email
    (``hygiene.clean_email``, applied at every entry point), newest first. Empty outside a series,
    without an email, once either side said "Someone else", or while the email is a walk-in's
    typed one not yet confirmed by a mailed code (it proves nothing: no marks, no promises)."""
    if attendee.is_email_unconfirmed:
        return Attendee.objects.none()
    return selves_by_email(attendee)


def selves_by_email(attendee: Attendee) -> QuerySet[Attendee]:
    """``earlier_selves`` before the typed email is confirmed: only to ask "Is this you…?"."""
    event = attendee.event
    if (
        event.series_id is None
        or not attendee.email
        or attendee.series_answer == Attendee.SeriesAnswer.OTHER
        or attendee.erased_at is not None
    ):
        return Attendee.objects.none()
    try:
        email = hygiene.clean_email(attendee.email)
    except ValidationError:  # an address from before the hygiene rule that no one can mail
        return Attendee.objects.none()
    return (
        Attendee.objects.filter(
            is_same_person_filter(),
            email=email,
            event__series_id=event.series_id,
            event__starts_at__lt=event.starts_at,
        )
        .select_related("event")
        .order_by("-event__starts_at", "-pk")
    )


def series_question(attendee: Attendee) -> Event | None:
    """The earlier event of the series to ask about ("Is this you from <event> (<month>)?"),
    while the attendee has not answered; None when there is nothing to ask.

    A walk-in whose typed email is unconfirmed is asked, without the event's name or month,
    whenever the series has an earlier event, whether or not the address came to one: the
    question tells whoever typed an address nothing about its owner, and a yes waits for the
    code mailed to it (``devices.owns_email``)."""
    if attendee.series_answer != Attendee.SeriesAnswer.UNASKED:
        return None
    if attendee.is_email_unconfirmed:
        event = attendee.event
        if not attendee.email or event.series_id is None or attendee.erased_at is not None:
            return None
        earlier = Event.objects.filter(series_id=event.series_id, starts_at__lt=event.starts_at)
        return earlier.order_by("-starts_at").first()
    earlier_self = selves_by_email(attendee).first()
    return earlier_self.event if earlier_self else None
