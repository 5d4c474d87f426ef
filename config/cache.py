"""Django's Redis cache, for which an unreachable Redis is an empty cache, not a server error.

What the cache holds here can be lost: which phones are connected (the organizer's counter),
throttle counts (joins, mailed codes). While Redis is down or restarting, a page that reads
them must still answer, so every operation on an unreachable server behaves as on an empty
cache that keeps nothing: a read misses, a write is dropped, ``add`` succeeds (the throttles
open for that time rather than refusing everyone), ``incr`` finds no key. Each outage is logged
once, and for ``RETRY_AFTER_S`` after a failure Redis is not asked at all, so a server that
does not answer costs one timeout, not one per call. ``/healthz`` reports it (``check``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property

from config.redis_layer import UNREACHABLE

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0
T = TypeVar("T")


_clients: dict[tuple[tuple[str, ...], str], Any] = {}
_clients_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to an empty cache, with one
    client (and so one connection pool) per server for the whole process.

    Django keeps a cache object per thread and per asyncio context, and each of them made its
    own Redis client and pool: every task of the sockets' event loop that touched the cache
    (a batch of phones connecting or closing marks them in it) opened a new connection to
    Redis and left the old client for the garbage collector. The client is thread-safe and its
    pool is shared, so every cache object of the process now uses the same one."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @cached_property
    def _cache(self) -> Any:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client

    def check(self) -> None:
        """Ask the server now, whatever the last failure: raises if it does not answer."""
        self._cache.get_client(write=True).ping()
        self._down_until = 0.0

    def _try(self, operation: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return operation()
        except UNREACHABLE as error:
            with self._lock:
                was_up = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + RETRY_AFTER_S
            if was_up:
                log.warning("cache unreachable, serving misses for %ss: %s", RETRY_AFTER_S, error)
            return fallback

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        return self._try(lambda: super(RedisCache, self).add(key, value, timeout, version), True)

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        return self._try(lambda: super(RedisCache, self).get(key, default, version), default)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        self._try(lambda: super(RedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._try(lambda: super(RedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: str, version: Any = None) -> bool:
        return self._try(lambda: super(RedisCache, self).delete(key, version), False)

    def get_many(self, keys: Iterable[str], version: Any = None) -> dict[str, Any]:
        return self._try(lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key: str, version: Any = None) -> bool:
        return self._try(lambda: super(RedisCache, self).has_key(key, version), False)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        missing = object()
        value = self._try(lambda: super(RedisCache, self).incr(key, delta, version), missing)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")  # what an empty cache answers
        return value

    def set_many(self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        return self._try(lambda: super(RedisCache, self).set_many(data, timeout, version), [])

    def delete_many(self, keys: Iterable[str], version: Any = None) -> None:
        self._try(lambda: super(RedisCache, self).delete_many(keys, version), None)
