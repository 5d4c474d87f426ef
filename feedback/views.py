"""The attendee's phone pages. The personal token in the URL is the attendee's only credential:
every read starts from it, so one attendee can never see another's cards."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.http import HtmxHttpRequest
from config.i18n import activate_event_language
from events import queries as event_queries
from events.models import Attendee
from feedback import exports, queries, reports, services
from feedback.forms import CardForm
from feedback.vcard import vcard
from pitches.models import Pitch
from rounds.routing import attendee_socket_path


def attendee_for(request: HttpRequest, token: str) -> Attendee:
    """The attendee this token belongs to; their page speaks their event's language unless they
    chose another or their phone asks for one we ship."""
    attendee = get_object_or_404(Attendee.objects.select_related("event", "pitch"), token=token)
    activate_event_language(request, attendee.event)
    return attendee


@require_GET
def room(request: HtmxHttpRequest, token: str) -> HttpResponse:
    attendee = attendee_for(request, token)
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "socket_path": attendee_socket_path(token),
        "itinerary": queries.room_itinerary(attendee.pk),
        "received": list(queries.cards_received_by(attendee.pk)),
    }
    return render(request, "feedback/room.html", context)


def refused(error: ValidationError | str, status: int = 400) -> JsonResponse:
    messages = error.messages if isinstance(error, ValidationError) else [error]
    return JsonResponse({"error": " ".join(messages)}, status=status)


@require_POST
def card(request: HttpRequest, token: str) -> JsonResponse:
    """Give or take back a card. Idempotent by the tap's client id: the phone may send the same
    tap again after a lost answer or from its offline queue."""
    giver = attendee_for(request, token)
    form = CardForm(request.POST)
    if not form.is_valid():
        errors = [f"{field}: {' '.join(messages)}" for field, messages in form.errors.items()]
        return refused("; ".join(errors))
    data = form.cleaned_data
    if data["action"] == "take_back":
        services.take_back_card(giver, client_id=data["client_id"])
        return JsonResponse({"client_id": str(data["client_id"]), "is_given": False})
    receiver = giver.event.attendees.filter(pk=data["receiver"]).order_by().first()
    round_ = giver.event.rounds.filter(number=data["round"]).order_by().first()
    if receiver is None or round_ is None:
        return refused(_("Cards go to people at your table."))
    try:
        given = services.give_card(
            giver,
            receiver=receiver,
            round_=round_,
            kind=data["kind"],
            client_id=data["client_id"],
            note=data["note"],
        )
    except ValidationError as error:
        return refused(error)
    return JsonResponse({"client_id": str(given.client_id), "card": given.pk, "is_given": True})


@require_GET
def leads(request: HtmxHttpRequest, token: str) -> HttpResponse:
    attendee = attendee_for(request, token)
    context = {"attendee": attendee, "event": attendee.event, "leads": queries.leads_of(attendee)}
    return render(request, "feedback/leads.html", context)


@require_GET
def leads_csv(request: HttpRequest, token: str) -> HttpResponse:
    """The leads page as a spreadsheet: one row per lead, contact details as on the page."""
    attendee = attendee_for(request, token)
    return exports.csv_response(exports.leads_rows(attendee))


@require_GET
def leads_vcf(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone on the leads page in one address-book file, contact details as on the page."""
    attendee = attendee_for(request, token)
    response = HttpResponse(
        exports.leads_vcards(attendee), content_type="text/vcard; charset=utf-8"
    )
    filename = slugify(attendee.event.slug) or "event"
    response["Content-Disposition"] = f'attachment; filename="{filename}-contacts.vcf"'
    return response


@require_GET
def contact_vcard(request: HttpRequest, token: str, person_id: int) -> HttpResponse:
    attendee = attendee_for(request, token)
    person = queries.contact_for(attendee, person_id)
    if person is None:
        raise Http404(_("No contact card to share."))
    pitch = Pitch.objects.filter(attendee=person).first()
    note = _("Met at %(event)s.") % {"event": attendee.event.title}
    if pitch and pitch.ask:
        note += " " + pitch.ask
    response = HttpResponse(vcard(person, note=note), content_type="text/vcard; charset=utf-8")
    filename = slugify(person.name) or "contact"
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response


# The organizer's after-event pages: scoped like every organizer page.


@login_required
@require_GET
def event_export(request: HttpRequest, event_id: int, kind: str) -> HttpResponse:
    """An event's attendees, cards or introductions as CSV (consent rules: feedback/exports.py)."""
    event = event_queries.organizer_event(request.user, event_id)
    if kind not in exports.KINDS:
        raise Http404(_("No such export."))
    return exports.csv_response(exports.event_sheet(kind, [(event.pk, event.slug)]))


@login_required
@require_GET
def event_report(request: HttpRequest, event_id: int) -> HttpResponse:
    event = event_queries.organizer_event(request.user, event_id)
    report = reports.event_report(event)
    context = {"event": event, "report": report, "charts": reports.report_charts(report)}
    return render(request, "feedback/report.html", context)
