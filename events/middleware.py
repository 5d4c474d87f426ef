"""Middleware of the events app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from events import ratelimit


class DeviceCookieMiddleware:
    """Sets the device cookie (``events.ratelimit.DEVICE_COOKIE``) on any answer whose view gave
    this browser a new device id: the join throttle and the attendee's confirmed device
    (``events.devices``) rely on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        return ratelimit.remember_device(request, response)
