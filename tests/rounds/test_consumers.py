from __future__ import annotations

import asyncio
import gc
import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.test import Client

from events import services
from events import services as event_services
from events.models import Event
from feedback import retention
from rounds import consumers, presence
from rounds import queries as round_queries
from rounds import services as round_services
from rounds.consumers import CLOSE_FLOOD, FLOOD_FRAMES, ControlConsumer
from rounds.groups import attendee_group, control_group, event_group, projector_group
from tests.conftest import ORIGIN, acreate, open_phone
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def refusal(communicator: WebsocketCommunicator) -> dict:
    """What a refused socket gets: accepted, then at once (before any state) a close, so the
    browser sees the close code instead of a failed handshake."""
    connected, _ = await communicator.connect()
    assert connected
    return await communicator.receive_output()


async def connect(asgi_app, path: str, *, user=None) -> tuple[WebsocketCommunicator, dict]:
    communicator = WebsocketCommunicator(asgi_app, path, headers=await headers_for(user))
    connected, _ = await communicator.connect()
    assert connected
    state = json.loads(await communicator.receive_from())
    return communicator, state


async def headers_for(user) -> list[tuple[bytes, bytes]]:
    """The handshake headers of a browser; with a user, signed in through a real session."""
    if user is None:
        return [ORIGIN]
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


async def phone_of(asgi_app, attendee) -> WebsocketCommunicator:
    communicator, _, _ = await open_phone(asgi_app, attendee.token)
    return communicator


async def test_attendee_consumer_refuses_an_unknown_token(asgi_app):
    communicator = WebsocketCommunicator(asgi_app, "/ws/a/not-a-token/", headers=[ORIGIN])

    assert await refusal(communicator) == {"type": "websocket.close", "code": 4403}


async def test_attendee_consumer_sends_the_state_snapshot_on_connect(asgi_app):
    event = await acreate(EventFactory, live=True, state_version=5, rounds_count=6)
    attendee = await acreate(AttendeeFactory, event=event)
    await acreate(RoundFactory, event=event, number=1, running=True)

    phone, state, presence = await open_phone(asgi_app, attendee.token)

    assert presence == {
        "type": "presence",
        "checked_in": False,
        "left": False,
        "removed": False,
        "sharing": None,
    }
    assert state["type"] == "state"
    assert state["version"] == 5
    assert state["event"] == {
        "id": event.pk,
        "status": "live",
        "rounds_count": 6,
        "round_ms": 180_000,
        "pitch_ms": 30_000,
        "language": "en",
        "has_plan": False,
        "plan_version": 0,
        "seats_walk_ins": False,
    }
    assert state["round"]["number"] == 1
    assert state["round"]["status"] == "running"
    assert state["announcement"] is None
    await phone.disconnect()


async def test_attendee_consumer_answers_ping_with_server_time(asgi_app):
    phone = await phone_of(asgi_app, await acreate(AttendeeFactory))

    await phone.send_to(text_data=json.dumps({"type": "ping", "id": 7, "t": 1234.5}))
    pong = json.loads(await phone.receive_from())

    assert {k: pong[k] for k in ("type", "id", "t")} == {"type": "pong", "id": 7, "t": 1234.5}
    assert isinstance(pong["server_time"], int)
    await phone.disconnect()


