"""What ``/healthz`` checks: the database, the channel layer and the cache, each within a couple
of seconds, each reported as ``{"status": "ok"}`` or ``{"status": "down"}``. Why a part is down
goes to the log, not to the (public) answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection

from config.postgresql.base import short_pool_wait

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0
PROBE_GROUP = "healthz"


def backend_name(backend: str) -> str:
    return "redis" if "redis" in backend.lower() else "memory"


def check_database() -> dict[str, Any]:
    try:
        with short_pool_wait(CHECK_TIMEOUT_S), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        log.warning("healthz: database down: %s", error)
        return {"status": "down", "backend": connection.vendor}
    return {"status": "ok", "backend": connection.vendor}


def check_channel_layer() -> dict[str, Any]:
    """Send a message to a group nobody is in, through the same path as every push."""
    layer = get_channel_layer()
    if layer is None:
        return {"status": "down", "backend": "none"}
    name = backend_name(type(layer).__module__ + type(layer).__name__)

    async def probe() -> None:
        await asyncio.wait_for(
            layer.group_send(PROBE_GROUP, {"type": "healthz"}), timeout=CHECK_TIMEOUT_S
        )

    try:
        async_to_sync(probe)()
    except Exception as error:
        log.warning("healthz: channel layer down: %r", error)
        return {"status": "down", "backend": name}
    return {"status": "ok", "backend": name}


def check_cache() -> dict[str, Any]:
    """Ask the cache server itself (``config.cache.RedisCache.check``), past its fallbacks."""
    cache = caches["default"]
    name = backend_name(type(cache).__module__ + type(cache).__name__)
    try:
        check = getattr(cache, "check", None)
        if check is not None:
            check()
        else:
            cache.set(f"{PROBE_GROUP}:probe", 1, 10)
    except Exception as error:
        log.warning("healthz: cache down: %r", error)
        return {"status": "down", "backend": name}
    return {"status": "ok", "backend": name}


CHECKS = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "cache": check_cache,
}


def report(*, required: list[str]) -> tuple[dict[str, Any], bool]:
    """Each part's status and whether every required part is up."""
    parts = {name: check() for name, check in CHECKS.items()}
    healthy = all(parts[name]["status"] == "ok" for name in required)
    return {"status": "ok" if healthy else "down", **parts}, healthy
