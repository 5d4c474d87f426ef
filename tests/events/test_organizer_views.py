from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from events.models import CO_ORGANIZER_INVITATION_DAYS, Attendee, CoOrganizerInvitation, Event
from events.views import CO_ORGANIZER_CONFIRMATIONS_PER_HOUR, CO_ORGANIZER_INVITATIONS_PER_HOUR
from feedback import retention
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENT_FORM = {
    "title": "Founders Night",
    "venue": "Town Hall",
    "starts_at": "2026-12-01T18:30",
    "time_zone": "Europe/Berlin",
    "language": "en",
    "rounds_count": "6",
    "round_seconds": "180",
    "table_size": "6",
    "pitch_seconds": "30",
    "walk_ins_per_minute": "30",
}


@pytest.fixture
def event():
    return EventFactory(check_in=True)


@pytest.fixture
def organizer(client, event):
    client.force_login(event.organizer)
    return client


ORGANIZER_PAGES = [
    ("get", "event_detail", {}),
    ("get", "event_edit", {}),
    ("get", "attendee_list", {}),
    ("post", "attendee_add", {"name": "Intruder"}),
]


@pytest.mark.parametrize(("method", "name", "data"), ORGANIZER_PAGES)
def test_organizer_pages_of_another_organizers_event_are_not_found(
    client, event, method, name, data
):
    client.force_login(UserFactory())

    response = getattr(client, method)(reverse(name, args=[event.pk]), data)

    assert response.status_code == 404
    assert not Attendee.objects.filter(name="Intruder").exists()


