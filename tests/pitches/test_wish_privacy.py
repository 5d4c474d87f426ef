"""A wish list is its author's alone: the person wished for, the organizers (pages, CSV, admin)
and pushes never learn of it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from events.models import Attendee
from pitches.models import Wish
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, UserFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db

TEXT_WISH = "the CFO of Quanta Ortho"
AUTHOR = "Ana Wisher"


@pytest.fixture
def room():
    """A checked-in event: Ana (not on the guest list) and Liu (on it), each with a pitch and
    their own phone; Ana's organizer is a staff user of the admin."""
    organizer = UserFactory(is_staff=True)
    organizer.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_attendee",
                "change_attendee",
                "delete_attendee",
                "view_pitch",
                "delete_pitch",
            ]
        )
    )
    event = EventFactory(organizer=organizer, check_in=True)
    ana = AttendeeFactory(event=event, name=AUTHOR, checked_in=True)
    liu = AttendeeFactory(
        event=event, name="Liu Fang", checked_in=True, is_listed_in_guest_list=True
    )
    PitchFactory(attendee=ana, ask="Who knows a spine surgeon?")
    PitchFactory(attendee=liu, ask="Who runs a clinic?")
    phones = {person.pk: Client() for person in (ana, liu)}
    for person in (ana, liu):
        open_link(phones[person.pk], person.token)
    return event, ana, liu, phones


def make_wishes(ana: Attendee, liu: Attendee, phone: Client) -> None:
    """Ana's own phone adds both kinds of wish, as the page does."""
    for data in ({"person": liu.pk}, {"text": TEXT_WISH}):
        assert phone.post(reverse("wish_add", args=[ana.token]), data).status_code == 302
    assert Wish.objects.filter(author=ana).count() == 2


def liu_pages(liu: Attendee, phone: Client) -> dict[str, str]:
    token = liu.token
    urls = [
        reverse(name, args=[token])
        for name in (
            "room",
            "room_itinerary",
            "room_received",
            "leads",
            "leads_csv",
            "leads_vcf",
            "my_details",
            "pitch_edit",
            "apart",
            "report_problem",
        )
    ]
    urls.append(reverse("wish_guests", args=[token]) + "?q=Ana")
    pages = {}
    for url in urls:
        headers = {"HTTP_HX_REQUEST": "true"} if "guests" in url else {}
        response = phone.get(url, **headers)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def organizer_pages(event, ana: Attendee, liu: Attendee, client: Client) -> dict[str, str]:
    urls = [
        reverse(name, args=[event.pk])
        for name in (
            "event_detail",
            "attendee_list",
            "seating",
            "control",
            "event_report",
            "print_badges",
            "print_itineraries",
            "door",
        )
    ]
    urls += [reverse("event_export", args=[event.pk, kind]) for kind in ("attendees", "cards")]
    urls += [
        reverse("admin:events_attendee_changelist"),
        reverse("admin:events_attendee_change", args=[ana.pk]),
        reverse("admin:events_attendee_change", args=[liu.pk]),
        reverse("admin:events_attendee_delete", args=[liu.pk]),
        reverse("admin:events_attendee_delete", args=[ana.pk]),
        reverse("admin:pitches_pitch_change", args=[ana.pitch.pk]),
        reverse("admin:pitches_pitch_changelist") + "?q=Quanta",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
        if "/delete/" in url:  # the organizer may delete: the summary is shown
            assert "Are you sure you want to delete" in pages[url], url
    return pages


def test_the_person_wished_for_never_sees_the_wish_or_who_made_it(room):
    """Liu's phone names Ana exactly as often with her wishes as without (the conduct pages list
    the people one sat with), and shows no wish but Liu's own list, empty."""
    _event, ana, liu, phones = room

    before = liu_pages(liu, phones[liu.pk])
    make_wishes(ana, liu, phones[ana.pk])
    after = liu_pages(liu, phones[liu.pk])

    for url, page in after.items():
        assert TEXT_WISH not in page, url
        assert "Quanta" not in page, url
        for word in (AUTHOR, "wish", "Wish", "心愿"):
            assert page.count(word) == before[url].count(word), (url, word)
    assert "Your wish list is empty." in after[reverse("pitch_edit", args=[liu.token])]


def test_the_organizers_pages_exports_and_admin_do_not_change_with_a_wish_list(room):
    """Everything the organizer sees names Ana and Liu exactly as often with the wishes as
    without, and never the wish's words, nor a "wish" row (the deletion summary included)."""
    event, ana, liu, phones = room
    organizer = Client()
    organizer.force_login(event.organizer)

    before = organizer_pages(event, ana, liu, organizer)
    make_wishes(ana, liu, phones[ana.pk])
    after = organizer_pages(event, ana, liu, organizer)

    for url, page in after.items():
        assert TEXT_WISH not in page, url
        assert "a private wish" not in page, (
            url
        )  # a Wish row, as the deletion summary would show it
        for word in (AUTHOR, "Liu Fang", "Quanta", "wish", "Wish"):
            assert page.count(word) == before[url].count(word), (url, word)


def test_a_wish_sends_no_push(room, django_capture_on_commit_callbacks):
    _event, ana, liu, phones = room

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_wishes(ana, liu, phones[ana.pk])
        phones[ana.pk].post(
            reverse("wish_remove", args=[ana.token]), {"wish": Wish.objects.first().pk}
        )

    assert callbacks == []
