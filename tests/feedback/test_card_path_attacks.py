"""A hostile phone and a flaky network against the card path: taps in flight on one socket, the
writer's sharing of a repeated tap's answer, disconnects and floods."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid

import pytest
from channels.db import database_sync_to_async

from feedback import consumers
from feedback.models import Card
from tests.feedback.test_consumers import cards, count_written_taps, phone_of, seated, tap

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def acks_of(phone, count: int) -> list[dict]:
    """The next ``count`` card_acks of ``phone`` (other frames skipped)."""
    acks: list[dict] = []
    while len(acks) < count:
        frame = json.loads(await phone.receive_from(timeout=5))
        if frame["type"] == "card_ack":
            acks.append(frame)
    return acks


async def test_give_take_back_give_take_back_with_one_client_id_ends_with_no_card(
    asgi_app, monkeypatch
):
    """Done in order, give / take back / give / take back leave no card. The second take-back
    must not share the first take-back's answer: a give came between them."""
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    gate = threading.Event()
    count_written_taps(monkeypatch, gate=gate)
    client_id = str(uuid.uuid4())
    frames = [
        tap(pitcher, client_id=client_id),
        tap(pitcher, action="take_back", client_id=client_id),
        tap(pitcher, client_id=client_id),
        tap(pitcher, action="take_back", client_id=client_id),
    ]

    for frame in frames:
        await phone.send_to(text_data=frame)
    await asyncio.sleep(0.2)  # all four read while the first one is being written
    gate.set()
    acks = await acks_of(phone, len(frames))

    assert [(a["action"], a["ok"]) for a in acks] == [
        ("give", True),
        ("take_back", True),
        ("give", True),
        ("take_back", True),
    ]
    assert await cards() == []  # the phone was told its last take-back was done
    await phone.disconnect()


async def test_take_back_give_take_back_of_a_given_card_ends_with_no_card(asgi_app, monkeypatch):
    """The shortest form: a card given earlier, then take back / give / take back with its client
    id, the last one from a second tab. The last take-back joins the first one's answer."""
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    second = await phone_of(asgi_app, listener)
    client_id = str(uuid.uuid4())
    await phone.send_to(text_data=tap(pitcher, client_id=client_id))
    [given] = await acks_of(phone, 1)
    gate = threading.Event()
    count_written_taps(monkeypatch, gate=gate)

    await phone.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))
    await phone.send_to(text_data=tap(pitcher, client_id=client_id))
    await asyncio.sleep(0.1)
    await second.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))
    await asyncio.sleep(0.1)
    gate.set()
    acks = [*await acks_of(phone, 2), *await acks_of(second, 1)]

    assert given["ok"]
    assert [(a["action"], a["ok"]) for a in acks] == [
        ("take_back", True),
        ("give", True),
        ("take_back", True),
    ]
    assert await cards() == []
    await phone.disconnect()
    await second.disconnect()


async def test_a_refused_frame_is_answered_after_the_taps_before_it(asgi_app, monkeypatch):
    """docs/protocol.md: a socket's card_acks come in the order of its card frames, refusals of
    malformed frames (with a client id) included."""
    [[pitcher, listener]] = await seated(2)
    phone = await phone_of(asgi_app, listener)
    gate = threading.Event()
    count_written_taps(monkeypatch, gate=gate)
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())

    await phone.send_to(text_data=tap(pitcher, client_id=good))
    await phone.send_to(text_data=tap(pitcher, kind="hug", client_id=bad))
    await asyncio.sleep(0.2)
    gate.set()
    acks = await acks_of(phone, 2)

    assert [(a["client_id"], a["ok"]) for a in acks] == [(good, True), (bad, False)]
    await phone.disconnect()


async def test_a_phone_gone_with_taps_in_flight_leaves_them_written_and_the_writer_working(
    asgi_app, monkeypatch, caplog
):
    [[pitcher, listener, other]] = await seated(3)
    phone = await phone_of(asgi_app, listener)
    other_phone = await phone_of(asgi_app, other)
    gate = threading.Event()
    count_written_taps(monkeypatch, gate=gate)

    for frame in [tap(pitcher), tap(other), tap(pitcher, kind="introduce", note="a")]:
        await phone.send_to(text_data=frame)
    await asyncio.sleep(0.2)
    with caplog.at_level(logging.WARNING):
        await phone.disconnect()
        gate.set()
        await other_phone.send_to(text_data=tap(pitcher))
        [ack] = await acks_of(other_phone, 1)
        for _ in range(50):
            if not consumers.tap_writer().pending:
                break
            await asyncio.sleep(0.05)

    assert ack["ok"]
    assert len(await cards()) == 4
    assert consumers.tap_writer().pending == {}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    await other_phone.disconnect()


