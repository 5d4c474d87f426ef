from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import admin as events_admin
from events.models import Event
from feedback import retention
from feedback.models import Card, Digest, Introduction


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["giver", "receiver", "kind", "round", "note", "created_at"]
    list_filter = ["round__event", "kind", "round__number"]
    search_fields = ["giver__name", "receiver__name", "note"]
    list_select_related = ["giver", "receiver", "round"]
    autocomplete_fields = ["giver", "receiver"]
    readonly_fields = ["client_id", "created_at"]


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "introducer", "pitcher", "target", "status", "created_at"]
    list_filter = ["card__round__event", "status"]
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
class DigestAdmin(admin.ModelAdmin):
    list_display = ["attendee", "kind", "sent_at"]
    list_filter = ["attendee__event", "kind"]
    search_fields = ["attendee__name", "attendee__email"]
    list_select_related = ["attendee"]
    readonly_fields = ["sent_at"]


# Erasure touches pitches and cards, so the action on events is added here (apps import leftward
# only): the events app's admin, with one more action.
admin.site.unregister(Event)


@admin.register(Event)
class EventAdmin(events_admin.EventAdmin):
    actions = [*(events_admin.EventAdmin.actions or ()), "erase_personal_data"]

    @admin.action(
        description=_("Delete personal data of the selected closed events"),
        permissions=["change"],
    )
    def erase_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Event]
    ) -> HttpResponse | None:
        """Django's confirmation pattern: a page listing what will happen, then a POST with
        ``post=yes``. Events that are not closed are left as they are, with a warning."""
        closed = [event for event in queryset if event.status == Event.Status.CLOSED]
        not_closed = [event for event in queryset if event.status != Event.Status.CLOSED]
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Delete personal data"),
                "opts": self.model._meta,
                "closed": closed,
                "not_closed": not_closed,
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
        if not_closed:
            self.message_user(
                request,
                _("Not closed, so left as they are: %(events)s. Close the event first.")
                % {"events": ", ".join(event.title for event in not_closed)},
                messages.WARNING,
            )
        return None