async def test_attendee_consumer_drops_a_pong_for_a_phone_already_gone(asgi_app, caplog):
    """A page closed right after connecting: daphne raises autobahn's ``Disconnected`` for the
    pong sent after the socket closed. The frame is dropped without "Exception inside
    application" and the socket's disconnect still ends the consumer."""
    from autobahn.exception import Disconnected

    closed = False

    async def daphne_like(scope, receive, send):
        async def send_until_closed(message):
            if closed:
                raise Disconnected("Attempt to send on a closed protocol")
            await send(message)

        await asgi_app(scope, receive, send_until_closed)

    phone, _, _ = await open_phone(daphne_like, (await acreate(AttendeeFactory)).token)
    closed = True

    await phone.send_to(text_data=json.dumps({"type": "ping", "id": 7, "t": 1234.5}))
    assert await phone.receive_nothing(timeout=0.3)  # raises the consumer's exception, if any
    await phone.disconnect()

    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_attendee_consumer_sends_a_snapshot_on_request_at_most_once_a_second(asgi_app):
    phone = await phone_of(asgi_app, await acreate(AttendeeFactory))

    await phone.send_to(text_data='{"type": "snapshot"}')
    first = json.loads(await phone.receive_from())
    await phone.send_to(text_data='{"type": "snapshot"}')

    assert first["type"] == "state"
    assert await phone.receive_nothing(timeout=0.2)
    await phone.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2, 3]",
        '{"no": "type"}',
        '{"type": 5}',
        '{"type": "ping", "id": "x", "t": 1}',
        '{"type": "ping", "id": true, "t": 1}',
        '{"type": "ping", "id": 1, "t": "soon"}',
        '{"type": "drop_tables"}',
        json.dumps({"type": "ping", "id": 1, "t": 1, "pad": "x" * 5000}),
    ],
)
async def test_attendee_consumer_ignores_junk_frames(asgi_app, frame):
    phone = await phone_of(asgi_app, await acreate(AttendeeFactory))

    await phone.send_to(text_data=frame)

    assert await phone.receive_nothing(timeout=0.2)
    await phone.send_to(text_data=json.dumps({"type": "ping", "id": 2, "t": 5}))
    assert json.loads(await phone.receive_from())["id"] == 2
    await phone.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "ping", "id": 1, "t": NaN}',
        '{"type": "ping", "id": 1, "t": Infinity}',
        '{"type": "ping", "id": 1, "t": -Infinity}',
        '{"type": "ping", "id": 1, "t": 1e400}',
        '{"type": "ping", "id": 1, "t": ' + "9" * 400 + "}",
        '{"type": "ping", "id": ' + "9" * 400 + ', "t": 1}',
        '{"type": "ping", "id": 9007199254740992, "t": 1}',
        '{"type": "ping", "id": -1, "t": 1}',
    ],
)
async def test_attendee_consumer_ignores_a_ping_whose_echo_the_phone_could_not_read(
    asgi_app, frame
):
    phone = await phone_of(asgi_app, await acreate(AttendeeFactory))

    await phone.send_to(text_data=frame)

    assert await phone.receive_nothing(timeout=0.2)
    await phone.send_to(text_data=json.dumps({"type": "ping", "id": 9007199254740991, "t": 5}))
    pong = await phone.receive_from()
    assert json.loads(pong)["id"] == 9007199254740991
    await phone.disconnect()


async def test_attendee_consumer_ignores_binary_frames(asgi_app):
    phone = await phone_of(asgi_app, await acreate(AttendeeFactory))

    await phone.send_to(bytes_data=b"\x00\x01")

    assert await phone.receive_nothing(timeout=0.2)
    await phone.disconnect()


async def test_attendee_consumer_closes_a_flooding_socket(asgi_app):
    phone = await phone_of(asgi_app, await acreate(AttendeeFactory))

    for _ in range(FLOOD_FRAMES + 1):
        await phone.send_to(text_data="junk")

    assert await phone.receive_output(timeout=1) == {"type": "websocket.close", "code": CLOSE_FLOOD}


async def test_attendee_consumer_forwards_pushes_to_its_event_and_own_groups_only(asgi_app):
    alice = await acreate(AttendeeFactory)
    bob = await acreate(AttendeeFactory, event=alice.event)
    stranger = await acreate(AttendeeFactory)
    alice_phone = await phone_of(asgi_app, alice)
    bob_phone = await phone_of(asgi_app, bob)
    stranger_phone = await phone_of(asgi_app, stranger)
    layer = get_channel_layer()

    await layer.group_send(event_group(alice.event_id), {"type": "push", "text": '{"to":"all"}'})
    await layer.group_send(attendee_group(alice.pk), {"type": "push", "text": '{"to":"alice"}'})
    await layer.group_send(control_group(alice.event_id), {"type": "push", "text": '{"to":"org"}'})

    assert await alice_phone.receive_from() == '{"to":"all"}'
    assert await alice_phone.receive_from() == '{"to":"alice"}'
    assert await bob_phone.receive_from() == '{"to":"all"}'
    assert await bob_phone.receive_nothing(timeout=0.2)
    assert await alice_phone.receive_nothing(timeout=0.1)
    assert await stranger_phone.receive_nothing(timeout=0.1)
    for phone in (alice_phone, bob_phone, stranger_phone):
        await phone.disconnect()


async def test_control_consumer_accepts_the_organizer_and_a_co_organizer(asgi_app):
    event = await acreate(EventFactory)
    co_organizer = await acreate(UserFactory)
    await event.co_organizers.aadd(co_organizer)

    for user in (event.organizer, co_organizer):
        dashboard, state = await connect(asgi_app, f"/ws/events/{event.pk}/control/", user=user)
        assert state["event"]["id"] == event.pk
        await dashboard.disconnect()


