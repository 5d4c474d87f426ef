"""``/healthz`` answers within a couple of seconds while the database is unreachable, as
docs/deployment.md promises a load balancer or a monitor, whatever the pool's timeout.

The database is reached through a TCP proxy of the test's own, sent for the outage to a port
where nothing listens (refused, as by a server that is down)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.integration.test_postgres_outage import through
from tests.live import TcpProxy, daphne, database_url, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def health(base_url: str, *, timeout: float) -> tuple[int, dict]:
    """``/healthz``'s status and JSON; ``TimeoutError`` when it takes longer than ``timeout``."""
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_reports_an_unreachable_database_before_a_requests_pool_timeout(tmp_path):
    server_port = urlsplit(database_url()).port or 5432
    proxy = TcpProxy([server_port])
    # a request waits 30 s for a connection; the check must not
    env = {"DATABASE_URL": through(proxy.port), "DATABASE_POOL_TIMEOUT": "30"}
    try:
        with daphne(tmp_path, extra_env=env) as base_url:
            assert health(base_url, timeout=15)[0] == 200

            proxy.close()  # the outage: every connection cut, new ones refused
            proxy = TcpProxy([free_port()], port=proxy.port)
            status, answer = health(base_url, timeout=15)
    finally:
        proxy.close()

    assert status == 503
    assert answer["database"] == {"status": "down", "backend": "postgresql"}
