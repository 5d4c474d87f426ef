"""channels_redis's pub/sub layer with its Redis commands coalesced, for reconnect storms.

``channels_redis.pubsub.RedisPubSubChannelLayer`` sends every subscribe, unsubscribe and publish
of a process as its own command, one at a time behind one lock per Redis connection. A phone's
socket costs three of them when it opens (its own channel, its link's group; the event's group
is shared) and four when it closes (both unsubscribes, the "this socket closed" publish, the
presence key). When the venue's Wi-Fi comes back thousands of sockets close and reopen in the
same second, and each new socket's first step, subscribing to its own channel, waits in that
queue behind every other socket's commands. With 5,000 phones on two processes this layer
sends about a third of the commands per wave, Redis spends a tenth of the CPU and the servers
15–30% less on a reconnect wave (docs/benchmarks-storm.md, "Redis commands coalesced"; the
4,317 handshakes dropped there earlier were measured with the old layer on a loaded machine).

This layer behaves the same (the same channel and group names, the same messages, so processes
running either layer share one Redis) but sends what the event loop asks for together as one
command: every subscribe and unsubscribe asked for while the previous batch was being sent goes
out as one ``SUBSCRIBE a b c ...`` and one ``UNSUBSCRIBE ...``, every publish as one pipeline of
``PUBLISH`` commands (group commit). The order of publishes is kept (one batch at a time, in the
order asked); for a channel asked to be subscribed and unsubscribed in one batch the last wish
counts, as it would have had the commands been sent one by one. A subscribe to a channel already
subscribed, with nothing pending for it, costs no command and no wait (a phone's join of the
event's group).

While Redis cannot be reached, its commands raise one of ``UNREACHABLE``; the consumers log that
once per socket (rounds/consumers.py). A socket's own channel is then dropped without an
error-level log of its own (``RedisPubSubLoopLayer.receive``), and a channel that could not be
made is not kept. When Redis is back, only the channels and groups still wanted are subscribed
again (``RenewingPubSub``): an unsubscribe that failed meanwhile is not undone. The receive
loop reports a lost connection once and its return once
(``BatchingShardConnection._do_receiving``), not every second with a traceback.

A Redis that hangs (accepts connections, answers nothing) holds nothing for long: a subscribe
counts as done only once Redis has confirmed it (the receive loop hears the confirmation; a
``SUBSCRIBE`` is otherwise only sent, and a hung Redis takes it without a word), and every
subscribe, unsubscribe and publish raises redis-py's ``TimeoutError`` (one of ``UNREACHABLE``)
once Redis has answered nothing at all for ``timeout_s`` seconds (``REDIS_TIMEOUT``,
config/env.py) while it waits; one that Redis is busy answering, far behind a storm, is waited
for. The listening connection itself
has no read timeout: it waits for messages as long as there are none. A subscription Redis
confirms late, for a channel nobody in the process wants any more, is dropped again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from channels_redis import pubsub
from channels_redis.utils import _wrap_close, create_pool
from redis import asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.env import REDIS_TIMEOUT_S

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
"""What redis-py raises when the server cannot be reached (refused, reset, timed out)."""

BATCH = 1000
PATIENCE = 10
"""A command Redis is busy answering is waited for up to this many ``timeout_s``."""
"""Channels per SUBSCRIBE or UNSUBSCRIBE command, publishes per pipeline, at most."""

T = TypeVar("T")


def text(name: bytes | str) -> str:
    """A channel's name as redis-py keeps it (bytes unless it decodes responses), as text."""
    return name.decode() if isinstance(name, bytes) else name


class RenewingPubSub(PubSub):
    """redis-py's ``PubSub``, whose reconnect renews only the subscriptions still wanted.

    redis-py renews every channel it has been subscribed to and not heard unsubscribed from: an
    ``UNSUBSCRIBE`` that failed while Redis was down (a socket that closed meanwhile) was then
    renewed when Redis came back, and what arrived there was dropped, until a restart."""

    def __init__(
        self, pool: Any, *, still_wanted: Callable[[dict[Any, Any]], dict[Any, Any]], **kwargs: Any
    ) -> None:
        super().__init__(pool, **kwargs)
        self.still_wanted = still_wanted

    async def on_connect(self, connection: Any) -> None:
        self.channels = self.still_wanted(self.channels)
        await super().on_connect(connection)


