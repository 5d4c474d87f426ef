"""The phone's socket: everything the room socket does, plus card taps.

A room of phones taps cards in bursts (everyone at a table, right after a pitch). Over HTTP each tap
was a request of its own with a database connection of its own; here a tap is one small frame on
the socket the phone already has, and the taps of every phone on this process are written by one
worker in batches: one thread hop and one database connection for all the taps that queued up
while the previous batch was written, each tap still in its own transaction
(docs/benchmarks-cards.md). The phone keeps a tap in its outbox until the ``card_ack`` arrives, so a
tap lost with a dropped socket is sent again, and the client id makes the repeat harmless.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from events.models import Attendee
from feedback import services
from feedback.forms import CardForm, tap_arguments
from rounds import broadcasts
from rounds.consumers import AttendeeConsumer

logger = logging.getLogger(__name__)

MAX_BATCH = 100


@dataclass(frozen=True)
class Tap:
    attendee_id: int
    data: dict[str, Any]  # CardForm.cleaned_data


def write_tap(tap: Tap, giver: Attendee | None) -> dict[str, Any] | None:
    """Apply one tap; the ``card_ack`` to send, or None when the database failed (no answer: the
    phone sends the tap again)."""
    data = tap.data
    ack: dict[str, Any] = {
        "type": "card_ack",
        "client_id": str(data["client_id"]),
        "action": data["action"],
    }
    if giver is None or giver.erased_at is not None:  # since the socket opened: its link is gone
        return {**ack, "ok": False, "error": _("This link is no longer valid.")}
    try:
        card = services.tap_card(giver, **tap_arguments(data))
    except ValidationError as error:
        return {**ack, "ok": False, "error": " ".join(error.messages)}
    except DatabaseError:
        logger.exception("Card tap %s not written; the phone will send it again", ack["client_id"])
        return None
    return {**ack, "ok": True, "card": card.pk if card else None}


def write_taps(taps: list[Tap]) -> list[dict[str, Any] | None]:
    """A batch of taps on one thread, one database connection and one transaction, each card
    written in a savepoint of its own (``give_card``'s), so a refused tap leaves the others. The
    answers are returned, and the pushes sent (in one hop to the event loop), only once the batch
    is committed; if the commit fails, the exception leaves every tap unanswered, to be resent."""
    givers = Attendee.objects.select_related("event").in_bulk({tap.attendee_id for tap in taps})
    with broadcasts.sent_together(), transaction.atomic():
        return [write_tap(tap, givers.get(tap.attendee_id)) for tap in taps]


@dataclass
class TapWriter:
    """The taps of every phone socket on one event loop, written by one worker task in batches.
    The worker runs only while taps are waiting, so nothing is left running when the loop ends."""

    queue: asyncio.Queue[tuple[Tap, asyncio.Future[dict[str, Any] | None]]] = field(
        default_factory=asyncio.Queue
    )
    worker: asyncio.Task[None] | None = None

    async def write(self, tap: Tap) -> dict[str, Any] | None:
        done: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((tap, done))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self.drain())
        return await done

    async def drain(self) -> None:
        while not self.queue.empty():
            batch = [self.queue.get_nowait() for _ in range(min(MAX_BATCH, self.queue.qsize()))]
            try:
                acks = await database_sync_to_async(write_taps)([tap for tap, _ in batch])
            except Exception:  # the connection could not even be opened: every tap is retried
                logger.exception("A batch of %d card taps was not written", len(batch))
                acks = [None] * len(batch)
            for (_tap, done), ack in zip(batch, acks, strict=True):
                if not done.done():  # the phone may have gone meanwhile
                    done.set_result(ack)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TapWriter] = (
    weakref.WeakKeyDictionary()
)


def tap_writer() -> TapWriter:
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        _writers[loop] = TapWriter()
    return _writers[loop]


class PhoneConsumer(AttendeeConsumer):
    """``ws/a/<token>/``: the room socket of an attendee, who also gives cards through it."""

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] != "card":
            return
        form = CardForm({k: v for k, v in frame.items() if k != "type"})
        if not form.is_valid():
            if "client_id" in form.cleaned_data:  # answer the phone, so it stops retrying
                errors = [" ".join(messages) for messages in form.errors.values()]
                await self.send_json_frame(
                    {
                        "type": "card_ack",
                        "client_id": str(form.cleaned_data["client_id"]),
                        "action": form.cleaned_data.get("action", ""),
                        "ok": False,
                        "error": " ".join(errors),
                    }
                )
            return  # junk without a client id is ignored, like any junk frame
        ack = await tap_writer().write(Tap(attendee_id=self.attendee_id, data=form.cleaned_data))
        if ack is not None:
            await self.send_json_frame(ack)

    async def send_json_frame(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))
