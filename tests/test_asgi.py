"""Smoke tests of the ASGI application: HTTP answers and websockets connect, as daphne runs it."""

from __future__ import annotations

import json

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings
from django.db import connection

from tests.conftest import ORIGIN, acreate
from tests.factories import AttendeeFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_asgi_http_answers_the_health_check(asgi_app):
    communicator = HttpCommunicator(asgi_app, "GET", "/healthz", headers=[(b"host", b"localhost")])

    response = await communicator.get_response()

    assert response["status"] == 200
    on_redis = "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower()
    assert json.loads(response["body"]) == {
        "status": "ok",
        "database": {"status": "ok", "backend": connection.vendor},
        "channel_layer": {"status": "ok", "backend": "redis" if on_redis else "memory"},
        "cache": {"status": "ok", "backend": "redis" if on_redis else "memory"},
    }


async def test_asgi_websocket_accepts_an_attendee_token(asgi_app):
    attendee = await acreate(AttendeeFactory)
    communicator = WebsocketCommunicator(asgi_app, f"/ws/a/{attendee.token}/", headers=[ORIGIN])

    connected, _ = await communicator.connect()

    assert connected
    await communicator.disconnect()


async def test_asgi_websocket_refuses_a_foreign_origin(asgi_app):
    attendee = await acreate(AttendeeFactory)
    communicator = WebsocketCommunicator(
        asgi_app, f"/ws/a/{attendee.token}/", headers=[(b"origin", b"http://evil.example")]
    )

    connected, _ = await communicator.connect()

    assert not connected
