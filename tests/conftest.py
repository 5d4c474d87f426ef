"""Test-wide fixtures and the service markers.

A test marked ``postgres``, ``redis``, ``redis_server``, ``browser`` or ``gettext`` skips where
that service is absent, so the suite runs on a bare laptop; with ``REQUIRE_SERVICES=1`` (set by
CI) the same absence is a failure, so CI can never pass by skipping them.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.db import connection

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# What makemessages runs.
GETTEXT_PROGRAMS = ("xgettext", "msguniq", "msgmerge", "msgattrib")


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


@cache
def redis_missing() -> str | None:
    parts = urlsplit(redis_url())
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return None
    except OSError as error:
        return f"no Redis at {redis_url()}: {error}"


def postgres_missing() -> str | None:
    if connection.vendor != "postgresql":
        return f"the database is {connection.vendor}; set DATABASE_URL=postgres://..."
    return None


@cache
def browser_missing() -> str | None:
    if not shutil.which(CHROMIUM_PATH):
        return f"no Chromium at {CHROMIUM_PATH} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@cache
def gettext_missing() -> str | None:
    for program in GETTEXT_PROGRAMS:
        if not shutil.which(program):
            return f"no {program} on PATH (apt-get install gettext)"
    return None


@cache
def redis_server_missing() -> str | None:
    if not shutil.which("redis-server"):
        return "no redis-server on PATH (apt-get install redis-server)"
    return None


SERVICE_CHECKS = {
    "postgres": postgres_missing,
    "redis": redis_missing,
    "redis_server": redis_server_missing,
    "browser": browser_missing,
    "gettext": gettext_missing,
}


def is_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(autouse=True)
def _require_services(request: pytest.FixtureRequest) -> None:
    for marker, check in SERVICE_CHECKS.items():
        if request.node.get_closest_marker(marker) is None:
            continue
        missing = check()
        if missing is None:
            continue
        if is_required():
            pytest.fail(f"REQUIRE_SERVICES is set but {missing}", pytrace=False)
        pytest.skip(missing)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a view that activated an attendee's language
    (their phone's) leaves it active in this thread, and the next test must not speak it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A file-based SQLite test database, so that live daphne processes can open it too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        test_db = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_db)


# The public address of the test settings (SITE_URL), a trusted origin.
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def acreate(factory, **fields):
    """Create through a factory from async test code (the ORM is sync-only)."""
    return await database_sync_to_async(factory)(**fields)


@pytest.fixture
def asgi_app():
    """The whole ASGI application as daphne serves it (origin check, auth, routing)."""
    from config.asgi import application

    return application


class GroupListener:
    """Listens to a channel-layer group the way a phone does, from sync test code.

    Channel layers bind to an event loop (the Redis pub/sub layer subscribes per loop), so the
    listener keeps one loop of its own running in a thread for its whole life.
    """

    QUIET_SECONDS = 0.2

    def __init__(self, group: str) -> None:
        from channels.layers import get_channel_layer

        self.group = group
        self.received: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.layer = get_channel_layer()
        self.channel = self.run(self.layer.new_channel())
        self.run(self.layer.group_add(group, self.channel))
        # One receive for the listener's whole life: the Redis layer drops a channel whose
        # receive is cancelled.
        self.collector = asyncio.run_coroutine_threadsafe(self.collect(), self.loop)

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def collect(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            self.received.append(json.loads(message["text"]))

    def messages(self) -> list[dict]:
        """What was delivered since the last call, decoded, once the group has been quiet."""
        seen = -1
        while seen != len(self.received):
            seen = len(self.received)
            time.sleep(self.QUIET_SECONDS)
            # The in-memory layer completes the waiting receive from the sender's thread without
            # waking this loop; running anything on the loop wakes it.
            self.run(asyncio.sleep(0))
        taken, self.received[:seen] = self.received[:seen], []
        return taken

    def close(self) -> None:
        self.collector.cancel()
        self.run(self.layer.group_discard(self.group, self.channel))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def listen():
    """``listen(group)`` starts listening to a group; ``.messages()`` gives what arrived."""
    listeners: list[GroupListener] = []

    def start(group: str) -> GroupListener:
        listener = GroupListener(group)
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.close()


@pytest.fixture
def fresh_cache(settings):
    """An empty cache of this test's own: the configured backend under a key prefix (and, in
    memory, a location) no other test or process uses. Nothing is cleared, so a run against
    Redis never wipes the configured database; the test's keys expire with their timeouts."""
    own = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": own}
        | ({"LOCATION": own} if "locmem" in settings.CACHES["default"]["BACKEND"] else {}),
    }
    from django.core.cache import cache as default_cache

    return default_cache


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own (``tests.live.RedisServer``), started; for tests
    marked ``redis_server``. Stopped at the end."""
    from tests.live import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
