"""The meaning of the pitches embedded ahead of the plan, in the background.

The planner reads the sentence embedding of every attendee's need and offer
(``matching.seating_scores``). Embedding a room's texts the first time costs about 25 ms of CPU
per text: some 15 CPU seconds for 300 people, which "Make the plan" would otherwise wait for,
while the requests and sockets queued behind it wait too. So a pitch saved or a wish list
changed asks for that person's texts to be embedded after the change commits, and the organizer
opening the control panel or the plan page asks for the whole event's (people imported or
added by the organizer are embedded then). One daemon thread per process does it, at the
lowest CPU priority the system gives a thread, one batch at a time (``sentences.embed``'s
``background``), so a plan arriving meanwhile waits for one batch at most and embeds the rest
itself. A process keeps what it embedded (``sentences.CACHE_SIZE`` texts), so the plan finds
them there; with several server processes, only the process that served the page or the save.

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

from django.conf import settings
from django.db import close_old_connections, connections, transaction

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
    """As ``warm_event_later``, for some attendees (a pitch saved, a wish changed, tablemates
    a phone's "why this table" found not embedded); those asked for while the thread is busy
    are read and embedded together."""
    for attendee_id in attendee_ids:
        _later("attendee", attendee_id)


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
            try:
                worker = threading.Thread(target=_run, name="meaning-warm", daemon=True)
                worker.start()
            except RuntimeError:  # no thread to be had: the plan embeds what it needs itself
                logger.exception("The background embedding thread did not start")
                _PENDING.clear()
                return
            _WORKER = worker


def _lowest_priority() -> None:
    """This thread at the lowest CPU priority (Linux keeps a niceness per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _run() -> None:
    from pitches import matching

    _lowest_priority()
    while True:
        requests = [_QUEUE.get()]
        with contextlib.suppress(queue.Empty):
            while True:
                requests.append(_QUEUE.get_nowait())
        with _PENDING_LOCK:
            _PENDING.difference_update(requests)
        # the attendees asked for meanwhile (a page's tablemates, saved pitches) read at once
        attendees = tuple(key for kind, key in requests if kind == "attendee")
        jobs: list[tuple[str, int | tuple[int, ...]]] = [
            (kind, key) for kind, key in requests if kind != "attendee"
        ]
        if attendees:
            jobs.append(("attendee", attendees[0] if len(attendees) == 1 else attendees))
        for kind, key in jobs:
            try:
                close_old_connections()
                profiles = people_of(kind, key)
                connections.close_all()  # not held while embedding (seconds at lowest priority)
                matching.warm(profiles, background=True)
            except Exception:
                logger.exception("Embedding the pitches ahead failed (%s %s)", kind, key)
            finally:
                connections.close_all()


def people_of(kind: str, key: int | tuple[int, ...]) -> list:
    """What the matcher reads (``queries.help_profiles``) of the attendees of an ``"event"``
    or of one ``"attendee"`` (by id, or a tuple of ids). One query to find an event's people,
    three to read them."""
    from events.models import Attendee
    from pitches import queries

    if kind == "attendee":
        ids = list(key) if isinstance(key, tuple) else [key]
    else:
        ids = list(Attendee.objects.filter(event_id=key).values_list("pk", flat=True))
    return queries.help_profiles(ids) if ids else []


def warm_now(kind: str, key: int) -> int:
    """Embed in this thread what the plan will read of an ``"event"`` or an ``"attendee"``
    (``people_of``); how many texts were new."""
    from pitches import matching

    return matching.warm(people_of(kind, key))
