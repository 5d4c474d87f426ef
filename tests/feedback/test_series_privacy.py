"""Privacy in a series: the attendee sees and deletes what the series remembers about them
(from their confirmed device only), opts in to the connectors list, and erasing an event
removes its meetings and promises from the series' memory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Attendee
from feedback import queries, retention
from rounds import queries as round_queries
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    RoundFactory,
    SeatFactory,
    SeriesFactory,
    TableFactory,
)
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 12, 18, tzinfo=UTC)
APRIL = datetime(2026, 4, 9, 18, tzinfo=UTC)


@pytest.fixture
def series():
    return SeriesFactory()


@pytest.fixture
def march(series):
    event = EventFactory(
        organizer=series.organizer, series=series, starts_at=MARCH, closed=True, title="Harbour"
    )
    round_ = RoundFactory(event=event, number=1, done=True)
    table = TableFactory(round=round_, number=1)
    people = {}
    for email in ["bo@x.io", "priya@x.io"]:
        people[email] = AttendeeFactory(event=event, email=email, checked_in=True)
        SeatFactory(table=table, attendee=people[email])
    card = CardFactory(
        round=round_, giver=people["bo@x.io"], receiver=people["priya@x.io"], introduce=True
    )
    IntroductionFactory(card=card, target="a hotel buyer")
    return event


@pytest.fixture
def april(series, march):
    event = EventFactory(organizer=series.organizer, series=series, starts_at=APRIL, check_in=True)
    table = TableFactory(round=RoundFactory(event=event, number=1), number=1)
    for email in ["bo@x.io", "priya@x.io"]:
        SeatFactory(table=table, attendee=AttendeeFactory(event=event, email=email))
    return event


def person(event, email):
    return event.attendees.get(email=email)


def test_memory_page_shows_what_the_series_remembers(client, april):
    bo = person(april, "bo@x.io")
    open_link(client, bo.token)

    page = client.get(reverse("series_memory", args=[bo.token])).text

    assert "Harbour (March 2026)" in page
    assert "You sat with 1 person there." in page
    assert "you offered to introduce" in page


def test_memory_page_from_another_browser_asks_for_the_code(client, april):
    bo = person(april, "bo@x.io")
    open_link(client, bo.token)
    other_browser = Client()

    page = other_browser.get(reverse("series_memory", args=[bo.token]))
    forget = other_browser.post(reverse("series_memory", args=[bo.token]), {"action": "forget"})

    assert "Harbour (March 2026)" not in page.text
    assert forget.status_code == 403
    assert Attendee.objects.filter(series_answer="other").count() == 0


def test_memory_page_outside_a_series_is_404(client):
    alone = AttendeeFactory(event=EventFactory(check_in=True))

    assert client.get(reverse("series_memory", args=[alone.token])).status_code == 404


def test_forget_me_unlinks_the_attendee_everywhere_in_the_series(client, april):
    bo, priya = person(april, "bo@x.io"), person(april, "priya@x.io")
    open_link(client, bo.token)

    client.post(reverse("series_memory", args=[bo.token]), {"action": "forget"})

    bo.refresh_from_db()
    assert round_queries.series_met(april, [bo.pk, priya.pk]) == []
    assert round_queries.earlier_tablemates(bo) == {}
    assert round_queries.earlier_tablemates(priya) == {}
    assert queries.carried_promises(bo) == []
    assert queries.carried_promises(priya) == []
    # priya's own memory of other people is untouched; bo is now someone else to her
    assert Attendee.objects.filter(email="bo@x.io", series_answer="other").count() == 2
    assert Attendee.objects.filter(email="priya@x.io", series_answer="").count() == 2


def test_forget_me_is_only_for_ones_own_memory(client, april):
    bo, priya = person(april, "bo@x.io"), person(april, "priya@x.io")
    open_link(client, bo.token)

    response = client.post(reverse("series_memory", args=[priya.token]), {"action": "forget"})

    assert response.status_code == 403  # bo's browser is not priya's confirmed device
    assert Attendee.objects.filter(series_answer="other").count() == 0


def test_connector_opt_in_and_out(client, april):
    bo = person(april, "bo@x.io")
    open_link(client, bo.token)

    client.post(reverse("series_memory", args=[bo.token]), {"action": "list"})
    bo.refresh_from_db()
    assert bo.is_listed_as_connector is True

    client.post(reverse("series_memory", args=[bo.token]), {"action": "unlist"})
    bo.refresh_from_db()
    assert bo.is_listed_as_connector is False


def test_erasing_an_event_removes_its_meetings_and_promises_from_the_memory(march, april):
    bo, priya = person(april, "bo@x.io"), person(april, "priya@x.io")
    assert round_queries.series_met(april, [bo.pk, priya.pk]) == [(bo.pk, priya.pk)]
    assert len(queries.carried_promises(bo)) == 1

    retention.erase_event_personal_data(march, by=march.organizer)

    assert round_queries.series_met(april, [bo.pk, priya.pk], last=None) == []
    assert round_queries.earlier_tablemates(bo) == {}
    assert round_queries.earlier_tablemate_count(bo) == 0
    assert queries.carried_promises(bo) == []
