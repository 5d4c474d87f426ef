"""PostgreSQL unreachable mid-evening (the server down, the network to it cut): a phone that
connects meanwhile is told to come back (4503) within daphne's handshake timeout, and phones
connect again as soon as the database is back.

The database is reached through a TCP proxy of the test's own, closed for the outage: the
connections through it are cut and new ones refused, as when the server is down."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import websockets

from rounds.consumers import CLOSE_UNAVAILABLE
from tests.live import TcpProxy, daphne, database_url, open_phone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def through(proxy_port: int) -> str:
    """The test database's URL, reached at ``proxy_port`` on this machine."""
    parts = urlsplit(database_url())
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{proxy_port}"))


async def close_code(base_url: str, token: str) -> int | None:
    """The code the server closes a new phone's socket with (None if it sent a frame first).
    A handshake the server dropped raises here."""
    ws_url = base_url.replace("http://", "ws://") + f"/ws/a/{token}/"
    async with websockets.connect(ws_url, origin=base_url, open_timeout=15) as phone:
        try:
            await asyncio.wait_for(phone.recv(), 15)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None


async def state_within(base_url: str, token: str, seconds: float) -> dict:
    """The first frame of a phone that retries, as the room does, until it gets one."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            phone, state = await open_phone(base_url, token)
            await phone.close()
            return state
        except (websockets.ConnectionClosed, websockets.InvalidHandshake, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def test_a_phone_connecting_while_the_database_is_unreachable_hears_4503_then_gets_back(
    event, tmp_path
):
    alice = event.attendees.order_by("pk").first()
    server_port = urlsplit(database_url()).port or 5432
    proxy = TcpProxy([server_port])
    # the pool's timeout as deployed (10 s): longer than daphne's 5 s handshake timeout
    env = {
        "DATABASE_URL": through(proxy.port),
        "DATABASE_POOL_MIN_SIZE": "2",
        "DATABASE_POOL_MAX_SIZE": "4",
        "DATABASE_POOL_TIMEOUT": "10",
    }
    try:
        with daphne(tmp_path, extra_env=env) as base_url:
            assert asyncio.run(state_within(base_url, alice.token, 10))["type"] == "state"

            proxy.close()  # the outage: every connection cut, new ones refused
            assert asyncio.run(close_code(base_url, alice.token)) == CLOSE_UNAVAILABLE

            proxy = TcpProxy([server_port], port=proxy.port)  # the database is back
            assert asyncio.run(state_within(base_url, alice.token, 20))["type"] == "state"
    finally:
        proxy.close()
