"""Odd values in a phone's card frame: the socket's batch answers as the HTTP form's path does."""

from __future__ import annotations

import uuid

import pytest

from feedback import services
from feedback.forms import read_card_frame, tap_arguments
from feedback.models import Card
from tests.feedback.test_services import table, tap  # noqa: F401 (table: a fixture)

pytestmark = pytest.mark.django_db


def socket_answer(giver, frame):
    cleaned, errors = read_card_frame(frame)
    assert errors == {}
    (outcome,) = services.tap_cards([(giver.pk, tap_arguments(cleaned))])
    return outcome


def http_answer(giver, frame):
    cleaned, errors = read_card_frame(frame)
    assert errors == {}
    try:
        card = services.tap_card(giver, **tap_arguments(cleaned))
    except services.ValidationError as error:
        return services.TapOutcome(error=" ".join(error.messages))
    return services.TapOutcome(card=card)


@pytest.mark.parametrize(
    ("receiver", "number"),
    [(2**63, 1), (2**70, 1), (10**300, 1), (1, 2**63), (1, 2**70), (2**31, 2**31)],
)
def test_tap_cards_refuses_a_number_too_big_for_the_database_as_the_form_path_does(
    table,  # noqa: F811
    receiver,
    number,
):
    pitcher, listener, _ = table
    frame = {
        "type": "card",
        "action": "give",
        "client_id": str(uuid.uuid4()),
        "receiver": pitcher.pk if receiver == 1 else receiver,
        "round": number,
        "kind": "see_me",
    }

    over_socket = socket_answer(listener, frame)
    over_http = http_answer(listener, frame)

    assert over_socket is not None  # answered, not left for the phone to send for ever
    assert over_socket.error == over_http.error == "Cards go to people at your table."
    assert Card.objects.count() == 0


def test_tap_cards_writes_the_other_taps_of_a_batch_with_a_number_too_big(table):  # noqa: F811
    pitcher, listener, other = table
    good = tap(pitcher)
    odd = {**good, "client_id": uuid.uuid4(), "receiver_id": 2**64}

    outcomes = services.tap_cards([(listener.pk, good), (other.pk, odd)])

    assert [o.error for o in outcomes] == ["", "Cards go to people at your table."]
    assert list(Card.objects.values_list("giver_id", "receiver_id")) == [(listener.pk, pitcher.pk)]
