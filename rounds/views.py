from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.http import HtmxHttpRequest
from config.site import public_address, public_url
from events import queries as event_queries
from events import services as event_services
from events.forms import EventForm, time_zone_names
from events.models import Event
from events.qr import qr_svg
from events.queries import organizer_event
from pitches import warming
from rounds import queries, scheduling, seating, services
from rounds.forms import ControlForm, GuideRangeForm
from rounds.models import Round
from rounds.panels import gaps_context, panel_context
from rounds.routing import control_socket_path, projector_socket_path


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """The event's settings page (in this app because a change can drop the plan:
    ``services.change_settings``)."""
    event = organizer_event(request.user, event_id)
    form = EventForm(
        request.POST or None, instance=Event.objects.get(pk=event.pk), organizer=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_settings(event, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            return redirect("event_detail", event_id=event.pk)
    context = {"form": form, "event": event, "time_zone_names": time_zone_names()}
    return render(request, "events/event_form.html", context)


@login_required
@require_POST
def attendee_presence(request: HtmxHttpRequest, event_id: int, attendee_id: int) -> HttpResponse:
    """Check in, undo the check-in, or mark as left: one click, undoable. In this app because
    leaving vacates a seat of the round under way and plans the coming rounds without them
    (``services.mark_gone``)."""
    event = organizer_event(request.user, event_id)
    attendee = get_object_or_404(event_queries.attendees_of(event), pk=attendee_id)
    action = request.POST.get("action")
    change = {
        "check_in": event_services.check_in,
        "undo": event_services.undo_check_in,
        "left": services.mark_gone,
    }.get(action)
    error = ""
    if change is None:
        error = _("Unknown action.")
    else:
        try:
            attendee = change(attendee, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    at_door = request.POST.get("from") == "door"  # the door's own undo: the door stays
    if request.htmx:
        attendee = event_queries.attendees_of(event).get(pk=attendee.pk)
        context = {
            "event": event,
            "attendee": attendee,
            "error": error,
            "attendance": event_queries.door_counts(event),
            "oob": True,
            "undone": action == "undo" and not error,
        }
        if at_door:
            return render(request, "events/partials/door_result.html", context)
        return render(request, "events/partials/attendee_row.html", context)
    if error:
        messages.error(request, error)
    if at_door:
        if not error and action == "undo":
            messages.info(
                request, _("Undone: %(name)s is not checked in.") % {"name": attendee.name}
            )
        elif not error and action == "check_in":
            messages.success(request, _("%(name)s checked in.") % {"name": attendee.name})
        return redirect("door", event_id=event.pk)
    return redirect("attendee_list", event_id=event.pk)


@login_required
@require_GET
def control(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = organizer_event(request.user, event_id)
    if request.htmx:
        return render(request, "rounds/partials/control_panel.html", panel_context(event))
    warming.warm_event_later(event.pk)  # the plan made here reads every pitch's meaning
    panel = panel_context(event)
    context = {
        **panel,
        **gaps_context(
            event, round_=panel["round"], next_round=panel["next_round"], gaps=panel["gaps"]
        ),
        "socket_path": control_socket_path(event.pk),
        "counters": queries.live_counters(event.pk),
        "log": queries.recent_log(event.pk),
        "join_url": event_queries.join_url(event),
        "public_address": public_address(),
    }
    return render(request, "rounds/control.html", context)


def round_for(event: Event, action: str) -> Round:
    round_ = queries.next_round(event.pk) if action == "start" else queries.active_round(event.pk)
    if round_ is None:
        if action == "start":
            raise ValidationError(_("There is no round left to start."))
        raise ValidationError(_("No round is running."))
    return round_


def plan_summary(report: services.PlanReport, *, sizes: range) -> str:
    """The line shown after planning. When repeats are forced it says what attendees feel
    (``meeting_words``) instead of counting repeated meetings, then the forecast (suggesting
    only table ``sizes`` the plan page compares: ``Event.compared_table_sizes``)."""
    quality = report.quality
    values = {
        "people": report.present,
        "repeats": quality.repeated_pairs,
        "colleagues": quality.avoid_violations,
        "changed": report.changed_attendees,
    }
    if not report.forecast.repeats_forced:
        return (
            _(
                "Planned %(people)s people: %(repeats)s repeated meetings, %(colleagues)s "
                "colleagues or pairs to keep apart seated together, %(changed)s itineraries sent."
            )
            % values
        )
    summary = _(
        "Planned %(people)s people: %(colleagues)s colleagues or pairs to keep apart seated "
        "together, %(changed)s itineraries sent."
    )
    feel = meeting_words(
        fewest=quality.min_distinct_met,
        mean=quality.mean_distinct_met,
        most=quality.max_distinct_met,
        times=quality.max_meetings,
    )
    forecast = forecast_message(report.forecast, people=report.present, sizes=sizes)
    return f"{summary % values} {feel} {forecast}"


def meeting_words(*, fewest: int, mean: float, most: int, times: int) -> str:
    """What attendees feel when repeats are forced, in the organizer's language: "Each person
    meets 9–11 different people (10.2 on average); no two people sit together more than
    twice." ``fewest``/``mean``/``most``: different people a person meets (``mean`` given to one
    decimal, and left out when everyone meets the same number); ``times``: the most times any
    pair sits together (>= 1). ``ValueError`` when the figures contradict each other."""
    if not 0 <= fewest <= mean <= most or times < 1:
        raise ValueError(
            f"meeting figures out of order: fewest {fewest}, mean {mean}, most {most}, "
            f"times {times}"
        )
    if fewest == most:
        people = ngettext(
            "Each person meets %(n)s different person",
            "Each person meets %(n)s different people",
            fewest,
        ) % {"n": fewest}
    else:
        people = _(
            "Each person meets %(fewest)s–%(most)s different people (%(mean)s on average)"
        ) % {
            "fewest": fewest,
            "most": most,
            "mean": formats.number_format(round(mean, 1), decimal_pos=1),
        }
    if times == 1:
        pairs = _("nobody sits with the same person twice")
    elif times == 2:
        pairs = _("no two people sit together more than twice")
    else:
        pairs = _("no two people sit together more than %(times)s times") % {"times": times}
    return _("%(people)s; %(pairs)s.") % {"people": people, "pairs": pairs}


def forecast_message(forecast: scheduling.Forecast, *, people: int, sizes: range) -> str:
    """The planner's forecast for ``people`` in the organizer's language (``Forecast.message``
    is English); its suggested table size only when the plan page offers it (``sizes``)."""
    if not forecast.repeats_forced:
        return _("With these numbers no repeat meetings are forced.")
    message = _("With these numbers some pairs must meet more than once.")
    if forecast.suggested_table_size in sizes:
        size = forecast.suggested_table_size
        tables = len(scheduling.table_sizes(people, size))
        hint = _(
            "Tables of %(size)s (%(tables)s tables) let nobody meet twice: compare the table "
            "sizes on the plan page."
        )
        message += " " + hint % {"size": size, "tables": tables}
    return message


def perform(event: Event, form: ControlForm, *, by: Any) -> str:
    """Carry out one control action; returns a line to show the organizer, if any."""
    action = form.cleaned_data["action"]
    match action:
        case "plan":
            report = services.make_plan(event, by=by, is_first=True)
            return plan_summary(report, sizes=event.compared_table_sizes)
        case "replan":
            report = services.replan(event, by=by)
            return plan_summary(report, sizes=event.compared_table_sizes)
        case "open":
            services.open_check_in(event, by=by)
        case "announce":
            services.announce(
                event, text=form.cleaned_data["text"], minutes=form.cleaned_data["minutes"], by=by
            )
        case "clear_announcement":
            services.clear_announcement(event, by=by)
        case "mingle":
            services.start_mingle(event, by=by)
        case "close":
            services.close_event(event, by=by)
        case "extend":
            services.extend_round(
                round_for(event, action), seconds=form.cleaned_data["seconds"] or 30, by=by
            )
        case _:
            transition = {
                "start": services.start_round,
                "pause": services.pause_round,
                "resume": services.resume_round,
                "skip": services.skip_turn,
                "end": services.end_round,
            }[action]
            transition(round_for(event, action), by=by)
    return ""


@login_required
@require_POST
def control_action(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = organizer_event(request.user, event_id)
    form = ControlForm(request.POST)
    error = info = ""
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
    else:
        try:
            info = perform(event, form, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    if request.htmx:
        event.refresh_from_db()
        context = panel_context(event, error=error, info=info)
        response = render(request, "rounds/partials/control_panel.html", context)
        # the counters, the log and the walk-in banner follow the action at once
        response["HX-Trigger"] = "speednet-counters"
        return response
    if error:
        messages.error(request, error)
    elif info:
        messages.info(request, info)
    return redirect("control", event_id=event.pk)


@login_required
@require_GET
def print_itineraries(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Each attendee's table for every round on paper: the fallback when the Wi-Fi fails, with a
    QR code to the attendee's phone page (at the public address) for when it works."""
    event = organizer_event(request.user, event_id)
    seating = queries.seating_by_attendee(event.pk)
    numbers = list(range(1, event.rounds_count + 1))
    sheets = [
        (
            attendee,
            [seating.get(attendee.pk, {}).get(number) for number in numbers],
            qr_svg(public_url(reverse("room", args=[attendee.token]))),
        )
        for attendee in event.attendees.order_by("name", "pk")
        if attendee.pk in seating
    ]
    context = {
        "event": event,
        "numbers": numbers,
        "sheets": sheets,
        "public_address": public_address(),
    }
    return render(request, "rounds/print_itineraries.html", context)


def size_choices(
    event: Event, people: list[int], *, avoid: list[tuple[int, int]]
) -> list[tuple[seating.SizeOption, str]]:
    """The table sizes to compare for ``people`` (attendee ids) with the ``avoid`` pairs kept
    apart as the plan will keep them, each with its figures in plain words."""
    choices = []
    sizes = event.compared_table_sizes
    number = {person: index for index, person in enumerate(people)}
    apart = [(number[a], number[b]) for a, b in avoid if a in number and b in number]
    options = seating.size_options(
        max(len(people), 2), rounds=event.rounds_count, sizes=sizes, avoid=apart
    )
    for option in options:
        values = {"min": option.min_met, "others": option.others}
        if option.is_repeat_free:
            text = _("Everyone meets at least %(min)s of %(others)s others, nobody twice.")
            text %= values
        else:
            text = meeting_words(
                fewest=option.min_met,
                mean=option.mean_met,
                most=option.max_met,
                times=option.max_meetings,
            )
        choices.append((option, text))
    return choices


@login_required
@require_GET
def plan(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """The rotation plan: before it is made, the table sizes compared in the planner's own
    figures with the best preselected; then its quality, its worst repeats by name, and who
    sits where in every round."""
    event = organizer_event(request.user, event_id)
    warming.warm_event_later(event.pk)  # the plan made here reads every pitch's meaning
    return plan_page(request, event)


def plan_page(
    request: HtmxHttpRequest,
    event: Event,
    *,
    range_form: GuideRangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page of ``event``; ``range_form`` is a refused change of the sizes compared,
    shown with its errors (``status`` 400)."""
    people = services.present_people(event)
    stored = queries.stored_plan(event.pk)
    names = {person.pk: person.name for person in event.attendees.only("pk", "name", "erased_at")}
    avoid = services.avoid_pairs(event, people)
    started = event.rounds.exclude(status=Round.Status.PLANNED).exists()
    choosing = (
        event.status in (Event.Status.DRAFT, Event.Status.CHECK_IN)
        and not started
        and len(people) >= services.MIN_PEOPLE
    )
    ids = [person for person, _company in people]
    choices = size_choices(event, ids, avoid=avoid) if choosing else []
    best = seating.best_size([option for option, _text in choices])
    # a walk-in since the plan (not seated in it yet) has no place in its figures
    seated = {person for round_ in stored for table in round_ for person in table}
    avoid_seated = [pair for pair in avoid if set(pair) <= seated]
    quality = scheduling.plan_quality(stored, avoid=avoid_seated) if stored else None
    # when the room forces repeats, what attendees feel instead of a count of repeats
    feel = (
        meeting_words(
            fewest=quality.min_distinct_met,
            mean=quality.mean_distinct_met,
            most=quality.max_distinct_met,
            times=quality.max_meetings,
        )
        if quality is not None and quality.lower_bound > 0
        else ""
    )
    repeats = [
        _("%(a)s and %(b)s meet %(n)s times")
        % {"a": names.get(a, "?"), "b": names.get(b, "?"), "n": n}
        for a, b, n in seating.worst_repeats(stored)
    ]
    context = {
        "event": event,
        "present": len(people),
        "choices": choices,
        "best": best,
        "has_plan": bool(stored),
        "quality": quality,
        "feel": feel,
        "repeats": repeats,
        "encounters": queries.plan_encounters(event, stored),
        "range_form": range_form
        or GuideRangeForm(
            initial={"low": event.guide_min_table_size, "high": event.guide_max_table_size}
        ),
        "can_set_range": event.status in (Event.Status.DRAFT, Event.Status.CHECK_IN)
        and not started,
        "rounds": [
            (number, [[names.get(pk, "?") for pk in table] for table in tables])
            for number, tables in enumerate(stored, start=1)
        ],
    }
    return render(request, "rounds/plan.html", context, status=status)


@login_required
@require_POST
def plan_guide_range(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Change the table sizes the plan page compares (the organizer's range, 4–8 at first)."""
    event = organizer_event(request.user, event_id)
    form = GuideRangeForm(request.POST)
    if form.is_valid():
        try:
            event_services.update_event(
                event,
                by=request.user,
                guide_min_table_size=form.cleaned_data["low"],
                guide_max_table_size=form.cleaned_data["high"],
            )
        except ValidationError as refusal:
            form.add_error(None, " ".join(refusal.messages))
        else:
            return redirect("plan", event_id=event.pk)
    event.refresh_from_db()
    return plan_page(request, event, range_form=form, status=400)


@login_required
@require_POST
def plan_with_size(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """One click from the comparison: use this table size and make the plan (again, while no
    round has started)."""
    event = organizer_event(request.user, event_id)
    size = request.POST.get("table_size", "")
    try:
        if not (size.isascii() and size.isdigit()):
            raise ValidationError(_("Choose a table size."))
        if int(size) != event.table_size:
            event = services.change_settings(event, by=request.user, table_size=int(size))
        report = services.make_plan(event, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("plan", event_id=event.pk)
    messages.info(request, plan_summary(report, sizes=event.compared_table_sizes))
    return redirect("plan", event_id=event.pk)


def projector_find_context(event: Event) -> dict[str, Any]:
    """The projector's "find your table" list: the seating round's names and tables, or none
    once the rounds are over (``queries.seating_round``): then the list says the rounds are
    over, or that the event has ended."""
    seating = queries.seating_round(event)
    with translation.override(event.language):  # the projector speaks the event's language
        conduct_text = event_services.conduct_for_reader(event)
        seats = queries.find_my_table(seating)  # without anyone erased
    is_ended = event.status == Event.Status.CLOSED
    return {
        "event": event,
        "seating_round": seating,
        "seats": seats,
        "conduct_text": conduct_text,
        "is_ended": is_ended,
        "is_rounds_over": not is_ended
        and seating is None
        and event.status in (Event.Status.LIVE, Event.Status.MINGLE),
    }


def render_for_screen(
    request: HtmxHttpRequest, event: Event, template: str, context: dict[str, Any]
) -> HttpResponse:
    """The projector's pages speak the event's language, whatever the laptop's browser asks."""
    with translation.override(event.language):
        response = render(request, template, context)
    response["Content-Language"] = event.language
    return response


def projector_texts() -> dict[str, str]:
    """The big screen's sentences by stage (``screenFor`` in static/js/now.js)."""
    return {
        # Before check-in opens the join page turns phones away: nothing invites them to scan.
        "draft": _("Check-in opens soon"),
        "check_in": _("Welcome! Scan the code to join"),
        "starting": _("Round {round} is about to start: take your seats"),
        "running": _("Round {round} of {count}"),
        "paused": _("Paused · round {round} of {count}"),
        "between": _("Round over · move to your table for round {round} of {count}"),
        "last_over": _("That was the last round: time to mingle"),
        "mingle": _("Time to mingle: find the people who want to see you"),
        "closed": _("This event has ended. Thank you for coming!"),
        "connecting": "",
        # no "of N": tables of different sizes have different numbers of pitches
        "pitch_of": _("Pitch {index} · {clock}"),
        "open_talk": _("Open conversation"),
        # a table whose pitcher left mid-slot runs its turns later than the others
        # (``Round.turn_shifts``): no one pitch number and clock is true for every table
        "pitches_at_tables": _("Pitches under way at every table"),
    }


@require_GET
def projector(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """The big screen: opened with the event's secret projector link, no sign-in, read-only,
    always in the event's language. Carries the state it was rendered with (see the room)."""
    event = get_object_or_404(Event, projector_key=key)
    join_url = event_queries.join_url(event)
    state = queries.event_state(event.pk, event=event)
    with translation.override(event.language):
        texts = projector_texts()
    context = {
        **projector_find_context(event),
        "socket_path": projector_socket_path(key),
        "join_url": join_url,
        "qr": qr_svg(join_url),
        "live_state": state,
        "announcement": state["announcement"],
        "texts": texts,
        "present": queries.present_count(event.pk),
        "public_address": public_address(),
    }
    return render_for_screen(request, event, "rounds/projector.html", context)


@require_GET
def projector_find(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """The projector's "find your table" fragment, fetched again when the round changes."""
    event = get_object_or_404(Event, projector_key=key)
    context = projector_find_context(event)
    return render_for_screen(request, event, "rounds/partials/find_table.html", context)


@require_GET
def projector_people(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """The projector's count of people checked in and not gone (``queries.present_count``):
    fetched again on the ``people`` push and at every state (static/js/projector.js), and
    polled every 15 s besides."""
    event = get_object_or_404(Event, projector_key=key)
    context = {"event": event, "present": queries.present_count(event.pk)}
    return render_for_screen(request, event, "rounds/partials/projector_people.html", context)
