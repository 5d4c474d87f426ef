"""A stranger who typed a guest's email on the join page (unconfirmed: no mailed code came
back) never takes over the identity the organizer's list vouches for: the list's person gets
their own record and the unproven email is released from the stranger's record, which keeps
only what was typed there. A code confirmed before the import proves it was them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events import services
from events.models import Attendee, LogEntry
from tests.events.test_import_views import previewed, upload
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

LIST = b"Name,Email,Company,Job Title\nMei Chen,mei@example.com,Harbor,Founder\n"


@pytest.fixture
def event():
    return EventFactory(check_in=True)


def stranger_joins(event) -> Attendee:
    stranger = services.join_event(
        event, name="Not Mei", email="MEI@example.com", company="Elsewhere"
    )
    assert stranger.is_email_unconfirmed
    return stranger


def test_import_does_not_give_a_strangers_phone_the_guests_identity(event):
    stranger = stranger_joins(event)

    services.import_attendees(event, data=LIST, by=None)

    stranger.refresh_from_db()
    guest = event.attendees.get(email="mei@example.com")
    assert guest.pk != stranger.pk
    assert (guest.name, guest.company, guest.job_title) == ("Mei Chen", "Harbor", "Founder")
    assert not guest.is_email_unconfirmed
    assert guest.checked_in_at is None
    assert (stranger.name, stranger.company, stranger.job_title) == ("Not Mei", "Elsewhere", "")
    assert stranger.email == ""
    assert not stranger.is_email_unconfirmed
    assert stranger.checked_in_at is not None  # still at their table, as what they typed
    assert LogEntry.objects.filter(event=event, action="unconfirmed_email_released").exists()


def test_import_leaves_an_unconfirmed_pending_code_unusable(event):
    stranger = stranger_joins(event)
    Attendee.objects.filter(pk=stranger.pk).update(confirmation_code_hash="x" * 64)

    services.import_attendees(event, data=LIST, by=None)

    stranger.refresh_from_db()
    assert stranger.confirmation_code_hash == ""


def test_import_after_the_code_came_back_updates_the_same_person(event):
    stranger = stranger_joins(event)
    Attendee.objects.filter(pk=stranger.pk).update(is_email_unconfirmed=False)

    services.import_attendees(event, data=LIST, by=None)

    assert event.attendees.count() == 1
    assert event.attendees.get().name == "Mei Chen"


def test_import_never_merges_a_list_row_into_an_unconfirmed_namesake_nor_adds_it_twice(event):
    services.join_event(event, name="Mei Chen", email="someone@example.com")
    data = b"Name,Company\nMei Chen,Harbor\nBo Lund,Lund AB\n"

    _parsed, comparison = services.preview_import(event, data=data)
    result = services.import_attendees(event, data=data, by=None)

    assert "Line 2: someone joined on their phone under this name" in comparison.notes[0]
    assert (result.added, result.updated, result.skipped) == (1, 0, 1)
    assert sorted(event.attendees.values_list("name", "email", "company")) == [
        ("Bo Lund", "", "Lund AB"),
        ("Mei Chen", "someone@example.com", ""),
    ]


def test_re_importing_an_email_less_list_after_a_claim_duplicates_nobody(event):
    data = b"Name,Company\nMei Chen,Harbor\n"
    services.import_attendees(event, data=data, by=None)
    services.join_event(event, name="Mei Chen", email="mei@example.com")  # claims the record

    services.import_attendees(event, data=data, by=None)

    assert list(event.attendees.values_list("name", "email", "company")) == [
        ("Mei Chen", "mei@example.com", "Harbor")
    ]


def test_import_preview_shows_the_conflict_by_line_without_the_strangers_details(client, event):
    stranger_joins(event)
    client.force_login(event.organizer)

    preview = upload(client, event, LIST)

    assert preview.status_code == 200
    assert "<li>1 new attendee</li>" in preview.text
    conflict = next(
        line for line in preview.text.split("</li>") if "someone joined on their phone" in line
    )
    assert "Line 2: someone joined on their phone with this email" in conflict
    assert "Not Mei" not in conflict
    assert "Elsewhere" not in preview.text
    assert event.attendees.get().email == "mei@example.com"  # a dry run

    done = client.post(
        reverse("attendee_import", args=[event.pk]), {**previewed(preview), "step": "import"}
    )
    assert done.status_code == 302
    assert event.attendees.count() == 2


def test_the_real_guest_can_join_after_the_import_gets_their_own_link_not_the_strangers(event):
    stranger = stranger_joins(event)
    services.import_attendees(event, data=LIST, by=None)

    with pytest.raises(ValidationError, match="already registered"):
        services.join_event(event, name="Mei Chen", email="mei@example.com")
    guest = event.attendees.get(email="mei@example.com")
    assert guest.token != Attendee.objects.get(pk=stranger.pk).token


def test_add_someone_on_the_dashboard_takes_the_email_from_an_unconfirmed_walk_in(event):
    stranger = stranger_joins(event)

    guest = services.add_attendee(event, name="Mei Chen", email="mei@example.com")

    stranger.refresh_from_db()
    assert guest.pk != stranger.pk
    assert guest.email == "mei@example.com"
    assert not guest.is_email_unconfirmed
    assert (stranger.name, stranger.email) == ("Not Mei", "")


def test_add_someone_still_refuses_the_email_of_a_confirmed_attendee(event):
    stranger = stranger_joins(event)
    Attendee.objects.filter(pk=stranger.pk).update(is_email_unconfirmed=False)

    with pytest.raises(ValidationError, match="already at this event"):
        services.add_attendee(event, name="Mei Chen", email="mei@example.com")


def test_a_second_walk_in_cannot_take_an_unconfirmed_email_from_the_first(event):
    stranger_joins(event)

    with pytest.raises(ValidationError, match="already registered"):
        services.join_event(event, name="Other", email="mei@example.com")
