"""Which language a page speaks.

``LocaleMiddleware`` picks a language for every request: the URL's language prefix (only with
``i18n_patterns``, which this project does not use), then the cookie set by the language switch
(Django's ``set_language`` view), then the browser's Accept-Language, and last ``LANGUAGE_CODE``.
The organizer's pages keep that order. An attendee's pages end with the event's language instead
of ``LANGUAGE_CODE``: their views call ``activate_event_language`` before rendering. The
middleware then writes the active language into the response's ``Content-Language`` header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

if TYPE_CHECKING:
    from events.models import Attendee, Event


def requested_language(request: HttpRequest) -> str | None:
    """The shipped language this request asks for, in LocaleMiddleware's order (URL prefix,
    cookie, Accept-Language), or None when it names none of ours."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    if is_language_prefix_patterns_used(urlconf)[0]:
        from_path = translation.get_language_from_path(request.path_info)
        if from_path is not None:
            return from_path
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    candidates = [cookie] if cookie else []
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        candidates.append(code)
    for code in candidates:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def activate_event_language(request: HttpRequest, event: Event) -> str:
    """Speak an attendee's page in the language they switched to or their phone asks for, else
    in the event's language. Returns the language now active."""
    translation.activate(requested_language(request) or event.language)
    request.LANGUAGE_CODE = translation.get_language()
    return request.LANGUAGE_CODE


def activate_attendee_language(request: HttpRequest, attendee: Attendee) -> str:
    """``activate_event_language`` for an attendee's page, remembering the language their phone
    chose (switch or Accept-Language) so their mail speaks it too. Writes only when it changed."""
    from events import services as event_services  # settings-free module: import when used

    language = activate_event_language(request, attendee.event)
    if requested_language(request) is not None and attendee.language != language:
        event_services.remember_language(attendee, language=language)
    return language
