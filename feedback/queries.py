"""Reads for the attendee's own pages: only ever their own cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from events.models import Attendee, Event
from events.queries import earlier_selves
from feedback import services
from feedback.models import Card, Introduction
from pitches import matching
from pitches import queries as pitch_queries
from rounds import queries as round_queries
from rounds.models import Round, Seat
from rounds.queries import itinerary_with_tablemates


def live_counters(event_id: int) -> dict[str, int]:
    """``rounds.queries.live_counters`` with ``cards_this_round``: the cards given in the
    current round (0 between rounds). One query more."""
    counters = round_queries.live_counters(event_id)
    cards = Card.objects.filter(round__event_id=event_id, round__number=counters["round"])
    return {**counters, "cards_this_round": cards.count() if counters["round"] else 0}


# A promise still open: the introducer has not made it, and the pitcher has not declined it.
OPEN_PROMISES = (Introduction.Status.OFFERED, Introduction.Status.ACCEPTED)


def both_share_contact(attendee: Attendee, person: Attendee) -> bool:
    """Whether the attendee sees the person's contact details: only where both agreed, each on
    their own page or join form (an imported "yes" is only a suggestion). The organizer's
    exports follow another rule, one person's own consent: ``exports.own_shared_contact``."""
    return attendee.is_sharing_contact and person.is_sharing_contact


def cards_given_by(attendee_id: int) -> dict[tuple[int, str], tuple[str, int]]:
    """(receiver id, kind) → (the client id of the tap that gave it, the number of the round
    it was given in), to draw pressed buttons. One query."""
    cards = Card.objects.filter(giver_id=attendee_id).values_list(
        "receiver_id", "kind", "client_id", "round__number"
    )
    return {
        (receiver, kind): (str(client_id), number) for receiver, kind, client_id, number in cards
    }


