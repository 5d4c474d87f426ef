"""The shared snapshot (rounds/snapshots.py) and the sockets per attendee link: a storm of
phones reading the event once per state version, and the oldest socket of a link giving way."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rounds import services, snapshots
from rounds.consumers import CLOSE_REPLACED, MAX_SOCKETS_PER_ATTENDEE
from tests.conftest import acreate, open_phone
from tests.factories import AttendeeFactory, EventFactory, RoundFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


class DatabaseQueries:
    """The queries the sockets make, counted where they run: on the one thread that
    ``database_sync_to_async`` uses (each thread has its own connection)."""

    def __init__(self) -> None:
        self.context = CaptureQueriesContext(connection)
        self.sql: list[str] = []

    async def __aenter__(self) -> DatabaseQueries:
        await database_sync_to_async(self.context.__enter__)()
        return self

    async def __aexit__(self, *exc: object) -> None:
        def leave() -> None:
            self.context.__exit__(None, None, None)
            self.sql = [query["sql"] for query in self.context.captured_queries]

        await database_sync_to_async(leave)()


async def phone(asgi_app, token: str) -> tuple[WebsocketCommunicator, dict]:
    communicator, state, _presence = await open_phone(asgi_app, token)
    return communicator, state


def attendee_reads(sql: list[str]) -> tuple[list[str], list[str]]:
    """The sockets' reads of attendees: by token (authorising them) and by id (whether each
    phone's owner is checked in or gone, once they joined their groups)."""
    reads = [query for query in sql if 'FROM "events_attendee"' in query]
    by_token = [query for query in reads if '"token" IN' in query]
    return by_token, [query for query in reads if query not in by_token]


async def storm(asgi_app, people) -> list[tuple[WebsocketCommunicator, dict]]:
    return await asyncio.gather(*(phone(asgi_app, person.token) for person in people))


@pytest.fixture
def room(transactional_db):
    event = EventFactory(live=True, state_version=4)
    RoundFactory(event=event, number=1, running=True)
    return event


@pytest.mark.parametrize("count", [1, 50])
async def test_phones_connecting_at_once_read_the_snapshot_once(asgi_app, room, count):
    people = [await acreate(AttendeeFactory, event=room) for _ in range(count)]

    async with DatabaseQueries() as queries:
        phones = await storm(asgi_app, people)

    # At most one read per socket (the tokens of sockets connecting together are read at once,
    # with the event's state version), then the snapshot's three reads (event, plan, round)
    # once for all of them, and at most one more per socket for the presence frames (read
    # together too).
    tokens, presences = attendee_reads(queries.sql)
    assert 1 <= len(tokens) <= count
    assert 1 <= len(presences) <= count
    assert len(queries.sql) == len(tokens) + len(presences) + 3
    assert {state["version"] for _phone, state in phones} == {4}
    assert {state["round"]["number"] for _phone, state in phones} == {1}
    for communicator, _state in phones:
        await communicator.disconnect()


async def test_a_new_state_version_is_read_once_more(asgi_app, room):
    people = [await acreate(AttendeeFactory, event=room) for _ in range(3)]
    first, _ = await phone(asgi_app, people[0].token)
    await database_sync_to_async(services.announce)(room, text="Drinks", minutes=5, by=None)

    async with DatabaseQueries() as queries:
        phones = await storm(asgi_app, people[1:])

    tokens, presences = attendee_reads(queries.sql)
    assert len(queries.sql) == len(tokens) + len(presences) + 3
    assert [state["announcement"]["text"] for _phone, state in phones] == ["Drinks", "Drinks"]
    assert {state["version"] for _phone, state in phones} == {5}
    for communicator in (first, *(p for p, _ in phones)):
        await communicator.disconnect()


async def test_a_snapshot_asked_for_is_one_read_when_the_version_is_kept(asgi_app, room):
    person = await acreate(AttendeeFactory, event=room)
    communicator, _ = await phone(asgi_app, person.token)

    async with DatabaseQueries() as queries:
        await communicator.send_to(text_data='{"type": "snapshot"}')
        state = json.loads(await communicator.receive_from())

    assert (state["type"], state["version"]) == ("state", 4)
    assert len(queries.sql) == 1
    await communicator.disconnect()


async def test_the_kept_snapshot_follows_the_clock(room):
    """A kept snapshot is rendered at each socket's own now: a round whose time ran out shows
    as done although nothing bumped the version, and no query is made for it."""
    parts = await database_sync_to_async(snapshots.parts_for)(room.pk, 4)
    ends_at = parts.round_.ends_at

    async with DatabaseQueries() as queries:
        before = parts.render(now=ends_at - timedelta(seconds=1))
        after = parts.render(now=ends_at + timedelta(seconds=1))
        kept = await database_sync_to_async(snapshots.parts_for)(room.pk, 4)

    assert (before["round"]["status"], after["round"]["status"]) == ("running", "done")
    assert kept is parts
    assert queries.sql == []


async def test_a_link_keeps_its_newest_sockets_and_closes_the_oldest(asgi_app, room):
    person = await acreate(AttendeeFactory, event=room)
    sockets = []
    for _ in range(MAX_SOCKETS_PER_ATTENDEE):
        communicator, _state = await phone(asgi_app, person.token)
        sockets.append(communicator)

    newest, _state = await phone(asgi_app, person.token)

    assert await sockets[0].receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_REPLACED,
    }
    await newest.send_to(text_data=json.dumps({"type": "ping", "id": 1, "t": 1}))
    assert json.loads(await newest.receive_from())["type"] == "pong"
    for communicator in sockets[1:]:
        await communicator.send_to(text_data=json.dumps({"type": "ping", "id": 2, "t": 1}))
        assert json.loads(await communicator.receive_from())["type"] == "pong"
    for communicator in (*sockets, newest):
        await communicator.disconnect()


async def test_a_closed_socket_no_longer_counts_against_its_link(asgi_app, room):
    person = await acreate(AttendeeFactory, event=room)
    oldest, _ = await phone(asgi_app, person.token)
    gone, _ = await phone(asgi_app, person.token)
    await gone.disconnect()
    others = [await phone(asgi_app, person.token) for _ in range(MAX_SOCKETS_PER_ATTENDEE - 2)]

    await oldest.send_to(text_data=json.dumps({"type": "ping", "id": 3, "t": 1}))

    assert json.loads(await oldest.receive_from())["type"] == "pong"  # still open: 3 sockets
    for communicator in (oldest, *(p for p, _ in others)):
        await communicator.disconnect()
