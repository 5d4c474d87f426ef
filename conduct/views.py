"""Conduct and safety pages: the phone's code of conduct, report and "don't seat me with"
(the token in the URL is the attendee's only credential), and the organizers' conduct settings
and reports (every one starts from the events this user organizes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conduct import queries, services
from conduct.forms import (
    ApartDropForm,
    ApartForm,
    ConductForm,
    ReportActionForm,
    ReportForm,
    ReportUpdateForm,
)
from conduct.models import Report
from config.http import HtmxHttpRequest
from events import queries as event_queries
from events import services as event_services
from events.language import activate_attendee_language
from events.models import Attendee, Event, SeatingRequest
from rounds import queries as round_queries
from rounds.services import Rejoined


def attendee_for(request: HttpRequest, token: str) -> Attendee:
    attendee = get_object_or_404(Attendee.objects.select_related("event"), token=token)
    activate_attendee_language(request, attendee)
    return attendee


# The phone.


@require_http_methods(["GET", "POST"])
def conduct_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The event's code of conduct, accepted once per version before the room opens."""
    attendee = attendee_for(request, token)
    event = attendee.event
    if not event.has_conduct or event.status == Event.Status.CLOSED:  # closed: nothing to accept
        return redirect("room", token=token)
    error = ""
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
            event_services.accept_conduct(attendee, version=version)
        except (ValueError, ValidationError) as refusal:
            error = (
                refusal.messages[0]
                if isinstance(refusal, ValidationError)
                else _("The code of conduct has just changed: please read it again.")
            )
        else:
            return redirect("room", token=token)
    context = {
        "attendee": attendee,
        "event": event,
        "is_renewal": attendee.conduct_accepted_version > 0,
        "conduct_text": event_services.conduct_for_reader(event),
        "error": error,
    }
    return render(request, "conduct/accept.html", context, status=409 if error else 200)


