"""Pushes to phones and dashboards. Called through ``transaction.on_commit``; each takes ids,
re-reads the committed state, serializes the message once and sends it to one group.

A push that fails (the channel layer is down: Redis restarting) is logged and dropped, never
raised: the change it reports is committed already, so the organizer's click succeeded, and
phones catch up from the snapshot when they reconnect or see the next version."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone, translation
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.throttled_log import ThrottledWarning, first_line
from events.models import Attendee, Event, erased_name
from rounds.groups import attendee_group, event_group, projector_group
from rounds.queries import (
    announcement_json,
    current_round,
    epoch_ms,
    event_state,
    itineraries,
    planned_stops,
    round_json,
    tablemates_now,
    why_lines_of,
)

Push = tuple[str, dict[str, Any]]
"""A channel-layer message and the group it goes to: ``(group, message)``."""

_held = threading.local()
PUSH_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


@contextmanager
def sent_together() -> Iterator[None]:
    """Hold the pushes made inside (for instance by the commit callbacks of a batch of card taps)
    and send them all in one hop to the event loop at the end: from a worker thread, each
    ``async_to_sync`` hop costs about as much as the push itself."""
    if getattr(_held, "messages", None) is not None:  # nested: the outermost one sends
        yield
        return
    _held.messages = []
    try:
        yield
    finally:
        messages, _held.messages = _held.messages, None
        if messages:
            async_to_sync(send_all)(messages)


@contextmanager
def pushes_kept() -> Iterator[list[Push]]:
    """Hold the pushes made inside (``sent_together``'s included) and hand them to the caller
    instead of sending them: a list of ``(group, message)`` for ``send_all``. For work on a
    worker thread whose caller is on the event loop (a batch of card taps): the thread is free
    for the next batch at once, rather than held until a busy loop has sent every push."""
    if getattr(_held, "messages", None) is not None:
        raise RuntimeError("pushes_kept() inside sent_together(): the outer one would send them")
    kept: list[Push] = []
    _held.messages = kept
    try:
        yield kept
    finally:
        _held.messages = None


PUSHES_REFUSED = ThrottledWarning(
    log,
    "the channel layer refuses connections (%s): %d push(es) dropped since the last such line; "
    "phones resync from the next snapshot",
)
"""Pushes dropped while the channel layer refuses connections (Redis down or restarting): one
warning every 10 s with how many, rather than a traceback per push: a room taps a thousand
cards a second, and the layer logs the outage itself (``config.redis_layer``)."""


async def send_all(messages: list[Push]) -> None:
    """Send each message to its group; a failure is logged and the others still go. A channel
    layer that does not answer within ``PUSH_TIMEOUT_S``, or says itself that Redis did not
    answer in time (``REDIS_TIMEOUT``: Redis hanging rather than refusing), is not waited for
    again: the rest of the batch is dropped with one log line, so the request that made the
    change answers at once. One that refuses the connection is not tried again either: the rest
    is dropped and counted (``PUSHES_REFUSED``)."""
    layer = get_channel_layer()
    for index, (group, message) in enumerate(messages):
        try:
            # a deadline on this task, not a task per push (asyncio.wait_for)
            async with asyncio.timeout(PUSH_TIMEOUT_S):
                await layer.group_send(group, message)
        except (TimeoutError, RedisTimeoutError):
            log.warning(
                "push to %s timed out; %s pushes dropped, phones resync from the next snapshot",
                group,
                len(messages) - index,
            )
            return
        except (RedisConnectionError, ConnectionError) as error:
            PUSHES_REFUSED.seen(first_line(error), count=len(messages) - index)
            return
        except Exception:
            log.warning(
                "push to %s failed; phones resync from the next snapshot", group, exc_info=True
            )


def send_to_group(group: str, payload: dict[str, Any]) -> None:
    """A push for every socket in ``group``: the payload, serialized once, forwarded as it is."""
    send_message(group, {"type": "push", "text": json.dumps(payload, separators=(",", ":"))})


def send_message(group: str, message: dict[str, Any]) -> None:
    """A channel-layer message to ``group``: sent now, or with the others of ``sent_together``."""
    held = getattr(_held, "messages", None)
    if held is not None:
        held.append((group, message))
        return
    async_to_sync(send_all)([(group, message)])


def broadcast_round(event_id: int) -> None:
    """Push ``round`` (state version, server time, event status, the current round) to the
    event group: every phone, the projector and the control page. Called after commit."""
    event = Event.objects.get(pk=event_id)
    now = timezone.now()
    send_to_group(
        event_group(event_id),
        {
            "type": "round",
            "version": event.state_version,
            "server_time": epoch_ms(now),
            "event_status": event.status,
            "round": round_json(current_round(event_id), now=now),
        },
    )


def broadcast_announcement(event_id: int) -> None:
    """Push ``announce`` (state version, the announcement or null) to the event group.
    Called after commit."""
    event = Event.objects.get(pk=event_id)
    now = timezone.now()
    send_to_group(
        event_group(event_id),
        {
            "type": "announce",
            "version": event.state_version,
            "server_time": epoch_ms(now),
            "announcement": announcement_json(event, now=now),
        },
    )


def broadcast_state(event_id: int) -> None:
    """Push the full ``state`` (``queries.event_state``) to the event group. Called after commit."""
    send_to_group(event_group(event_id), event_state(event_id))


def broadcast_itineraries(
    attendee_ids: list[int], *, rounds: dict[int, list[int]] | None = None
) -> None:
    """Tell each of these attendees their new itinerary: one message each, to them only, with
    their table and tablemates in the rounds that changed for them (``rounds``: attendee id →
    round numbers, whatever their status; None: every round not started;
    ``queries.planned_stops``), so
    the phone redraws those stops from the message instead of loading its itinerary; each
    tablemate with the "May help you" line the page shows of them for this attendee (``why``,
    "" for none: ``queries.why_lines_of``). Three queries."""
    found = itineraries(attendee_ids)
    numbers = None if rounds is None else {n for wanted in rounds.values() for n in wanted}
    stops = planned_stops(attendee_ids, numbers=numbers)
    why = why_lines_of(attendee_ids)
    with sent_together():
        for attendee_id in attendee_ids:
            itinerary = found.get(attendee_id, [])  # someone who left may have no seat at all
            mine = stops.get(attendee_id, [])
            if rounds is not None:
                wanted = set(rounds.get(attendee_id, ()))
                mine = [stop for stop in mine if stop["round"] in wanted]
            lines = why.get(attendee_id, {})
            mine = [
                {
                    **stop,
                    "mates": [{**mate, "why": lines.get(mate["id"], "")} for mate in stop["mates"]],
                }
                for stop in mine
            ]
            send_to_group(
                attendee_group(attendee_id),
                {"type": "plan", "itinerary": itinerary, "stops": mine},
            )


def revoke_attendees(attendee_ids: list[int]) -> None:
    """Close these attendees' open sockets with 4403: their link no longer works (their data
    was erased), so their phones say so at once instead of at the next reconnect."""
    with sent_together():
        for attendee_id in attendee_ids:
            send_message(attendee_group(attendee_id), {"type": "revoke"})


def broadcast_erased(attendee_id: int, *, mates: list[int] | None = None) -> None:
    """Tell the phones at the erased attendee's table in the round running or paused now
    (``queries.tablemates_now``; ``mates``: these, read before their seat was vacated), one
    message each to their attendee group, and the event's
    projectors (``projector_group``) that this person's data was erased: ``person`` with their
    id, ``erased`` and the name every page now shows for them (``erased_name``, in the event's
    language; a phone shows its own page's words). The phones redraw that tablemate at once
    (placeholder name, no card buttons); the projector fetches its "find your table" list
    again, which leaves her out (``queries.find_my_table``). Nothing
    for an attendee not erased or deleted. Called after commit; two queries."""
    found = (
        Attendee.objects.filter(pk=attendee_id, erased_at__isnull=False)
        .values_list("event_id", "event__language")
        .first()
    )
    if found is None:
        return
    event_id, language = found
    with translation.override(language):
        payload = {"type": "person", "id": attendee_id, "erased": True, "name": erased_name()}
    with sent_together():
        for mate in tablemates_now(attendee_id) if mates is None else mates:
            send_to_group(attendee_group(mate), payload)
        send_to_group(projector_group(event_id), payload)
