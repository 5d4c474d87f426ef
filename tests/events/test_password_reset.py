"""The password reset form mails whatever address is typed: limited per address typed and per
client address, so it floods nobody's inbox."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from events.views import PASSWORD_RESETS_PER_ADDRESS_HOUR, PASSWORD_RESETS_PER_EMAIL_HOUR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_rate_limits(fresh_cache):
    return fresh_cache


def ask(email: str, address: str = "198.51.100.7"):
    return Client(REMOTE_ADDR=address).post(reverse("password_reset"), {"email": email})


def test_one_inbox_gets_at_most_a_few_reset_mails_an_hour_from_anywhere(mailoutbox):
    UserFactory(email="maria@example.com")

    answers = [
        ask("Maria@Example.com ", address=f"198.51.100.{n}")
        for n in range(PASSWORD_RESETS_PER_EMAIL_HOUR + 2)
    ]

    assert [a.status_code for a in answers] == [302] * PASSWORD_RESETS_PER_EMAIL_HOUR + [429] * 2
    assert len(mailoutbox) == PASSWORD_RESETS_PER_EMAIL_HOUR
    assert "Too many reset requests" in answers[-1].text
    assert ask("someone.else@example.com", address="198.51.100.99").status_code == 302


def test_one_client_cannot_mail_many_inboxes():
    answers = [ask(f"person{n}@example.com") for n in range(PASSWORD_RESETS_PER_ADDRESS_HOUR + 1)]

    assert {a.status_code for a in answers[:PASSWORD_RESETS_PER_ADDRESS_HOUR]} == {302}
    assert answers[-1].status_code == 429
    assert ask("late@example.com", address="198.51.100.8").status_code == 302


def test_the_reset_mail_still_reaches_a_real_organizer(mailoutbox):
    UserFactory(email="ops@example.com")

    answer = ask("ops@example.com")

    assert answer.status_code == 302
    assert [m.to for m in mailoutbox] == [["ops@example.com"]]
