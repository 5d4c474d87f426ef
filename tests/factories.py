"""A factory per model; traits for the states tests need. No surprises: related objects are
created only when the test does not pass them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from conduct.models import Report
from events.codes import new_attendee_token, new_join_code
from events.models import Attendee, Event, Series
from feedback.models import Card, Digest, Introduction
from pitches.models import Pitch, Wish
from rounds.models import Round, Seat, Table


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"organizer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class SeriesFactory(DjangoModelFactory):
    class Meta:
        model = Series

    organizer = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Monthly chapter {n}")


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    organizer = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Networking night {n}")
    slug = factory.Sequence(lambda n: f"networking-night-{n}")
    venue = "Town Hall"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    join_code = factory.LazyFunction(new_join_code)

    class Params:
        check_in = factory.Trait(status=Event.Status.CHECK_IN)
        live = factory.Trait(status=Event.Status.LIVE)
        # Live, the plan's last round started (``rounds.services.start_round``): no round is
        # left to seat.
        last_round = factory.Trait(
            status=Event.Status.LIVE, last_round_started_at=factory.LazyFunction(timezone.now)
        )
        mingle = factory.Trait(status=Event.Status.MINGLE)
        closed = factory.Trait(
            status=Event.Status.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )
        # A code of conduct attendees must accept (version 1).
        with_conduct = factory.Trait(
            conduct_text="Serve, don't sell.\nRespect a no.", conduct_version=1
        )


class AttendeeFactory(DjangoModelFactory):
    class Meta:
        model = Attendee

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Attendee {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.com")
    company = factory.Sequence(lambda n: f"Company {n}")
    token = factory.LazyFunction(new_attendee_token)

    class Params:
        checked_in = factory.Trait(checked_in_at=factory.LazyFunction(timezone.now))
        left = factory.Trait(
            checked_in_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
            left_at=factory.LazyFunction(timezone.now),
        )
        # Said yes on their own page (or on the join form).
        consenting = factory.Trait(
            is_consenting_to_share=True, consent_decided_at=factory.LazyFunction(timezone.now)
        )
        # Said no themselves.
        declining = factory.Trait(
            is_consenting_to_share=False, consent_decided_at=factory.LazyFunction(timezone.now)
        )
        # An imported "yes": a suggestion the attendee has not confirmed.
        suggested_consent = factory.Trait(is_consent_suggested=True)


class PitchFactory(DjangoModelFactory):
    class Meta:
        model = Pitch

    attendee = factory.SubFactory(AttendeeFactory)
    need = "I need introductions to logistics companies with their own fleet."
    offer = "I share a benchmark of regional carriers."
    ask = "Who do you know who runs a trucking fleet?"


class WishFactory(DjangoModelFactory):
    """A free-text wish by default; pass ``person`` (and ``text=""``) for a picked one."""

    class Meta:
        model = Wish

    author = factory.SubFactory(AttendeeFactory)
    position = factory.LazyAttribute(lambda wish: wish.author.wishes.count() + 1)
    text = "investors in hardware"


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = Round

    event = factory.SubFactory(EventFactory, live=True)
    number = factory.Sequence(lambda n: n + 1)

    class Params:
        running = factory.Trait(
            status=Round.Status.RUNNING,
            started_at=factory.LazyFunction(timezone.now),
            turns_started_at=factory.SelfAttribute("started_at"),
            ends_at=factory.LazyAttribute(lambda r: r.started_at + timedelta(seconds=180)),
        )
        done = factory.Trait(
            status=Round.Status.DONE,
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=180)),
            turns_started_at=factory.SelfAttribute("started_at"),
            ends_at=factory.LazyFunction(timezone.now),
            ended_at=factory.LazyFunction(timezone.now),
        )


class TableFactory(DjangoModelFactory):
    class Meta:
        model = Table

    round = factory.SubFactory(RoundFactory)
    number = factory.Sequence(lambda n: n + 1)


class SeatFactory(DjangoModelFactory):
    class Meta:
        model = Seat

    table = factory.SubFactory(TableFactory)
    round = factory.SelfAttribute("table.round")
    attendee = factory.SubFactory(
        AttendeeFactory, event=factory.SelfAttribute("..table.round.event"), checked_in=True
    )
    speaking_order = factory.Sequence(lambda n: n)


class CardFactory(DjangoModelFactory):
    class Meta:
        model = Card

    round = factory.SubFactory(RoundFactory)
    giver = factory.SubFactory(AttendeeFactory, event=factory.SelfAttribute("..round.event"))
    receiver = factory.SubFactory(AttendeeFactory, event=factory.SelfAttribute("..round.event"))
    kind = Card.Kind.SEE_ME
    client_id = factory.LazyFunction(uuid.uuid4)

    class Params:
        introduce = factory.Trait(kind=Card.Kind.INTRODUCE, note="my cousin at a freight firm")


class IntroductionFactory(DjangoModelFactory):
    class Meta:
        model = Introduction

    card = factory.SubFactory(CardFactory, introduce=True)
    target = factory.SelfAttribute("card.note")

    class Params:
        made = factory.Trait(
            status=Introduction.Status.MADE, made_at=factory.LazyFunction(timezone.now)
        )


class DigestFactory(DjangoModelFactory):
    class Meta:
        model = Digest

    attendee = factory.SubFactory(AttendeeFactory)
    kind = Digest.Kind.DIGEST


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    event = factory.SubFactory(EventFactory)
    reporter = factory.SubFactory(AttendeeFactory, event=factory.SelfAttribute("..event"))
    about = factory.SubFactory(AttendeeFactory, event=factory.SelfAttribute("..event"))
    kind = Report.Kind.PERSON
    message = "He kept pushing his product after I said no."
