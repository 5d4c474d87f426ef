"""Which language a page speaks, and which one an attendee's mail remembers.

``LocaleMiddleware`` picks a language for every request: the URL's language prefix (only with
``i18n_patterns``, which this project does not use), then the cookie set by the language switch
(Django's ``set_language`` view), then the browser's Accept-Language, and last ``LANGUAGE_CODE``.
The organizer's pages keep that order. An attendee's pages put first the language the attendee
chose with the switch on their own page (``Attendee.is_language_chosen``), on any browser, and
end with the event's language instead of ``LANGUAGE_CODE``: their views call
``events.language.activate_attendee_language`` before rendering. The middleware then writes the
active language into the response's ``Content-Language`` header.

What an attendee's mail speaks (``Attendee.language``) is the attendee's. It is set when the
switch is used on that attendee's own page (``events.views.attendee_language``, which sets the
same cookie as ``set_language`` and marks the language chosen); merely opening their page never
replaces it, whatever this browser chose elsewhere (an organizer's laptop opening an attendee's
link). A blank one is filled from the first browser that opens the page and names a language we
ship (cookie or Accept-Language), which is how joining remembers the language the phone joined
in: a guess for the mail, not a choice, so the next browser's own language still wins on the page.

A phone's socket speaks its page's language: the room page writes it into the socket URL
(``?lang=``), and the socket sends its refusals in it (``socket_language``), whatever language
the other phones whose taps share a batch speak.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qs

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

# Longer headers are read up to their last whole entry within this length (as Django does).
ACCEPT_LANGUAGE_MAX_CHARS = 500
LANGUAGE_RANGE = re.compile(r"(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\Z")
QUALITY = re.compile(r"q=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z", re.IGNORECASE)


class HasLanguage(Protocol):
    """What ``activate_event_language`` needs of an event: its ``language`` code."""

    language: str


def accept_language_ranges(header: str) -> list[str]:
    """The language ranges of an Accept-Language header (RFC 9110 §12.5.4), most wanted first:
    by quality, then in the header's order; ranges with ``q=0`` (not wanted) are left out, and
    so is any malformed entry (the others still count). A header over
    ``ACCEPT_LANGUAGE_MAX_CHARS`` is read up to its last comma within that length.

    ``"zh-CN,zh;q=0.9,en;q=0.8"`` → ``["zh-CN", "zh", "en"]``."""
    if len(header) > ACCEPT_LANGUAGE_MAX_CHARS:
        header = header[: max(header.rfind(",", 0, ACCEPT_LANGUAGE_MAX_CHARS), 0)]
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header.split(",")):
        tag, *params = (part.strip() for part in entry.split(";"))
        if not LANGUAGE_RANGE.match(tag):
            continue
        quality = 1.0
        if params:
            found = QUALITY.match(params[0]) if len(params) == 1 else None
            if found is None:
                continue
            quality = float(found.group(1))
        if quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _quality, _position, tag in sorted(ranked)]


def requested_language(request: HttpRequest) -> str | None:
    """The shipped language this request asks for, in LocaleMiddleware's order (URL prefix,
    cookie, Accept-Language), or None when it names none of ours."""
    chosen = chosen_language(request)
    if chosen is not None:
        return chosen
    return accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))


def accepted_language(header: str) -> str | None:
    """The shipped language an Accept-Language header asks for first (``"zh-CN,en;q=0.8"`` →
    ``"zh-hans"``), or None when it names none of ours before a ``*``."""
    for code in accept_language_ranges(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def chosen_language(request: HttpRequest) -> str | None:
    """The shipped language chosen in this browser: a language prefix in the URL or the
    language switch's cookie (not the browser's Accept-Language, which is a guess), or None."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    if is_language_prefix_patterns_used(urlconf)[0]:
        from_path = translation.get_language_from_path(request.path_info)
        if from_path is not None:
            return from_path
    return cookie_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def cookie_language(cookie: str | None) -> str | None:
    """The shipped language the language switch's cookie names, or None."""
    if cookie:
        try:
            return translation.get_supported_language_variant(cookie)
        except LookupError:
            return None
    return None


SOCKET_LANGUAGE_PARAMETER = "lang"
"""The query parameter of a phone's socket URL that names its page's language
(``rounds.routing.attendee_socket_path``)."""


def socket_language(scope: Mapping[str, Any], *, default: str) -> str:
    """The language a websocket speaks (the refusals sent on it), from its ASGI ``scope``: the
    ``?lang=`` of its URL when it is exactly one of ``settings.LANGUAGES``' codes (the language
    of the page that opened it), else the one its handshake asks for as a page's request would
    (the language switch's cookie, then Accept-Language), else ``default`` (an attendee's page
    ends with the event's language). Never raises: anything else in the URL or the headers is
    ignored."""
    query = parse_qs(bytes(scope.get("query_string") or b"").decode("latin-1"))
    for code in query.get(SOCKET_LANGUAGE_PARAMETER, [])[:1]:
        if is_shipped_language(code.strip().lower()):
            return code.strip().lower()
    headers = {
        bytes(name).lower(): bytes(value).decode("latin-1")
        for name, value in scope.get("headers") or ()
    }
    cookies = parse_cookie(headers.get(b"cookie", ""))
    return (
        cookie_language(cookies.get(settings.LANGUAGE_COOKIE_NAME))
        or accepted_language(headers.get(b"accept-language", ""))
        or default
    )


def is_shipped_language(code: str) -> bool:
    """Whether ``code`` is exactly one of ``settings.LANGUAGES``' codes (``"en"``,
    ``"zh-hans"``): what a language switch may choose."""
    return code in dict(settings.LANGUAGES)


def set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    """Set the language switch's cookie on ``response`` as Django's ``set_language`` does (the
    ``LANGUAGE_COOKIE_*`` settings). ``language`` must pass ``is_shipped_language``
    (``ValueError`` otherwise). Returns ``response``."""
    if not is_shipped_language(language):
        raise ValueError(f"not a shipped language: {language!r}")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def safe_next_url(request: HttpRequest, *, fallback: str) -> str:
    """Where a language switch goes back to, checked as Django's ``set_language`` checks it:
    the POSTed ``next`` when it stays on this host (and on https when the request is), else the
    Referer under the same rule, else ``fallback`` (a path of ours)."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            url=candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


def activate_event_language(request: HttpRequest, event: HasLanguage) -> str:
    """Speak an attendee's page in the language they switched to or their phone asks for, else
    in the event's language. Returns the language now active."""
    translation.activate(requested_language(request) or event.language)
    request.LANGUAGE_CODE = translation.get_language()
    return request.LANGUAGE_CODE
