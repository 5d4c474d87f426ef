"""Websocket plumbing: authorize, join groups, send snapshots, forward pushes, answer clock pings.

Consumers never write themselves: the one frame that changes state, a phone's card tap, is handed
to ``feedback.services`` (see ``feedback/consumers.py``). Every database read goes through
``live_database_sync_to_async``, which closes stale connections around each call itself, so the
per-message ``aclose_old_connections`` thread hop that Channels adds to every handler is skipped
(see ``dispatch``): forwarding a push is pure async.

A broadcast reaches thousands of sockets at once, so the per-message path is kept short (see
``__call__``, measured in docs/benchmarks-fanout.md): no new task and no ``asyncio.wait`` per
message, and no session wrapper around ``send``. Thousands of sockets also connect at once (the
venue Wi-Fi comes back): authorising a socket is one indexed read, which also gives the event's
state version, and the snapshot comes from ``rounds.snapshots``, read once per version per
process (docs/benchmarks-storm.md). One attendee link keeps at most
``MAX_SOCKETS_PER_ATTENDEE`` sockets open across every process: the oldest is closed with
``CLOSE_REPLACED`` (docs/protocol.md).

The channel layer (Redis) may be unreachable, or hang (config/redis_layer.py gives up on it
after ``REDIS_TIMEOUT`` seconds), while sockets open and close: a socket that cannot
join its groups is closed with ``CLOSE_UNAVAILABLE`` (the phone retries with backoff), and one
that closes leaves its groups in this process and ends cleanly. Either is one warning in the log
per socket, never an error escaping the consumer. So is the database: a socket whose read or
write finds it unreachable (PostgreSQL restarting, the network to it cut) is closed with
``CLOSE_UNAVAILABLE`` too, and the log says so in one line every ``DATABASE_LOG_EVERY_S`` with
the number of sockets closed meanwhile, not a traceback per socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.sessions import InstanceSessionWrapper
from django.conf import settings
from django.db import InterfaceError, OperationalError

from config.i18n import socket_language
from config.livedb import live_database_sync_to_async
from config.redis_layer import UNREACHABLE
from config.throttled_log import ThrottledWarning, first_line
from events.models import Attendee, Event
from events.sockets import presence_frames
from rounds import presence, snapshots
from rounds.batching import Batcher
from rounds.groups import (
    attendee_group,
    control_group,
    event_group,
    organizer_group,
    projector_group,
)
from rounds.queries import server_time_ms

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# A card frame with its note at the limit: 200 characters as read may take 1,000 code points
# (``feedback.services.MAX_NOTE_CODE_POINTS``: joined emoji), each possibly escaped in the JSON
# ('"' as '\\"'), and the frame's other fields: 4,096 holds it with room to spare.
MAX_FRAME_CHARS = 4096
FLOOD_FRAMES, FLOOD_WINDOW_S = 60, 10.0
SNAPSHOT_INTERVAL_S = 1.0
CLOSE_FORBIDDEN, CLOSE_REPLACED, CLOSE_FLOOD, CLOSE_UNAVAILABLE = 4403, 4409, 4429, 4503
MAX_SOCKETS_PER_ATTENDEE = 3
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
DATABASE_LOG_EVERY_S = 10.0
log = logging.getLogger(__name__)


DATABASE_TROUBLE = ThrottledWarning(
    log,
    "%s: the database is unreachable (%s); %d socket(s) closed with 4503 since the last line, "
    "the phones retry",
    every_s=DATABASE_LOG_EVERY_S,
)
"""The sockets of this process that found the database unreachable (a restart meets thousands
at once): one line at most every ``DATABASE_LOG_EVERY_S`` seconds."""


# Who may connect: the event, its state version now (read with the permission, in the same
# query) and the groups to join.
Access = tuple[int, int, tuple[str, ...]]


def parse_frame(text_data: str | None) -> dict[str, Any] | None:
    """A client frame as a dict, or None for anything we do not accept (junk is ignored)."""
    if not text_data or len(text_data) > MAX_FRAME_CHARS:
        return None
    try:
        frame = json.loads(text_data)
    except ValueError:
        return None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return None
    return frame


# The largest whole number a phone's JSON.parse reads exactly (Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1


def pong_for(frame: dict[str, Any]) -> dict[str, Any] | None:
    """The ``pong`` answering a ``ping`` frame (docs/protocol.md), its ``id`` and ``t`` echoed;
    None (the frame is ignored) unless ``id`` is a whole number from 0 to ``MAX_SAFE_INTEGER``
    and ``t`` (the phone's clock, ms) a finite number no larger in size: NaN, Infinity or a
    400-digit number would come back as JSON the phone cannot read, or read wrong."""
    ping_id, client_time = frame.get("id"), frame.get("t")
    if isinstance(ping_id, bool) or not isinstance(ping_id, int):
        return None
    if not 0 <= ping_id <= MAX_SAFE_INTEGER:
        return None
    if isinstance(client_time, bool) or not isinstance(client_time, int | float):
        return None
    # abs first: a huge int does not convert to a float; NaN compares false.
    if not (abs(client_time) <= MAX_SAFE_INTEGER and math.isfinite(client_time)):
        return None
    return {"type": "pong", "id": ping_id, "t": client_time, "server_time": server_time_ms()}


# What the server raises for a frame sent on a socket the phone has already closed (a page shut
# right after connecting, its pong or snapshot still on the way): daphne lets autobahn's
# ``Disconnected`` ("Attempt to send on a closed protocol") through; the ASGI spec asks servers
# for an ``OSError`` instead. Nobody is left to read the frame: it is dropped without a traceback,
# and the disconnect that follows ends the consumer as usual.
SOCKET_CLOSED = (Disconnected, OSError)


def dropping_on_closed(send: Send) -> Send:
    """``send``, quiet about a socket already closed by the other side."""

    async def send_or_drop(message: dict[str, Any]) -> None:
        try:
            await send(message)
        except SOCKET_CLOSED as error:
            log.debug("%s dropped: the socket is closed (%s)", message.get("type"), error)

    return send_or_drop


class LiveConsumer(AsyncWebsocketConsumer):
    """What every live socket does; subclasses decide who may connect and which groups."""

    joined: tuple[str, ...] = ()
    is_revoked = False
    is_accepted = False
    layer_error: Exception | None = None
    """What the channel layer raised when it could not be reached for this socket (logged once)."""
    event_id: int

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        """Channels' ``AsyncConsumer.__call__``, with a cheaper loop for the same guarantees.

        Channels' ``await_many_dispatch`` starts a new task and an ``asyncio.wait`` for every
        message; here one long-lived task per source (the socket, the channel layer) receives and
        dispatches under a lock, so messages are still handled one at a time, each source in order.
        Channels' session middleware wraps ``send`` only to save sessions on HTTP responses; a
        websocket never needs it, so this consumer sends through the server's own ``send``.
        """
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources: list[Receive] = [receive]
        if self.channel_layer is not None:
            try:
                self.channel_name = await self.channel_layer.new_channel()
            except UNREACHABLE as error:  # ``connect`` closes the socket with CLOSE_UNAVAILABLE
                self.layer_unreachable(error, "the socket is closed with 4503, the phone retries")
            else:
                self.channel_receive = partial(self.channel_layer.receive, self.channel_name)
                sources.append(self.channel_receive)
        wrapper = getattr(send, "__self__", None)
        server_send = wrapper.real_send if isinstance(wrapper, InstanceSessionWrapper) else send
        self.base_send = dropping_on_closed(server_send)
        one_at_a_time = asyncio.Lock()

        async def handle(source: Receive) -> None:
            try:
                while True:
                    message = await source()
                    async with one_at_a_time:
                        await self.dispatch(message)
            except StopConsumer:
                return  # the socket closed: the loop ends with no exception kept in its task

        tasks = [asyncio.ensure_future(handle(source)) for source in sources]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a loop ends when the socket closed, or with a failure
        finally:
            for task in tasks:
                task.cancel()
            for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(outcome, asyncio.CancelledError):
                    # Its traceback holds the loop's frames, which hold the task that holds it:
                    # a reference cycle per closed socket, left for the cyclic garbage collector,
                    # whose passes stop the event loop (a thousand phones closing at once in a
                    # reconnect storm: docs/benchmarks-storm.md).
                    outcome.__traceback__ = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        if self.is_revoked and not message["type"].startswith("websocket."):
            # A push already queued for this channel before ``revoke`` left the groups (on Redis
            # another group's message can arrive after the revoke): nothing more is forwarded.
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except DATABASE_UNREACHABLE as error:
            DATABASE_TROUBLE.seen(type(self).__name__, first_line(error))
            if message["type"] == "websocket.disconnect":
                raise StopConsumer() from None
            if not self.is_accepted:  # refused at the handshake, a phone could not tell why
                await self.accept()
            await self.close(code=CLOSE_UNAVAILABLE)

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        self.is_accepted = True
        await super().accept(subprotocol, headers)

    async def authorize(self) -> Access | None:
        """The event id, its state version and the groups to join (one indexed read), or None
        to refuse the socket."""
        raise NotImplementedError

    async def connect(self) -> None:
        self.frame_times: list[float] = []
        self.last_snapshot_at = 0.0
        if self.layer_error is not None:  # no channel of its own: it could hear nothing
            await self.accept()
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        allowed = await self.authorize()
        if allowed is None:
            # Accepted first: a socket refused at the handshake reaches the browser as a bare
            # 1006, which a phone cannot tell from a network failure and so retries for ever.
            # Closed with 4403 after the accept, it knows the link no longer works.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.event_id, version, groups = allowed
        # Accepted at once: daphne drops a handshake the application has not accepted within
        # 5 s, and in a reconnect storm the joins below wait their turn on the channel layer's
        # one connection (docs/benchmarks-storm.md). Frames the phone sends meanwhile wait for
        # this handler to end (one message at a time).
        await self.accept()
        # Join before reading the snapshot, so no change can fall between the two (the version
        # was read before joining: a change in between makes the snapshot newer, never older).
        if not await self.join(groups):
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        await self.joined_groups()
        await self.send_snapshot(version)
        await self.opened()

    async def joined_groups(self) -> None:
        """After the socket joined its groups, before its snapshot: a subclass may add work."""

    async def opened(self) -> None:
        """After the snapshot: a subclass may add work that the person need not wait for."""

    async def join(self, groups: tuple[str, ...]) -> bool:
        """Join ``groups``; False, with none of them joined, when the channel layer cannot be
        reached."""
        try:
            for group in groups:
                await self.channel_layer.group_add(group, self.channel_name)
        except UNREACHABLE as error:
            self.layer_unreachable(error, "the socket is closed with 4503, the phone retries")
            self.joined = groups
            await self.leave()  # what this process already counts as joined
            return False
        self.joined = groups
        return True

    async def leave(self) -> None:
        """Leave the groups joined. When the channel layer cannot be reached they are left in this
        process only: no message reaches this socket any more, and when Redis is back the
        process subscribes again only to the groups it still has sockets in
        (``config.redis_layer.RenewingPubSub``)."""
        groups, self.joined = self.joined, ()
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except UNREACHABLE as error:
                self.layer_unreachable(error, "its groups are left in this process only")

    def layer_unreachable(self, error: Exception, outcome: str) -> None:
        """Log, once for this socket, that the channel layer could not be reached."""
        if self.layer_error is None:
            log.warning(
                "%s: the channel layer is unreachable (%s); %s",
                type(self).__name__,
                error,
                outcome,
            )
        self.layer_error = error

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        await self.leave()
        raise StopConsumer()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.is_revoked:  # frames already on their way when the permission went
            return
        if self.is_flooding():
            await self.close(code=CLOSE_FLOOD)
            return
        frame = parse_frame(text_data)
        if frame is None:
            return
        if frame["type"] == "ping":
            pong = pong_for(frame)
            if pong is not None:
                await self.send(text_data=json.dumps(pong))
        elif frame["type"] == "snapshot":
            now = time.monotonic()
            if now - self.last_snapshot_at >= SNAPSHOT_INTERVAL_S:
                self.last_snapshot_at = now
                await self.send_snapshot()
        else:
            await self.receive_frame(frame)

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        """A well-formed frame of another type: ignored here; a subclass may take it."""

    def is_flooding(self) -> bool:
        now = time.monotonic()
        self.frame_times = [t for t in self.frame_times if now - t < FLOOD_WINDOW_S]
        self.frame_times.append(now)
        return len(self.frame_times) > FLOOD_FRAMES

    async def send_snapshot(self, version: int | None = None) -> None:
        """The ``state`` at ``version`` or later (None: the version now, one indexed read), from
        the parts this process keeps (``rounds.snapshots``): no query when they are current."""
        if version is None:
            version = await live_database_sync_to_async(snapshots.current_version)(self.event_id)
        parts = snapshots.kept(self.event_id, version)
        if parts is None:
            parts = await live_database_sync_to_async(snapshots.parts_for)(self.event_id, version)
        await self.send(text_data=json.dumps(parts.render(), separators=(",", ":")))

    async def push(self, message: dict[str, Any]) -> None:
        """A broadcast, serialized once by the sender and forwarded as it is."""
        await self.send(text_data=message["text"])

    async def revoke(self, message: dict[str, Any]) -> None:
        """The permission behind this socket went (``events.sockets.revoke``: attendee erased or
        deleted, organizer removed, event deleted): leave the groups and close with 4403; the
        phone replaces the room with "This link no longer works", the dashboard says it is
        closed. Nothing more is forwarded after this message."""
        await self.leave()
        self.is_revoked = True
        await self.close(code=CLOSE_FORBIDDEN)


def attendees_by_token(tokens: list[str]) -> dict[str, tuple[int, int, int, str]]:
    """token → (attendee id, event id, the event's state version, the event's language) for
    these secret tokens: one read by the token's unique index."""
    found = Attendee.objects.filter(token__in=tokens).values_list(
        "token", "pk", "event_id", "event__state_version", "event__language"
    )
    return {token: (pk, event_id, version, lang) for token, pk, event_id, version, lang in found}


# The sockets connecting together are authorised by one read (``rounds.batching``).
attendee_for_token = Batcher(attendees_by_token)


# Their ``presence`` frames too, read after they joined their groups (``AttendeeConsumer.opened``).
presence_for = Batcher(presence_frames)


class AttendeeConsumer(LiveConsumer):
    """An attendee's phone: ``ws/a/<token>/``. The token is the attendee's secret. The socket
    served there is ``feedback.consumers.PhoneConsumer``, which adds card taps. While it is open
    the phone counts as connected (rounds/presence.py).

    One link keeps at most ``MAX_SOCKETS_PER_ATTENDEE`` sockets, in every process together: each
    new socket announces itself (``phone.opened``, with the time it joined) to the attendee's
    group, and a socket that hears of that many newer ones closes with ``CLOSE_REPLACED``."""

    present_since = 0.0
    opened_at: tuple[float, str] = (0.0, "")
    language = settings.LANGUAGE_CODE
    """The language of the refusals this socket sends: its page's (``?lang=``), else its
    handshake's, else the event's (``config.i18n.socket_language``)."""

    async def authorize(self) -> Access | None:
        self.token = self.scope["url_route"]["kwargs"]["token"]
        found = await attendee_for_token(self.token)
        if found is None:
            return None
        self.attendee_id, event_id, version, event_language = found
        self.language = socket_language(self.scope, default=event_language or self.language)
        self.newer: set[str] = set()
        self.opened_at = (time.time(), self.channel_name)
        return event_id, version, (event_group(event_id), attendee_group(self.attendee_id))

    async def joined_groups(self) -> None:
        await self.keep_present()  # counted as connected by the time the phone has its state

    async def opened(self) -> None:
        # Whether the owner is checked in or gone now, read after joining their group: a phone
        # whose socket was away when the door marked them gone (or back) missed that push, and
        # the plan has not changed (a re-plan would have told it), so the state says nothing of
        # it. A change committed after this read is pushed to this socket and arrives after it.
        said = await presence_for(self.attendee_id)
        if said is not None:
            await self.send(text_data=said)
        await self.tell_my_sockets("phone.opened", at=self.opened_at[0])

    async def tell_my_sockets(self, kind: str, **fields: Any) -> None:
        message = {"type": kind, "channel": self.channel_name, **fields}
        try:
            await self.channel_layer.group_send(attendee_group(self.attendee_id), message)
        except UNREACHABLE as error:
            self.layer_unreachable(error, f"the link's other sockets did not hear {kind}")

    async def phone_opened(self, message: dict[str, Any]) -> None:
        """Another socket of this link opened; this one gives way when it is the oldest of
        more than ``MAX_SOCKETS_PER_ATTENDEE``."""
        other = (message["at"], message["channel"])
        if not self.joined or other <= self.opened_at:
            return
        self.newer.add(message["channel"])
        if len(self.newer) >= MAX_SOCKETS_PER_ATTENDEE:
            await self.give_way()

    async def phone_closed(self, message: dict[str, Any]) -> None:
        self.newer.discard(message["channel"])

    async def give_way(self) -> None:
        """Close with ``CLOSE_REPLACED``: the phone shows that the link is open on another
        screen and does not reconnect by itself. The presence key stays (newer sockets hold
        it)."""
        await self.leave()
        await self.close(code=CLOSE_REPLACED)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.is_revoked:
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)
        if time.monotonic() - self.present_since >= presence.REFRESH_S:
            await self.keep_present()

    async def keep_present(self) -> None:
        self.present_since = time.monotonic()
        await presence.mark_connected(self.attendee_id)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        if self.joined:
            await presence.mark_disconnected(self.attendee_id)
            await self.tell_my_sockets("phone.closed")
        await super().websocket_disconnect(message)

    async def revoke(self, message: dict[str, Any]) -> None:
        if self.joined:
            await presence.mark_disconnected(self.attendee_id)
        await super().revoke(message)


