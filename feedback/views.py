"""The attendee's phone pages. The personal token in the URL is the attendee's only credential:
every read starts from it, so one attendee can never see another's cards."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.http import HtmxHttpRequest
from config.i18n import activate_event_language
from config.site import public_address, public_url
from events import devices, logs, ratelimit
from events import queries as event_queries
from events import services as event_services
from events.codegate import attendee_for_badge, event_for_code, holds_link
from events.forms import MyLinkForm
from events.language import activate_attendee_language
from events.models import Attendee, Event
from events.qr import qr_svg
from feedback import (
    exports,
    followups,
    invitations,
    queries,
    reports,
    retention,
    series_report,
    services,
)
from feedback.forms import (
    PHONE_REGION,
    CardForm,
    DeviceCodeForm,
    EraseAttendeeForm,
    EraseEventForm,
    EraseMyDataForm,
    IntroductionMoveForm,
    InvitationsForm,
    MyDetailsForm,
    SharingForm,
    sharing_initial,
    tap_arguments,
)
from feedback.texts import room_texts
from pitches.models import Pitch
from rounds import queries as round_queries
from rounds.panels import gaps_context, panel_context
from rounds.queries import event_state
from rounds.routing import attendee_socket_path
from rounds.services import RescueReport


def attendee_for(request: HttpRequest, token: str) -> Attendee:
    """The attendee this token belongs to; their page speaks their event's language unless they
    chose another or their phone asks for one we ship. The first browser to open the link
    becomes the attendee's confirmed device (``events.devices``)."""
    attendee = get_object_or_404(Attendee.objects.select_related("event", "pitch"), token=token)
    activate_attendee_language(request, attendee)
    devices.claim_device(request, attendee)
    return attendee


# The pages a badge photo must not open: they ask another browser for a mailed code first.
CONFIRMED_PAGES = {
    "details": "my_details",
    "erase": "attendee_erase",
    "memory": "series_memory",
    "series": "room",  # "Is this you from …?" answered yes once the code came back
    "leads": "leads",  # introductions: accept, decline, made, met
    "sharing": "room",  # the room's yes or no to sharing, kept until the code came back
}

# The room's answer to sharing contact details given on another browser: kept in this browser's
# session, for this attendee only, and saved once the code confirms it is them.
PENDING_SHARING = "pending_sharing"


def confirmation_page(
    request: HttpRequest,
    attendee: Attendee,
    *,
    next_page: str,
    status: int = 200,
    form: DeviceCodeForm | None = None,
) -> HttpResponse:
    """The page a browser other than the attendee's confirmed device gets instead of My details
    or Delete my data: ask for a mailed code and enter it, or ask the organizer."""
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "next_page": next_page,
        "masked_email": devices.masked_email(attendee.email) if attendee.email else "",
        "has_code": attendee.confirmation_code_sent_at is not None,
        "form": form or DeviceCodeForm(initial={"next_page": next_page}),
    }
    return render(request, "feedback/confirm_device.html", context, status=status)


