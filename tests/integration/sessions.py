"""Helpers for the PostgreSQL lock and timeout tests: a lock held by another session, this
session's limits shortened for a block, a running round and a card tap as a phone sends it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from feedback.models import Card
from rounds.models import Round


class Holding:
    """``hold`` run in a transaction of its own on another thread (another session), kept open
    until the block ends: whatever it locked stays locked meanwhile. An error in ``hold`` fails
    the test at the start of the block."""

    def __init__(self, hold: Callable[[], Any]) -> None:
        self.hold = hold
        self.locked, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.hold()
                self.locked.set()
                self.release.wait(30)
        except BaseException as error:
            self.error = error
            self.locked.set()
        finally:
            connections.close_all()

    def __enter__(self) -> Holding:
        self.thread.start()
        assert self.locked.wait(30)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)


@contextmanager
def shortened(setting: str, value: str) -> Iterator[None]:
    """This session's ``setting`` at ``value`` inside the block, back to the server's after it
    (the test's connection goes on to tear the database down): a wait blocked by ``Holding``
    is an error after a moment, not a hang."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET {setting} = '{value}'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"RESET {setting}")


def running(event: Any) -> Round:
    """``event``'s round 1, started now and running for three minutes."""
    now = timezone.now()
    event.rounds.filter(number=1).update(
        status=Round.Status.RUNNING,
        started_at=now,
        turns_started_at=now,
        ends_at=now + timedelta(seconds=180),
    )
    return event.rounds.get(number=1)


def a_tap(receiver: Any, round_: Round) -> dict[str, Any]:
    """A "See me" for ``receiver`` in ``round_``: ``tap_card``'s keywords, a new client id."""
    return {
        "action": "give",
        "receiver_id": receiver.pk,
        "round_number": round_.number,
        "kind": Card.Kind.SEE_ME,
        "client_id": uuid.uuid4(),
        "note": "",
    }