@pytest.mark.parametrize(("method", "name", "data"), ORGANIZER_PAGES)
def test_organizer_pages_send_anonymous_visitors_to_sign_in(client, event, method, name, data):
    response = getattr(client, method)(reverse(name, args=[event.pk]), data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_attendee_presence_of_another_organizers_event_changes_nothing(client, event):
    attendee = AttendeeFactory(event=event)
    client.force_login(UserFactory())

    response = client.post(
        reverse("attendee_presence", args=[event.pk, attendee.pk]), {"action": "check_in"}
    )

    assert response.status_code == 404
    attendee.refresh_from_db()
    assert attendee.checked_in_at is None


def test_attendee_presence_cannot_reach_an_attendee_of_another_event(organizer, event):
    stranger = AttendeeFactory()

    response = organizer.post(
        reverse("attendee_presence", args=[event.pk, stranger.pk]), {"action": "check_in"}
    )

    assert response.status_code == 404


def test_event_list_shows_only_my_events_and_co_organized_ones(client):
    me = UserFactory()
    mine = EventFactory(organizer=me, title="Mine")
    shared = EventFactory(title="Shared")
    shared.co_organizers.add(me)
    EventFactory(title="Not mine")
    client.force_login(me)

    response = client.get(reverse("event_list"))

    assert {e.pk for e in response.context["events"]} == {mine.pk, shared.pk}
    assert "Not mine" not in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_event_list_queries_do_not_grow_with_events(client, count, django_assert_num_queries):
    me = UserFactory()
    for _ in range(count):
        AttendeeFactory(event=EventFactory(organizer=me), checked_in=True)
    client.force_login(me)

    with django_assert_num_queries(3):
        response = client.get(reverse("event_list"))

    assert response.status_code == 200
    events = list(response.context["events"])
    assert [(e.present_total, e.attendee_total) for e in events] == [(1, 1)] * count


def test_event_create_makes_my_event(client):
    me = UserFactory()
    client.force_login(me)

    response = client.post(reverse("event_create"), EVENT_FORM)

    event = Event.objects.get()
    assert response.url == reverse("event_detail", args=[event.pk])
    assert (event.organizer, event.title, event.time_zone) == (
        me,
        "Founders Night",
        "Europe/Berlin",
    )
    assert event.starts_at == datetime(2026, 12, 1, 17, 30, tzinfo=UTC)


def test_event_create_explains_a_round_too_short_for_a_full_table(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("event_create"), {**EVENT_FORM, "table_size": "8", "round_seconds": "200"}
    )

    assert "A round of 200 s is too short: 8 people × 30 s each need at least 240 s." in (
        response.text
    )
    assert not Event.objects.exists()


def test_event_create_refuses_an_unknown_time_zone(client):
    client.force_login(UserFactory())

    response = client.post(reverse("event_create"), {**EVENT_FORM, "time_zone": "Mars/Olympus"})

    assert "Unknown time zone Mars/Olympus" in response.text


def test_event_edit_refuses_structure_changes_once_rounds_started(organizer, event):
    RoundFactory(event=event, number=1, running=True)
    data = {
        **EVENT_FORM,
        "starts_at": event.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "UTC",
        "table_size": "7",
        "round_seconds": "210",
    }

    response = organizer.post(reverse("event_edit", args=[event.pk]), data)

    assert "the number of rounds, their length and the table size can no longer change" in (
        response.text
    )
    event.refresh_from_db()
    assert event.table_size == 6


def test_event_edit_drops_a_plan_that_no_longer_fits(organizer, event):
    RoundFactory(event=event, number=1)
    data = {**EVENT_FORM, "time_zone": "UTC", "rounds_count": "5"}

    organizer.post(reverse("event_edit", args=[event.pk]), data)

    event.refresh_from_db()
    assert event.rounds_count == 5
    assert not event.rounds.exists()


def test_attendee_list_searches_and_filters(organizer, event):
    AttendeeFactory(event=event, name="Li Wei", company="Harbor", checked_in=True)
    AttendeeFactory(event=event, name="Ana Costa", company="Costa Immigration")

    by_company = organizer.get(reverse("attendee_list", args=[event.pk]), {"q": "harb"})
    not_here = organizer.get(reverse("attendee_list", args=[event.pk]), {"status": "invited"})

    assert [a.name for a in by_company.context["attendees"]] == ["Li Wei"]
    assert [a.name for a in not_here.context["attendees"]] == ["Ana Costa"]


def test_attendee_list_search_drops_a_nul_and_other_hidden_characters(organizer, event):
    # PostgreSQL refuses a NUL in a query: it was a server error
    AttendeeFactory(event=event, name="Li Wei", company="Harbor")

    response = organizer.get(reverse("attendee_list", args=[event.pk]), {"q": "harb\x00\u200b"})

    assert response.status_code == 200
    assert [a.name for a in response.context["attendees"]] == ["Li Wei"]


def test_attendee_list_htmx_search_returns_the_table_only(organizer, event):
    response = organizer.get(
        reverse("attendee_list", args=[event.pk]), {"q": "x"}, headers={"HX-Request": "true"}
    )

    assert response.text.lstrip().startswith(
        f'<table class="table" id="event-{event.pk}-attendees"'
    )


@pytest.mark.parametrize("count", [1, 3])
def test_attendee_list_queries_do_not_grow_with_attendees(
    organizer, event, count, django_assert_num_queries
):
    AttendeeFactory.create_batch(count, event=event)

    with django_assert_num_queries(5):
        response = organizer.get(reverse("attendee_list", args=[event.pk]))

    assert response.status_code == 200
    assert response.text.count('id="attendee-') == count


def test_attendee_presence_check_in_undo_and_left(organizer, event):
    attendee = AttendeeFactory(event=event)
    url = reverse("attendee_presence", args=[event.pk, attendee.pk])
    htmx = {"HX-Request": "true"}

    checked = organizer.post(url, {"action": "check_in"}, headers=htmx)
    attendee.refresh_from_db()
    assert attendee.is_checked_in
    assert "Undo check-in" in checked.text

    organizer.post(url, {"action": "left"}, headers=htmx)
    attendee.refresh_from_db()
    assert attendee.has_left

    organizer.post(url, {"action": "undo"}, headers=htmx)
    attendee.refresh_from_db()
    assert (attendee.checked_in_at, attendee.left_at) == (None, None)


def test_attendee_presence_left_without_check_in_is_explained(organizer, event):
    attendee = AttendeeFactory(event=event, name="Ana")

    response = organizer.post(
        reverse("attendee_presence", args=[event.pk, attendee.pk]),
        {"action": "left"},
        headers={"HX-Request": "true"},
    )

    assert "Ana never checked in." in response.text


def test_attendee_add_duplicate_email_is_explained(organizer, event):
    AttendeeFactory(event=event, email="li@example.com")

    response = organizer.post(
        reverse("attendee_add", args=[event.pk]), {"name": "Li", "email": "LI@example.com"}
    )

    assert response.status_code == 400
    assert "Someone with this email is already at this event." in response.text
    assert event.attendees.count() == 1


def test_attendee_add_organizers_tick_is_a_suggestion_the_room_starts_from(organizer, event):
    response = organizer.post(
        reverse("attendee_add", args=[event.pk]),
        {"name": "Li", "email": "li@example.com", "is_consent_suggested": "on"},
    )

    li = event.attendees.get()
    assert response.status_code == 302
    assert (li.is_consent_suggested, li.is_consenting_to_share, li.consent_decided_at) == (
        True,
        False,
        None,
    )
    room = organizer.get(reverse("room", args=[li.token]))
    assert room.context["sharing_form"].initial == {"share": "yes"}


def test_signup_creates_an_organizer_and_signs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )

    assert response.url == reverse("event_list")
    assert client.get(reverse("event_list")).status_code == 200


