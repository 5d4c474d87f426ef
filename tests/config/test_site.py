"""The one public address: from settings, from the detected LAN, and when phones cannot use it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import site
from config.network import LocalNetwork

VENUE = LocalNetwork(lan_address="192.168.1.20", addresses=("172.17.0.1", "192.168.1.20"))
OFFLINE = LocalNetwork(lan_address=None, addresses=())


def test_read_public_url_takes_the_setting_before_anything_detected():
    env = {"SPEEDNET_SITE_URL": "https://speednet.example.com/", "SPEEDNET_BIND": "0.0.0.0"}

    assert site.read_public_url(env, debug=True, network=VENUE) == "https://speednet.example.com"
    assert site.read_public_url(env, debug=False, network=OFFLINE) == (
        "https://speednet.example.com"
    )


def test_read_public_url_on_every_interface_is_the_lan_address_and_served_port():
    env = {"SPEEDNET_BIND": "0.0.0.0", "SPEEDNET_PORT": "8010"}

    assert site.read_public_url(env, debug=True, network=VENUE) == "http://192.168.1.20:8010"
    assert site.read_public_url({**env, "SPEEDNET_BIND": "::"}, debug=True, network=VENUE) == (
        "http://192.168.1.20:8010"
    )


def test_read_public_url_defaults_to_loopback_where_daphne_and_runserver_listen():
    assert site.read_public_url({}, debug=True, network=VENUE) == "http://127.0.0.1:8000"


def test_read_public_url_on_one_address_is_that_address():
    env = {"SPEEDNET_BIND": "192.168.1.20", "SPEEDNET_PORT": "9000"}

    assert site.read_public_url(env, debug=True, network=OFFLINE) == "http://192.168.1.20:9000"
    assert site.read_public_url({"SPEEDNET_BIND": "::1"}, debug=True, network=VENUE) == (
        "http://[::1]:8000"
    )


def test_read_public_url_on_every_interface_without_a_network_falls_back_to_loopback():
    env = {"SPEEDNET_BIND": "0.0.0.0"}

    assert site.read_public_url(env, debug=True, network=OFFLINE) == "http://127.0.0.1:8000"


def test_read_public_url_is_required_in_production():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG is off but SPEEDNET_SITE_URL"):
        site.read_public_url({"SPEEDNET_BIND": "0.0.0.0"}, debug=False, network=VENUE)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPEEDNET_BIND": "my-laptop.local"}, "SPEEDNET_BIND='my-laptop.local' is not an IP"),
        ({"SPEEDNET_PORT": "http"}, "SPEEDNET_PORT='http' is not a whole number"),
        ({"SPEEDNET_PORT": "0"}, "SPEEDNET_PORT=0 is below the minimum of 1"),
        ({"SPEEDNET_PORT": "70000"}, "SPEEDNET_PORT=70000 is not a port number"),
    ],
)
def test_read_public_url_refuses_a_bad_bind_or_port(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        site.read_public_url(env, debug=True, network=VENUE)


def test_development_hosts_are_the_public_host_and_every_laptop_address():
    assert site.development_hosts("http://192.168.1.20:8000", VENUE) == [
        "192.168.1.20",
        "172.17.0.1",
    ]
    assert site.development_hosts("http://[::1]:8000", OFFLINE) == ["[::1]"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1"),
        ("http://127.0.1.1:8000", "127.0.1.1"),
        ("http://localhost:8000", "localhost"),
        ("http://speednet.localhost:8000", "speednet.localhost"),
        ("http://0.0.0.0:8000", "0.0.0.0"),
        ("http://[::1]:8000", "::1"),
        ("http://169.254.12.1:8000", "169.254.12.1"),
        ("http://192.168.1.20:8000", None),
        ("http://10.0.0.14:8000", None),
        ("https://speednet.example.com", None),
    ],
)
def test_unreachable_host_flags_loopback_and_unroutable_addresses(url, host):
    assert site.unreachable_host(url) == host


def test_public_url_joins_the_site_url_and_a_path(settings):
    settings.SITE_URL = "http://192.168.1.20:8000"

    assert site.public_url("/join/ABC123/") == "http://192.168.1.20:8000/join/ABC123/"
    assert site.public_url() == "http://192.168.1.20:8000"


def test_public_url_refuses_a_relative_path(settings):
    settings.SITE_URL = "http://192.168.1.20:8000"

    with pytest.raises(ValueError, match="absolute path"):
        site.public_url("join/ABC123/")


def test_public_address_carries_the_warning_host_only_when_unreachable(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    loopback = site.public_address()
    settings.SITE_URL = "http://192.168.1.20:8000"

    assert loopback == site.PublicAddress(url="http://127.0.0.1:8000", unreachable_host="127.0.0.1")
    assert site.public_address() == site.PublicAddress(
        url="http://192.168.1.20:8000", unreachable_host=None
    )


def test_origin_drops_the_path_prefix():
    assert site.origin("https://example.org/speednet") == "https://example.org"
    assert site.origin("http://192.168.1.20:8000") == "http://192.168.1.20:8000"


# Production mail: a real sender, and links that open on other people's phones.

MAIL = {
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "speednet <noreply@events.example.com>",
    "SPEEDNET_SITE_URL": "https://speednet.example.com",
}


def check_mail(env, *, debug=False):
    site_url = site.read_public_url(env, debug=debug, network=OFFLINE)
    site.check_mail_settings(env, debug=debug, site_url=site_url)


def test_check_mail_settings_accepts_a_real_sender_and_site():
    check_mail(MAIL)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DEFAULT_FROM_EMAIL": ""}, "but DEFAULT_FROM_EMAIL is missing"),
        ({"DEFAULT_FROM_EMAIL": "noreply@localhost"}, "DEFAULT_FROM_EMAIL='noreply@localhost'"),
        ({"DEFAULT_FROM_EMAIL": "noreply"}, "DEFAULT_FROM_EMAIL='noreply' is not an address"),
        ({"DEFAULT_FROM_EMAIL": "x <a@mail.localhost>"}, "DEFAULT_FROM_EMAIL="),
        ({"DEFAULT_FROM_EMAIL": "x <a@[127.0.0.1]>"}, "DEFAULT_FROM_EMAIL="),
        ({"SPEEDNET_SITE_URL": ""}, "SPEEDNET_SITE_URL is not set"),
        ({"SPEEDNET_SITE_URL": "http://localhost:8000"}, "SPEEDNET_SITE_URL='http://localhost"),
        ({"SPEEDNET_SITE_URL": "http://127.0.0.2"}, "points at this machine or this network"),
        ({"SPEEDNET_SITE_URL": "http://[::1]:8000"}, "points at this machine or this network"),
        ({"SPEEDNET_SITE_URL": "", "SITE_URL": "http://0.0.0.0:8000"}, "SITE_URL='http://0.0.0.0"),
        # addresses that work only on this machine or this network
        ({"DEFAULT_FROM_EMAIL": "noreply@localhost.localdomain"}, "DEFAULT_FROM_EMAIL="),
        ({"DEFAULT_FROM_EMAIL": "x@myhost"}, "DEFAULT_FROM_EMAIL="),
        ({"DEFAULT_FROM_EMAIL": "x@10.0.0.5"}, "DEFAULT_FROM_EMAIL="),
        ({"SPEEDNET_SITE_URL": "http://127.1:8000"}, "points at this machine or this network"),
        ({"SPEEDNET_SITE_URL": "http://2130706433/"}, "points at this machine or this network"),
        ({"SPEEDNET_SITE_URL": "http://speednet.local:8000"}, "this network"),
        ({"SPEEDNET_SITE_URL": "http://192.168.1.20:8000"}, "this network"),
    ],
)
def test_check_mail_settings_names_the_variable_that_is_wrong(changes, message):
    with pytest.raises(ImproperlyConfigured) as refusal:
        check_mail({**MAIL, **changes})

    assert message in str(refusal.value)


@pytest.mark.parametrize(
    ("changes", "debug"),
    [
        ({"EMAIL_HOST": ""}, False),
        ({"EMAIL_HOST": "", "SPEEDNET_SITE_URL": "http://127.0.0.1:8000"}, False),
        ({"DEFAULT_FROM_EMAIL": "", "SPEEDNET_SITE_URL": ""}, True),
    ],
)
def test_check_mail_settings_asks_nothing_in_development_or_without_mail(changes, debug):
    check_mail({**MAIL, **changes}, debug=debug)


@pytest.mark.parametrize(
    ("host", "unreachable"),
    [
        ("localhost", True),
        ("mail.localhost.", True),
        ("[::1]", True),
        ("169.254.1.1", True),
        ("0.0.0.0", True),
        ("events.example.com", False),
        ("192.168.1.20", False),
        ("", False),
    ],
)
def test_is_unreachable_names_hosts_only_this_machine_reaches(host, unreachable):
    assert site.is_unreachable(host) is unreachable