def cards_received_by(attendee_id: int) -> QuerySet[Card]:
    """Cards the attendee received, newest first, with giver and round. One query."""
    return (
        Card.objects.filter(receiver_id=attendee_id)
        .select_related("giver", "round")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class Tablemate:
    seat: Seat
    is_me: bool
    see_me_client_id: str
    """The client id of the "See me" card given to them in this stop's round; "" otherwise."""
    introduce_client_id: str
    see_me_elsewhere: bool = False
    """A "See me" card went to them in another round (one card of a kind per person: it is
    neither given again nor taken back from this round)."""
    introduce_elsewhere: bool = False
    why: str = ""
    """One line from the tablemate's offer when they may help (``pitches.queries.why_lines``)."""
    met_before: str = ""  # "met in March 2026": sat together at an earlier event of the series


@dataclass(frozen=True)
class RoomStop:
    round_number: int
    table_number: int
    tablemates: list[Tablemate]


def room_itinerary(attendee_id: int, *, met_before: dict[int, str] | None = None) -> list[RoomStop]:
    """The attendee's rounds with each tablemate and the cards already given to them, so the
    buttons are drawn pressed; ``met_before`` (``met_before``) marks tablemates met at an
    earlier event of the series. Three queries whatever the event size."""
    given = cards_given_by(attendee_id)
    stops = itinerary_with_tablemates(attendee_id)
    why = why_for(attendee_id, [seat for stop in stops for seat in stop.seats])
    earlier = met_before or {}
    return [
        RoomStop(
            round_number=stop.round_number,
            table_number=stop.table_number,
            tablemates=[
                Tablemate(
                    seat=seat,
                    is_me=seat.attendee_id == attendee_id,
                    see_me_client_id=given_here(
                        given, seat.attendee_id, Card.Kind.SEE_ME, stop.round_number
                    ),
                    introduce_client_id=given_here(
                        given, seat.attendee_id, Card.Kind.INTRODUCE, stop.round_number
                    ),
                    see_me_elsewhere=given_elsewhere(
                        given, seat.attendee_id, Card.Kind.SEE_ME, stop.round_number
                    ),
                    introduce_elsewhere=given_elsewhere(
                        given, seat.attendee_id, Card.Kind.INTRODUCE, stop.round_number
                    ),
                    why=why.get(seat.attendee_id, ""),
                    met_before=earlier.get(seat.attendee_id, ""),
                )
                for seat in stop.seats
            ],
        )
        for stop in stops
    ]


def given_here(
    given: dict[tuple[int, str], tuple[str, int]], receiver_id: int, kind: str, round_number: int
) -> str:
    """The client id of the card of ``kind`` given to ``receiver_id`` in round
    ``round_number``, or "" (``given``: ``cards_given_by``)."""
    client_id, number = given.get((receiver_id, kind), ("", 0))
    return client_id if number == round_number else ""


def given_elsewhere(
    given: dict[tuple[int, str], tuple[str, int]], receiver_id: int, kind: str, round_number: int
) -> bool:
    """Whether the card of ``kind`` to ``receiver_id`` was given in a round other than
    ``round_number`` (``given``: ``cards_given_by``)."""
    _client_id, number = given.get((receiver_id, kind), ("", 0))
    return bool(number) and number != round_number


def why_for(attendee_id: int, seats: list[Seat]) -> dict[int, str]:
    """ "Why this table" lines for the attendee from the seats of their itinerary (attendees and
    pitches already loaded): tablemate id -> line. No queries."""
    people = {seat.attendee_id: seat.attendee for seat in seats}
    if attendee_id not in people:
        return {}

    def profile(person: Attendee) -> matching.Profile:
        return pitch_queries.help_profile(person, getattr(person, "pitch", None))

    others = [profile(person) for pk, person in people.items() if pk != attendee_id]
    return pitch_queries.why_lines(profile(people[attendee_id]), others)


@dataclass(frozen=True)
class Lead:
    person: Attendee
    note: str  # an introduction's target as it stands now (made "to …"), else the card's note
    last_table: int | None
    has_contact: bool
    introduction: Introduction | None = None

    @property
    def status(self) -> str:
        """The introduction's status in the reader's language, as the introducer sees it."""
        return self.introduction.get_status_display() if self.introduction else ""


def introduction_of(card: Card) -> Introduction | None:
    """The card's introduction (loaded with ``select_related``), or None."""
    try:
        return card.introduction
    except Introduction.DoesNotExist:
        return None


@dataclass(frozen=True)
class Leads:
    want_to_see_me: list[Lead]
    can_introduce_me: list[Lead]
    i_asked_to_see: list[Lead]

    @property
    def is_empty(self) -> bool:
        return not (self.want_to_see_me or self.can_introduce_me or self.i_asked_to_see)


def last_tables(event_id: int, people: set[int]) -> dict[int, int]:
    """Where each of these people sat in the last round that started: where to find them now."""
    last = (
        Round.objects.filter(event_id=event_id)
        .exclude(status=Round.Status.PLANNED)
        .order_by("-number")
        .values_list("pk", flat=True)[:1]
    )
    seats = Seat.objects.filter(round_id__in=last, attendee_id__in=people)
    return dict(seats.values_list("attendee_id", "table__number"))


def leads_of(attendee: Attendee, *, shows_contact: bool = True) -> Leads:
    """The attendee's own leads, with contact details only where both agreed (and, with
    ``shows_contact`` false, none: ``devices.sees_contacts``); an introduction the attendee
    declined is no longer a lead. Three queries."""
    received = list(
        Card.objects.filter(receiver=attendee)
        .exclude(introduction__status=Introduction.Status.DECLINED)
        .select_related("giver__pitch", "introduction")
        .order_by("created_at")
    )
    given = list(
        Card.objects.filter(giver=attendee, kind=Card.Kind.SEE_ME)
        .select_related("receiver__pitch")
        .order_by("created_at")
    )
    people = {c.giver_id for c in received} | {c.receiver_id for c in given}
    tables = last_tables(attendee.event_id, people)

    def lead(person: Attendee, introduction: Introduction | None = None, note: str = "") -> Lead:
        shared = shows_contact and both_share_contact(attendee, person)
        return Lead(
            person=person,
            note=introduction.target if introduction else note,
            last_table=tables.get(person.pk),
            has_contact=shared,
            introduction=introduction,
        )

    def offer(card: Card) -> Lead:
        return lead(card.giver, introduction_of(card), card.note)

    return Leads(
        want_to_see_me=[lead(c.giver) for c in received if c.kind == Card.Kind.SEE_ME],
        can_introduce_me=[offer(c) for c in received if c.kind == Card.Kind.INTRODUCE],
        i_asked_to_see=[lead(c.receiver) for c in given],
    )


@dataclass(frozen=True)
class IntroductionItem:
    """One introduction as one of its two people sees it."""

    introduction: Introduction
    person: Attendee  # the other person: the introducer for the pitcher, and the other way round
    is_introducer: bool
    moves: list[str]
    has_contact: bool

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """The forward moves (never "decline": it sits apart and asks once), with labels."""
        return [(move, self.label(move)) for move in self.moves if move != "decline"]

    @property
    def can_decline(self) -> bool:
        return "decline" in self.moves

    def label(self, move: str) -> str:
        if move == "met" and self.introduction.met_said_by_id is not None:
            return services.CONFIRM_MET_LABEL
        return services.INTRODUCTION_MOVE_LABELS[move]

    @property
    def is_waiting_for_other(self) -> bool:
        """I said we met; the other person has not confirmed yet."""
        introduction = self.introduction
        return introduction.is_waiting_for_confirmation and introduction.met_said_by_id != (
            self.person.pk
        )

    @property
    def is_thanked(self) -> bool:
        """The introducer's private thank-you: the introduction led to a confirmed meeting."""
        return self.is_introducer and self.introduction.status == Introduction.Status.MET


@dataclass(frozen=True)
class Introductions:
    offered_to_me: list[IntroductionItem]
    promised_by_me: list[IntroductionItem]

    @property
    def is_empty(self) -> bool:
        return not (self.offered_to_me or self.promised_by_me)

    @property
    def has_moves(self) -> bool:
        """Whether any of them waits for a step from the attendee (a button or a decline)."""
        items = [*self.offered_to_me, *self.promised_by_me]
        return any(item.buttons or item.can_decline for item in items)


def introduction_items(
    attendee: Attendee, introductions: QuerySet[Introduction], *, shows_contact: bool = True
) -> list[IntroductionItem]:
    """``introductions`` as the attendee's leads page lists them: who, what was promised, and
    what the attendee can do next. No queries beyond those of ``introductions``."""

    def item(introduction: Introduction) -> IntroductionItem:
        card = introduction.card
        is_introducer = card.giver_id == attendee.pk
        person = card.receiver if is_introducer else card.giver
        return IntroductionItem(
            introduction=introduction,
            person=person,
            is_introducer=is_introducer,
            moves=services.moves_for(introduction, attendee_id=attendee.pk),
            has_contact=shows_contact and both_share_contact(attendee, person),
        )

    mine = Q(card__giver_id=attendee.pk) | Q(card__receiver_id=attendee.pk)
    return [
        item(introduction)
        for introduction in introductions.filter(mine)
        .select_related("card__giver__pitch", "card__receiver__pitch")
        .order_by("created_at", "pk")
    ]


def introductions_of(attendee: Attendee, *, shows_contact: bool = True) -> Introductions:
    """The introductions offered to the attendee and the ones they promised. One query."""
    items = introduction_items(attendee, Introduction.objects.all(), shows_contact=shows_contact)
    return Introductions(
        offered_to_me=[item for item in items if not item.is_introducer],
        promised_by_me=[item for item in items if item.is_introducer],
    )


def introduction_for(attendee: Attendee, introduction_id: int) -> IntroductionItem | None:
    """One of the attendee's own introductions, or None when it is not theirs. One query."""
    items = introduction_items(attendee, Introduction.objects.filter(pk=introduction_id))
    return items[0] if items else None


def open_promises_of(attendee: Attendee, *, shows_contact: bool = True) -> list[IntroductionItem]:
    """The introductions the attendee promised and has not made yet (the pitcher has not
    declined them either): what the seven-day reminder lists; with ``shows_contact`` false,
    no one's contact details. One query."""
    promised = Introduction.objects.filter(card__giver_id=attendee.pk, status__in=OPEN_PROMISES)
    return introduction_items(attendee, promised, shows_contact=shows_contact)


def contact_for(attendee: Attendee, person_id: int) -> Attendee | None:
    """Another attendee's contact card, if a card links the two and both agreed to share."""
    if not attendee.is_sharing_contact:
        return None
    linked = Card.objects.filter(
        Q(giver=attendee, receiver_id=person_id) | Q(receiver=attendee, giver_id=person_id)
    )
    if not linked.exists():
        return None
    return Attendee.objects.filter(
        pk=person_id,
        event_id=attendee.event_id,
        is_consenting_to_share=True,
        consent_decided_at__isnull=False,
    ).first()


# The series: what earlier events of the attendee's series left open, and whom they met there.


def month_of(starts_at: datetime, event: Event) -> str:
    """The month of an event in its own zone, in the active language ("March 2026")."""
    local = timezone.localtime(starts_at, event.zone)
    return dateformat.format(local, get_format("YEAR_MONTH_FORMAT"))


def met_before(attendee: Attendee) -> dict[int, str]:
    """The attendee's tablemates they sat with at an earlier event of the series, each with
    "met in <month>" (the latest time), in the active language. No query outside a series."""
    return {
        pk: _("met in %(month)s") % {"month": month_of(starts_at, attendee.event)}
        for pk, starts_at in round_queries.earlier_tablemates(attendee).items()
    }


# What carries over: promised and not yet confirmed met, not declined.
CARRIED_STATUSES = (
    Introduction.Status.OFFERED,
    Introduction.Status.ACCEPTED,
    Introduction.Status.MADE,
)


@dataclass(frozen=True)
class CarriedPromise:
    """An open introduction from an earlier event of the series, as one of its two people (the
    attendee at this event) sees it."""

    introduction: Introduction
    person: Attendee  # the other person, at the earlier event
    is_introducer: bool
    event: Event  # the earlier event

    @property
    def text(self) -> str:
        """ "At Harbour March (March 2026) you offered to introduce Priya Shah to a hotel
        buyer.", in the active language."""
        values = {
            "event": self.event.title,
            "month": month_of(self.event.starts_at, self.event),
            "name": self.person.name,
            "target": self.introduction.target,
        }
        if self.is_introducer:
            text = (
                _("At %(event)s (%(month)s) you offered to introduce %(name)s to %(target)s.")
                if self.introduction.target
                else _("At %(event)s (%(month)s) you offered to introduce %(name)s to someone.")
            )
        else:
            text = (
                _("At %(event)s (%(month)s) %(name)s offered to introduce you to %(target)s.")
                if self.introduction.target
                else _("At %(event)s (%(month)s) %(name)s offered to introduce you to someone.")
            )
        return text % values

    @property
    def status(self) -> str:
        return self.introduction.get_status_display()


def carried_promises(attendee: Attendee) -> list[CarriedPromise]:
    """Open introductions (offered, accepted, made but not confirmed met) that the attendee's
    earlier selves in the series (``events.queries.earlier_selves``) promised or were promised,
    oldest first; none with someone who asked the series to forget them or was erased. No query
    outside a series, else one."""
    selves = earlier_selves(attendee)
    if attendee.event.series_id is None or not attendee.email:
        return []
    mine = selves.values("pk")
    introductions = (
        Introduction.objects.filter(status__in=CARRIED_STATUSES)
        .filter(Q(card__giver__in=mine) | Q(card__receiver__in=mine))
        # the other person may have asked the series to forget them, or been erased
        .exclude(card__giver__series_answer=Attendee.SeriesAnswer.OTHER)
        .exclude(card__receiver__series_answer=Attendee.SeriesAnswer.OTHER)
        .filter(card__giver__erased_at__isnull=True, card__receiver__erased_at__isnull=True)
        .select_related("card__giver__event", "card__receiver")
        .order_by("card__giver__event__starts_at", "created_at", "pk")
    )
    promises = []
    for introduction in introductions:
        card = introduction.card
        is_introducer = card.giver.email == attendee.email
        promises.append(
            CarriedPromise(
                introduction=introduction,
                person=card.receiver if is_introducer else card.giver,
                is_introducer=is_introducer,
                event=card.giver.event,
            )
        )
    return promises


def has_cards(attendee: Attendee) -> bool:
    """Whether any card links the attendee to someone (given or received). One query."""
    return Card.objects.filter(Q(giver=attendee) | Q(receiver=attendee)).exists()
