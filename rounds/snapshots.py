"""The event snapshot, shared by every socket of a process.

When the venue Wi-Fi comes back, every phone reconnects in the same second and each wants the
``state`` snapshot (docs/protocol.md). The snapshot is the same for every phone of an event, so
its parts (the event row, whether a plan exists, the current round: three queries) are read once
per state version and kept in this process's memory; each socket then renders them at its own
``now`` (a round's effective status and an announcement's expiry follow the clock), with no
query. The socket learns the current version from the one indexed read that authorises it
(``consumers``), so a change committed anywhere, by any process, is seen by the next socket.

Every change phones see bumps ``Event.state_version``. Kept parts are also dropped after
``MAX_AGE_S``, a safety net for an edit that does not (the Django admin's event form).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from events.models import Event
from rounds.models import Round
from rounds.queries import current_round, has_plan, state_json

MAX_AGE_S = 5.0


@dataclass(frozen=True)
class Parts:
    """What an event's snapshot is made of, read at one state version."""

    version: int
    event: Event
    planned: bool
    round_: Round | None
    read_at: float

    def render(self, *, now: datetime | None = None) -> dict[str, Any]:
        """The ``state`` as it stands at ``now`` (default: now). No query."""
        return state_json(
            self.event, planned=self.planned, round_=self.round_, now=now or timezone.now()
        )


_parts: dict[int, Parts] = {}
_reading = threading.Lock()


def kept(event_id: int, version: int) -> Parts | None:
    """The parts kept for this event, if they are at least ``version`` and fresh. No query:
    safe to call from the event loop."""
    parts = _parts.get(event_id)
    if parts is None or parts.version < version or time.monotonic() - parts.read_at > MAX_AGE_S:
        return None
    return parts


def parts_for(event_id: int, version: int) -> Parts:
    """The snapshot's parts at ``version`` or later: from memory, else read (three queries)
    and kept. Sockets connecting together wait for one read instead of each making its own."""
    parts = kept(event_id, version)
    if parts is not None:
        return parts
    with _reading:
        parts = kept(event_id, version)
        if parts is not None:
            return parts
        event = Event.objects.get(pk=event_id)
        parts = Parts(
            version=event.state_version,
            event=event,
            planned=has_plan(event_id),
            round_=current_round(event_id),
            read_at=time.monotonic(),
        )
        known = _parts.get(event_id)
        if known is None or known.version <= parts.version:
            _parts[event_id] = parts
        return parts


def current_version(event_id: int) -> int:
    """The event's state version now (one indexed read), for a phone asking for a snapshot."""
    return Event.objects.values_list("state_version", flat=True).get(pk=event_id)


def forget() -> None:
    """Drop every kept snapshot (tests: a rolled-back database reuses ids and versions)."""
    with _reading:
        _parts.clear()
