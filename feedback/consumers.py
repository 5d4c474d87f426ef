"""The phone's socket: everything the room socket does, plus card taps.

A room of phones taps cards in bursts (everyone at a table, right after a pitch). Over HTTP each tap
was a request of its own with a database connection of its own; here a tap is one small frame on
the socket the phone already has, and the taps of every phone on this process are written by one
worker in batches: one thread hop, one database connection and one transaction for all the taps
that queued up while the previous batch was written (``services.tap_cards``; figures in
docs/benchmarks-cards.md). The phone keeps a tap in its outbox until the ``card_ack`` arrives, so a
tap lost with a dropped socket is sent again, and the client id makes the repeat harmless.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from config.livedb import live_database_sync_to_async
from config.throttled_log import ThrottledWarning, first_line
from feedback import services
from feedback.forms import read_card_frame, tap_arguments
from rounds import broadcasts
from rounds.consumers import DATABASE_UNREACHABLE, AttendeeConsumer

logger = logging.getLogger(__name__)
TAPS_NOT_WRITTEN = ThrottledWarning(
    logger,
    "card taps not written, the database is unreachable (%s): %d tap(s) since the last such "
    "line; the phones send them again",
)
"""A database restarting meets every batch of taps: one line every 10 s, not a traceback each."""

MAX_BATCH = 100
MAX_TAPS_IN_FLIGHT = 8
"""Taps one socket may have waiting for their answer before it reads its next frame: a phone's
outbox holds a few (one per tablemate); more from one socket would only crowd out the others."""


@dataclass(frozen=True)
class Tap:
    attendee_id: int
    data: dict[str, Any]  # read_card_frame's cleaned data


def card_ack(tap: Tap, outcome: services.TapOutcome | None) -> dict[str, Any] | None:
    """The answer to one tap (a ``card_ack`` message, docs/protocol.md); None when it was not
    written (no answer: the phone sends it again). A refusal's ``error`` is lazy: the socket
    reads it in its own language (``in_language``). A take-back is ``ok`` whether or not a card
    had its client id (the phone clears it from its outbox either way); ``result`` says which:
    ``"taken_back"``, or ``"none"`` when nothing changed (never given, or taken back already)."""
    if outcome is None:
        return None
    ack = {
        "type": "card_ack",
        "client_id": str(tap.data["client_id"]),
        "action": tap.data["action"],
    }
    if outcome.error:
        return {**ack, "ok": False, "code": REFUSED, "error": outcome.error}
    if tap.data["action"] == "take_back":
        result = "taken_back" if outcome.is_taken_back else "none"
        return {**ack, "ok": True, "card": None, "result": result}
    if outcome.card is None:
        return {**ack, "ok": True, "card": None}
    # The card's own client id: another tab of the phone (or an earlier tap) may have given it,
    # so a later take-back from this tab names the card that is there (docs/protocol.md).
    return {
        **ack,
        "ok": True,
        "card": outcome.card.pk,
        "card_client_id": str(outcome.card.client_id),
        "other_round": outcome.other_round,
    }


def write_taps(taps: list[Tap]) -> tuple[list[dict[str, Any] | None], list[broadcasts.Push]]:
    """A batch of taps, written by ``services.tap_cards``: their answers, and the pushes the
    commit made (``(group, message)``, for ``broadcasts.send_all``), not yet sent: the caller
    sends them from the event loop, so the one database thread is not held while it does."""
    with broadcasts.pushes_kept() as pushes:
        outcomes = services.tap_cards([(tap.attendee_id, tap_arguments(tap.data)) for tap in taps])
    return [card_ack(tap, outcome) for tap, outcome in zip(taps, outcomes, strict=True)], pushes


TapKey = tuple[int, str, str]


def tap_key(tap: Tap) -> TapKey:
    """What makes two taps the same tap: the giver, the action and the phone's client id."""
    return tap.attendee_id, tap.data["action"], str(tap.data["client_id"])


