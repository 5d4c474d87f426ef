from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import queries as event_queries
from events.admin import EventAdmin as BaseEventAdmin
from events.admin import LiveStateAdmin, OrganizedEventFilter, OrganizerScopedAdmin
from events.models import Event
from feedback import exports, followups, reports, retention
from feedback.models import Card, Digest, Introduction

# The event's report, exports and erasure read or change cards and introductions, so they join the
# event's admin here: apps import leftward only (events → pitches → rounds → feedback).
admin.site.unregister(Event)


@admin.register(Event)
class EventAdmin(BaseEventAdmin):
    """The event admin with the post-event report (a button on the change page and a column on
    the list) and CSV exports of the selected events. Both go through ``get_queryset``, so a staff
    organizer reaches only their own events."""

    list_display = [*BaseEventAdmin.list_display, "report_link"]
    actions = ["export_attendees", "export_cards", "export_introductions", "erase_personal_data"]

    def get_urls(self) -> list[URLPattern]:
        report = path(
            "<path:object_id>/report/",
            self.admin_site.admin_view(self.report_view),
            name="events_event_report",
        )
        return [report, *super().get_urls()]

    def report_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        event = self.get_object(request, unquote(object_id))
        if event is None or not self.has_view_permission(request, event):
            raise Http404(_("No such event."))
        report = reports.event_report(event)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Report: %(event)s") % {"event": event},
            "event": event,
            "report": report,
            "charts": reports.report_charts(report),
        }
        return TemplateResponse(request, "admin/events/event/report.html", context)

    @admin.display(description=_("report"))
    def report_link(self, event: Event) -> str:
        url = reverse("admin:events_event_report", args=[event.pk])
        return format_html('<a href="{}">{}</a>', url, _("Report"))

    def export(self, kind: str, queryset: QuerySet[Event]) -> HttpResponse:
        events = list(queryset.order_by("pk").values_list("pk", "slug"))
        return exports.csv_response(exports.event_sheet(kind, events))

    @admin.action(description=_("Export attendees as CSV"), permissions=["view"])
    def export_attendees(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse:
        return self.export("attendees", queryset)

    @admin.action(description=_("Export cards as CSV"), permissions=["view"])
    def export_cards(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse:
        return self.export("cards", queryset)

    @admin.action(description=_("Export introductions as CSV"), permissions=["view"])
    def export_introductions(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse:
        return self.export("introductions", queryset)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        """Erasure is the owner's (``event_queries.is_owner``): the action is offered to a
        superuser and to those who own an event, never to a staff user who only co-organizes
        (it would refuse every event they can select). It still leaves alone the selected
        events the user does not own."""
        if not self.has_change_permission(request):
            return False
        user = request.user
        return user.is_superuser or Event.objects.filter(organizer=user).exists()

    @admin.action(
        description=_("Delete personal data of the selected closed events"),
        permissions=["erase"],
    )
    def erase_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Event]
    ) -> HttpResponse | None:
        """Django's confirmation pattern: a page listing what will happen, then a POST with
        ``post=yes``. Events that are not closed, and those a staff user only co-organizes
        (erasure is the owner's: ``queries.is_owner``), are left as they are, with a warning."""
        owned = list(queryset)
        not_owned: list[Event] = []
        if not request.user.is_superuser:
            not_owned = [
                event for event in owned if not event_queries.is_owner(request.user, event)
            ]
            owned = [event for event in owned if event_queries.is_owner(request.user, event)]
        closed = [event for event in owned if event.status == Event.Status.CLOSED]
        not_closed = [event for event in owned if event.status != Event.Status.CLOSED]
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Delete personal data"),
                "opts": self.model._meta,
                "closed": closed,
                "not_closed": not_closed,
                "not_owned": not_owned,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/feedback/erase_personal_data_confirmation.html", context
            )
        for event in closed:
            retention.erase_event_personal_data(event, by=request.user)
        if closed:
            self.message_user(
                request,
                ngettext(
                    "Personal data of %(n)s event deleted.",
                    "Personal data of %(n)s events deleted.",
                    len(closed),
                )
                % {"n": len(closed)},
                messages.SUCCESS,
            )
        if not_owned:
            self.message_user(
                request,
                _("Not yours, so left as they are: %(events)s. Only an event's owner can do this.")
                % {"events": ", ".join(event.title for event in not_owned)},
                messages.WARNING,
            )
        if not_closed:
            self.message_user(
                request,
                _("Not closed, so left as they are: %(events)s. Close the event first.")
                % {"events": ", ".join(event.title for event in not_closed)},
                messages.WARNING,
            )
        return None


@admin.register(Card)
class CardAdmin(LiveStateAdmin):
    event_path = "round__event"
    list_display = ["giver", "receiver", "kind", "round", "note", "created_at"]
    list_filter = [("round__event", OrganizedEventFilter), "kind", "round__number"]
    search_fields = ["giver__name", "receiver__name", "note"]
    list_select_related = ["giver", "receiver", "round"]
    autocomplete_fields = ["giver", "receiver"]
    readonly_fields = ["client_id", "created_at"]


@admin.register(Introduction)
class IntroductionAdmin(LiveStateAdmin):
    event_path = "card__round__event"
    list_display = ["__str__", "introducer", "pitcher", "target", "status", "created_at"]
    list_filter = [("card__round__event", OrganizedEventFilter), "status"]
    search_fields = ["card__giver__name", "card__receiver__name", "target"]
    list_select_related = ["card__giver", "card__receiver"]
    readonly_fields = ["created_at", "accepted_at", "made_at", "met_at", "declined_at"]

    @admin.display(description=_("introducer"), ordering="card__giver__name")
    def introducer(self, introduction: Introduction) -> str:
        return str(introduction.card.giver)

    @admin.display(description=_("pitcher"), ordering="card__receiver__name")
    def pitcher(self, introduction: Introduction) -> str:
        return str(introduction.card.receiver)


@admin.register(Digest)
class DigestAdmin(OrganizerScopedAdmin):
    event_path = "attendee__event"
    list_display = ["attendee", "kind", "status", "attempts", "error", "claimed_at", "sent_at"]
    list_filter = [("attendee__event", OrganizedEventFilter), "kind", "status"]
    search_fields = ["attendee__name", "attendee__email", "error"]
    list_select_related = ["attendee"]
    readonly_fields = ["status", "attempts", "error", "claimed_at", "sent_at"]
    # A row is a follow-up run's claim on one message to one person (``followups``): moved to
    # someone else or to another kind, the first person got the message twice, or never; added
    # by hand, it marked as sent a message nobody sent.
    fixed_once_added = ("attendee", "kind")
    actions = ["try_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(
        description=_("Try the selected failed messages again on the next run"),
        permissions=["change"],
    )
    def try_again(self, request: HttpRequest, queryset: QuerySet[Digest]) -> None:
        """After the cause is fixed (an address corrected, the mail server back): the failed
        messages get their attempts back; sent ones are never sent twice."""
        count = followups.try_again(queryset)
        self.message_user(
            request,
            ngettext(
                "%(n)s failed message will be tried again on the next run.",
                "%(n)s failed messages will be tried again on the next run.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )
