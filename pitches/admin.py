from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from events.admin import OrganizedEventFilter, OrganizerScopedAdmin
from pitches.models import Pitch


@admin.register(Pitch)
class PitchAdmin(OrganizerScopedAdmin):
    event_path = "attendee__event"
    list_display = ["attendee", "event", "ask", "word_count", "spoken_seconds", "updated_at"]
    list_filter = [("attendee__event", OrganizedEventFilter)]
    search_fields = ["attendee__name", "attendee__company", "need", "offer", "ask"]
    list_select_related = ["attendee__event"]
    autocomplete_fields = ["attendee"]
    readonly_fields = ["word_count", "spoken_seconds", "updated_at"]
    exclude = ["wishes"]  # the wish list is its author's alone, never the organizers'
    # One pitch per attendee, for an attendee of the user's events: moved, it became another
    # person's words (one of another event, too).
    fixed_once_added = ("attendee",)

    @admin.display(description=_("event"), ordering="attendee__event__title")
    def event(self, pitch: Pitch) -> str:
        return str(pitch.attendee.event)
