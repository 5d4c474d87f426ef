from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from config.http import HtmxHttpRequest
from config.site import public_address, public_url
from events import chinese, devices, hygiene
from events import services as event_services
from events.language import activate_attendee_language
from events.models import Attendee
from events.qr import qr_svg
from events.queries import attendees_of, organizer_event
from pitches import queries, services
from pitches.forms import GuestListingForm, PitchForm, WishForm, WishRemoveForm
from pitches.models import (
    CJK_CHARACTERS_PER_MINUTE,
    MAX_WISHES,
    WISH_LENGTH,
    WORDS_PER_MINUTE,
    Pitch,
)

SEARCH_LENGTH = 100
"""Characters of a guest-list search read (a longer one is cut)."""


def guest_search(request: HttpRequest) -> str:
    """The guest-list search typed (``?q=``), as searched (``hygiene.clean_search``)."""
    return hygiene.clean_search(request.GET.get("q"), max_length=SEARCH_LENGTH)


def pitch_initial(attendee: Attendee) -> dict[str, str]:
    current = Pitch.objects.filter(attendee=attendee).first()
    if current is None:
        return {"need": attendee.registration_need}
    return {"need": current.need, "offer": current.offer, "ask": current.ask}


def is_wish_owner(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether this browser may read and change the attendee's wish list: only the attendee's
    confirmed device (the one that first opened the link, or confirmed with a mailed code), so
    another browser with the link (the organizer's, a forwarded mail) neither reads nor changes
    it."""
    return devices.is_confirmed_device(request, attendee)


def wish_context(
    request: HttpRequest,
    attendee: Attendee,
    *,
    error: str = "",
    done: str = "",
    typed: str = "",
    search: str = "",
) -> dict[str, object]:
    """What the wish list's fragment shows: the list, the add forms (with the typed text kept
    after a refusal), the guest-list results for ``search``, the listing choice. Once no round
    is left to seat (``Event.has_seating_ahead``), the list (its wishes can still be removed)
    and why nothing can be added; no search."""
    if attendee.is_removed:  # taken out of the rounds after a report: no guest list, no seating
        return {"is_wish_owner": False, "is_removed": True}
    if not is_wish_owner(request, attendee):
        return {"is_wish_owner": False}
    wishes = queries.wishes_of(attendee)
    if not attendee.event.has_seating_ahead:  # no plan is left to shape: nothing to add
        return {
            "is_wish_owner": True,
            "wishes": wishes,
            "max_wishes": MAX_WISHES,
            "wish_error": "" if error == services.wishes_over() else error,
            "wish_done": done,
            "wishes_over": services.wishes_over(),
        }
    return {
        "is_wish_owner": True,
        "wishes": wishes,
        "max_wishes": MAX_WISHES,
        "is_full": len(wishes) >= MAX_WISHES,
        "wish_form": WishForm(initial={"text": typed}),
        "wish_error": error,
        "wish_done": done,
        "search": search,
        "guests": queries.search_guest_list(attendee, search),
        "guest_results_limit": queries.GUEST_RESULTS,
    }


def pitch_page(
    request: HttpRequest, attendee: Attendee, form: PitchForm, *, status: int = 200, **wish: str
) -> HttpResponse:
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "form": form,
        "words_per_minute": WORDS_PER_MINUTE,
        "cjk_characters_per_minute": CJK_CHARACTERS_PER_MINUTE,
        **wish_context(request, attendee, **wish),
    }
    return render(request, "pitches/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def pitch_edit(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The phone's pitch page: the pitch (need, offer, ask) and, on the attendee's own device,
    their private wish list (``?q=`` searches the guest list without script)."""
    attendee = get_object_or_404(Attendee.objects.select_related("event"), token=token)
    activate_attendee_language(request, attendee)
    devices.claim_device(request, attendee)
    if event_services.needs_conduct(attendee):  # the invitation's pitch link is a first arrival
        return redirect("conduct_accept", token=token)
    form = PitchForm(request.POST or None, initial=pitch_initial(attendee))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_pitch(attendee, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            return redirect("room", token=token)
    return pitch_page(request, attendee, form, search=guest_search(request))


def wish_owner(request: HtmxHttpRequest, token: str) -> Attendee | HttpResponse:
    """The attendee whose wish list this browser may change, or the answer refusing it: 404 for
    an unknown link, 403 for someone an organizer took out of the rounds and from a browser that
    is not the attendee's confirmed device, the code of conduct first when it waits."""
    attendee = get_object_or_404(Attendee.objects.select_related("event"), token=token)
    activate_attendee_language(request, attendee)
    if event_services.needs_conduct(attendee):
        url = reverse("conduct_accept", args=[token])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if attendee.is_removed:
        return HttpResponseForbidden(event_services.no_more_tables())
    if not is_wish_owner(request, attendee):
        return HttpResponseForbidden(
            _(
                "Your wish list opens only on the phone that first opened your link. Open My "
                "details on this phone to confirm it with a code."
            )
        )
    return attendee


def wish_answer(
    request: HtmxHttpRequest, attendee: Attendee, *, error: str, done: str, typed: str = ""
) -> HttpResponse:
    """After a change to the wish list: htmx gets the list's fragment (with the refusal, or
    what was done), a plain form the page again (400 with the refusal) or a redirect to it."""
    if request.htmx:
        context = {
            "attendee": attendee,
            "event": attendee.event,
            **wish_context(request, attendee, error=error, done=done, typed=typed),
        }
        return render(request, "pitches/partials/wishes.html", context)
    if error:
        form = PitchForm(initial=pitch_initial(attendee))
        return pitch_page(request, attendee, form, status=400, error=error, typed=typed)
    messages.success(request, done)
    return redirect(reverse("pitch_edit", args=[attendee.token]) + "#wishes")


def form_errors(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
def wish_add(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Add a wish: a person picked from the guest list, or a kind of person typed."""
    attendee = wish_owner(request, token)
    if isinstance(attendee, HttpResponse):
        return attendee
    form = WishForm(request.POST)
    error = done = ""
    if not form.is_valid():
        error = form_errors(form)
    else:
        try:
            services.add_wish(
                attendee, person_id=form.cleaned_data["person"], text=form.cleaned_data["text"]
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            done = _("Added to your wish list.")
    typed = request.POST.get("text", "")[: 2 * WISH_LENGTH] if error else ""
    return wish_answer(request, attendee, error=error, done=done, typed=typed)


@require_POST
def wish_remove(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Take a wish off the list."""
    attendee = wish_owner(request, token)
    if isinstance(attendee, HttpResponse):
        return attendee
    form = WishRemoveForm(request.POST)
    error = done = ""
    if not form.is_valid():
        error = _("Choose a wish to remove.")
    else:
        try:
            services.remove_wish(attendee, wish_id=form.cleaned_data["wish"])
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            done = _("Removed from your wish list.")
    return wish_answer(request, attendee, error=error, done=done)


@require_POST
def guest_listing(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The attendee's own yes or no to being on the event's guest list."""
    attendee = wish_owner(request, token)
    if isinstance(attendee, HttpResponse):
        return attendee
    form = GuestListingForm(request.POST)
    error = done = ""
    if not form.is_valid():
        error = _("Choose whether to be on the guest list.")
    else:
        is_listed = form.cleaned_data["is_listed"]
        attendee = event_services.set_guest_listing(attendee, is_listed=is_listed)
        done = _("You are on the guest list.") if is_listed else _("You are not on the guest list.")
    return wish_answer(request, attendee, error=error, done=done)


@require_GET
def wish_guests(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The guest-list search's results (htmx, as the attendee types); without script the pitch
    page shows them. Once no round is left to seat (``Event.has_seating_ahead``) it answers
    that, and nobody: a page loaded earlier may still search."""
    attendee = wish_owner(request, token)
    if isinstance(attendee, HttpResponse):
        return attendee
    search = guest_search(request)
    if not request.htmx:
        return redirect(
            reverse("pitch_edit", args=[token]) + "?" + urlencode({"q": search}) + "#wishes"
        )
    if not attendee.event.has_seating_ahead:
        context = {"attendee": attendee, "wishes_over": services.wishes_over()}
        return render(request, "pitches/partials/guest_results.html", context)
    context = {
        "attendee": attendee,
        "search": search,
        "guests": queries.search_guest_list(attendee, search),
        "guest_results_limit": queries.GUEST_RESULTS,
        "is_full": len(queries.wishes_of(attendee)) >= MAX_WISHES,
    }
    return render(request, "pitches/partials/guest_results.html", context)


@login_required
@require_GET
def print_badges(request: HttpRequest, event_id: int) -> HttpResponse:
    """Badges with each attendee's badge QR code and the ask of their pitch (in this app because
    it shows the pitch). A badge is worn in view, so its code is the badge key, not the personal
    link: it opens the room only in the attendee's own browser, anywhere else it offers to mail
    the link to them (feedback ``badge``), and it checks them in at the door. No badge for
    someone who deleted their data (their row stays as the placeholder)."""
    event = organizer_event(request.user, event_id)
    attendees = sorted(
        attendees_of(event).filter(erased_at__isnull=True).select_related("pitch"),
        key=lambda attendee: (chinese.name_sort_key(attendee.name), attendee.pk),
    )  # by name, Chinese names by their pinyin among the Latin ones
    badges = [
        (attendee, qr_svg(public_url(reverse("badge", args=[attendee.badge_key]))))
        for attendee in attendees
    ]
    context = {"event": event, "badges": badges, "public_address": public_address()}
    return render(request, "events/print_badges.html", context)