@dataclass
class TapWriter:
    """The taps of every phone socket on one event loop, written by one worker task in batches.
    The worker runs only while taps are waiting, so nothing is left running when the loop ends.

    A tap that arrives again while it still waits or is being written (a double tap, or the
    phone's outbox sending it again after a reconnect) gets the first one's answer instead of
    another place in the queue: the answer is the one the database would give it (the card the
    client id stored), at no cost to the batch. A take-back ends that for the give it takes back
    (and a give for the take-back before it), so a repeat sent after it is written again, in
    order, as before."""

    queue: asyncio.Queue[tuple[Tap, asyncio.Future[dict[str, Any] | None]]] = field(
        default_factory=asyncio.Queue
    )
    worker: asyncio.Task[None] | None = None
    sender: asyncio.Task[None] | None = None
    pending: dict[TapKey, asyncio.Future[dict[str, Any] | None]] = field(default_factory=dict)

    async def write(self, tap: Tap) -> dict[str, Any] | None:
        key = tap_key(tap)
        earlier = self.pending.get(key)
        if earlier is not None:
            # shield: a phone that goes away cancels its own wait, not the other's answer
            return await asyncio.shield(earlier)
        # The other action on the same client id (a take-back after a give, a give after a
        # take-back) ends the sharing of the one before it: a repeat of that one comes after
        # this tap and must be written again, in order.
        undone = "give" if tap.data["action"] == "take_back" else "take_back"
        self.pending.pop((tap.attendee_id, undone, key[2]), None)
        done: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self.pending[key] = done
        self.queue.put_nowait((tap, done))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self.drain())
        return await asyncio.shield(done)

    async def drain(self) -> None:
        while not self.queue.empty():
            batch = [self.queue.get_nowait() for _ in range(min(MAX_BATCH, self.queue.qsize()))]
            try:
                acks, pushes = await live_database_sync_to_async(write_taps)(
                    [tap for tap, _ in batch]
                )
            except DATABASE_UNREACHABLE as error:  # every tap is sent again by its phone
                TAPS_NOT_WRITTEN.seen(first_line(error), count=len(batch))
                acks, pushes = [None] * len(batch), []
            except Exception:  # the same, with what went wrong
                logger.exception("A batch of %d card taps was not written", len(batch))
                acks, pushes = [None] * len(batch), []
            for (tap, done), ack in zip(batch, acks, strict=True):
                if self.pending.get(tap_key(tap)) is done:
                    del self.pending[tap_key(tap)]
                done.set_result(ack)
            if pushes:
                self.sender = asyncio.ensure_future(self.send_after(self.sender, pushes))

    @staticmethod
    async def send_after(earlier: asyncio.Task[None] | None, pushes: list[broadcasts.Push]) -> None:
        """A batch's pushes, sent once the batch before's are (a card's give and its take-back
        reach the receiver in that order), while the next batch is written."""
        if earlier is not None and not earlier.done():
            await asyncio.wait([earlier])
        await broadcasts.send_all(pushes)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TapWriter] = (
    weakref.WeakKeyDictionary()
)


def tap_writer() -> TapWriter:
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        _writers[loop] = TapWriter()
    return _writers[loop]


# The ``code`` of a refused ``card_ack`` (docs/protocol.md): the tap broke a rule of the event
# (the reason in ``error``), a field of the frame was wrong, or its action is not one we know.
REFUSED = "refused"
INVALID = "invalid"
UNKNOWN_ACTION = "unknown_action"