@pytest.mark.parametrize("who", ["anonymous", "other_organizer", "attendee_token_as_user"])
async def test_control_consumer_refuses_anyone_else_at_the_handshake(asgi_app, who):
    event = await acreate(EventFactory)
    other_event = await acreate(EventFactory)
    users = {
        "anonymous": None,
        "other_organizer": other_event.organizer,
        "attendee_token_as_user": None,
    }
    path = f"/ws/events/{event.pk}/control/"
    if who == "attendee_token_as_user":
        attendee = await acreate(AttendeeFactory, event=event)
        path += f"?token={attendee.token}"
    communicator = WebsocketCommunicator(asgi_app, path, headers=await headers_for(users[who]))

    assert await refusal(communicator) == {"type": "websocket.close", "code": 4403}


async def test_control_consumer_gets_control_pushes(asgi_app):
    event = await acreate(EventFactory)
    dashboard, _ = await connect(asgi_app, f"/ws/events/{event.pk}/control/", user=event.organizer)

    await get_channel_layer().group_send(
        control_group(event.pk), {"type": "push", "text": '{"to":"org"}'}
    )

    assert await dashboard.receive_from() == '{"to":"org"}'
    await dashboard.disconnect()


async def test_attendee_consumer_reconnect_mid_round_gets_the_same_deadline(asgi_app):
    round_ = await acreate(RoundFactory, number=1, running=True)
    attendee = await acreate(AttendeeFactory, event=round_.event)

    first_phone, before, _ = await open_phone(asgi_app, attendee.token)
    await first_phone.disconnect()
    second_phone, after, _ = await open_phone(asgi_app, attendee.token)

    assert after["round"] == before["round"]
    assert after["round"]["ends_at"] == round(round_.ends_at.timestamp() * 1000)
    remaining = after["round"]["ends_at"] - after["server_time"]
    assert 0 < remaining <= 180_000
    await second_phone.disconnect()


async def test_projector_consumer_gets_the_room_but_not_attendee_or_control_pushes(asgi_app):
    event = await acreate(EventFactory, live=True)
    attendee = await acreate(AttendeeFactory, event=event)
    screen, state = await connect(asgi_app, f"/ws/p/{event.projector_key}/")
    layer = get_channel_layer()

    await layer.group_send(attendee_group(attendee.pk), {"type": "push", "text": '{"to":"one"}'})
    await layer.group_send(control_group(event.pk), {"type": "push", "text": '{"to":"org"}'})
    await layer.group_send(event_group(event.pk), {"type": "push", "text": '{"to":"all"}'})

    assert state["event"]["id"] == event.pk
    assert await screen.receive_from() == '{"to":"all"}'
    assert await screen.receive_nothing(timeout=0.2)
    await screen.disconnect()


async def test_projector_consumer_gets_the_projector_group_but_no_other_events(asgi_app):
    event = await acreate(EventFactory, live=True)
    other = await acreate(EventFactory, live=True)
    screen, _state = await connect(asgi_app, f"/ws/p/{event.projector_key}/")
    layer = get_channel_layer()

    await layer.group_send(projector_group(other.pk), {"type": "push", "text": '{"to":"other"}'})
    await layer.group_send(projector_group(event.pk), {"type": "push", "text": '{"to":"screen"}'})

    assert await screen.receive_from() == '{"to":"screen"}'
    assert await screen.receive_nothing(timeout=0.2)
    await screen.disconnect()


async def test_projector_consumer_refuses_a_wrong_key(asgi_app):
    screen = WebsocketCommunicator(asgi_app, "/ws/p/guessed/", headers=[ORIGIN])

    assert await refusal(screen) == {"type": "websocket.close", "code": 4403}


async def test_attendee_consumer_counts_the_phone_as_connected_until_it_disconnects(asgi_app):
    attendee = await acreate(AttendeeFactory)
    connected = database_sync_to_async(presence.connected_count)

    phone = await phone_of(asgi_app, attendee)
    while_open = await connected([attendee.pk])
    await phone.disconnect()

    assert (while_open, await connected([attendee.pk])) == (1, 0)


async def test_attendee_consumer_refused_socket_is_not_counted(asgi_app):
    communicator = WebsocketCommunicator(asgi_app, "/ws/a/not-a-token/", headers=[ORIGIN])

    await communicator.connect()

    assert presence.connected_count([999_999]) == 0


