"""The series page's figures: attendance per event, who came back, how often each person came,
introductions offered → made → met across the series, and the connectors who said yes to being
listed. A person is one across the series by normalised email (``events.queries``), unless they
answered "Someone else"; an attendee without an email is one person at one event. Five queries
whatever the number of events.

- *Returning*: checked in at an event after checking in at an earlier event of the series.
- *Returning rate*: people who came to two events or more ÷ people who came at all.
- *Offered*: every introduction (declined ones included); *made*: made or met; *met*: confirmed
  met by both people.
- *Connectors*: people whose introductions were confirmed met, listed only with their own yes
  (``Attendee.is_listed_as_connector``), most confirmed meetings first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Attendee, Event, Series, arrived_filter
from events.queries import is_same_person_filter
from feedback import charts
from feedback.exports import Sheet
from feedback.models import Introduction


@dataclass(frozen=True)
class EventAttendance:
    event: Event
    arrived: int
    returning: int


@dataclass(frozen=True)
class PersonAttendance:
    name: str
    company: str
    events: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class SeriesConnector:
    name: str
    company: str
    met: int


@dataclass(frozen=True)
class SeriesReport:
    events: list[EventAttendance]
    people: list[PersonAttendance]
    offered: int
    made: int
    met: int
    connectors: list[SeriesConnector]

    @property
    def returning_people(self) -> int:
        return sum(1 for person in self.people if person.events > 1)

    @property
    def returning_rate(self) -> float:
        return self.returning_people / len(self.people) if self.people else 0.0

    @property
    def attendance_counts(self) -> list[tuple[int, int]]:
        """(events attended, people), from 1 to the most."""
        counts = Counter(person.events for person in self.people)
        return [(n, counts.get(n, 0)) for n in range(1, max(counts, default=0) + 1)]


def person_key(pk: int, email: str, answer: str, *, is_unconfirmed: bool = False) -> str:
    """One person across the series: the normalised email (once confirmed, for a walk-in's
    typed one), else this attendee alone."""
    linkable = email and answer != Attendee.SeriesAnswer.OTHER and not is_unconfirmed
    return f"@{email}" if linkable else f"#{pk}"


def series_report(series: Series) -> SeriesReport:
    """The series' figures (module docstring). Five queries."""
    events = list(
        series.events.annotate(
            arrived=Count("attendees", filter=arrived_filter("attendees"))
        ).order_by("starts_at", "pk")
    )
    arrivals = (
        Attendee.objects.filter(arrived_filter(), event__series=series, erased_at__isnull=True)
        .order_by("event__starts_at", "event_id", "pk")
        .values_list(
            "pk", "event_id", "email", "series_answer", "is_email_unconfirmed", "name", "company"
        )
    )
    seen: set[str] = set()
    returning: Counter[int] = Counter()
    people: dict[str, dict] = {}
    start = {event.pk: event.starts_at for event in events}
    for pk, event_id, email, answer, is_unconfirmed, name, company in arrivals:
        key = person_key(pk, email, answer, is_unconfirmed=is_unconfirmed)
        if key in seen:
            returning[event_id] += 1
        seen.add(key)
        person = people.setdefault(
            key, {"name": name, "company": company, "events": set(), "first": start[event_id]}
        )
        person.update(name=name, company=company, last=start[event_id])
        person["events"].add(event_id)
    totals = Introduction.objects.filter(card__round__event__series=series).aggregate(
        offered=Count("pk"),
        made=Count("pk", filter=Q(status__in=["made", "met"])),
        met=Count("pk", filter=Q(status="met")),
    )
    return SeriesReport(
        events=[
            EventAttendance(event=event, arrived=event.arrived, returning=returning[event.pk])
            for event in events
        ],
        people=sorted(
            (
                PersonAttendance(
                    name=p["name"],
                    company=p["company"],
                    events=len(p["events"]),
                    first_at=p["first"],
                    last_at=p["last"],
                )
                for p in people.values()
            ),
            key=lambda p: (-p.events, p.name.casefold()),
        ),
        offered=totals["offered"],
        made=totals["made"],
        met=totals["met"],
        connectors=series_connectors(series),
    )


def series_connectors(series: Series) -> list[SeriesConnector]:
    """The people whose introductions were confirmed met, among those who said yes to being
    listed at some event of the series; most meetings first. Two queries."""
    listed = set(
        Attendee.objects.filter(
            is_same_person_filter(), event__series=series, is_listed_as_connector=True
        ).values_list("email", flat=True)
    )
    if not listed:
        return []
    rows = (
        Introduction.objects.filter(
            status=Introduction.Status.MET,
            card__round__event__series=series,
            card__giver__email__in=listed,
        )
        .filter(is_same_person_filter("card__giver__"))
        .values_list("card__giver__email", "card__giver__name", "card__giver__company")
        .order_by("card__giver__event__starts_at", "pk")
    )
    met: Counter[str] = Counter()
    names: dict[str, tuple[str, str]] = {}
    for email, name, company in rows:
        met[email] += 1
        names[email] = (name, company)  # the latest event's name and company
    return sorted(
        (SeriesConnector(name=names[e][0], company=names[e][1], met=n) for e, n in met.items()),
        key=lambda c: (-c.met, c.name.casefold()),
    )


@dataclass(frozen=True)
class SeriesCharts:
    attendance: charts.Chart
    counts: charts.Chart
    introductions: charts.Chart


def series_charts(report: SeriesReport) -> SeriesCharts:
    arrived_label, returning_label = _("Checked in"), _("Returning")
    return SeriesCharts(
        attendance=charts.bar_chart(
            "chart-series-attendance",
            title=_("Attendance per event"),
            axis=_("Event"),
            groups=[
                charts.Group(
                    label=str(number),
                    name=row.event.title,
                    values=[
                        ("arrived", arrived_label, row.arrived),
                        ("returning", returning_label, row.returning),
                    ],
                )
                for number, row in enumerate(report.events, start=1)
            ],
            legend=[("arrived", arrived_label), ("returning", returning_label)],
        ),
        counts=charts.bar_chart(
            "chart-series-counts",
            title=_("People by number of events attended"),
            axis=_("Events attended"),
            groups=[
                charts.Group(
                    label=str(n),
                    name=ngettext(
                        "People who came to %(n)s event", "People who came to %(n)s events", n
                    )
                    % {"n": n},
                    values=[("people", "", people)],
                )
                for n, people in report.attendance_counts
            ],
        ),
        introductions=charts.bar_chart(
            "chart-series-introductions",
            title=_("Introductions offered → made → met"),
            axis=_("Status"),
            groups=[
                charts.Group(label=label, name=label, values=[(key, "", value)])
                for key, label, value in (
                    ("offered", _("Offered"), report.offered),
                    ("made", _("Made"), report.made),
                    ("met", _("Met"), report.met),
                )
            ],
        ),
    )


def series_sheet(series: Series, report: SeriesReport) -> Sheet:
    """The per-person attendance as a sheet (names and companies, no contact details)."""
    return Sheet(
        name=f"series-{series.pk}-people",
        header=[_("Name"), _("Company"), _("Events attended"), _("First"), _("Last")],
        rows=[
            [
                p.name,
                p.company,
                p.events,
                p.first_at.date().isoformat(),
                p.last_at.date().isoformat(),
            ]
            for p in report.people
        ],
    )
