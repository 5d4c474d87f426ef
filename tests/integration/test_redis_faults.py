"""Redis failures are not user errors, and deployments sharing one Redis never hear each other.

Each test runs a Redis server of its own (``own_redis``), on its own port, so stopping it or
filling it touches nothing else."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from django.urls import reverse
from django.utils.module_loading import import_string
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.env import read_caches, read_channel_layers
from rounds.consumers import CLOSE_UNAVAILABLE
from rounds.groups import event_group
from rounds.models import Round
from tests.conftest import ORIGIN, acreate, open_phone
from tests.factories import AttendeeFactory

pytestmark = [pytest.mark.redis_server, pytest.mark.django_db(transaction=True)]


def redis_settings(url: str, prefix: str, **env: str) -> dict:
    env = {"REDIS_URL": url, **env}
    return {
        "CHANNEL_LAYERS": read_channel_layers(env, prefix=prefix),
        "CACHES": read_caches(env, prefix=prefix),
    }


def act(client, event, action: str, **data):
    return client.post(
        reverse("control_action", args=[event.pk]),
        {"action": action, **data},
        headers={"HX-Request": "true"},
    )


def test_control_actions_while_redis_is_stopped_answer_200_and_are_committed(
    client, event, own_redis
):
    client.force_login(event.organizer)
    late = AttendeeFactory(event=event)
    with override_settings(**redis_settings(own_redis.url, "faults")):
        assert client.get("/healthz").status_code == 200
        own_redis.stop()

        door = client.post(
            reverse("door_scan", args=[event.pk]),
            {"code": late.token},
            headers={"HX-Request": "true"},
        )  # pushes the control pages' counters after commit
        started = act(client, event, "start")
        round_ = Round.objects.get(event=event, number=1)
        ends_at = round_.ends_at
        extended = act(client, event, "extend", seconds=60)
        round_.refresh_from_db()
        page = client.get(reverse("control", args=[event.pk]))
        counters = client.get(reverse("control_counters", args=[event.pk]))
        phone = client.get(reverse("room", args=[event.attendees.first().token]))
        health = client.get("/healthz")

        own_redis.start()  # the same port: the next check finds it again
        health_after = client.get("/healthz")

    late.refresh_from_db()
    assert door.status_code == 200
    assert late.checked_in_at is not None
    assert started.status_code == 200
    assert round_.status == Round.Status.RUNNING
    assert extended.status_code == 200
    assert round_.ends_at == ends_at + timedelta(seconds=60)  # once: no retry by the user
    assert (page.status_code, counters.status_code, phone.status_code) == (200, 200, 200)
    assert health.status_code == 503
    assert health.json() == {
        "status": "down",
        "database": {"status": "ok", "backend": health.json()["database"]["backend"]},
        "channel_layer": {"status": "down", "backend": "redis"},
        "cache": {"status": "down", "backend": "redis"},
    }
    assert health_after.status_code == 200
    assert health_after.json()["status"] == "ok"


def test_healthz_answers_200_when_only_a_part_it_does_not_require_is_down(client, own_redis):
    with override_settings(
        **redis_settings(own_redis.url, "faults"), SPEEDNET_HEALTHZ_REQUIRES=["database"]
    ):
        own_redis.stop()
        health = client.get("/healthz")

    assert health.status_code == 200
    assert health.json()["channel_layer"]["status"] == "down"


def layer_for(url: str, prefix: str, **env: str):
    config = read_channel_layers({"REDIS_URL": url, **env}, prefix=prefix)["default"]
    return import_string(config["BACKEND"])(**config["CONFIG"])


def cache_for(url: str, prefix: str):
    config = read_caches({"REDIS_URL": url}, prefix=prefix)["default"]
    backend = import_string(config["BACKEND"])
    return backend(config["LOCATION"], {k: v for k, v in config.items() if k != "LOCATION"})


def test_two_deployments_with_different_prefixes_on_one_redis_do_not_cross(own_redis):
    # Different database numbers, as two deployments would pick: pub/sub ignores them.
    first_url = own_redis.url
    second_url = own_redis.url.rsplit("/", 1)[0] + "/1"

    async def scenario() -> tuple[dict, dict]:
        first, second = layer_for(first_url, "venue-a"), layer_for(second_url, "venue-b")
        first_phone = await first.new_channel()
        second_phone = await second.new_channel()
        await first.group_add("event.1", first_phone)
        await second.group_add("event.1", second_phone)
        # Each side publishes to the same group name; the other side's publish went first,
        # and Redis delivers to one subscriber in publish order, so a crossed message would
        # be the first one received.
        await second.group_send("event.1", {"type": "push", "text": "venue b"})
        await first.group_send("event.1", {"type": "push", "text": "venue a"})
        got_first = await asyncio.wait_for(first.receive(first_phone), 5)
        got_second = await asyncio.wait_for(second.receive(second_phone), 5)
        await first.flush()
        await second.flush()
        return got_first, got_second

    got_first, got_second = asyncio.run(scenario())

    assert got_first == {"type": "push", "text": "venue a"}
    assert got_second == {"type": "push", "text": "venue b"}

    first_cache, second_cache = cache_for(first_url, "venue-a"), cache_for(first_url, "venue-b")
    first_cache.set("speednet:phone:1", "a", 60)
    assert second_cache.get("speednet:phone:1") is None
    second_cache.set("speednet:phone:1", "b", 60)
    assert first_cache.get("speednet:phone:1") == "a"
    assert json.dumps(second_cache.get("speednet:phone:1")) == '"b"'


async def phone_on(asgi_app, attendee) -> WebsocketCommunicator:
    phone, _, _ = await open_phone(asgi_app, attendee.token)
    # answered once the connect handler ended (one message at a time): its pushes have left
    await phone.send_to(text_data='{"type":"ping","id":1,"t":0}')
    assert json.loads(await phone.receive_from())["type"] == "pong"
    return phone


# What reports the outage itself, whatever the sockets do: the cache, once every few seconds
# (config/cache.py), and the channel layer's receive loop, once when lost and once when back.
OUTAGE_LOGS = {
    ("config.cache", "cache unreachable"),
    ("config.redis_layer", "Redis connection lost"),
    ("config.redis_layer", "Redis connection back"),
}


def said(records: list[logging.LogRecord]) -> list[tuple[str, int]]:
    """(logger, level) of the lines logged at INFO or above, but the outage's own reports."""
    return [
        (record.name, record.levelno)
        for record in records
        if record.levelno >= logging.INFO
        and not any(
            record.name == name and record.getMessage().startswith(start)
            for name, start in OUTAGE_LOGS
        )
    ]


