from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db.models import Count, Field, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from events import logs
from events.forms import AttendeeAdminForm
from events.models import Attendee, Event, LogEntry, PairRule


def venue_time(moment: datetime | None, zone: str) -> str:
    """``moment`` as wall-clock time in the time zone named ``zone`` ("2026-12-01 18:30 CST"),
    "" for none."""
    if moment is None:
        return ""
    try:
        local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return local.strftime("%Y-%m-%d %H:%M %Z")


class OrganizedEventFilter(admin.RelatedFieldListFilter):
    """The event filter of a changelist: a staff organizer is offered only their own events."""

    def field_choices(
        self, field: Field, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[Any, str]]:
        if request.user.is_superuser:
            return super().field_choices(field, request, model_admin)
        events = Event.objects.organized_by(request.user).order_by("-starts_at", "pk")
        return [(event.pk, str(event)) for event in events]


class OrganizerScopedAdmin(admin.ModelAdmin):
    """A staff user who is not a superuser sees, changes and exports only the rows of the events
    they organize (or co-organize); a superuser sees everything. ``event_path`` leads from the
    model to its event. Foreign-key choices are scoped the same way, through the related
    model's own admin."""

    event_path = "event"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        events = Event.objects.organized_by(request.user).values("pk")
        return queryset.filter(**{f"{self.event_path}__in": events})

    def formfield_for_foreignkey(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            related = scoped_admin_of(self.admin_site, db_field.related_model)
            if related is not None:
                kwargs["queryset"] = related.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LiveStateAdmin(OrganizerScopedAdmin):
    """Rows the evening's state machine owns (rounds, tables, seats, cards, introductions, the
    log): readable here, never added, edited or deleted directly, which would bypass the
    services, the pushes to the phones and the state version. Changes that make sense are admin
    actions calling the services."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def scoped_admin_of(site: admin.AdminSite, model: type[Model]) -> OrganizerScopedAdmin | None:
    try:
        model_admin = site.get_model_admin(model)
    except admin.sites.NotRegistered:
        return None
    return model_admin if isinstance(model_admin, OrganizerScopedAdmin) else None


@admin.register(Event)
class EventAdmin(OrganizerScopedAdmin):
    """feedback/admin.py extends this with the post-event report and the CSV exports."""

    event_path = "pk"
    list_display = [
        "title",
        "venue_start",
        "venue",
        "status",
        "join_code",
        "organizer",
        "attendee_count",
        "checked_in_count",
    ]
    list_filter = ["status", "starts_at", "language"]
    search_fields = ["title", "venue", "join_code", "organizer__username", "organizer__email"]
    list_select_related = ["organizer"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["co_organizers"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "closed_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                attendee_total=Count("attendees", distinct=True),
                checked_in_total=Count(
                    "attendees", filter=Q(attendees__checked_in_at__isnull=False), distinct=True
                ),
            )
        )

    @admin.display(description=_("starts (venue time)"), ordering="starts_at")
    def venue_start(self, event: Event) -> str:
        """The start in the event's own time zone, as the organizer typed it."""
        return venue_time(event.starts_at, event.time_zone)

    @admin.display(description=_("attendees"), ordering="attendee_total")
    def attendee_count(self, event: Event) -> int:
        return event.attendee_total

    @admin.display(description=_("checked in"), ordering="checked_in_total")
    def checked_in_count(self, event: Event) -> int:
        return event.checked_in_total


class CheckedInFilter(admin.SimpleListFilter):
    title = _("presence")
    parameter_name = "presence"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("invited", _("Invited, not checked in")),
            ("present", _("Checked in and present")),
            ("left", _("Left")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Attendee]) -> QuerySet[Attendee]:
        match self.value():
            case "invited":
                return queryset.filter(checked_in_at__isnull=True)
            case "present":
                return queryset.filter(checked_in_at__isnull=False, left_at__isnull=True)
            case "left":
                return queryset.filter(left_at__isnull=False)
        return queryset


@admin.register(Attendee)
class AttendeeAdmin(OrganizerScopedAdmin):
    form = AttendeeAdminForm
    list_display = ["name", "company", "email", "event", "checked_in_at", "left_at"]
    list_filter = [("event", OrganizedEventFilter), CheckedInFilter, "is_consenting_to_share"]
    search_fields = ["name", "email", "company", "job_title"]
    list_select_related = ["event"]
    # The consent choice is the attendee's own (My details, the room, the join form): the
    # organizer sets only the suggestion (``is_consent_suggested``) the attendee confirms.
    readonly_fields = [
        "token",
        "created_at",
        "is_consenting_to_share",
        "consent_decided_at",
        "wechat_id",
        "linkedin_url",
        "language",
        "invited_at",
    ]
    autocomplete_fields = ["event"]


@admin.register(PairRule)
class PairRuleAdmin(OrganizerScopedAdmin):
    list_display = ["event", "first", "second", "kind", "created_at"]
    list_filter = [("event", OrganizedEventFilter), "kind"]
    list_select_related = ["event", "first", "second"]
    autocomplete_fields = ["event", "first", "second"]
    readonly_fields = ["created_at"]


@admin.register(LogEntry)
class LogEntryAdmin(LiveStateAdmin):
    list_display = ["venue_created", "event", "action", "params", "message", "actor"]
    list_filter = [("event", OrganizedEventFilter), "action"]
    search_fields = ["message"]
    list_select_related = ["event", "actor"]
    readonly_fields = ["event", "venue_created", "actor", "action", "line", "params"]
    fields = readonly_fields

    @admin.display(description=_("at (venue time)"), ordering="created_at")
    def venue_created(self, entry: LogEntry) -> str:
        return venue_time(entry.created_at, entry.event.time_zone)

    @admin.display(description=_("what happened"))
    def line(self, entry: LogEntry) -> str:
        return logs.text(entry)
