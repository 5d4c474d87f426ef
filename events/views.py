from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import health
from config.capacity import reports_database_itself
from config.headers import permissions_policy
from config.http import HtmxHttpRequest
from config.i18n import (
    activate_event_language,
    is_shipped_language,
    safe_next_url,
    set_language_cookie,
)
from config.site import public_address, public_url
from events import devices, hygiene, logs, queries, ratelimit, services, tabular
from events.codegate import SESSION_TOKENS, event_for_code
from events.forms import (
    AttendeeForm,
    EventForm,
    ImportMappingForm,
    ImportUploadForm,
    JoinCodeForm,
    JoinForm,
    MyLinkForm,
    OrganizerSignupForm,
    PairRuleForm,
    SeriesForm,
    WalkInForm,
    time_zone_names,
)
from events.language import activate_attendee_language
from events.models import Attendee, Event, ImportUpload
from events.qr import qr_svg


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "events/home.html", {"form": JoinCodeForm()})


@reports_database_itself
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer or a monitor: the database, the channel layer and the cache, each
    with its status; 503 when a part the deployment needs (``SPEEDNET_HEALTHZ_REQUIRES``) is
    down."""
    body, healthy = health.report(required=settings.SPEEDNET_HEALTHZ_REQUIRES)
    return JsonResponse(body, status=200 if healthy else 503)


def too_many_walk_ins_message() -> str:
    return _(
        "Many people are joining this minute: wait a minute and try again, or ask the "
        "organizer at the door."
    )


@require_POST
def attendee_language(request: HttpRequest, token: str) -> HttpResponse:
    """The language switch on an attendee's own pages (``POST language=<code>&next=<url>``):
    sets this browser's language cookie as Django's ``set_language`` does and, from her
    confirmed device (``events.devices.chooses_for``), stores it as her choice (her pages on any
    browser, her mail); another browser holding the link chooses for itself only. Then goes
    back to ``next`` (checked as ``set_language`` checks it, else the Referer, else the room).
    The token is the credential: an unknown one is a 404. A language we do not ship is a
    400 with the reason; nothing is stored."""
    attendee = get_object_or_404(Attendee.objects.select_related("event"), token=token)
    language = request.POST.get("language", "")
    if not is_shipped_language(language):
        activate_attendee_language(request, attendee)
        return HttpResponseBadRequest(
            _("This language is not offered here. Go back and choose one of the page's languages.")
        )
    if devices.chooses_for(request, attendee):
        services.choose_language(attendee, language=language)
    response = redirect(safe_next_url(request, fallback=reverse("room", args=[token])))
    return set_language_cookie(response, language)


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
    """The join page of an event code (throttled for a venue behind one address: see
    events/ratelimit.py), and the walk-in form."""
    response = join_page(request, code)
    return ratelimit.remember_device(request, response)


def join_page(request: HtmxHttpRequest, code: str) -> HttpResponse:
    event = event_for_code(request, code)
    if isinstance(event, HttpResponse):
        return event
    activate_event_language(request, event)
    attendee = remembered_attendee(request, event)
    if attendee is not None:
        return redirect("room", token=attendee.token)
    if not event.is_open_for_joining:
        context = {
            "event": event,
            "refusal": services.joining_refusal(event),
            "link_form": MyLinkForm(),
        }
        return render(request, "events/join.html", context)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.is_walk_in_limited(request, event=event):
            if ratelimit.is_first_refusal_this_minute(event):
                services.refuse_walk_ins(event)
            context = {"event": event, "form": form, "link_form": MyLinkForm()}
            form.add_error(None, too_many_walk_ins_message())
            return render(request, "events/join.html", context, status=429)
        try:
            attendee = services.join_event(event, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            ratelimit.record_walk_in(request, event=event)
            tokens = request.session.get(SESSION_TOKENS, {})
            request.session[SESSION_TOKENS] = {**tokens, str(event.pk): attendee.token}
            return redirect(reverse("room", kwargs={"token": attendee.token}))
    context = {"event": event, "form": form, "link_form": MyLinkForm()}
    return render(request, "events/join.html", context)


# The organizer's pages. Every one starts from the events this user organizes.


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    form = OrganizerSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("event_list")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_GET
def event_list(request: HtmxHttpRequest) -> HttpResponse:
    events = queries.events_of(request.user).order_by("-starts_at", "pk")
    return render(request, "events/event_list.html", {"events": events})


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HtmxHttpRequest) -> HttpResponse:
    """A new event; ``?series=<id>`` (one of the user's series) makes it an event of that series
    with the last event's settings filled in."""
    initial: dict[str, object] = {}
    if request.method == "GET" and request.GET.get("series", "").isdigit():
        series = queries.organizer_series(request.user, int(request.GET["series"]))
        initial = queries.copied_settings(series)
    form = EventForm(request.POST or None, initial=initial, organizer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            return redirect("event_detail", event_id=event.pk)
    context = {"form": form, "time_zone_names": time_zone_names()}
    return render(request, "events/event_form.html", context)


@login_required
@require_GET
def event_detail(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = queries.organizer_event(request.user, event_id)
    context = {
        "event": event,
        "attendance": queries.door_counts(event),
        "log": logs.lines(event.log_entries.select_related("actor")[:20]),
        "co_organizers": event.co_organizers.order_by("username"),
        "is_owner": queries.is_owner(request.user, event),
        "join_url": queries.join_url(event),
        "public_address": public_address(),
    }
    return render(request, "events/event_detail.html", context)


@login_required
@require_GET
def attendee_list(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = queries.organizer_event(request.user, event_id)
    search = hygiene.clean_search(request.GET.get("q"), max_length=100)
    status = request.GET.get("status", "")
    context = {
        "event": event,
        "attendees": queries.attendees_of(event, search=search, status=status),
        "attendance": queries.door_counts(event),
        "search": search,
        "status": status,
        "form": AttendeeForm(),
        "adding_refusal": services.adding_refusal(event),
    }
    template = "events/partials/attendee_table.html" if request.htmx else "events/attendees.html"
    return render(request, template, context)


@login_required
@require_POST
def attendee_add(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = queries.organizer_event(request.user, event_id)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            attendee = services.add_attendee(event, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("%(name)s added.") % {"name": attendee.name})
            return redirect("attendee_list", event_id=event.pk)
    context = {
        "event": event,
        "attendees": queries.attendees_of(event),
        "attendance": queries.door_counts(event),
        "form": form,
        "adding_refusal": services.adding_refusal(event),
    }
    return render(request, "events/attendees.html", context, status=400)


@login_required
@require_GET
@permissions_policy(camera="self")
def door(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """The door: check people in by scanning their personal QR code with this device's camera
    (its own page, the only one that may use the camera), or by search and list. The list shows
    who is not here yet; a search (``q``) finds everyone, checked in or gone too, so the door can
    undo a check-in or mark someone as left. With htmx: the list alone."""
    event = queries.organizer_event(request.user, event_id)
    search = hygiene.clean_search(request.GET.get("q"), max_length=100)
    context = door_context(event, WalkInForm(), search=search)
    if request.htmx:
        return render(request, "events/partials/attendee_table.html", context)
    return render(request, "events/door.html", context)


def door_context(
    event: Event, walk_in: WalkInForm, *, search: str = "", match: Attendee | None = None
) -> dict[str, Any]:
    status = "" if search else "invited"
    return {
        "event": event,
        "attendees": queries.attendees_of(event, search=search, status=status),
        "attendance": queries.door_counts(event),
        "status": status,
        "search": search,
        "walk_in": walk_in,
        "match": match,
        "adding_refusal": services.adding_refusal(event),
    }


def is_duplicate_email(refusal: ValidationError) -> bool:
    """Whether ``refusal`` says the email is already at the event (``services.DUPLICATE_EMAIL``)."""
    errors = refusal.error_dict.get("email", []) if hasattr(refusal, "error_dict") else []
    return any(error.code == services.DUPLICATE_EMAIL for error in errors)


@login_required
@require_POST
def door_walk_in(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Add a walk-in at the door and check them in at once, under "Add someone"'s rules (a
    blocked email refused, an email already at the event refused); a refused form comes back
    with what was typed and why. An email already at the event names who has it (this event's
    attendee, shown to its organizers only), whether they are here, and offers their check-in."""
    event = queries.organizer_event(request.user, event_id)
    form = WalkInForm(request.POST)
    match = None
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            attendee = services.admit_walk_in(event, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
            if is_duplicate_email(refusal):
                match = queries.attendee_with_email(event, email)
        else:
            messages.success(request, _("%(name)s added and checked in.") % {"name": attendee.name})
            return redirect("door", event_id=event.pk)
    context = door_context(event, form, match=match)
    return render(request, "events/door.html", context, status=400)


# What the door reads: a personal link ("https://…/a/<token>/") or a badge ("https://…/b/<key>/").
SCANNED_LINK = re.compile(r"/(a|b)/([A-Za-z0-9_-]{8,128})/?(?:[?#].*)?$")
BARE_SECRET = re.compile(r"[A-Za-z0-9_-]{8,128}")


def scanned_attendee(text: str) -> Q | None:
    """Which attendee a scanned code names: their personal link (by token), their badge (by
    badge key), or a bare token or key; None for anything else."""
    text = text.strip()
    found = SCANNED_LINK.search(text)
    if found:
        kind, secret = found.groups()
        return Q(token=secret) if kind == "a" else Q(badge_key=secret)
    if BARE_SECRET.fullmatch(text):
        return Q(token=text) | Q(badge_key=text)
    return None


@login_required
@require_POST
def door_scan(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Check in the attendee whose personal link or badge was scanned (only among this event's
    attendees); answers with who it was (and an undo), and the door's counters at once."""
    event = queries.organizer_event(request.user, event_id)
    scanned = scanned_attendee(request.POST.get("code", "")[:500])
    attendee = event.attendees.filter(scanned).first() if scanned is not None else None
    error = ""
    was_present = False
    if attendee is None:
        error = _("This code is not a ticket for this event.")
    else:
        was_present = attendee.is_present
        try:
            attendee = services.check_in(attendee, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    context = {
        "event": event,
        "attendee": attendee,
        "error": error,
        "was_present": was_present,
        "attendance": queries.door_counts(event),
        "oob": True,
    }
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("%(name)s checked in.") % {"name": attendee.name})
        return redirect("door", event_id=event.pk)
    return render(request, "events/partials/door_result.html", context)


def import_problem(request: HttpRequest, event: Event, problem: str) -> HttpResponse:
    """Start the import again with the reason the file could not be read (or, where the event
    takes no new people, only why: ``import_start``)."""
    context = {**import_start(event), "problem": problem}
    return render(request, "events/import.html", context, status=400)


def import_start(event: Event) -> dict[str, Any]:
    """The import page's context before a file: the upload form, or, where the event takes no
    new people, the reason in its place (``services.adding_refusal``)."""
    return {
        "event": event,
        "upload": ImportUploadForm(),
        "adding_refusal": services.adding_refusal(event),
    }


def import_preview(
    request: HttpRequest,
    event: Event,
    upload: ImportUpload,
    mapping: dict[str, int | None] | None,
    encoding: str | None = None,
) -> HttpResponse:
    """The dry run: what each row would do, every problem by line, the column mapping and the
    encoding to change; nothing is saved here. An encoding that cannot read the file is
    reported above the detected reading."""
    refused: list[str] = []
    try:
        parsed, comparison = services.preview_import(
            event, data=bytes(upload.data), mapping=mapping, encoding=encoding
        )
    except ValidationError as error:
        if encoding is None:
            return import_problem(request, event, " ".join(error.messages))
        refused = error.messages
        try:
            parsed, comparison = services.preview_import(
                event, data=bytes(upload.data), mapping=mapping
            )
        except ValidationError as again:
            return import_problem(request, event, " ".join(again.messages))
    comparison.errors[:0] = refused
    initial = {f"column_{name}": "" if i is None else str(i) for name, i in parsed.mapping.items()}
    initial["upload"] = upload.key
    is_text = parsed.encoding in tabular.CHOOSABLE
    initial["encoding"] = parsed.encoding
    initial["previewed"] = ImportMappingForm.fingerprint(
        parsed.mapping, parsed.encoding if is_text else None
    )
    form = ImportMappingForm(headers=parsed.headers, initial=initial, is_text=is_text)
    sample = [
        (row, comparison.action_of(row), comparison.sharing_of(row)) for row in parsed.rows[:20]
    ]
    context = {
        "event": event,
        "parsed": parsed,
        "comparison": comparison,
        "form": form,
        "sample": sample,
        "file_name": upload.file_name,
    }
    return render(request, "events/import.html", context, status=400 if comparison.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def attendee_import(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Upload (kept on the server), check the columns and the dry run, then import."""
    event = queries.organizer_event(request.user, event_id)
    if request.method == "GET":
        return render(request, "events/import.html", import_start(event))
    if "file" in request.FILES:
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            context = {**import_start(event), "upload": form}
            return render(request, "events/import.html", context, status=400)
        file = form.cleaned_data["file"]
        try:
            upload = services.store_upload(
                event, data=file.read(), file_name=file.name or "", by=request.user
            )
        except ValidationError as refusal:
            return import_problem(request, event, " ".join(refusal.messages))
        return import_preview(request, event, upload, None)
    upload = queries.import_upload(event, key=request.POST.get("upload", ""), user=request.user)
    if upload is None:
        return import_problem(
            request, event, _("The uploaded file is no longer here; upload it again.")
        )
    mapping = ImportMappingForm.posted_mapping(request.POST)
    encoding = ImportMappingForm.posted_encoding(request.POST)
    if encoding != ImportMappingForm.previewed_encoding(request.POST):
        # The columns shown were guessed from another reading of the file: guess them again.
        return import_preview(request, event, upload, None, encoding)
    previewed = ImportMappingForm.fingerprint(mapping, encoding)
    if request.POST.get("step") != "import" or request.POST.get("previewed") != previewed:
        # A choice changed since the dry run shown: show the dry run of what would be imported.
        return import_preview(request, event, upload, mapping, encoding)
    try:
        result = services.import_attendees(
            event,
            data=bytes(upload.data),
            mapping=mapping,
            by=request.user,
            upload=upload,
            encoding=encoding,
        )
    except ValidationError:
        return import_preview(request, event, upload, mapping, encoding)
    messages.success(
        request,
        _(
            "Imported: %(added)s added, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s left out, %(pairs)s new pairs to keep apart."
        )
        % {
            "pairs": result.pairs,
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
        },
    )
    return redirect("attendee_list", event_id=event.pk)


@login_required
@require_GET
def seating(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Who the planner keeps apart: colleagues found by company name, and the organizer's own
    seating rules (keep apart, or may sit together)."""
    event = queries.organizer_event(request.user, event_id)
    context = {
        "event": event,
        "groups": queries.colleague_groups(event),
        "rules": queries.pair_rules(event),
        "private_rules": queries.private_apart_count(event),
        "form": PairRuleForm(event=event),
    }
    return render(request, "events/seating.html", context)


@login_required
@require_POST
def pair_rule_add(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    event = queries.organizer_event(request.user, event_id)
    form = PairRuleForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.set_pair_rule(
                event,
                first_id=form.cleaned_data["first"].pk,
                second_id=form.cleaned_data["second"].pk,
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            return redirect("seating", event_id=event.pk)
    context = {
        "event": event,
        "groups": queries.colleague_groups(event),
        "rules": queries.pair_rules(event),
        "form": form,
    }
    return render(request, "events/seating.html", context, status=400)


@login_required
@require_POST
def pair_rule_remove(request: HtmxHttpRequest, event_id: int, rule_id: int) -> HttpResponse:
    event = queries.organizer_event(request.user, event_id)
    try:
        services.remove_pair_rule(event, rule_id=rule_id, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    return redirect("seating", event_id=event.pk)


@login_required
@require_GET
def print_poster(request: HttpRequest, event_id: int) -> HttpResponse:
    """The door poster: the join code in large type and a QR code to the join page, at the
    public address (a warning on screen when phones cannot reach it)."""
    event = queries.organizer_event(request.user, event_id)
    join_url = queries.join_url(event)
    context = {
        "event": event,
        "join_url": join_url,
        "qr": qr_svg(join_url),
        "public_address": public_address(),
    }
    return render(request, "events/print_poster.html", context)


# Each press of "Accept" without a confirmation mails the account's own address: a script must
# not use it to flood that mailbox.
CO_ORGANIZER_CONFIRMATIONS_PER_HOUR = 5


@login_required
@require_http_methods(["GET", "POST"])
def co_organizer_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link of a co-organizer invitation: signed in with the invited address, confirm with
    one button; a mail to that address then carries the same page with ``?proof=`` (the mailbox
    confirmed, ``services.accept_co_organizer_invitation``), whose button accepts. Another
    account is told which masked address to sign in with."""
    proof = (request.POST if request.method == "POST" else request.GET).get("proof", "")
    if request.method == "POST":
        if not proof and ratelimit.usage(
            request,
            group="co-organizer-confirmation",
            key="user",
            rate=f"{CO_ORGANIZER_CONFIRMATIONS_PER_HOUR}/h",
            count=True,
        ):
            messages.error(request, _("Too many confirmation mails this hour: try again later."))
            return redirect("co_organizer_accept", token=token)
        try:
            event = services.accept_co_organizer_invitation(
                token,
                user=request.user,
                proof=proof,
                confirm_url=lambda signed: public_url(
                    f"{reverse('co_organizer_accept', args=[token])}?{urlencode({'proof': signed})}"
                ),
            )
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect("event_list")
        if event is None:
            context = {"token": token, "sent_to": devices.masked_email(request.user.email)}
            return render(request, "events/co_organizer_accept.html", context)
        return redirect("event_detail", event_id=event.pk)
    return render(request, "events/co_organizer_accept.html", {"token": token, "proof": proof})


# A reset mail goes to whatever address is typed: a script must not flood one person's inbox
# (per address typed) nor use the server to mail many (per client address).
PASSWORD_RESETS_PER_EMAIL_HOUR = 3
PASSWORD_RESETS_PER_ADDRESS_HOUR = 10


def typed_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().casefold()


@method_decorator(never_cache, name="dispatch")
class PasswordReset(auth_views.PasswordResetView):
    """Django's reset form, with its mails limited per address typed and per client address
    (the answer is "sent" either way for an unknown address, as Django's is)."""

    def form_valid(self, form: Any) -> HttpResponse:
        over_email = ratelimit.usage(
            self.request,
            group="password-reset-email",
            key=typed_email,
            rate=f"{PASSWORD_RESETS_PER_EMAIL_HOUR}/h",
            count=True,
        )
        over_address = ratelimit.usage(
            self.request,
            group="password-reset-address",
            key=ratelimit.by_address,
            rate=f"{PASSWORD_RESETS_PER_ADDRESS_HOUR}/h",
            count=True,
        )
        if over_email or over_address:
            form.add_error(None, _("Too many reset requests: try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


password_reset = PasswordReset.as_view()


# Each invitation mails any address a subject naming the event: a fresh account (sign-up is
# open) must not turn the server into a mail cannon.
CO_ORGANIZER_INVITATIONS_PER_HOUR = 20


@login_required
@require_POST
def co_organizers(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    """Invite (``email``) or remove (``remove``) a co-organizer; the owner only. The answer to an
    invitation is the same whether or not the address has an account. A co-organizer gets 403
    (``queries.owned_event``)."""
    event = queries.owned_event(request.user, event_id)
    try:
        if "remove" in request.POST:
            user_id = int(request.POST["remove"]) if request.POST["remove"].isdigit() else 0
            services.remove_co_organizer(event, user_id=user_id, by=request.user)
        elif ratelimit.usage(
            request,
            group="co-organizer-invitation",
            key="user",
            rate=f"{CO_ORGANIZER_INVITATIONS_PER_HOUR}/h",
            count=True,
        ):
            messages.error(request, _("Too many invitations this hour: try again later."))
        else:
            invitation = services.invite_co_organizer(
                event,
                email=request.POST.get("email", ""),
                by=request.user,
                accept_url=lambda token: public_url(reverse("co_organizer_accept", args=[token])),
            )
            messages.success(
                request,
                _("Invitation sent to %(email)s: they become a co-organizer when they accept it.")
                % {"email": invitation.email},
            )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    return redirect("event_detail", event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def series_list(request: HtmxHttpRequest) -> HttpResponse:
    """The user's series, and a new one."""
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.create_series(request.user, title=form.cleaned_data["title"])
        except ValidationError as refusal:
            form.add_error("title", refusal)
        else:
            return redirect("series_detail", series_id=series.pk)
    context = {"series_list": queries.series_of(request.user).order_by("title", "pk"), "form": form}
    return render(request, "events/series_list.html", context)


@require_POST
def series_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's yes or no to "Is this you from …?", then back to the room. A "yes" links
    them to what the series remembers under their email, so it needs the email's owner
    (``devices.owns_email``): a walk-in's typed email is first confirmed with a mailed code,
    after which the yes is taken (``feedback.views.device_confirm``, ``next_page=series``)."""
    attendee = get_object_or_404(Attendee, token=token)
    answer = request.POST.get("answer", "")
    if answer == "same" and not devices.owns_email(request, attendee):
        return redirect("series_confirm", token=token)
    if answer in {"same", "other"}:
        services.answer_series_question(attendee, is_same=answer == "same")
    return redirect("room", token=token)
