"""What the server's own log lines say: no attendee token, projector key or mailed link secret.

Django's request loggers name the path of every 404, 405 and refused CSRF check ("Not Found:
/a/<token>/"), so the secret in it is masked by the handler that writes them, like daphne's
access log (config/serving.py)."""

from __future__ import annotations

import io
import logging

import pytest

from config.serving import mask_path
from tests.factories import AttendeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_log():
    """The text the configured console handler writes while the test runs."""
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert len(handlers) == 1
    stream = io.StringIO()
    previous = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(previous)


def test_request_warnings_do_not_write_the_attendee_token(client, server_log):
    attendee = AttendeeFactory()
    client.head(f"/a/{attendee.token}/")  # 405, logged by django.request
    client.get(f"/a/{attendee.token}x/")  # 404

    written = server_log.getvalue()
    assert "Method Not Allowed (HEAD): /a/***/" in written
    assert "Not Found: /a/***/" in written
    assert attendee.token not in written


def test_request_warnings_do_not_write_badge_keys(client, server_log):
    attendee = AttendeeFactory()
    client.head(f"/b/{attendee.badge_key}/")  # 405, logged by django.request
    client.get(f"/b/{attendee.badge_key}x/")  # an unknown badge: 404

    written = server_log.getvalue()
    assert "Method Not Allowed (HEAD): /b/***/" in written
    assert "Not Found: /b/***/" in written
    assert attendee.badge_key not in written


def test_a_refused_csrf_check_does_not_write_the_token(server_log):
    from django.test import Client

    attendee = AttendeeFactory()
    Client(enforce_csrf_checks=True).post(f"/a/{attendee.token}/erase/")

    written = server_log.getvalue()
    assert "Forbidden (CSRF cookie not set.): /a/***/erase/" in written
    assert attendee.token not in written


def test_each_request_warning_is_written_once(client, server_log):
    client.get("/no-such-page/")

    assert server_log.getvalue().count("Not Found: /no-such-page/") == 1


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        ("/co-organizers/accept/tok_EN-123/", "/co-organizers/accept/***/"),
        (
            "/co-organizers/accept/tok_EN-123/?proof=eyJpIjo:1vQx:Ab-c_d",
            "/co-organizers/accept/***/?proof=***",
        ),
        ("/events/?x=1&proof=abc&y=2", "/events/?x=1&proof=***&y=2"),
        ("/accounts/reset/MQ/cz7y2c-0123abcd/", "/accounts/reset/***/"),
        ("/events/4/control/", "/events/4/control/"),
        ("/join/ABC123/", "/join/ABC123/"),
    ],
)
def test_mask_path_hides_invitation_and_password_reset_secrets(path, masked):
    assert mask_path(path) == masked
