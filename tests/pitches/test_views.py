from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from pitches.models import Pitch
from tests.factories import AttendeeFactory, EventFactory, PitchFactory

pytestmark = pytest.mark.django_db


def test_pitch_edit_shows_the_current_pitch_and_the_limit(client):
    pitch = PitchFactory(ask="Who do you know at a port?")

    response = client.get(reverse("pitch_edit", args=[pitch.attendee.token]))

    assert response.status_code == 200
    assert "Who do you know at a port?" in response.text
    assert 'data-limit-seconds="30"' in response.text
    assert 'data-words-per-minute="150" data-cjk-characters-per-minute="240"' in response.text


def test_pitch_edit_saves_and_returns_to_the_room(client):
    attendee = AttendeeFactory()

    response = client.post(
        reverse("pitch_edit", args=[attendee.token]),
        {"need": "A bookkeeper for a dental practice.", "offer": "", "ask": "Who do you know?"},
    )

    assert response.status_code == 302
    assert response.url == reverse("room", args=[attendee.token])
    assert Pitch.objects.get(attendee=attendee).ask == "Who do you know?"


def test_pitch_edit_refuses_an_overlong_pitch_and_keeps_the_text(client):
    attendee = AttendeeFactory(event=EventFactory(pitch_seconds=10))
    long_need = "word " * 40

    response = client.post(
        reverse("pitch_edit", args=[attendee.token]), {"need": long_need, "offer": "", "ask": ""}
    )

    assert response.status_code == 200
    assert "This pitch takes about 16 seconds to say; the limit is 10 seconds." in response.text
    assert long_need.strip() in response.text
    assert not Pitch.objects.exists()


def test_pitch_edit_refuses_an_empty_pitch(client):
    attendee = AttendeeFactory()

    response = client.post(reverse("pitch_edit", args=[attendee.token]), {"need": " "})

    assert "Write at least what you need." in response.text


def test_pitch_edit_of_an_unknown_token_is_not_found(client):
    assert client.get(reverse("pitch_edit", args=["guess"])).status_code == 404


FIELD_CASES = Path(__file__).parent / "field_cases"


@pytest.mark.django_db
def test_field_case_pitch_need_600_with_newlines_is_counted_as_the_browser_counts(client):
    """A 600-character need typed on several lines: the textarea's maxlength counts each line
    break once, the browser submits it as CR LF. The server counts it as the browser did: no
    "at most 600 characters" refusal, and the line breaks are stored as typed."""
    need = (FIELD_CASES / "pitch-need-600-with-newlines.txt").read_text(encoding="utf-8")
    assert len(need) == 600
    attendee = AttendeeFactory(event=EventFactory(pitch_seconds=120, round_seconds=1200))

    response = client.post(
        reverse("pitch_edit", args=[attendee.token]),
        {"need": need.replace("\n", "\r\n"), "ask": "Who do you know in Tianjin?"},
    )

    assert response.status_code == 302
    assert Pitch.objects.get(attendee=attendee).need == need.strip()
