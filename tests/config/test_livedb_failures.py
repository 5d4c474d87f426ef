"""The SQLite connection the sockets' database thread keeps, after something went wrong with it:
the next call must work again once the cause is gone."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import DatabaseError, connection

from config.livedb import live_database_sync_to_async
from events.models import Event

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the kept connection is SQLite's"
)


def count_events() -> int:
    return Event.objects.count()


def busy_timeout(ms: int) -> None:
    """Set the busy timeout of this thread's (kept) connection."""
    connection.ensure_connection()
    connection.connection.execute(f"PRAGMA busy_timeout={ms}")


@sqlite_only
async def test_the_sockets_thread_writes_again_once_a_lock_is_released():
    await live_database_sync_to_async(busy_timeout)(100)
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(DatabaseError):
            await live_database_sync_to_async(lambda: Event.objects.update(title="x"))()
        other.execute("ROLLBACK")

        assert await live_database_sync_to_async(Event.objects.update)(title="y") == 0
        assert await live_database_sync_to_async(count_events)() == 0
    finally:
        other.close()
        await live_database_sync_to_async(busy_timeout)(20_000)


@sqlite_only
async def test_the_sockets_thread_opens_a_new_connection_after_its_connection_broke():
    """A connection the SQLite library can no longer use (here: its handle closed under Django)
    is replaced at the next call, as every call used to open its own."""

    def break_the_connection() -> None:
        connection.ensure_connection()
        connection.connection.close()

    await live_database_sync_to_async(break_the_connection)()
    try:
        with pytest.raises(DatabaseError):
            await live_database_sync_to_async(count_events)()

        assert await live_database_sync_to_async(count_events)() == 0
    finally:  # whatever happened, the next tests get a working connection on that thread
        await live_database_sync_to_async(lambda: connection.close())()
