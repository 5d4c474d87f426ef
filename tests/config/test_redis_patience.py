"""The channel layer's bound on a Redis command: a silent Redis is given up on, a busy one is
waited for (config/redis_layer.py, ``BatchingShardConnection._bounded``)."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.redis_layer import PATIENCE, BatchingShardConnection

pytestmark = pytest.mark.asyncio

TIMEOUT_S = 0.2


def shard() -> BatchingShardConnection:
    """A shard whose connections are never opened: only its bound is used."""
    return BatchingShardConnection({"address": "redis://127.0.0.1:1"}, None, timeout_s=TIMEOUT_S)


async def answered_after(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "answered"


async def redis_answering_others(connection: BatchingShardConnection) -> None:
    """What the receive loop does while Redis answers other commands: it hears something."""
    while True:
        await asyncio.sleep(TIMEOUT_S / 4)
        connection._heard += 1


async def test_a_command_redis_is_silent_on_is_given_up_after_the_timeout():
    connection = shard()
    started = asyncio.get_running_loop().time()
    with pytest.raises(RedisTimeoutError):
        await connection._bounded(answered_after(10 * TIMEOUT_S))
    assert asyncio.get_running_loop().time() - started < 3 * TIMEOUT_S


async def test_a_command_behind_a_storm_is_waited_for_while_redis_answers_others():
    """In a reconnect storm the answer to one subscribe comes after thousands of others: Redis
    is answering (the shard hears it), so the command is not given up on (it was, after 2 s:
    phones closed with 4503 while Redis was well)."""
    connection = shard()
    others = asyncio.ensure_future(redis_answering_others(connection))
    try:
        assert await connection._bounded(answered_after(4 * TIMEOUT_S)) == "answered"
    finally:
        others.cancel()


async def test_a_busy_redis_is_waited_for_only_so_long():
    connection = shard()
    others = asyncio.ensure_future(redis_answering_others(connection))
    try:
        with pytest.raises(RedisTimeoutError):
            await connection._bounded(answered_after((PATIENCE + 3) * TIMEOUT_S))
    finally:
        others.cancel()


async def test_the_command_given_up_on_is_cancelled():
    connection = shard()
    command = asyncio.ensure_future(answered_after(10 * TIMEOUT_S))
    with pytest.raises(RedisTimeoutError):
        await connection._bounded(command)
    await asyncio.sleep(0)
    assert command.cancelled()
