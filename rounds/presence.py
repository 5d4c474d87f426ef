"""Which attendees have their phone connected now, for the organizer's "phones connected" counter.

Every attendee socket keeps a key alive in the cache while it is open: set on connect, refreshed
at most every ``REFRESH_S`` while the phone talks (it pings every 15 s), deleted on disconnect,
and gone by itself ``TTL_S`` after a process dies without saying so. The cache is shared by every
daphne process on the production path (Redis) and lives in the one process of the embedded
default. Keys carry the attendee's id, never their secret token (cache keys show up in logs and
monitoring).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from django.core.cache import cache

from rounds.batching import Batcher

TTL_S = 60
REFRESH_S = 20


def presence_key(attendee_id: int) -> str:
    return f"speednet:phone:{attendee_id}"


def apply_changes(changes: list[tuple[int, int, bool]]) -> dict[tuple[int, int, bool], None]:
    """(sequence number, attendee id, connected) in the order they happened: the last one of
    each attendee counts. Two cache calls whatever their number."""
    final = {attendee_id: connected for _seq, attendee_id, connected in sorted(changes)}
    up = {presence_key(pk): 1 for pk, connected in final.items() if connected}
    down = [presence_key(pk) for pk, connected in final.items() if not connected]
    if up:
        cache.set_many(up, TTL_S)
    if down:
        cache.delete_many(down)
    return {}


# Phones connecting together are marked in one cache call (a burst after the Wi-Fi came back).
_changes = Batcher(apply_changes, uses_database=False)
_sequence = itertools.count()


async def mark_connected(attendee_id: int) -> None:
    await _changes((next(_sequence), attendee_id, True))


async def mark_disconnected(attendee_id: int) -> None:
    await _changes((next(_sequence), attendee_id, False))


def connected_count(attendee_ids: Iterable[int]) -> int:
    """How many of these attendees have a phone connected: one cache read."""
    keys = [presence_key(attendee_id) for attendee_id in attendee_ids]
    return len(cache.get_many(keys)) if keys else 0
