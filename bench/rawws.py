"""A phone's websocket in as few lines of Python as RFC 6455 lets it be, for load generators.

The benchmarks' load generators share the machine's cores with the server they measure; the
``websockets`` library costs a generator about three times the CPU per socket that this does
(``bench/storm.py --client websockets``), time the server's figures then include. Only what a
phone needs: the opening handshake (the answer's 101 and accept key checked), unfragmented
text frames both ways (client frames masked, with a zero key: the server unmasks either way),
pongs to pings, and the closing handshake. Not for anything but 127.0.0.1 benchmarks.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
from collections.abc import Callable
from typing import Any

KEY = "c3BlZWRuZXQtc3Rvcm0tMQ=="  # any 16 bytes, base64 ("speednet-storm-1")
ACCEPT = base64.b64encode(
    hashlib.sha1((KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
).decode()
CLOSE_FRAME = bytes([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8])  # code 1000, masked with 0
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class HandshakeFailed(Exception):
    """The server refused the upgrade or closed the connection before answering it."""


def frame(opcode: int, payload: bytes) -> bytes:
    """A client's frame: FIN, ``opcode``, the length, a zero mask key, ``payload``."""
    length = len(payload)
    if length < 126:
        head = bytes([0x80 | opcode, 0x80 | length])
    elif length < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


def split_frame(buffer: bytes) -> tuple[int, bytes, bytes] | None:
    """The first of a server's (unmasked) frames in ``buffer``: (opcode, payload, the rest),
    or None while it is incomplete."""
    if len(buffer) < 2:
        return None
    opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
    if length == 126:
        if len(buffer) < 4:
            return None
        length, start = int.from_bytes(buffer[2:4], "big"), 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        length, start = int.from_bytes(buffer[2:10], "big"), 10
    if len(buffer) < start + length:
        return None
    return opcode, buffer[start : start + length], buffer[start + length :]


class RawSocket(asyncio.Protocol):
    """One client socket. ``on_message`` gets each text message, parsed as JSON; ``opened``
    resolves when the upgrade is answered (``HandshakeFailed`` if it is refused), ``lost``
    when the connection ends."""

    def __init__(self, request: bytes, on_message: Callable[[Any], None]) -> None:
        loop = asyncio.get_running_loop()
        self.request = request
        self.on_message = on_message
        self.buffer = b""
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                return
            if not head.startswith(b"HTTP/1.1 101") or ACCEPT.encode() not in head:
                self.opened.set_exception(HandshakeFailed(head[:200].decode("latin-1")))
                self.transport.close()  # type: ignore[union-attr]
                return
            self.upgraded, self.buffer = True, rest
            self.opened.set_result(None)
        while (parsed := split_frame(self.buffer)) is not None:
            opcode, payload, self.buffer = parsed
            if opcode == TEXT:
                self.on_message(json.loads(payload))
            elif opcode == PING:
                self.transport.write(frame(PONG, payload))  # type: ignore[union-attr]
            elif opcode == CLOSE:
                self.transport.close()  # type: ignore[union-attr]
                return

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(HandshakeFailed("closed before the upgrade's answer"))
        if not self.lost.done():
            self.lost.set_result(None)

    def send(self, message: Any) -> None:
        """Send ``message`` as JSON in one text frame."""
        self.transport.write(frame(TEXT, json.dumps(message).encode()))  # type: ignore[union-attr]

    async def close(self) -> None:
        """The closing handshake: our close frame, the server's answer or 2 s, then the end."""
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(CLOSE_FRAME)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.lost), 2)
        self.transport.close()


async def connect(
    url: str, origin: str, on_message: Callable[[Any], None], *, timeout: float
) -> RawSocket:
    """Open ``url`` (``ws://host:port/path``) with ``origin``: the socket once upgraded.
    Raises ``HandshakeFailed``, ``OSError`` (refused, reset) or ``TimeoutError``."""
    host_port, _, path = url.removeprefix("ws://").partition("/")
    host, _, port = host_port.partition(":")
    request = (
        f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    ).encode()
    loop = asyncio.get_running_loop()

    async def opening() -> RawSocket:
        _transport, socket = await loop.create_connection(
            lambda: RawSocket(request, on_message), host, int(port)
        )
        await socket.opened
        return socket

    return await asyncio.wait_for(opening(), timeout)
