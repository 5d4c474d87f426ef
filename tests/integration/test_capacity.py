"""A crowd of requests on a small connection pool: every one is answered 200 or 503, never 500."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest

from tests.factories import AttendeeFactory
from tests.live import daphne, fetch, free_port

pytestmark = pytest.mark.django_db(transaction=True)

CROWD = 200


def crowd(urls: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Every URL fetched at the same moment, one thread each."""
    results: list[tuple[int, dict[str, str]]] = [(0, {})] * len(urls)
    start = threading.Barrier(len(urls))

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = fetch(urls[index])
        except OSError as error:  # a refused or reset connection is a failure too
            results[index] = (-1, {"error": repr(error)})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
def test_two_hundred_concurrent_requests_on_a_pool_of_three_are_200_or_503(tmp_path):
    attendee = AttendeeFactory()
    small_pool = {
        "DATABASE_POOL_MIN_SIZE": "1",
        "DATABASE_POOL_MAX_SIZE": "3",
        # more requests inside Django than connections: they wait for the pool itself
        "SPEEDNET_HTTP_CONCURRENCY": "50",
    }

    with daphne(tmp_path, extra_env=small_pool) as base_url:
        paths = [f"/a/{attendee.token}/", "/healthz", "/"]
        results = crowd([base_url + paths[i % len(paths)] for i in range(CROWD)])

    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] > 0
    assert all(headers.get("Retry-After") == "5" for status, headers in results if status == 503)


def test_no_database_connection_in_time_is_a_503_with_retry_after(tmp_path):
    """The pool cannot reach its server (nothing listens on the port): the request waits the
    pool's timeout and is told to come back, and /healthz says which part is down."""
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/speednet"
    settings = {"DATABASE_URL": nowhere, "DATABASE_POOL_TIMEOUT": "1"}

    with daphne(tmp_path, extra_env=settings) as base_url:
        page_status, page_headers = fetch(base_url + "/a/" + "x" * 22 + "/")
        with pytest.raises(urllib.error.HTTPError) as health:
            urllib.request.urlopen(base_url + "/healthz", timeout=30)
        health_body = json.loads(health.value.read())

    assert page_status == 503
    assert page_headers["Retry-After"] == "5"
    assert health.value.code == 503
    assert health_body["status"] == "down"
    assert health_body["database"] == {"status": "down", "backend": "postgresql"}
    assert health_body["channel_layer"]["status"] == "ok"
