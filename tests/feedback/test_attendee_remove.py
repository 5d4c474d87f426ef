"""The organizer's "Remove from the event": for someone who has not taken part (a cancelled
ticket, a typo duplicate); refused, with what to do instead, for someone with history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events import services as event_services
from events.models import Attendee, LogEntry
from feedback import retention
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    EventFactory,
    PitchFactory,
    ReportFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def remove_url(attendee: Attendee) -> str:
    return reverse("attendee_remove", args=[attendee.event_id, attendee.pk])


def test_attendee_row_offers_remove_with_a_confirm_question(client):
    attendee = AttendeeFactory(name="Bob Nguyen")
    client.force_login(attendee.event.organizer)

    response = client.get(reverse("attendee_list", args=[attendee.event_id]))

    assert f'action="{remove_url(attendee)}"' in response.text
    assert "Remove from the event" in response.text
    assert 'hx-confirm="Remove Bob Nguyen from the event?' in response.text


def test_attendee_remove_deletes_someone_who_has_not_taken_part(client):
    attendee = AttendeeFactory(name="Bob Nguyen")
    PitchFactory(attendee=attendee)
    token = attendee.token
    client.force_login(attendee.event.organizer)

    response = client.post(remove_url(attendee), follow=True)

    assert response.status_code == 200
    assert "Bob Nguyen removed from the event." in response.text
    assert not Attendee.objects.filter(pk=attendee.pk).exists()
    assert LogEntry.objects.filter(event=attendee.event, action="attendee_deleted").count() == 1
    assert client.get(reverse("room", args=[token])).status_code == 404


def test_attendee_remove_closes_the_open_phone(client, django_capture_on_commit_callbacks):
    attendee = AttendeeFactory()
    client.force_login(attendee.event.organizer)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(remove_url(attendee))

    assert [c.func.__name__ for c in callbacks] == ["revoke_attendees"]
    assert callbacks[0].args == ([attendee.pk],)


def test_attendee_remove_by_htmx_drops_the_row_and_updates_the_counts(client):
    event = EventFactory()
    attendee = AttendeeFactory(event=event)
    AttendeeFactory(event=event)
    client.force_login(event.organizer)

    response = client.post(remove_url(attendee), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert f"attendee-{attendee.pk}-row" not in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "0 checked in of 1" in response.text


def test_attendee_remove_by_a_co_organizer_works(client):
    attendee = AttendeeFactory()
    helper = UserFactory()
    attendee.event.co_organizers.add(helper)
    client.force_login(helper)

    client.post(remove_url(attendee))

    assert not Attendee.objects.filter(pk=attendee.pk).exists()


def test_attendee_remove_by_another_organizer_is_404(client):
    attendee = AttendeeFactory()
    client.force_login(EventFactory().organizer)

    response = client.post(remove_url(attendee))

    assert response.status_code == 404
    assert Attendee.objects.filter(pk=attendee.pk).exists()


def test_attendee_remove_of_another_events_attendee_is_404(client):
    attendee = AttendeeFactory()
    mine = EventFactory()
    client.force_login(mine.organizer)

    response = client.post(reverse("attendee_remove", args=[mine.pk, attendee.pk]))

    assert response.status_code == 404
    assert Attendee.objects.filter(pk=attendee.pk).exists()


def test_attendee_remove_logged_out_is_redirected_to_login(client):
    attendee = AttendeeFactory()

    response = client.post(remove_url(attendee))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Attendee.objects.filter(pk=attendee.pk).exists()


def test_attendee_remove_by_get_is_not_allowed(client):
    attendee = AttendeeFactory()
    client.force_login(attendee.event.organizer)

    response = client.get(remove_url(attendee))

    assert response.status_code == 405
    assert Attendee.objects.filter(pk=attendee.pk).exists()


def test_attendee_remove_needs_the_csrf_token(client):
    attendee = AttendeeFactory()
    client.handler.enforce_csrf_checks = True
    client.force_login(attendee.event.organizer)

    response = client.post(remove_url(attendee))

    assert response.status_code == 403
    assert Attendee.objects.filter(pk=attendee.pk).exists()


def test_attendee_remove_refuses_someone_seated_in_a_started_round(client):
    seat = SeatFactory(table=TableFactory(round=RoundFactory(done=True)), attendee__name="Ann")
    client.force_login(seat.attendee.event.organizer)

    response = client.post(remove_url(seat.attendee), follow=True)

    assert Attendee.objects.filter(pk=seat.attendee_id).exists()
    assert "Ann has already sat at a table" in response.text
    assert "Mark them as left instead" in response.text


def test_attendee_remove_by_htmx_refused_keeps_the_row_with_the_reason(client):
    seat = SeatFactory(table=TableFactory(round=RoundFactory(running=True)))
    client.force_login(seat.attendee.event.organizer)

    response = client.post(remove_url(seat.attendee), headers={"HX-Request": "true"})

    assert f'id="attendee-{seat.attendee_id}-row"' in response.text
    assert "has already sat at a table" in response.text


@pytest.mark.parametrize("side", ["giver", "receiver"])
def test_attendee_remove_refuses_someone_with_a_card(side):
    card = CardFactory()
    person = getattr(card, side)

    with pytest.raises(ValidationError, match="has cards, reports"):
        retention.remove_attendee(person, by=person.event.organizer)

    assert Attendee.objects.filter(pk=person.pk).exists()


def test_attendee_remove_refuses_someone_in_a_report():
    event = EventFactory(live=True)
    about = AttendeeFactory(event=event)
    ReportFactory(event=event, reporter=AttendeeFactory(event=event), about=about)

    with pytest.raises(ValidationError, match="has cards, reports"):
        retention.remove_attendee(about, by=event.organizer)


def test_attendee_remove_refuses_someone_sent_a_follow_up():
    digest = DigestFactory()

    with pytest.raises(ValidationError, match="has cards, reports"):
        retention.remove_attendee(digest.attendee, by=digest.attendee.event.organizer)


def test_attendee_remove_refuses_someone_seated_in_the_plan_to_come():
    seat = SeatFactory(attendee__name="Ann")

    with pytest.raises(ValidationError, match="Ann has a seat in the plan"):
        retention.remove_attendee(seat.attendee, by=seat.attendee.event.organizer)

    assert Attendee.objects.filter(pk=seat.attendee_id).exists()


def test_attendee_remove_leaves_the_others_and_their_keep_apart_pairs_go(client):
    event = EventFactory()
    cancelled = AttendeeFactory(event=event, email="bob@example.com")
    other = AttendeeFactory(event=event)
    event_services.keep_apart(other, other_id=cancelled.pk)
    client.force_login(event.organizer)

    client.post(remove_url(cancelled))

    assert list(event.attendees.values_list("pk", flat=True)) == [other.pk]
