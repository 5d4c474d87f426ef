from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError

from feedback import services
from feedback.models import Introduction
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, SeatFactory, TableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """(pitcher, introducer, bystander) at one table of a running round."""
    round_ = RoundFactory(event=EventFactory(live=True), number=1, running=True)
    table = TableFactory(round=round_, number=1)
    return [SeatFactory(table=table, speaking_order=order).attendee for order in range(3)]


@pytest.fixture
def introduction(people):
    pitcher, introducer, _ = people
    card = services.give_card(
        introducer,
        receiver=pitcher,
        round_=pitcher.seats.get().round,
        kind="introduce",
        client_id=uuid.uuid4(),
        note="my cousin Ana at the port",
    )
    return card.introduction


def move(introduction, action, by, target=""):
    return services.move_introduction(introduction, action=action, by=by, target=target)


def test_give_card_introduce_offers_an_introduction_with_the_note(introduction):
    assert (introduction.status, introduction.target) == ("offered", "my cousin Ana at the port")


def test_give_card_see_me_makes_no_introduction(people):
    pitcher, listener, _ = people
    services.give_card(
        listener,
        receiver=pitcher,
        round_=pitcher.seats.get().round,
        kind="see_me",
        client_id=uuid.uuid4(),
    )

    assert not Introduction.objects.exists()


def test_introduction_full_path_offered_accepted_made_met(people, introduction):
    pitcher, introducer, _ = people

    accepted = move(introduction, "accept", pitcher)
    made = move(accepted, "made", introducer, target="Ana Costa, Port of Santos")
    said = move(made, "met", pitcher)
    met = move(said, "met", introducer)

    assert [accepted.status, made.status, said.status, met.status] == [
        "accepted",
        "made",
        "made",
        "met",
    ]
    assert (met.met_said_by, met.met_said_at is not None) == (pitcher, True)
    assert made.target == "Ana Costa, Port of Santos"
    assert None not in (met.accepted_at, met.made_at, met.met_at)


def test_introduction_can_be_made_without_being_accepted_and_said_met_by_the_introducer(
    people, introduction
):
    pitcher, introducer, _ = people

    made = move(introduction, "made", introducer)
    said = move(made, "met", introducer)
    met = move(said, "met", pitcher)

    assert (made.target, said.status, met.status) == ("my cousin Ana at the port", "made", "met")


def test_introduction_met_said_twice_by_the_same_side_is_refused(people, introduction):
    pitcher, introducer, _ = people
    made = move(introduction, "made", introducer)
    said = move(made, "met", introducer)

    with pytest.raises(ValidationError, match="You said so already"):
        move(said, "met", introducer)

    said.refresh_from_db()
    assert said.status == "made"
    assert services.moves_for(said, attendee_id=introducer.pk) == []
    assert services.moves_for(said, attendee_id=pitcher.pk) == ["met"]


def test_introduction_declined_by_the_pitcher(people, introduction):
    declined = move(introduction, "decline", people[0])

    assert declined.status == "declined"
    assert declined.declined_at is not None


@pytest.mark.parametrize(
    ("action", "who"),
    [("accept", 1), ("decline", 1), ("made", 0), ("accept", 2), ("made", 2), ("met", 2)],
)
def test_introduction_refuses_the_wrong_person(people, introduction, action, who):
    if action == "met":
        introduction = move(introduction, "made", people[1])

    with pytest.raises(ValidationError, match="This introduction is not yours to change"):
        move(introduction, action, people[who])


def test_introduction_refuses_steps_out_of_order(people, introduction):
    pitcher, introducer, _ = people

    with pytest.raises(ValidationError, match="This introduction is already offered"):
        move(introduction, "met", pitcher)
    declined = move(introduction, "decline", pitcher)
    with pytest.raises(ValidationError, match="This introduction is already declined"):
        move(declined, "made", introducer)


def test_introduction_made_needs_a_name_when_there_is_no_note(people):
    pitcher, introducer, _ = people
    card = services.give_card(
        introducer,
        receiver=pitcher,
        round_=pitcher.seats.get().round,
        kind="introduce",
        client_id=uuid.uuid4(),
    )

    with pytest.raises(ValidationError, match="Say whom you introduced them to"):
        move(card.introduction, "made", introducer)


def test_introduction_of_another_event_is_not_reachable(introduction):
    outsider = AttendeeFactory()

    with pytest.raises(ValidationError, match="not yours to change"):
        move(introduction, "accept", outsider)


def test_take_back_an_introduce_card_removes_its_introduction(people, introduction):
    services.take_back_card(people[1], client_id=introduction.card.client_id)

    assert not Introduction.objects.exists()
