"""The printed badge's QR code (``/b/<key>/``). A badge is worn in view all evening: whoever
photographs it must get nothing of the attendee's (no room, cards, pitch, leads, contacts, no
confirmed device). The attendee's own browser goes on to the room; anyone else may only have the
personal link mailed to the attendee's own address. Unknown keys count as wrong join codes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from events import ratelimit
from events.models import Attendee
from feedback import invitations, retention
from pitches.models import Pitch
from tests.factories import AttendeeFactory, EventFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db

NAT = "203.0.113.7"


@pytest.fixture(autouse=True)
def _own_cache(fresh_cache):
    """Rate-limit counters of this test's own."""


@pytest.fixture
def event():
    return EventFactory(check_in=True, join_code="CG26VP", title="Harbour night")


@pytest.fixture
def mara(event):
    attendee = AttendeeFactory(event=event, name="Mara Lind", email="mara@example.com")
    Pitch.objects.create(attendee=attendee, need="A designer", offer="Rust", ask="Who?")
    return attendee


def phone(address: str = NAT) -> Client:
    """A phone of its own (its own cookies) behind ``address``."""
    return Client(REMOTE_ADDR=address)


def badge_url(attendee: Attendee) -> str:
    return reverse("badge", args=[attendee.badge_key])


def personal_paths(attendee: Attendee) -> list[str]:
    """What a badge photo must never lead to."""
    token = [attendee.token]
    return [
        reverse("room", args=token),
        reverse("leads", args=token),
        reverse("leads_csv", args=token),
        reverse("leads_vcf", args=token),
        reverse("pitch_edit", args=token),
        reverse("my_details", args=token),
        reverse("attendee_erase", args=token),
    ]


def assert_nothing_personal(response, attendee: Attendee) -> None:
    everything = response.content.decode() + str(dict(response.headers))
    assert attendee.token not in everything
    assert "mara@example.com" not in everything
    assert [path for path in personal_paths(attendee) if path in everything] == []
    assert "/a/" not in everything


def test_badge_url_in_a_fresh_browser_offers_to_mail_the_link_and_nothing_else(mara):
    stranger = phone()

    page = stranger.get(badge_url(mara), follow=True)

    assert page.redirect_chain == []
    assert page.status_code == 200
    assert "Is this your badge?" in page.text
    assert "We'll email your personal link to the address you registered." in page.text
    assert f'action="{badge_url(mara)}"' in page.text
    assert_nothing_personal(page, mara)


def test_badge_url_and_its_mail_button_never_reach_the_room_leads_or_contacts(mara, mailoutbox):
    stranger = phone()

    pages = [stranger.get(badge_url(mara), follow=True)]
    pages.append(stranger.post(badge_url(mara), follow=True))
    pages.append(stranger.get(badge_url(mara), follow=True))

    for page in pages:
        assert page.redirect_chain == []
        assert page.status_code == 200
        assert_nothing_personal(page, mara)
    # The link went to Mara's own mailbox, not to this browser.
    assert [message.to for message in mailoutbox] == [["Mara Lind <mara@example.com>"]]


def test_badge_url_does_not_make_the_browser_the_confirmed_device(mara):
    stranger = phone()
    stranger.get(badge_url(mara))
    stranger.post(badge_url(mara))

    assert Attendee.objects.get(pk=mara.pk).device_hash == ""
    owner = phone()
    open_link(owner, mara.token)  # the invitation's link, opened on Mara's phone
    assert Attendee.objects.get(pk=mara.pk).device_hash != ""
    # Still not the stranger's: their badge page is the same neutral page.
    again = stranger.get(badge_url(mara))
    assert again.status_code == 200
    assert_nothing_personal(again, mara)


def test_badge_url_in_the_browser_that_joined_as_the_attendee_goes_to_the_room(event):
    own = phone()
    own.post(reverse("join", args=["CG26VP"]), {"name": "Ana Costa", "email": "ana@example.com"})
    ana = Attendee.objects.get(email="ana@example.com")
    Attendee.objects.filter(pk=ana.pk).update(device_hash="")  # only the session holds the link

    answer = own.get(badge_url(ana))

    assert answer.status_code == 302
    assert answer.url == reverse("room", args=[ana.token])


def test_badge_url_on_the_attendees_confirmed_device_goes_to_the_room(mara):
    own = phone()
    open_link(own, mara.token)

    answer = own.get(badge_url(mara))

    assert answer.status_code == 302
    assert answer.url == reverse("room", args=[mara.token])


def test_a_session_holding_another_attendees_link_is_not_the_badges_owner(event, mara):
    other = phone()
    other.post(reverse("join", args=["CG26VP"]), {"name": "Ana Costa", "email": "ana@example.com"})

    answer = other.get(badge_url(mara))

    assert answer.status_code == 200
    assert_nothing_personal(answer, mara)


