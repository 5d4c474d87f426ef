"""An attendee's pages speak the language she chose with the switch on her own page, whatever
the browser asks for; then the browser's cookie, Accept-Language, the event's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from feedback import digest
from tests.factories import AttendeeFactory, EventFactory

pytestmark = pytest.mark.django_db

# Every page an attendee opens with her token: the room, her pitch, her leads (also reached
# from the follow-up mail), keep-apart, reporting a problem, the code of conduct, unsubscribe.
ATTENDEE_PAGES = [
    "room",
    "pitch_edit",
    "leads",
    "apart",
    "report_problem",
    "conduct_accept",
    "unsubscribe",
]


def page_language(client, name: str, token: str, **headers) -> str:
    response = client.get(reverse(name, args=[token]), headers=headers)
    assert response.status_code == 200, (name, response.status_code)
    return response["Content-Language"]


@pytest.mark.parametrize("name", ATTENDEE_PAGES)
@pytest.mark.parametrize(
    ("chosen", "asked"),
    [("en", "zh-CN,zh;q=0.9"), ("zh-hans", "en-GB,en;q=0.9")],
)
def test_attendee_page_speaks_the_chosen_language_whatever_the_phone_asks(
    client, name, chosen, asked
):
    event = EventFactory(live=True, with_conduct=True, language="zh-hans")
    accepted = 0 if name == "conduct_accept" else 1  # else the room sends her there
    attendee = AttendeeFactory(event=event, checked_in=True, conduct_accepted_version=accepted)
    client.post(reverse("attendee_language", args=[attendee.token]), {"language": chosen})
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # a mail app's browser: no cookie

    assert page_language(client, name, attendee.token, **{"Accept-Language": asked}) == chosen


def test_attendee_choice_beats_the_cookie_of_this_browser(client):
    attendee = AttendeeFactory(event=EventFactory(live=True), language="en")
    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # the organizer's switch

    assert page_language(client, "room", attendee.token, **{"Accept-Language": "zh"}) == "en"


def test_room_socket_speaks_the_chosen_language(client):
    attendee = AttendeeFactory(event=EventFactory(live=True))
    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "zh-hans"})
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    response = client.get(reverse("room", args=[attendee.token]), headers={"Accept-Language": "en"})

    assert f'data-live-url="/ws/a/{attendee.token}/?lang=zh-hans"' in response.text


def test_attendee_without_a_choice_follows_cookie_then_accept_language_then_event(client):
    """A language only remembered from the first browser (a guess, for the mail) is no choice:
    the next browser's own language wins."""
    attendee = AttendeeFactory(event=EventFactory(live=True, language="zh-hans"))
    token = attendee.token

    assert page_language(client, "room", token, **{"Accept-Language": "en-GB"}) == "en"
    attendee.refresh_from_db()
    assert (attendee.language, attendee.is_language_chosen) == ("en", False)
    assert page_language(client, "room", token, **{"Accept-Language": "zh-CN"}) == "zh-hans"
    assert page_language(client, "room", token, **{"Accept-Language": "fr"}) == "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert page_language(client, "room", token, **{"Accept-Language": "zh-CN"}) == "en"


def test_language_switch_of_one_attendee_leaves_another_attendee_alone(client):
    """The token in the switch's URL is the only attendee it changes: a phone that chose for
    itself on a shared browser does not change what another attendee chose, nor her pages."""
    event = EventFactory(live=True)
    mine = AttendeeFactory(event=event)
    hers = AttendeeFactory(event=event)
    client.post(reverse("attendee_language", args=[hers.token]), {"language": "zh-hans"})

    client.post(reverse("attendee_language", args=[mine.token]), {"language": "en"})

    hers.refresh_from_db()
    assert (hers.language, hers.is_language_chosen) == ("zh-hans", True)
    assert page_language(client, "room", hers.token, **{"Accept-Language": "en"}) == "zh-hans"
    assert page_language(client, "room", mine.token, **{"Accept-Language": "zh"}) == "en"


def test_language_switch_with_an_unknown_token_changes_nobody(client):
    attendee = AttendeeFactory(event=EventFactory(live=True))

    response = client.post(reverse("attendee_language", args=["x" * 22]), {"language": "zh-hans"})

    attendee.refresh_from_db()
    assert response.status_code == 404
    assert (attendee.language, attendee.is_language_chosen) == ("", False)


def test_mail_speaks_the_chosen_language(client):
    event = EventFactory(closed=True, language="en")
    attendee = AttendeeFactory(event=event, name="Ana", checked_in=True)
    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "zh-hans"})
    client.get(reverse("leads", args=[attendee.token]), headers={"Accept-Language": "en"})
    attendee.refresh_from_db()

    assert digest.digest_message(attendee).subject == f"你在 {event.title} 的后续跟进"


def test_language_switch_of_another_browser_leaves_her_own_phone_choice(client):
    event = EventFactory(live=True, language="zh-hans")
    attendee = AttendeeFactory(event=event, checked_in=True, conduct_accepted_version=1)
    client.get(reverse("room", args=[attendee.token]))  # her phone: the confirmed device
    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "en"})
    other = Client()  # the link forwarded, or opened on the organizer's laptop
    other.get(reverse("room", args=[attendee.token]))

    other.post(reverse("attendee_language", args=[attendee.token]), {"language": "zh-hans"})
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    attendee.refresh_from_db()
    assert attendee.language == "en"
    assert page_language(client, "room", attendee.token) == "en"
    assert page_language(other, "room", attendee.token) == "zh-hans"  # its own choice


def test_language_switch_of_her_confirmed_device_stores_her_choice(client):
    event = EventFactory(live=True, language="zh-hans")
    attendee = AttendeeFactory(event=event, checked_in=True, conduct_accepted_version=1)
    client.get(reverse("room", args=[attendee.token]))  # her phone: the confirmed device
    Client().get(reverse("room", args=[attendee.token]))  # another browser: not hers

    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "en"})

    attendee.refresh_from_db()
    assert (attendee.language, attendee.is_language_chosen) == ("en", True)
    mail_app = Client()  # no cookie of hers
    assert page_language(mail_app, "room", attendee.token, **{"Accept-Language": "zh"}) == "en"


def test_language_switch_of_an_organizer_before_her_phone_leaves_her_choice(client):
    """No browser is bound yet, but the organizer's laptop checking her link is not hers."""
    event = EventFactory(live=True, language="zh-hans")
    attendee = AttendeeFactory(event=event, checked_in=True, conduct_accepted_version=1)
    client.force_login(event.organizer)

    client.post(reverse("attendee_language", args=[attendee.token]), {"language": "en"})

    attendee.refresh_from_db()
    assert attendee.is_language_chosen is False
