from __future__ import annotations

import pytest
from django.utils import timezone

from events import services as event_services
from feedback.models import Introduction
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    EventFactory,
    IntroductionFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)


@pytest.fixture
def round_(db):
    """Round 1 of a live event, running now."""
    return RoundFactory(event=EventFactory(live=True), number=1, running=True)


@pytest.fixture
def finished_event(db):
    """A closed event with everything personal data can hide in: four attendees (one left early,
    one never came), two rounds of seats, cards with notes both ways, introductions, a pitch, a
    digest, and names in the log and the announcement."""
    event = EventFactory(live=True, title="Harbour Founders Night")
    zelda = AttendeeFactory(
        event=event,
        name="Zelda Quartermain",
        email="zelda@quartz-logistics.example",
        company="Quartz Logistics",
        job_title="Head of Fleet Procurement",
        phone="+49 170 5550123",
        checked_in=True,
        consenting=True,
    )
    yusuf = AttendeeFactory(event=event, name="Yusuf Ollerenshaw", checked_in=True)
    xavier = AttendeeFactory(event=event, name="Xavier Pemberton", checked_in=True, consenting=True)
    AttendeeFactory(event=event, name="Wanda Never-Came")
    PitchFactory(attendee=zelda, need="Zelda needs cold-chain trucks", ask="Who runs reefers?")
    rounds = []
    for number, seating in ((1, [zelda, yusuf, xavier]), (2, [xavier, zelda, yusuf])):
        round_ = RoundFactory(event=event, number=number, done=True)
        table = TableFactory(round=round_, number=1)
        for order, person in enumerate(seating):
            SeatFactory(table=table, attendee=person, speaking_order=order)
        rounds.append(round_)
    first, second = rounds
    given_to_zelda = CardFactory(
        round=first, giver=xavier, receiver=zelda, introduce=True, note="Bartholomew at Freightly"
    )
    IntroductionFactory(card=given_to_zelda, target="Bartholomew Freightly", made=True)
    CardFactory(round=first, giver=yusuf, receiver=zelda)
    given_by_zelda = CardFactory(
        round=second, giver=zelda, receiver=xavier, introduce=True, note="Ottoline from Quartz"
    )
    IntroductionFactory(
        card=given_by_zelda,
        target="Ottoline from Quartz",
        status=Introduction.Status.DECLINED,
        declined_at=timezone.now(),
    )
    CardFactory(round=second, giver=zelda, receiver=yusuf)
    CardFactory(round=second, giver=xavier, receiver=yusuf, introduce=True, note="a banker I know")
    DigestFactory(attendee=zelda)
    event_services.mark_left(yusuf)
    event_services.record(event, action="announced", message="Zelda Quartermain, to the desk")
    event.announcement = "Zelda Quartermain, to the desk"
    event.status, event.closed_at = "closed", timezone.now()
    event.save()
    return event, {"zelda": zelda, "yusuf": yusuf, "xavier": xavier}