def test_badge_mail_button_sends_the_personal_link_once_to_the_attendees_address(mara, mailoutbox):
    answer = phone().post(badge_url(mara))

    assert answer.status_code == 200
    assert "Your personal link is on its way to the address you registered" in answer.text
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Mara Lind <mara@example.com>"]
    assert mailoutbox[0].subject == "Your personal link for Harbour night"
    assert reverse("room", args=[mara.token]) in mailoutbox[0].body


def test_badge_mail_is_rate_limited_per_attendee_whoever_asks(mara, mailoutbox):
    answers = [
        Client(REMOTE_ADDR=f"10.0.0.{number}").post(badge_url(mara)).status_code
        for number in range(6)
    ]

    assert answers == [200] * 6  # the same answer: the page says nothing of the limit
    assert len(mailoutbox) == invitations.LINK_MAILS_PER_ATTENDEE


def test_badge_mail_is_rate_limited_per_address_with_email_me_my_link(event, mara, mailoutbox):
    others = AttendeeFactory.create_batch(5, event=event)
    asker = phone()

    answers = [asker.post(badge_url(person)).status_code for person in others]
    limited = asker.post(badge_url(mara))
    join_form = asker.post(reverse("email_my_link", args=["CG26VP"]), {"email": mara.email})

    assert answers == [200] * 5
    assert limited.status_code == 429
    assert "Too many requests from this device." in limited.text
    assert join_form.status_code == 429  # one budget for both ways of asking
    assert mara.email not in {message.to[0] for message in mailoutbox}
    assert len(mailoutbox) == 5


def test_badge_of_an_attendee_without_email_sends_to_the_organizer(event, mailoutbox):
    nobody = AttendeeFactory(event=event, email="")

    page = phone().get(badge_url(nobody))
    sent = phone().post(badge_url(nobody))

    assert page.status_code == sent.status_code == 200
    assert "Ask an organizer at the door for your link." in page.text
    assert '<form method="post" action="/b/' not in page.text
    assert mailoutbox == []


def test_badge_page_speaks_the_events_language(mara):
    mara.event.language = "zh-hans"
    mara.event.save()

    page = phone().get(badge_url(mara))

    assert "这是你的胸卡吗？" in page.text
    assert page.headers["Content-Language"] == "zh-hans"


def test_badge_page_is_not_cached(mara):
    assert phone().get(badge_url(mara)).headers["Cache-Control"] == "no-store"


def test_unknown_badge_key_is_not_found(mara):
    answer = phone().get(reverse("badge", args=["NoSuchBadge-0123456789"]))

    assert answer.status_code == 404
    assert "This badge is not known here." in answer.text


def test_unknown_badge_keys_are_throttled_per_device(mara):
    guesser = phone()

    guesses = [guesser.get(f"/b/Guess{n:02d}-abcdefghijklmno/").status_code for n in range(12)]

    assert guesses[:10] == [404] * 10
    assert set(guesses[10:]) == {429}
    assert phone().get(badge_url(mara)).status_code == 200  # the room's other phones go on


def test_unknown_badge_keys_spend_the_join_pages_address_budget(event, mara, monkeypatch):
    monkeypatch.setattr(ratelimit, "WRONG_CODES_PER_ADDRESS", "20/10m")

    # A script throwing its cookies away: a new device for every guess.
    guesses = [phone().get(f"/b/Guess{n:02d}-abcdefghijklmno/").status_code for n in range(25)]

    assert guesses[:20] == [404] * 20
    assert set(guesses[20:]) == {429}
    assert phone().get(badge_url(mara)).status_code == 429  # the whole address, for the window
    assert phone().get("/join/CG26VP/").status_code == 429  # one budget with the join page
    assert phone("198.51.100.1").get(badge_url(mara)).status_code == 200


def test_the_owner_reaches_the_room_from_the_badge_while_the_address_is_locked_out(
    mara, monkeypatch
):
    monkeypatch.setattr(ratelimit, "WRONG_CODES_PER_ADDRESS", "20/10m")
    own = phone()
    open_link(own, mara.token)
    for n in range(21):
        phone().get(f"/b/Guess{n:02d}-abcdefghijklmno/")

    again = own.get(badge_url(mara))
    stranger = phone().get(badge_url(mara))

    assert again.status_code == 302
    assert again.url == reverse("room", args=[mara.token])
    assert stranger.status_code == 429


def test_a_badge_printed_before_erasure_opens_nothing(mara, mailoutbox):
    printed = badge_url(mara)

    retention.erase_attendee(mara)

    assert phone().get(printed).status_code == 404
    assert phone().post(printed).status_code == 404
    assert mailoutbox == []


def test_badge_key_is_not_the_token_and_differs_per_attendee(event):
    people = AttendeeFactory.create_batch(3, event=event)

    keys = [person.badge_key for person in people]

    assert len(set(keys)) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", key) for key in keys)
    assert {person.token for person in people}.isdisjoint(keys)


def test_badge_page_queries(mara, django_assert_num_queries):
    stranger = phone()
    own = phone()
    open_link(own, mara.token)

    with django_assert_num_queries(1):  # the attendee with their event
        stranger.get(badge_url(mara))
    with django_assert_num_queries(1):
        own.get(badge_url(mara))
