from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from events.models import Attendee, Event, LogEntry


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "starts_at",
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
class AttendeeAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "email", "event", "checked_in_at", "left_at"]
    list_filter = ["event", CheckedInFilter, "is_consenting_to_share"]
    search_fields = ["name", "email", "company", "job_title"]
    list_select_related = ["event"]
    readonly_fields = ["token", "created_at"]
    autocomplete_fields = ["event"]


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "action", "message", "actor"]
    list_filter = ["event", "action"]
    search_fields = ["message"]
    list_select_related = ["event", "actor"]
    readonly_fields = ["event", "created_at", "actor", "action", "message"]
