from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.utils import timezone

from events import queries
from events.models import (
    Attendee,
    Event,
    arrived_filter,
    invited_filter,
    left_filter,
    present_filter,
)
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


# The attendance rules: defined once in events.models, used by every count and filter.


@pytest.fixture
def door():
    """One event with someone invited, two present and one who came and left."""
    event = EventFactory()
    people = {
        "invited": AttendeeFactory(event=event, name="Invited"),
        "present": AttendeeFactory(event=event, name="Present", checked_in=True),
        "also_present": AttendeeFactory(event=event, name="Also present", checked_in=True),
        "left": AttendeeFactory(event=event, name="Left", left=True),
    }
    AttendeeFactory(name="Elsewhere", checked_in=True)  # another event's
    return event, people


def names(attendees) -> list[str]:
    return sorted(attendee.name for attendee in attendees)


def test_attendance_rules_present_arrived_invited_and_left(door):
    event, _people = door

    assert names(event.attendees.present()) == ["Also present", "Present"]
    assert names(event.attendees.arrived()) == ["Also present", "Left", "Present"]
    assert names(event.attendees.filter(invited_filter())) == ["Invited"]
    assert names(event.attendees.filter(left_filter())) == ["Left"]


def test_attendance_rules_agree_with_the_attendees_own_properties(door):
    _event, people = door

    for attendee in people.values():
        assert attendee.is_present == Attendee.objects.present().filter(pk=attendee.pk).exists()
        assert attendee.is_checked_in == Attendee.objects.arrived().filter(pk=attendee.pk).exists()


def test_attendance_rules_follow_a_relation(door):
    event, _people = door

    counted = Event.objects.filter(pk=event.pk).aggregate(
        present=Count("attendees", filter=present_filter("attendees")),
        arrived=Count("attendees", filter=arrived_filter("attendees")),
    )

    assert counted == {"present": 2, "arrived": 3}


def test_attendance_door_counts_and_turnout_give_their_own_figures(door):
    from feedback.reports import turnout

    event, _people = door

    assert queries.door_counts(event) == {"total": 4, "present": 2, "left": 1, "invited": 1}
    assert turnout(event) == {
        "registered": 4,
        "checked_in": 3,
        "no_shows": 1,
        "left_early": 1,
        "removed": 0,
    }


def test_attendance_event_list_counts_present_and_admin_counts_arrived(door):
    event, _people = door
    [listed] = queries.events_of(event.organizer)
    [admin_row] = queries.with_attendance(Event.objects.filter(pk=event.pk))

    assert (listed.present_total, listed.attendee_total) == (2, 4)
    assert (admin_row.arrived_total, admin_row.attendee_total) == (3, 4)


def test_join_url_is_the_public_address_of_the_events_join_page(settings):
    settings.SITE_URL = "http://192.168.1.20:8000"
    event = EventFactory(join_code="CG26VP")

    assert queries.join_url(event) == "http://192.168.1.20:8000/join/CG26VP/"
    assert (
        queries.join_url(event, site_url="http://venue.example")
        == "http://venue.example/join/CG26VP/"
    )
