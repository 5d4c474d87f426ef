"""Invitations before the event, the organizer's link/QR/send-again page, and "Email me my link"."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime

import icalendar
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from events.models import Attendee, Event
from feedback import invitations
from tests import qr
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
SITE = "https://speednet.example.com"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def _own_cache(fresh_cache):
    """Each test's rate limits and tokens in a cache of its own."""


@pytest.fixture
def organizer(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def event(organizer):
    return EventFactory(
        organizer=organizer,
        title="Harbour night",
        venue="Pier 3, Hamburg",
        time_zone="Europe/Berlin",
        starts_at=datetime(2025, 6, 1, 17, 0, tzinfo=UTC),
        join_code="CG26VP",
        pitch_seconds=30,
    )


def test_invitation_message_has_the_link_time_place_pitch_nudge_and_ics(event):
    ana = AttendeeFactory(event=event, name="Ana", email="ana@example.com")

    message = invitations.invitation_message(ana)

    assert message.subject == "Your personal link for Harbour night"
    assert message.to == ["Ana <ana@example.com>"]
    body = message.body
    assert f"{SITE}/a/{ana.token}/\n" in body
    assert "June 1, 2025, 7 p.m. (Europe/Berlin)" in body
    assert "Where: Pier 3, Hamburg" in body
    assert 'one clear ask: "I need X. Who do you know?"' in body
    assert f"{SITE}/a/{ana.token}/pitch/" in body
    [part] = message.attachments
    assert (part.get_filename(), part.get_content_type()) == (f"{event.slug}.ics", "text/calendar")
    [entry] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert entry.decoded("dtstart") == datetime(
        2025, 6, 1, 19, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")
    )
    assert str(entry["url"]) == f"{SITE}/a/{ana.token}/"


def test_invitation_message_speaks_the_attendees_language(event):
    li = AttendeeFactory(event=event, name="李雷", email="li@example.com", language="zh-hans")

    message = invitations.invitation_message(li)

    assert message.subject == "Harbour night 的个人链接"


def test_send_invitations_to_people_not_invited_yet_then_to_everyone(client, event, mailoutbox):
    invited = AttendeeFactory(event=event, email="old@example.com", invited_at=timezone.now())
    AttendeeFactory(event=event, email="new@example.com")
    AttendeeFactory(event=event, email="")
    url = reverse("event_invitations", args=[event.pk])

    first = client.post(url, {"which": "new"})
    sent_first = [message.to[0] for message in mailoutbox]
    client.post(url, {"which": "all"})

    assert first.status_code == 302
    assert sent_first == [f"{Attendee.objects.get(email='new@example.com').name} <new@example.com>"]
    assert len(mailoutbox) == 3
    assert [str(m) for m in get_messages(first.wsgi_request)] == [
        "Invitations sent: 1; skipped (no email, unsubscribed): 1."
    ]
    invited.refresh_from_db()
    assert Attendee.objects.filter(event=event, invited_at__isnull=True).count() == 1


def test_send_invitations_one_bad_address_is_reported_and_the_others_go(client, event, mailoutbox):
    AttendeeFactory(event=event, name="Ana", email="ana@example.com")
    bad = AttendeeFactory(event=event, name="Bad", email="bad@example.com")
    AttendeeFactory(event=event, name="Cy", email="cy@example.com")
    Attendee.objects.filter(pk=bad.pk).update(name="Bad\r\nBcc: x@y.z", email="bad@@example..com")

    response = client.post(reverse("event_invitations", args=[event.pk]), {"which": "new"})

    assert sorted(m.to[0] for m in mailoutbox) == ["Ana <ana@example.com>", "Cy <cy@example.com>"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Invitations sent: 2; skipped (no email, unsubscribed): 0.",
        "Not sent to bad@@example..com: UnsendableAddress: “bad@@example..com” is not an "
        "email address.",
    ]
    bad.refresh_from_db()
    assert bad.invited_at is None


def test_invitations_of_another_organizers_event_are_refused(client, organizer, mailoutbox):
    other = EventFactory()
    attendee = AttendeeFactory(event=other)

    responses = [
        client.post(reverse("event_invitations", args=[other.pk]), {"which": "all"}),
        client.get(reverse("attendee_link", args=[other.pk, attendee.pk])),
        client.post(reverse("attendee_invite", args=[other.pk, attendee.pk])),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert mailoutbox == []


def test_attendee_link_of_an_attendee_of_another_event_is_refused(client, event):
    stranger = AttendeeFactory()

    response = client.get(reverse("attendee_link", args=[event.pk, stranger.pk]))

    assert response.status_code == 404


def test_invitation_pages_need_a_login(event):
    from django.test import Client

    attendee = AttendeeFactory(event=event)

    response = Client().get(reverse("attendee_link", args=[event.pk, attendee.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_attendee_link_page_shows_the_link_the_qr_and_send_again(client, event, mailoutbox):
    attendee = AttendeeFactory(event=event, name="Ana", email="ana@example.com")

    page = client.get(reverse("attendee_link", args=[event.pk, attendee.pk]))
    again = client.post(reverse("attendee_invite", args=[event.pk, attendee.pk]))

    assert page.status_code == 200
    assert f'value="{SITE}/a/{attendee.token}/"' in page.text
    assert qr.decode_svgs(page.text) == [f"{SITE}/a/{attendee.token}/"]
    assert "address-warning" not in page.text
    assert "No invitation sent yet." in page.text
    assert again.status_code == 302
    assert [m.to[0] for m in mailoutbox] == ["Ana <ana@example.com>"]
    attendee.refresh_from_db()
    assert attendee.invited_at is not None


def test_attendee_link_page_warns_when_phones_cannot_reach_the_public_address(
    client, event, settings
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    attendee = AttendeeFactory(event=event)

    page = client.get(
        reverse("attendee_link", args=[event.pk, attendee.pk]), HTTP_HOST="localhost:8123"
    )

    assert f'value="http://127.0.0.1:8000/a/{attendee.token}/"' in page.text
    assert page.text.count('class="address-warning" role="alert"') == 1


def test_attendees_page_offers_invitations_and_each_persons_link(client, event):
    attendee = AttendeeFactory(event=event)

    page = client.get(reverse("attendee_list", args=[event.pk]))

    assert reverse("event_invitations", args=[event.pk]) in page.text
    assert reverse("attendee_link", args=[event.pk, attendee.pk]) in page.text


# "Email me my link" on the join page.


def without_token(html: str) -> str:
    """The page without its CSRF tokens (new for every response)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", html)


def ask(client, email, code="CG26VP", **extra):
    return client.post(reverse("email_my_link", args=[code]), {"email": email}, **extra)


def test_email_my_link_answers_the_same_whether_known_or_not(client, event, mailoutbox):
    AttendeeFactory(event=event, name="Ana", email="ana@example.com")

    known = ask(client, "ANA@example.com")
    unknown = ask(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert without_token(known.text) == without_token(unknown.text)
    assert [m.to[0] for m in mailoutbox] == ["Ana <ana@example.com>"]
    assert mailoutbox[0].subject == "Your personal link for Harbour night"


def test_email_my_link_is_rate_limited_per_client(client, event, mailoutbox):
    AttendeeFactory(event=event, email="ana@example.com")

    answers = [ask(client, f"guess{n}@example.com").status_code for n in range(5)]
    limited = ask(client, "ana@example.com")
    elsewhere = ask(client, "ana@example.com", REMOTE_ADDR="10.0.0.9")

    assert answers == [200] * 5
    assert limited.status_code == 429
    assert elsewhere.status_code == 200
    assert len(mailoutbox) == 1


def test_email_my_link_sends_one_attendee_at_most_three_an_hour(client, event, mailoutbox):
    AttendeeFactory(event=event, email="ana@example.com")

    for number in range(5):
        ask(client, "ana@example.com", REMOTE_ADDR=f"10.0.0.{number}")

    assert len(mailoutbox) == invitations.LINK_MAILS_PER_ATTENDEE


def test_email_my_link_goes_to_someone_who_unsubscribed_from_follow_ups(client, event, mailoutbox):
    AttendeeFactory(event=event, email="ana@example.com", unsubscribed_at=timezone.now())

    ask(client, "ana@example.com")

    assert len(mailoutbox) == 1


def test_email_my_link_refuses_a_bad_address_with_the_form(client, event, mailoutbox):
    response = ask(client, "not an address")

    assert response.status_code == 400
    assert "“not an address” is not an email address." in response.text
    assert mailoutbox == []


def test_join_page_offers_email_me_my_link(client, event):
    event.status = "check_in"
    event.save()

    page = client.get(reverse("join", args=["CG26VP"]))

    assert reverse("email_my_link", args=["CG26VP"]) in page.text


def test_send_invitations_with_the_mail_server_down_says_so_and_stamps_nobody(
    client, settings, event
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    AttendeeFactory(event=event, email="ana@example.com")

    response = client.post(reverse("event_invitations", args=[event.pk]), {"which": "new"})

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown[0] == "Invitations sent: 0; skipped (no email, unsubscribed): 0."
    assert shown[1].startswith("Not sent to (mail server): ConnectionRefusedError")
    assert not Attendee.objects.filter(invited_at__isnull=False).exists()


@pytest.mark.parametrize("status", [Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE])
def test_email_my_link_during_the_event_gives_the_link_for_now_without_before_you_come(
    client, event, mailoutbox, status
):
    event.status = status
    event.save(update_fields=["status"])
    ana = AttendeeFactory(event=event, name="Ana", email="ana@example.com")

    client.post(reverse("email_my_link", args=[event.join_code]), {"email": "ana@example.com"})

    [message] = mailoutbox
    assert message.subject == "Your personal link for Harbour night"
    assert "Here is your link for Harbour night, happening now" in message.body
    assert f"{SITE}/a/{ana.token}/\n" in message.body
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Before you come" not in text
        assert "You are invited" not in text
        assert "calendar" not in text
    assert message.attachments == []


def test_email_my_link_after_the_event_gives_the_link_to_the_leads(client, event, mailoutbox):
    event.status = Event.Status.CLOSED
    event.save(update_fields=["status"])
    ana = AttendeeFactory(event=event, name="Ana", email="ana@example.com")

    invitations.send_link_on_request(event, email="ana@example.com")

    [message] = mailoutbox
    assert message.subject == "Your leads from Harbour night"
    assert f"{SITE}/a/{ana.token}/leads/\n" in message.body
    assert f'href="{SITE}/a/{ana.token}/leads/"' in message.alternatives[0][0]
    assert "Before you come" not in message.body
    assert "happening now" not in message.body
    assert message.attachments == []


def test_the_link_mail_during_and_after_the_event_speaks_chinese(event):
    li = AttendeeFactory(event=event, name="李雷", email="li@example.com", language="zh-hans")
    event.status = Event.Status.LIVE
    during = invitations.invitation_message(li)
    event.status = Event.Status.CLOSED
    after = invitations.invitation_message(li)

    assert "活动正在进行" in during.body
    assert after.subject == "你在 Harbour night 的人脉收获"
    assert "这是你在 Harbour night 的收获链接" in after.body


def test_the_join_page_ids_are_unique_and_each_email_label_names_its_own_input(client, event):
    event.status = "check_in"
    event.save()

    pages = [
        client.get(reverse("join", args=["CG26VP"])).text,
        client.post(reverse("join", args=["CG26VP"]), {"name": ""}).text,
        client.post(reverse("email_my_link", args=["CG26VP"]), {"email": "nope"}).text,
    ]

    for page in pages:
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
            assert target in ids
    assert 'for="my-link-email"' in pages[0]
    assert re.search(r'<input[^>]*name="email"[^>]*id="my-link-email"', pages[0])


def test_invitation_calendar_part_has_one_charset_and_the_method(event):
    ana = AttendeeFactory(event=event, name="Ana", email="ana@example.com")

    sent = invitations.invitation_message(ana).message()

    [part] = [part for part in sent.walk() if part.get_content_type() == "text/calendar"]
    assert part["Content-Type"] == 'text/calendar; charset="utf-8"; method="PUBLISH"'
    assert part.get_filename() == f"{event.slug}.ics"
    assert part.get_content_disposition() == "attachment"