class SilenceWatch:
    """Ends an ``asyncio.timeout`` scope (``scope``) once a shard has heard nothing from Redis
    for ``timeout_s`` seconds, or after ``PATIENCE`` times that in all. Checked every
    ``timeout_s`` by one timer; ``stop`` drops the timer and the scope (which holds the waiting
    task), so a socket's end leaves nothing in reference cycles."""

    __slots__ = ("give_up_at", "heard", "scope", "shard", "timeout_s", "timer")

    def __init__(self, shard: BatchingShardConnection, timeout_s: float) -> None:
        self.shard = shard
        self.timeout_s = timeout_s
        self.scope: asyncio.Timeout | None = asyncio.timeout(None)
        self.heard = shard._heard
        self.give_up_at = 0.0
        self.timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.give_up_at = loop.time() + self.timeout_s * PATIENCE
        self.timer = loop.call_later(self.timeout_s, self.check)

    def check(self) -> None:
        loop = asyncio.get_running_loop()
        if self.scope is None:
            return
        if self.shard._heard != self.heard and loop.time() < self.give_up_at:
            self.heard = self.shard._heard  # Redis answers: wait on
            self.timer = loop.call_later(self.timeout_s, self.check)
        else:
            self.scope.reschedule(loop.time())

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.scope = None