@pytest.mark.asyncio
async def test_a_phone_closing_while_redis_is_stopped_is_logged_once_and_ends_cleanly(
    asgi_app, own_redis, caplog
):
    attendee = await acreate(AttendeeFactory)
    with override_settings(**redis_settings(own_redis.url, "faults")):
        phone = await phone_on(asgi_app, attendee)
        own_redis.stop()
        caplog.clear()

        with caplog.at_level(logging.INFO):
            await phone.disconnect()  # raises what escapes the consumer
        layer = get_channel_layer()
        kept = (layer.channels, layer.groups)

    assert kept == ({}, {})
    assert said(caplog.records) == [("rounds.consumers", logging.WARNING)]
    assert "unreachable" in caplog.records[-1].getMessage()
    assert attendee.token not in caplog.text


@pytest.mark.asyncio
async def test_a_phone_connecting_while_redis_is_stopped_is_closed_with_4503(
    asgi_app, own_redis, caplog
):
    attendee = await acreate(AttendeeFactory)
    with override_settings(**redis_settings(own_redis.url, "faults")):
        own_redis.stop()
        phone = WebsocketCommunicator(asgi_app, f"/ws/a/{attendee.token}/", headers=[ORIGIN])

        with caplog.at_level(logging.INFO):
            connected, _ = await phone.connect()
            closed = await phone.receive_output()
            await phone.wait()
        kept = get_channel_layer().channels  # none for a channel that was never made

    assert kept == {}
    assert connected
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}
    assert said(caplog.records) == [("rounds.consumers", logging.WARNING)]
    assert attendee.token not in caplog.text


