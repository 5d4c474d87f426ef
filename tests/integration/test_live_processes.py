"""Real daphne processes: the round state lives in the database and pushes cross processes."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import redis_url
from tests.live import daphne, next_of_type, open_phone, organizer_post, tcp_proxy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.redis
def test_two_daphne_processes_share_a_round_change_through_redis(event, tmp_path):
    alice, bob = list(event.attendees.all()[:2])

    with (
        daphne(tmp_path, redis_url=redis_url()) as first,
        daphne(tmp_path, redis_url=redis_url()) as second,
    ):

        async def scenario() -> tuple[dict, dict]:
            alice_phone, _ = await open_phone(first, alice.token)
            bob_phone, _ = await open_phone(second, bob.token)
            status = await asyncio.to_thread(organizer_post, first, event, "start")
            assert status == 200
            pushes = await asyncio.gather(
                next_of_type(alice_phone, "round"), next_of_type(bob_phone, "round")
            )
            await alice_phone.close()
            await bob_phone.close()
            return pushes

        on_first, on_second = asyncio.run(scenario())

    assert on_first == {**on_second, "server_time": on_first["server_time"]}
    assert on_first["round"]["number"] == 1
    assert on_first["round"]["status"] == "running"
    assert on_first["version"] == 1


@pytest.mark.redis_server
def test_round_change_reaches_phones_on_two_daphne_processes_behind_one_proxy(
    event, tmp_path, own_redis
):
    """The recipe of docs/deployment.md: two daphne processes, a proxy spreading connections
    over them (websocket upgrades included), one Redis; phones on either process hear it."""
    alice, bob, carol = list(event.attendees.all()[:3])

    with (
        daphne(tmp_path, redis_url=own_redis.url) as first,
        daphne(tmp_path, redis_url=own_redis.url) as second,
        tcp_proxy([first, second]) as (public, proxy),
    ):

        async def scenario() -> list[dict]:
            phones = [(await open_phone(public, who.token))[0] for who in (alice, bob, carol)]
            status = await asyncio.to_thread(organizer_post, public, event, "start")
            assert status == 200
            pushes = await asyncio.gather(*(next_of_type(phone, "round") for phone in phones))
            for phone in phones:
                await phone.close()
            return pushes

        pushes = asyncio.run(scenario())
        spread = dict(proxy.connections)

    # three sockets and one POST, in turn: each process served two connections
    assert sorted(spread.values()) == [2, 2]
    assert [push["round"]["number"] for push in pushes] == [1, 1, 1]
    assert {push["round"]["status"] for push in pushes} == {"running"}
    assert {push["version"] for push in pushes} == {1}


def test_restarted_server_resumes_the_running_round_from_the_database(event, tmp_path):
    alice = event.attendees.first()

    with daphne(tmp_path) as before_restart:
        assert organizer_post(before_restart, event, "start") == 200

        async def first_look() -> dict:
            phone, state = await open_phone(before_restart, alice.token)
            await phone.close()
            return state

        state_before = asyncio.run(first_look())

    with daphne(tmp_path) as after_restart:

        async def second_look() -> dict:
            phone, state = await open_phone(after_restart, alice.token)
            await phone.close()
            return state

        state_after = asyncio.run(second_look())

    assert state_before["round"]["status"] == "running"
    assert state_after["round"] == state_before["round"]
    assert state_after["version"] == state_before["version"] == 1
    assert state_after["server_time"] >= state_before["server_time"]
