"""Test-wide fixtures and the service markers.

A test marked ``postgres``, ``redis`` or ``browser`` skips where that service is absent, so the
suite runs on a bare laptop; with ``REQUIRE_SERVICES=1`` (set by CI) the same absence is a failure,
so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.db import connection

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


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


SERVICE_CHECKS = {"postgres": postgres_missing, "redis": redis_missing, "browser": browser_missing}


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A file-based SQLite test database, so that live daphne processes can open it too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        test_db = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_db)


ORIGIN = (b"origin", b"http://localhost")


async def acreate(factory, **fields):
    """Create through a factory from async test code (the ORM is sync-only)."""
    return await database_sync_to_async(factory)(**fields)


@pytest.fixture
def asgi_app():
    """The whole ASGI application as daphne serves it (origin check, auth, routing)."""
    from config.asgi import application

    return application


class GroupListener:
    """Listens to a channel-layer group the way a phone does, from sync test code."""

    def __init__(self, group: str) -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        self.layer = get_channel_layer()
        self.sync = async_to_sync
        self.channel = self.sync(self.layer.new_channel)()
        self.sync(self.layer.group_add)(group, self.channel)

    def messages(self) -> list[dict]:
        """Every message delivered so far, decoded."""
        import asyncio
        import json

        received = []

        async def drain() -> None:
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.05)
                except TimeoutError:
                    return
                received.append(json.loads(message["text"]))

        self.sync(drain)()
        return received


@pytest.fixture
def listen():
    """``listen(group)`` starts listening to a group; ``.messages()`` gives what arrived."""
    return GroupListener
