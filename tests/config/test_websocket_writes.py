"""daphne's websocket frames leave at once when nothing waits before them (config/serving.py)."""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Iterator

import pytest
from autobahn.websocket.protocol import TrafficStats
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet.tcp import Connection

from config.serving import install_daphne_guards, written_at_once


class Reactor:
    """What a Twisted connection asks of its reactor: the sockets it was asked to watch."""

    def __init__(self) -> None:
        self.writers: list[Connection] = []

    def addWriter(self, connection: Connection) -> None:
        if connection not in self.writers:  # a reactor watches a socket once
            self.writers.append(connection)

    def removeWriter(self, connection: Connection) -> None:
        self.writers.remove(connection)


class Producer:
    def resumeProducing(self) -> None:
        pass

    def pauseProducing(self) -> None:
        pass

    def stopProducing(self) -> None:
        pass


@pytest.fixture
def sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, phone = socket.socketpair()
    ours.setblocking(False)
    phone.setblocking(False)
    yield ours, phone
    ours.close()
    phone.close()


def connection(ours: socket.socket, reactor: Reactor) -> Connection:
    transport = Connection(ours, None, reactor)
    transport.connected = 1  # as the listening port sets it for an accepted connection
    return transport


def phone_protocol(transport: Connection) -> WebSocketProtocol:
    """daphne's protocol of an open socket, as far as sending reads it."""
    protocol = WebSocketProtocol.__new__(WebSocketProtocol)
    protocol.transport, protocol.send_queue, protocol.triggered = transport, deque(), False
    protocol.state, protocol.trafficStats = WebSocketProtocol.STATE_OPEN, TrafficStats()
    protocol.logOctets = False
    return protocol


def received(phone: socket.socket) -> bytes:
    try:
        return phone.recv(65536)
    except BlockingIOError:
        return b""


def test_send_data_frame_leaves_without_a_reactor_turn(sockets):
    install_daphne_guards()  # what config/asgi.py does when daphne imports the application
    ours, phone = sockets
    reactor = Reactor()
    transport = connection(ours, reactor)
    protocol = phone_protocol(transport)
    protocol.sendData(b"\x81\x05hello")
    assert received(phone) == b"\x81\x05hello"
    assert reactor.writers == []  # no watch added, so none to remove
    assert protocol.trafficStats.outgoingOctetsWireLevel == 7  # counted as autobahn counts


def test_send_data_frame_leaves_at_once_on_an_upgraded_http_connection(sockets):
    install_daphne_guards()
    ours, phone = sockets
    reactor = Reactor()
    transport = connection(ours, reactor)
    # daphne's HTTP channel registers itself as a streaming producer and stays registered once
    # the connection is a websocket
    transport.registerProducer(Producer(), True)
    phone_protocol(transport).sendData(b"\x81\x02ok")
    assert received(phone) == b"\x81\x02ok"
    assert reactor.writers == []


def test_written_at_once_leaves_a_pull_producer_to_twisted(sockets):
    ours, phone = sockets
    transport = connection(ours, Reactor())
    transport.registerProducer(Producer(), False)  # asked for more each time the buffer empties
    assert written_at_once(transport, b"data") is False
    assert received(phone) == b""


def test_send_data_frame_waits_behind_data_already_buffered(sockets):
    install_daphne_guards()
    ours, phone = sockets
    reactor = Reactor()
    transport = connection(ours, reactor)
    transport.write(b"first;")  # Twisted's own way: buffered until the reactor's turn
    phone_protocol(transport).sendData(b"second")
    assert received(phone) == b""
    assert reactor.writers == [transport]
    transport.doWrite()
    assert received(phone) == b"first;second"
    assert reactor.writers == []


def test_written_at_once_leaves_a_closing_connection_to_twisted(sockets):
    ours, phone = sockets
    transport = connection(ours, Reactor())
    transport.disconnecting = True
    assert written_at_once(transport, b"late") is False
    assert received(phone) == b""


def test_written_at_once_queues_what_the_kernel_did_not_take(sockets):
    ours, phone = sockets
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reactor = Reactor()
    transport = connection(ours, reactor)
    data = bytes(range(256)) * 4096  # 1 MiB: more than the socket's buffers hold
    assert written_at_once(transport, data) is True
    assert reactor.writers == [transport]  # the rest waits for the reactor, in order
    got = bytearray(received(phone))
    while len(got) < len(data):
        transport.doWrite()
        got += received(phone)
    assert bytes(got) == data


def test_installing_twice_wraps_send_data_once():
    install_daphne_guards()
    send_data = WebSocketProtocol.sendData
    install_daphne_guards()
    assert WebSocketProtocol.sendData is send_data


def test_written_at_once_leaves_an_unknown_twisted_to_its_usual_way(sockets):
    """A Twisted release whose buffer fields are named otherwise gets Twisted's own write,
    not an error on every frame."""
    ours, phone = sockets
    transport = connection(ours, Reactor())
    del transport._tempDataBuffer
    assert written_at_once(transport, b"data") is False
    assert received(phone) == b""