def test_login_page_and_password_reset_email(client):
    UserFactory(email="ada@example.com")

    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "ada@example.com"})

    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_event_edit_shows_the_start_in_the_events_time_zone(organizer, event):
    event.time_zone = "Asia/Shanghai"
    event.starts_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    event.save()

    response = organizer.get(reverse("event_edit", args=[event.pk]))

    assert 'value="2026-12-01T18:00"' in response.text


def invite(client, event, email):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("co_organizers", args=[event.pk]), {"email": email}, follow=True)


def test_co_organizer_invitation_answers_the_same_whether_or_not_an_account_exists(
    organizer, event, mailoutbox
):
    UserFactory(username="helper", email="helper@example.com")

    known = invite(organizer, event, "Helper@Example.com")
    unknown = invite(organizer, event, "nobody@example.com")

    def answer(response):
        return [
            str(m).replace("helper@example.com", "X").replace("nobody@example.com", "X")
            for m in response.context["messages"]
        ]

    assert (
        answer(known)
        == answer(unknown)
        == ["Invitation sent to X: they become a co-organizer when they accept it."]
    )
    assert "helper" not in known.text.replace("helper@example.com", "")
    assert not event.co_organizers.exists()  # nobody is added without accepting
    assert [m.to for m in mailoutbox] == [["helper@example.com"], ["nobody@example.com"]]


def test_co_organizer_invitations_are_capped_per_owner_and_hour(
    organizer, event, mailoutbox, fresh_cache
):
    """Anyone can sign up, and each invitation mails any address a subject with the event's
    title in it: without a cap the server is a mail cannon for a fresh account."""
    for n in range(CO_ORGANIZER_INVITATIONS_PER_HOUR):
        invite(organizer, event, f"helper{n}@example.com")

    refused = invite(organizer, event, "one-more@example.com")

    assert len(mailoutbox) == CO_ORGANIZER_INVITATIONS_PER_HOUR
    assert [str(m) for m in refused.context["messages"]] == [
        "Too many invitations this hour: try again later."
    ]


