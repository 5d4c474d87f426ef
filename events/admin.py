from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Field, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from events import logs, queries, sockets
from events.forms import AttendeeAdminForm, EventAdminForm
from events.models import Attendee, Event, LogEntry, PairRule, Series
from events.services import STRUCTURE_FIELDS


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
    # The links that make a row what it is (its event, its attendee): chosen when it is added,
    # among the user's own events' rows, then read-only for everyone, superusers too. Re-pointed
    # later, the row moved to another event (one the user runs) while the seats, cards and log
    # of the first still pointed at it.
    fixed_once_added: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        events = Event.objects.organized_by(request.user).values("pk")
        return queryset.filter(**{f"{self.event_path}__in": events})

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.extend(name for name in self.fixed_once_added if name not in fields)
        return fields

    def formfield_for_foreignkey(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            if db_field.related_model is get_user_model():
                kwargs["queryset"] = organizer_team(request.user)
            related = scoped_admin_of(self.admin_site, db_field.related_model)
            if related is not None:
                kwargs["queryset"] = related.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and db_field.related_model is get_user_model():
            kwargs["queryset"] = organizer_team(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def organizer_team(user: Any) -> QuerySet:
    """The accounts a staff organizer may pick in the admin: themselves, and the owners and
    co-organizers of the events they run; never the site's other accounts (new co-organizers
    come in by invitation, which they accept)."""
    events = Event.objects.organized_by(user)
    return (
        get_user_model()
        .objects.filter(
            Q(pk=user.pk) | Q(co_organized_events__in=events) | Q(organized_events__in=events)
        )
        .distinct()
    )


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


class RevokingDeleteMixin:
    """Deleting records closes the live sockets they opened (events/sockets.py), after commit."""

    def socket_groups(self, obj: Any) -> list[str]:
        raise NotImplementedError

    def revoke_after_commit(self, objs: Any) -> None:
        groups = [group for obj in objs for group in self.socket_groups(obj)]
        transaction.on_commit(lambda: sockets.revoke(groups))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.revoke_after_commit([obj])
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.revoke_after_commit(list(queryset))
        super().delete_queryset(request, queryset)  # type: ignore[misc]


@admin.register(Series)
class SeriesAdmin(OrganizerScopedAdmin):
    """A staff organizer sees and picks only their own series (an event's series dropdown
    included); a superuser sees all."""

    list_display = ["title", "organizer", "created_at"]
    search_fields = ["title", "organizer__username"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Series | None = None) -> list[str]:
        """Only a superuser hands a series over, as an event: given to a teammate, a series
        took the owner's events with it (the people it remembers, its pages)."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields.append("organizer")
        return fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Series]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organizer=request.user)


@admin.register(Event)
class EventAdmin(RevokingDeleteMixin, OrganizerScopedAdmin):
    """feedback/admin.py extends this with the post-event report and the CSV exports."""

    def socket_groups(self, obj: Event) -> list[str]:
        return [sockets.event_group(obj.pk)]

    event_path = "pk"
    form = EventAdminForm
    # An event stays in the series it was made in (``services.create_event``; the settings page
    # never moves it): moved, the people one series remembers met another's, and a
    # co-organizer could file the owner's event under a series of their own.
    fixed_once_added = ("series",)
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
    date_hierarchy = "starts_at"
    # The state changes through the services (control page, admin actions), never by a field;
    # helpers are invited and removed by the owner on the event page (removal closes their
    # sockets), so nobody adds or drops them here, and only a superuser hands an event over.
    # The join code is drawn (``services.unused_join_code``), never typed: a short or guessable
    # code lets strangers join. The erasure date is the retention service's (the owner's), and
    # the code of conduct changes on its own page (``services.set_conduct``), where a new text
    # asks everyone to accept it again: changed here, the attendees' acceptance stood for a
    # text they never read.
    readonly_fields = [
        "created_at",
        "status",
        "join_code",
        "closed_at",
        "personal_data_erased_at",
        "announcement",
        "announced_at",
        "announcement_expires_at",
        "co_organizers",
        "conduct_text",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Event | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields.append("organizer")
        if obj is not None:
            # How the rounds are built changes on the event's settings page only
            # (``rounds.services.change_settings``): fixed once a round has started, and a new
            # number of rounds or table size drops the plan. Saved here, it did neither: the
            # phones and the server then disagreed on which round is the last.
            fields.extend(STRUCTURE_FIELDS)
        return fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return queries.with_attendance(super().get_queryset(request))

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Deleting an event is the owner's (``queries.is_owner``), as erasing its data: a
        co-organizer may change it here, not delete it."""
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or queries.is_owner(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The list's "delete selected" deletes only the events the user owns."""
        if not request.user.is_superuser:
            queryset = queryset.filter(organizer=request.user)
        super().delete_queryset(request, queryset)

    @admin.display(description=_("starts (venue time)"), ordering="starts_at")
    def venue_start(self, event: Event) -> str:
        """The start in the event's own time zone, as the organizer typed it."""
        return venue_time(event.starts_at, event.time_zone)

    @admin.display(description=_("attendees"), ordering="attendee_total")
    def attendee_count(self, event: Event) -> int:
        return event.attendee_total

    @admin.display(description=_("checked in"), ordering="arrived_total")
    def checked_in_count(self, event: Event) -> int:
        """Everyone who checked in, those who left since included (``arrived_filter``)."""
        return event.arrived_total


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
        rule = queries.STATUS_FILTERS.get(self.value() or "")
        return queryset if rule is None else queryset.filter(rule)


@admin.register(Attendee)
class AttendeeAdmin(RevokingDeleteMixin, OrganizerScopedAdmin):
    form = AttendeeAdminForm

    def socket_groups(self, obj: Attendee) -> list[str]:
        return [sockets.attendee_group(obj.pk)]

    list_display = ["name", "company", "email", "event", "checked_in_at", "left_at"]
    list_filter = [("event", OrganizedEventFilter), CheckedInFilter, "is_consenting_to_share"]
    search_fields = ["name", "email", "company", "job_title"]
    list_select_related = ["event"]
    # The consent choice is the attendee's own (My details, the room, the join form): the
    # organizer sets only the suggestion (``is_consent_suggested``) the attendee confirms.
    # Unsubscribing is the attendee's too (the link in their mail): cleared here, follow-up
    # mail resumed against their choice. Erasure is a service's (the attendee's own, or the
    # owner's for a closed event: ``feedback.retention``): set here, the row looked erased but
    # kept every detail. Arriving and leaving are the door's and the control page's services
    # (``check_in``, ``mark_left``): typed here, the seating and the live room went by a
    # presence nobody recorded, with no re-plan and no push to the phones.
    readonly_fields = [
        "token",
        "created_at",
        "checked_in_at",
        "left_at",
        "is_consenting_to_share",
        "consent_decided_at",
        "wechat_id",
        "linkedin_url",
        "language",
        "is_language_chosen",
        "invited_at",
        "is_listed_in_guest_list",
        "unsubscribed_at",
        "erased_at",
    ]
    autocomplete_fields = ["event"]
    # Added to one of the user's events; never moved: their seats, cards and log lines stay
    # with the first event, and their phone would show the other.
    fixed_once_added = ("event",)

    def has_change_permission(self, request: HttpRequest, obj: Attendee | None = None) -> bool:
        """An erased attendee is read only: typing details back into the row would undo the
        erasure (``feedback.retention``)."""
        if obj is not None and obj.erased_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, ...]:
        """The deletion summary without the rows private to their author (models with
        ``is_private_to_author``: a wish list), which the deletion still removes: deleting an
        attendee must not tell the organizer that someone wished to meet them."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        private = [
            model for model in apps.get_models() if getattr(model, "is_private_to_author", False)
        ]
        labels = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in private)
        for model in private:
            model_count.pop(model._meta.verbose_name_plural, None)
        return without_labels(to_delete, labels), model_count, perms_needed, protected


def without_labels(nested: list[Any], labels: tuple[str, ...]) -> list[Any]:
    """An admin deletion summary (nested lists of strings) without the lines starting with one
    of ``labels`` (a line of a model with no admin page is "Verbose name: str(obj)")."""
    kept: list[Any] = []
    for item in nested:
        if isinstance(item, list):
            kept.append(without_labels(item, labels))
        elif not str(item).startswith(labels):
            kept.append(item)
    return kept


@admin.register(PairRule)
class PairRuleAdmin(OrganizerScopedAdmin):
    list_display = ["event", "first", "second", "kind", "created_at"]
    list_filter = [("event", OrganizedEventFilter), "kind"]
    list_select_related = ["event", "first", "second"]
    autocomplete_fields = ["event", "first", "second"]
    readonly_fields = ["created_at"]
    # Both people at the rule's event (``PairRule.clean``) when it is added; a rule for other
    # people or another event is a new rule.
    fixed_once_added = ("event", "first", "second")


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


# The site's accounts are the superuser's: a staff organizer (the "Organizers" group,
# feedback/migrations/0005) sees no list of users or groups here, whatever permissions they are
# given (a user admin would show every organizer's email; a change to their own account or the
# group would let them grant themselves more). Their password changes at /admin/password_change/.
class SuperuserOnlyAdmin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser


admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(SuperuserOnlyAdmin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(SuperuserOnlyAdmin, auth_admin.GroupAdmin):
    pass
