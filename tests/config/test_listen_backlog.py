"""daphne listens with a queue a reconnect storm fits in, however it was started."""

from __future__ import annotations

import errno
import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import daphne.server
import pytest
from twisted.internet import reactor
from twisted.internet.protocol import Factory

from config.serving import install_daphne_guards, with_backlog

PHONES = 200  # more than Twisted's default queue of 50


@contextmanager
def listening(description: str) -> Iterator[int]:
    """A port opened as daphne opens its endpoints (``daphne.server.serverFromString``), never
    accepting (the reactor is not running): the kernel completes handshakes up to the listen
    queue only. Yields the port number."""
    ports = []
    daphne.server.serverFromString(reactor, description).listen(Factory()).addCallback(ports.append)
    (port,) = ports
    try:
        yield port.getHost().port
    finally:
        port.stopReading()
        port.socket.close()


def handshakes_completed(port: int, phones: int, *, within_s: float = 1.0) -> int:
    """How many of ``phones`` TCP connects to ``port`` complete within ``within_s`` seconds."""
    sockets = []
    try:
        for _ in range(phones):
            client = socket.socket()
            client.setblocking(False)
            assert client.connect_ex(("127.0.0.1", port)) in {0, errno.EINPROGRESS}
            sockets.append(client)
        _, writable, _ = select.select([], sockets, [], within_s)
        pending = [client for client in sockets if client not in writable]
        # select answers as soon as one is writable: give the rest the same time
        _, late, _ = select.select([], pending, [], within_s) if pending else ([], [], [])
        done = [
            client
            for client in [*writable, *late]
            if client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        ]
        return len(done)
    finally:
        for client in sockets:
            client.close()


def test_daphne_listens_with_the_configured_queue():
    install_daphne_guards(listen_backlog=PHONES + 100)  # what config/asgi.py does at start
    with listening("tcp:port=0:interface=127.0.0.1") as port:
        assert handshakes_completed(port, PHONES) == PHONES


def test_without_the_guard_twisted_queues_fifty_and_the_storm_waits_for_tcp_retries():
    original = daphne.server.serverFromString.speednet_original
    ports = []
    original(reactor, "tcp:port=0:interface=127.0.0.1").listen(Factory()).addCallback(ports.append)
    (port,) = ports
    try:
        assert handshakes_completed(port.getHost().port, PHONES, within_s=0.5) < PHONES / 2
    finally:
        port.stopReading()
        port.socket.close()


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("tcp:port=8000:interface=127.0.0.1", "tcp:port=8000:interface=127.0.0.1:backlog=4096"),
        (r"tcp:port=8000:interface=\:\:1", r"tcp:port=8000:interface=\:\:1:backlog=4096"),
        ("unix:/run/speednet.sock", "unix:/run/speednet.sock:backlog=4096"),
        ("tcp:port=8000:backlog=100", "tcp:port=8000:backlog=100"),  # the operator's own
        ("fd:fileno=3", "fd:fileno=3"),  # systemd's socket: its Backlog= holds
    ],
)
def test_endpoint_descriptions_get_a_queue_unless_they_name_one(description, expected):
    assert with_backlog(description, 4096) == expected


def test_installing_again_replaces_the_queue_instead_of_stacking():
    install_daphne_guards(listen_backlog=10)
    install_daphne_guards(listen_backlog=PHONES + 100)
    assert daphne.server.serverFromString.speednet_original.__module__.startswith("twisted")
    with listening("tcp:port=0:interface=127.0.0.1") as port:
        assert handshakes_completed(port, PHONES) == PHONES
