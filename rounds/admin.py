from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from events.admin import OrganizedEventFilter, OrganizerScopedAdmin
from rounds.models import Round, Seat, Table


@admin.register(Round)
class RoundAdmin(OrganizerScopedAdmin):
    list_display = ["__str__", "event", "status", "started_at", "ends_at", "ended_at"]
    list_filter = [("event", OrganizedEventFilter), "status"]
    search_fields = ["event__title"]
    list_select_related = ["event"]
    readonly_fields = ["started_at", "ends_at", "turns_started_at", "paused_remaining", "ended_at"]


@admin.register(Table)
class TableAdmin(OrganizerScopedAdmin):
    event_path = "round__event"
    list_display = ["__str__", "round", "event"]
    list_filter = [("round__event", OrganizedEventFilter), "round__number"]
    search_fields = ["round__event__title"]
    list_select_related = ["round__event"]

    @admin.display(description=_("event"), ordering="round__event__title")
    def event(self, table: Table) -> str:
        return str(table.round.event)


@admin.register(Seat)
class SeatAdmin(OrganizerScopedAdmin):
    event_path = "round__event"
    list_display = ["attendee", "round", "table", "speaking_order"]
    list_filter = [("round__event", OrganizedEventFilter), "round__number"]
    search_fields = ["attendee__name", "attendee__company"]
    list_select_related = ["attendee", "round", "table"]
    autocomplete_fields = ["attendee"]
