"""Every PostgreSQL session has limits (``config.env.session_timeouts``): a statement that
hangs, a lock never released, a transaction left open cannot stop a room. Each ends in an error
that counts as "the database is unavailable for now" (``config.capacity``: a 503 with
Retry-After for a page, a 4503 for a phone, which retries), and the card path does not wait for
it a second time tap by tap (``feedback.services.tap_cards``)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from config.capacity import is_database_unavailable
from events.models import Attendee
from feedback import services as feedback_services
from feedback.models import Card

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def shortened(setting: str, value: str) -> Iterator[None]:
    """This session's ``setting`` at ``value`` inside the block, back to the server's after it
    (the test's connection goes on to tear the database down)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET {setting} = '{value}'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"RESET {setting}")


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


class RowHolder:
    """Another session holding ``attendee``'s row ``FOR UPDATE`` until released."""

    def __init__(self, attendee: Attendee) -> None:
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self.hold, args=(attendee.pk,))

    def hold(self, pk: int) -> None:
        try:
            with transaction.atomic():
                Attendee.objects.select_for_update().get(pk=pk)
                self.locked.set()
                self.release.wait(30)
        finally:
            connections.close_all()

    def __enter__(self) -> RowHolder:
        self.thread.start()
        assert self.locked.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)


def test_a_card_batch_behind_a_lock_past_its_timeout_goes_up_once_for_the_phones_to_resend(
    event, caplog
):
    alice, bob = list(event.attendees.order_by("pk")[:2])
    round_ = event.rounds.get(number=1)
    tap = {
        "action": "give",
        "receiver_id": bob.pk,
        "round_number": round_.number,
        "kind": Card.Kind.SEE_ME,
        "client_id": uuid.uuid4(),
        "note": "",
    }
    with shortened("lock_timeout", "300ms"), RowHolder(bob):
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised:
            feedback_services.tap_cards([(alice.pk, tap)])
        waited = time.monotonic() - started

    assert is_database_unavailable(raised.value)
    assert "tap by tap" not in caplog.text  # one wait, not one more per tap
    assert waited < 2
    assert not Card.objects.exists()


def test_a_page_behind_a_lock_past_its_timeout_is_a_503_with_retry_after(event):
    someone = event.attendees.order_by("pk").first()
    client = Client()
    client.force_login(event.organizer)
    with shortened("lock_timeout", "300ms"), RowHolder(someone):
        response = client.post(
            reverse("attendee_presence", args=[event.pk, someone.pk]), {"action": "left"}
        )

    assert response.status_code == 503
    assert response["Retry-After"]
    someone.refresh_from_db()
    assert someone.left_at is None
