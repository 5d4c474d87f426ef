"""Which language a page speaks.

``LocaleMiddleware`` picks a language for every request: the URL's language prefix (only with
``i18n_patterns``, which this project does not use), then the cookie set by the language switch
(Django's ``set_language`` view), then the browser's Accept-Language, and last ``LANGUAGE_CODE``.
The organizer's pages keep that order. An attendee's pages end with the event's language instead
of ``LANGUAGE_CODE``: their views call ``activate_event_language`` before rendering. The
middleware then writes the active language into the response's ``Content-Language`` header.
"""

from __future__ import annotations

import re
from typing import Protocol

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest
from django.utils import translation

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
    for code in accept_language_ranges(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
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
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        try:
            return translation.get_supported_language_variant(cookie)
        except LookupError:
            return None
    return None


def activate_event_language(request: HttpRequest, event: HasLanguage) -> str:
    """Speak an attendee's page in the language they switched to or their phone asks for, else
    in the event's language. Returns the language now active."""
    translation.activate(requested_language(request) or event.language)
    request.LANGUAGE_CODE = translation.get_language()
    return request.LANGUAGE_CODE
