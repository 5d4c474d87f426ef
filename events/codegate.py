"""The gate every join code passes: the join page and "email me my link" take a code from
anyone, so both read it here, against the same wrong-code budgets (events/ratelimit.py). So does
a badge's key (``/b/<key>/``): an unknown key counts as a wrong code, so keys cannot be tried
unthrottled either."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from events import devices, ratelimit
from events.codes import normalize_join_code
from events.forms import JoinCodeForm
from events.models import Attendee, Event

# The session key of the attendee links this browser holds: {event id: token}.
SESSION_TOKENS = "attendee_tokens"


def too_many_wrong_codes(request: HttpRequest, *, is_address: bool = False) -> HttpResponse:
    if is_address:
        error = _(
            "Too many wrong codes from this network. Wait a few minutes and try again, or ask "
            "the organizer at the door for your personal link."
        )
    else:
        error = _("Too many wrong codes from this device. Wait a few minutes and try again.")
    return render(
        request, "events/join_code.html", {"form": JoinCodeForm(), "error": error}, status=429
    )


def joined_event(request: HttpRequest, code: str) -> Event | None:
    """The event of ``code`` if this browser joined it before (its session holds a link of it),
    else None: answers nothing about codes this browser was never given."""
    joined = [key for key in request.session.get(SESSION_TOKENS, {}) if key.isdigit()]
    if not joined:
        return None
    return Event.objects.filter(pk__in=joined, join_code=normalize_join_code(code)).first()


def event_for_code(request: HttpRequest, code: str) -> Event | HttpResponse:
    """The event of a join code, or the page refusing it: every door that takes a code (the
    join page, "email me my link") counts wrong codes against the same budgets
    (events/ratelimit.py), so none of them is a way to try codes unthrottled."""
    if ratelimit.is_address_locked_out(request):
        # A phone that joined before still reaches its room (the lockout is the whole venue's).
        return joined_event(request, code) or too_many_wrong_codes(request, is_address=True)
    event = Event.objects.filter(join_code=normalize_join_code(code)).first()
    if event is None:
        if ratelimit.record_wrong_code(request):
            return too_many_wrong_codes(request)
        form = JoinCodeForm(initial={"code": code})
        error = _("No event has the code %(code)s. Check it and try again.") % {"code": code}
        return render(request, "events/join_code.html", {"form": form, "error": error}, status=404)
    return event


def holds_link(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether this browser is the attendee's own: its session holds their personal link (it
    joined as them) or it is their confirmed device (events/devices.py)."""
    held = request.session.get(SESSION_TOKENS, {}).get(str(attendee.event_id), "")
    if isinstance(held, str) and held and constant_time_compare(held, attendee.token):
        return True
    return devices.is_confirmed_device(request, attendee)


def attendee_for_badge(request: HttpRequest, key: str) -> Attendee | HttpResponse:
    """The attendee whose badge carries ``key``, or the page refusing it: an unknown key is a
    404 counted against the wrong-code budgets of the join page, and past them a 429. While the
    address is locked out only the badge's owner (``holds_link``) gets through."""
    attendee = Attendee.objects.select_related("event").filter(badge_key=key).first()
    if ratelimit.is_address_locked_out(request):
        if attendee is not None and holds_link(request, attendee):
            return attendee
        return too_many_wrong_codes(request, is_address=True)
    if attendee is None:
        if ratelimit.record_wrong_code(request):
            return too_many_wrong_codes(request)
        return render(request, "events/badge_unknown.html", status=404)
    return attendee
