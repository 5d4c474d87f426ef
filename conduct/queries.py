"""Reads for reports: the reporter's choices on the phone and the organizers' list."""

from __future__ import annotations

from django.db.models import QuerySet

from conduct.models import Report
from events.models import Attendee, Event
from rounds.models import Round, Seat


def tablemates(attendee: Attendee) -> list[Attendee]:
    """The people who sat at the attendee's table in the rounds started so far (the latest
    round's first), each once; the current round when one runs. Two queries."""
    tables = Seat.objects.filter(attendee=attendee).exclude(round__status=Round.Status.PLANNED)
    seats = (
        Seat.objects.filter(table__in=tables.values("table"))
        .exclude(attendee=attendee)
        .filter(attendee__erased_at__isnull=True)
        .select_related("attendee")
        .order_by("-round__number", "speaking_order")
    )
    found: dict[int, Attendee] = {}
    for seat in seats:
        found.setdefault(seat.attendee_id, seat.attendee)
    return list(found.values())


def guest_list(attendee: Attendee) -> QuerySet[Attendee]:
    """The other attendees of the event, for "don't seat me with" (erased people left out)."""
    return (
        attendee.event.attendees.exclude(pk=attendee.pk)
        .filter(erased_at__isnull=True)
        .order_by("name", "pk")
    )


def reports_of(event: Event) -> QuerySet[Report]:
    """The event's reports, open first then newest, with the people named."""
    return (
        Report.objects.filter(event=event)
        .select_related("reporter", "about")
        .order_by("status", "-created_at", "-pk")
    )


def open_report_count(event: Event) -> int:
    return Report.objects.filter(event=event, status=Report.Status.OPEN).count()


def report_of(event: Event, report_id: int) -> Report:
    """One report of this event (an organizer's page has checked the event); ``Report.DoesNotExist``
    for another event's."""
    return Report.objects.select_related("reporter", "about", "event").get(
        event=event, pk=report_id
    )
