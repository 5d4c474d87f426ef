"""What daphne does before our ASGI application sees a request, made safe: bounded request
bodies, an access log without secret tokens, and a listen queue a room's reconnect storm fits
in; and, not a guard, websocket frames sent as soon as they are written (``written_at_once``).
Installed by ``config/asgi.py`` when daphne imports the application (before it starts
listening), however daphne was started.

**Bodies.** daphne (through Twisted) receives a whole request body before calling the application
(into memory, or a temporary file past 100 kB) and then queues all of it, in memory, as ASGI
messages: a 100 MB multipart POST to any URL, without login, grew the process by about 1.2 GB
whatever Django's upload settings say. Here a body is refused with 413 as soon as its
``Content-Length`` (or, chunked, its running size) passes the limit of its path, before it is
stored: ``MAX_BODY_BYTES`` everywhere, ``MAX_IMPORT_BODY_BYTES`` for the attendee list upload
(which checks its own, smaller file limit). ``BodyLimitMiddleware`` applies the same rule at the
ASGI level for any other server. A body past ``MAX_BODY_BYTES`` (an import) is taken only with a
session cookie (only a signed-in organizer can import) and only ``LARGE_BODIES_AT_ONCE`` at a
time per process, 503 for another: twenty anonymous 11 MB posts at once had grown the process by
some 300 MB, since the body is held in memory while it is handed to the application.

**Access log.** daphne's access log writes each request's path, and an attendee's path carries
their secret token (``/a/<token>/``, ``/ws/a/<token>/``) as does the projector's (``/p/<key>/``),
a badge's (``/b/<key>/``: not a credential, but it names one person's badge), a co-organizer
invitation (``/co-organizers/accept/<token>/``, and its ``?proof=`` confirmation) and a password
reset link
(``/accounts/reset/<uid>/<token>/``): the lines are written with the secret replaced by ``***``.
Django's own warnings name the same paths ("Not Found: /a/<token>/", "Forbidden (CSRF cookie not
set.): ..."): ``MaskSecretsFilter`` on the log handler masks them the same way.
"""

from __future__ import annotations

import logging
import pprint
import re
from typing import Any

from config.limits import MAX_IMPORT_FILE_BYTES

MAX_BODY_BYTES = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE: every form of ours fits
MAX_IMPORT_BODY_BYTES = MAX_IMPORT_FILE_BYTES + 1_048_576  # the file and the form around it
LARGE_BODIES_AT_ONCE = 2
DEFAULT_LISTEN_BACKLOG = 4096  # connections not yet accepted; Twisted's own default is 50
IMPORT_PATH = re.compile(r"^/events/[0-9]+/attendees/import/")
# A secret path segment, wherever a path appears in a line (a log message names it mid-text).
SECRET_IN_PATH = re.compile(
    r"(/(?:ws/)?(?:a|p)/|/b/|/co-organizers/accept/)[^/?#\s\"']+"
    r"|(/accounts/reset/)[^?#\s\"']+?(?=/?(?:[?#\s\"']|$))"
    r"|([?&]proof=)[^&#\s\"']+"
)


def body_limit(path: str) -> int:
    """The largest request body accepted for a path, in bytes."""
    return MAX_IMPORT_BODY_BYTES if IMPORT_PATH.match(path) else MAX_BODY_BYTES


def mask_path(path: str) -> str:
    """``/a/<token>/leads/`` → ``/a/***/leads/`` (also ``/ws/a/``, ``/p/``, ``/ws/p/``, ``/b/``, a
    co-organizer invitation, its mailbox confirmation ``?proof=`` and a password reset link), in
    a path or in any line naming one."""
    return SECRET_IN_PATH.sub(lambda m: f"{m.group(1) or m.group(2) or m.group(3)}***", path)


