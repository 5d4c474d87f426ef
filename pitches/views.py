from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from config.http import HtmxHttpRequest
from config.i18n import activate_attendee_language
from events import devices
from events.models import Attendee
from pitches import services
from pitches.forms import PitchForm
from pitches.models import WORDS_PER_MINUTE, Pitch


@require_http_methods(["GET", "POST"])
def pitch_edit(request: HtmxHttpRequest, token: str) -> HttpResponse:
    attendee = get_object_or_404(Attendee.objects.select_related("event"), token=token)
    activate_attendee_language(request, attendee)
    devices.claim_device(request, attendee)
    current = Pitch.objects.filter(attendee=attendee).first()
    initial = (
        {"need": current.need, "offer": current.offer, "ask": current.ask}
        if current
        else {"need": attendee.registration_need}
    )
    form = PitchForm(request.POST or None, initial=initial)
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
