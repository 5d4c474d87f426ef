"""Giving and taking back cards. Every tap carries a client-generated id, so a submission
repeated by a flaky network or a double tap is recognised and never counted twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import services as event_services
from events.models import Attendee, Event
from feedback import broadcasts
from feedback.models import Card, Introduction
from rounds.broadcasts import sent_together
from rounds.models import Round, Seat

logger = logging.getLogger(__name__)

MAX_NOTE_CHARS = 200


def shared_table(round_: Round, giver: Attendee, receiver: Attendee) -> bool:
    """Whether giver and receiver sat at the same table in ``round_``. One query."""
    tables = (
        Seat.objects.filter(round=round_, attendee__in=[giver, receiver])
        .order_by()
        .values_list("attendee_id", "table_id")
    )
    by_person = dict(tables)
    return len(by_person) == 2 and by_person[giver.pk] == by_person[receiver.pk]


def check_card_allowed(round_: Round, giver: Attendee, receiver: Attendee) -> None:
    """Refuse a card that may not be given: to oneself (code ``self``), across events or tables
    (``not_tablemate``), before the round started (``not_started``), after the event closed
    (``closed``), from a giver who has not accepted the code of conduct (``conduct``). Raises
    ``ValidationError``; returns nothing when the card may be given."""
    if giver.pk == receiver.pk:
        raise ValidationError(_("You cannot give a card to yourself."), code="self")
    if event_services.needs_conduct(giver):
        raise ValidationError(
            _("Please open your link again and accept the code of conduct first."),
            code="conduct",
        )
    if not (giver.event_id == receiver.event_id == round_.event_id):
        raise ValidationError(_("Cards go to people at your table."), code="not_tablemate")
    if round_.status == Round.Status.PLANNED:
        raise ValidationError(_("This round has not started yet."), code="not_started")
    if round_.event.status == Event.Status.CLOSED:
        raise ValidationError(_("The event is closed."), code="closed")
    if not shared_table(round_, giver, receiver):
        raise ValidationError(_("Cards go to people at your table."), code="not_tablemate")


@transaction.atomic
def give_card(
    giver: Attendee,
    *,
    receiver: Attendee,
    round_: Round,
    kind: str,
    client_id: uuid.UUID,
    note: str = "",
) -> Card:
    """Give a card; giving the same tap again (same client id) returns the card already given."""
    if kind not in Card.Kind.values:
        raise ValidationError(_("Unknown kind of card."), code="kind")
    note = " ".join(note.split())
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError(
            _("The note is at most %(max)s characters.") % {"max": MAX_NOTE_CHARS}, code="note"
        )
    # One read for both repeats: this very tap (answered even after the round ended, so a late
    # retry from the phone's outbox succeeds) and the same card given by an earlier tap.
    earlier = list(
        Card.objects.filter(
            Q(client_id=client_id) | Q(receiver=receiver, kind=kind), giver=giver
        ).order_by()[:2]
    )
    same_tap = next((c for c in earlier if str(c.client_id) == str(client_id)), None)
    if same_tap is not None:
        return same_tap
    check_card_allowed(round_, giver, receiver)
    if earlier:
        return earlier[0]
    try:
        with transaction.atomic():
            card = Card.objects.create(
                round=round_,
                giver=giver,
                receiver=receiver,
                kind=kind,
                note=note if kind == Card.Kind.INTRODUCE else "",
                client_id=client_id,
            )
    except IntegrityError:
        # The same tap arrived twice at once; the other request stored it.
        return Card.objects.get(giver=giver, receiver=receiver, kind=kind)
    if card.kind == Card.Kind.INTRODUCE:
        Introduction.objects.create(card=card, target=card.note)
    # A card never changes once given (taking it back deletes it and pushes that too, in order),
    # so its message is built now, from the objects at hand, instead of read again after commit.
    message = broadcasts.card_json(card, is_given=True)
    transaction.on_commit(partial(broadcasts.send_card, card.receiver_id, message))
    return card


@transaction.atomic
def take_back_card(giver: Attendee, *, client_id: uuid.UUID) -> bool:
    """Take back the card given with this tap's client id. Repeating it is harmless; it returns
    whether a card was taken back now. Once the event is closed its cards are the report's
    figures and the introductions offered are promises: taking back is refused
    (``ValidationError``, code ``closed``)."""
    card = (
        Card.objects.select_for_update(of=("self",))
        .select_related("giver", "round__event")
        .filter(giver=giver, client_id=client_id)
        .first()
    )
    if card is None:
        return False
    if card.round.event.status == Event.Status.CLOSED:
        raise ValidationError(
            _("The event is closed: cards given can no longer be taken back."), code="closed"
        )
    message = broadcasts.card_json(card, is_given=False)
    receiver_id = card.receiver_id
    card.delete()
    transaction.on_commit(partial(broadcasts.send_card, receiver_id, message))
    return True


def tap_card(
    giver: Attendee,
    *,
    action: str,
    client_id: uuid.UUID,
    receiver_id: int | None = None,
    round_number: int | None = None,
    kind: str = "",
    note: str = "",
) -> Card | None:
    """One tap on a card button as the phone sends it, over HTTP or its socket: give (returning
    the card) or take back (returning None). ``giver`` comes with its event."""
    if action == "take_back":
        take_back_card(giver, client_id=client_id)
        return None
    receiver = giver.event.attendees.filter(pk=receiver_id).order_by().first()
    round_ = giver.event.rounds.filter(number=round_number).order_by().first()
    if receiver is None or round_ is None:
        raise ValidationError(_("Cards go to people at your table."), code="not_tablemate")
    return give_card(
        giver, receiver=receiver, round_=round_, kind=kind, client_id=client_id, note=note
    )


@dataclass(frozen=True)
class TapOutcome:
    """What became of one tap: the card given (None after a take-back), or why it was refused."""

    card: Card | None = None
    error: str = ""


def tap_cards(taps: Sequence[tuple[int, dict[str, Any]]]) -> list[TapOutcome | None]:
    """Many phones' taps, each a giver's id and ``tap_card``'s keywords, in one transaction (a
    commit per tap is what a room of phones would otherwise pay most), each card in a savepoint of
    its own (``give_card``'s), so a refused tap leaves the others. The pushes leave after the
    commit, all in one hop to the event loop. None for a tap the database failed to write: it is
    to be sent again. If the commit itself fails, the exception leaves every tap to be resent."""
    givers = Attendee.objects.select_related("event").in_bulk({giver_id for giver_id, _ in taps})
    with sent_together(), transaction.atomic():
        return [tap_outcome(givers.get(giver_id), arguments) for giver_id, arguments in taps]


def tap_outcome(giver: Attendee | None, arguments: dict[str, Any]) -> TapOutcome | None:
    """What a phone's card tap (``arguments`` of ``tap_card``) came to: the card, or an error to
    show; None when the database failed (logged; the phone sends the same tap again)."""
    if giver is None or giver.erased_at is not None:  # erased since its phone connected
        return TapOutcome(error=_("This link is no longer valid."))
    try:
        return TapOutcome(card=tap_card(giver, **arguments))
    except ValidationError as error:
        return TapOutcome(error=" ".join(error.messages))
    except DatabaseError:
        logger.exception("Card tap %s not written; it will be sent again", arguments["client_id"])
        return None


# Introductions: offered (the card) → accepted by the pitcher → made (the introducer says so,
# naming whom) → met (either side says it happened, the other confirms); or declined by the
# pitcher.
INTRODUCTION_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    # action: (statuses it may start from, who may do it)
    "accept": ((Introduction.Status.OFFERED,), "pitcher"),
    "decline": ((Introduction.Status.OFFERED, Introduction.Status.ACCEPTED), "pitcher"),
    "made": ((Introduction.Status.OFFERED, Introduction.Status.ACCEPTED), "introducer"),
    "met": ((Introduction.Status.MADE,), "either"),
}
INTRODUCTION_MOVE_LABELS = {
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "made": gettext_lazy("I made the introduction"),
    "met": gettext_lazy("We met"),
}
# The label of "met" for the side that confirms what the other said.
CONFIRM_MET_LABEL = gettext_lazy("Confirm: we met")
MOVE_RESULTS = {
    "accept": (Introduction.Status.ACCEPTED, "accepted_at"),
    "decline": (Introduction.Status.DECLINED, "declined_at"),
    "made": (Introduction.Status.MADE, "made_at"),
    "met": (Introduction.Status.MET, "met_at"),
}


def movers(card: Card, who: str) -> set[int]:
    """The attendee ids a move's "who" (pitcher, introducer, either) stands for on this card."""
    return {
        "pitcher": {card.receiver_id},
        "introducer": {card.giver_id},
        "either": {card.receiver_id, card.giver_id},
    }[who]


def moves_for(introduction: Introduction, *, attendee_id: int) -> list[str]:
    """The moves this attendee may make on this introduction now, in the table's order: exactly
    the ones ``move_introduction`` would accept from them. Who said "met" waits for the other."""
    return [
        action
        for action, (starts, who) in INTRODUCTION_MOVES.items()
        if introduction.status in starts
        and attendee_id in movers(introduction.card, who)
        and not (action == "met" and introduction.met_said_by_id == attendee_id)
    ]


@transaction.atomic
def move_introduction(
    introduction: Introduction, *, action: str, by: Attendee, target: str = ""
) -> Introduction:
    """Change an introduction's status, by one of the two people it concerns."""
    introduction = (
        Introduction.objects.select_for_update().select_related("card").get(pk=introduction.pk)
    )
    if action not in INTRODUCTION_MOVES:
        raise ValidationError(_("Unknown step."), code="action")
    starts, who = INTRODUCTION_MOVES[action]
    if by.pk not in movers(introduction.card, who):
        raise ValidationError(_("This introduction is not yours to change."), code="forbidden")
    if introduction.status not in starts:
        raise ValidationError(
            _("This introduction is already %(status)s.")
            % {"status": introduction.get_status_display().lower()},
            code="status",
        )
    target = " ".join(target.split())
    if action == "made":
        if not target and not introduction.target:
            raise ValidationError(_("Say whom you introduced them to."), code="target")
        if len(target) > MAX_NOTE_CHARS:
            raise ValidationError(
                _("The name is at most %(max)s characters.") % {"max": MAX_NOTE_CHARS},
                code="target",
            )
        introduction.target = target or introduction.target
    if action == "met" and introduction.met_said_by_id is None:
        # The first of the two says it happened; it is met when the other confirms.
        introduction.met_said_by = by
        introduction.met_said_at = timezone.now()
        introduction.save()
        return introduction
    if action == "met" and introduction.met_said_by_id == by.pk:
        raise ValidationError(
            _("You said so already; the other person confirms it."), code="status"
        )
    status, stamp = MOVE_RESULTS[action]
    introduction.status = status
    setattr(introduction, stamp, timezone.now())
    introduction.save()
    return introduction


@transaction.atomic
def unsubscribe(attendee: Attendee) -> Attendee:
    """Stop this attendee's follow-up mail. Repeating it keeps the first time."""
    Attendee.objects.filter(pk=attendee.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    attendee.refresh_from_db(fields=["unsubscribed_at"])
    return attendee


@transaction.atomic
def resubscribe(attendee: Attendee) -> Attendee:
    """Undo ``unsubscribe``: follow-up mail not sent yet will be sent again."""
    Attendee.objects.filter(pk=attendee.pk).update(unsubscribed_at=None)
    attendee.unsubscribed_at = None
    return attendee


@transaction.atomic
def save_my_details(
    attendee: Attendee,
    *,
    is_sharing: bool,
    email: str | None = None,
    phone: str | None = None,
    wechat_id: str | None = None,
    linkedin_url: str | None = None,
) -> Attendee:
    """The attendee's own choice about sharing (``consent_decided_at`` recorded by
    ``events.services.take_consent_choice``) and their channels (already validated and
    normalised by ``MyDetailsForm``; a channel given as None is left as it is, as when the room's
    yes/no question is answered). It takes effect at once: leads, downloads and the next mail
    read it. Raises ``ValidationError`` on ``email`` when someone else at the event has it."""
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if email:
        taken = (
            Attendee.objects.filter(event_id=attendee.event_id, email__iexact=email)
            .exclude(pk=attendee.pk)
            .exists()
        )
        if taken:
            raise ValidationError(
                {"email": _("Someone else at this event has this email address.")}, code="email"
            )
    fields = event_services.take_consent_choice(attendee, is_sharing=is_sharing)
    channels = {
        "email": email,
        "phone": phone,
        "wechat_id": wechat_id,
        "linkedin_url": linkedin_url,
    }
    for name, value in channels.items():
        if value is not None:
            setattr(attendee, name, value)
            fields.append(name)
    attendee.save(update_fields=fields)
    return attendee