@require_http_methods(["GET", "POST"])
def device_confirm(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Confirm this browser with a mailed code: ``action=send`` mails a new code, ``action=check``
    checks ``code``; when right this browser becomes the confirmed device and goes on to
    ``next_page`` (``details``, ``erase``, ``leads`` …). Refusals keep the page, with the reason.
    A GET (``?next_page=leads``: the leads page's "confirm it is you") shows the page."""
    attendee = attendee_for(request, token)
    data = request.POST if request.method == "POST" else request.GET
    next_page = data.get("next_page")
    next_page = next_page if next_page in CONFIRMED_PAGES else "details"
    if request.method == "GET":
        if is_through(request, attendee, next_page=next_page):
            return redirect(CONFIRMED_PAGES[next_page], token=token)
        return confirmation_page(request, attendee, next_page=next_page)
    form = DeviceCodeForm(request.POST)
    if not form.is_valid():
        return confirmation_page(request, attendee, next_page=next_page, status=400, form=form)
    try:
        if form.cleaned_data["action"] == "send":
            devices.send_code(attendee)
            messages.success(
                request,
                _("A code is on its way to %(email)s.")
                % {"email": devices.masked_email(attendee.email)},
            )
        else:
            devices.confirm_device(
                attendee, code=form.cleaned_data["code"], device=devices.device_key(request)
            )
            messages.success(request, _("Confirmed: this browser is now your confirmed device."))
            if next_page == "series":
                event_services.answer_series_question(attendee, is_same=True)
            pending = request.session.pop(PENDING_SHARING, None)
            if next_page == "sharing" and pending and pending.get("attendee") == attendee.pk:
                services.save_my_details(attendee, is_sharing=bool(pending.get("is_sharing")))
            return redirect(CONFIRMED_PAGES[next_page], token=token)
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
        attendee.refresh_from_db()
        return confirmation_page(request, attendee, next_page=next_page, status=400)
    # The code is on its way: back to this page, now with the code field, not to ``next_page``
    # (which, for the leads or the room, would not ask for the code).
    return redirect(f"{reverse('device_confirm', args=[token])}?next_page={next_page}")


def is_through(request: HttpRequest, attendee: Attendee, *, next_page: str) -> bool:
    """Whether this browser already passes the check ``next_page`` makes: the email's owner for
    the series pages, the confirmed device for the others."""
    if next_page in {"series", "memory"}:
        return devices.owns_email(request, attendee)
    return devices.is_confirmed_device(request, attendee)


# The itinerary's stop and tablemate fragments with {placeholders} instead of values: the page
# carries them as <template>s, and static/js/room.js fills them from a ``plan`` push, so a
# re-plan redraws a phone's itinerary from the same markup without loading it.
BLANK_MATE = SimpleNamespace(
    seat=SimpleNamespace(
        pk="{seat}",
        speaking_order="{order}",
        attendee=SimpleNamespace(
            pk="{id}",
            name="{name}",
            company="{company}",
            pitch=SimpleNamespace(ask="{ask}", need="{need}", offer="{offer}"),
        ),
    ),
    is_me=False,
    see_me_client_id="",
    introduce_client_id="",
    why="{why}",
)
BLANK_STOP = SimpleNamespace(
    stop=SimpleNamespace(round_number="{round}", table_number="{table}", tablemates=[]),
    mate=BLANK_MATE,
)


@require_GET
def room(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The live room. It carries the event state it was rendered with, so the phone shows the
    right instruction (static/js/now.js) before its socket opens."""
    attendee = attendee_for(request, token)
    if event_services.needs_conduct(attendee):
        return redirect("conduct_accept", token=token)
    state = event_state(attendee.event_id, event=attendee.event)
    # Never checked in and the event closed (a no-show opening the link afterwards): nobody to
    # report, and no sharing question unless a card links them to someone.
    is_absent_after_close = (
        attendee.event.status == Event.Status.CLOSED and not attendee.is_checked_in
    )
    asks_consent = not attendee.has_decided_consent and (
        not is_absent_after_close or queries.has_cards(attendee)
    )
    context = {
        "attendee": attendee,
        "event": attendee.event,
        # the page's language, for the refusals its socket sends (config.i18n.socket_language)
        "socket_path": attendee_socket_path(token, language=translation.get_language()),
        "live_state": state,
        "pitch_prompt": round_queries.pitch_prompt(state, is_removed=attendee.is_removed),
        "announcement": state["announcement"],
        "texts": room_texts(),
        "itinerary": queries.room_itinerary(attendee.pk, met_before=queries.met_before(attendee)),
        "blank": BLANK_STOP,
        "note_max": services.MAX_NOTE_CHARS,
        "received": list(queries.cards_received_by(attendee.pk)),
        "series_question": event_queries.series_question(attendee),
        "is_absent_after_close": is_absent_after_close,
        "sharing_form": (
            None
            if not asks_consent
            else SharingForm(
                initial={"share": sharing_initial(attendee)},
                auto_id=f"attendee-{attendee.pk}-%s",
            )
        ),
    }
    return render(request, "feedback/room.html", context)


@require_POST
def consent_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The room's question answered: the attendee's own yes or no to sharing contact details,
    recorded as My details records it. Without an answer, My details asks again. From another
    browser than the confirmed device the answer is kept (``PENDING_SHARING``) and the browser
    asked to confirm it is them; the right code saves it (``device_confirm``)."""
    attendee = attendee_for(request, token)
    form = SharingForm(request.POST)
    if not devices.is_confirmed_device(request, attendee):
        if form.is_valid():
            request.session[PENDING_SHARING] = {
                "attendee": attendee.pk,
                "is_sharing": form.is_sharing,
            }
        confirm = reverse("device_confirm", args=[token])
        return redirect(f"{confirm}?next_page=sharing")
    if not form.is_valid():
        messages.error(request, _("Choose yes or no."))
        return redirect("my_details", token=token)
    services.save_my_details(attendee, is_sharing=form.is_sharing)
    return redirect("room", token=token)


@require_GET
def room_itinerary(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The room's itinerary fragment, fetched again when a re-plan changed it."""
    attendee = attendee_for(request, token)
    itinerary = queries.room_itinerary(attendee.pk, met_before=queries.met_before(attendee))
    context = {"attendee": attendee, "itinerary": itinerary}
    return render(request, "feedback/partials/itinerary.html", context)


@require_GET
def room_received(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The room's list of cards received, fetched again when a card arrives or is taken back."""
    attendee = attendee_for(request, token)
    context = {"received": list(queries.cards_received_by(attendee.pk))}
    return render(request, "feedback/partials/received.html", context)


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
    try:
        given = services.tap_card(giver, **tap_arguments(data))
    except ValidationError as error:
        return refused(error)
    if given is None:
        return JsonResponse({"client_id": str(data["client_id"]), "is_given": False})
    # ``other_round``: the card went to them in another round (they sit together again): the
    # button there shows it given, and it is not taken back from this round.
    return JsonResponse(
        {
            "client_id": str(given.client_id),
            "card": given.pk,
            "is_given": True,
            "other_round": given.round.number != data["round"],
        }
    )


def leads_context(
    attendee: Attendee, refusal: dict | None = None, *, can_move: bool, shows_contact: bool
) -> dict:
    """The leads page; ``can_move``: this browser is the attendee's confirmed device, so the
    introductions' buttons show (elsewhere: a way to confirm it, ``device_confirm``);
    ``shows_contact``: ``devices.sees_contacts``."""
    return {
        "attendee": attendee,
        "can_move": can_move,
        "shows_contact": shows_contact,
        "event": attendee.event,
        "leads": queries.leads_of(attendee, shows_contact=shows_contact),
        "introductions": queries.introductions_of(attendee, shows_contact=shows_contact),
        # last time's open promises, once the attendee said they are the same person
        "carried": (
            queries.carried_promises(attendee)
            if attendee.series_answer == Attendee.SeriesAnswer.SAME
            else []
        ),
        "refusal": refusal,
    }


@require_GET
def leads(request: HtmxHttpRequest, token: str) -> HttpResponse:
    attendee = attendee_for(request, token)
    if event_services.needs_conduct(attendee):
        return redirect("conduct_accept", token=token)
    can_move = devices.is_confirmed_device(request, attendee)
    context = leads_context(
        attendee, can_move=can_move, shows_contact=devices.sees_contacts(request, attendee)
    )
    return render(request, "feedback/leads.html", context)


@require_POST
def introduction_move(request: HtmxHttpRequest, token: str, introduction_id: int) -> HttpResponse:
    """One status step on one of the attendee's own introductions. With htmx the answer is the
    introduction's fragment; without JS, back to the leads page. A refusal keeps what was typed.
    From the confirmed device only, as My details (a badge photo's link moves nothing): another
    browser gets 403 with the way to confirm it (htmx: sent there by ``HX-Redirect``)."""
    attendee = attendee_for(request, token)
    item = queries.introduction_for(attendee, introduction_id)
    if item is None:
        raise Http404(_("No such introduction."))
    if not devices.is_confirmed_device(request, attendee):
        response = confirmation_page(request, attendee, next_page="leads", status=403)
        if request.htmx:
            confirm = reverse("device_confirm", args=[token])
            response["HX-Redirect"] = f"{confirm}?next_page=leads"
        return response
    form = IntroductionMoveForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
    else:
        try:
            services.move_introduction(
                item.introduction,
                action=form.cleaned_data["action"],
                by=attendee,
                target=form.cleaned_data["target"],
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    refusal = None
    if error:
        refusal = {"id": introduction_id, "error": error, "target": request.POST.get("target", "")}
    if request.htmx:
        context = {
            "attendee": attendee,
            "item": queries.introduction_for(attendee, introduction_id),
            "refusal": refusal,
            "can_move": True,
        }
        return render(request, "feedback/partials/introduction.html", context)
    if refusal:
        context = leads_context(attendee, refusal, can_move=True, shows_contact=True)
        return render(request, "feedback/leads.html", context, status=400)
    return redirect(reverse("leads", args=[token]) + f"#introduction-{introduction_id}-item")


# Mail providers' one-click unsubscribe (RFC 8058) POSTs here with no CSRF token and no cookies.
# The secret token in the URL is the credential, as for every attendee page, and the only thing a
# forged POST could do is stop this attendee's follow-up mail, so the view is exempt from CSRF.
# Resubscribing (which sends mail again) stays behind CSRF in its own view.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners prefetch links, so a GET changes nothing); POST stops
    the follow-up mail for this attendee."""
    attendee = attendee_for(request, token)
    if request.method == "POST":
        attendee = services.unsubscribe(attendee)
    context = {"attendee": attendee, "event": attendee.event}
    return render(request, "feedback/unsubscribe.html", context)


@require_POST
def resubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    attendee = attendee_for(request, token)
    services.resubscribe(attendee)
    return redirect("unsubscribe", token=token)


@require_GET
def leads_csv(request: HttpRequest, token: str) -> HttpResponse:
    """The leads page as a spreadsheet: one row per lead, contact details as on the page."""
    attendee = attendee_for(request, token)
    shows_contact = devices.sees_contacts(request, attendee)
    return exports.csv_response(exports.leads_rows(attendee, shows_contact=shows_contact))


@require_GET
def leads_vcf(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone on the leads page in one address-book file, contact details as on the page."""
    attendee = attendee_for(request, token)
    shows_contact = devices.sees_contacts(request, attendee)
    response = HttpResponse(
        exports.leads_vcards(attendee, shows_contact=shows_contact),
        content_type="text/vcard; charset=utf-8",
    )
    filename = slugify(attendee.event.slug) or "event"
    response["Content-Disposition"] = f'attachment; filename="{filename}-contacts.vcf"'
    return response


@require_GET
def contact_vcard(request: HttpRequest, token: str, person_id: int) -> HttpResponse:
    attendee = attendee_for(request, token)
    person = queries.contact_for(attendee, person_id)
    if person is None or not devices.sees_contacts(request, attendee):
        raise Http404(_("No contact card to share."))
    pitch = Pitch.objects.filter(attendee=person).first()
    note = _("Met at %(event)s.") % {"event": attendee.event.title}
    if pitch and pitch.ask:
        note += " " + pitch.ask
    response = HttpResponse(
        exports.vcard(person, note=note), content_type="text/vcard; charset=utf-8"
    )
    filename = slugify(person.name) or "contact"
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response


@require_GET
def call_proposal(request: HttpRequest, token: str, person_id: int) -> HttpResponse:
    """A 20-minute call proposed to someone the attendee exchanged a card with, as a calendar
    meeting request; only where both shared contact details (the invitation needs the email)."""
    attendee = attendee_for(request, token)
    person = queries.contact_for(attendee, person_id)
    if (
        person is None
        or not devices.sees_contacts(request, attendee)
        or not person.email
        or not attendee.email
    ):
        raise Http404(_("No contact to propose a call to."))
    calendar = exports.call_proposal(attendee, person, now=timezone.now())
    return exports.calendar_response(calendar, f"call-{slugify(person.name) or 'contact'}")


def details_initial(attendee: Attendee) -> dict[str, str]:
    """What the form starts from: the attendee's own choice, else the suggestion of an import or
    the organizer (never ticked for them when there is none)."""
    return {
        "share": sharing_initial(attendee),
        "email": attendee.email,
        "phone": attendee.phone,
        "wechat_id": attendee.wechat_id,
        "linkedin_url": attendee.linkedin_url,
    }


@require_http_methods(["GET", "POST"])
def my_details(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """My details: the attendee's own yes/no to sharing contact details and the channels to
    share. Opened from the leads and pitch pages, and from the room on first opening."""
    attendee = attendee_for(request, token)
    if not devices.is_confirmed_device(request, attendee):
        status = 403 if request.method == "POST" else 200
        return confirmation_page(request, attendee, next_page="details", status=status)
    region = PHONE_REGION.get(attendee.event.language)
    data = request.POST if request.method == "POST" else None
    form = MyDetailsForm(data, initial=details_initial(attendee), region=region)
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        try:
            services.save_my_details(
                attendee,
                is_sharing=form.is_sharing,
                email=fields["email"],
                phone=fields["phone"],
                wechat_id=fields["wechat_id"],
                linkedin_url=fields["linkedin_url"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("Saved. It applies at once to your leads and your mail."))
            return redirect("my_details", token=token)
    context = {"attendee": attendee, "event": attendee.event, "form": form}
    return render(request, "feedback/details.html", context, status=400 if form.errors else 200)


@require_GET
def series_confirm(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Before a walk-in's "yes, that's me" links them to earlier events: the code mailed to the
    email they typed, entered here (then ``device_confirm`` takes the yes)."""
    attendee = attendee_for(request, token)
    if event_queries.series_question(attendee) is None:
        return redirect("room", token=token)
    return confirmation_page(request, attendee, next_page="series")


@require_http_methods(["GET", "POST"])
def series_memory(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """What the series remembers about the attendee (earlier events, people met there, open
    promises), their yes or no to the connectors list, and "Forget me in this series". From the
    confirmed device only, as My details."""
    attendee = attendee_for(request, token)
    if attendee.event.series_id is None:
        raise Http404(_("This event is not part of a series."))
    if not devices.owns_email(request, attendee):
        status = 403 if request.method == "POST" else 200
        return confirmation_page(request, attendee, next_page="memory", status=status)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "forget":
            event_services.forget_series_memory(attendee)
            messages.success(request, _("Done: the series no longer links you to other events."))
        elif action in {"list", "unlist"}:
            event_services.set_connector_listing(attendee, is_listed=action == "list")
            messages.success(request, _("Saved."))
        return redirect("series_memory", token=token)
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "earlier": [
            (self_, queries.month_of(self_.event.starts_at, self_.event))
            for self_ in event_queries.earlier_selves(attendee)
        ],
        "people_met": round_queries.earlier_tablemate_count(attendee),
        "carried": queries.carried_promises(attendee),
    }
    return render(request, "feedback/series_memory.html", context)


# Deleting personal data: the attendee's own, through their link; or a closed event's, by its
# organizer (a page under /events/, here because erasure touches pitches and cards).


@require_http_methods(["GET", "POST"])
def attendee_erase(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Delete my data. The done page is rendered here: afterwards the old link is gone."""
    attendee = attendee_for(request, token)
    if not devices.is_confirmed_device(request, attendee):
        status = 403 if request.method == "POST" else 200
        return confirmation_page(request, attendee, next_page="erase", status=status)
    form = EraseMyDataForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        event = attendee.event
        retention.erase_attendee(attendee)
        return render(request, "feedback/erased.html", {"event": event})
    context = {"attendee": attendee, "event": attendee.event, "form": form}
    return render(request, "feedback/erase.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def event_erase(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Erase a closed event's personal data: the owner only (a co-organizer gets 403)."""
    event = event_queries.owned_event(request.user, event_id)
    data = request.POST if request.method == "POST" else None
    form = EraseEventForm(data, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            retention.erase_event_personal_data(event, by=request.user)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("The personal data of this event was deleted."))
            return redirect("event_detail", event_id=event.pk)
    context = {"event": event, "form": form, "attendance": event_queries.door_counts(event)}
    return render(request, "feedback/event_erase.html", context, status=400 if form.errors else 200)


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
    context = {
        "event": event,
        "report": report,
        "charts": reports.report_charts(report),
        "mail": followups.mail_status(event),
    }
    return render(request, "feedback/report.html", context)


@login_required
@require_GET
def series_detail(request: HttpRequest, series_id: int) -> HttpResponse:
    """A series: its events (a new one copies the last one's settings), who came back, how
    often each person came, introductions across the series and its connectors, as charts."""
    series = event_queries.organizer_series(request.user, series_id)
    report = series_report.series_report(series)
    context = {
        "series": series,
        "report": report,
        "charts": series_report.series_charts(report),
    }
    return render(request, "feedback/series.html", context)


@login_required
@require_GET
def series_export(request: HttpRequest, series_id: int) -> HttpResponse:
    """The series' people and how many of its events each came to, as CSV."""
    series = event_queries.organizer_series(request.user, series_id)
    report = series_report.series_report(series)
    return exports.csv_response(series_report.series_sheet(series, report))


# Invitations: the organizer sends each attendee their personal link before the event; an
# attendee who lost it asks for it on the join page or by scanning their badge.

MY_LINK_REQUESTS_ALLOWED = 5
MY_LINK_WINDOW_S = 600


def report_invitations(request: HttpRequest, report: invitations.InvitationReport) -> None:
    """The outcome as messages on the organizer's next page, every failure with its reason."""
    skipped = sum(report.skipped.values())
    messages.success(
        request,
        _("Invitations sent: %(sent)s; skipped (no email, unsubscribed): %(skipped)s.")
        % {"sent": len(report.sent), "skipped": skipped},
    )
    for address, reason in report.failed:
        messages.error(
            request,
            _("Not sent to %(address)s: %(reason)s") % {"address": address, "reason": reason},
        )


@login_required
@require_POST
def event_invitations(request: HttpRequest, event_id: int) -> HttpResponse:
    """Send invitations to the people not invited yet, or to everyone again."""
    event = event_queries.organizer_event(request.user, event_id)
    form = InvitationsForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    report = invitations.send_invitations(event, only_new=form.cleaned_data["which"] == "new")
    report_invitations(request, report)
    return redirect("attendee_list", event_id=event.pk)


def organizer_attendee(request: HttpRequest, event_id: int, attendee_id: int) -> Attendee:
    event = event_queries.organizer_event(request.user, event_id)
    return get_object_or_404(event.attendees.select_related("event"), pk=attendee_id)


@login_required
@require_GET
def attendee_link(request: HttpRequest, event_id: int, attendee_id: int) -> HttpResponse:
    """One attendee's personal link to copy, a QR code to show them, and "send again"; at the
    public address (a warning when phones cannot reach it), never the request's own host."""
    attendee = organizer_attendee(request, event_id, attendee_id)
    url = public_url(reverse("room", args=[attendee.token]))
    context = {
        "event": attendee.event,
        "attendee": attendee,
        "url": url,
        "qr": qr_svg(url),
        "public_address": public_address(),
        "erase_form": EraseAttendeeForm(),
        "is_owner": event_queries.is_owner(request.user, attendee.event),
    }
    return render(request, "feedback/attendee_link.html", context)


@login_required
@require_POST
def attendee_forget_device(request: HttpRequest, event_id: int, attendee_id: int) -> HttpResponse:
    """For an attendee who lost their phone and has no email: the next browser to open their
    link becomes their confirmed device (``events.devices``)."""
    attendee = organizer_attendee(request, event_id, attendee_id)
    devices.forget_device(attendee)
    messages.success(
        request,
        _("Their phone is forgotten: the next browser to open the link becomes theirs."),
    )
    return redirect("attendee_link", event_id=attendee.event_id, attendee_id=attendee.pk)


@login_required
@require_POST
def attendee_erase_by_organizer(
    request: HttpRequest, event_id: int, attendee_id: int
) -> HttpResponse:
    """The organizer deletes one attendee's personal data (asked by someone who cannot confirm
    it on their own phone); the figures remain, as when the attendee does it. The owner only,
    as the whole event's erasure (a co-organizer gets 403)."""
    event = event_queries.owned_event(request.user, event_id)
    attendee = get_object_or_404(event.attendees.select_related("event"), pk=attendee_id)
    form = EraseAttendeeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm."))
        return redirect("attendee_link", event_id=attendee.event_id, attendee_id=attendee.pk)
    retention.erase_attendee(attendee, by=request.user)
    messages.success(request, _("Personal data deleted for %(name)s.") % {"name": attendee.name})
    return redirect("attendee_list", event_id=attendee.event_id)


@login_required
@require_POST
def attendee_remove(request: HtmxHttpRequest, event_id: int, attendee_id: int) -> HttpResponse:
    """Delete an attendee who has not taken part (a cancelled ticket, a typo duplicate) from
    the event; someone with history is refused with what to do instead (``retention``)."""
    attendee = organizer_attendee(request, event_id, attendee_id)
    event = attendee.event
    try:
        retention.remove_attendee(attendee, by=request.user)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
        if request.htmx:
            context = {
                "event": event,
                "attendee": event_queries.attendees_of(event).get(pk=attendee.pk),
                "error": error,
                "attendance": event_queries.door_counts(event),
                "oob": True,
            }
            return render(request, "events/partials/attendee_row.html", context)
        messages.error(request, error)
        return redirect("attendee_list", event_id=event.pk)
    done = _("%(name)s removed from the event.") % {"name": attendee.name}
    if request.htmx:
        context = {"event": event, "attendance": event_queries.door_counts(event), "oob": True}
        return render(request, "events/partials/attendance.html", context)
    messages.success(request, done)
    return redirect("attendee_list", event_id=event.pk)


@login_required
@require_POST
def attendee_invite(request: HttpRequest, event_id: int, attendee_id: int) -> HttpResponse:
    attendee = organizer_attendee(request, event_id, attendee_id)
    report = invitations.InvitationReport()
    invitations.send_invitation(attendee, report=report)
    report_invitations(request, report)
    return redirect("attendee_link", event_id=attendee.event_id, attendee_id=attendee.pk)


@require_POST
def email_my_link(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """ "Email me my link": the same answer whether or not the address is known, and a client
    that asks too often is refused for a while. A wrong event code counts like one typed on the
    join page."""
    event = event_for_code(request, code)
    if isinstance(event, HttpResponse):
        return ratelimit.remember_device(request, event)
    activate_event_language(request, event)
    limit = {"limit": MY_LINK_REQUESTS_ALLOWED, "window_seconds": MY_LINK_WINDOW_S}
    if ratelimit.is_limited(request, scope="my-link", **limit):
        context = {"event": event, "is_limited": True}
        return render(request, "feedback/my_link.html", context, status=429)
    ratelimit.record_failure(request, scope="my-link", **limit)
    form = MyLinkForm(request.POST)
    if form.is_valid():
        invitations.send_link_on_request(event, email=form.cleaned_data["email"])
    context = {"event": event, "form": form, "is_limited": False}
    return render(request, "feedback/my_link.html", context, status=200 if form.is_valid() else 400)


@require_http_methods(["GET", "POST"])
def badge(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """A printed badge's QR code (``/b/<key>/``). A badge is worn in view all evening, so its
    key is no credential: the attendee's own browser goes on to their room; any other gets a page
    offering to mail the personal link to the address they registered (never showing the link
    or the address), which binds no device. Unknown keys count as wrong join codes."""
    response = badge_page(request, key)
    return ratelimit.remember_device(request, response)


def badge_page(request: HtmxHttpRequest, key: str) -> HttpResponse:
    attendee = attendee_for_badge(request, key)
    if isinstance(attendee, HttpResponse):
        return attendee
    if holds_link(request, attendee):
        return redirect("room", token=attendee.token)
    activate_event_language(request, attendee.event)
    context = {"event": attendee.event, "key": key, "has_email": bool(attendee.email)}
    if request.method != "POST" or not attendee.email:
        return render(request, "feedback/badge.html", context)
    limit = {"limit": MY_LINK_REQUESTS_ALLOWED, "window_seconds": MY_LINK_WINDOW_S}
    if ratelimit.is_limited(request, scope="my-link", **limit):
        return render(request, "feedback/badge.html", {**context, "is_limited": True}, status=429)
    ratelimit.record_failure(request, scope="my-link", **limit)
    invitations.send_requested_link(attendee)
    return render(request, "feedback/badge.html", {**context, "is_sent": True})


def rescue_summary(report: RescueReport) -> str:
    """A ``rounds.services.RescueReport`` as the lines the organizer reads: the log line's
    sentences (what changed, for whom, why nobody was helped when nobody was:
    ``events.logs.rescue_text``) and the evening's figures with the new last round."""
    return logs.join_sentences(
        [
            logs.rescue_text(report.log_params()),
            _("Repeated meetings: %(repeats)s. Pairs kept apart seated together: %(apart)s.")
            % {
                "repeats": report.quality.repeated_pairs,
                "apart": report.quality.avoid_violations,
            },
        ]
    )


@login_required
@require_POST
def control_rescue(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """The control panel's "Rescue round" button (in this app because it counts the cards):
    the last round re-planned for the pitchers with the fewest cards
    (``services.rescue_last_round``); the panel comes back with what it did or why not."""
    event = event_queries.organizer_event(request.user, event_id)
    error = info = ""
    try:
        info = rescue_summary(services.rescue_last_round(event, by=request.user))
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if request.htmx:
        event.refresh_from_db()
        response = render(
            request,
            "rounds/partials/control_panel.html",
            panel_context(event, error=error, info=info),
        )
        response["HX-Trigger"] = "speednet-counters"  # the log shows the rescue at once
        return response
    if error:
        messages.error(request, error)
    else:
        messages.info(request, info)
    return redirect("control", event_id=event.pk)


@login_required
@require_GET
def control_counters(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """The control page's figures and log, refreshed every 5 s (in this app because they count
    the round's cards)."""
    event = event_queries.organizer_event(request.user, event_id)
    context = {
        **gaps_context(event),
        "event": event,
        "counters": queries.live_counters(event.pk),
        "log": round_queries.recent_log(event.pk),
    }
    return render(request, "rounds/partials/counters.html", context)
