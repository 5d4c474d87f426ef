"""How many requests one process works on at once, and the answer when the database is out of
reach: a room of phones reloading together queues, and what cannot be served in time is a 503
the browser may retry, never a 500.

**Queue before threads.** Django runs every HTTP request's view on a thread of its own (one per
request under ASGI), each holding a database connection while it works. ``HttpConcurrencyLimit``
lets at most ``SPEEDNET_HTTP_CONCURRENCY`` requests into Django at once per process; the others
wait in the event loop, which costs no thread and no connection, up to
``SPEEDNET_HTTP_QUEUE_TIMEOUT`` seconds, and are then answered 503 with ``Retry-After``. daphne
has the whole request body before the application starts, so a slow upload holds no place.

**No connection in time.** On PostgreSQL the connections come from psycopg's pool
(``DATABASE_POOL_*``, ``config.env``): a request that waits longer than the pool's timeout for
one, or finds the server refusing connections ("too many clients", restarting), gets the same
503 from ``DatabaseUnavailableMiddleware``. It takes the request's connection before the view
runs, so the view, the session and the templates then use the one it holds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
# psycopg_pool's errors from ``getconn``: no connection within the timeout, too many waiting.
POOL_REFUSALS = frozenset({"PoolTimeout", "TooManyRequests"})
# What PostgreSQL and psycopg say when a connection cannot be had (not a bad query).
UNAVAILABLE_MESSAGES = (
    "too many clients",
    "remaining connection slots are reserved",
    "too many connections",
    "connection refused",
    "could not connect",
    "the database system is starting up",
    "the database system is shutting down",
    "server closed the connection unexpectedly",
    "consuming input failed",
    "database is locked",  # SQLite: a writer waited its whole busy timeout
    "terminating connection due to administrator command",
    "the connection is closed",
)
# PostgreSQL's error codes for the same: class 08 (connection exception), the server shutting
# down or starting (57P01-57P03), too many connections (53300); and a session's own limits met
# (config.env.session_timeouts): a statement cancelled after statement_timeout (57014), a lock
# not had within lock_timeout (55P03), a transaction ended for idling (25P03): the database is
# stuck or overloaded for now, and a retry may work.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "57014", "55P03", "25P03")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means no database connection could be had now, or the one held was
    lost (a server restarting ends every session: "terminating connection due to administrator
    command"), so a retry may work; as opposed to a query the database refused."""
    if not isinstance(error, DatabaseError):
        return False
    seen: BaseException | None = error
    while seen is not None:
        if type(seen).__name__ in POOL_REFUSALS:
            return True
        sqlstate = getattr(seen, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(UNAVAILABLE_SQLSTATES):
            return True
        text = str(seen).lower()
        if any(message in text for message in UNAVAILABLE_MESSAGES):
            return True
        seen = seen.__cause__
    return False


def unavailable_text() -> str:
    return _("The server is busy. Please try again in a few seconds.")


def unavailable_response() -> HttpResponse:
    response = HttpResponse(
        unavailable_text(), content_type="text/plain; charset=utf-8", status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def reports_database_itself(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that answers an unreachable database itself (``/healthz``)."""
    view.reports_database_itself = True  # type: ignore[attr-defined]
    return view


class DatabaseUnavailableMiddleware:
    """503 with ``Retry-After`` when the request cannot get a database connection in time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view, "reports_database_itself", False):
            return None
        try:
            connection.ensure_connection()
        except OperationalError as error:
            if not is_database_unavailable(error):
                raise
            log.warning("no database connection for %s: %s", request.path, error)
            return unavailable_response()
        return None

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if is_database_unavailable(error):
            log.warning("database unavailable during %s: %s", request.path, error)
            return unavailable_response()
        return None


class HttpConcurrencyLimit:
    """ASGI middleware: at most ``limit`` HTTP requests inside the application at once; the
    next ones wait their turn (first come, first served) for up to ``wait_s`` seconds, then get
    a 503 with ``Retry-After``. Websockets pass straight through."""

    def __init__(self, app: Any, *, limit: int, wait_s: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_s = wait_s
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except TimeoutError:
            log.warning("busy: %s waited %ss for a place", scope.get("path"), self.wait_s)
            await self.send_busy(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    async def send_busy(self, send: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            body = unavailable_text().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(RETRY_AFTER_S).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
