"""Carried-over promises: last time's open introductions on the attendee's leads page (once
they said it is them) and in the next event's invitation; tablemates met before marked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Attendee
from feedback import invitations, queries
from feedback.models import Introduction
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    RoundFactory,
    SeatFactory,
    SeriesFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 12, 18, tzinfo=UTC)
APRIL = datetime(2026, 4, 9, 18, tzinfo=UTC)


@pytest.fixture
def series():
    return SeriesFactory()


@pytest.fixture
def march(series):
    return EventFactory(
        organizer=series.organizer, series=series, starts_at=MARCH, closed=True, title="Harbour"
    )


@pytest.fixture
def april(series):
    return EventFactory(organizer=series.organizer, series=series, starts_at=APRIL, check_in=True)


def promise(event, *, giver_email, receiver_email, target="a hotel buyer", **fields):
    round_ = RoundFactory(event=event, number=1, done=True)
    giver = AttendeeFactory(event=event, email=giver_email, name="Bo Chen")
    receiver = AttendeeFactory(event=event, email=receiver_email, name="Priya Shah")
    card = CardFactory(round=round_, giver=giver, receiver=receiver, introduce=True, note=target)
    return IntroductionFactory(card=card, target=target, **fields)


def test_carried_promises_for_the_introducer_and_the_pitcher(march, april):
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io")
    bo = AttendeeFactory(event=april, email="bo@x.io")
    priya = AttendeeFactory(event=april, email="priya@x.io")

    assert [p.text for p in queries.carried_promises(bo)] == [
        "At Harbour (March 2026) you offered to introduce Priya Shah to a hotel buyer."
    ]
    assert [p.text for p in queries.carried_promises(priya)] == [
        "At Harbour (March 2026) Bo Chen offered to introduce you to a hotel buyer."
    ]


@pytest.mark.parametrize(
    ("status", "is_carried"),
    [("offered", True), ("accepted", True), ("made", True), ("met", False), ("declined", False)],
)
def test_carried_promises_are_the_open_ones(march, april, status, is_carried):
    now = timezone.now()
    times = {"made_at": now, "met_at": now, "declined_at": now, "accepted_at": now}
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io", status=status, **times)
    bo = AttendeeFactory(event=april, email="bo@x.io")

    assert len(queries.carried_promises(bo)) == (1 if is_carried else 0)


def test_carried_promises_are_not_another_attendees(march, april):
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io")
    other = AttendeeFactory(event=april, email="someone@x.io")
    said_no = AttendeeFactory(event=april, email="bo@x.io", series_answer="other")

    assert queries.carried_promises(other) == []
    assert queries.carried_promises(said_no) == []


def test_leads_page_shows_carried_promises_once_the_attendee_said_it_is_them(client, march, april):
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io")
    bo = AttendeeFactory(event=april, email="bo@x.io")
    text = "you offered to introduce Priya Shah to a hotel buyer"

    assert text not in client.get(reverse("leads", args=[bo.token])).text
    client.post(reverse("series_answer", args=[bo.token]), {"answer": "same"})

    assert text in client.get(reverse("leads", args=[bo.token])).text


def test_leads_page_of_another_attendee_shows_none_of_them(client, march, april):
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io")
    AttendeeFactory(event=april, email="bo@x.io", series_answer="same")
    other = AttendeeFactory(event=april, email="other@x.io", series_answer="same")

    assert "hotel buyer" not in client.get(reverse("leads", args=[other.token])).text


def test_invitation_to_the_next_event_carries_last_times_promises(march, april):
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io", made=True)
    bo = AttendeeFactory(event=april, email="bo@x.io")

    message = invitations.invitation_message(bo)

    assert "Still open from last time:" in message.body
    assert "you offered to introduce Priya Shah to a hotel buyer. (Made)" in message.body
    assert "Priya Shah to a hotel buyer." in message.alternatives[0][0]


def test_invitation_in_chinese_carries_the_promise_in_chinese(march, april):
    promise(march, giver_email="bo@x.io", receiver_email="priya@x.io")
    bo = AttendeeFactory(event=april, email="bo@x.io", language="zh-hans")

    body = invitations.invitation_message(bo).body

    assert "你曾提出把 Priya Shah 介绍给 a hotel buyer" in body


def test_invitation_outside_a_series_has_no_carried_section(april):
    alone = AttendeeFactory(event=EventFactory(check_in=True), email="bo@x.io")

    assert "Still open from last time" not in invitations.invitation_message(alone).body


def test_room_marks_tablemates_met_at_an_earlier_event(client, march, april):
    old_table = TableFactory(round=RoundFactory(event=march, number=1, done=True), number=1)
    for email in ["bo@x.io", "priya@x.io"]:
        SeatFactory(table=old_table, attendee=AttendeeFactory(event=march, email=email))
    table = TableFactory(round=RoundFactory(event=april, number=1), number=1)
    bo = AttendeeFactory(event=april, email="bo@x.io", checked_in=True)
    priya = AttendeeFactory(event=april, email="priya@x.io", checked_in=True)
    new = AttendeeFactory(event=april, email="new@x.io", checked_in=True)
    seats = {a.pk: SeatFactory(table=table, attendee=a) for a in (bo, priya, new)}

    page = client.get(reverse("room", args=[bo.token])).text

    assert f'id="seat-{seats[priya.pk].pk}-met-before">met in March 2026<' in page
    assert f"seat-{seats[new.pk].pk}-met-before" not in page
    assert Attendee.objects.filter(series_answer="").count() == 5
    assert Introduction.objects.count() == 0


def test_room_of_a_walk_in_who_typed_someone_elses_email_marks_no_one_met_before(
    client, march, april
):
    """A typed email proves nothing until the mailed code comes back: the room must not show
    whom the email's owner sat with last time."""
    old_table = TableFactory(round=RoundFactory(event=march, number=1, done=True), number=1)
    for email in ["bo@x.io", "priya@x.io"]:
        SeatFactory(table=old_table, attendee=AttendeeFactory(event=march, email=email))
    table = TableFactory(round=RoundFactory(event=april, number=1), number=1)
    impostor = AttendeeFactory(
        event=april, email="bo@x.io", checked_in=True, is_email_unconfirmed=True
    )
    priya = AttendeeFactory(event=april, email="priya@x.io", checked_in=True)
    seats = {a.pk: SeatFactory(table=table, attendee=a) for a in (impostor, priya)}

    page = client.get(reverse("room", args=[impostor.token])).text

    assert f"seat-{seats[priya.pk].pk}-met-before" not in page
    assert "March 2026" not in page
