"""The sockets' database thread keeps its SQLite connection between calls; nothing else does."""

from __future__ import annotations

import pytest
from asgiref.sync import ThreadSensitiveContext
from django.db import connection

from config.livedb import live_database_sync_to_async
from events.models import Event

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def open_before_and_query() -> bool:
    """Whether this thread's connection was already open when the call began; then a query."""
    was_open = connection.connection is not None
    Event.objects.exists()
    return was_open


async def test_the_sockets_thread_keeps_its_sqlite_connection_for_the_next_call():
    await live_database_sync_to_async(open_before_and_query)()
    kept = await live_database_sync_to_async(open_before_and_query)()

    # On PostgreSQL the connection goes back to the pool after each call, as before.
    assert kept is (connection.vendor == "sqlite")


async def test_a_requests_thread_closes_its_connection_after_each_call():
    async with ThreadSensitiveContext():  # as Django serves each HTTP request
        await live_database_sync_to_async(open_before_and_query)()
        kept = await live_database_sync_to_async(open_before_and_query)()

    assert kept is False


async def test_a_connection_left_in_a_transaction_is_closed():
    def leave_a_transaction_open() -> None:
        connection.set_autocommit(False)
        Event.objects.exists()

    await live_database_sync_to_async(leave_a_transaction_open)()
    kept = await live_database_sync_to_async(open_before_and_query)()

    assert kept is False
