"""Out-of-range dates and ids stop at the form and the URL: a form error or a 404, never a 500,
and the database refuses what slips past (run on SQLite and, with DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from events.models import Event
from tests.events.test_organizer_views import EVENT_FORM
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE_IDS = ["9223372036854775808", "99999999999999999999", "0"]


@pytest.mark.parametrize(
    ("starts_at", "time_zone"),
    [("9999-12-31T23:59", "Etc/GMT+12"), ("9999-12-31T23:59", "UTC"), ("1900-01-01T10:00", "UTC")],
)
def test_event_create_refuses_a_year_outside_the_window(client, starts_at, time_zone):
    client.force_login(UserFactory())

    response = client.post(
        reverse("event_create"), {**EVENT_FORM, "starts_at": starts_at, "time_zone": time_zone}
    )

    assert response.status_code == 200
    assert "An event starts between the years 2000 and 2100." in response.text
    assert not Event.objects.exists()


def test_event_edit_refuses_year_9999_and_keeps_the_event(client):
    event = EventFactory(starts_at=datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    client.force_login(event.organizer)

    response = client.post(
        reverse("event_edit", args=[event.pk]),
        {**EVENT_FORM, "starts_at": "9999-12-31T23:59", "time_zone": "Etc/GMT+12"},
    )

    assert "An event starts between the years 2000 and 2100." in response.text
    event.refresh_from_db()
    assert event.starts_at == datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    assert client.get(reverse("event_list")).status_code == 200


@pytest.mark.parametrize("year", [1999, 2101])
def test_event_database_refuses_a_start_outside_the_window(year):
    event = EventFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(starts_at=datetime(year, 6, 1, tzinfo=UTC))


@pytest.mark.postgres
def test_event_postgres_refuses_year_9999_west_of_utc():
    event = EventFactory()
    late = datetime(9999, 12, 31, 11, 0, tzinfo=zoneinfo.ZoneInfo("Etc/GMT+12"))

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(starts_at=late)

    assert Event.objects.get(pk=event.pk).starts_at.year < 2101


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_contact_vcard_with_a_huge_id_is_404(client, huge):
    attendee = AttendeeFactory()

    response = client.get(f"/a/{attendee.token}/contacts/{huge}.vcf")

    assert response.status_code == 404


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize(
    "path",
    [
        "/events/{id}/",
        "/events/{id}/attendees/",
        "/events/{id}/report/",
        "/events/{id}/control/",
        "/events/{id}/attendees/{id}/presence/",
        "/admin/events/event/{id}/change/",
    ],
)
def test_organizer_urls_with_a_huge_id_are_404_or_a_redirect(admin_client, path, huge):
    response = admin_client.get(path.format(id=huge))

    assert response.status_code in (404, 302)


def test_largest_id_that_fits_the_column_is_a_plain_404(admin_client):
    response = admin_client.get("/events/9223372036854775807/")

    assert response.status_code == 404
