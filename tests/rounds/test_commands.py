from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from events.models import Event
from pitches.models import Pitch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    """The demo is for development servers (DEBUG on); tests that need it off say so."""
    settings.DEBUG = True


def run_demo() -> str:
    out = StringIO()
    call_command("create_demo_event", "--base-url", "http://127.0.0.1:9000/", stdout=out)
    return out.getvalue()


def test_create_demo_event_makes_36_checked_in_attendees_with_pitches_that_fit():
    output = run_demo()

    event = Event.objects.get()
    assert event.status == Event.Status.CHECK_IN
    # opened through the service, as an organizer would: logged, with a state version
    assert event.log_entries.filter(action="event_check_in").count() == 1
    assert event.state_version >= 1
    assert event.attendees.count() == 36
    assert event.attendees.filter(checked_in_at__isnull=True).count() == 0
    assert event.attendees.values("company").distinct().count() == 36
    pitches = list(Pitch.objects.filter(attendee__event=event))
    assert len(pitches) == 36
    assert all(0 < pitch.spoken_seconds <= event.pitch_seconds for pitch in pitches)
    assert event.rounds.count() == 6
    assert event.rounds.first().seats.count() == 36
    # a wish list has people to pick from, and someone said no
    assert event.attendees.filter(is_listed_in_guest_list=True).count() == 30
    assert "username: organizer" in output
    assert "password: speednet-demo" in output
    assert f"http://127.0.0.1:9000/join/{event.join_code}/" in output
    assert f"http://127.0.0.1:9000/events/{event.pk}/control/" in output


def test_create_demo_event_is_idempotent_and_the_printed_login_works():
    run_demo()
    output = run_demo()

    assert Event.objects.count() == 1
    assert Event.objects.get().attendees.count() == 36
    assert "36 attendees (0 new)" in output
    assert Event.objects.get().conduct_version == 1  # the default code, written once
    assert get_user_model().objects.get(username="organizer").check_password("speednet-demo")


@pytest.mark.parametrize("status", [Event.Status.LIVE, Event.Status.MINGLE, Event.Status.CLOSED])
def test_create_demo_event_again_after_the_demo_was_played_makes_a_new_one(status):
    """``make run`` is safe to run again: once the demo evening was played (rounds started,
    mingle, closed) nobody can be added or checked in there, and the command stopped with a
    traceback. The played event is kept and a new one is ready for round 1."""
    run_demo()
    played = Event.objects.get()
    played.attendees.order_by("pk").first().delete()  # someone missing, to be added again
    Event.objects.filter(pk=played.pk).update(status=status)

    output = run_demo()

    fresh = Event.objects.exclude(pk=played.pk).get()
    assert fresh.status == Event.Status.CHECK_IN
    assert fresh.attendees.count() == 36
    assert fresh.attendees.filter(checked_in_at__isnull=True).count() == 0
    assert fresh.rounds.count() == 6
    played.refresh_from_db()
    assert (played.status, played.attendees.count()) == (status, 35)
    assert f"The demo event #{played.pk} was played" in output
    assert f"http://127.0.0.1:9000/events/{fresh.pk}/control/" in output


def test_create_demo_event_prints_links_at_the_public_address_by_default(settings):
    settings.SITE_URL = "http://192.168.1.20:8000"
    out = StringIO()

    call_command("create_demo_event", stdout=out)

    event = Event.objects.get()
    assert f"Join link: http://192.168.1.20:8000/join/{event.join_code}/" in out.getvalue()


def test_create_demo_event_refuses_the_known_password_superuser_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        run_demo()

    assert not get_user_model().objects.exists()
    assert not Event.objects.exists()


def test_create_demo_event_does_not_reset_an_existing_demo_password_with_debug_off(settings):
    user = get_user_model().objects.create_user("organizer", password="a-real-secret-9481")
    settings.DEBUG = False

    with pytest.raises(CommandError):
        run_demo()

    assert not get_user_model().objects.get(username="organizer").check_password("speednet-demo")
    assert get_user_model().objects.get(pk=user.pk).check_password("a-real-secret-9481")


def test_create_demo_event_with_debug_off_uses_a_named_account_and_prints_no_password(settings):
    user = get_user_model().objects.create_user("maria", password="a-real-secret-9481")
    settings.DEBUG = False
    out = StringIO()

    call_command("create_demo_event", "--organizer", "maria", stdout=out)

    assert Event.objects.get().organizer == user
    assert "speednet-demo" not in out.getvalue()
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert get_user_model().objects.get(pk=user.pk).check_password("a-real-secret-9481")