@live_database_sync_to_async
def organizer_version(user: Any, event_id: int) -> int | None:
    """The event's state version when ``user`` organizes it, else None. One query."""
    if not user.is_authenticated:
        return None
    events = Event.objects.organized_by(user).filter(pk=event_id)
    return events.values_list("state_version", flat=True).first()


class ControlConsumer(LiveConsumer):
    """The organizer's dashboard: ``ws/events/<event_id>/control/``; session login required."""

    async def authorize(self) -> Access | None:
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        user = self.scope.get("user")
        version = await organizer_version(user, event_id)
        if version is None:
            return None
        groups = (
            event_group(event_id),
            control_group(event_id),
            organizer_group(event_id, user.pk),
        )
        return event_id, version, groups


@live_database_sync_to_async
def event_for_projector(key: str) -> tuple[int, int] | None:
    """(event id, state version) for this projector key, or None. One indexed read."""
    return Event.objects.filter(projector_key=key).values_list("pk", "state_version").first()


class ProjectorConsumer(LiveConsumer):
    """The big screen: ``ws/p/<key>/`` with the event's secret projector key; room messages and
    the projector group's (a ``person`` erased: its list redrawn)."""

    async def authorize(self) -> Access | None:
        found = await event_for_projector(self.scope["url_route"]["kwargs"]["key"])
        if found is None:
            return None
        event_id, version = found
        return event_id, version, (event_group(event_id), projector_group(event_id))
