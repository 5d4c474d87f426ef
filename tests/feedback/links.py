"""Opening an attendee's personal link in a test client, as the attendee's phone does first."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse


def open_link(client: Client, token: str) -> None:
    """Open the personal link with this client, so that (if no browser opened it before) the
    client's device cookie becomes the attendee's confirmed device (``events.devices``)."""
    response = client.get(reverse("room", args=[token]))
    assert response.status_code == 200
