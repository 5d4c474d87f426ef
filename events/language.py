"""Which language an attendee's page speaks (the rules are ``config.i18n``'s)."""

from __future__ import annotations

from django.http import HttpRequest

from config.i18n import activate_event_language, requested_language
from events import services
from events.models import Attendee


def activate_attendee_language(request: HttpRequest, attendee: Attendee) -> str:
    """``activate_event_language`` for an attendee's page: the page speaks the language chosen
    in this browser, else the one it asks for, else the event's. Viewing never changes the
    language remembered for the attendee's mail once there is one: an organizer's laptop with
    the Chinese cookie opening an English attendee's link shows the page in Chinese and leaves
    the attendee English. Only a blank one is filled here, from the browser (its cookie or its
    Accept-Language, as when a phone joins); a choice made with the switch on the attendee's
    own page is remembered by ``events.views.attendee_language``. Writes only when it changed.
    Returns the language now active."""
    language = activate_event_language(request, attendee.event)
    if not attendee.language and requested_language(request) is not None:
        services.remember_language(attendee, language=language)
    return language
