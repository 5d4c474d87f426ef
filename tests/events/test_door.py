"""The door page: check in from a scanned personal code or badge, and undo there without leaving
it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.site import public_url
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def event():
    return EventFactory(check_in=True)


@pytest.fixture
def organizer(client, event):
    client.force_login(event.organizer)
    return client


def test_a_scan_checks_in_and_offers_an_undo_that_answers_into_the_door(organizer, event):
    mei = AttendeeFactory(event=event, name="Mei Chen")

    answer = organizer.post(
        reverse("door_scan", args=[event.pk]), {"code": f"/a/{mei.token}/"}, headers=HTMX
    )

    assert "Mei Chen checked in." in answer.text
    presence = reverse("attendee_presence", args=[event.pk, mei.pk])
    assert f'hx-post="{presence}" hx-target="#event-{event.pk}-door-result"' in answer.text
    assert '<input type="hidden" name="from" value="door">' in answer.text


@pytest.mark.parametrize(
    "scanned",
    [
        lambda mei: public_url(f"/b/{mei.badge_key}/"),
        lambda mei: f"/b/{mei.badge_key}/",
        lambda mei: f"  {public_url(f'/b/{mei.badge_key}/')}?utm=x ",
        lambda mei: mei.badge_key,
    ],
    ids=["url", "path", "url-with-query", "bare"],
)
def test_a_scanned_badge_checks_the_attendee_in(organizer, event, scanned):
    mei = AttendeeFactory(event=event, name="Mei Chen")
    AttendeeFactory(event=event)

    answer = organizer.post(
        reverse("door_scan", args=[event.pk]), {"code": scanned(mei)}, headers=HTMX
    )

    assert "Mei Chen checked in." in answer.text
    assert "1 checked in of 2" in answer.text
    mei.refresh_from_db()
    assert mei.checked_in_at is not None
    assert list(event.log_entries.values_list("action", flat=True)) == ["checked_in"]


def test_the_door_takes_its_own_events_badges_and_refuses_another_organizers(organizer, event):
    mei = AttendeeFactory(event=event, name="Mei Chen")
    elsewhere = AttendeeFactory(event=EventFactory(check_in=True), name="Ola Berg")
    scan = reverse("door_scan", args=[event.pk])

    own = organizer.post(scan, {"code": public_url(f"/b/{mei.badge_key}/")}, headers=HTMX)
    other = organizer.post(scan, {"code": public_url(f"/b/{elsewhere.badge_key}/")}, headers=HTMX)

    assert "Mei Chen checked in." in own.text
    assert "This code is not a ticket for this event." in other.text
    assert "Ola Berg" not in other.text
    mei.refresh_from_db()
    elsewhere.refresh_from_db()
    assert mei.checked_in_at is not None
    assert elsewhere.checked_in_at is None
    assert elsewhere.event.log_entries.count() == 0


def test_another_organizer_cannot_check_in_by_a_badge_of_this_event(client, event):
    mei = AttendeeFactory(event=event, name="Mei Chen")
    theirs = EventFactory(check_in=True)
    client.force_login(theirs.organizer)
    badge = {"code": public_url(f"/b/{mei.badge_key}/")}

    at_this_door = client.post(reverse("door_scan", args=[event.pk]), badge, headers=HTMX)
    at_their_door = client.post(reverse("door_scan", args=[theirs.pk]), badge, headers=HTMX)

    assert at_this_door.status_code == 404
    assert at_their_door.status_code == 200
    assert "This code is not a ticket for this event." in at_their_door.text
    mei.refresh_from_db()
    assert mei.checked_in_at is None
    # The same badge at its own event's door is a ticket.
    client.force_login(event.organizer)
    assert (
        "Mei Chen checked in."
        in client.post(reverse("door_scan", args=[event.pk]), badge, headers=HTMX).text
    )


def test_an_anonymous_visitor_cannot_check_in_by_a_badge(client, event):
    mei = AttendeeFactory(event=event)

    answer = client.post(reverse("door_scan", args=[event.pk]), {"code": f"/b/{mei.badge_key}/"})

    assert answer.status_code == 302
    assert answer.url.startswith(reverse("login"))
    mei.refresh_from_db()
    assert mei.checked_in_at is None


def test_a_scanned_personal_link_with_a_badge_key_in_place_of_the_token_is_refused(
    organizer, event
):
    mei = AttendeeFactory(event=event)

    answer = organizer.post(
        reverse("door_scan", args=[event.pk]), {"code": f"/a/{mei.badge_key}/"}, headers=HTMX
    )

    assert "This code is not a ticket for this event." in answer.text
    mei.refresh_from_db()
    assert mei.checked_in_at is None


def test_the_door_undo_with_htmx_answers_the_door_result_and_its_counters(organizer, event):
    mei = AttendeeFactory(event=event, name="Mei Chen", checked_in=True)

    answer = organizer.post(
        reverse("attendee_presence", args=[event.pk, mei.pk]),
        {"action": "undo", "from": "door"},
        headers=HTMX,
    )

    mei.refresh_from_db()
    assert mei.checked_in_at is None
    assert "Undone: Mei Chen is not checked in." in answer.text
    assert f'id="event-{event.pk}-attendance"' in answer.text  # the door's counters, out of band
    assert f'id="attendee-{mei.pk}-row"' not in answer.text  # not the attendee list's row
    assert list(event.log_entries.values_list("action", flat=True)) == ["check_in_undone"]


def test_the_door_undo_without_javascript_comes_back_to_the_door(organizer, event):
    mei = AttendeeFactory(event=event, name="Mei Chen", checked_in=True)

    answer = organizer.post(
        reverse("attendee_presence", args=[event.pk, mei.pk]),
        {"action": "undo", "from": "door"},
        follow=True,
    )

    assert answer.redirect_chain == [(reverse("door", args=[event.pk]), 302)]
    assert "Undone: Mei Chen is not checked in." in answer.text
    mei.refresh_from_db()
    assert mei.checked_in_at is None


def test_the_attendee_list_undo_still_answers_its_row(organizer, event):
    mei = AttendeeFactory(event=event, name="Mei Chen", checked_in=True)

    answer = organizer.post(
        reverse("attendee_presence", args=[event.pk, mei.pk]), {"action": "undo"}, headers=HTMX
    )

    assert f'id="attendee-{mei.pk}-row"' in answer.text
    plain = organizer.post(
        reverse("attendee_presence", args=[event.pk, mei.pk]), {"action": "undo"}
    )
    assert plain.url == reverse("attendee_list", args=[event.pk])


def test_another_organizer_cannot_undo_at_this_door(client, event):
    mei = AttendeeFactory(event=event, checked_in=True)
    client.force_login(UserFactory())

    answer = client.post(
        reverse("attendee_presence", args=[event.pk, mei.pk]),
        {"action": "undo", "from": "door"},
        headers=HTMX,
    )

    assert answer.status_code == 404
    mei.refresh_from_db()
    assert mei.checked_in_at is not None


def test_the_door_page_may_use_the_camera_and_no_other_page_may(organizer, event):
    """The door's "Start the camera" scanner was blocked by the site-wide policy (camera=()):
    the browser refused getUserMedia and the page fell back to "No camera here"."""
    door = organizer.get(reverse("door", args=[event.pk]))
    attendees = organizer.get(reverse("attendee_list", args=[event.pk]))

    assert "camera=(self)" in door.headers["Permissions-Policy"]
    assert "microphone=()" in door.headers["Permissions-Policy"]
    assert "camera=()" in attendees.headers["Permissions-Policy"]
