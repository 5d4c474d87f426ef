"""The production path's channel layer coalesces its Redis commands (config/redis_layer.py), on a
real Redis: many sockets' subscribes go out as one command, publishes keep their order, the
last of a subscribe and an unsubscribe counts, and it talks with channels_redis's own layer."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from channels_redis.pubsub import RedisPubSubChannelLayer as StockLayer

from config.redis_layer import RedisPubSubChannelLayer
from tests.conftest import redis_url

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]


def layer(prefix: str, cls: type = RedisPubSubChannelLayer) -> object:
    return cls(hosts=[{"address": redis_url(), "socket_timeout": None}], prefix=prefix)


def commands(name: str) -> int:
    """How many ``name`` commands the Redis server has processed since it started."""
    client = redis.Redis.from_url(redis_url())
    try:
        return int(client.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0))
    finally:
        client.close()


@pytest.fixture
def prefix() -> str:
    return f"test-batching-{uuid.uuid4().hex[:8]}:"


async def test_sockets_connecting_together_subscribe_in_one_command(prefix):
    ours = layer(prefix)
    try:
        before = commands("subscribe")
        channels = await asyncio.gather(*(ours.new_channel() for _ in range(200)))
        await asyncio.gather(*(ours.group_add("room", channel) for channel in channels))

        assert commands("subscribe") - before == 2  # the 200 channels, then the group
        await ours.group_send("room", {"type": "push", "text": "hello"})
        received = await asyncio.wait_for(
            asyncio.gather(*(ours.receive(channel) for channel in channels)), 5
        )
        assert received == [{"type": "push", "text": "hello"}] * 200
    finally:
        await ours.flush()


async def test_joining_a_group_already_subscribed_sends_nothing(prefix):
    ours = layer(prefix)
    try:
        first, second = await ours.new_channel(), await ours.new_channel()
        await ours.group_add("room", first)
        before = commands("subscribe")

        await ours.group_add("room", second)

        assert commands("subscribe") == before
    finally:
        await ours.flush()


async def test_publishes_keep_their_order_and_go_out_together(prefix):
    ours = layer(prefix)
    try:
        channel = await ours.new_channel()
        await ours.group_add("room", channel)

        await asyncio.gather(
            *(ours.group_send("room", {"type": "push", "text": str(i)}) for i in range(300))
        )

        received = [await asyncio.wait_for(ours.receive(channel), 5) for _ in range(300)]
        assert [message["text"] for message in received] == [str(i) for i in range(300)]
    finally:
        await ours.flush()


async def test_a_group_left_and_joined_again_in_one_batch_stays_subscribed(prefix):
    ours = layer(prefix)
    try:
        leaving, coming = await ours.new_channel(), await ours.new_channel()
        await ours.group_add("attendee.7", leaving)
        # the old socket of a phone leaves as its new socket joins, in the same pass of the loop
        await asyncio.gather(
            ours.group_discard("attendee.7", leaving), ours.group_add("attendee.7", coming)
        )

        await ours.group_send("attendee.7", {"type": "push", "text": "still here"})

        assert await asyncio.wait_for(ours.receive(coming), 5) == {
            "type": "push",
            "text": "still here",
        }
    finally:
        await ours.flush()


async def test_the_last_socket_leaving_unsubscribes_the_group(prefix):
    ours, stock = layer(prefix), layer(prefix, StockLayer)
    try:
        channel = await ours.new_channel()
        await ours.group_add("room", channel)
        before = commands("unsubscribe")

        await ours.group_discard("room", channel)

        assert commands("unsubscribe") - before == 1
        client = redis.Redis.from_url(redis_url())
        try:
            assert client.pubsub_numsub(f"{prefix}__group__room") == [
                (f"{prefix}__group__room".encode(), 0)
            ]
        finally:
            client.close()
    finally:
        await ours.flush()
        await stock.flush()


async def test_a_waiter_cancelled_does_not_cancel_the_others_batch(prefix):
    ours = layer(prefix)
    try:
        channels = [await ours.new_channel() for _ in range(3)]
        joins = [asyncio.ensure_future(ours.group_add("room", c)) for c in channels]
        await asyncio.sleep(0)
        joins[0].cancel()  # its socket closed while it waited
        await asyncio.gather(*joins, return_exceptions=True)

        await ours.group_send("room", {"type": "push", "text": "x"})

        for channel in channels[1:]:
            assert (await asyncio.wait_for(ours.receive(channel), 5))["text"] == "x"
    finally:
        await ours.flush()


async def test_it_shares_a_redis_with_channels_redis_own_layer(prefix):
    """A process still on channels_redis's layer and one on ours hear each other (a rolling
    restart)."""
    ours, stock = layer(prefix), layer(prefix, StockLayer)
    try:
        mine, theirs = await ours.new_channel(), await stock.new_channel()
        await ours.group_add("room", mine)
        await stock.group_add("room", theirs)

        await stock.group_send("room", {"type": "push", "text": "from stock"})
        await ours.group_send("room", {"type": "push", "text": "from ours"})

        assert [(await asyncio.wait_for(ours.receive(mine), 5))["text"] for _ in "ab"] == [
            "from stock",
            "from ours",
        ]
        assert [(await asyncio.wait_for(stock.receive(theirs), 5))["text"] for _ in "ab"] == [
            "from stock",
            "from ours",
        ]
    finally:
        await ours.flush()
        await stock.flush()


@pytest.mark.parametrize("steps", [1, 2, 3])
async def test_publishes_asked_for_before_a_flush_still_go_out(prefix, steps):
    """As with channels_redis's layer (one lock for every command), a flush comes after the
    publishes asked for before it, whether their batch is being sent or waits for the one being
    sent: none is reported sent and dropped."""
    ours, stock = layer(prefix), layer(prefix, StockLayer)
    try:
        theirs = await stock.new_channel()
        await stock.group_add("room", theirs)
        await ours.group_send("warm", {"type": "push", "text": "connect"})
        sends = []
        for wave in range(2):
            sends += [
                asyncio.ensure_future(
                    ours.group_send("room", {"type": "push", "text": f"{wave}{i}"})
                )
                for i in range(3)
            ]
            for _ in range(steps):
                await asyncio.sleep(0)  # the first wave's batch is asked for, begun, being sent

        await ours.flush()

        assert await asyncio.gather(*sends) == [None] * 6
        received = [(await asyncio.wait_for(stock.receive(theirs), 5))["text"] for _ in range(6)]
        assert received == ["00", "01", "02", "10", "11", "12"]
    finally:
        await ours.flush()
        await stock.flush()
