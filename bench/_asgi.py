"""The app as daphne serves it, optionally with earlier fan-out costs put back for comparison.

``BENCH_VARIANT`` is a comma-separated list (empty: the app as it is):

- ``loop``: Channels' own ``AsyncConsumer.__call__`` (a task and an ``asyncio.wait`` per message,
  ``send`` through the session wrapper) instead of ``LiveConsumer.__call__``;
- ``hop``: Channels' own ``dispatch``, which hops to a thread for ``aclose_old_connections`` before
  every handler, instead of ``LiveConsumer.dispatch``;
- ``gc<N>``, e.g. ``gc50000``: ``gc.set_threshold(N)`` (first generation threshold; Python's default
  is 700), a process setting that belongs in ``config/asgi.py``, measured here first;
- ``dumps``: every consumer serializes the round payload itself (the layer carries the dict)
  instead of forwarding text serialized once by the sender.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer
from channels.layers import get_channel_layer

from config.asgi import application
from rounds import broadcasts
from rounds.consumers import LiveConsumer

__all__ = ["application"]

VARIANT = {part.strip() for part in os.environ.get("BENCH_VARIANT", "").split(",") if part.strip()}
GC_THRESHOLD = [int(part[2:]) for part in VARIANT if part[:2] == "gc" and part[2:].isdigit()]
UNKNOWN = VARIANT - {"loop", "hop", "dumps"} - {f"gc{n}" for n in GC_THRESHOLD}
if UNKNOWN:
    raise SystemExit(f"BENCH_VARIANT: unknown parts {sorted(UNKNOWN)}")

if os.environ.get("BENCH_GC_LOG"):
    # Log every garbage collection that takes 5 ms or more: generation, duration, when it ended.
    started: dict[str, float] = {}

    def log_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
            return
        took = time.perf_counter() - started.get("at", time.perf_counter())
        if took >= 0.005:
            print(
                f"bench-gc gen={info['generation']} ms={1000 * took:.1f} at={time.time():.3f}",
                file=sys.stderr,
                flush=True,
            )

    gc.callbacks.append(log_collection)

if "loop" in VARIANT:
    LiveConsumer.__call__ = AsyncConsumer.__call__  # type: ignore[method-assign]

if "hop" in VARIANT:
    LiveConsumer.dispatch = AsyncConsumer.dispatch  # type: ignore[method-assign]

if "dumps" in VARIANT:

    def send_payload(group: str, payload: dict[str, Any]) -> None:
        message = {"type": "bench.payload", "payload": payload}
        async_to_sync(get_channel_layer().group_send)(group, message)

    async def bench_payload(self: LiveConsumer, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message["payload"], separators=(",", ":")))

    broadcasts.send_to_group = send_payload
    LiveConsumer.bench_payload = bench_payload  # type: ignore[attr-defined]

if GC_THRESHOLD:
    gc.set_threshold(GC_THRESHOLD[0])

if os.environ.get("BENCH_DIAG"):
    # On SIGUSR1, append to the file BENCH_DIAG names (with this process's id) what the process
    # holds: live objects by type (the 25 commonest; with BENCH_DIAG_COLLECT after a full
    # collection, which changes what the next wave costs), asyncio tasks, and the channel
    # layer's channels, groups and subscriptions. bench/storm.py sends it between waves.
    import asyncio
    import collections
    import contextlib
    import signal

    def write_diagnosis(_signum: int, _frame: Any) -> None:
        before = len(gc.get_objects())
        collected, garbage = 0, collections.Counter()
        if os.environ.get("BENCH_DIAG_COLLECT"):  # and what was left in cycles, by type
            gc.set_debug(gc.DEBUG_SAVEALL)
            collected = gc.collect()
            gc.set_debug(0)
            garbage.update(type(o).__qualname__ for o in gc.garbage)
            gc.garbage.clear()
        objects = gc.get_objects()
        kinds = collections.Counter(type(o).__qualname__ for o in objects)
        lines = [
            f"--- {time.time():.3f} objects={before} collected={collected} kept={len(objects)}"
        ]
        with contextlib.suppress(RuntimeError):  # no loop running in this thread
            lines.append(f"tasks={len(asyncio.all_tasks())}")
        layer = get_channel_layer()
        for loop_layer in getattr(layer, "_layers", {}).values():
            lines.append(
                f"layer channels={len(loop_layer.channels)} groups={len(loop_layer.groups)} "
                f"members={sum(len(m) for m in loop_layer.groups.values())}"
            )
            for shard in loop_layer._shards:
                pubsub = shard._pubsub
                lines.append(
                    f"shard subscribed_to={len(shard._subscribed_to)} "
                    f"confirming={len(getattr(shard, '_confirming', {}))} "
                    f"pubsub.channels={len(pubsub.channels) if pubsub else 0} "
                    f"pending_unsub={len(pubsub.pending_unsubscribe_channels) if pubsub else 0}"
                )
        if hasattr(layer, "channels"):
            lines.append(f"memory layer channels={len(layer.channels)} groups={len(layer.groups)}")
        lines += [f"{count:8d} {name}" for name, count in kinds.most_common(25)]
        lines += [f"garbage {count:8d} {name}" for name, count in garbage.most_common(60)]
        del objects
        with open(f"{os.environ['BENCH_DIAG']}.{os.getpid()}", "a") as out:
            out.write("\n".join(lines) + "\n")

    signal.signal(signal.SIGUSR1, write_diagnosis)
