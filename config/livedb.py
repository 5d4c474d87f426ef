"""The live sockets' database work, with its SQLite connection kept open between calls.

Every socket of a process does its database work on one thread: Channels'
``database_sync_to_async`` runs it on asgiref's single sync thread (outside an HTTP request's
context) and closes the connection before and after each call, as ``CONN_MAX_AGE = 0`` asks.
On PostgreSQL closing gives the connection back to the pool, which costs little. On SQLite it
closes the file, and the next call opens it again: a new connection, its three PRAGMAs and the
SQL functions Django registers, about 1.8 ms of CPU on a slow laptop, paid by every batch of
card taps, of snapshots and of token lookups in the room (docs/benchmarks-cards.md).

``live_database_sync_to_async`` is ``database_sync_to_async`` that keeps a usable SQLite
connection of that one long-lived thread open for the next call. Only there: an HTTP request's
thread ends with its request, so a connection kept there would be left behind (``CONN_MAX_AGE``
stays 0 for them). A connection on which a database error occurred, or left inside a
transaction, is still closed by ``close_old_connections`` as before.
"""

from __future__ import annotations

import threading
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import close_old_connections, connections


def on_live_thread() -> bool:
    """Whether this is asgiref's single sync thread: where ``database_sync_to_async`` runs
    outside an HTTP request (the sockets' database work), for the life of the process."""
    return threading.current_thread() in getattr(SyncToAsync.single_thread_executor, "_threads", ())


def keep_sqlite_connections() -> None:
    """Let the open SQLite connections of this thread outlive ``close_old_connections``'s
    age check, unless a database error occurred on one: that one is closed as before (Django
    cannot tell a broken SQLite connection from a good one, so any error closes it, and the next
    call opens a new one)."""
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "sqlite" and connection.connection is not None:
            connection.close_at = 0 if connection.errors_occurred else None


class LiveDatabaseSyncToAsync(SyncToAsync):
    """Channels' ``DatabaseSyncToAsync`` (stale connections closed around each call), except that
    on the sockets' own thread a SQLite connection is kept for the next call."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            if on_live_thread():
                keep_sqlite_connections()
            close_old_connections()


live_database_sync_to_async = LiveDatabaseSyncToAsync
