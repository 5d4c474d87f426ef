"""The series page: attendance per event, who came back, how often each person came,
introductions across the series, opted-in connectors, CSV; its queries do not grow with events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import series_report
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    RoundFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def month(n: int) -> datetime:
    return datetime(2026, n, 10, 18, tzinfo=UTC)


@pytest.fixture
def series():
    return SeriesFactory()


def event_with(series, n, emails, **fields):
    event = EventFactory(
        organizer=series.organizer, series=series, starts_at=month(n), closed=True, **fields
    )
    people = {
        email: AttendeeFactory(event=event, email=email, name=email.split("@")[0], checked_in=True)
        for email in emails
    }
    return event, people


def introduction(event, giver, receiver, status="offered"):
    now = timezone.now()
    card = CardFactory(
        round=RoundFactory(event=event, done=True), giver=giver, receiver=receiver, introduce=True
    )
    times = {"made_at": now, "met_at": now} if status in {"made", "met"} else {}
    return IntroductionFactory(card=card, status=status, **times)


def test_series_report_counts_returning_people_and_attendance(series):
    event_with(series, 3, ["ana@x.io", "bo@x.io", "cy@x.io"])
    event_with(series, 4, ["ana@x.io", "bo@x.io", "dee@x.io"])
    may, people = event_with(series, 5, ["ana@x.io", "eve@x.io"])
    AttendeeFactory(event=may, email="never@x.io")  # registered, never came
    people["eve@x.io"].series_answer = "other"
    people["eve@x.io"].save()

    report = series_report.series_report(series)

    assert [(row.arrived, row.returning) for row in report.events] == [(3, 0), (3, 2), (2, 1)]
    assert {p.name: p.events for p in report.people} == {
        "ana": 3,
        "bo": 2,
        "cy": 1,
        "dee": 1,
        "eve": 1,
    }
    assert report.returning_people == 2
    assert report.attendance_counts == [(1, 3), (2, 1), (3, 1)]


def test_series_report_introductions_and_opted_in_connectors(series):
    march, m = event_with(series, 3, ["ana@x.io", "bo@x.io", "cy@x.io"])
    april, a = event_with(series, 4, ["ana@x.io", "bo@x.io", "cy@x.io"])
    introduction(march, m["ana@x.io"], m["bo@x.io"], "met")
    introduction(april, a["ana@x.io"], a["cy@x.io"], "met")
    introduction(april, a["bo@x.io"], a["cy@x.io"], "met")
    introduction(april, a["cy@x.io"], a["ana@x.io"], "made")
    introduction(april, a["cy@x.io"], a["bo@x.io"], "offered")
    a["ana@x.io"].is_listed_as_connector = True  # bo did not opt in
    a["ana@x.io"].save()

    report = series_report.series_report(series)

    assert (report.offered, report.made, report.met) == (5, 4, 3)
    assert [(c.name, c.met) for c in report.connectors] == [("ana", 2)]


def test_series_page_shows_the_figures_and_charts(client, series):
    event_with(series, 3, ["ana@x.io", "bo@x.io"])
    event_with(series, 4, ["ana@x.io"])
    client.force_login(series.organizer)

    page = client.get(reverse("series_detail", args=[series.pk])).text

    assert f'id="series-{series.pk}-returning-rate">50 %<' in page
    assert 'id="chart-series-attendance"' in page
    assert 'id="chart-series-counts"' in page
    assert 'id="chart-series-introductions"' in page


def test_series_export_lists_people_and_their_attendance(client, series):
    event_with(series, 3, ["ana@x.io", "bo@x.io"])
    event_with(series, 4, ["ana@x.io"])
    client.force_login(series.organizer)

    response = client.get(reverse("series_export", args=[series.pk]))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert lines == [
        "Name,Company,Events attended,First,Last",
        f"ana,{lines[1].split(',')[1]},2,2026-03-10,2026-04-10",
        f"bo,{lines[2].split(',')[1]},1,2026-03-10,2026-03-10",
    ]
    assert "ana@x.io" not in response.content.decode("utf-8-sig")


def test_series_page_and_export_of_another_organizer_are_404(client, series):
    event_with(series, 3, ["ana@x.io"])
    client.force_login(UserFactory())

    assert client.get(reverse("series_detail", args=[series.pk])).status_code == 404
    assert client.get(reverse("series_export", args=[series.pk])).status_code == 404


@pytest.mark.parametrize("events", [1, 3])
def test_series_page_queries_do_not_grow_with_events(
    client, series, events, django_assert_num_queries
):
    for n in range(events):
        event, people = event_with(series, n + 1, ["ana@x.io", f"p{n}@x.io", f"q{n}@x.io"])
        introduction(event, people["ana@x.io"], people[f"p{n}@x.io"], "met")
        people["ana@x.io"].is_listed_as_connector = True
        people["ana@x.io"].save()
    client.force_login(series.organizer)
    client.get(reverse("series_detail", args=[series.pk]))

    # session, user; series; events; arrivals; introduction totals; listed; connectors
    with django_assert_num_queries(8):
        response = client.get(reverse("series_detail", args=[series.pk]))

    assert response.text.count('class="series-connector"') == 1
    assert len(response.context["report"].events) == events


def test_series_report_does_not_merge_a_walk_in_with_the_owner_of_an_unconfirmed_email(series):
    """Someone typing Cy's address at the door is not Cy until the mailed code comes back: the
    series page counts them apart (not as Cy returning, not under the walk-in's name)."""
    event_with(series, 3, ["cy@x.io"])
    _april, people = event_with(series, 4, ["cy@x.io"])
    walk_in = people["cy@x.io"]
    walk_in.name, walk_in.is_email_unconfirmed = "Not Cy", True
    walk_in.save()

    report = series_report.series_report(series)

    assert [(row.arrived, row.returning) for row in report.events] == [(1, 0), (1, 0)]
    assert sorted((p.name, p.events) for p in report.people) == [("Not Cy", 1), ("cy", 1)]


def test_series_chart_legend_keys_each_have_their_own_colour(series):
    """A legend names series of bars told apart by colour: each key needs its bar fill and its
    swatch in the stylesheet (else both bars are the default grey and the swatches are blank)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/report.css")).read_text(encoding="utf-8")
    event_with(series, 3, ["ana@x.io"])
    charts = series_report.series_charts(series_report.series_report(series))

    for key, _label in charts.attendance.legend:
        assert f".chart-bar-{key}," in css, key
        assert f".chart-key-{key}::before" in css, key
