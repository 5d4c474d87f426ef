"""The group names ``events`` needs, the push that tells dashboards who is here changed, and
closing the live sockets whose permission went away, at once instead of at their next
reconnect: an organizer removed from an event, an attendee deleted, an event deleted.

The group names of one event, one attendee and one organizer's dashboards of one event live here
because ``events`` (the leftmost app) revokes them; ``rounds.groups`` re-exports them for the
consumers that join them. Every socket in a group that receives ``{"type": "revoke"}`` closes
with 4403, and the page says the link or the access no longer works.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from events.models import Attendee

logger = logging.getLogger(__name__)
PUSH_TIMEOUT_S = 2.0


def event_group(event_id: int) -> str:
    """Every phone and dashboard of the event."""
    return f"event.{event_id}"


def attendee_group(attendee_id: int) -> str:
    """One attendee's phones (a person may have the page open on two devices)."""
    return f"attendee.{attendee_id}"


def organizer_group(event_id: int, user_id: int) -> str:
    """One organizer account's dashboards of one event."""
    return f"organizer.{event_id}.{user_id}"


def control_group(event_id: int) -> str:
    """The organizer dashboards of the event: figures phones do not need."""
    return f"control.{event_id}"


def projector_group(event_id: int) -> str:
    """The event's projector screens: what only the big screen redraws (its "find your table"
    list, its count of people here), never a phone."""
    return f"projector.{event_id}"


async def send_within(layer: Any, group: str, message: dict[str, Any]) -> None:
    """``group_send``, given up after ``PUSH_TIMEOUT_S``: a Redis that hangs instead of refusing
    must not hold the request that made the change."""
    await asyncio.wait_for(layer.group_send(group, message), PUSH_TIMEOUT_S)


def push_counters(event_id: int) -> None:
    """Tell the organizer dashboards of the event that who is here changed (a check-in, its
    undo, someone leaving, a walk-in): they fetch their counters, log and walk-in banner again.
    Sent to the control group only (phones never see it), after commit; a failure to reach the
    channel layer is logged (the dashboards' 5-second refresh catches up)."""
    push(
        control_group(event_id),
        lambda: '{"type":"counters"}',
        failure=f"Could not tell the control pages of event {event_id}",
    )


def push_people(event_id: int) -> None:
    """Tell the event's projectors that who is here changed (a check-in, its undo, someone
    marked gone, removed after a report or erased): ``{"type": "people"}``, no name and no
    figure, to the projector group only, after commit; each projector fetches its "N people
    checked in" line again. A failure to reach the channel layer is logged (the line's own
    15-second poll catches up)."""
    push(
        projector_group(event_id),
        lambda: '{"type":"people"}',
        failure=f"Could not tell the projectors of event {event_id}",
    )


def presence_frames(attendee_ids: Iterable[int]) -> dict[int, str]:
    """attendee id → the ``presence`` frame saying whether they are checked in or gone now (one
    read): pushed when the door changes it, and sent to every phone right after the state that
    answers its connect (a phone away meanwhile missed the push). ``left``: marked gone at the
    door (``Attendee.is_marked_gone``); ``removed``: taken out of the rounds after a report (the
    phone shows only "You have no more tables this evening"); ``sharing``: their own answer to
    sharing their contact details (None: not answered yet), so every open page of theirs drops
    the room's question once it is answered on one. Deleted attendees are left out."""
    found = Attendee.objects.filter(pk__in=attendee_ids).values_list(
        "pk",
        "checked_in_at",
        "left_at",
        "removed_at",
        "consent_decided_at",
        "is_consenting_to_share",
    )
    return {
        pk: json.dumps(
            {
                "type": "presence",
                "checked_in": checked_in_at is not None,
                "left": left_at is not None and removed_at is None,
                "removed": removed_at is not None,
                "sharing": None if decided_at is None else is_sharing,
            },
            separators=(",", ":"),
        )
        for pk, checked_in_at, left_at, removed_at, decided_at, is_sharing in found
    }


def push_presence(attendee_id: int) -> None:
    """Tell the attendee's own phone whether they are checked in or gone now (and their answer
    about sharing contact details), so it says what a fresh load would ("You're checked in…"
    instead of "Check in at the door"; no sharing question once answered). Read after the
    commit, when it is sent: a push held up (its request's other pushes waiting on a slow
    channel layer) that leaves after another organizer's undo still says what is true. Sent to
    the attendee's group only; a failure is logged (the phone catches up at its next connect).
    A deleted attendee gets nothing (its sockets were revoked)."""
    push(
        attendee_group(attendee_id),
        lambda: presence_frames([attendee_id]).get(attendee_id),
        failure=f"Could not tell the phone of attendee {attendee_id}",
    )


def push(group: str, text: Callable[[], str | None], *, failure: str) -> None:
    """A ``push`` of ``text()`` (a JSON string; None: nothing to say) to every socket in
    ``group``. Called after commit: anything that fails, reading or sending, is logged with
    ``failure`` and not raised (the change is committed either way)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        said = text()
        if said is not None:
            async_to_sync(send_within)(layer, group, {"type": "push", "text": said})
    except Exception:
        logger.exception(failure)


def revoke(groups: Iterable[str]) -> None:
    """Close every socket in these groups with 4403. Called after commit; a failure to reach the
    channel layer is logged (the sockets then lose access at their next reconnect)."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        for group in groups:
            await send_within(layer, group, {"type": "revoke"})

    try:
        async_to_sync(send_all)()
    except Exception:  # the permission is gone in the database either way
        logger.exception("Could not close the sockets of %s", list(groups))