async def test_the_same_tap_on_two_sockets_of_one_attendee_is_written_once(asgi_app, monkeypatch):
    [[pitcher, listener]] = await seated(2)
    first = await phone_of(asgi_app, listener)
    second = await phone_of(asgi_app, listener)
    gate = threading.Event()
    written = count_written_taps(monkeypatch, gate=gate)
    frame = tap(pitcher)

    await first.send_to(text_data=frame)
    await second.send_to(text_data=frame)
    await asyncio.sleep(0.2)
    gate.set()
    [one] = await acks_of(first, 1)
    [two] = await acks_of(second, 1)

    assert one == two
    assert one["ok"]
    assert sum(written) == 1
    assert len(await cards()) == 1
    await first.disconnect()
    await second.disconnect()


async def test_a_flooding_phone_is_closed_and_does_not_starve_another_phone(asgi_app):
    [[pitcher, listener, other]] = await seated(3)
    flooder = await phone_of(asgi_app, listener)
    other_phone = await phone_of(asgi_app, other)

    for n in range(100):
        await flooder.send_to(text_data=tap(pitcher, kind="introduce", note=f"cousin {n}"))
    await other_phone.send_to(text_data=tap(pitcher))
    [ack] = await acks_of(other_phone, 1)

    assert ack["ok"]
    closed = None
    for _ in range(200):
        output = await flooder.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            closed = output
            break
    assert closed == {"type": "websocket.close", "code": 4429}
    assert await database_sync_to_async(Card.objects.filter(giver=other).count)() == 1
    await other_phone.disconnect()
    await flooder.disconnect()


async def test_a_give_taken_back_while_still_queued_leaves_no_card(asgi_app, monkeypatch):
    [[pitcher, listener, other]] = await seated(3)
    phone = await phone_of(asgi_app, listener)
    second = await phone_of(asgi_app, listener)  # the take-back comes from another tab
    gate = threading.Event()
    count_written_taps(monkeypatch, gate=gate)
    client_id = str(uuid.uuid4())

    await phone.send_to(text_data=tap(other))  # being written: the next ones wait in the queue
    await asyncio.sleep(0.1)
    await phone.send_to(text_data=tap(pitcher, client_id=client_id))
    await asyncio.sleep(0.1)
    await second.send_to(text_data=tap(pitcher, action="take_back", client_id=client_id))
    await asyncio.sleep(0.1)
    gate.set()
    acks = await acks_of(phone, 2)
    [taken_back] = await acks_of(second, 1)

    assert [a["ok"] for a in [*acks, taken_back]] == [True, True, True]
    assert [receiver for _, receiver, _, _ in await cards()] == [other.pk]
    await phone.disconnect()
    await second.disconnect()


async def test_a_tap_after_the_event_closed_is_refused(asgi_app):
    [[pitcher, listener, other]] = await seated(3)
    phone = await phone_of(asgi_app, listener)
    await phone.send_to(text_data=tap(pitcher))
    [given] = await acks_of(phone, 1)

    await database_sync_to_async(
        lambda: type(pitcher.event).objects.filter(pk=pitcher.event_id).update(status="closed")
    )()
    await phone.send_to(text_data=tap(other))
    [refused] = await acks_of(phone, 1)

    assert given["ok"]
    assert (refused["ok"], refused["error"]) == (False, "The event is closed.")
    assert [receiver for _, receiver, _, _ in await cards()] == [pitcher.pk]
    await phone.disconnect()


async def cards_pushed_to(phone, count: int) -> list[dict]:
    """The next ``count`` card pushes ``phone`` receives (other frames skipped)."""
    pushed: list[dict] = []
    while len(pushed) < count:
        frame = json.loads(await phone.receive_from(timeout=5))
        if frame["type"] == "card":
            pushed.append(frame["card"])
    return pushed


