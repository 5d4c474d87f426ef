"""Websocket plumbing: join and leave groups, forward pushes, answer clock pings. Never writes."""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from events.models import Attendee
from rounds.groups import attendee_group, event_group

MAX_FRAME_CHARS = 1024


def server_time_ms() -> int:
    return time.time_ns() // 1_000_000


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


@database_sync_to_async
def find_attendee(token: str) -> Attendee | None:
    return Attendee.objects.filter(token=token).only("pk", "event_id").first()


class AttendeeConsumer(AsyncWebsocketConsumer):
    """An attendee's phone: ``ws/a/<token>/``. The token is the attendee's secret."""

    groups_joined: tuple[str, ...] = ()

    async def connect(self) -> None:
        attendee = await find_attendee(self.scope["url_route"]["kwargs"]["token"])
        if attendee is None:
            await self.close(code=4403)
            return
        self.attendee_id = attendee.pk
        self.event_id = attendee.event_id
        self.groups_joined = (event_group(attendee.event_id), attendee_group(attendee.pk))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = parse_frame(text_data)
        if frame is None:
            return
        if frame["type"] == "ping":
            await self.send_pong(frame)

    async def send_pong(self, frame: dict[str, Any]) -> None:
        ping_id, client_time = frame.get("id"), frame.get("t")
        if not isinstance(ping_id, int) or not isinstance(client_time, int | float):
            return
        pong = {"type": "pong", "id": ping_id, "t": client_time, "server_time": server_time_ms()}
        await self.send(text_data=json.dumps(pong))

    async def push(self, message: dict[str, Any]) -> None:
        """A broadcast, serialized once by the sender and forwarded as it is."""
        await self.send(text_data=message["text"])