async def test_control_consumer_of_a_removed_co_organizer_is_closed_at_once(asgi_app):
    event = await acreate(EventFactory)
    helper = await acreate(UserFactory)
    await event.co_organizers.aadd(helper)
    owner_dashboard, _ = await connect(
        asgi_app, f"/ws/events/{event.pk}/control/", user=event.organizer
    )
    helper_dashboard, _ = await connect(asgi_app, f"/ws/events/{event.pk}/control/", user=helper)

    await database_sync_to_async(services.remove_co_organizer)(
        event, user_id=helper.pk, by=event.organizer
    )
    await get_channel_layer().group_send(
        control_group(event.pk), {"type": "push", "text": '{"to":"org"}'}
    )

    assert await helper_dashboard.receive_output() == {"type": "websocket.close", "code": 4403}
    assert await helper_dashboard.receive_nothing(timeout=0.2)
    assert await owner_dashboard.receive_from() == '{"to":"org"}'
    await owner_dashboard.disconnect()


def admin_delete(path: str) -> int:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client.post(path, {"post": "yes"}).status_code


async def test_attendee_consumer_is_closed_when_the_admin_deletes_the_attendee(asgi_app):
    event = await acreate(EventFactory)
    gone = await acreate(AttendeeFactory, event=event)
    stays = await acreate(AttendeeFactory, event=event)
    gone_phone, other_phone = await phone_of(asgi_app, gone), await phone_of(asgi_app, stays)

    status = await database_sync_to_async(admin_delete)(f"/admin/events/attendee/{gone.pk}/delete/")

    assert status == 302
    assert await gone_phone.receive_output() == {"type": "websocket.close", "code": 4403}
    assert not await presence_of(gone.pk)
    assert await other_phone.receive_nothing(timeout=0.2)
    await other_phone.disconnect()


async def test_every_socket_of_an_event_is_closed_when_the_admin_deletes_it(asgi_app):
    event = await acreate(EventFactory)
    attendee = await acreate(AttendeeFactory, event=event)
    phone = await phone_of(asgi_app, attendee)
    dashboard, _ = await connect(asgi_app, f"/ws/events/{event.pk}/control/", user=event.organizer)
    projector, _ = await connect(asgi_app, f"/ws/p/{event.projector_key}/")

    status = await database_sync_to_async(admin_delete)(f"/admin/events/event/{event.pk}/delete/")

    assert status == 302
    for socket in (phone, dashboard, projector):
        assert await socket.receive_output() == {"type": "websocket.close", "code": 4403}


async def presence_of(attendee_id: int) -> bool:
    return await database_sync_to_async(presence.connected_count)([attendee_id]) == 1


async def test_control_consumer_hears_of_check_ins_undos_and_walk_ins_after_the_commit(asgi_app):
    event = await acreate(EventFactory, live=True)
    attendee = await acreate(AttendeeFactory, event=event)
    dashboard, _ = await connect(asgi_app, f"/ws/events/{event.pk}/control/", user=event.organizer)
    phone = await phone_of(asgi_app, attendee)
    counters = {"type": "counters"}

    presence = {"type": "presence", "left": False, "removed": False, "sharing": None}

    await database_sync_to_async(event_services.check_in)(attendee, by=event.organizer)
    assert json.loads(await dashboard.receive_from()) == counters
    # the attendee's own phone hears of its check-in (never the counters)
    assert json.loads(await phone.receive_from()) == {**presence, "checked_in": True}
    await database_sync_to_async(event_services.undo_check_in)(attendee, by=event.organizer)
    assert json.loads(await dashboard.receive_from()) == counters
    assert json.loads(await phone.receive_from()) == {**presence, "checked_in": False}
    await database_sync_to_async(event_services.join_event)(event, name="Walk In")
    assert json.loads(await dashboard.receive_from()) == counters
    await database_sync_to_async(event_services.undo_check_in)(attendee)  # nothing changed
    assert await dashboard.receive_nothing(timeout=0.2)
    assert await phone.receive_nothing(timeout=0.1)  # nor of someone else's arrival
    for socket in (dashboard, phone):
        await socket.disconnect()


