"""Slowing down guessing and scripted joining, keyed for a venue where every phone shares one
address (the Wi-Fi's NAT), with django-ratelimit's cache counters.

The client address is ``config.clientip.client_address`` (trusted proxies, never the leftmost
``X-Forwarded-For``). A phone is told apart from its neighbours by a signed random device cookie.

- Wrong join codes: each counts against its device (``WRONG_CODES_PER_DEVICE``: past it that
  device's wrong codes get "too many wrong codes", a 429) and against the address's generous budget
  (``WRONG_CODES_PER_ADDRESS``: past it every code from that address is refused for the rest of
  the window, but for a phone whose session joined that event before). A correct code is never
  refused for a device's own typos, so one phone's mistakes do not lock out the room; guessing
  is bounded by the address's budget (a few hundred tries in a space of 31⁶ codes).
- Walk-ins: successful joins per event per minute, the event's ``walk_ins_per_minute``.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

from config.clientip import client_address
from events.models import Event

WRONG_CODES_PER_DEVICE = "10/5m"
WRONG_CODES_PER_ADDRESS = "200/10m"
DEVICE_COOKIE = "speednet_device"
DEVICE_COOKIE_SALT = "speednet.device"
DEVICE_COOKIE_AGE_S = 365 * 24 * 3600


def device_id(request: HttpRequest) -> str:
    """This browser's random id from its signed cookie; a new one (kept on the request, set by
    ``remember_device``) when it has none or a forged one."""
    found = getattr(request, "_speednet_device", None)
    if found is None:
        found = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT)
        if not found:
            found = secrets.token_urlsafe(16)
            request._speednet_new_device = True  # type: ignore[attr-defined]
        request._speednet_device = found  # type: ignore[attr-defined]
    return found


def remember_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Set the device cookie on the response if the request had none."""
    if getattr(request, "_speednet_new_device", False):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device_id(request),
            salt=DEVICE_COOKIE_SALT,
            max_age=DEVICE_COOKIE_AGE_S,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def by_address(group: str, request: HttpRequest) -> str:
    return client_address(request)


def by_device(group: str, request: HttpRequest) -> str:
    return f"{client_address(request)}|{device_id(request)}"


def usage(request: HttpRequest, *, group: str, key: object, rate: str, count: bool) -> bool:
    """With ``count``: count this try and say whether it went past the limit. Without: whether
    the limit's tries are all used up, so that the next one would go past it."""
    found = get_usage(request, group=group, key=key, rate=rate, increment=count)
    if found is None:  # RATELIMIT_ENABLE off
        return False
    if count:
        return bool(found["should_limit"])
    return bool(found["should_limit"] or found["count"] >= found["limit"])


def is_address_locked_out(request: HttpRequest) -> bool:
    """The address spent its whole budget of wrong codes in this window: refuse every code."""
    return usage(
        request,
        group="join-wrong-address",
        key=by_address,
        rate=WRONG_CODES_PER_ADDRESS,
        count=False,
    )


def record_wrong_code(request: HttpRequest) -> bool:
    """Count a wrong code against the device and the address; True when the device (or the
    address) is now past its limit."""
    address_over = usage(
        request,
        group="join-wrong-address",
        key=by_address,
        rate=WRONG_CODES_PER_ADDRESS,
        count=True,
    )
    device_over = usage(
        request, group="join-wrong-device", key=by_device, rate=WRONG_CODES_PER_DEVICE, count=True
    )
    return address_over or device_over


def walk_in_rate(event: Event) -> str:
    return f"{event.walk_ins_per_minute}/m"


def event_key(event_id: int) -> object:
    return lambda group, request: str(event_id)


def is_walk_in_limited(request: HttpRequest, *, event: Event) -> bool:
    """The event took its ``walk_ins_per_minute`` walk-ins this minute already."""
    return usage(
        request, group="walk-in", key=event_key(event.pk), rate=walk_in_rate(event), count=False
    )


def record_walk_in(request: HttpRequest, *, event: Event) -> None:
    usage(request, group="walk-in", key=event_key(event.pk), rate=walk_in_rate(event), count=True)


def is_first_refusal_this_minute(event: Event) -> bool:
    """True once a minute per event: the first walk-in refused for the limit, which the control
    page is told about (the rest of that minute's refusals are not logged one by one)."""
    return cache.add(f"walk-in-refused:{event.pk}", 1, timeout=60)


def is_limited(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Whether this client address used up ``limit`` tries of ``scope`` in the window."""
    return usage(
        request, group=scope, key=by_address, rate=f"{limit}/{window_seconds}s", count=False
    )


def record_failure(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> None:
    """Count one try of ``scope`` for this client address."""
    usage(request, group=scope, key=by_address, rate=f"{limit}/{window_seconds}s", count=True)
