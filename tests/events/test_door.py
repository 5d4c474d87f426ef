"""The door page: check in from a scanned personal code or badge, and undo there without leaving
it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from config.site import public_url
from events import services
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
    assert f'hx-post="{presence}" hx-target="closest .door-result"' in answer.text
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


@pytest.mark.parametrize(
    ("listed", "typed"),
    [("陳美玲", "陈美玲"), ("陈美玲", "陳美玲"), ("陳美玲", "美玲"), ("林台生", "林臺生")],
)
def test_the_door_search_finds_a_chinese_name_in_either_script(organizer, event, listed, typed):
    AttendeeFactory(event=event, name=listed, email="mei@example.com")
    AttendeeFactory(event=event, name="陈大文", email="dawen@example.com")

    found = organizer.get(
        reverse("attendee_list", args=[event.pk]),
        {"q": typed, "status": "invited"},
        headers=HTMX,
    )

    assert listed in found.text
    assert "陈大文" not in found.text


def test_the_door_search_finds_a_company_in_either_script_and_latin_text_as_before(
    organizer, event
):
    AttendeeFactory(event=event, name="Li Wei", company="東方電氣")
    AttendeeFactory(event=event, name="Ana Costa", company="Costa")

    by_company = organizer.get(
        reverse("attendee_list", args=[event.pk]), {"q": "东方电气"}, headers=HTMX
    )
    by_latin = organizer.get(
        reverse("attendee_list", args=[event.pk]), {"q": "COSTA"}, headers=HTMX
    )

    assert "Li Wei" in by_company.text
    assert "Ana Costa" not in by_company.text
    assert "Ana Costa" in by_latin.text
    assert "Li Wei" not in by_latin.text


def walk_in(client, event, **fields):
    return client.post(reverse("door_walk_in", args=[event.pk]), fields)


def test_the_door_adds_a_walk_in_and_checks_them_in_at_once(organizer, event):
    page = organizer.get(reverse("door", args=[event.pk]))
    assert f'action="{reverse("door_walk_in", args=[event.pk])}"' in page.text

    answer = walk_in(organizer, event, name="Bo Lund", email="BO@example.se", company="Lund AB")

    assert answer.status_code == 302
    assert answer.url == reverse("door", args=[event.pk])
    bo = event.attendees.get()
    assert (bo.name, bo.email, bo.company) == ("Bo Lund", "bo@example.se", "Lund AB")
    assert bo.is_present
    assert not bo.is_email_unconfirmed  # the organizer at the door vouches for it
    assert "Bo Lund added and checked in." in organizer.get(answer.url).text


def test_the_door_walk_in_needs_only_a_name_and_refuses_none_keeping_what_was_typed(
    organizer, event
):
    nameless = walk_in(organizer, event, name="  ", email="bo@example.se", company="Lund AB")
    only_name = walk_in(organizer, event, name="Bo Lund")

    assert nameless.status_code == 400
    assert 'value="bo@example.se"' in nameless.text
    assert 'value="Lund AB"' in nameless.text
    assert "field-error" in nameless.text
    assert only_name.status_code == 302
    assert list(event.attendees.values_list("name", "email")) == [("Bo Lund", "")]


def test_the_door_walk_in_refuses_an_email_already_at_the_event_with_a_clear_message(
    organizer, event
):
    AttendeeFactory(event=event, name="Bo Lund", email="bo@example.se")

    answer = walk_in(organizer, event, name="Bo Again", email="Bo@Example.se", company="X")

    assert answer.status_code == 400
    assert "Someone with this email is already at this event." in answer.text
    assert 'value="Bo Again"' in answer.text
    assert event.attendees.count() == 1
    assert not event.attendees.get().is_present


def test_the_door_walk_in_names_who_has_the_email_and_offers_their_check_in(organizer, event):
    li = AttendeeFactory(event=event, name="Li Wei", email="li@example.com", company="Acme")

    answer = walk_in(organizer, event, name="Bo Lund", email="LI@example.com", company="Lund AB")

    assert answer.status_code == 400
    assert (
        "Already on the list: <bdi>Li Wei</bdi> (<bdi>Acme</bdi>), not checked in yet."
        in answer.text
    )
    presence = reverse("attendee_presence", args=[event.pk, li.pk])
    assert f'hx-post="{presence}" hx-target="closest .door-result"' in answer.text
    assert '<input type="hidden" name="action" value="check_in">' in answer.text
    assert "Check in <bdi>Li Wei</bdi>" in answer.text
    assert 'value="Bo Lund"' in answer.text
    assert 'value="Lund AB"' in answer.text
    assert event.attendees.count() == 1


def test_the_door_walk_in_says_when_the_one_with_the_email_checked_in_and_offers_nothing(
    organizer, event
):
    event.time_zone = "Asia/Shanghai"
    event.save(update_fields=["time_zone"])
    AttendeeFactory(
        event=event,
        name="مريم 2",
        email="maryam@example.com",
        company="",
        checked_in_at=datetime(2026, 12, 1, 11, 5, tzinfo=UTC),
    )

    answer = walk_in(organizer, event, name="Maryam", email="maryam@example.com")

    assert answer.status_code == 400
    assert "Already on the list: <bdi>مريم 2</bdi>, already checked in at 19:05." in answer.text
    assert "Check in <bdi>مريم 2</bdi>" not in answer.text


def test_the_door_walk_in_says_when_the_one_with_the_email_left_and_offers_their_return(
    organizer, event
):
    event.time_zone = "UTC"
    event.save(update_fields=["time_zone"])
    AttendeeFactory(
        event=event,
        name="Ana Costa",
        email="ana@example.com",
        company="Costa Lda",
        checked_in_at=datetime(2026, 12, 1, 18, 0, tzinfo=UTC),
        left_at=datetime(2026, 12, 1, 20, 30, tzinfo=UTC),
    )

    answer = walk_in(organizer, event, name="Ana", email="ana@example.com")

    assert (
        "Already on the list: <bdi>Ana Costa</bdi> (<bdi>Costa Lda</bdi>), checked in and left"
        " at 20:30." in answer.text
    )
    assert "Check in <bdi>Ana Costa</bdi>" in answer.text


def test_the_door_walk_in_names_who_has_the_email_in_chinese(organizer, event):
    li = AttendeeFactory(event=event, name="李伟", email="li@example.com", company="东方电气")

    answer = organizer.post(
        reverse("door_walk_in", args=[event.pk]),
        {"name": "Bo Lund", "email": "li@example.com"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert "已在名单上：<bdi>李伟</bdi>（<bdi>东方电气</bdi>），尚未签到。" in answer.text
    assert "为 <bdi>李伟</bdi> 签到" in answer.text
    assert event.attendees.get() == li


def test_the_door_walk_in_refused_for_another_reason_names_nobody(organizer, event):
    from events import hygiene
    from events.models import EmailBlock

    AttendeeFactory(event=event, name="Li Wei", email="li@example.com")
    EmailBlock.objects.create(
        organizer=event.organizer, email_hash=hygiene.email_digest("li@example.com")
    )

    answer = walk_in(organizer, event, name="Bo Lund", email="li@example.com")

    assert answer.status_code == 400
    assert "This email cannot be added to this event." in answer.text
    assert "Already on the list" not in answer.text


def test_the_check_in_offered_at_the_door_checks_them_in_there(organizer, event):
    li = AttendeeFactory(event=event, name="Li Wei", email="li@example.com")
    presence = reverse("attendee_presence", args=[event.pk, li.pk])

    answer = organizer.post(presence, {"action": "check_in", "from": "door"}, headers=HTMX)

    assert "Li Wei checked in." in answer.text
    assert 'hx-target="closest .door-result"' in answer.text
    assert "1 checked in of 1" in answer.text
    li.refresh_from_db()
    assert li.is_present


def test_the_check_in_offered_at_the_door_without_javascript_comes_back_and_says_so(
    organizer, event
):
    li = AttendeeFactory(event=event, name="Li Wei", email="li@example.com")
    presence = reverse("attendee_presence", args=[event.pk, li.pk])

    answer = organizer.post(presence, {"action": "check_in", "from": "door"})

    assert answer.url == reverse("door", args=[event.pk])
    assert "Li Wei checked in." in organizer.get(answer.url).text
    li.refresh_from_db()
    assert li.is_present


def test_another_organizer_is_never_told_who_has_an_email_at_this_event(client, event):
    li = AttendeeFactory(event=event, name="Li Wei", email="li@example.com", company="Acme")
    intruder = UserFactory()
    own = EventFactory(organizer=intruder, check_in=True)
    client.force_login(intruder)

    here = walk_in(client, event, name="Bo Lund", email="li@example.com")
    at_own_door = walk_in(client, own, name="Bo Lund", email="li@example.com")
    check_in = client.post(
        reverse("attendee_presence", args=[own.pk, li.pk]), {"action": "check_in", "from": "door"}
    )

    assert here.status_code == 404
    assert "Li Wei" not in here.text
    assert at_own_door.status_code == 302
    assert "Li Wei" not in client.get(at_own_door.url).text
    assert check_in.status_code == 404
    assert event.attendees.get() == li
    li.refresh_from_db()
    assert not li.is_checked_in


def test_the_door_walk_in_refuses_a_blocked_email_without_saying_why(organizer, event):
    from events import hygiene
    from events.models import EmailBlock

    EmailBlock.objects.create(
        organizer=event.organizer, email_hash=hygiene.email_digest("pushy@example.com")
    )

    answer = walk_in(organizer, event, name="P. Ushy", email="pushy@example.com")

    assert answer.status_code == 400
    assert "This email cannot be added to this event." in answer.text
    assert not event.attendees.exists()


def test_the_door_walk_in_at_a_closed_event_adds_nobody(organizer, event):
    closed = EventFactory(closed=True, organizer=event.organizer)

    answer = walk_in(organizer, closed, name="Late Larry", email="larry@example.com")

    assert answer.status_code == 400
    assert "This event is closed: no one can be added to it any more." in answer.text
    assert 'value="Late Larry"' not in answer.text
    assert not closed.attendees.exists()


def test_another_organizer_cannot_add_a_walk_in_at_this_door(client, event):
    client.force_login(UserFactory())

    answer = walk_in(client, event, name="Intruder")

    assert answer.status_code == 404
    assert not event.attendees.exists()


def test_the_door_list_shows_who_is_not_here_yet_and_a_search_finds_everyone(organizer, event):
    event.time_zone = "UTC"
    event.save(update_fields=["time_zone"])
    alice = AttendeeFactory(event=event, name="Alice Smith")
    mei = AttendeeFactory(event=event, name="陳美玲")
    AttendeeFactory(event=event, name="Alan Waits")
    services.check_in(alice, by=event.organizer)
    services.check_in(mei, by=event.organizer)
    services.mark_left(mei, by=event.organizer)
    type(alice).objects.filter(pk=alice.pk).update(
        checked_in_at=datetime(2026, 5, 1, 16, 53, tzinfo=UTC)
    )
    door = reverse("door", args=[event.pk])

    listed = organizer.get(door)
    alice_found = organizer.get(door, {"q": "Alice"}, headers=HTMX)
    mei_found = organizer.get(door, {"q": "陈美玲"}, headers=HTMX)
    no_js = organizer.get(door, {"q": "Alice"})

    assert "Alan Waits" in listed.text
    assert "Alice Smith" not in listed.text
    assert "Alice Smith" in alice_found.text
    assert "Checked in<br>" in alice_found.text
    assert 'datetime="2026-05-01T16:53:00+00:00">16:53</time>' in alice_found.text
    assert "Alan Waits" not in alice_found.text
    assert 'data-presence="undo" disabled' not in alice_found.text
    assert "<html" not in alice_found.text
    assert "陳美玲" in mei_found.text
    assert "Left" in mei_found.text
    assert "Alice Smith" in no_js.text
    assert 'value="Alice"' in no_js.text


def test_the_door_and_attendee_searches_replace_the_list_so_its_id_stays_unique(organizer, event):
    door = organizer.get(reverse("door", args=[event.pk])).text
    attendees = organizer.get(reverse("attendee_list", args=[event.pk])).text

    for page in (door, attendees):
        form = page.split('class="filters"', 1)[1].split(">", 1)[0]
        assert f'hx-target="#event-{event.pk}-attendees"' in form
        assert 'hx-swap="outerHTML"' in form
