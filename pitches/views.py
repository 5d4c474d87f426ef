from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from config.http import HtmxHttpRequest
from config.site import public_address, public_url
from events import devices
from events import services as event_services
from events.language import activate_attendee_language
from events.models import Attendee
from events.qr import qr_svg
from events.queries import attendees_of, organizer_event
from pitches import services
from pitches.forms import PitchForm
from pitches.models import WORDS_PER_MINUTE, Pitch


@require_http_methods(["GET", "POST"])
def pitch_edit(request: HtmxHttpRequest, token: str) -> HttpResponse:
    attendee = get_object_or_404(Attendee.objects.select_related("event"), token=token)
    activate_attendee_language(request, attendee)
    devices.claim_device(request, attendee)
    if event_services.needs_conduct(attendee):  # the invitation's pitch link is a first arrival
        return redirect("conduct_accept", token=token)
    current = Pitch.objects.filter(attendee=attendee).first()
    initial = (
        {"need": current.need, "offer": current.offer, "ask": current.ask, "wishes": current.wishes}
        if current
        else {"need": attendee.registration_need}
    )
    form = PitchForm(request.POST or None, initial=initial)
    if attendee.device_hash and not devices.is_confirmed_device(request, attendee):
        # the wish list is its author's alone: once their browser is bound, another with the
        # link (the organizer's, a forwarded mail) neither reads nor overwrites it
        # (``save_pitch`` keeps it on None)
        del form.fields["wishes"]
    if request.method == "POST" and form.is_valid():
        try:
            services.save_pitch(attendee, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            return redirect("room", token=token)
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "form": form,
        "words_per_minute": WORDS_PER_MINUTE,
    }
    return render(request, "pitches/edit.html", context)


@login_required
@require_GET
def print_badges(request: HttpRequest, event_id: int) -> HttpResponse:
    """Badges with each attendee's badge QR code and the ask of their pitch (in this app because
    it shows the pitch). A badge is worn in view, so its code is the badge key, not the personal
    link: it opens the room only in the attendee's own browser, anywhere else it offers to mail
    the link to them (feedback ``badge``), and it checks them in at the door."""
    event = organizer_event(request.user, event_id)
    badges = [
        (attendee, qr_svg(public_url(reverse("badge", args=[attendee.badge_key]))))
        for attendee in attendees_of(event).select_related("pitch")
    ]
    context = {"event": event, "badges": badges, "public_address": public_address()}
    return render(request, "events/print_badges.html", context)
