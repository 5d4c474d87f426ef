"""Every page kind carries the CSP, the Permissions-Policy and Cache-Control: no-store; bodies
over the limit are refused before the application reads them; paths in the access log are masked."""

from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator
from django.http import HttpResponse
from django.test import RequestFactory

from config.headers import SecurityHeadersMiddleware, permissions_policy
from config.serving import MAX_BODY_BYTES, MAX_IMPORT_BODY_BYTES, body_limit, mask_path
from feedback import exports
from tests.factories import AttendeeFactory, EventFactory

PAGES = [
    "/",
    "/join/",
    "/join/{code}/",
    "/a/{token}/",
    "/a/{token}/leads/",
    "/a/{token}/leads/leads.csv",
    "/a/{token}/leads/contacts.vcf",
    "/a/{token}/details/",
    "/a/{token}/pitch/",
    "/b/{badge}/",
    "/p/{key}/",
    "/events/",
    "/events/{event}/",
    "/events/{event}/control/",
    "/events/{event}/attendees/",
    "/events/{event}/report/",
    "/events/{event}/exports/{export}.csv",
    "/admin/events/event/",
    "/accounts/login/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_every_page_kind_has_csp_permissions_policy_and_no_store(client, page):
    event = EventFactory(check_in=True)
    attendee = AttendeeFactory(event=event, checked_in=True)
    event.organizer.is_staff = event.organizer.is_superuser = True
    event.organizer.save()
    client.force_login(event.organizer)
    path = page.format(
        code=event.join_code,
        token=attendee.token,
        badge=attendee.badge_key,
        key=event.projector_key,
        event=event.pk,
        export=sorted(exports.KINDS)[0],
    )

    response = client.get(path)

    assert response.status_code == 200, path
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "no-store" in response.headers["Cache-Control"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "screen-wake-lock=(self)" in response.headers["Permissions-Policy"]


def test_permissions_policy_decorator_allows_the_camera_on_one_view_only():
    @permissions_policy(camera="self")
    def scanner(request):
        return HttpResponse("scan")

    def other(request):
        return HttpResponse("other")

    request = RequestFactory().get("/")
    allowed = SecurityHeadersMiddleware(scanner)(request)
    default = SecurityHeadersMiddleware(other)(request)

    assert "camera=(self)" in allowed.headers["Permissions-Policy"]
    assert "microphone=()" in allowed.headers["Permissions-Policy"]
    assert "camera=()" in default.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        ("/a/AbC_d-1234/", "/a/***/"),
        ("/a/AbC_d-1234/leads/leads.csv", "/a/***/leads/leads.csv"),
        ("/ws/a/AbC_d-1234/", "/ws/a/***/"),
        ("/p/key123/find/", "/p/***/find/"),
        ("/b/AbC_d-1234/", "/b/***/"),
        ("/events/4/control/", "/events/4/control/"),
    ],
)
def test_mask_path_hides_tokens_and_keys(path, masked):
    assert mask_path(path) == masked


def test_body_limit_is_larger_for_the_import_upload_only():
    assert body_limit("/events/12/attendees/import/") == MAX_IMPORT_BODY_BYTES
    assert body_limit("/join/ABC123/") == MAX_BODY_BYTES
    assert body_limit("/a/x/events/1/attendees/import/") == MAX_BODY_BYTES


@pytest.mark.asyncio
async def test_asgi_refuses_a_declared_oversized_body_before_reading_it(asgi_app):
    communicator = HttpCommunicator(
        asgi_app,
        "POST",
        "/join/",
        body=b"x" * 10,
        headers=[(b"host", b"localhost"), (b"content-length", str(200 * 1024 * 1024).encode())],
    )

    response = await communicator.get_response()

    assert response["status"] == 413
