"""Reads and writes asked for together on the event loop, made in one thread hop.

When the venue Wi-Fi comes back, thousands of sockets connect in the same second. Each needs its
token looked up and its phone marked as connected; one by one that is thousands of hops to the
one thread that runs database (and cache) work, each opening a connection of its own. A
``Batcher`` collects the keys asked for while the previous batch was in flight and answers all
of them from one call of its function, made on that thread (``live_database_sync_to_async``): one
query for a whole burst, and a single socket waits no longer than one call.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from asgiref.sync import sync_to_async

from config.livedb import live_database_sync_to_async

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_BATCH = 500


@dataclass
class Queue(Generic[K, V]):
    """What one event loop has waiting for one batcher."""

    waiting: dict[K, list[asyncio.Future[V | None]]] = field(default_factory=dict)
    worker: asyncio.Task[None] | None = None


class Batcher(Generic[K, V]):
    """``await batcher(key)`` is ``many([key, ...]).get(key)``, with the keys of every caller
    waiting on this event loop in one call of ``many`` (a sync function, run on the database
    thread), at most ``MAX_BATCH`` keys at a time. Should ``many`` fail, every caller of that
    batch gets the exception. ``uses_database=False`` for work that touches no database (the
    cache): it runs on the same thread without closing stale connections around it."""

    def __init__(
        self, many: Callable[[list[K]], dict[K, V]], *, uses_database: bool = True
    ) -> None:
        self.many = many
        self.hop = live_database_sync_to_async if uses_database else sync_to_async
        self.queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Queue[K, V]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        queue = self.queues.get(loop)
        if queue is None:
            queue = self.queues[loop] = Queue()
        done: asyncio.Future[V | None] = loop.create_future()
        queue.waiting.setdefault(key, []).append(done)
        if queue.worker is None or queue.worker.done():
            queue.worker = asyncio.ensure_future(self.drain(queue))
        return await done

    async def drain(self, queue: Queue[K, V]) -> None:
        while queue.waiting:
            keys = list(queue.waiting)[:MAX_BATCH]
            batch = {key: queue.waiting.pop(key) for key in keys}
            try:
                found = await self.hop(self.many)(keys)
            except Exception as error:
                for futures in batch.values():
                    for done in futures:
                        if not done.done():
                            done.set_exception(error)
                continue
            for key, futures in batch.items():
                for done in futures:
                    if not done.done():  # the socket may have gone meanwhile
                        done.set_result(found.get(key))
