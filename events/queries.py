"""Reads used by the organizer's pages (and the rounds app's control pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
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
