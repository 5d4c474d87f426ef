"""Card pushes: to the receiver's own group only, never to the room."""

from __future__ import annotations

from typing import Any

from feedback.models import Card
from rounds.broadcasts import send_to_group
from rounds.groups import attendee_group


def card_json(card: Card, *, is_given: bool) -> dict[str, Any]:
    """A card as the protocol's ``card`` message (docs/protocol.md); ``is_given``: seen by its
    giver (their pressed button) rather than its receiver. Reads ``card.round`` and
    ``card.giver`` (a query each unless they are cached)."""
    return card_message(
        card, round_number=card.round.number, giver_name=card.giver.name, is_given=is_given
    )


def card_message(
    card: Card, *, round_number: int, giver_name: str, is_given: bool
) -> dict[str, Any]:
    """``card_json`` with the card's round number and its giver's name given, for a card made
    without its round and giver as objects (a batch of taps reads them as rows)."""
    return {
        "type": "card",
        "card": {
            "id": card.pk,
            "round": round_number,
            "kind": card.kind,
            "note": card.note,
            "giver": {"id": card.giver_id, "name": giver_name},
            "is_given": is_given,
        },
    }


def send_card(receiver_id: int, message: dict[str, Any]) -> None:
    """Push a ``card`` message to the receiver's own group only. Called after commit."""
    send_to_group(attendee_group(receiver_id), message)
