"""Every cache object of the process talks to Redis through one client and one connection
pool (config/cache.py), on a real Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from asgiref.sync import sync_to_async

from config.cache import RedisCache
from config.env import read_caches
from tests.conftest import redis_url

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]


def new_cache() -> RedisCache:
    """A cache object as Django makes one for each thread and each asyncio context."""
    config = read_caches({"REDIS_URL": redis_url()}, prefix=f"t{uuid.uuid4().hex[:8]}")
    params = {k: v for k, v in config["default"].items() if k != "LOCATION"}
    return RedisCache(config["default"]["LOCATION"], params)


def connections_received() -> int:
    return redis.Redis.from_url(redis_url()).info("stats")["total_connections_received"]


async def test_cache_objects_of_many_tasks_share_one_client_and_its_connections():
    first = new_cache()
    await sync_to_async(first.set)("warm", 1, 60)  # the process's one pool opens here
    before = await sync_to_async(connections_received)()

    async def one_task(index: int) -> None:
        cache = new_cache()  # a task's own context: its own cache object
        await sync_to_async(cache.set_many)({f"phone:{index}": 1}, 60)
        await sync_to_async(cache.delete_many)([f"phone:{index}"])

    await asyncio.gather(*(one_task(index) for index in range(20)))

    assert new_cache()._cache is first._cache
    # the probe's own connection only: 20 tasks opened none (each opened one, before)
    assert await sync_to_async(connections_received)() - before <= 1
