"""Giving and taking back cards. Every tap carries a client-generated id, so a submission
repeated by a flaky network or a double tap is recognised and never counted twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import takewhile
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wcwidth import iter_graphemes

from config.capacity import is_database_unavailable
from events import services as event_services
from events import sockets as event_sockets
from events.models import Attendee, Event
from feedback import broadcasts, tapsql
from feedback.models import Card, Introduction
from rounds import services as round_services
from rounds.broadcasts import sent_together
from rounds.models import Round, Seat

logger = logging.getLogger(__name__)

# A card's note (and an introduction's "whom") holds at most this many characters as a reader
# counts them: grapheme clusters, so 中 is one, and so is 👍🏽 or a family emoji
# (static/js/room.js counts the same with Intl.Segmenter and refuses more before sending;
# nothing is ever cut). The database column holds ``MAX_NOTE_CODE_POINTS`` code points, room
# for 200 emoji sequences; a note above it (no reader's text is) is refused too.
MAX_NOTE_CHARS = 200
MAX_NOTE_CODE_POINTS = 1000


def note_characters(text: str) -> int:
    """How many characters ``text`` has as a reader counts them (extended grapheme clusters,
    Unicode UAX #29): what the phone's note counter counts. No queries."""
    return sum(1 for _cluster in iter_graphemes(text))


def is_note_too_long(text: str) -> bool:
    """Whether ``text`` (already cleaned) is over the note's limit: more than ``MAX_NOTE_CHARS``
    characters as a reader counts them, or more code points than the column holds."""
    return len(text) > MAX_NOTE_CODE_POINTS or note_characters(text) > MAX_NOTE_CHARS


def note_too_long() -> ValidationError:
    """The refusal of a note over the limit (code ``note``), lazy as every refusal of a tap
    (below): read in the language active when it is read."""
    return ValidationError(
        gettext_lazy("The note is at most %(max)s characters."),
        code="note",
        params={"max": MAX_NOTE_CHARS},
    )


# The refusals of a card tap are lazy (``gettext_lazy``; a number goes in the
# ``ValidationError``'s ``params``, not into the text): a batch of taps is written for many
# phones at once, and each phone's socket reads its refusal in its own language
# (``feedback.consumers.PhoneConsumer``); a page reads it in the request's.


def refusal_text(error: ValidationError) -> str:
    """``error``'s messages as one sentence (joined by a space), made when read as text, in the
    language active then (a lazy ``str``). Its messages must be lazy themselves
    (``gettext_lazy``) for it to read in any language but the one active when they were made."""
    return lazy(lambda: " ".join(error.messages), str)()


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
    (``closed``), from a giver who has not accepted the code of conduct (``conduct``), to a
    person whose data was erased (``erased``). Raises ``ValidationError``; returns nothing when
    the card may be given."""
    if giver.pk == receiver.pk:
        raise ValidationError(gettext_lazy("You cannot give a card to yourself."), code="self")
    if event_services.needs_conduct(giver):
        raise ValidationError(
            gettext_lazy("Please open your link again and accept the code of conduct first."),
            code="conduct",
        )
    if not (giver.event_id == receiver.event_id == round_.event_id):
        raise ValidationError(
            gettext_lazy("Cards go to people at your table."), code="not_tablemate"
        )
    if round_.status == Round.Status.PLANNED:
        raise ValidationError(gettext_lazy("This round has not started yet."), code="not_started")
    if round_.event.status == Event.Status.CLOSED:
        raise ValidationError(gettext_lazy("The event is closed."), code="closed")
    if not shared_table(round_, giver, receiver):
        raise ValidationError(
            gettext_lazy("Cards go to people at your table."), code="not_tablemate"
        )
    if receiver.erased_at is not None:
        raise ValidationError(
            gettext_lazy("This person's data was deleted: they can no longer be given cards."),
            code="erased",
        )


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
        raise ValidationError(gettext_lazy("Unknown kind of card."), code="kind")
    note = " ".join(note.split())
    if is_note_too_long(note):
        raise note_too_long()
    # One read for both repeats: this very tap (answered even after the round ended, so a late
    # retry from the phone's outbox succeeds) and the same card given by an earlier tap.
    earlier = list(
        Card.objects.filter(Q(client_id=client_id) | Q(receiver=receiver, kind=kind), giver=giver)
        .select_related("round")
        .order_by()[:2]
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
def take_back_card(
    giver: Attendee, *, client_id: uuid.UUID, round_number: int | None = None
) -> bool:
    """Take back the card given with this tap's client id. Repeating it is harmless; it returns
    whether a card was taken back now. Once the event is closed its cards are the report's
    figures and the introductions offered are promises: taking back is refused
    (``ValidationError``, code ``closed``). A tap from the stop of round ``round_number`` takes
    back only a card given in that round: sitting with someone again, one does not take back,
    with its note and introduction, the card given them in an earlier round (code
    ``other_round``). None: any round (a tap queued by a phone before rounds were sent)."""
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
            gettext_lazy("The event is closed: cards given can no longer be taken back."),
            code="closed",
        )
    if round_number is not None and card.round.number != round_number:
        raise ValidationError(
            gettext_lazy("This card was given in another round; it stays given."),
            code="other_round",
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
        take_back_card(giver, client_id=client_id, round_number=round_number)
        return None
    receiver = giver.event.attendees.filter(pk=receiver_id).order_by().first()
    round_ = giver.event.rounds.filter(number=round_number).order_by().first()
    if receiver is None or round_ is None:
        raise ValidationError(
            gettext_lazy("Cards go to people at your table."), code="not_tablemate"
        )
    return give_card(
        giver, receiver=receiver, round_=round_, kind=kind, client_id=client_id, note=note
    )


@dataclass(frozen=True)
class TapOutcome:
    """What became of one tap: the card given (None after a take-back), or why it was refused."""

    card: Card | None = None
    error: str = ""
    """Why the tap was refused ("" when it was not): lazy, read in the language active when it
    is read as text (``refusal_text``), so that each phone reads it in its own."""
    other_round: bool = False
    """A "give" answered with the card given in another round (one card of a kind per person:
    the tablemate met again already has it)."""
    is_taken_back: bool = False
    """A "take_back" that took a card back now; False when no card had its client id (never
    given, or taken back already): nothing changed."""


def tap_cards(taps: Sequence[tuple[int, dict[str, Any]]]) -> list[TapOutcome | None]:
    """Many phones' taps, each a giver's id and ``tap_card``'s keywords, in one transaction (a
    commit per tap is what a room of phones would otherwise pay most). Each run of "give" taps
    is handled as a set (``give_cards``: one read of the rounds with the seats concerned, one
    of the cards already given, one insert), with the same answers ``give_card`` would give tap
    by tap; a take-back goes alone, in its place in the order. The givers and the receivers are
    read together, inside the transaction (``tap_people``; on PostgreSQL in the same round trip
    as the first set's two reads, sent after the lock in one pipeline). Should a set's insert
    fail (the same card stored meanwhile by another process), the whole batch is rolled back
    and done again tap by tap, each tap in a savepoint of its own, so a refused tap leaves the
    others (no savepoint is paid when nothing fails: on PostgreSQL every statement is a round
    trip to the server).
    The pushes leave after the commit, all in one hop to the event loop. None for a tap the
    database failed to write: it is to be sent again. If the commit itself fails, the exception
    leaves every tap to be resent, and so does a connection that cannot be had or has gone
    (``database_lost``)."""
    wanted = {giver_id for giver_id, _ in taps} | {
        arguments["receiver_id"] for _, arguments in taps if arguments["action"] == "give"
    }
    with sent_together():
        try:
            with transaction.atomic():
                people, first_set = tap_people(wanted, taps=taps)
                return tap_runs(taps, people, as_sets=True, first_set=first_set)
        except DatabaseError as error:
            # tap by tap would wait for it again (a lost connection, a lock or a statement
            # timeout): the phones resend
            if database_lost() or is_database_unavailable(error):
                raise
            logger.warning(
                "A batch of %d card taps goes again tap by tap", len(taps), exc_info=True
            )
        with transaction.atomic():
            people, _ = tap_people(wanted)
            return tap_runs(taps, people, as_sets=False)


def database_lost() -> bool:
    """Whether this thread's database connection could not be had or no longer answers (the
    server restarting, the pool's timeout met), rather than a statement refused: then the
    batch is not tried again tap by tap."""
    db = connections[DEFAULT_DB_ALIAS]
    return db.connection is None or not db.is_usable()


SetReads = tuple[tapsql.RoundsAndSeats, list[Card]]
"""What ``give_cards`` reads for a set: the rounds and seats (``tapsql.rounds_and_seats``) and
the cards already given (``tapsql.cards_given``)."""


def tap_people(
    ids: set[int], *, taps: Sequence[tuple[int, dict[str, Any]]] = ()
) -> tuple[dict[int, tapsql.Person], SetReads | None]:
    """The givers and receivers of a batch by id, with their event (``tapsql.Person`` rows),
    read inside the batch's transaction and locked for it (on PostgreSQL ``FOR KEY SHARE``,
    ``tapsql.people``; SQLite's write lock covers the whole transaction), in id order so that
    a batch and an erasure never deadlock: an erasure of one of them waits for the batch, or
    the batch sees it. Check-ins do not wait for it, nor it for them; another batch waits only
    to insert the same card (the unique index), and then this one goes again tap by tap.

    With the batch's ``taps``, where the database takes statements sent together (PostgreSQL:
    ``tapsql.people_and_their_set``), also what ``give_cards`` reads for the batch's first run
    of "give" taps, in the same round trip, read after the people are locked just as
    ``give_cards`` would read it (nothing else happens in the transaction before that run).
    Otherwise, or when the batch starts with a take-back, None: ``give_cards`` reads it."""
    first = list(takewhile(lambda tap: tap[1]["action"] == "give", taps))
    if not first or not tapsql.can_send_together(connections[DEFAULT_DB_ALIAS]):
        return tapsql.people(ids, lock=True), None
    people, rounds_and_seats, existing = tapsql.people_and_their_set(
        ids,
        givers={giver_id for giver_id, _ in first},
        numbers={args["round_number"] for _, args in first},
        client_ids=[args["client_id"] for _, args in first],
        receivers={args["receiver_id"] for _, args in first},
    )
    return people, (rounds_and_seats, existing)


def tap_runs(
    taps: Sequence[tuple[int, dict[str, Any]]],
    people: dict[int, tapsql.Person],
    *,
    as_sets: bool,
    first_set: SetReads | None = None,
) -> list[TapOutcome | None]:
    """``tap_cards``'s taps in order, inside its transaction: each run of "give" taps as a set
    (``give_cards``, which raises ``DatabaseError`` should its insert fail) or, with
    ``as_sets=False``, every tap on its own (``tap_outcome``: a tap the database refuses is
    None, the others stand). ``people``: the givers and receivers by id, with their event (an
    ``Attendee`` is made of a giver only for a tap that goes on its own);
    ``first_set``: what ``give_cards`` reads, read already for the run the batch starts with."""
    outcomes: list[TapOutcome | None] = []
    run: list[tuple[tapsql.Person | None, dict[str, Any]]] = []
    for giver_id, arguments in [*taps, (0, {"action": "end"})]:
        if arguments["action"] == "give" and as_sets:
            run.append((people.get(giver_id), arguments))
            continue
        if run:
            read = first_set if not outcomes else None  # the batch's first run only
            outcomes.extend(give_cards(run, people, read=read))
            run = []
        if arguments["action"] != "end":
            person = people.get(giver_id)
            giver = None if person is None else tapsql.attendee(person)
            outcomes.append(tap_outcome(giver, arguments))
    return outcomes


def give_cards(
    taps: list[tuple[tapsql.Person | None, dict[str, Any]]],
    people: dict[int, tapsql.Person],
    *,
    read: SetReads | None = None,
) -> list[TapOutcome | None]:
    """ "Give" taps (the giver with its event as read, ``tap_card``'s keywords) answered as
    ``give_card`` answers each in turn: a repeat of a tap gets its card, a card given before (or
    earlier in the set) is the card, a refusal its reason. ``people`` holds at least every
    receiver that exists, by id (a receiver must be an attendee of the giver's event). One read
    of the rounds with the seats concerned, one of the cards already given, and one insert (two
    with an introduction among them), whatever their number; ``read``: those two reads, done
    already (``tap_people``), for these taps' givers or more. Raises
    ``DatabaseError`` when the insert fails."""
    if read is None:
        read = set_reads(taps)
    (rounds, seats), existing = read
    by_tap = {(card.giver_id, str(card.client_id)): card for card in existing}
    by_pair = {(card.giver_id, card.receiver_id, card.kind): card for card in existing}
    members = {pk: person.event_id for pk, person in people.items()}
    erased = {pk for pk, person in people.items() if person.erased_at is not None}
    answers: list[TapOutcome | Card | None] = []
    new: list[tuple[Card, tapsql.Person, int]] = []  # with its giver and its round's number
    added: set[int] = set()
    for giver, args in taps:
        if giver is None or giver.erased_at is not None:
            answers.append(TapOutcome(error=gettext_lazy("This link is no longer valid.")))
            continue
        try:
            card = set_card(giver, args, rounds, seats, members, erased, by_tap, by_pair)
        except ValidationError as error:
            answers.append(TapOutcome(error=refusal_text(error)))
            continue
        if card.pk is None and id(card) not in added:  # a repeat in the set is the same card
            added.add(id(card))
            new.append((card, giver, args["round_number"]))
        answers.append(card)
    if new:
        # In one order in every process (giver, receiver, round, kind): two batches inserting
        # the same cards wait for each other at the unique index instead of deadlocking; the
        # second then meets the first's card and goes again tap by tap (``tap_cards``).
        new.sort(key=lambda item: (item[0].giver_id, item[0].receiver_id, item[2], item[0].kind))
        tapsql.insert_cards([card for card, _, _ in new])
        introductions = [
            Introduction(card=card, target=card.note)
            for card, _, _ in new
            if card.kind == Card.Kind.INTRODUCE
        ]
        if introductions:
            Introduction.objects.bulk_create(introductions)
        for card, giver, number in new:
            message = broadcasts.card_message(
                card, round_number=number, giver_name=giver.name, is_given=True
            )
            transaction.on_commit(partial(broadcasts.send_card, card.receiver_id, message))
    return [
        TapOutcome(card=a, other_round=a.round_id != rounds[(g.event_id, t["round_number"])].pk)
        if isinstance(a, Card) and g is not None
        else a
        for a, (g, t) in zip(answers, taps, strict=True)
    ]


def set_reads(taps: list[tuple[tapsql.Person | None, dict[str, Any]]]) -> SetReads:
    """What ``give_cards`` reads for its taps (the giver with its event, ``tap_card``'s
    keywords), for the givers that exist and are not erased: two statements."""
    valid = [(giver, args) for giver, args in taps if giver is not None and not giver.erased_at]
    # Written as SQL once (tapsql): through the ORM, building these reads took most of a
    # batch's CPU, on the thread that shares the interpreter with every phone's frames.
    concerned = {giver.pk for giver, _ in valid} | {args["receiver_id"] for _, args in valid}
    rounds_and_seats = tapsql.rounds_and_seats(
        {giver.event_id for giver, _ in valid},
        {args["round_number"] for _, args in valid},
        concerned,
    )
    existing = tapsql.cards_given(
        {giver.pk for giver, _ in valid},
        [args["client_id"] for _, args in valid],
        {args["receiver_id"] for _, args in valid},
    )
    return rounds_and_seats, existing


def set_card(
    giver: tapsql.Person,
    args: dict[str, Any],
    rounds: dict[tuple[int, int], tapsql.RoundRow],
    seats: dict[tuple[int, int], int],
    members: dict[int, int],
    erased: set[int],
    by_tap: dict[tuple[int, str], Card],
    by_pair: dict[tuple[int, int, str], Card],
) -> Card:
    """One tap of ``give_cards``, from what the set read: the card (a new one unsaved, also
    recorded in ``by_tap`` and ``by_pair`` for the taps after it; its round and giver by id
    only), or ``ValidationError`` with ``give_card``'s and ``check_card_allowed``'s reasons, in
    their order."""
    round_ = rounds.get((giver.event_id, args["round_number"]))
    receiver_id, kind, client_id = args["receiver_id"], args["kind"], args["client_id"]
    if round_ is None or members.get(receiver_id) != giver.event_id:
        raise ValidationError(
            gettext_lazy("Cards go to people at your table."), code="not_tablemate"
        )
    if kind not in Card.Kind.values:
        raise ValidationError(gettext_lazy("Unknown kind of card."), code="kind")
    note = " ".join(args.get("note", "").split())
    if is_note_too_long(note):
        raise note_too_long()
    same_tap = by_tap.get((giver.pk, str(client_id)))
    if same_tap is not None:
        return same_tap
    if giver.pk == receiver_id:
        raise ValidationError(gettext_lazy("You cannot give a card to yourself."), code="self")
    if event_services.needs_conduct(giver):
        raise ValidationError(
            gettext_lazy("Please open your link again and accept the code of conduct first."),
            code="conduct",
        )
    if round_.status == Round.Status.PLANNED:
        raise ValidationError(gettext_lazy("This round has not started yet."), code="not_started")
    if giver.event.status == Event.Status.CLOSED:
        raise ValidationError(gettext_lazy("The event is closed."), code="closed")
    table = seats.get((round_.pk, giver.pk))
    if table is None or seats.get((round_.pk, receiver_id)) != table:
        raise ValidationError(
            gettext_lazy("Cards go to people at your table."), code="not_tablemate"
        )
    if receiver_id in erased:
        raise ValidationError(
            gettext_lazy("This person's data was deleted: they can no longer be given cards."),
            code="erased",
        )
    earlier = by_pair.get((giver.pk, receiver_id, kind))
    if earlier is not None:
        return earlier
    card = Card(
        round_id=round_.pk,
        giver_id=giver.pk,
        receiver_id=receiver_id,
        kind=kind,
        note=note if kind == Card.Kind.INTRODUCE else "",
        client_id=client_id,
    )
    by_tap[(giver.pk, str(client_id))] = card
    by_pair[(giver.pk, receiver_id, kind)] = card
    return card


def tap_outcome(giver: Attendee | None, arguments: dict[str, Any]) -> TapOutcome | None:
    """What a phone's card tap (``arguments`` of ``tap_card``) came to: the card, or an error to
    show; None when the database failed (logged; the phone sends the same tap again)."""
    if giver is None or giver.erased_at is not None:  # erased since its phone connected
        return TapOutcome(error=gettext_lazy("This link is no longer valid."))
    try:
        if arguments["action"] == "take_back":
            is_taken_back = take_back_card(
                giver,
                client_id=arguments["client_id"],
                round_number=arguments.get("round_number"),
            )
            return TapOutcome(is_taken_back=is_taken_back)
        card = tap_card(giver, **arguments)
    except ValidationError as error:
        return TapOutcome(error=refusal_text(error))
    except DatabaseError as error:
        if is_database_unavailable(error):
            # a lost connection, a lock or a statement timeout: the next tap would wait for it
            # again; the whole batch goes up, and every phone sends its taps again
            raise
        logger.exception("Card tap %s not written; it will be sent again", arguments["client_id"])
        return None
    other = card is not None and card.round.number != arguments.get("round_number")
    return TapOutcome(card=card, other_round=other)


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
        if is_note_too_long(target):
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
    read it, and every open room page of theirs drops its sharing question (a ``presence`` push
    after commit). Raises ``ValidationError`` on ``email`` when someone else at the event has
    it."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
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
    transaction.on_commit(partial(event_sockets.push_presence, attendee.pk))
    return attendee


def rescue_last_round(
    event: Event, *, by: Any, time_limit: float = 1.0
) -> round_services.RescueReport:
    """The organizer's rescue round (``rounds.services.rescue_last_round``) with the cards each
    attendee of ``event`` received so far, of either kind, counted here (one query): the
    pitchers with the fewest sit with their best remaining helpers in the last round. Returns
    the ``RescueReport``; raises its ``ValidationError``s."""
    received = dict(
        Card.objects.filter(receiver__event_id=event.pk)
        .values("receiver_id")
        .annotate(total=Count("pk"))
        .values_list("receiver_id", "total")
    )
    return round_services.rescue_last_round(event, received=received, by=by, time_limit=time_limit)