async def test_projector_hears_who_is_here_changed_after_check_ins_leaving_and_erasures(
    asgi_app,
):
    event = await acreate(EventFactory, live=True)
    staying, going, erased = [await acreate(AttendeeFactory, event=event) for _ in range(3)]
    late = await acreate(AttendeeFactory, event=event, checked_in=True, name="Late Erasure")
    screen, _state = await connect(asgi_app, f"/ws/p/{event.projector_key}/")
    phone = await phone_of(asgi_app, staying)
    people = {"type": "people"}

    for person in (staying, going, erased):
        await database_sync_to_async(event_services.check_in)(person, by=event.organizer)
        assert json.loads(await screen.receive_from()) == people
    await database_sync_to_async(round_services.mark_gone)(going, by=event.organizer)
    assert json.loads(await screen.receive_from()) == people
    await database_sync_to_async(retention.erase_attendee)(erased, by=event.organizer)
    assert json.loads(await screen.receive_from()) == people
    assert await database_sync_to_async(round_queries.present_count)(event.pk) == 2
    await database_sync_to_async(Event.objects.filter(pk=event.pk).update)(status="mingle")
    await database_sync_to_async(retention.erase_attendee)(late, by=event.organizer)  # not gone
    assert json.loads(await screen.receive_from()) == people
    assert await database_sync_to_async(round_queries.present_count)(event.pk) == 1
    assert await screen.receive_nothing(timeout=0.2)
    await phone.receive_from()  # its own check-in's presence: never the projector's message
    assert await phone.receive_nothing(timeout=0.1)
    for socket in (screen, phone):
        await socket.disconnect()


async def test_control_push_waits_for_the_commit_and_is_dropped_on_rollback(asgi_app):
    event = await acreate(EventFactory, live=True)
    attendee = await acreate(AttendeeFactory, event=event)
    dashboard, _ = await connect(asgi_app, f"/ws/events/{event.pk}/control/", user=event.organizer)

    def checked_in_then_rolled_back() -> None:
        with transaction.atomic():
            event_services.check_in(attendee)
            transaction.set_rollback(True)

    await database_sync_to_async(checked_in_then_rolled_back)()

    assert await dashboard.receive_nothing(timeout=0.2)
    await dashboard.disconnect()


async def test_a_push_queued_before_the_revoke_is_not_forwarded_after_it():
    """On Redis a push to another group can reach the channel after the revoke that left it."""
    sent: list[dict] = []
    consumer = ControlConsumer()
    consumer.channel_layer = get_channel_layer()
    consumer.channel_name = await consumer.channel_layer.new_channel()
    consumer.base_send = lambda message: _record(sent, message)

    await consumer.dispatch({"type": "revoke"})
    await consumer.dispatch({"type": "push", "text": '{"to":"org"}'})

    assert sent == [{"type": "websocket.close", "code": 4403}]


async def _record(sent: list[dict], message: dict) -> None:
    sent.append(message)


async def test_a_closed_socket_leaves_nothing_for_the_cyclic_garbage_collector(asgi_app):
    """Closing a socket frees what it held by reference counting alone: anything it left in
    reference cycles (about 70 objects a socket, before) waits for the cyclic collector, whose
    passes stop the event loop, and a reconnect storm closes thousands of sockets at once."""
    event = await acreate(EventFactory, live=True)
    await acreate(RoundFactory, event=event, number=1, running=True)
    people = [await acreate(AttendeeFactory, event=event) for _ in range(4)]
    # once before: the process's first connections (Redis: the layer's and the cache's pool)
    # leave the client's set-up behind, once a process, not once a socket
    await (await phone_of(asgi_app, people[0])).disconnect()
    phones = [await phone_of(asgi_app, person) for person in people]
    gc.collect()
    gc.disable()  # no automatic pass may collect the cycles before the count
    try:
        for phone in phones:
            await phone.disconnect()
        del phones, phone
        await asyncio.sleep(0.05)  # the sockets' tasks end
        left_in_cycles = gc.collect()
    finally:
        gc.enable()

    assert left_in_cycles < len(people)


async def test_attendee_consumer_tells_a_phone_coming_back_whether_it_was_marked_gone(asgi_app):
    """A phone whose socket was away when the door marked its owner gone (or back) missed the
    `presence` push: right after the state, every connect says where its owner stands."""
    event = await acreate(EventFactory, live=True)
    attendee = await acreate(AttendeeFactory, event=event, checked_in=True)

    await database_sync_to_async(event_services.mark_left)(attendee, by=event.organizer)
    away, _, gone = await open_phone(asgi_app, attendee.token)
    await away.disconnect()
    await database_sync_to_async(event_services.check_in)(attendee, by=event.organizer)
    back, _, returned = await open_phone(asgi_app, attendee.token)

    assert gone == {
        "type": "presence",
        "checked_in": True,
        "left": True,
        "removed": False,
        "sharing": None,
    }
    assert returned == {
        "type": "presence",
        "checked_in": True,
        "left": False,
        "removed": False,
        "sharing": None,
    }
    assert await back.receive_nothing(timeout=0.2)
    await back.disconnect()


