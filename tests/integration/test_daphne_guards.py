"""A real daphne process: bodies are bounded before they are stored, and its access log carries
no attendee token."""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websockets

from config.serving import LARGE_BODIES_AT_ONCE
from tests.factories import AttendeeFactory
from tests.live import daphne

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024


def daphne_pid(port: int) -> int:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"daphne" in argv and str(port).encode() in argv:
            return int(entry.name)
    raise LookupError(port)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(pid)


def post_huge(base_url: str, *, chunked: bool, total: int = 100 * MB) -> bytes:
    """POST a multipart body of ``total`` bytes as fast as the server takes it; the answer."""
    parts = urlsplit(base_url)
    boundary = "speednetboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    request = (
        f"POST /join/ HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{length}\r\n\r\n"
    ).encode()
    block = b"x" * MB
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(request)
        try:
            sent = 0
            first = True
            while sent < total:
                data = head + block[len(head) :] if first else block
                first = False
                sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
                sent += len(data)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: what we want
        try:
            return sock.recv(4096)
        except OSError:
            return b""


def start_upload(base_url: str, *, length: int, cookie: str = "") -> socket.socket:
    """Start a POST of ``length`` bytes to the attendee import and send its first megabyte; the
    socket stays open (a slow upload in progress)."""
    parts = urlsplit(base_url)
    head = (
        f"POST /events/1/attendees/import/ HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
    sock.sendall(head + b"x" * MB)
    return sock


def answer_of(sock: socket.socket) -> bytes:
    try:
        return sock.recv(4096)
    except OSError:
        return b""


def test_daphne_takes_only_a_few_import_sized_bodies_at_once(tmp_path):
    """Twenty anonymous 11 MB posts to the import URL at once grew daphne by ~300 MB: bodies past
    the general limit are taken a few at a time (503 for more), and only with a session cookie."""
    with daphne(tmp_path) as base_url:
        held = [
            start_upload(base_url, length=10 * MB, cookie="sessionid=abc")
            for _ in range(LARGE_BODIES_AT_ONCE)
        ]
        # a round trip on another connection: the server has read the uploads' headers
        urllib.request.urlopen(f"{base_url}/healthz", timeout=10).read()
        one_more = answer_of(start_upload(base_url, length=10 * MB, cookie="sessionid=abc"))
        anonymous = answer_of(start_upload(base_url, length=5 * MB))
        for sock in held:
            sock.close()
        urllib.request.urlopen(f"{base_url}/healthz", timeout=10).read()
        after_release = start_upload(base_url, length=3 * MB, cookie="sessionid=abc")
        after_release.sendall(b"x" * 2 * MB)
        released = answer_of(after_release)

    assert one_more.startswith(b"HTTP/1.1 503")
    assert anonymous.startswith(b"HTTP/1.1 413")
    assert released.startswith(b"HTTP/1.1 403")  # reached Django (no CSRF token): not refused


@pytest.mark.parametrize("chunked", [False, True])
def test_daphne_refuses_a_100_mb_multipart_body_and_stays_small(tmp_path, chunked):
    with daphne(tmp_path) as base_url:
        pid = daphne_pid(urlsplit(base_url).port)
        urllib.request.urlopen(f"{base_url}/healthz", timeout=10).read()
        before = rss_mb(pid)

        answer = post_huge(base_url, chunked=chunked)
        after = rss_mb(pid)
        healthy = urllib.request.urlopen(f"{base_url}/healthz", timeout=10).status

    assert answer.startswith(b"HTTP/1.1 413") or answer == b""
    assert after - before < 30, f"daphne grew from {before:.0f} MB to {after:.0f} MB"
    assert healthy == 200


def test_daphne_access_log_masks_attendee_tokens_and_badge_keys(tmp_path):
    attendee = AttendeeFactory()
    with daphne(tmp_path) as base_url:
        urllib.request.urlopen(f"{base_url}/a/{attendee.token}/", timeout=10).read()
        urllib.request.urlopen(f"{base_url}/b/{attendee.badge_key}/", timeout=10).read()

        async def open_socket() -> None:
            ws_url = base_url.replace("http://", "ws://") + f"/ws/a/{attendee.token}/"
            async with websockets.connect(ws_url, origin=base_url) as phone:
                await phone.recv()

        asyncio.run(open_socket())
        urllib.request.urlopen(f"{base_url}/healthz", timeout=10).read()
        [log] = list(tmp_path.glob("daphne-*.log"))
        text = log.read_text()

    assert attendee.token not in text
    assert attendee.badge_key not in text
    assert '"GET /a/***/' in text
    assert '"GET /b/***/' in text
    assert "WSCONNECT /ws/a/***/" in text
