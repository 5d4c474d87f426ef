"""The websocket origin check compares scheme, host and port, not the host name alone."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from config.origin import normalize_origin
from tests.conftest import acreate
from tests.factories import AttendeeFactory

HOST = (b"host", b"127.0.0.1:8103")


def test_normalize_origin_fills_in_the_default_port():
    assert normalize_origin("HTTP://LocalHost") == ("http", "localhost", 80)
    assert normalize_origin("https://example.com:443") == ("https", "example.com", 443)


@pytest.mark.parametrize(
    "origin", ["null", "file://", "javascript:alert(1)", "http://", "http://a:99999", "ws://a"]
)
def test_normalize_origin_refuses_what_is_not_an_http_origin(origin):
    assert normalize_origin(origin) is None


async def connects(asgi_app, headers: list[tuple[bytes, bytes]]) -> bool:
    attendee = await acreate(AttendeeFactory)
    communicator = WebsocketCommunicator(asgi_app, f"/ws/a/{attendee.token}/", headers=headers)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "origin",
    [
        b"http://127.0.0.1:9999",  # same host, another port
        b"https://127.0.0.1:8103",  # same host and port, another scheme
        b"http://127.0.0.1",  # port 80
        b"http://localhost:8103",  # another allowed host name
        b"http://127.0.0.1:8000.evil.example",
    ],
)
async def test_websocket_refuses_an_origin_that_differs_in_scheme_host_or_port(asgi_app, origin):
    assert not await connects(asgi_app, [HOST, (b"origin", origin)])


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_refuses_a_socket_without_origin(asgi_app):
    assert not await connects(asgi_app, [HOST])


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "origin",
    [
        b"http://127.0.0.1:8103",  # its own origin
        b"http://127.0.0.1:8000",  # the public address (SITE_URL, a trusted origin)
    ],
)
async def test_websocket_accepts_its_own_and_the_trusted_origin(asgi_app, origin):
    assert await connects(asgi_app, [HOST, (b"origin", origin)])


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_over_tls_accepts_the_https_origin(asgi_app):
    attendee = await acreate(AttendeeFactory)
    communicator = WebsocketCommunicator(
        asgi_app,
        f"/ws/a/{attendee.token}/",
        headers=[(b"host", b"localhost"), (b"origin", b"https://localhost")],
    )
    communicator.scope["scheme"] = "wss"

    connected, _ = await communicator.connect()

    assert connected
    await communicator.disconnect()
