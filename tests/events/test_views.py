from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Attendee
from tests.factories import AttendeeFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_rate_limits(fresh_cache):
    """Each test counts wrong codes in a cache of its own."""


@pytest.fixture
def event():
    return EventFactory(check_in=True, join_code="CG26VP")


def join(client, code, **fields):
    data = {"name": "Li Wei", "email": "", "company": "Harbor", "job_title": "", **fields}
    return client.post(reverse("join", args=[code]), data)


def test_join_start_redirects_a_typed_code_to_its_event(client, event):
    response = client.post(reverse("join_start"), {"code": " cg2-6vp "})

    assert response.status_code == 302
    assert response.url == reverse("join", args=["CG26VP"])


def test_join_start_explains_a_malformed_code(client):
    response = client.post(reverse("join_start"), {"code": "AB"})

    assert response.status_code == 200
    assert "An event code has 6 letters and digits." in response.text


def test_join_unknown_code_is_a_clear_404(client, event):
    response = client.get(reverse("join", args=["ZZZZZZ"]))

    assert response.status_code == 404
    assert "No event has the code ZZZZZZ." in response.text


def test_join_wrong_codes_are_rate_limited_per_device_and_never_block_the_right_code(client, event):
    answers = [client.get(reverse("join", args=["ZZZZZZ"])).status_code for _ in range(11)]

    assert answers == [404] * 10 + [429]
    assert "Too many wrong codes" in client.get(reverse("join", args=["ZZZZZY"])).text
    assert client.get(reverse("join", args=["CG26VP"])).status_code == 200


def test_join_registers_checks_in_and_opens_the_personal_link(client, event):
    response = join(client, "cg26vp", email="Li@Example.com", is_consenting_to_share="on")

    attendee = Attendee.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("room", args=[attendee.token])
    assert (attendee.name, attendee.email, attendee.company) == (
        "Li Wei",
        "li@example.com",
        "Harbor",
    )
    assert attendee.is_checked_in
    assert attendee.is_consenting_to_share


def test_join_again_from_the_same_phone_goes_back_to_the_room(client, event):
    join(client, "CG26VP")

    response = client.get(reverse("join", args=["CG26VP"]))

    assert response.url == reverse("room", args=[Attendee.objects.get().token])
    assert Attendee.objects.count() == 1


def served_nonce(client, code: str) -> str:
    """The join form's nonce as the page serves it."""
    page = client.get(reverse("join", args=[code])).text
    return re.search(r'name="join_nonce" value="([^"]+)"', page).group(1)


def test_join_page_serves_each_form_its_own_nonce(client, event):
    first, second = served_nonce(client, "CG26VP"), served_nonce(client, "CG26VP")

    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", first)
    assert first != second


def test_join_form_sent_three_times_at_once_joins_once_and_each_send_opens_that_room(client, event):
    nonce = served_nonce(client, "CG26VP")
    # Sent together, the later sends carry the cookies the browser had before the first answer.
    phones = [client, Client(), Client()]

    answers = [join(phone, "CG26VP", email="li@example.com", join_nonce=nonce) for phone in phones]

    attendee = Attendee.objects.get()
    assert [(answer.status_code, answer.url) for answer in answers] == [
        (302, reverse("room", args=[attendee.token]))
    ] * 3
    assert (attendee.name, attendee.email, attendee.is_checked_in) == (
        "Li Wei",
        "li@example.com",
        True,
    )


def test_join_form_with_a_malformed_nonce_still_joins(client, event):
    response = join(client, "CG26VP", join_nonce="<script>")

    assert response.status_code == 302
    assert Attendee.objects.get().join_nonce == ""


def test_join_duplicate_email_is_explained_and_keeps_the_typed_values(client, event):
    AttendeeFactory(event=event, email="li@example.com")

    response = join(client, "CG26VP", email="LI@example.com", company="Harbor Freight")

    assert response.status_code == 200
    assert "This email is already registered for this event." in response.text
    assert 'value="Harbor Freight"' in response.text
    assert Attendee.objects.count() == 1


def test_join_without_a_name_is_explained(client, event):
    response = join(client, "CG26VP", name="")

    assert "This field is required." in response.text
    assert not Attendee.objects.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [("draft", "This event is not open yet"), ("closed", "This event is over.")],
)
def test_join_a_closed_or_unopened_event_is_refused(client, status, message):
    EventFactory(join_code="AB34CD", status=status)

    response = join(client, "AB34CD")

    assert message in response.text
    assert not Attendee.objects.exists()


def test_home_offers_the_code_form(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert 'name="code"' in response.text
