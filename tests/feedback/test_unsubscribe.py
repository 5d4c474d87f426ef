from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Attendee
from tests.factories import AttendeeFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_unsubscribe_get_asks_to_confirm_and_changes_nothing(client):
    attendee = AttendeeFactory()

    response = client.get(reverse("unsubscribe", args=[attendee.token]))

    assert response.status_code == 200
    assert "Stop mail from this event" in response.text
    attendee.refresh_from_db()
    assert attendee.unsubscribed_at is None


def test_unsubscribe_post_stops_mail_and_offers_to_undo(client):
    attendee = AttendeeFactory()

    response = client.post(reverse("unsubscribe", args=[attendee.token]))

    assert response.status_code == 200
    assert "You won't get more mail from this event." in response.text
    assert reverse("resubscribe", args=[attendee.token]) in response.text
    attendee.refresh_from_db()
    assert attendee.unsubscribed_at is not None


def test_unsubscribe_twice_keeps_the_first_time(client):
    attendee = AttendeeFactory()
    client.post(reverse("unsubscribe", args=[attendee.token]))
    first = Attendee.objects.get().unsubscribed_at

    client.post(reverse("unsubscribe", args=[attendee.token]))

    assert Attendee.objects.get().unsubscribed_at == first


def test_unsubscribe_accepts_the_one_click_post_without_csrf():
    attendee = AttendeeFactory()
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(
        reverse("unsubscribe", args=[attendee.token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    attendee.refresh_from_db()
    assert attendee.unsubscribed_at is not None


def test_unsubscribe_of_an_unknown_token_is_not_found(client):
    assert client.get(reverse("unsubscribe", args=["guessed"])).status_code == 404
    assert client.post(reverse("unsubscribe", args=["guessed"])).status_code == 404


def test_resubscribe_undoes_and_needs_csrf(client):
    attendee = AttendeeFactory()
    client.post(reverse("unsubscribe", args=[attendee.token]))
    forged = Client(enforce_csrf_checks=True).post(reverse("resubscribe", args=[attendee.token]))

    response = client.post(reverse("resubscribe", args=[attendee.token]))

    assert forged.status_code == 403
    assert response.status_code == 302
    assert response["Location"] == reverse("unsubscribe", args=[attendee.token])
    attendee.refresh_from_db()
    assert attendee.unsubscribed_at is None


def test_unsubscribe_page_speaks_the_events_language(client):
    attendee = AttendeeFactory(event=EventFactory(language="zh-hans"))

    response = client.get(reverse("unsubscribe", args=[attendee.token]))

    assert response["Content-Language"] == "zh-hans"
