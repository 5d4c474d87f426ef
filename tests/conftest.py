"""Test-wide fixtures and the service markers.

A test marked ``postgres``, ``redis``, ``redis_server``, ``browser`` or ``gettext`` skips where
that service is absent, so the suite runs on a bare laptop; with ``REQUIRE_SERVICES=1`` (set by
CI) the same absence is a failure, so CI can never pass by skipping them.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
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
def _no_kept_snapshots() -> None:
    """Each test starts with no snapshot kept in memory (``rounds.snapshots``): a rolled-back
    database gives the next test's event the same id and state version."""
    from rounds import snapshots

    snapshots.forget()


@pytest.fixture(autouse=True)
def _no_meaning_warming(settings) -> None:
    """No background thread of the test process embeds pitches (``pitches.warming``, whose own
    tests turn it on): it would read the test database from outside the test's transaction.
    (Servers started for browser tests are separate processes, and do.)"""
    settings.SPEEDNET_WARM_MEANING = False


@pytest.fixture(autouse=True)
def _no_held_embeddings() -> None:
    """Each test starts with no text embedded (``pitches.sentences``' cache; the model stays
    loaded): a phone's "why this table" reads the meaning of the texts only where they are
    embedded already, so what an earlier test embedded would change what this one shows."""
    from pitches import sentences

    sentences.forget_embeddings()


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


def close_database_connections() -> None:
    """Close every connection this process holds on the test databases: this thread's, those of
    asgiref's sync thread (where Channels' ``database_sync_to_async`` runs the sockets' work in
    the tests), then psycopg's pools. A pool closes only the connections it holds, so one still
    lent to a thread would stay open until given back; one lent to a thread that has ended
    closes when it is collected."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    gc.collect()
    connections.close_all()
    asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())
    for alias in connections:
        wrapper = connections[alias]
        # ``close_pool`` creates the pool it closes when there is none: only an opened one
        if alias in getattr(type(wrapper), "_connection_pools", {}):
            wrapper.close_pool()


def database_sessions_left(*, wait_s: float = 5.0) -> list[tuple]:
    """The client sessions still open on the PostgreSQL test database but this one: (pid,
    application, state, query). A closed connection's server process takes a moment to end,
    so this waits up to ``wait_s`` for them to go (as ``DROP DATABASE`` itself waits 5 s)."""
    name = connection.settings_dict["NAME"]
    deadline = time.monotonic() + wait_s
    while True:
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, state, left(query, 80) FROM pg_stat_activity"
                " WHERE datname = %s AND backend_type = 'client backend'"
                " AND pid <> pg_backend_pid()",
                [name],
            )
            left = cursor.fetchall()
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, whose PostgreSQL one is dropped with no connection of
    this process left on it (else PostgreSQL refuses the drop: "is being accessed by other
    users"). A connection left open fails the run here, naming it."""
    yield
    with django_db_blocker.unblock():
        close_database_connections()
        if connection.vendor == "postgresql":
            left = database_sessions_left()
            if left:
                pytest.fail(f"connections left on the test database: {left}", pytrace=False)


# The public address of the test settings (SITE_URL), a trusted origin.
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def acreate(factory, **fields):
    """Create through a factory from async test code (the ORM is sync-only)."""
    return await database_sync_to_async(factory)(**fields)


async def open_phone(asgi_app, token: str, **options) -> tuple[WebsocketCommunicator, dict, dict]:
    """An attendee's socket, open, with what answers its connect read: the ``state``, then the
    ``presence`` frame (docs/protocol.md). ``options`` go to the WebsocketCommunicator."""
    options.setdefault("headers", [ORIGIN])
    phone = WebsocketCommunicator(asgi_app, f"/ws/a/{token}/", **options)
    connected, _ = await phone.connect()
    assert connected
    state = json.loads(await phone.receive_from())
    presence = json.loads(await phone.receive_from())
    assert (state["type"], presence["type"]) == ("state", "presence")
    return phone, state, presence


@pytest.fixture
def asgi_app(settings):
    """The whole ASGI application as daphne serves it (origin check, auth, routing), without
    the glosses' start-up load (tests that gloss load them when they do)."""
    settings.SPEEDNET_PRELOAD_GLOSSES = False
    from config.asgi import application

    return application


class GroupRecorder:
    """What the code under test sends to one channel-layer group, recorded as it is sent.

    The channel layer's ``group_send`` is wrapped for the test (as Zulip's tests capture events):
    a push is recorded synchronously when the sender calls the layer, so "nothing was sent" is
    known at once, never guessed from a quiet wait. Delivery through a real layer to real
    sockets is tested where it matters (tests/rounds/test_consumers.py, tests/integration/).
    """

    def __init__(self, group: str, sent: list[tuple[str, dict]]) -> None:
        self.group = group
        self.sent = sent
        self.seen = len(sent)

    def messages(self) -> list[dict]:
        """What was sent to the group since the last call (or since listening began), with push
        texts decoded from JSON."""
        taken = [message for group, message in self.sent[self.seen :] if group == self.group]
        self.seen = len(self.sent)
        return [json.loads(m["text"]) if "text" in m else m for m in taken]


@pytest.fixture
def listen(monkeypatch):
    """``listen(group)`` starts recording what is sent to a group; ``.messages()`` gives it."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    sent: list[tuple[str, dict]] = []
    group_send = layer.group_send

    async def recording_group_send(group: str, message: dict) -> None:
        sent.append((group, message))
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", recording_group_send)

    def start(group: str) -> GroupRecorder:
        return GroupRecorder(group, sent)

    return start


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
