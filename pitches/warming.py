"""The meaning of the pitches embedded ahead of the plan, in the background.

The planner reads the sentence embedding of every attendee's need and offer
(``matching.seating_scores``). Embedding a room's texts the first time costs about 40 ms of CPU
per text: some 24 CPU seconds for 300 people, which "Make the plan" would otherwise wait for,
while the requests and sockets queued behind it wait too. So each change to what the planner
reads (a pitch saved, a wish added or removed, attendees added or imported) asks for those
people's texts to be embedded after the change commits, and a server that starts asks for the
events that are still to run; one daemon thread per process does it, at the lowest CPU
priority the system gives a thread and with one BLAS thread, taking the CPU the phones leave.
A process keeps what it embedded (``sentences.CACHE_SIZE`` texts), so the plan finds them.

``SPEEDNET_WARM_MEANING`` (default on) turns it off; without the sentence model it does
nothing. Requests are coalesced: an event asked for twice while the thread is busy is embedded
once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

_PENDING: set[tuple[str, int]] = set()
_PENDING_LOCK = threading.Lock()
_QUEUE: queue.SimpleQueue[tuple[str, int]] = queue.SimpleQueue()
_WORKER: threading.Thread | None = None


def enabled() -> bool:
    return bool(getattr(settings, "SPEEDNET_WARM_MEANING", True))


def warm_event_later(event_id: int) -> None:
    """After the current transaction commits (at once outside one), have the background
    thread embed the texts of every attendee of the event."""
    _later("event", event_id)


def warm_attendees_later(attendee_ids: Iterable[int]) -> None:
    """As ``warm_event_later``, for some attendees (a pitch saved, a wish changed)."""
    for attendee_id in attendee_ids:
        _later("attendee", attendee_id)


def warm_open_events_later() -> None:
    """Have the background thread embed the texts of the events still to run (not closed,
    starting from a day ago on): what a server starting needs for the plans of the evening."""
    _later("open", 0)


def _later(kind: str, key: int) -> None:
    if not enabled():
        return
    transaction.on_commit(lambda: _submit(kind, key))


def _submit(kind: str, key: int) -> None:
    with _PENDING_LOCK:
        if (kind, key) in _PENDING:
            return
        _PENDING.add((kind, key))
    _QUEUE.put((kind, key))
    _start()


def _start() -> None:
    global _WORKER
    with _PENDING_LOCK:
        if _WORKER is None or not _WORKER.is_alive():
            _WORKER = threading.Thread(target=_run, name="meaning-warm", daemon=True)
            _WORKER.start()


def _lowest_priority() -> None:
    """This thread at the lowest CPU priority (Linux keeps a niceness per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _run() -> None:
    _lowest_priority()
    while True:
        kind, key = _QUEUE.get()
        with _PENDING_LOCK:
            _PENDING.discard((kind, key))
        try:
            close_old_connections()
            warm_now(kind, key)
        except Exception:
            logger.exception("Embedding the pitches ahead of the plan failed (%s %s)", kind, key)
        finally:
            connections.close_all()


def warm_now(kind: str, key: int) -> int:
    """Embed the texts of an ``"event"``, an ``"attendee"`` (by id) or of the ``"open"``
    events (``key`` unused) in this thread, with one BLAS thread; how many texts were new.
    Queries: two to find the people, three to read them."""
    from threadpoolctl import threadpool_limits

    from events.models import Attendee, Event
    from pitches import matching, queries

    if kind == "attendee":
        ids = [key]
    elif kind == "event":
        ids = list(Attendee.objects.filter(event_id=key).values_list("pk", flat=True))
    else:
        events = Event.objects.exclude(status=Event.Status.CLOSED).filter(
            starts_at__gte=timezone.now() - timedelta(days=1),
            personal_data_erased_at__isnull=True,
        )
        ids = list(Attendee.objects.filter(event__in=events).values_list("pk", flat=True))
    if not ids:
        return 0
    profiles = queries.help_profiles(ids)
    with threadpool_limits(limits=1, user_api="blas"):
        return matching.warm(profiles)
