"""The post-event report: the figures an organizer hands to sponsors, computed in seven queries
whatever the size of the event. It reads cards, seats and introductions, never contact
details, so it still works after the attendees' personal data was erased (erased attendees keep
their anonymized names, which is what the top connectors then show).

Definitions, also shown on the page:

- *Checked in*: attendees with a check-in time (including those who left), but those an
  organizer took out of the rounds after a report (*removed*, counted apart, as the dashboard
  counts them with the people gone); *no-shows*: registered and never checked in; *left early*:
  attendees with a leaving time who were not removed.
- *Played round*: a round that is done, running or paused; planned rounds never count.
- *People met*: the distinct other attendees someone shared a table with in played rounds,
  over the attendees who had a seat in at least one played round. A *repeat pair* is two people
  who sat at the same table in more than one played round.
- *Follow-up rate*: introductions made or met ÷ introductions offered, not counting declined
  ones. An accepted introduction is not yet followed up.
- *Top connectors*: the attendees who offered the most introductions (declined ones included:
  the offer was made), ties by name; ten at most.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Event, arrived_filter, invited_filter, left_filter, removed_filter
from feedback import charts
from feedback.models import Card, Introduction
from rounds.models import Round, Seat

PLAYED = (Round.Status.DONE, Round.Status.RUNNING, Round.Status.PAUSED)
FOLLOWED_UP = (Introduction.Status.MADE, Introduction.Status.MET)
TOP_CONNECTORS = 10


@dataclass(frozen=True)
class RoundCards:
    number: int
    status: str
    see_me: int
    introduce: int

    @property
    def total(self) -> int:
        return self.see_me + self.introduce


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Connector:
    name: str
    company: str
    offered: int


@dataclass(frozen=True)
class MetDistribution:
    """How many distinct people each seated attendee met: summary and histogram."""

    people: int
    minimum: int
    median: float
    maximum: int
    mean: float
    histogram: tuple[tuple[int, int], ...]  # (distinct people met, attendees who met that many)


@dataclass(frozen=True)
class EventReport:
    registered: int
    checked_in: int
    no_shows: int
    left_early: int
    cards_by_round: tuple[RoundCards, ...]
    receivers: int
    met: MetDistribution
    repeat_pairs: int
    introductions_by_status: tuple[StatusCount, ...]
    connectors: tuple[Connector, ...]
    met_awaiting_confirmation: int = 0
    removed: int = 0

    @property
    def see_me_total(self) -> int:
        return sum(r.see_me for r in self.cards_by_round)

    @property
    def introduce_total(self) -> int:
        return sum(r.introduce for r in self.cards_by_round)

    @property
    def cards_total(self) -> int:
        return self.see_me_total + self.introduce_total

    @property
    def received_share(self) -> float | None:
        """Of the checked-in attendees, the share who received at least one card."""
        return self.receivers / self.checked_in if self.checked_in else None

    @property
    def introductions_total(self) -> int:
        return sum(s.count for s in self.introductions_by_status)

    @property
    def followed_up(self) -> int:
        return sum(s.count for s in self.introductions_by_status if s.status in FOLLOWED_UP)

    @property
    def follow_up_base(self) -> int:
        declined = sum(
            s.count
            for s in self.introductions_by_status
            if s.status == Introduction.Status.DECLINED
        )
        return self.introductions_total - declined

    @property
    def follow_up_rate(self) -> float | None:
        return self.followed_up / self.follow_up_base if self.follow_up_base else None


def turnout(event: Event) -> dict[str, int]:
    """Who came, for the report after the event: ``registered``, ``checked_in`` (everyone who
    arrived, those who left early included: ``arrived_filter``, but the people taken out of the
    rounds after a report), ``no_shows``, ``left_early`` (who left on their own) and
    ``removed`` (arrived and taken out after a report). One query. Where people are now is
    ``events.queries.door_counts``."""
    return event.attendees.aggregate(
        registered=Count("pk"),
        checked_in=Count("pk", filter=arrived_filter() & ~removed_filter()),
        no_shows=Count("pk", filter=invited_filter()),
        left_early=Count("pk", filter=left_filter() & ~removed_filter()),
        removed=Count("pk", filter=arrived_filter() & removed_filter()),
    )


def receivers_of(event: Event) -> int:
    """Checked-in attendees (as ``turnout`` counts them) who received at least one card."""
    return (
        Card.objects.filter(
            arrived_filter("receiver") & ~removed_filter("receiver"), round__event=event
        )
        .values("receiver_id")
        .distinct()
        .count()
    )


def cards_by_round(event: Event) -> tuple[RoundCards, ...]:
    """Every played round, and any other round with cards, with its cards by kind."""
    counts = Counter(
        {
            (row["round_id"], row["kind"]): row["n"]
            for row in Card.objects.filter(round__event=event)
            .values("round_id", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    rounds = event.rounds.order_by("number").values_list("pk", "number", "status")
    status_labels = dict(Round.Status.choices)
    return tuple(
        RoundCards(
            number=number,
            status=str(status_labels.get(status, status)),
            see_me=counts[(pk, Card.Kind.SEE_ME)],
            introduce=counts[(pk, Card.Kind.INTRODUCE)],
        )
        for pk, number, status in rounds
        if status in PLAYED or counts[(pk, Card.Kind.SEE_ME)] or counts[(pk, Card.Kind.INTRODUCE)]
    )


def meetings(event: Event) -> tuple[MetDistribution, int]:
    """The distribution of distinct people met, and the number of repeat pairs."""
    tables: dict[int, list[int]] = defaultdict(list)
    seats = Seat.objects.filter(round__event=event, round__status__in=PLAYED).values_list(
        "table_id", "attendee_id"
    )
    for table_id, attendee_id in seats.order_by():
        tables[table_id].append(attendee_id)
    met: dict[int, set[int]] = defaultdict(set)
    together: Counter[tuple[int, int]] = Counter()
    for people in tables.values():
        for person in people:
            met[person]  # seated alone still counts, as zero people met
        for a, b in combinations(sorted(people), 2):
            met[a].add(b)
            met[b].add(a)
            together[(a, b)] += 1
    counts = [len(others) for others in met.values()]
    repeat_pairs = sum(1 for times in together.values() if times > 1)
    if not counts:
        return MetDistribution(0, 0, 0, 0, 0, ()), repeat_pairs
    spread = Counter(counts)
    histogram = tuple((n, spread[n]) for n in range(min(counts), max(counts) + 1))
    distribution = MetDistribution(
        people=len(counts),
        minimum=min(counts),
        median=float(statistics.median(counts)),
        maximum=max(counts),
        mean=statistics.fmean(counts),
        histogram=histogram,
    )
    return distribution, repeat_pairs


def introduction_counts(event: Event) -> tuple[tuple[StatusCount, ...], int]:
    """The introductions by status (offered → accepted → made → met, or declined; "met" only
    once both sides confirmed), and how many made ones one side says led to a meeting while the
    other has not confirmed yet. One query."""
    rows = (
        Introduction.objects.filter(card__round__event=event)
        .values_list("status")
        .annotate(n=Count("pk"), said=Count("pk", filter=Q(met_said_by__isnull=False)))
        .order_by()
    )
    counts = {status: n for status, n, _said in rows}
    waiting = sum(said for status, _n, said in rows if status == Introduction.Status.MADE)
    by_status = tuple(
        StatusCount(status=status, label=str(label), count=counts.get(status, 0))
        for status, label in Introduction.Status.choices
    )
    return by_status, waiting


def introductions_by_status(event: Event) -> tuple[StatusCount, ...]:
    return introduction_counts(event)[0]


def top_connectors(event: Event) -> tuple[Connector, ...]:
    rows = (
        Introduction.objects.filter(card__round__event=event)
        .values("card__giver_id", "card__giver__name", "card__giver__company")
        .annotate(offered=Count("pk"))
        .order_by("-offered", "card__giver__name", "card__giver_id")[:TOP_CONNECTORS]
    )
    return tuple(
        Connector(
            name=row["card__giver__name"],
            company=row["card__giver__company"],
            offered=row["offered"],
        )
        for row in rows
    )


def event_report(event: Event) -> EventReport:
    """Every figure of the report; seven queries whatever the event size."""
    met, repeat_pairs = meetings(event)
    by_status, met_awaiting_confirmation = introduction_counts(event)
    return EventReport(
        **turnout(event),
        cards_by_round=cards_by_round(event),
        receivers=receivers_of(event),
        met=met,
        repeat_pairs=repeat_pairs,
        introductions_by_status=by_status,
        connectors=top_connectors(event),
        met_awaiting_confirmation=met_awaiting_confirmation,
    )


@dataclass(frozen=True)
class ReportCharts:
    cards: charts.Chart
    introductions: charts.Chart
    met: charts.Chart


def report_charts(report: EventReport) -> ReportCharts:
    """The report's three bar charts, as geometry the template draws as SVG."""
    see_me, introduce = Card.Kind.SEE_ME, Card.Kind.INTRODUCE
    see_me_label, introduce_label = str(see_me.label), str(introduce.label)
    return ReportCharts(
        cards=charts.bar_chart(
            "chart-cards",
            title=_("Cards per round, by kind"),
            axis=_("Round"),
            groups=[
                charts.Group(
                    label=str(r.number),
                    name=_("Round %(number)s") % {"number": r.number},
                    values=[
                        (see_me, see_me_label, r.see_me),
                        (introduce, introduce_label, r.introduce),
                    ],
                )
                for r in report.cards_by_round
            ],
            legend=[(see_me, see_me_label), (introduce, introduce_label)],
        ),
        introductions=charts.bar_chart(
            "chart-introductions",
            title=_("Introductions by status"),
            axis=_("Status"),
            groups=[
                charts.Group(label=s.label, name=s.label, values=[(s.status, "", s.count)])
                for s in report.introductions_by_status
            ],
        ),
        met=charts.bar_chart(
            "chart-met",
            title=_("Distinct people met per attendee"),
            axis=_("People met"),
            groups=[
                charts.Group(
                    label=str(people),
                    name=ngettext(
                        "Attendees who met %(people)s person",
                        "Attendees who met %(people)s people",
                        people,
                    )
                    % {"people": people},
                    values=[("attendees", "", attendees)],
                )
                for people, attendees in report.met.histogram
            ],
        ),
    )
