"""``tap_cards`` against what the socket path may hand it: the set's fallback tap by tap with the
people read once (``.only``), and receivers whose data was erased."""

from __future__ import annotations

import contextlib
import re
import threading
import uuid

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from events.models import Attendee
from feedback import broadcasts, retention, services, tapsql
from feedback.models import Card
from tests.feedback.test_services import give, table, tap  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# A deferred field loaded on its own: SELECT "events_attendee"."x" ... WHERE "id" = N LIMIT 21
DEFERRED_LOAD = re.compile(
    r'^SELECT "events_(attendee|event)"\."\w+" FROM "events_(attendee|event)" WHERE'
)


def test_tap_cards_fallback_reads_no_deferred_field_and_pushes_once(
    table,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    pitcher, listener, other = table
    given = give(other, pitcher, pitcher.seats.get().round)

    def stored_meanwhile(cards):
        raise IntegrityError("the same card was stored by another process")

    monkeypatch.setattr(tapsql, "insert_cards", stored_meanwhile)

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as pushes,
    ):
        outcomes = services.tap_cards(
            [
                (other.pk, tap(pitcher, action="take_back", client_id=given.client_id)),
                (listener.pk, tap(pitcher, kind="introduce")),
                (listener.pk, tap(other)),
            ]
        )

    assert [o.error for o in outcomes] == ["", "", ""]
    assert [q["sql"] for q in queries.captured_queries if DEFERRED_LOAD.match(q["sql"])] == []
    assert len(pushes) == 3  # the take-back and the two gives, once each
    assert sorted(Card.objects.values_list("giver_id", "receiver_id")) == sorted(
        [(listener.pk, pitcher.pk), (listener.pk, other.pk)]
    )


def test_tap_cards_refuses_a_card_with_a_note_to_an_erased_receiver(table):  # noqa: F811
    """Pre-existing (give_card alike): erasure blanks every note about the person both ways, yet
    a tablemate's phone can store a new note about them right after."""
    pitcher, listener, _ = table
    retention.erase_attendee(pitcher)

    [outcome] = services.tap_cards(
        [
            (
                listener.pk,
                {**tap(pitcher, kind="introduce", client_id=uuid.uuid4()), "note": "her cousin"},
            )
        ]
    )

    assert outcome.card is None
    assert Card.objects.filter(receiver=pitcher).count() == 0


@pytest.mark.django_db(transaction=True)
def test_tap_cards_stores_nothing_from_a_giver_erased_while_the_batch_waits_for_its_lock(
    table,  # noqa: F811
    monkeypatch,
):
    """Pre-existing (the givers were read before the transaction before this change too): the
    people are read, then the batch waits for the write lock an erasure holds. Once it has it,
    the giver's data is gone, yet the card, its note and the push with their old name go
    through."""
    pitcher, listener, _ = table
    real = services.sent_together

    @contextlib.contextmanager
    def erased_meanwhile():
        eraser = threading.Thread(target=erase_in_a_thread_of_its_own, args=(listener.pk,))
        eraser.start()
        eraser.join()
        with real():
            yield

    monkeypatch.setattr(services, "sent_together", erased_meanwhile)
    monkeypatch.setattr(broadcasts, "send_card", lambda receiver_id, message: sent.append(message))
    sent: list[dict] = []

    [outcome] = services.tap_cards(
        [(listener.pk, {**tap(pitcher, kind="introduce"), "note": "my cousin Bart at the port"})]
    )

    assert sent == []  # was: the card with the note and the giver's name from before erasure
    assert outcome.card is None
    assert Card.objects.filter(giver=listener).count() == 0


def erase_in_a_thread_of_its_own(attendee_id: int) -> None:
    try:
        retention.erase_attendee(Attendee.objects.get(pk=attendee_id))
    finally:
        connection.close()  # this thread's own
