"""The right message to the right people in their language: no-shows, the phone's language,
declined introductions, and the "sorry we missed you" note."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from feedback import digest
from feedback.models import Digest, Introduction
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


def closed_event(**fields) -> Event:
    return EventFactory(
        title="Harbour night",
        status=Event.Status.CLOSED,
        closed_at=timezone.now() - timedelta(hours=1),
        **fields,
    )


def run() -> str:
    out = StringIO()
    call_command("send_followups", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_send_followups_no_shows_get_no_digest(mailoutbox):
    event = closed_event()
    AttendeeFactory(event=event, name="Came", email="came@example.com", checked_in=True)
    AttendeeFactory(event=event, name="Left", email="left@example.com", left=True)
    AttendeeFactory(event=event, name="Never", email="never@example.com")

    out = run()

    assert [message.to for message in mailoutbox] == [
        ["Came <came@example.com>"],
        ["Left <left@example.com>"],
    ]
    assert out == f"Harbour night (#{event.pk}) digests: 2 sent, 1 skipped (1 no-show), 0 failed\n"
    assert not Digest.objects.filter(attendee__name="Never").exists()


def test_send_followups_no_shows_get_the_sorry_note_when_the_organizer_chose_it(mailoutbox):
    event = closed_event(is_sending_missed_you=True)
    AttendeeFactory(event=event, name="Came", email="came@example.com", checked_in=True)
    never = AttendeeFactory(event=event, name="Never", email="never@example.com")

    out = run()
    again = run()

    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects == {
        "Came <came@example.com>": "Your follow-ups from Harbour night",
        "Never <never@example.com>": "Sorry we missed you at Harbour night",
    }
    note = next(m for m in mailoutbox if m.to[0].startswith("Never"))
    assert "Thank you for coming" not in note.body
    assert "We are sorry we missed you at Harbour night" in note.body
    assert reverse("leads", args=[never.token]) in note.body
    assert out == (
        f"Harbour night (#{event.pk}) digests: 1 sent, 0 skipped, 0 failed\n"
        f"Harbour night (#{event.pk}) sorry-we-missed-you notes: 1 sent, 0 skipped, 0 failed\n"
    )
    assert "0 sent, 1 skipped (1 already sent)" in again.splitlines()[1]


def test_digest_message_speaks_the_language_the_attendee_used_on_the_phone(settings):
    event = closed_event(language="en")
    zh = AttendeeFactory(event=event, name="李雷", checked_in=True, language="zh-hans")
    en = AttendeeFactory(event=event, name="Ana", checked_in=True)

    chinese, english = digest.digest_message(zh), digest.digest_message(en)

    assert chinese.subject == "你在 Harbour night 的后续跟进"
    assert "李雷，你好：" in chinese.body
    assert english.subject == "Your follow-ups from Harbour night"


def test_digest_message_falls_back_to_the_events_language():
    event = closed_event(language="zh-hans")
    attendee = AttendeeFactory(event=event, name="Ana", checked_in=True)

    assert digest.digest_message(attendee).subject == "你在 Harbour night 的后续跟进"


def test_attendee_page_remembers_the_phones_language_until_a_choice_is_made(client):
    """The browser's language is remembered for the mail while none is; another browser's
    (a laptop in English opening the follow-up mail's link, or one whose cookie came from the
    organizer's dashboard) does not replace it; a language chosen with the switch on the
    attendee's own page does."""
    event = closed_event(language="en")
    attendee = AttendeeFactory(event=event)

    def remembered_after(**headers) -> str:
        client.get(reverse("leads", args=[attendee.token]), **headers)
        attendee.refresh_from_db()
        return attendee.language

    assert remembered_after(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9") == "zh-hans"
    page = client.get(reverse("pitch_edit", args=[attendee.token]), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page.wsgi_request.LANGUAGE_CODE == "en"  # that screen reads English
    assert remembered_after(HTTP_ACCEPT_LANGUAGE="en-GB") == "zh-hans"  # the mail stays Chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the dashboard's switch, on that laptop
    assert remembered_after(HTTP_ACCEPT_LANGUAGE="zh-CN") == "zh-hans"
    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "en"})
    assert remembered_after(HTTP_ACCEPT_LANGUAGE="zh-CN") == "en"  # the switch on their page
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert remembered_after(HTTP_ACCEPT_LANGUAGE="zh-CN") == "en"


def test_attendee_page_without_a_language_of_its_own_keeps_what_was_remembered(client):
    attendee = AttendeeFactory(event=closed_event(), language="zh-hans")

    client.get(reverse("leads", args=[attendee.token]), HTTP_ACCEPT_LANGUAGE="")
    attendee.refresh_from_db()

    assert attendee.language == "zh-hans"


def test_digest_content_leaves_out_declined_introductions():
    event = closed_event()
    round_ = RoundFactory(event=event, number=1, done=True)
    me = AttendeeFactory(event=event, name="Me", checked_in=True)
    kept = AttendeeFactory(event=event, name="Kept", checked_in=True)
    declined = AttendeeFactory(event=event, name="Declined", checked_in=True)
    IntroductionFactory(card=CardFactory(round=round_, giver=kept, receiver=me, introduce=True))
    IntroductionFactory(
        card=CardFactory(round=round_, giver=declined, receiver=me, introduce=True),
        status=Introduction.Status.DECLINED,
        declined_at=timezone.now(),
    )
    IntroductionFactory(
        card=CardFactory(round=round_, giver=me, receiver=declined, introduce=True),
        status=Introduction.Status.DECLINED,
        declined_at=timezone.now(),
    )

    content = digest.digest_content(me)
    message = digest.digest_message(me)

    assert [lead.person.name for lead in content.can_introduce_me] == ["Kept"]
    assert content.promised == []
    assert "Declined" not in message.body


def test_digest_links_start_at_the_site_url(settings):
    settings.SITE_URL = "https://speednet.example.com"
    event = closed_event()
    attendee = AttendeeFactory(event=event, checked_in=True, consent_decided_at=None)
    CardFactory(round=RoundFactory(event=event, number=1), receiver=attendee)  # to share with

    message = digest.digest_message(attendee)

    assert f"https://speednet.example.com/a/{attendee.token}/leads/" in message.body
    assert f"https://speednet.example.com/a/{attendee.token}/details/" in message.body