def subscribed(url: str) -> set[str]:
    """The pub/sub channels someone is subscribed to on this Redis (``PUBSUB CHANNELS``)."""
    client = redis.Redis.from_url(url)
    try:
        return {name.decode() for name in client.pubsub_channels()}
    finally:
        client.close()


async def until(condition: Callable[[], bool], *, timeout_s: float) -> None:
    """Wait, letting the event loop run, until ``condition()`` holds; fails after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not true within {timeout_s} s"
        await asyncio.sleep(0.1)


@pytest.mark.asyncio
async def test_the_layer_logs_a_lost_redis_once_and_its_return_once(own_redis, caplog):
    layer = layer_for(own_redis.url, "faults")
    channel = await layer.new_channel()
    try:
        with caplog.at_level(logging.INFO):
            own_redis.stop()
            await asyncio.sleep(3.5)  # the receive loop tries to reconnect every second
            own_redis.start()
            await until(lambda: channel in subscribed(own_redis.url), timeout_s=10)
    finally:
        await layer.flush()

    assert [(record.name, record.levelno) for record in caplog.records] == [
        ("config.redis_layer", logging.WARNING),
        ("config.redis_layer", logging.INFO),
    ]
    assert "lost" in caplog.records[0].getMessage()
    assert "back" in caplog.records[1].getMessage()
    assert caplog.records[0].exc_info is None


@pytest.mark.asyncio
async def test_what_sockets_left_while_redis_was_stopped_is_not_subscribed_again_when_it_is_back(
    asgi_app, own_redis
):
    staying = await acreate(AttendeeFactory)
    leaving = await acreate(AttendeeFactory, event=staying.event)
    with override_settings(**redis_settings(own_redis.url, "faults")):
        layer = get_channel_layer()._get_layer()
        kept = await phone_on(asgi_app, staying)
        gone = await phone_on(asgi_app, leaving)
        own_redis.stop()
        await asyncio.sleep(1.5)  # the receive loop saw the connection go

        await gone.disconnect()  # its channel and its own group: unsubscribes that fail
        own_redis.start()
        wanted = set(layer.channels) | set(layer.groups)
        await until(lambda: subscribed(own_redis.url) >= wanted, timeout_s=10)
        renewed = subscribed(own_redis.url)
        await kept.disconnect()

    assert len(wanted) == 3  # the staying phone's channel, its group, the event's group
    assert renewed == wanted


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail, rather than wait for ever, when the block takes longer than ``seconds`` (SIGALRM
    interrupts the main thread's wait)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


HUNG = {"REDIS_TIMEOUT": "1"}
"""The settings of the tests where Redis hangs: it counts as unreachable after 1 s."""


def test_control_actions_and_healthz_while_redis_hangs_answer_in_bounded_time(
    client, event, own_redis
):
    client.force_login(event.organizer)
    with override_settings(**redis_settings(own_redis.url, "faults", **HUNG)):
        assert client.get("/healthz").status_code == 200
        own_redis.pause()
        try:
            with deadline(30):
                started = time.monotonic()
                action = act(client, event, "start")  # a push to every phone after commit
                acted_in = time.monotonic() - started
                started = time.monotonic()
                health = client.get("/healthz")
                health_in = time.monotonic() - started
        finally:
            own_redis.resume()
        health_after = client.get("/healthz")

    assert action.status_code == 200
    assert Round.objects.get(event=event, number=1).status == Round.Status.RUNNING
    assert acted_in < 3
    assert health.status_code == 503
    assert health.json()["channel_layer"] == {"status": "down", "backend": "redis"}
    assert health.json()["cache"] == {"status": "down", "backend": "redis"}
    assert health_in < 3
    assert health_after.status_code == 200


@pytest.mark.asyncio
async def test_a_phone_connecting_while_redis_hangs_is_closed_with_4503_and_opens_once_it_answers(
    asgi_app, own_redis
):
    staying = await acreate(AttendeeFactory)
    arriving = await acreate(AttendeeFactory, event=staying.event)
    with override_settings(**redis_settings(own_redis.url, "faults", **HUNG)):
        layer = get_channel_layer()
        kept = await phone_on(asgi_app, staying)  # the layer's connections are open
        own_redis.pause()
        try:
            phone = WebsocketCommunicator(asgi_app, f"/ws/a/{arriving.token}/", headers=[ORIGIN])
            started = time.monotonic()
            connected, _ = await phone.connect(timeout=10)
            closed = await phone.receive_output(timeout=10)
            took = time.monotonic() - started
            await phone.wait()
        finally:
            own_redis.resume()

        again = await phone_on(asgi_app, arriving)  # its state and presence: it opens
        await layer.group_send(event_group(staying.event_id), {"type": "push", "text": "back"})
        heard = [await kept.receive_from(timeout=5), await again.receive_from(timeout=5)]
        loop_layer = layer._get_layer()
        wanted = set(loop_layer.channels) | set(loop_layer.groups)
        # the subscription Redis took late for the socket closed with 4503 is dropped again
        await until(lambda: subscribed(own_redis.url) == wanted, timeout_s=5)
        await kept.disconnect()
        await again.disconnect()

    assert connected
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}
    assert took < 3
    assert heard == ["back", "back"]
    assert len(wanted) == 5  # two phones' channels and groups, the event's group


@pytest.mark.asyncio
async def test_the_layers_commands_give_up_on_a_hung_redis_and_work_again_once_it_answers(
    own_redis,
):
    layer = layer_for(own_redis.url, "faults", **HUNG)
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    await layer.group_send("room", {"type": "push", "text": "before"})  # its connection opens
    assert (await asyncio.wait_for(layer.receive(channel), 5))["text"] == "before"
    own_redis.pause()
    try:
        started = time.monotonic()
        async with asyncio.timeout(10):  # fails, rather than waits for ever, if they hang
            with pytest.raises(RedisTimeoutError):
                await layer.group_send("room", {"type": "push", "text": "lost"})
            with pytest.raises(RedisTimeoutError):
                await layer.group_add("other", channel)
        took = time.monotonic() - started
    finally:
        own_redis.resume()
    try:
        await layer.group_send("room", {"type": "push", "text": "back"})
        await layer.group_send("other", {"type": "push", "text": "other"})
        heard = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(3)]
    finally:
        await layer.flush()

    assert took < 3  # a second each
    # The push given up on had reached Redis's socket: Redis sends it when it resumes (at most
    # once, maybe late: phones apply a message only when its version is newer, docs/protocol.md).
    assert [message["text"] for message in heard] == ["lost", "back", "other"]


@pytest.mark.asyncio
async def test_a_phone_closing_while_redis_hangs_ends_in_bounded_time(asgi_app, own_redis, caplog):
    attendee = await acreate(AttendeeFactory)
    with override_settings(**redis_settings(own_redis.url, "faults", **HUNG)):
        phone = await phone_on(asgi_app, attendee)
        own_redis.pause()
        try:
            started = time.monotonic()
            with caplog.at_level(logging.INFO):
                await phone.disconnect(timeout=10)  # raises what escapes the consumer
            took = time.monotonic() - started
        finally:
            own_redis.resume()
        layer = get_channel_layer()
        kept = (layer.channels, layer.groups)

    assert took < 4  # its presence key (the cache) and "this socket closed" (a push): 1 s each
    assert kept == ({}, {})
    assert said(caplog.records) == [("rounds.consumers", logging.WARNING)]
