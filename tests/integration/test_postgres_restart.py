"""PostgreSQL restarts mid-evening: every connection a daphne process holds (its pool's, its
sockets' thread's) is cut at once. The next requests and phones must not see an error."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest
from django.db import connection

from tests.integration.test_capacity import fetch
from tests.integration.test_live_processes import event, open_phone, organizer_post  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def cut_every_other_connection() -> int:
    """What a restart does to a client: every other session on the test database ended by the
    server (``pg_terminate_backend``). Returns how many were ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_after_the_server_cut_every_connection_pages_sockets_and_controls_carry_on(
    event,  # noqa: F811
    tmp_path,
):
    from tests.live import daphne

    alice = event.attendees.order_by("pk").first()
    pool = {"DATABASE_POOL_MIN_SIZE": "3", "DATABASE_POOL_MAX_SIZE": "4"}
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

        assert cut_every_other_connection() >= 2

        statuses = [fetch(page)[0] for _ in range(8)]  # more than the pool holds
        state = asyncio.run(phone_state())
        control = organizer_post(base_url, event, "pause")
        paused = asyncio.run(phone_state())
        with urllib.request.urlopen(base_url + "/healthz", timeout=10) as health:
            health_status = health.status

    assert statuses == [200] * 8
    assert state["type"] == "state"
    assert state["round"]["status"] == "running"
    assert control == 200
    assert paused["round"]["status"] == "paused"
    assert health_status == 200
