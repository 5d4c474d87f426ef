"""Card pushes: to the receiver's own group only, never to the room."""

from __future__ import annotations

from typing import Any

from feedback.models import Card
from rounds.broadcasts import send_to_group
from rounds.groups import attendee_group


def card_json(card: Card, *, is_given: bool) -> dict[str, Any]:
    """A card as the protocol's ``card`` message (docs/protocol.md); ``is_given``: seen by its
    giver (their pressed button) rather than its receiver."""
    return {
        "type": "card",
        "card": {
            "id": card.pk,
            "round": card.round.number,
            "kind": card.kind,
            "note": card.note,
            "giver": {"id": card.giver_id, "name": card.giver.name},
            "is_given": is_given,
        },
    }


def send_card(receiver_id: int, message: dict[str, Any]) -> None:
    """Push a ``card`` message to the receiver's own group only. Called after commit."""
    send_to_group(attendee_group(receiver_id), message)
