"""The pool's connections on PostgreSQL: a connection the server closed is never lent, and one
that is fine is lent without a round trip to the server (``config.postgresql``)."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from psycopg_pool import ConnectionPool

from config.postgresql.base import has_something_to_read

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def terminate(pids: list[int]) -> None:
    """End these sessions from the server's side, as a restart does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])


def until(condition, wait_s: float = 5.0) -> bool:
    deadline = time.monotonic() + wait_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_connection_has_something_to_read_once_the_server_closed_it():
    own = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        own.execute("SELECT 1")
        assert not has_something_to_read(own)  # idle and fine: nothing waits on its socket
        terminate([own.info.backend_pid])
        assert until(lambda: has_something_to_read(own))
        with pytest.raises(psycopg.OperationalError):
            own.execute("SELECT 1")
    finally:
        own.close()
    assert has_something_to_read(own)  # closed


def test_the_pool_lends_a_fine_connection_with_no_check_and_never_a_dead_one(monkeypatch):
    pool = connection.pool
    if pool is None:
        pytest.skip("the database is configured without a pool")
    checks: list[object] = []
    check = ConnectionPool.check_connection
    monkeypatch.setattr(
        ConnectionPool,
        "check_connection",
        staticmethod(lambda conn: checks.append(conn) or check(conn)),
    )
    borrower = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        for _ in range(3):
            borrower.ensure_connection()
            with borrower.cursor() as cursor:
                cursor.execute("SELECT 1")
            borrower.close()  # back to the pool
        assert checks == []  # no round trip to check a connection that is fine

        with connection.cursor() as cursor:  # every session the pool holds idle, dead at once
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            idle = [pid for (pid,) in cursor.fetchall()]
        assert idle, "the pool holds no idle connection to cut"
        terminate(idle)
        assert until(lambda: not any(still_running(pid) for pid in idle))

        borrower.ensure_connection()
        with borrower.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        assert pid not in idle
        assert checks, "a dead connection was lent without being checked"
    finally:
        borrower.close()


def still_running(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return bool(cursor.fetchone()[0])
