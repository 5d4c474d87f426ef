from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pitches import services
from pitches.models import Pitch
from tests.factories import AttendeeFactory, EventFactory, PitchFactory

pytestmark = pytest.mark.django_db


def test_save_pitch_creates_then_replaces():
    attendee = AttendeeFactory()

    services.save_pitch(attendee, need="A bookkeeper.", offer="Check-ups.", ask="Who?")
    pitch = services.save_pitch(attendee, need=" A lawyer. ", offer="", ask="Who do you know?")

    assert Pitch.objects.count() == 1
    assert (pitch.need, pitch.offer, pitch.ask) == ("A lawyer.", "", "Who do you know?")


def test_save_pitch_refuses_a_pitch_longer_than_the_event_allows_and_keeps_the_old_one():
    attendee = AttendeeFactory(event=EventFactory(pitch_seconds=10))
    PitchFactory(attendee=attendee, need="short", offer="", ask="")

    with pytest.raises(ValidationError) as error:
        services.save_pitch(attendee, need="word " * 30, offer="", ask="")

    assert error.value.messages == [
        "This pitch takes about 12 seconds to say; the limit is 10 seconds. Cut about 5 words."
    ]
    assert Pitch.objects.get(attendee=attendee).need == "short"


def test_save_pitch_keeps_the_wish_list_when_none_is_given():
    attendee = AttendeeFactory()
    services.save_pitch(attendee, need="A bookkeeper.", offer="", ask="", wishes="Liu Fang\n")

    pitch = services.save_pitch(attendee, need="A lawyer.", offer="", ask="")

    assert pitch.wish_list == ("Liu Fang",)
