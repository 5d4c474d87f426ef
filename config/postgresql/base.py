"""Django's PostgreSQL backend, with the pool's connections checked before they are lent in a
way that survives a restart of the server.

Django's own check (``CONN_HEALTH_CHECKS`` with the pool: psycopg_pool's ``check_connection``
in ``getconn``) finds a connection the server closed and the pool throws it away, but then
psycopg_pool waits before it tries the next one, 1 s, 2 s, 4 s, … (its reconnection backoff),
and after a restart or a network cut *every* connection the pool holds is dead: with 4 of them
the first page after the cut took 6.8 s; with the default 10 a request met its pool timeout
and got a 503, and a card tap on the sockets' thread was not written
(``tests/integration/test_postgres_restart.py``). Here the pool lends without a check of its
own and ``get_new_connection`` checks the connection lent (one empty statement, a round trip);
if the server closed it, the pool checks every other connection it holds idle at once and
replaces the dead (psycopg_pool's ``ConnectionPool.check``), and the next one lent works. The
settings turn Django's check off for this backend (``config.env.postgres_database``).

That check is a round trip to the server each time a connection is lent, and the sockets' thread
borrows one for every batch of card taps, snapshots and token lookups: one round trip in eight
of a card batch. A connection the server closed has something to read (the server's last
message, or the end of the stream), which an idle pooled connection otherwise never has, so the
round trip is paid only when the connection's socket is readable, as urllib3's pool tells a
dropped HTTP connection (``urllib3.util.connection.is_connection_dropped``). A connection whose
network went silent passes both checks alike: its next statement waits for TCP to give up.

While the server is down the pool tries to connect again after 1 s, 2 s, 4 s, … (psycopg_pool's
backoff, doubling until its ``reconnect_timeout``, 5 minutes): after 20 s down, its next try
came 10 s after the server was back, and every page and phone meanwhile waited its pool timeout
for a 503 (4503) with the server up; the longer the outage, the longer that wait.
``PromptPool`` tries at least every ``RECONNECT_DELAY_MAX_S`` instead (a refused connection
costs one round trip), so pages and phones are back within about a second of the server.
"""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool
from psycopg_pool.pool import AddConnection, MaintenanceTask

from config.livedb import on_live_thread

logger = logging.getLogger(__name__)

RECONNECT_DELAY_MAX_S = 1.0
_short_wait = threading.local()


@contextmanager
def short_pool_wait(seconds: float) -> Iterator[None]:
    """Within the block this thread waits at most ``seconds`` for a pooled connection, as the
    live sockets' thread does (``LivePool``), then gets Django's ``OperationalError``: for
    ``/healthz``, which must answer a load balancer or a monitor within a couple of seconds
    whatever ``DATABASE_POOL_TIMEOUT`` a request is given."""
    previous = getattr(_short_wait, "seconds", None)
    _short_wait.seconds = seconds
    try:
        yield
    finally:
        _short_wait.seconds = previous


class DatabaseWrapper(base.DatabaseWrapper):
    """``django.db.backends.postgresql``'s wrapper; with a pool, a connection the server closed
    is never handed to Django (above), and the live sockets' thread waits for a connection at
    most ``SPEEDNET_LIVE_POOL_TIMEOUT`` seconds (below)."""

    @property
    def pool(self) -> Any:
        """Django's pool of this alias; on the live sockets' thread (``config.livedb``) the same
        pool lending with a shorter wait, ``LivePool``.

        Every socket of a process does its database work on that one thread, so while the
        server is down each call there waited the whole ``DATABASE_POOL_TIMEOUT`` (10 s) with
        every other socket queued behind it, and a phone connecting meanwhile was dropped by
        daphne's 5 s handshake timeout instead of hearing 4503. Pages and controls keep the
        pool's own timeout (then a 503): they run on threads of their own.

        The pool is made with Django's arguments (its ``pool`` property), of the class
        ``PromptPool``."""
        options = self.settings_dict["OPTIONS"].get("pool")
        made = self.alias in self._connection_pools
        # (with CONN_MAX_AGE set, Django's own code below refuses, as it should)
        if (
            self.alias != NO_DB_ALIAS
            and options
            and not made
            and not self.settings_dict["CONN_MAX_AGE"]
        ):
            prompt = PromptPool(
                kwargs={**self.get_connection_params(), "autocommit": True},
                open=False,
                configure=self._configure_connection,
                check=(
                    ConnectionPool.check_connection
                    if self.settings_dict["CONN_HEALTH_CHECKS"]
                    else None
                ),
                **({} if options is True else options),
            )
            self._connection_pools.setdefault(self.alias, prompt)
        pool = super().pool
        wait = getattr(_short_wait, "seconds", None)
        if wait is None and on_live_thread():
            wait = settings.SPEEDNET_LIVE_POOL_TIMEOUT
        if pool is None or wait is None:
            return pool
        return LivePool(pool, timeout=min(pool.timeout, wait))

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        """A connection from the pool that answers (or a new one without a pool). Raises
        Django's ``OperationalError`` (through its wrapper) when none can be had within the
        pool's timeout, as Django's backend does."""
        connection = super().get_new_connection(conn_params)
        pool = self.pool
        if not pool:
            return connection
        for _attempt in range(pool.max_size + 1):
            if not has_something_to_read(connection):
                return connection
            try:
                ConnectionPool.check_connection(connection)
            except psycopg.Error:
                logger.warning(
                    "A pooled database connection was closed by the server (a restart?): the "
                    "pool's others are checked and the dead replaced"
                )
                pool.putconn(connection)  # broken: the pool discards it and opens another
                pool.check()
                connection = super().get_new_connection(conn_params)
            else:
                return connection
        return connection


class PromptPool(ConnectionPool):
    """psycopg_pool's pool, trying to connect again at least every ``RECONNECT_DELAY_MAX_S``
    seconds while the server refuses (its own backoff doubles without a bound until it gives
    up); it still gives up after its ``reconnect_timeout``, and the next request starts again."""

    def schedule_task(self, task: MaintenanceTask, delay: float) -> None:
        if isinstance(task, AddConnection):
            delay = min(delay, RECONNECT_DELAY_MAX_S)
        super().schedule_task(task, delay)


class LivePool:
    """A pool as the live sockets' thread (and ``short_pool_wait``) borrows from it:
    ``getconn`` waits at most ``timeout`` seconds (psycopg_pool's ``PoolTimeout`` after that,
    which Django's wrapper turns into ``OperationalError``: the socket is closed with 4503 and
    the phone retries); everything else is the pool's own."""

    def __init__(self, pool: ConnectionPool, *, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    def getconn(self, timeout: float | None = None) -> Any:
        return self._pool.getconn(timeout=self._timeout if timeout is None else timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    def __bool__(self) -> bool:
        return True


def has_something_to_read(connection: psycopg.Connection[Any]) -> bool:
    """Whether an idle connection's socket has input waiting, or is closed, without waiting
    (a ``poll`` with no timeout): true when the server closed it or sent it a message (a notice,
    a changed parameter) since its last statement; false for an idle connection that is fine."""
    if connection.closed:
        return True
    try:
        descriptor = connection.pgconn.socket
    except psycopg.OperationalError:
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
