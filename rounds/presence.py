"""Which attendees have their phone connected now, for the organizer's "phones connected" counter.

Every attendee socket keeps a key alive in the cache while it is open: set on connect, refreshed
at most every ``REFRESH_S`` while the phone talks (it pings every 15 s), deleted on disconnect,
and gone by itself ``TTL_S`` after a process dies without saying so. The cache is shared by every
daphne process on the production path (Redis) and lives in the one process of the embedded
default. Keys carry the attendee's id, never their secret token (cache keys show up in logs and
monitoring).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

TTL_S = 60
REFRESH_S = 20


def presence_key(attendee_id: int) -> str:
    return f"speednet:phone:{attendee_id}"


async def mark_connected(attendee_id: int) -> None:
    await cache.aset(presence_key(attendee_id), 1, TTL_S)


async def mark_disconnected(attendee_id: int) -> None:
    await cache.adelete(presence_key(attendee_id))


def connected_count(attendee_ids: Iterable[int]) -> int:
    """How many of these attendees have a phone connected: one cache read."""
    keys = [presence_key(attendee_id) for attendee_id in attendee_ids]
    return len(cache.get_many(keys)) if keys else 0
