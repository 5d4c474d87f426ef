from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.admin import LiveStateAdmin, OrganizedEventFilter
from rounds import queries, services
from rounds.models import Round, Seat, Table


@admin.register(Round)
class RoundAdmin(LiveStateAdmin):
    list_display = ["__str__", "event", "status", "started_at", "ends_at", "ended_at"]
    list_filter = [("event", OrganizedEventFilter), "status"]
    search_fields = ["event__title"]
    list_select_related = ["event"]
    readonly_fields = ["started_at", "ends_at", "turns_started_at", "paused_remaining", "ended_at"]
    actions = ["end_rounds"]

    def has_end_permission(self, request: HttpRequest) -> bool:
        """Ending a round is running the evening: whoever may see the event's rounds here
        (its organizers, or a superuser) may end them, through the service."""
        return self.has_view_permission(request)

    @admin.action(description=_("End the selected running or paused rounds"), permissions=["end"])
    def end_rounds(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        ended = 0
        for round_ in queryset.select_related("event").order_by("pk"):
            event = round_.event
            allowed = services.allowed_actions(
                event, queries.current_round(event.pk), queries.next_round(event.pk)
            )
            if "end" not in allowed or queries.active_round(event.pk) != round_:
                continue
            try:
                services.end_round(round_, by=request.user)
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            else:
                ended += 1
        self.message_user(
            request,
            ngettext("%(n)s round ended.", "%(n)s rounds ended.", ended) % {"n": ended},
            messages.SUCCESS if ended else messages.WARNING,
        )


@admin.register(Table)
class TableAdmin(LiveStateAdmin):
    event_path = "round__event"
    list_display = ["__str__", "round", "event"]
    list_filter = [("round__event", OrganizedEventFilter), "round__number"]
    search_fields = ["round__event__title"]
    list_select_related = ["round__event"]

    @admin.display(description=_("event"), ordering="round__event__title")
    def event(self, table: Table) -> str:
        return str(table.round.event)


@admin.register(Seat)
class SeatAdmin(LiveStateAdmin):
    event_path = "round__event"
    list_display = ["attendee", "round", "table", "speaking_order"]
    list_filter = [("round__event", OrganizedEventFilter), "round__number"]
    search_fields = ["attendee__name", "attendee__company"]
    list_select_related = ["attendee", "round", "table"]
    autocomplete_fields = ["attendee"]
