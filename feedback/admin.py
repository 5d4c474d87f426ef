from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
