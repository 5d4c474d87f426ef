"""New faces first: the series' memory of who sat together, given to the planner as ``met``
(the last few events only), and the plan page's share of new encounters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rounds import queries, services
from rounds.queries import SERIES_MEMORY_EVENTS
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    RoundFactory,
    SeatFactory,
    SeriesFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db


def month(n: int) -> datetime:
    return datetime(2026, n, 10, 18, tzinfo=UTC)


@pytest.fixture
def series():
    return SeriesFactory()


def past_event(series, starts_at, tables, **fields):
    """A closed event of ``series`` whose one round seated ``tables`` (lists of emails)."""
    event = EventFactory(
        organizer=series.organizer, series=series, starts_at=starts_at, closed=True, **fields
    )
    round_ = RoundFactory(event=event, number=1, done=True)
    for number, emails in enumerate(tables, start=1):
        table = TableFactory(round=round_, number=number)
        for order, email in enumerate(emails):
            attendee = AttendeeFactory(event=event, email=email, checked_in=True)
            SeatFactory(table=table, attendee=attendee, speaking_order=order)
    return event


def next_event(series, starts_at, emails, **fields):
    event = EventFactory(
        organizer=series.organizer, series=series, starts_at=starts_at, check_in=True, **fields
    )
    people = {email: AttendeeFactory(event=event, email=email, checked_in=True) for email in emails}
    return event, people


def ids(people, *pairs):
    return sorted(tuple(sorted((people[a].pk, people[b].pk))) for a, b in pairs)


def test_series_met_maps_earlier_tablemates_to_this_events_attendees(series):
    past_event(series, month(3), [["a@x.io", "b@x.io", "c@x.io"], ["d@x.io", "e@x.io"]])
    event, people = next_event(series, month(4), ["a@x.io", "b@x.io", "d@x.io", "new@x.io"])

    met = queries.series_met(event, [p.pk for p in people.values()])

    assert met == ids(people, ("a@x.io", "b@x.io"))


def test_series_met_remembers_only_the_last_events_for_planning(series):
    past_event(series, month(1), [["a@x.io", "b@x.io"]])  # the oldest: forgotten
    for n in range(2, 2 + SERIES_MEMORY_EVENTS):
        past_event(series, month(n), [["a@x.io", f"other{n}@x.io"], ["b@x.io", "c@x.io"]])
    event, people = next_event(series, month(9), ["a@x.io", "b@x.io", "c@x.io"])
    everyone = [p.pk for p in people.values()]

    assert queries.series_met(event, everyone) == ids(people, ("b@x.io", "c@x.io"))
    assert queries.series_met(event, everyone, last=None) == ids(
        people, ("a@x.io", "b@x.io"), ("b@x.io", "c@x.io")
    )


def test_series_met_ignores_other_series_later_events_and_someone_else(series):
    past_event(SeriesFactory(organizer=series.organizer), month(3), [["a@x.io", "b@x.io"]])
    past_event(series, month(6), [["a@x.io", "c@x.io"]])
    earlier = past_event(series, month(3), [["d@x.io", "e@x.io"]])
    earlier.attendees.filter(email="e@x.io").update(series_answer="other")
    event, people = next_event(series, month(4), ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io"])

    assert queries.series_met(event, [p.pk for p in people.values()]) == []


def test_series_met_forgets_an_erased_event(series):
    earlier = past_event(series, month(3), [["a@x.io", "b@x.io"]])
    earlier.personal_data_erased_at = timezone.now()
    earlier.save()
    event, people = next_event(series, month(4), ["a@x.io", "b@x.io"])

    assert queries.series_met(event, [p.pk for p in people.values()]) == []


def test_planning_memory_is_empty_when_new_faces_first_is_off(series):
    past_event(series, month(3), [["a@x.io", "b@x.io"]])
    event, people = next_event(series, month(4), ["a@x.io", "b@x.io"], is_favouring_new_faces=False)

    assert queries.planning_memory(event, [p.pk for p in people.values()]) == []


def test_planning_memory_is_empty_outside_a_series():
    event = EventFactory(check_in=True)
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)

    assert queries.planning_memory(event, [p.pk for p in people]) == []


GROUPS = [[f"{g}{i}@x.io" for i in range(3)] for g in "abc"]


def test_make_plan_seats_returning_people_with_new_faces(series):
    past_event(series, month(3), GROUPS)
    event, _people = next_event(
        series, month(4), [e for group in GROUPS for e in group], rounds_count=1, table_size=3
    )

    services.make_plan(event, by=series.organizer, time_limit=5.0)

    plan = queries.stored_plan(event.pk)
    encounters = queries.plan_encounters(event, plan)
    assert encounters.total == 9
    assert encounters.new == 9


def test_plan_page_reports_the_share_of_new_encounters(client, series):
    past_event(series, month(3), [["a@x.io", "b@x.io", "c@x.io"]])
    event, people = next_event(series, month(4), ["a@x.io", "b@x.io", "c@x.io", "d@x.io"])
    round_ = RoundFactory(event=event, number=1)
    table = TableFactory(round=round_, number=1)
    for order, email in enumerate(["a@x.io", "b@x.io", "d@x.io"]):
        SeatFactory(table=table, attendee=people[email], speaking_order=order)
    client.force_login(series.organizer)

    page = client.get(reverse("plan", args=[event.pk])).content.decode()

    assert "2 of 3" in page
    assert "(67%)" in page


def test_plan_page_has_no_new_encounters_outside_a_series(client):
    event = EventFactory(check_in=True)
    client.force_login(event.organizer)

    assert "New encounters" not in client.get(reverse("plan", args=[event.pk])).content.decode()


def test_replan_also_seats_returning_people_with_new_faces(series):
    past_event(series, month(3), GROUPS)
    event, _people = next_event(
        series,
        month(4),
        [e for group in GROUPS for e in group],
        rounds_count=1,
        table_size=3,
        is_favouring_new_faces=False,
    )
    services.make_plan(event, by=series.organizer, time_limit=5.0)
    alone = queries.plan_encounters(event, queries.stored_plan(event.pk))
    event.is_favouring_new_faces = True
    event.save()

    services.replan(event, by=series.organizer, time_limit=5.0)

    encounters = queries.plan_encounters(event, queries.stored_plan(event.pk))
    assert alone.new < alone.total  # planned alone, some old pairs sat together again
    assert (encounters.new, encounters.total) == (9, 9)
