"""Channels' in-memory layer without its per-socket costs on a broadcast.

Channels' ``InMemoryChannelLayer`` scans every channel and every group membership for expired
entries on each ``receive``, so a broadcast to N sockets costs O(N²) (N receives × N entries);
``group_send`` also starts a task and deep-copies the message for each member. Measured with
2,000 phones on one daphne process (docs/benchmarks-fanout.md) that is about 1.4 ms of CPU per
delivered message and several seconds per broadcast. This subclass behaves the same (message
expiry, group expiry, capacity, the copy each receiver gets) but:

- scans for expired entries at most once a second, not on every call;
- puts a group message straight into each member's queue, without a task per member;
- copies a flat message of immutable values (``{"type": "push", "text": "..."}``) with
  ``dict.copy``, which for such a message is what ``deepcopy`` gives; anything else is still
  deep-copied;
- does not build a throw-away queue on every ``send`` and ``receive``.
"""

from __future__ import annotations

import asyncio
import time
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

IMMUTABLE_VALUES = frozenset({str, int, float, bool, bytes, type(None)})


def copy_message(message: dict[str, Any]) -> dict[str, Any]:
    """What ``deepcopy`` would give, cheaply when every value is immutable."""
    if all(type(value) in IMMUTABLE_VALUES for value in message.values()):
        return message.copy()
    return deepcopy(message)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    """Drop-in for ``channels.layers.InMemoryChannelLayer`` (one process only)."""

    clean_interval = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cleaned_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self.cleaned_at >= self.clean_interval:
            self.cleaned_at = now
            super()._clean_expired()

    def queue(self, channel: str) -> asyncio.Queue:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def put(self, channel: str, message: dict[str, Any]) -> bool:
        """Queue a copy of the message for the channel; False if the channel is full."""
        queue = self.queue(channel)
        if queue.full():
            return False
        queue.put_nowait((time.time() + self.expiry, copy_message(message)))
        return True

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        if not self.put(channel, message):
            raise ChannelFull(channel)

    async def receive(self, channel: str) -> dict[str, Any]:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self.queue(channel)
        try:
            _, message = await queue.get()
        except BaseException:
            # The receiver went away (cancelled): forget its queue unless messages wait in it.
            if queue.empty() and self.channels.get(channel) is queue:
                del self.channels[channel]
            raise
        return message

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            self.put(channel, message)  # a full channel misses it, as in Channels' layer
