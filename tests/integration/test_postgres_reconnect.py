"""PostgreSQL back after a while down: the pool connects again at once, not after psycopg_pool's
doubling backoff (``config.postgresql.PromptPool``).

The database is reached through a TCP proxy of the test's own: for the outage its connections
are cut and each new one is sent to a port where nothing listens (refused, as by a server that
is down), and counted: the count is the pool's connection attempts."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.integration.test_postgres_outage import through
from tests.live import TcpProxy, daphne, database_url, fetch, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# psycopg_pool's tries, 1 s, 2 s and 4 s apart: its next one comes 8 s (± 10 %) after the fourth
ATTEMPTS = 4


def wait_for_attempts(proxy: TcpProxy, port: int, count: int) -> None:
    """Wait (at most 30 s) until the pool has tried ``count`` connections to ``port``."""
    deadline = time.monotonic() + 30
    while proxy.connections[port] < count:
        assert time.monotonic() < deadline, f"{proxy.connections[port]} attempts in 30 s"
        time.sleep(0.02)


def test_pages_are_served_again_as_soon_as_the_database_is_back(event, tmp_path):
    alice = event.attendees.order_by("pk").first()
    server_port = urlsplit(database_url()).port or 5432
    proxy = TcpProxy([server_port])
    # one connection, so one chain of attempts; a request waits 5 s for it, less than the
    # 7 s at least between psycopg_pool's fourth and fifth tries
    env = {
        "DATABASE_URL": through(proxy.port),
        "DATABASE_POOL_MIN_SIZE": "0",
        "DATABASE_POOL_MAX_SIZE": "1",
        "DATABASE_POOL_TIMEOUT": "5",
    }
    down = free_port()  # nothing listens there
    try:
        with daphne(tmp_path, extra_env=env) as base_url:
            page = f"{base_url}/a/{alice.token}/"
            assert fetch(page)[0] == 200

            proxy.close()  # the outage: every connection cut, new ones refused
            proxy = TcpProxy([down], port=proxy.port)
            during = fetch(page)[0]  # finds its connection dead: the pool tries again
            wait_for_attempts(proxy, down, ATTEMPTS)

            proxy.backend_ports = [server_port]  # the database is back
            after = fetch(page)[0]
    finally:
        proxy.close()

    assert during == 503
    assert after == 200