class BatchingShardConnection(pubsub.RedisSingleShardConnection):
    """One Redis server's connections (``RedisSingleShardConnection``), commands coalesced."""

    def __init__(
        self, host: dict[str, Any], channel_layer: Any, *, timeout_s: float | None = REDIS_TIMEOUT_S
    ) -> None:
        super().__init__(host, channel_layer)
        self.timeout_s = timeout_s
        # the last channel of each SUBSCRIBE sent -> its senders, until Redis confirms it
        self._confirming: dict[str, list[asyncio.Future[None]]] = {}
        self._wanted: dict[str, bool] = {}  # channel -> subscribed, asked for and not yet sent
        self._sending: dict[str, bool] = {}  # the batch being sent
        self._subscriptions: asyncio.Future[None] | None = None
        self._publishes: list[tuple[str, bytes]] = []
        self._publishing: asyncio.Future[None] | None = None
        self._publish_lock = asyncio.Lock()
        self._is_lost = False  # the receive loop's connection failed and has not come back
        self._heard = 0  # answers from Redis so far (messages heard, pipelines answered)

    async def subscribe(self, channel: str) -> None:
        if (
            channel in self._subscribed_to
            and channel not in self._wanted
            and self._sending.get(channel, True)
        ):
            return
        self._wanted[channel] = True
        await self._join(self._subscriptions_task())

    async def unsubscribe(self, channel: str) -> None:
        self._wanted[channel] = False
        await self._join(self._subscriptions_task())

    async def publish(self, channel: str, message: bytes) -> None:
        self._publishes.append((channel, message))
        if self._publishing is None or self._publishing.done():
            self._publishing = self._start(self._send_publishes)
        await self._join(self._publishing)

    async def flush(self) -> None:
        self._wanted, self._sending = {}, {}
        self._is_lost = False  # a new connection, reported afresh
        # Publishes asked for before the flush still go out, as channels_redis's layer (one lock
        # for every command) sends them: the batch being sent ends before the connection is
        # closed, and those queued behind it are sent afterwards on a new one.
        async with self._publish_lock:
            await super().flush()

    async def _do_receiving(self) -> None:
        """channels_redis's receive loop, which logs every failed reconnect (once a second for
        as long as Redis is down, in every process) as an error with its traceback. Here a lost
        connection is one warning and its return one info line, per connection; it still tries
        again every second (the next ``get_message`` reconnects and renews the subscriptions).
        Anything else is logged with its traceback, as there."""
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(timeout=0.1)
                    if self._is_lost:
                        self._is_lost = False
                        log.info("Redis connection back: the channel layer's subscriptions renewed")
                    if message is None:
                        continue
                    self._heard += 1
                    if message["type"] == "message":
                        self._receive_message(message)
                    elif message["type"] == "subscribe":
                        self._confirmed(text(message["channel"]))
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, TimeoutError, GeneratorExit):
                raise
            except UNREACHABLE as error:
                if not self._is_lost:
                    self._is_lost = True
                    log.warning(
                        "Redis connection lost, the channel layer tries again every second: %s",
                        error,
                    )
                await asyncio.sleep(1)
            except Exception:
                log.exception("Unexpected exception in receive task")
                await asyncio.sleep(1)

    def _ensure_receiver(self) -> None:
        if self._receive_task is not None and self._receive_task.done():
            self._receive_task = None  # it ended (a failure it does not survive): a new one
        super()._ensure_receiver()

    def _ensure_redis(self) -> None:
        if self._redis is None:
            self._redis = aioredis.Redis(connection_pool=create_pool(self.host))
            self._pubsub = RenewingPubSub(
                self._redis.connection_pool, still_wanted=self._still_wanted
            )

    def _still_wanted(self, subscribed: dict[Any, Any]) -> dict[Any, Any]:
        """What a new connection subscribes to again: of ``subscribed`` (redis-py's channel
        name, bytes or str, → handler), the channels and groups this process still has sockets
        for. The others count as unsubscribed here too."""
        layer = self.channel_layer
        kept = {
            name: handler
            for name, handler in subscribed.items()
            if text(name) in layer.channels or text(name) in layer.groups
        }
        self._subscribed_to.intersection_update(text(name) for name in kept)
        return kept

    # -- batches ---------------------------------------------------------------------------

    @staticmethod
    def _start(send: Callable[[], Awaitable[None]]) -> asyncio.Future[None]:
        task = asyncio.ensure_future(send())
        # Retrieved here too: a batch whose every waiter was cancelled must not log
        # "exception never retrieved"; the waiters that remain get it from ``_join``.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        return task

    @staticmethod
    async def _join(batch: asyncio.Future[None]) -> None:
        # Shielded: one waiter cancelled (its socket closed) does not cancel the batch. Not
        # bounded here, once per waiter (a timer each: a sixth of the layer's CPU in a storm):
        # every step of a batch is bounded, its wait for the batch before it included.
        await asyncio.shield(batch)

    async def _bounded(self, operation: Awaitable[T]) -> T:
        """``operation``, or ``RedisTimeoutError`` when Redis has answered nothing at all on this
        shard's connections for ``timeout_s`` seconds while it waited (a Redis that hangs:
        accepts connections, answers nothing). A Redis that answers is waited for, however far
        behind a reconnect storm the answer to this operation is (thousands of subscriptions and
        publishes ahead of it, an event loop busy with thousands of handshakes), up to
        ``PATIENCE`` times ``timeout_s``: a per-command deadline closed healthy phones with 4503
        in a storm of 5,000 on two processes (docs/benchmarks-storm.md)."""
        if self.timeout_s is None:
            return await operation
        watch = SilenceWatch(self, self.timeout_s)
        try:
            async with watch.scope:
                watch.start()
                return await operation
        except TimeoutError:
            raise RedisTimeoutError(f"Redis did not answer within {self.timeout_s} s") from None
        finally:
            watch.stop()

    def _subscriptions_task(self) -> asyncio.Future[None]:
        # (a batch cancelled before it ran, as when its event loop closed, is replaced)
        if self._subscriptions is None or self._subscriptions.done():
            self._subscriptions = self._start(self._send_subscriptions)
        return self._subscriptions

    async def _send_subscriptions(self) -> None:
        # Bounded: the batch before may be waiting for a Redis that hangs.
        await self._bounded(self._lock.acquire())
        try:
            # What was asked until now goes in this batch; what is asked from here on waits for
            # the next one (a new task, which waits for this lock).
            wanted, self._wanted, self._subscriptions = self._wanted, {}, None
            self._sending = wanted
            confirmations: list[tuple[str, asyncio.Future[None]]] = []
            try:
                add = [c for c, on in wanted.items() if on and c not in self._subscribed_to]
                drop = [c for c, on in wanted.items() if not on and c in self._subscribed_to]
                if add or drop:
                    self._ensure_redis()
                    self._ensure_receiver()
                for start in range(0, len(add), BATCH):
                    chunk = add[start : start + BATCH]
                    confirmations.append(self._confirmation(chunk[-1]))
                    await self._bounded(self._pubsub.subscribe(*chunk))
                    self._subscribed_to.update(chunk)
                for start in range(0, len(drop), BATCH):
                    await self._bounded(self._pubsub.unsubscribe(*drop[start : start + BATCH]))
                    self._subscribed_to.difference_update(drop[start : start + BATCH])
            except BaseException:
                self._forget(confirmations)
                raise
            finally:
                self._sending = {}
        finally:
            self._lock.release()
        # Outside the lock, so that the next batch goes out meanwhile: a SUBSCRIBE is only sent
        # above, and a Redis that hangs would take it without a word. Confirmed, the channel is
        # subscribed (a message published after this reaches it).
        try:
            await self._bounded(asyncio.gather(*(future for _, future in confirmations)))
        finally:
            self._forget(confirmations)

    def _confirmation(self, channel: str) -> tuple[str, asyncio.Future[None]]:
        """``channel`` and a future set when Redis confirms the subscription to it."""
        future = asyncio.get_running_loop().create_future()
        self._confirming.setdefault(channel, []).append(future)
        return channel, future

    def _forget(self, confirmations: list[tuple[str, asyncio.Future[None]]]) -> None:
        for channel, future in confirmations:
            waiting = self._confirming.get(channel, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._confirming.pop(channel, None)

    def _confirmed(self, channel: str) -> None:
        """Redis confirmed a subscription (the receive loop heard it). One that nobody in this
        process wants any more (its socket gave up waiting for Redis) is dropped again."""
        for future in self._confirming.pop(channel, []):
            if not future.done():
                future.set_result(None)
        layer = self.channel_layer
        if channel not in layer.channels and channel not in layer.groups:
            self._wanted.setdefault(channel, False)
            self._subscriptions_task()

    async def _send_publishes(self) -> None:
        await self._bounded(self._publish_lock.acquire())  # as for subscriptions
        try:
            batch, self._publishes, self._publishing = self._publishes, [], None
            if not batch:
                return
            self._ensure_redis()
            for start in range(0, len(batch), BATCH):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, message in batch[start : start + BATCH]:
                        pipe.publish(channel, message)
                    await self._bounded(pipe.execute())
                self._heard += 1
        finally:
            self._publish_lock.release()


class RedisPubSubLoopLayer(pubsub.RedisPubSubLoopLayer):
    """channels_redis's per-event-loop layer over ``BatchingShardConnection``s."""

    def __init__(
        self, *args: Any, timeout_s: float | None = REDIS_TIMEOUT_S, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [
            BatchingShardConnection(shard.host, self, timeout_s=timeout_s) for shard in self._shards
        ]

    async def _subscribe_to_channel(self, channel: str) -> None:
        try:
            await super()._subscribe_to_channel(channel)
        except BaseException:
            # not kept: nobody knows its name (``new_channel`` failed), so nobody would drop it
            self.channels.pop(channel, None)
            raise

    async def receive(self, channel: str) -> Any:
        """channels_redis's ``receive``. Cancelled, as when its socket closed, it unsubscribes the
        channel as there; a Redis that cannot be reached then is logged at debug level only, as
        the consumer has said so already (once per socket)."""
        if channel not in self.channels:
            await self._subscribe_to_channel(channel)
        queue = self.channels[channel]
        try:
            message = await queue.get()
        except (asyncio.CancelledError, TimeoutError, GeneratorExit):
            if self.channels.pop(channel, None) is not None:
                try:
                    await self._get_shard(channel).unsubscribe(channel)
                except UNREACHABLE as error:
                    log.debug("channel %s dropped while Redis is unreachable: %s", channel, error)
                except BaseException:
                    log.exception("Unexpected exception while cleaning-up channel:")
            raise
        return self.channel_layer.deserialize(message)


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """Drop-in for ``channels_redis.pubsub.RedisPubSubChannelLayer`` (same ``CONFIG``)."""

    def _get_layer(self) -> RedisPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = RedisPubSubLoopLayer(
                *self._args, **self._kwargs, channel_layer=self
            )
            _wrap_close(self, loop)
        return layer