@require_http_methods(["GET", "POST"])
def report_problem(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """ "Report a problem": the second tap sends it. One button per tablemate, "someone else"
    and "the event", under an optional message."""
    attendee = attendee_for(request, token)
    form = ReportForm(request.POST or None)
    if request.method == "GET" and request.GET.get("sent"):
        # After sending (redirected here): the thank-you and the way back, not the buttons again
        # (a second tap would be a second report; Back or a reload never sends it again).
        context = {"attendee": attendee, "event": attendee.event, "sent": True}
        return render(request, "conduct/report.html", context)
    if request.method == "POST" and form.is_valid():
        try:
            services.make_report(
                attendee,
                kind=form.cleaned_data["kind"],
                about_id=form.cleaned_data["about"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            return redirect(f"{reverse('report_problem', args=[token])}?sent=1")
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "form": form,
        "sent": False,
        "tablemates": queries.tablemates(attendee),
    }
    return render(request, "conduct/report.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def apart(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """ "Don't seat me with": private keep-apart requests, added and taken back by their owner.
    It offers only ``queries.apart_choices`` (the guest list and the people they sat with), and
    refuses anyone else with a form error that names nobody. Once no round is left to seat for
    them (``Attendee.has_seating_ahead``: none in the event, or they were taken out of the
    rounds after a report) the page offers nobody (a request is refused), and earlier requests
    can still be taken back."""
    attendee = attendee_for(request, token)
    form = ApartForm(request.POST or None, people=queries.apart_choices(attendee))
    if request.method == "POST":
        if "drop" in request.POST:
            dropped = ApartDropForm(request.POST)
            if dropped.is_valid():
                event_services.drop_apart(attendee, other_id=dropped.cleaned_data["drop"])
                messages.success(request, _("Removed."))
            return redirect("apart", token=token)
        if form.is_valid():
            try:
                services.ask_apart(attendee, other_id=form.cleaned_data["other"].pk)
            except ValidationError as refusal:
                form.add_error("other", refusal)
            else:
                if round_queries.unmet_apart_requests(attendee.event_id, asked_by=attendee.pk):
                    # the plan seats them together in a coming round: only a re-plan helps
                    noted = _(
                        "Noted. The organizers are asked, without your name, to re-seat the "
                        "coming rounds so that you do not share a table."
                    )
                else:
                    noted = _("Noted. You will not share a table from the next seating plan on.")
                messages.success(request, noted)
                return redirect("apart", token=token)
    mine = (
        SeatingRequest.objects.filter(attendee=attendee)
        .select_related("other")
        .order_by("other__name", "pk")
    )
    over = event_services.seating_refusal(attendee)
    is_over = bool(over)  # nobody offered: no plan is left for them
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "form": form,
        "mine": mine,
        "is_over": is_over,
        "seating_over": over,
        "tablemates": [] if is_over else queries.tablemates(attendee),
    }
    return render(request, "conduct/apart.html", context, status=400 if form.errors else 200)


# The organizers.


@login_required
@require_http_methods(["GET", "POST"])
def conduct_settings(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Write the code of conduct (or start from the default, in the event's language)."""
    event = event_queries.organizer_event(request.user, event_id)
    if request.method == "POST":
        form = ConductForm(request.POST)
        if form.is_valid():
            try:
                saved = event_services.set_conduct(
                    event,
                    text=form.cleaned_data["text"],
                    is_mailing_reports=form.cleaned_data["is_mailing_reports"],
                    by=request.user,
                )
            except ValidationError as refusal:
                form.add_error("text", refusal)
            else:
                messages.success(
                    request,
                    _("Code of conduct saved (version %(v)s).") % {"v": saved.conduct_version},
                )
                return redirect("conduct_settings", event_id=event.pk)
    else:
        text = event.conduct_text
        if request.GET.get("default") == "1":
            with translation.override(event.language):
                text = event_services.default_conduct()
        form = ConductForm(initial={"text": text, "is_mailing_reports": event.is_mailing_reports})
    context = {
        "event": event,
        "form": form,
        "accepted": event.attendees.filter(conduct_accepted_version=event.conduct_version).count()
        if event.has_conduct
        else 0,
    }
    return render(request, "conduct/settings.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def conduct_reports(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = event_queries.organizer_event(request.user, event_id)
    context = {
        "event": event,
        "reports": list(queries.reports_of(event)),
        "has_rounds_left": services.has_rounds_left(event),
        "is_owner": event.organizer_id == request.user.pk,
        "statuses": Report.Status.choices,
    }
    return render(request, "conduct/reports.html", context)


@login_required
@require_GET
def conduct_alerts(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """The control page's count of open reports (fetched on load and after each alert)."""
    event = event_queries.organizer_event(request.user, event_id)
    context = {"event": event, "open_reports": queries.open_report_count(event)}
    return render(request, "conduct/partials/alerts.html", context)


def organizer_report(request: HttpRequest, event_id: int, report_id: int) -> Report:
    event = event_queries.organizer_event(request.user, event_id)
    try:
        return queries.report_of(event, report_id)
    except Report.DoesNotExist:
        raise Http404("No such report.") from None


@login_required
@require_POST
def report_update(request: HtmxHttpRequest, event_id: int, report_id: int) -> HttpResponse:
    report = organizer_report(request, event_id, report_id)
    form = ReportUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_report(
                report,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, _("Report saved."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect(f"{report_path(event_id)}#report-{report.pk}")


ACTIONS = {
    "move": services.keep_apart_from_next_round,
    "remove": services.remove_from_rounds,
    "undo_remove": services.undo_removal,
    "block": services.block_from_future_events,
}


@login_required
@require_POST
def report_action(request: HtmxHttpRequest, event_id: int, report_id: int) -> HttpResponse:
    """Act on a report: keep apart from the next round, remove from the remaining rounds (and
    undo it), or block the person's email from the future events of the event's owner."""
    report = organizer_report(request, event_id, report_id)
    form = ReportActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect(report_path(event_id))
    action = form.cleaned_data["action"]
    try:
        done = ACTIONS[action](report, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        is_owner = report.event.organizer_id == request.user.pk
        messages.success(request, action_done(action, name=report.about.name, is_owner=is_owner))
        if action == "undo_remove":
            seat_back_message(request, done, name=report.about.name)
    return redirect(f"{report_path(event_id)}#report-{report.pk}")


def action_done(action: str, *, name: str, is_owner: bool = True) -> str:
    """What an action on a report did to the person it names, in the organizer's language: the
    flash after it (with the way back where there is one). A block is the event owner's
    (``is_owner`` False: a co-organizer pressed it, and is told whose events it keeps them from)."""
    done = {
        "move": _("%(name)s will not share a table with the reporter from the next round on."),
        "remove": _(
            "%(name)s is taken out of the remaining rounds. To put them back, press "
            "“Undo: put %(name)s back” below."
        ),
        "undo_remove": _("%(name)s is back in the remaining rounds."),
        "block": (
            _("%(name)s’s email is blocked from your future events.")
            if is_owner
            else _("%(name)s’s email is blocked from the future events of this event’s owner.")
        ),
    }
    return done[action] % {"name": name}


def seat_back_message(request: HtmxHttpRequest, rejoined: Rejoined, *, name: str) -> None:
    """Tell the organizer what an undone removal did in the round under way
    (``rounds.services.rejoin_running_round``): the seat given back, or why not, or why they
    will not pitch. Nothing when they were not removed from the round under way."""
    if rejoined.reason:
        messages.warning(request, rejoined.reason)
    elif rejoined.table is not None:
        messages.info(
            request,
            _("%(name)s sits at table %(table)s again in round %(number)s, pitching last.")
            % {"name": name, "table": rejoined.table, "number": rejoined.round_number},
        )


def report_path(event_id: int) -> str:
    return reverse("conduct_reports", args=[event_id])
