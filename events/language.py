"""Which language an attendee's page speaks (the rules are ``config.i18n``'s)."""

from __future__ import annotations

from django.http import HttpRequest

from config.i18n import activate_event_language, chosen_language, requested_language
from events import services
from events.models import Attendee


def activate_attendee_language(request: HttpRequest, attendee: Attendee) -> str:
    """``activate_event_language`` for an attendee's page (the language switched to in this
    browser, else the one it asks for, else the event's), remembering the attendee's language
    for their mail: a language chosen with the switch always; the browser's Accept-Language
    only while none is remembered, since it is a guess about one screen: opening the link from
    the follow-up mail on a laptop set to another language does not change the language of the
    mail that follows. Writes only when it changed. Returns the language now active."""
    language = activate_event_language(request, attendee.event)
    if attendee.language == language:
        return language
    if chosen_language(request) is not None or (
        not attendee.language and requested_language(request) is not None
    ):
        services.remember_language(attendee, language=language)
    return language
