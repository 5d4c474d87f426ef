from __future__ import annotations

from django.contrib import admin

from conduct.forms import ReportAdminForm
from conduct.models import Report
from events.admin import OrganizerScopedAdmin


@admin.register(Report)
class ReportAdmin(OrganizerScopedAdmin):
    """Reports for the organizers who run the event; a staff organizer sees only theirs."""

    form = ReportAdminForm
    list_display = ["created_at", "event", "kind", "status"]
    list_filter = ["status", "kind"]
    readonly_fields = ["event", "reporter", "kind", "about", "message", "created_at"]
    fields = [*readonly_fields, "status", "organizer_note"]

    def has_add_permission(self, request: object) -> bool:
        return False
