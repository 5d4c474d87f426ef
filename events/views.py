from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.http import HtmxHttpRequest
from events import ratelimit, services
from events.codes import normalize_join_code
from events.forms import JoinCodeForm, JoinForm
from events.models import Attendee, Event

WRONG_CODES_ALLOWED = 10
WRONG_CODE_WINDOW_S = 600
SESSION_TOKENS = "attendee_tokens"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "events/home.html", {"form": JoinCodeForm()})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer or a monitor: the process answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def too_many_wrong_codes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/join_code.html",
        {
            "form": JoinCodeForm(),
            "error": _("Too many wrong codes from this device. Wait a few minutes and try again."),
        },
        status=429,
    )


@require_http_methods(["GET", "POST"])
def join_start(request: HtmxHttpRequest) -> HttpResponse:
    """Type the event code (the QR code on the door leads straight to the next page)."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("join", code=form.cleaned_data["code"])
    return render(request, "events/join_code.html", {"form": form})


def remembered_attendee(request: HttpRequest, event: Event) -> Attendee | None:
    token = request.session.get(SESSION_TOKENS, {}).get(str(event.pk))
    return event.attendees.filter(token=token).first() if token else None


@require_http_methods(["GET", "POST"])
def join(request: HtmxHttpRequest, code: str) -> HttpResponse:
    if ratelimit.is_limited(request, scope="join", limit=WRONG_CODES_ALLOWED):
        return too_many_wrong_codes(request)
    event = Event.objects.filter(join_code=normalize_join_code(code)).first()
    if event is None:
        ratelimit.record_failure(request, scope="join", window_seconds=WRONG_CODE_WINDOW_S)
        form = JoinCodeForm(initial={"code": code})
        error = _("No event has the code %(code)s. Check it and try again.") % {"code": code}
        return render(request, "events/join_code.html", {"form": form, "error": error}, status=404)
    attendee = remembered_attendee(request, event)
    if attendee is not None:
        return redirect("room", token=attendee.token)
    if not event.is_open_for_joining:
        context = {"event": event, "refusal": services.joining_refusal(event)}
        return render(request, "events/join.html", context)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendee = services.join_event(event, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            tokens = request.session.get(SESSION_TOKENS, {})
            request.session[SESSION_TOKENS] = {**tokens, str(event.pk): attendee.token}
            return redirect(reverse("room", kwargs={"token": attendee.token}))
    return render(request, "events/join.html", {"event": event, "form": form})