def confirmed(client, path, mailoutbox):
    """Press "Accept" on the invitation's page, then open the confirmation link mailed to the
    account's address and press "Accept" there: the answer to that last press."""
    before = len(mailoutbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(path)
    assert asked.status_code == 200, asked
    [link] = [w for w in mailoutbox[before].body.split() if "/co-organizers/accept/" in w]
    confirm = link[link.index("/co-organizers/") :]
    page = client.get(confirm)
    assert page.status_code == 200
    proof = html.unescape(page.text.split('name="proof" value="')[1].split('"')[0])
    return client.post(path, {"proof": proof})


def test_co_organizer_invitation_link_accepted_once_makes_a_co_organizer(
    client, organizer, event, mailoutbox, fresh_cache
):
    helper = UserFactory(username="helper")
    invite(organizer, event, "helper@example.com")
    [link] = [w for w in mailoutbox[0].body.split() if "/co-organizers/accept/" in w]
    path = link[link.index("/co-organizers/") :]
    client.force_login(helper)

    page = client.get(path)
    accepted = confirmed(client, path, mailoutbox)
    again = client.post(path, follow=True)

    assert page.status_code == 200
    assert accepted.url == reverse("event_detail", args=[event.pk])
    assert list(event.co_organizers.all()) == [helper]
    assert "This invitation link is used, expired or unknown" in again.text
    assert client.get(reverse("event_detail", args=[event.pk])).status_code == 200


def test_co_organizer_invitation_link_refuses_another_account_and_stays_for_the_invited_one(
    client, organizer, event, mailoutbox, fresh_cache
):
    """A forwarded or leaked link gives another signed-in account nothing: the event, its
    attendees and their details stay out of reach, and the invited person can still accept."""
    stranger = UserFactory(username="stranger", email="stranger@example.com")
    helper = UserFactory(username="helper", email="Helper@Example.com")
    invite(organizer, event, "helper@example.com")
    [link] = [w for w in mailoutbox[0].body.split() if "/co-organizers/accept/" in w]
    path = link[link.index("/co-organizers/") :]
    client.force_login(stranger)

    refused = client.post(path, follow=True)
    event_page = client.get(reverse("event_detail", args=[event.pk]))
    client.force_login(helper)
    accepted = confirmed(client, path, mailoutbox)

    assert [str(m) for m in refused.context["messages"]] == [
        "This invitation was sent to h•••@example.com. Sign in with that address."
    ]
    assert event_page.status_code == 404
    assert accepted.url == reverse("event_detail", args=[event.pk])
    assert list(event.co_organizers.all()) == [helper]


def test_co_organizer_invitation_forwarded_link_and_a_new_account_with_its_address_gain_nothing(
    client, organizer, event, mailoutbox, fresh_cache
):
    """Sign-up confirms no address: someone holding a forwarded link signs up with the invited
    address. Pressing "Accept" only mails a confirmation to the invited mailbox; a made-up or
    another account's proof is refused; the event stays out of reach."""
    invite(organizer, event, "helper@example.com")
    [link] = [w for w in mailoutbox[0].body.split() if "/co-organizers/accept/" in w]
    path = link[link.index("/co-organizers/") :]
    signed_up = client.post(
        reverse("signup"),
        {
            "username": "squatter",
            "email": "helper@example.com",
            "password1": "a long enough passphrase 7",
            "password2": "a long enough passphrase 7",
        },
    )
    assert signed_up.status_code == 302, signed_up.context["form"].errors
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(path)
    forged = client.post(path, {"proof": "eyJpIjoxfQ:forged:sig"}, follow=True)
    twin = UserFactory(username="twin", email="helper@example.com")
    client.force_login(twin)
    [mailed] = [w for w in mailoutbox[1].body.split() if "proof=" in w]
    proof = mailed.split("proof=")[1]
    replayed = client.post(path, {"proof": proof}, follow=True)
    event_page = client.get(reverse("event_detail", args=[event.pk]))

    assert "We sent a confirmation link to h•••@example.com" in html.unescape(asked.text)
    assert mailoutbox[1].to == ["helper@example.com"]  # the invited mailbox, not the squatter's
    for refused in (forged, replayed):
        assert [str(m) for m in refused.context["messages"]] == [
            "This confirmation link is expired or was not made for this account: open the "
            "invitation link again to get a new one."
        ]
    assert event_page.status_code == 404
    assert not event.co_organizers.exists()
    assert CoOrganizerInvitation.objects.get().accepted_at is None


def test_co_organizer_confirmation_mails_are_capped_per_account_and_hour(
    client, organizer, event, mailoutbox, fresh_cache
):
    helper = UserFactory(username="helper", email="helper@example.com")
    invite(organizer, event, "helper@example.com")
    [link] = [w for w in mailoutbox[0].body.split() if "/co-organizers/accept/" in w]
    path = link[link.index("/co-organizers/") :]
    client.force_login(helper)

    with TestCase.captureOnCommitCallbacks(execute=True):
        for _ in range(CO_ORGANIZER_CONFIRMATIONS_PER_HOUR):
            client.post(path)
        refused = client.post(path, follow=True)

    assert len(mailoutbox) == 1 + CO_ORGANIZER_CONFIRMATIONS_PER_HOUR
    assert [str(m) for m in refused.context["messages"]] == [
        "Too many confirmation mails this hour: try again later."
    ]


def test_co_organizer_invitation_link_expired_is_refused_to_the_invited_account(
    client, organizer, event, mailoutbox, fresh_cache
):
    helper = UserFactory(username="helper", email=" helper@example.com ")
    invite(organizer, event, "helper@example.com")
    [link] = [w for w in mailoutbox[0].body.split() if "/co-organizers/accept/" in w]
    path = link[link.index("/co-organizers/") :]
    CoOrganizerInvitation.objects.update(
        created_at=timezone.now() - timedelta(days=CO_ORGANIZER_INVITATION_DAYS, hours=1)
    )
    client.force_login(helper)

    refused = client.post(path, follow=True)

    assert [str(m) for m in refused.context["messages"]] == [
        "This invitation link is used, expired or unknown: ask for a new one."
    ]
    assert not event.co_organizers.exists()


def test_co_organizer_invitation_link_needs_sign_in_and_a_real_token(client, event, fresh_cache):
    helper = UserFactory(username="helper")

    anonymous = client.get("/co-organizers/accept/not-a-token/")
    client.force_login(helper)
    forged = client.post("/co-organizers/accept/not-a-token/", follow=True)

    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.url
    assert "This invitation link is used, expired or unknown" in forged.text
    assert not event.co_organizers.exists()


def test_co_organizer_cannot_add_or_remove_others(client, event):
    helper = UserFactory()
    other = UserFactory(username="other")
    event.co_organizers.add(helper)
    client.force_login(helper)

    added = client.post(reverse("co_organizers", args=[event.pk]), {"email": "other@example.com"})
    removed = client.post(reverse("co_organizers", args=[event.pk]), {"remove": str(helper.pk)})
    page = client.get(reverse("event_detail", args=[event.pk]))

    assert (added.status_code, removed.status_code) == (403, 403)
    assert 'name="remove"' not in page.text
    assert 'name="email"' not in page.text
    assert list(event.co_organizers.all()) == [helper]
    assert not event.co_organizer_invitations.exists()
    assert other not in event.co_organizers.all()


def test_co_organizers_of_another_organizers_event_are_not_found(client, event):
    client.force_login(UserFactory())

    response = client.post(reverse("co_organizers", args=[event.pk]), {"identifier": "x"})

    assert response.status_code == 404


def test_co_organizer_removed_by_the_owner_loses_access(client, event):
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(event.organizer)

    client.post(reverse("co_organizers", args=[event.pk]), {"remove": str(helper.pk)})

    client.force_login(helper)
    assert client.get(reverse("event_detail", args=[event.pk])).status_code == 404


def test_event_detail_shows_the_address_phones_join_at(organizer, event, settings):
    settings.SITE_URL = "http://192.168.1.20:8000"

    response = organizer.get(reverse("event_detail", args=[event.pk]), HTTP_HOST="localhost")

    join_url = f"http://192.168.1.20:8000/join/{event.join_code}/"
    assert f'Phones join at <a href="{join_url}"><strong>{join_url}</strong></a>' in response.text
    assert "address-warning" not in response.text


def test_event_detail_warns_when_phones_cannot_reach_the_address(organizer, event, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    response = organizer.get(reverse("event_detail", args=[event.pk]))

    assert "Phones cannot reach 127.0.0.1 — start with <code>make venue</code>" in response.text


ERASED = "This event's personal data were deleted: no one can be added to it any more."
CLOSED = "This event is closed: no one can be added to it any more."


@pytest.mark.parametrize(
    ("state", "message"),
    [({"personal_data_erased_at": timezone.now()}, ERASED), ({}, CLOSED)],
    ids=["erased", "closed"],
)
def test_attendee_add_after_the_event_closed_is_refused_and_stores_nothing(
    organizer, event, state, message
):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CLOSED, **state)

    response = organizer.post(
        reverse("attendee_add", args=[event.pk]), {"name": "Zelda Quartermain"}
    )

    assert response.status_code == 400
    assert html.escape(message) in response.text
    assert 'value="Zelda Quartermain"' not in response.text
    assert not event.attendees.exists()


@pytest.fixture(params=["closed", "erased"])
def refused(request, event):
    """The event closed, or closed and its personal data deleted, with one attendee already
    there; the reason every page gives for adding no one."""
    AttendeeFactory(event=event, name="Ann Lee")
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CLOSED, closed_at=timezone.now())
    if request.param == "erased":
        retention.erase_event_personal_data(event, by=event.organizer)
        return ERASED
    return CLOSED


