"""Requests queue for a place and a database that cannot be reached is a 503, not a 500."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from channels.testing import ApplicationCommunicator
from django.db import IntegrityError, OperationalError
from psycopg_pool import PoolTimeout

from config.capacity import HttpConcurrencyLimit, is_database_unavailable


def as_django_raises(error: Exception) -> Exception:
    """The error the way Django's PostgreSQL backend hands it on (``DatabaseErrorWrapper``):
    Django's class of the same name, raised from the driver's."""
    wrapped = OperationalError(*error.args)
    wrapped.__cause__ = error
    return wrapped


@pytest.mark.parametrize(
    "error",
    [
        PoolTimeout("couldn't get a connection after 10.00 sec"),
        psycopg.OperationalError("FATAL:  sorry, too many clients already"),
        psycopg.OperationalError("connection failed: Connection refused"),
        psycopg.OperationalError("FATAL:  the database system is starting up"),
        # a restart ends the session a request holds, mid-request
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.ConnectionFailure("server conn crashed?"),
        psycopg.OperationalError("the connection is closed"),
        # a session's own limits (config.env.session_timeouts): stuck or overloaded for now
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
        psycopg.errors.IdleInTransactionSessionTimeout(
            "terminating connection due to idle-in-transaction timeout"
        ),
    ],
)
def test_is_database_unavailable_for_no_connection_in_time(error):
    assert is_database_unavailable(as_django_raises(error)) is True


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("no such column: events_event.nonsense"),
        IntegrityError("duplicate key value violates unique constraint"),
        ValueError("too many clients"),  # not a database error at all
    ],
)
def test_is_database_unavailable_not_for_a_refused_query(error):
    assert is_database_unavailable(error) is False


class Held:
    """An ASGI app that answers only when the test lets it."""

    def __init__(self) -> None:
        self.entered = 0
        self.release = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        self.entered += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})


def request(app) -> ApplicationCommunicator:
    scope = {"type": "http", "method": "GET", "path": "/a/x/", "headers": []}
    return ApplicationCommunicator(app, scope)


async def answer(communicator: ApplicationCommunicator) -> tuple[int, dict[bytes, bytes], bytes]:
    start = await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    return start["status"], dict(start["headers"]), body["body"]


@pytest.mark.asyncio
async def test_http_concurrency_limit_queues_the_next_request_until_a_place_frees():
    inner = Held()
    app = HttpConcurrencyLimit(inner, limit=1, wait_s=30)
    first, second = request(app), request(app)
    await first.send_input({"type": "http.request", "body": b""})
    await second.send_input({"type": "http.request", "body": b""})
    while inner.entered < 1:
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)

    assert inner.entered == 1  # the second waits outside, with no thread and no connection
    inner.release.set()
    assert (await answer(first))[0] == 200
    assert (await answer(second))[0] == 200
    assert inner.entered == 2


@pytest.mark.asyncio
async def test_http_concurrency_limit_answers_503_with_retry_after_when_no_place_frees():
    inner = Held()
    app = HttpConcurrencyLimit(inner, limit=1, wait_s=0.2)
    first, second = request(app), request(app)
    await first.send_input({"type": "http.request", "body": b""})
    while inner.entered < 1:
        await asyncio.sleep(0)
    await second.send_input({"type": "http.request", "body": b""})

    status, headers, body = await answer(second)

    assert status == 503
    assert headers[b"retry-after"] == b"5"
    assert body == b"The server is busy. Please try again in a few seconds."
    assert inner.entered == 1
    inner.release.set()
    assert (await answer(first))[0] == 200


@pytest.mark.asyncio
async def test_http_concurrency_limit_lets_websockets_through():
    inner = Held()
    app = HttpConcurrencyLimit(inner, limit=1, wait_s=0.2)
    held = request(app)
    await held.send_input({"type": "http.request", "body": b""})
    while inner.entered < 1:
        await asyncio.sleep(0)
    seen = []

    async def socket_app(scope, receive, send) -> None:
        seen.append(scope["type"])

    app.app = socket_app
    await asyncio.wait_for(app({"type": "websocket", "path": "/ws/a/x/"}, None, None), 5)

    assert seen == ["websocket"]  # in at once, while the one HTTP place is taken
    inner.release.set()
    assert (await answer(held))[0] == 200