def malformed_ack(
    frame: dict[str, Any], cleaned: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    """The ``card_ack`` refusing a card frame that has a client id but is wrong otherwise
    (``read_card_frame``'s ``errors``). An action other than "give" or "take_back" (or none)
    is ``UNKNOWN_ACTION``, whatever else is wrong, since the action decides what the other
    fields mean; any other problem is ``INVALID``, with its first field's problem. ``action``
    is the frame's own when it is text, so that the phone matches the answer to its tap."""
    action = frame.get("action")
    ack = {
        "type": "card_ack",
        "client_id": str(cleaned["client_id"]),
        "action": action if isinstance(action, str) else "",
        "ok": False,
    }
    if "action" in errors:
        error = _("This phone sent a tap this server does not know. Reload the page and tap again.")
        return {**ack, "code": UNKNOWN_ACTION, "error": error}
    return {**ack, "code": INVALID, "error": refusal_message(errors)}


def refusal_message(errors: dict[str, list[str]]) -> str:
    """One clear sentence for a card frame's errors by field (``read_card_frame``): the first
    field's first problem, naming the field as the frame does ("round: Ensure this value is
    greater than or equal to 1."), never two messages run together."""
    field, messages = next(iter(errors.items()))
    return _("%(field)s: %(problem)s") % {"field": field, "problem": messages[0]}


def in_language(ack: dict[str, Any], language: str) -> dict[str, Any]:
    """``ack`` with its ``error`` (a refusal, lazy: ``services.TapOutcome.error``) read as text
    in ``language``, a code of ``settings.LANGUAGES``: the language of the socket it is sent
    on. A batch holds taps from phones in different languages, and a tap sent again while the
    first is written shares its ``ack``, so each socket reads the refusal for itself; ``ack``
    is left as it is."""
    if "error" not in ack:
        return ack
    with translation.override(language):
        return {**ack, "error": str(ack["error"])}


class PhoneConsumer(AttendeeConsumer):
    """``ws/a/<token>/``: the room socket of an attendee, who also gives cards through it.

    A card frame does not hold the socket's other messages while its tap is written: the socket
    takes its next frame at once (a double tap joins the first one's answer, see ``TapWriter``),
    up to ``MAX_TAPS_IN_FLIGHT`` taps; the answers still leave in the order the frames came."""

    async def connect(self) -> None:
        self.taps_in_flight = asyncio.Semaphore(MAX_TAPS_IN_FLIGHT)
        self.answers: set[asyncio.Task[None]] = set()
        self.last_answer: asyncio.Task[None] | None = None
        await super().connect()

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] != "card":
            return
        cleaned, errors = read_card_frame(frame)
        if errors and "client_id" not in cleaned:
            return  # junk without a client id is ignored, like any junk frame
        await self.taps_in_flight.acquire()  # the next frame waits, as every frame once did
        if errors:  # answered, so the phone stops retrying, after the taps before it
            with translation.override(self.language):  # read again, to say it in its words
                refusal = malformed_ack(frame, *read_card_frame(frame))
            reply = self.answer_with(refusal, self.last_answer)
        else:
            reply = self.answer(Tap(attendee_id=self.attendee_id, data=cleaned), self.last_answer)
        answer = asyncio.ensure_future(reply)
        self.answers.add(answer)
        answer.add_done_callback(self.answers.discard)
        self.last_answer = answer

    async def answer(self, tap: Tap, previous: asyncio.Task[None] | None) -> None:
        """Write one tap and send its ``card_ack`` once the frame before it was answered."""
        try:
            ack = await tap_writer().write(tap)
        except BaseException:
            self.taps_in_flight.release()
            raise
        await self.answer_with(ack, previous)

    async def answer_with(
        self, ack: dict[str, Any] | None, previous: asyncio.Task[None] | None
    ) -> None:
        """Send ``ack`` (None: nothing) once the frame before it was answered, its refusal in
        this socket's language."""
        try:
            if previous is not None and not previous.done():  # mostly done: no wait to set up
                await asyncio.wait([previous])  # its outcome is its own
            if ack is not None:
                await self.send_json_frame(in_language(ack, self.language))
        finally:
            self.taps_in_flight.release()

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        for answer in list(getattr(self, "answers", ())):
            answer.cancel()  # the tap itself is still written; its phone resends it if unsure
        await super().websocket_disconnect(message)

    async def send_json_frame(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))
