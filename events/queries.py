"""Reads used by the organizer's pages (and the rounds app's control pages)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import Http404

from events.models import Attendee, Event


def organizer_event(user: Any, event_id: int) -> Event:
    """The event, if this user organizes it; otherwise 404, so that another organizer's event is
    not even confirmed to exist."""
    event = Event.objects.organized_by(user).filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def events_of(user: Any) -> QuerySet[Event]:
    return Event.objects.organized_by(user).annotate(
        attendee_total=Count("attendees", distinct=True),
        checked_in_total=Count(
            "attendees",
            filter=Q(attendees__checked_in_at__isnull=False, attendees__left_at__isnull=True),
            distinct=True,
        ),
    )


STATUS_FILTERS = {
    "invited": Q(checked_in_at__isnull=True),
    "present": Q(checked_in_at__isnull=False, left_at__isnull=True),
    "left": Q(left_at__isnull=False),
}


def attendees_of(event: Event, *, search: str = "", status: str = "") -> QuerySet[Attendee]:
    attendees = event.attendees.select_related("pitch").order_by("name", "pk")
    if search:
        attendees = attendees.filter(
            Q(name__icontains=search) | Q(email__icontains=search) | Q(company__icontains=search)
        )
    if status in STATUS_FILTERS:
        attendees = attendees.filter(STATUS_FILTERS[status])
    return attendees


def attendance(event: Event) -> dict[str, int]:
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
