"""A card frame from the socket is read exactly as the card form reads a POST."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.forms import CardForm, plain_card_frame, read_card_frame

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
    {"action": "take_back", "client_id": str(uuid.uuid4()), "round": 2},
    {"action": "give", "client_id": str(uuid.uuid4())},
    {"action": "take_back", "client_id": str(uuid.uuid4())},  # which round's stop: unsaid
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


def read_by_the_form(frame):
    form = CardForm(frame)
    is_valid = form.is_valid()
    return is_valid, form.cleaned_data, {f: list(m) for f, m in form.errors.items()}


def test_a_phone_frame_takes_the_short_way():
    frame = {"type": "card", **CARD_FRAMES[0]}
    assert plain_card_frame(frame) == read_by_the_form(frame)[1]
    assert plain_card_frame({"type": "card", **CARD_FRAMES[2]}) is not None  # a take-back


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10**20),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["1", " 2 ", "1.0", "1e3", "see_me", "introduce", "give", "take_back", ""]),
    st.lists(st.integers(), max_size=2),
)
UUID_TEXTS = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: f" {u}  "),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: str(u)[:-1]),
    ODD_VALUES,
)
NOTES = st.one_of(
    st.none(),
    st.text(max_size=210),
    st.sampled_from([" ", "x" * 200, " " + "x" * 200 + " ", "x" * 201, "a\x00b", "表哥 " * 40]),
    ODD_VALUES,
)


@settings(max_examples=400, deadline=None)
@given(
    action=st.one_of(st.sampled_from(["give", "take_back"]), ODD_VALUES),
    client_id=UUID_TEXTS,
    receiver=st.one_of(st.integers(min_value=1, max_value=10**6), ODD_VALUES),
    round_number=st.one_of(st.integers(min_value=1, max_value=8), ODD_VALUES),
    kind=st.one_of(st.sampled_from(["see_me", "introduce"]), ODD_VALUES),
    note=NOTES,
    absent=st.sets(st.sampled_from(["action", "client_id", "receiver", "round", "kind", "note"])),
)
def test_any_frame_is_read_as_the_card_form_reads_it(
    action, client_id, receiver, round_number, kind, note, absent
):
    """The short way and the fields give the form's answer on frames near the phone's shape."""
    frame = {
        "action": action,
        "client_id": client_id,
        "receiver": receiver,
        "round": round_number,
        "kind": kind,
        "note": note,
    }
    frame = {name: value for name, value in frame.items() if name not in absent}
    is_valid, form_cleaned, form_errors = read_by_the_form(frame)

    cleaned, errors = read_card_frame({"type": "card", **frame})

    assert (not errors) is is_valid
    assert errors == form_errors
    assert cleaned == form_cleaned
    plain = plain_card_frame(frame)
    if plain is not None:
        assert is_valid
        assert plain == form_cleaned
