"""The error pages every visitor gets with DEBUG off (the venue and production): the project's
own plain page in the visitor's language, nothing about the request or the code."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import AttendeeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept_language", "heading"), [("en", "Page not found"), ("zh-CN", "找不到页面")]
)
def test_error_page_not_found_is_the_plain_page_in_the_visitors_language(
    client, accept_language, heading
):
    response = client.get("/no/such/page/", headers={"accept-language": accept_language})

    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert "URLconf" not in response.content.decode()


@pytest.mark.parametrize(
    ("accept_language", "heading"), [("en", "Something went wrong"), ("zh-CN", "出错了")]
)
def test_error_server_error_is_the_plain_page_without_the_request(
    settings, accept_language, heading
):
    """A view that fails with the attendee's data at hand (``tests.venue_failing_urls``): the
    page names neither the error nor the attendee."""
    settings.ROOT_URLCONF = "tests.venue_failing_urls"
    attendee = AttendeeFactory(email="mara@example.com")
    phone = Client(raise_request_exception=False)

    response = phone.get(
        f"/test-failure/{attendee.token}/", headers={"accept-language": accept_language}
    )

    body = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{heading}</h1>" in body
    assert "FailureForTests" not in body
    assert attendee.token not in body
    assert "mara@example.com" not in body
