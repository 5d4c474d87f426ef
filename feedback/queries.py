"""Reads for the attendee's own pages: only ever their own cards."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from feedback.models import Card
from rounds.models import Seat
from rounds.queries import itinerary_with_tablemates


def cards_given_by(attendee_id: int) -> dict[tuple[int, str], str]:
    """(receiver id, kind) → the client id of the tap that gave it, to draw pressed buttons."""
    cards = Card.objects.filter(giver_id=attendee_id).values_list(
        "receiver_id", "kind", "client_id"
    )
    return {(receiver, kind): str(client_id) for receiver, kind, client_id in cards}


def cards_received_by(attendee_id: int) -> QuerySet[Card]:
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
    introduce_client_id: str


@dataclass(frozen=True)
class RoomStop:
    round_number: int
    table_number: int
    tablemates: list[Tablemate]


def room_itinerary(attendee_id: int) -> list[RoomStop]:
    """The attendee's rounds with each tablemate and the cards already given to them, so the
    buttons are drawn pressed. Three queries whatever the event size."""
    given = cards_given_by(attendee_id)
    return [
        RoomStop(
            round_number=stop.round_number,
            table_number=stop.table_number,
            tablemates=[
                Tablemate(
                    seat=seat,
                    is_me=seat.attendee_id == attendee_id,
                    see_me_client_id=given.get((seat.attendee_id, Card.Kind.SEE_ME), ""),
                    introduce_client_id=given.get((seat.attendee_id, Card.Kind.INTRODUCE), ""),
                )
                for seat in stop.seats
            ],
        )
        for stop in itinerary_with_tablemates(attendee_id)
    ]
