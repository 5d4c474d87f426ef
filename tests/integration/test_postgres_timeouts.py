"""Every PostgreSQL session has limits (``config.env.session_timeouts``): a statement that
hangs, a lock never released, a transaction left open cannot stop a room. Each ends in an error
that counts as "the database is unavailable for now" (``config.capacity``: a 503 with
Retry-After for a page, a 4503 for a phone, which retries), and the card path does not wait for
it a second time tap by tap (``feedback.services.tap_cards``)."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from config.capacity import is_database_unavailable
from events.models import Attendee
from feedback import services as feedback_services
from feedback.models import Card
from tests.integration.sessions import Holding, a_tap, running, shortened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def test_every_connection_has_the_session_limits():
    assert (
        show("statement_timeout"),
        show("lock_timeout"),
        show("idle_in_transaction_session_timeout"),
    ) == ("30s", "5s", "1min")


def test_a_statement_over_its_time_is_unavailable_not_a_refused_query():
    with (
        shortened("statement_timeout", "100ms"),
        connection.cursor() as cursor,
        pytest.raises(OperationalError) as raised,
    ):
        cursor.execute("SELECT pg_sleep(2)")

    assert is_database_unavailable(raised.value)


def holding_row(attendee: Attendee) -> Holding:
    """Another session holding ``attendee``'s row ``FOR UPDATE`` (an erasure's lock)."""
    return Holding(lambda: Attendee.objects.select_for_update().get(pk=attendee.pk))


def test_a_card_batch_behind_a_lock_past_its_timeout_goes_up_once_for_the_phones_to_resend(
    event, caplog
):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    round_ = running(event)
    with shortened("lock_timeout", "300ms"), holding_row(bob):
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised:
            feedback_services.tap_cards([(alice.pk, a_tap(bob, round_))])
        waited = time.monotonic() - started

    assert is_database_unavailable(raised.value)
    assert "tap by tap" not in caplog.text  # one wait, not one more per tap
    assert waited < 2
    assert not Card.objects.exists()


def test_a_page_behind_a_lock_past_its_timeout_is_a_503_with_retry_after(event):
    someone = event.attendees.order_by("pk").first()
    client = Client()
    client.force_login(event.organizer)
    with shortened("lock_timeout", "300ms"), holding_row(someone):
        response = client.post(
            reverse("attendee_presence", args=[event.pk, someone.pk]), {"action": "left"}
        )

    assert response.status_code == 503
    assert response["Retry-After"]
    someone.refresh_from_db()
    assert someone.left_at is None
