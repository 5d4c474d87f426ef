from __future__ import annotations

import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from rounds.groups import attendee_group, event_group
from tests.conftest import ORIGIN, acreate
from tests.factories import AttendeeFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def connect(asgi_app, token: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(asgi_app, f"/ws/a/{token}/", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_attendee_consumer_refuses_an_unknown_token(asgi_app):
    communicator = WebsocketCommunicator(asgi_app, "/ws/a/not-a-token/", headers=[ORIGIN])

    connected, code = await communicator.connect()

    assert (connected, code) == (False, 4403)


async def test_attendee_consumer_answers_ping_with_server_time(asgi_app):
    attendee = await acreate(AttendeeFactory)
    communicator = await connect(asgi_app, attendee.token)

    await communicator.send_to(text_data=json.dumps({"type": "ping", "id": 7, "t": 1234.5}))
    pong = json.loads(await communicator.receive_from())

    assert {k: pong[k] for k in ("type", "id", "t")} == {"type": "pong", "id": 7, "t": 1234.5}
    assert isinstance(pong["server_time"], int)
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2, 3]",
        '{"no": "type"}',
        '{"type": "ping", "id": "x", "t": 1}',
        '{"type": "drop_tables"}',
        json.dumps({"type": "ping", "id": 1, "t": 1, "pad": "x" * 5000}),
    ],
)
async def test_attendee_consumer_ignores_junk_frames(asgi_app, frame):
    attendee = await acreate(AttendeeFactory)
    communicator = await connect(asgi_app, attendee.token)

    await communicator.send_to(text_data=frame)

    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.send_to(text_data=json.dumps({"type": "ping", "id": 2, "t": 5}))
    assert json.loads(await communicator.receive_from())["id"] == 2
    await communicator.disconnect()


async def test_attendee_consumer_forwards_pushes_to_its_event_and_own_groups_only(asgi_app):
    alice = await acreate(AttendeeFactory)
    bob = await acreate(AttendeeFactory, event=alice.event)
    alice_phone = await connect(asgi_app, alice.token)
    bob_phone = await connect(asgi_app, bob.token)
    layer = get_channel_layer()

    await layer.group_send(event_group(alice.event_id), {"type": "push", "text": '{"to":"all"}'})
    await layer.group_send(attendee_group(alice.pk), {"type": "push", "text": '{"to":"alice"}'})

    assert await alice_phone.receive_from() == '{"to":"all"}'
    assert await alice_phone.receive_from() == '{"to":"alice"}'
    assert await bob_phone.receive_from() == '{"to":"all"}'
    assert await bob_phone.receive_nothing(timeout=0.2)
    await alice_phone.disconnect()
    await bob_phone.disconnect()
