"""The Redis cache with nothing listening: an empty cache that keeps nothing, never an error."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from config.cache import RedisCache
from config.env import read_caches
from tests.live import free_port


@pytest.fixture
def unreachable() -> RedisCache:
    config = read_caches({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, prefix="t")
    params = {k: v for k, v in config["default"].items() if k != "LOCATION"}
    return RedisCache(config["default"]["LOCATION"], params)


def test_unreachable_redis_cache_reads_miss_and_writes_are_dropped(unreachable):
    assert unreachable.get("k", "default") == "default"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("k") is False
    assert unreachable.set("k", 1, 60) is None
    assert unreachable.delete("k") is False


def test_unreachable_redis_cache_lets_throttles_through(unreachable):
    # the pattern of events.devices and django-ratelimit: add the first count, else incr
    assert unreachable.add("count", 1, 60) is True
    with pytest.raises(ValueError, match="not found"):
        unreachable.incr("count")


def test_unreachable_redis_cache_check_says_so(unreachable):
    unreachable.get("k")  # a failure first: the check still asks the server

    with pytest.raises(RedisConnectionError):
        unreachable.check()