async def test_a_slow_push_holds_neither_the_answers_nor_the_next_batches(asgi_app, monkeypatch):
    """The channel layer slow to take a push (Redis busy): the taps after it are still written
    and answered (the one database thread is not held while the event loop sends), and the
    pushes then reach the pitcher in the order their taps were written: a give before its
    take-back, never the other way round."""
    from channels.layers import get_channel_layer

    [[pitcher, listener, other]] = await seated(3)
    pitcher_phone = await phone_of(asgi_app, pitcher)
    listener_phone = await phone_of(asgi_app, listener)
    other_phone = await phone_of(asgi_app, other)
    layer = get_channel_layer()
    real_group_send = layer.group_send
    release = asyncio.Event()

    async def slow_group_send(group, message):
        await release.wait()
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", slow_group_send)
    given = str(uuid.uuid4())

    await listener_phone.send_to(text_data=tap(pitcher, client_id=given))
    [first] = await acks_of(listener_phone, 1)
    await other_phone.send_to(text_data=tap(pitcher))
    [second] = await acks_of(other_phone, 1)
    await listener_phone.send_to(text_data=tap(pitcher, action="take_back", client_id=given))
    [taken_back] = await acks_of(listener_phone, 1)
    release.set()
    pushed = await cards_pushed_to(pitcher_phone, 3)

    assert [(a["action"], a["ok"]) for a in (first, second, taken_back)] == [
        ("give", True),
        ("give", True),
        ("take_back", True),
    ]
    assert [(card["giver"]["id"], card["is_given"]) for card in pushed] == [
        (listener.pk, True),
        (other.pk, True),
        (listener.pk, False),
    ]
    assert await cards() == [(other.pk, pitcher.pk, "see_me", "")]
    for phone in (pitcher_phone, listener_phone, other_phone):
        await phone.disconnect()


async def test_a_channel_layer_that_never_answers_costs_one_timeout_per_batch(monkeypatch, caplog):
    """``send_all`` gives a hanging layer ``PUSH_TIMEOUT_S`` once: the rest of the batch is
    dropped with one log line (phones resync from the next snapshot), and it returns."""
    from channels.layers import get_channel_layer

    from rounds import broadcasts

    layer = get_channel_layer()
    calls: list[str] = []

    async def hanging_group_send(group, message):
        calls.append(group)
        await asyncio.Event().wait()

    monkeypatch.setattr(layer, "group_send", hanging_group_send)
    monkeypatch.setattr(broadcasts, "PUSH_TIMEOUT_S", 0.1)
    messages = [(f"g{n}", {"type": "push", "text": "{}"}) for n in range(3)]

    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(broadcasts.send_all(messages), 5)

    assert calls == ["g0"]
    assert "push to g0 timed out; 3 pushes dropped" in caplog.text


async def test_a_channel_layer_refusing_connections_is_one_line_per_period(monkeypatch, caplog):
    """Redis down: a batch's first push is refused and the rest of the batch is dropped with
    it; the log says so once a period with the number dropped, not a traceback per push."""
    from channels.layers import get_channel_layer
    from redis.exceptions import ConnectionError as RedisConnectionError

    from rounds import broadcasts

    layer = get_channel_layer()
    calls: list[str] = []

    async def refusing_group_send(group, message):
        calls.append(group)
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(layer, "group_send", refusing_group_send)
    broadcasts.PUSHES_REFUSED.reset()
    batches = [[(f"g{b}.{n}", {"type": "push", "text": "{}"}) for n in range(3)] for b in range(4)]

    with caplog.at_level(logging.WARNING):
        for batch in batches:
            await asyncio.wait_for(broadcasts.send_all(batch), 5)

    assert calls == ["g0.0", "g1.0", "g2.0", "g3.0"]  # one try a batch
    lines = [r for r in caplog.records if r.name == "rounds.broadcasts"]
    assert len(lines) == 1
    assert "refuses connections" in lines[0].getMessage()
    assert "3 push(es) dropped" in lines[0].getMessage()
    assert lines[0].exc_info is None
    assert broadcasts.PUSHES_REFUSED.unlogged == 9  # counted for the next line

    broadcasts.PUSHES_REFUSED.logged_at = -broadcasts.PUSHES_REFUSED.every_s
    with caplog.at_level(logging.WARNING):
        await broadcasts.send_all(batches[0])
    assert "12 push(es) dropped" in caplog.records[-1].getMessage()
    broadcasts.PUSHES_REFUSED.reset()
