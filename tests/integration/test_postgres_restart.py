"""PostgreSQL restarts mid-evening: every connection a daphne process holds (its pool's, its
sockets' thread's) is cut at once. The next requests and phones must not see an error."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid

import pytest
from django.db import connection

from tests.live import daphne, fetch, next_of_type, open_phone, organizer_post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def other_connections() -> int:
    """Sessions on the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def when_the_pool_is_full(size: int) -> None:
    """Wait (at most 10 s) until the server's pool has opened ``size`` connections: it opens
    them in the background after its start."""
    deadline = time.monotonic() + 10
    while other_connections() < size and time.monotonic() < deadline:
        time.sleep(0.05)


def cut_every_other_connection() -> int:
    """What a restart does to a client: every other session on the test database ended by the
    server (``pg_terminate_backend``), waiting (at most 5 s each) until each has ended: without
    the wait the next request could take a connection whose session was still ending, which is
    a request during the restart (a 503, ``tests/config/test_capacity.py``), not after it.
    Returns how many were ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_after_the_server_cut_every_connection_pages_sockets_and_controls_carry_on(
    event,
    tmp_path,
):

    alice, bob = list(event.attendees.order_by("pk")[:2])
    # the default pool of 10, all of them open: the pool holds 10 dead connections after the cut
    pool = {"DATABASE_POOL_MIN_SIZE": "10", "DATABASE_POOL_MAX_SIZE": "10"}
    with daphne(tmp_path, extra_env=pool) as base_url:
        page = f"{base_url}/a/{alice.token}/"

        async def phone_state() -> dict:
            phone, state = await open_phone(base_url, alice.token)
            await phone.close()
            return state

        # every kind of connection in use: the pool's (pages, controls), the sockets' thread's
        assert [fetch(page)[0] for _ in range(6)] == [200] * 6
        assert asyncio.run(phone_state())["type"] == "state"
        assert organizer_post(base_url, event, "start") == 200

        async def tap(phone) -> list[dict]:
            """The tap, sent again after 2 s of silence as the phone does when the server could
            not write it; the answers."""
            frame = {
                "type": "card",
                "action": "give",
                "client_id": str(uuid.uuid4()),
                "receiver": bob.pk,
                "round": 1,
                "kind": "see_me",
            }
            answers = []
            for _attempt in range(3):
                await phone.send(json.dumps(frame))
                try:
                    while not answers:
                        message = json.loads(await asyncio.wait_for(phone.recv(), 2))
                        if message["type"] == "card_ack":
                            answers.append(message)
                except TimeoutError:
                    continue
                break
            await phone.close()
            return answers

        # a phone open before the cut taps after it
        loop = asyncio.new_event_loop()
        try:
            phone, _ = loop.run_until_complete(open_phone(base_url, alice.token))
            loop.run_until_complete(next_of_type(phone, "presence"))  # its connect is done
            when_the_pool_is_full(10)
            assert cut_every_other_connection() >= 2
            acks = loop.run_until_complete(tap(phone))
        finally:
            loop.close()

        when_the_pool_is_full(10)
        assert cut_every_other_connection() >= 2

        statuses = [fetch(page)[0] for _ in range(8)]  # more than the pool holds
        state = asyncio.run(phone_state())
        control = organizer_post(base_url, event, "pause")
        paused = asyncio.run(phone_state())
        with urllib.request.urlopen(base_url + "/healthz", timeout=10) as health:
            health_status = health.status

    assert [ack["ok"] for ack in acks] == [True]
    assert event.attendees.get(pk=bob.pk).cards_received.count() == 1
    assert statuses == [200] * 8
    assert state["type"] == "state"
    assert state["round"]["status"] == "running"
    assert control == 200
    assert paused["round"]["status"] == "paused"
    assert health_status == 200