def add_forms(event) -> dict[str, str]:
    """The marks of each form that adds people, as the organizer's pages render them."""
    return {
        "add someone": f'action="{reverse("attendee_add", args=[event.pk])}"',
        "import link": f'href="{reverse("attendee_import", args=[event.pk])}"',
        "walk-in": f'action="{reverse("door_walk_in", args=[event.pk])}"',
        "name input": 'name="name"',
        "email input": 'name="email"',
        "file input": 'name="file"',
    }


def adding_pages(organizer, event) -> dict[str, object]:
    """Every organizer page with a way to add people: shown, and answering a refused add."""
    return {
        "attendees": organizer.get(reverse("attendee_list", args=[event.pk])),
        "add someone": organizer.post(
            reverse("attendee_add", args=[event.pk]), {"name": "Zelda Quartermain"}
        ),
        "door": organizer.get(reverse("door", args=[event.pk])),
        "walk-in": organizer.post(reverse("door_walk_in", args=[event.pk]), {"name": "Late Larry"}),
        "import": organizer.get(reverse("attendee_import", args=[event.pk])),
        "upload": organizer.post(
            reverse("attendee_import", args=[event.pk]),
            {"file": SimpleUploadedFile("people.csv", b"name\nAna\n", content_type="text/csv")},
        ),
        "empty upload": organizer.post(reverse("attendee_import", args=[event.pk]), {"file": ""}),
    }


