from __future__ import annotations

import pytest

from pitches import queries
from tests.factories import AttendeeFactory, EventFactory, PitchFactory

pytestmark = pytest.mark.django_db


def test_seating_helps_name_the_listener_a_wish_names(django_assert_num_queries):
    event = EventFactory()
    wished = AttendeeFactory(event=event, name="Liu Fang", company="Anshui Medical")
    stranger = AttendeeFactory(event=event, company="Kite Labs")
    pitcher = PitchFactory(
        attendee=AttendeeFactory(event=event), need="Lunch.", wishes="anshui medical"
    ).attendee
    ids = [pitcher.pk, wished.pk, stranger.pk]

    with django_assert_num_queries(2):
        helps = queries.seating_helps(ids, limit=1)

    assert helps == [(pitcher.pk, wished.pk, 1.0)]


def test_help_profiles_read_people_without_a_pitch(django_assert_num_queries):
    person = AttendeeFactory(company="Kite Labs", job_title="Designer")

    with django_assert_num_queries(2):
        (profile,) = queries.help_profiles([person.pk])

    assert (profile.id, profile.need, profile.company, profile.job_title, profile.wishes) == (
        person.pk,
        "",
        "Kite Labs",
        "Designer",
        (),
    )
