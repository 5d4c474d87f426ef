"""Throttles that fit a venue: every phone behind one NAT address, a forged X-Forwarded-For,
scripted walk-ins and password guessing."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from config.clientip import client_address_from, read_trusted_proxies
from events import logs, ratelimit
from events.models import Attendee, LogEntry
from rounds.groups import control_group
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

NAT = "203.0.113.7"


@pytest.fixture(autouse=True)
def _own_rate_limits(fresh_cache):
    """Each test counts in a cache of its own (never clearing a shared Redis database)."""
    return fresh_cache


@pytest.fixture
def event():
    return EventFactory(check_in=True, join_code="CG26VP")


def phone(address: str = NAT) -> Client:
    """A phone of its own (its own cookies) behind ``address``."""
    return Client(REMOTE_ADDR=address)


def test_one_phone_typing_wrong_codes_does_not_lock_out_the_room(event):
    typist, neighbours = phone(), [phone() for _ in range(30)]

    typos = [typist.get("/join/ZZZZZZ/").status_code for _ in range(12)]

    assert typos[-1] == 429
    assert [p.get("/join/CG26VP/").status_code for p in neighbours] == [200] * 30
    assert typist.get("/join/CG26VP/").status_code == 200


def test_address_budget_of_wrong_codes_stops_guessing_with_fresh_devices(event, monkeypatch):
    monkeypatch.setattr(ratelimit, "WRONG_CODES_PER_ADDRESS", "20/10m")

    # A script throwing its cookies away: a new device for every guess.
    guesses = [phone().get(f"/join/ZZZZ{n:02d}/").status_code for n in range(25)]

    assert guesses[:20] == [404] * 20
    assert set(guesses[20:]) == {429}
    assert phone().get("/join/CG26VP/").status_code == 429  # the whole address, for the window
    assert phone("198.51.100.1").get("/join/CG26VP/").status_code == 200


def test_the_email_my_link_form_is_no_way_around_the_wrong_code_budget(event, monkeypatch):
    """POST /join/<code>/my-link/ answered 404 for a wrong code and 200/400 for a right one,
    uncounted: 400 guesses in 3 s, an oracle for event codes beside the throttled join page."""
    monkeypatch.setattr(ratelimit, "WRONG_CODES_PER_ADDRESS", "20/10m")

    guesses = [
        phone().post(f"/join/ZZZZ{n:02d}/my-link/", {"email": "a@example.com"}).status_code
        for n in range(25)
    ]

    assert guesses[:20] == [404] * 20
    assert set(guesses[20:]) == {429}
    right = phone().post("/join/CG26VP/my-link/", {"email": "a@example.com"})
    assert right.status_code == 429
    assert phone().get("/join/CG26VP/").status_code == 429  # one budget for both doors


def test_wrong_codes_on_the_my_link_form_count_per_device_too(event):
    typist = phone()

    typos = [typist.post("/join/ZZZZZZ/my-link/", {"email": "a@example.com"}) for _ in range(11)]

    assert typos[-1].status_code == 429
    assert phone().post("/join/CG26VP/my-link/", {"email": "a@example.com"}).status_code == 200


def test_a_phone_that_already_joined_is_not_locked_out_with_its_address(event, monkeypatch):
    """Someone at the venue spends the address's budget of wrong codes: new phones wait, but a
    phone that joined earlier and scans the door poster again still reaches its room."""
    monkeypatch.setattr(ratelimit, "WRONG_CODES_PER_ADDRESS", "20/10m")
    joined = phone()
    joined.post("/join/CG26VP/", {"name": "Ana Costa", "email": "ana@example.com"})
    attendee = Attendee.objects.get(email="ana@example.com")
    for n in range(21):
        phone().get(f"/join/ZZZZ{n:02d}/")

    again = joined.get("/join/CG26VP/")
    stranger = phone().get("/join/CG26VP/")
    guess = joined.get("/join/ZZZZZZ/")

    assert again.status_code == 302
    assert again.url == reverse("room", kwargs={"token": attendee.token})
    assert stranger.status_code == 429
    assert "this network" in stranger.text
    assert guess.status_code == 429


@pytest.mark.parametrize("trusted", ["0", "1"])
def test_rotating_a_forged_x_forwarded_for_does_not_escape_the_limit(
    event, monkeypatch, settings, trusted
):
    settings.SPEEDNET_TRUSTED_PROXIES = read_trusted_proxies(trusted)
    monkeypatch.setattr(ratelimit, "WRONG_CODES_PER_ADDRESS", "20/10m")
    # With one proxy (10.0.0.1), it appends the address it saw, 203.0.113.7.
    remote = "10.0.0.1" if trusted == "1" else NAT

    guesses = [
        Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=f"198.18.{n}.{n}, {NAT}")
        .get(f"/join/ZZZZ{n:02d}/")
        .status_code
        for n in range(25)
    ]

    assert set(guesses[20:]) == {429}


def test_walk_ins_per_event_per_minute_are_capped_with_a_message(
    event, listen, django_capture_on_commit_callbacks
):
    event.walk_ins_per_minute = 3
    event.save()
    control = listen(control_group(event.pk))
    data = {"name": "Walk In", "email": "", "company": "Script", "job_title": ""}

    with django_capture_on_commit_callbacks(execute=True):
        answers = [phone().post("/join/CG26VP/", data) for _ in range(5)]

    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert "Many people are joining this minute" in answers[3].text
    assert Attendee.objects.count() == 3
    # The organizer hears of it once a minute, at once: one log line and a counters push.
    refused = LogEntry.objects.filter(event=event, action="walk_ins_refused")
    assert [line.params for line in refused] == [{"n": 3}]
    assert {"type": "counters"} in control.messages()
    with translation.override("zh-hans"):
        assert "3" in logs.text(refused.get())
    other = EventFactory(check_in=True, join_code="HJ34KM")
    assert phone().post("/join/HJ34KM/", data).status_code == 302  # per event
    assert other.attendees.count() == 1


def test_login_is_locked_after_ten_wrong_passwords_even_for_the_right_one():
    UserFactory(username="maria", password="the-right-one-7731")
    guesser = Client(REMOTE_ADDR=NAT)

    for n in range(10):
        guesser.post(reverse("login"), {"username": "maria", "password": f"wrong{n}"})
    right = guesser.post(reverse("login"), {"username": "maria", "password": "the-right-one-7731"})

    assert right.status_code == 429
    assert "Too many sign-in attempts" in right.text
    assert "_auth_user_id" not in guesser.session
    # The user name is locked from anywhere (per user name), not only from the guesser's address.
    elsewhere = Client(REMOTE_ADDR="198.51.100.1").post(
        reverse("login"), {"username": "maria", "password": "the-right-one-7731"}
    )
    assert elsewhere.status_code == 429


def test_login_from_one_address_is_locked_across_user_names():
    UserFactory(username="maria", password="the-right-one-7731")
    guesser = Client(REMOTE_ADDR=NAT)

    for n in range(10):
        guesser.post(reverse("login"), {"username": f"user{n}", "password": "x"})
    right = guesser.post(reverse("login"), {"username": "maria", "password": "the-right-one-7731"})

    assert right.status_code == 429


def test_login_with_the_right_password_before_the_limit_signs_in():
    UserFactory(username="maria", password="the-right-one-7731")
    organizer = Client(REMOTE_ADDR=NAT)

    for n in range(3):
        organizer.post(reverse("login"), {"username": "maria", "password": f"wrong{n}"})
    right = organizer.post(
        reverse("login"), {"username": "maria", "password": "the-right-one-7731"}
    )

    assert right.status_code == 302
    assert "_auth_user_id" in organizer.session


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("203.0.113.7", "1.2.3.4", "0", "203.0.113.7"),  # no proxy: the header is ignored
        ("10.0.0.1", "1.2.3.4, 203.0.113.7", "1", "203.0.113.7"),  # never the leftmost
        ("10.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.2", "2", "203.0.113.7"),
        ("10.0.0.1", "", "1", "10.0.0.1"),  # a request that bypassed the proxy
        ("10.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.2", "10.0.0.0/8", "203.0.113.7"),
        ("203.0.113.9", "1.2.3.4", "10.0.0.0/8", "203.0.113.9"),  # not from our proxy
        ("10.0.0.1", "junk, 10.0.0.3", "10.0.0.0/8", "10.0.0.1"),
        # Some proxies append the port: the client's address, not the proxy's for everyone
        ("10.0.0.1", "1.2.3.4, 203.0.113.7:51234", "1", "203.0.113.7"),
        ("10.0.0.1", "[2001:db8::7]:443", "1", "2001:db8::7"),
        ("10.0.0.1", "2001:db8::7", "1", "2001:db8::7"),
        ("10.0.0.1", "203.0.113.7:51234, 10.0.0.2:80", "10.0.0.0/8", "203.0.113.7"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(remote, forwarded, trusted, client):
    assert client_address_from(remote, forwarded, read_trusted_proxies(trusted)) == client


def test_read_trusted_proxies_reads_a_count_or_networks():
    assert read_trusted_proxies("") == 0
    assert read_trusted_proxies("2") == 2
    assert read_trusted_proxies("10.0.0.0/8, 192.168.1.5") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.5/32"),
    )


def test_client_ip_for_axes_is_none_without_a_connection_address():
    from django.test import RequestFactory

    from config.clientip import client_ip_or_none

    request = RequestFactory().get("/")
    assert client_ip_or_none(request) == "127.0.0.1"
    del request.META["REMOTE_ADDR"]
    assert client_ip_or_none(request) is None
