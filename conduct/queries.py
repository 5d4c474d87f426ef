"""Reads for reports: the reporter's choices on the phone and the organizers' list."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from conduct.models import Report
from events.models import Attendee, Event
from pitches import queries as pitch_queries
from rounds.models import Round, Seat


def started_tables(attendee: Attendee) -> QuerySet[Seat]:
    """The attendee's own seats in the rounds started so far (running, paused or done; not the
    planned ones), as a subquery of their tables (``.values("table")``)."""
    return Seat.objects.filter(attendee=attendee).exclude(round__status=Round.Status.PLANNED)


def tablemates(attendee: Attendee) -> list[Attendee]:
    """The people who sat at the attendee's table in the rounds started so far (the latest
    round's first), each once; the current round when one runs. Two queries."""
    seats = (
        Seat.objects.filter(table__in=started_tables(attendee).values("table"))
        .exclude(attendee=attendee)
        .filter(attendee__erased_at__isnull=True)
        .select_related("attendee")
        .order_by("-round__number", "speaking_order")
    )
    found: dict[int, Attendee] = {}
    for seat in seats:
        found.setdefault(seat.attendee_id, seat.attendee)
    return list(found.values())


def apart_choices(attendee: Attendee) -> QuerySet[Attendee]:
    """The people ``attendee`` may name for "don't seat me with", by name: those on the
    event's guest list (``pitches.queries.guest_list``, the wish list's rule: they said yes to
    being listed, neither erased nor removed) and those who sat at their table in a round
    started so far (``tablemates``; erased people left out). Nobody else of the event: the
    registration list is not the attendees' to read, so the page, its form and its refusals
    name no one outside this set. One query when evaluated."""
    sat_with = Seat.objects.filter(table__in=started_tables(attendee).values("table"))
    return (
        Attendee.objects.filter(event_id=attendee.event_id, erased_at__isnull=True)
        .filter(
            Q(pk__in=pitch_queries.guest_list(attendee).values("pk"))
            | Q(pk__in=sat_with.values("attendee"))
        )
        .exclude(pk=attendee.pk)
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
