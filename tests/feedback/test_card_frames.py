"""A card frame from the socket is read exactly as the card form reads a POST."""

from __future__ import annotations

import uuid

import pytest

from feedback.forms import CardForm, read_card_frame

CARD_FRAMES = [
    {"action": "give", "client_id": str(uuid.uuid4()), "receiver": 3, "round": 1, "kind": "see_me"},
    {
        "action": "give",
        "client_id": str(uuid.uuid4()),
        "receiver": "3",
        "round": "2",
        "kind": "introduce",
        "note": "  my cousin  ",
    },
    {"action": "take_back", "client_id": str(uuid.uuid4())},
    {"action": "give", "client_id": str(uuid.uuid4())},
    {"action": "give", "client_id": str(uuid.uuid4()), "receiver": "abc", "round": 0, "kind": "x"},
    {"action": "give", "client_id": "not-a-uuid", "receiver": 3, "round": 1, "kind": "see_me"},
    {"action": "steal", "client_id": str(uuid.uuid4())},
    {"client_id": str(uuid.uuid4()), "receiver": -1},
    {
        "action": "give",
        "client_id": str(uuid.uuid4()),
        "receiver": 3,
        "round": 1,
        "kind": "introduce",
        "note": "x" * 500,
    },
    {"action": ["give"], "client_id": {"a": 1}, "receiver": True, "round": None, "kind": 7},
    {},
]


@pytest.mark.parametrize("frame", CARD_FRAMES)
def test_a_card_frame_is_read_exactly_as_the_card_form_reads_it(frame):
    """The socket reads frames without building a form (it is the hot path of a tap); the
    answer must be the form's own, field by field and message by message."""
    form = CardForm(frame)
    is_valid = form.is_valid()
    cleaned, errors = read_card_frame({"type": "card", **frame})
    assert (not errors) is is_valid
    assert cleaned == form.cleaned_data
    assert errors == {field: list(messages) for field, messages in form.errors.items()}