def test_organizer_pages_of_an_event_that_takes_no_one_say_why_in_place_of_every_add_form(
    organizer, event, refused
):
    pages = adding_pages(organizer, event)

    for page, response in pages.items():
        text = response.content.decode()
        assert text.count(html.escape(refused)) == 1, page
        assert f'id="event-{event.pk}-adding-closed"' in text, page
        shown = [form for form, mark in add_forms(event).items() if mark in text]
        assert shown == [], page
    assert not event.attendees.exclude(name__in=["Ann Lee", "Erased attendee"]).exists()


def test_the_attendee_list_of_an_event_that_takes_no_one_still_lists_who_is_there(
    organizer, event, refused
):
    ann = event.attendees.get()

    response = organizer.get(reverse("attendee_list", args=[event.pk]))

    assert f'id="attendee-{ann.pk}-row"' in response.text
    assert ann.name in response.text


def test_organizer_pages_of_an_open_event_show_every_add_form(organizer, event):
    pages = adding_pages(organizer, event)

    marks = add_forms(event)
    assert marks["add someone"] in pages["attendees"].text
    assert marks["import link"] in pages["attendees"].text
    assert marks["walk-in"] in pages["door"].text
    assert marks["file input"] in pages["import"].text
    assert marks["file input"] in pages["empty upload"].text
    for response in pages.values():
        assert f'id="event-{event.pk}-adding-closed"' not in response.content.decode()