class MaskSecretsFilter(logging.Filter):
    """A log handler's filter: the line is written with every secret path segment masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_path(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


TOO_LARGE = (
    b"HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 24\r\nConnection: close\r\n\r\nThe request is too large"
)
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 10\r\nContent-Length: 52\r\nConnection: close\r\n\r\n"
    b"Another upload is in progress: try again in a moment"
)


class LargeBodies:
    """How many bodies past ``MAX_BODY_BYTES`` this process is receiving (daphne's reactor is one
    thread: no lock needed)."""

    in_flight = 0

    @classmethod
    def take(cls, request: Any) -> bool:
        """A slot for this request, given back when it finishes or its connection drops."""
        if getattr(request, "speednet_large", False):
            return True
        if cls.in_flight >= LARGE_BODIES_AT_ONCE:
            return False
        cls.in_flight += 1
        request.speednet_large = True
        request.notifyFinish().addBoth(lambda _: cls.give_back())
        return True

    @classmethod
    def give_back(cls) -> None:
        cls.in_flight = max(0, cls.in_flight - 1)


def has_session_cookie(request: Any) -> bool:
    from django.conf import settings

    return bool(request.getCookie(settings.SESSION_COOKIE_NAME.encode()))


class LazyPformat:
    """``pprint.pformat(value)`` made only when it is written out (``str`` or a format field).

    autobahn formats its whole configuration (some forty attributes) for a debug log line as
    each socket connects, whether or not debug lines are written: a fifth of the server's CPU
    in a reconnect storm of 2,000 phones (docs/benchmarks-storm.md). Given to autobahn as its
    ``pformat``, the work is done only for a line that is written."""

    __slots__ = ("value",)

    def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def defer_autobahn_debug_formatting() -> None:
    """Install ``LazyPformat`` as autobahn's ``pformat`` (idempotent; a no-op without it).
    Its one use that must return a ``str`` (``Timings.__str__``) keeps the real one."""
    try:
        from autobahn.websocket import protocol
    except ImportError:  # pragma: no cover - another ASGI server
        return
    if protocol.pformat is LazyPformat:
        return
    protocol.pformat = LazyPformat

    def timings(self: Any) -> str:
        return pprint.pformat(self._timings)

    protocol.Timings.__str__ = timings


def with_backlog(description: str, backlog: int) -> str:
    """A Twisted server endpoint description (daphne's ``--bind``/``--port`` make
    ``tcp:port=8000:interface=127.0.0.1``) with a listen queue of ``backlog`` connections, unless
    it names one already or is a kind without a queue of ours (``fd:``, given by systemd with
    its own ``Backlog=``). ``backlog``: connections, at least 1."""
    kind = description.split(":", 1)[0]
    if kind not in {"tcp", "tcp6", "unix", "ssl"} or re.search(r"(?:^|:)backlog=", description):
        return description
    return f"{description}:backlog={backlog}"


def widen_listen_backlog(backlog: int) -> None:
    """Make daphne listen with a queue of ``backlog`` connections, however it was started
    (idempotent; the last call's value holds; a no-op without daphne).

    daphne hands its endpoint descriptions to Twisted, whose listen queue is 50 by default: in a
    reconnect storm (venue Wi-Fi back, a thousand phones at once) the kernel drops every
    handshake past the 50 not yet accepted, and each phone's TCP stack tries again after 1, 3,
    7, 15 s. ``backlog`` is capped by the kernel (``net.core.somaxconn``, 4096 on Linux 5.4 and
    later)."""
    try:
        import daphne.server
    except ImportError:  # pragma: no cover - another ASGI server
        return
    original = getattr(daphne.server.serverFromString, "speednet_original", None)
    original = original or daphne.server.serverFromString

    def server_from_string(reactor: Any, description: str) -> Any:
        return original(reactor, with_backlog(str(description), backlog))

    server_from_string.speednet_original = original  # type: ignore[attr-defined]
    daphne.server.serverFromString = server_from_string


def written_at_once(transport: Any, data: bytes) -> bool:
    """Send ``data`` on a plain Twisted TCP ``transport`` now, as asyncio's own transports do,
    when nothing is waiting in its buffer; True when it was taken (all of it sent, or the rest
    queued behind it), False when the caller should write it as usual (the connection closing
    or lost, TLS, data already waiting, a pull producer registered, the kernel's buffer full).

    Twisted's ``write`` never sends at once: it appends to the buffer and asks the reactor to
    watch the socket for writing (an ``epoll_ctl``), the reactor calls back on its next turn
    through its logging context (``callWithLogger``), the data goes out, and the watch is
    removed (another ``epoll_ctl``). For a websocket frame of a hundred bytes that is most of
    what sending it costs: at a thousand card taps a second (an answer and a push each) about a
    tenth of the event loop's time (docs/benchmarks-cards.md)."""
    from twisted.internet.tcp import Connection

    # Twisted's own fields, read with defaults that fall back to its usual way should a release
    # rename them
    if (
        not isinstance(transport, Connection)
        or getattr(transport, "TLS", True)
        or not getattr(transport, "connected", False)
        or getattr(transport, "disconnecting", True)
        or getattr(transport, "_writeDisconnected", True)
        or getattr(transport, "_tempDataBuffer", None) != []
        or len(getattr(transport, "dataBuffer", b"x")) > getattr(transport, "offset", 0)
        # a pull producer is asked for more each time the buffer empties: left to Twisted; a
        # streaming one (daphne's HTTP channel stays registered on an upgraded socket) is paused
        # only when data waits, which the rest of a partial send still does
        or (transport.producer is not None and not transport.streamingProducer)
    ):
        return False
    sent = transport.writeSomeData(data)
    if isinstance(sent, Exception) or sent <= 0:
        return False  # the usual way finds the lost connection, or waits for room
    if sent < len(data):
        transport.write(memoryview(data)[sent:].tobytes())
    return True


def write_websocket_frames_at_once() -> None:
    """daphne's websockets send each frame with ``written_at_once`` when autobahn would have
    written it straight to the transport (not a queued or chopped write, nothing queued before
    it). Idempotent; a no-op without daphne."""
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # pragma: no cover - another ASGI server
        return
    if "speednet_send_data" in WebSocketProtocol.__dict__:
        return
    original = WebSocketProtocol.sendData

    def send_data(self: Any, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:
        if sync or chopsize or self.send_queue or not written_at_once(self.transport, data):
            original(self, data, sync, chopsize)
            return
        # what autobahn counts for a direct write (its debug line is left out)
        if self.state == self.STATE_OPEN:
            self.trafficStats.outgoingOctetsWireLevel += len(data)
        elif self.state in (self.STATE_CONNECTING, self.STATE_PROXY_CONNECTING):
            self.trafficStats.preopenOutgoingOctetsWireLevel += len(data)
        if self.logOctets:
            self.logTxOctets(data, False)

    WebSocketProtocol.sendData = send_data
    WebSocketProtocol.speednet_send_data = original


def install_daphne_guards(*, listen_backlog: int = DEFAULT_LISTEN_BACKLOG) -> None:
    """Patch daphne's request and access-log classes, and its listen queue to
    ``listen_backlog`` connections (``widen_listen_backlog``). Idempotent; a no-op without
    daphne."""
    try:
        from daphne.access import AccessLogGenerator
        from daphne.http_protocol import WebRequest
    except ImportError:  # pragma: no cover - another ASGI server
        return
    defer_autobahn_debug_formatting()
    widen_listen_backlog(listen_backlog)
    write_websocket_frames_at_once()
    if getattr(WebRequest, "speednet_guarded", False):
        return

    original_got_length = WebRequest.gotLength
    original_chunk = WebRequest.handleContentChunk

    def request_path(request: Any) -> str:
        raw = getattr(request.channel, "_path", b"") or b""
        return raw.split(b"?", 1)[0].decode("latin-1")

    def refuse(request: Any, answer: bytes = TOO_LARGE) -> None:
        request.speednet_refused = True
        transport = request.channel.transport
        transport.write(answer)
        transport.loseConnection()

    def check_size(request: Any, size: int) -> bool:
        """Refuse the request if a body of ``size`` bytes is not allowed now; True if refused."""
        if size > request.speednet_limit:
            refuse(request)
        elif size > MAX_BODY_BYTES and not LargeBodies.take(request):
            refuse(request, BUSY)
        return getattr(request, "speednet_refused", False)

    def got_length(self: Any, length: int | None) -> None:
        self.speednet_limit = body_limit(request_path(self))
        if not has_session_cookie(self):
            self.speednet_limit = min(self.speednet_limit, MAX_BODY_BYTES)
        self.speednet_received = 0
        if length is not None and check_size(self, length):
            length = 0  # nothing is stored
        original_got_length(self, length)

    def handle_content_chunk(self: Any, data: bytes) -> None:
        if getattr(self, "speednet_refused", False):
            return
        self.speednet_received = getattr(self, "speednet_received", 0) + len(data)
        if not hasattr(self, "speednet_limit"):
            self.speednet_limit = MAX_BODY_BYTES
        if check_size(self, self.speednet_received):
            return
        original_chunk(self, data)

    def process(self: Any) -> Any:
        if getattr(self, "speednet_refused", False):
            return None
        return original_process(self)

    original_process = WebRequest.process
    WebRequest.gotLength = got_length
    WebRequest.handleContentChunk = handle_content_chunk
    WebRequest.process = process
    WebRequest.speednet_guarded = True

    original_call = AccessLogGenerator.__call__

    def log_masked(self: Any, protocol: str, action: str, details: dict[str, Any]) -> None:
        if "path" in details:
            details = {**details, "path": mask_path(str(details["path"]))}
        original_call(self, protocol, action, details)

    AccessLogGenerator.__call__ = log_masked


class BodyLimitMiddleware:
    """ASGI middleware: answer 413 for an HTTP request whose ``Content-Length`` passes its path's
    limit, or whose body turns out larger while it is read, before the application sees it."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "http":
            return await self.application(scope, receive, send)
        limit = body_limit(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        try:
            declared = int(length)
        except ValueError:
            declared = limit + 1
        if declared > limit:
            return await too_large(send)
        received = 0

        async def bounded_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    return {"type": "http.disconnect"}
            return message

        return await self.application(scope, bounded_receive, send)


async def too_large(send: Any) -> None:
    body = b"The request is too large"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