async def test_sockets_that_find_the_database_unreachable_are_closed_with_4503_in_one_line(
    asgi_app, monkeypatch, caplog
):
    """PostgreSQL restarting while phones connect: each socket is told to come back (4503, the
    phone retries with backoff) instead of ending with an error, and a room of them is one
    line in the log, not a traceback each."""
    event = await acreate(EventFactory, live=True)
    people = [await acreate(AttendeeFactory, event=event) for _ in range(3)]

    async def unreachable(self):
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably…")

    monkeypatch.setattr(consumers.AttendeeConsumer, "authorize", unreachable)
    monkeypatch.setattr(consumers.DATABASE_TROUBLE, "logged_at", -consumers.DATABASE_LOG_EVERY_S)
    monkeypatch.setattr(consumers.DATABASE_TROUBLE, "unlogged", 0)
    closes = []
    with caplog.at_level(logging.WARNING, logger="rounds.consumers"):
        for person in people:
            phone = WebsocketCommunicator(asgi_app, f"/ws/a/{person.token}/", headers=[ORIGIN])
            closes.append(await refusal(phone))
            await phone.wait()

    assert closes == [{"type": "websocket.close", "code": 4503}] * len(people)
    lines = [r.getMessage() for r in caplog.records if r.name == "rounds.consumers"]
    assert len(lines) == 1
    assert "database is unreachable (server closed the connection unexpectedly)" in lines[0]
    assert not any(r.exc_info for r in caplog.records)
    assert consumers.DATABASE_TROUBLE.unlogged == len(people) - 1  # in the next line


async def test_a_socket_open_when_the_database_goes_is_closed_with_4503(asgi_app, monkeypatch):
    event = await acreate(EventFactory, live=True)
    await acreate(RoundFactory, event=event, number=1, running=True)
    attendee = await acreate(AttendeeFactory, event=event)
    phone = await phone_of(asgi_app, attendee)

    async def unreachable(self, *args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(consumers.AttendeeConsumer, "receive", unreachable)
    await phone.send_to(text_data=json.dumps({"type": "snapshot"}))

    assert await phone.receive_output() == {"type": "websocket.close", "code": 4503}
    await phone.wait()


@pytest.mark.parametrize("status", ["closed", "mingle"])
async def test_projector_consumer_carries_no_names_after_the_rounds(asgi_app, status):
    from events.models import Event
    from rounds import broadcasts
    from tests.factories import SeatFactory, TableFactory

    event = await acreate(EventFactory, status=status, rounds_count=1)
    round_ = await acreate(RoundFactory, event=event, number=1, done=True)
    table = await acreate(TableFactory, round=round_, number=1)
    await acreate(
        SeatFactory, table=table, attendee__name="Ada Kim", attendee__email="ada@example.com"
    )
    screen, state = await connect(asgi_app, f"/ws/p/{event.projector_key}/")

    await database_sync_to_async(broadcasts.broadcast_state)(event.pk)
    await database_sync_to_async(broadcasts.broadcast_round)(event.pk)
    pushes = [await screen.receive_from(), await screen.receive_from()]

    assert state["event"]["status"] == status
    assert await database_sync_to_async(Event.objects.filter(pk=event.pk).exists)()
    for frame in [json.dumps(state), *pushes]:
        assert "Ada" not in frame
        assert "ada@example.com" not in frame
        assert "table" not in frame
    assert await screen.receive_nothing(timeout=0.2)
    await screen.disconnect()


async def test_attendee_consumer_presence_on_connect_carries_the_sharing_answer(asgi_app):
    """A page that missed the answer's push (asleep, offline) learns it when it reconnects: the
    presence after its state carries it, so the page drops the sharing question."""
    from feedback import services as feedback_services

    attendee = await acreate(AttendeeFactory, event=await acreate(EventFactory, live=True))
    phone, _, before = await open_phone(asgi_app, attendee.token)
    await phone.disconnect()

    await database_sync_to_async(feedback_services.save_my_details)(attendee, is_sharing=False)
    phone, _, after = await open_phone(asgi_app, attendee.token)

    assert (before["sharing"], after["sharing"]) == (None, False)
    await phone.disconnect()
