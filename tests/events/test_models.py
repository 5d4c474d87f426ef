from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from events.models import Attendee, Event
from tests.factories import AttendeeFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_event_join_code_is_unique():
    EventFactory(join_code="ABC234")

    with pytest.raises(IntegrityError):
        EventFactory(join_code="ABC234")


def test_event_rounds_count_out_of_range_is_refused():
    with pytest.raises(IntegrityError):
        EventFactory(rounds_count=0)


def test_event_table_size_out_of_range_is_refused():
    with pytest.raises(IntegrityError):
        EventFactory(table_size=2)


def test_event_round_shorter_than_a_full_table_of_pitches_is_refused_by_database():
    with pytest.raises(IntegrityError):
        EventFactory(table_size=8, pitch_seconds=30, round_seconds=200)


def test_event_clean_explains_the_round_length_arithmetic():
    event = EventFactory.build(table_size=8, pitch_seconds=30, round_seconds=200)

    with pytest.raises(ValidationError) as error:
        event.clean()

    assert error.value.message_dict["round_seconds"] == [
        "A round of 200 s is too short: 8 people × 30 s each need at least 240 s."
    ]


def test_event_closed_at_requires_closed_status():
    with pytest.raises(IntegrityError):
        EventFactory(status=Event.Status.LIVE, closed_at=timezone.now())


def test_event_str_is_its_title():
    assert str(EventFactory.build(title="Founders' night")) == "Founders' night"


def test_attendee_email_is_unique_per_event_ignoring_case():
    event = EventFactory()
    AttendeeFactory(event=event, email="li.wei@example.com")

    with pytest.raises(IntegrityError):
        AttendeeFactory(event=event, email="Li.Wei@Example.com")


def test_attendee_same_email_is_allowed_at_another_event():
    AttendeeFactory(email="li.wei@example.com")

    other = AttendeeFactory(email="li.wei@example.com")

    assert other.pk is not None


def test_attendee_without_email_may_repeat_within_an_event():
    event = EventFactory()
    AttendeeFactory(event=event, email="")

    second = AttendeeFactory(event=event, email="")

    assert Attendee.objects.filter(event=event, email="").count() == 2
    assert second.pk is not None


def test_attendee_token_is_unique():
    AttendeeFactory(token="same-secret")

    with pytest.raises(IntegrityError):
        AttendeeFactory(token="same-secret")


def test_attendee_name_must_not_be_empty():
    with pytest.raises(IntegrityError):
        AttendeeFactory(name="")


def test_attendee_cannot_leave_without_checking_in():
    with pytest.raises(IntegrityError):
        AttendeeFactory(checked_in_at=None, left_at=timezone.now())


def test_attendee_presence_properties_follow_timestamps():
    invited = AttendeeFactory.build()
    present = AttendeeFactory.build(checked_in=True)
    gone = AttendeeFactory.build(left=True)

    assert (invited.is_checked_in, invited.is_present) == (False, False)
    assert (present.is_checked_in, present.is_present) == (True, True)
    assert (gone.is_checked_in, gone.has_left, gone.is_present) == (True, True, False)


def test_attendee_str_shows_company_when_known():
    assert str(AttendeeFactory.build(name="Li Wei", company="Harbor")) == "Li Wei (Harbor)"
    assert str(AttendeeFactory.build(name="Li Wei", company="")) == "Li Wei"


def test_event_zone_is_the_named_time_zone_or_utc_when_unknown():
    assert str(EventFactory.build(time_zone="Asia/Shanghai").zone) == "Asia/Shanghai"
    assert str(EventFactory.build(time_zone="Mars/Olympus_Mons").zone) == "UTC"
