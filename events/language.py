"""Which language an attendee's page speaks (the rules are ``config.i18n``'s)."""

from __future__ import annotations

from django.http import HttpRequest

from config.i18n import activate_event_language, requested_language
from events import services
from events.models import Attendee


def activate_attendee_language(request: HttpRequest, attendee: Attendee) -> str:
    """``activate_event_language`` for an attendee's page, remembering the language their phone
    chose (switch or Accept-Language) so their mail speaks it too. Writes only when it changed.
    Returns the language now active."""
    language = activate_event_language(request, attendee.event)
    if requested_language(request) is not None and attendee.language != language:
        services.remember_language(attendee, language=language)
    return language
