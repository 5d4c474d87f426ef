"""Which language an attendee's page speaks (the rules are ``config.i18n``'s)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

from config.i18n import activate_event_language, chosen_language, requested_language
from events import devices, services
from events.models import Attendee


def activate_attendee_language(request: HttpRequest, attendee: Attendee) -> str:
    """Activate the language of an attendee's page, in this order: the one the attendee chose
    with the switch on their own page (``Attendee.is_language_chosen``), on her confirmed device
    (or any browser while none is bound) and on any browser that chose none itself, whatever its
    Accept-Language; else the one chosen in this browser (the language cookie: another browser
    holding the link that tapped the switch speaks what it chose, without changing hers); else
    the one it asks for (Accept-Language); else the event's. The order a phone's socket follows
    too, since the room page writes its language into the socket's URL
    (``config.i18n.socket_language``).

    Viewing never changes the language remembered for the attendee's mail once there is one:
    an organizer's laptop with the Chinese cookie opening an English attendee's link leaves the
    attendee English. Only a blank one is filled here, from the browser (its cookie or its
    Accept-Language, as when a phone joins), and that is a guess, not a choice: the next
    browser's own language still wins on the page. A choice made with the switch is stored by
    ``events.views.attendee_language`` (from her confirmed device only). Writes only when it
    changed. Returns the language now active."""
    if (
        attendee.is_language_chosen
        and attendee.language
        and (chosen_language(request) is None or devices.chooses_for(request, attendee))
    ):
        translation.activate(attendee.language)
        request.LANGUAGE_CODE = translation.get_language()
        return request.LANGUAGE_CODE
    language = activate_event_language(request, attendee.event)
    if not attendee.language and requested_language(request) is not None:
        services.remember_language(attendee, language=language)
    return language
