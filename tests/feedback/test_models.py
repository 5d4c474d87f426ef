from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError

from feedback.models import Card
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    IntroductionFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return RoundFactory()


@pytest.fixture
def giver(round_):
    return AttendeeFactory(event=round_.event)


@pytest.fixture
def receiver(round_):
    return AttendeeFactory(event=round_.event)


def test_card_to_oneself_is_refused(round_, giver):
    with pytest.raises(IntegrityError):
        CardFactory(round=round_, giver=giver, receiver=giver)


def test_card_one_of_a_kind_per_giver_and_receiver(round_, giver, receiver):
    CardFactory(round=round_, giver=giver, receiver=receiver, kind=Card.Kind.SEE_ME)

    with pytest.raises(IntegrityError):
        CardFactory(round=round_, giver=giver, receiver=receiver, kind=Card.Kind.SEE_ME)


def test_card_both_kinds_to_the_same_person_are_allowed(round_, giver, receiver):
    CardFactory(round=round_, giver=giver, receiver=receiver, kind=Card.Kind.SEE_ME)

    CardFactory(round=round_, giver=giver, receiver=receiver, kind=Card.Kind.INTRODUCE)

    assert Card.objects.filter(giver=giver, receiver=receiver).count() == 2


def test_card_client_id_is_unique_per_giver(round_, giver, receiver):
    client_id = uuid.uuid4()
    CardFactory(round=round_, giver=giver, receiver=receiver, client_id=client_id)

    with pytest.raises(IntegrityError):
        CardFactory(
            round=round_,
            giver=giver,
            receiver=AttendeeFactory(event=round_.event),
            client_id=client_id,
        )


def test_card_unknown_kind_is_refused(round_, giver, receiver):
    with pytest.raises(IntegrityError):
        CardFactory(round=round_, giver=giver, receiver=receiver, kind="hug")


def test_introduction_one_per_card():
    introduction = IntroductionFactory()

    with pytest.raises(IntegrityError):
        IntroductionFactory(card=introduction.card)


def test_introduction_made_needs_its_time():
    with pytest.raises(IntegrityError):
        IntroductionFactory(status="made", made_at=None)


def test_introduction_met_needs_its_time():
    with pytest.raises(IntegrityError):
        IntroductionFactory(status="met", met_at=None)


def test_introduction_unknown_status_is_refused():
    with pytest.raises(IntegrityError):
        IntroductionFactory(status="maybe")


def test_digest_one_of_a_kind_per_attendee():
    digest = DigestFactory()

    with pytest.raises(IntegrityError):
        DigestFactory(attendee=digest.attendee, kind=digest.kind)


def test_card_and_introduction_str():
    introduction = IntroductionFactory(made=True)

    assert str(introduction) == "Introduction (Made)"
    assert str(introduction.card).startswith("I can introduce you to someone: ")
