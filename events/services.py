"""Writes and state transitions for events and attendees: the only code that changes them."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events import csv_import
from events.codes import new_join_code
from events.models import Attendee, Event, LogEntry

CODE_ATTEMPTS = 20


def unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "event"
    slug = base
    while Event.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def unused_join_code() -> str:
    for _attempt in range(CODE_ATTEMPTS):
        code = new_join_code()
        if not Event.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("No free join code found; the code space is exhausted.")


@transaction.atomic
def create_event(
    organizer: AbstractBaseUser,
    *,
    title: str,
    starts_at: datetime,
    venue: str = "",
    rounds_count: int = 6,
    round_seconds: int = 180,
    table_size: int = 6,
    pitch_seconds: int = 30,
    language: str = Event.Language.ENGLISH,
    time_zone: str = "UTC",
    slug: str = "",
    is_sending_missed_you: bool = False,
) -> Event:
    event = Event(
        organizer=organizer,
        is_sending_missed_you=is_sending_missed_you,
        title=title,
        slug=slug or unique_slug(title),
        venue=venue,
        starts_at=starts_at,
        rounds_count=rounds_count,
        round_seconds=round_seconds,
        table_size=table_size,
        pitch_seconds=pitch_seconds,
        language=language,
        time_zone=time_zone,
        join_code=unused_join_code(),
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def add_attendee(
    event: Event,
    *,
    name: str,
    email: str = "",
    company: str = "",
    job_title: str = "",
    phone: str = "",
    is_consenting_to_share: bool = False,
    consent_decided_at: datetime | None = None,
) -> Attendee:
    """A new attendee. ``is_consenting_to_share`` alone is a suggestion (an import, the
    organizer); it is the attendee's own choice only with ``consent_decided_at``."""
    attendee = Attendee(
        event=event,
        name=name.strip(),
        email=email.strip().lower(),
        company=company.strip(),
        job_title=job_title.strip(),
        phone=phone.strip(),
        is_consenting_to_share=is_consenting_to_share,
        consent_decided_at=consent_decided_at,
    )
    attendee.full_clean(exclude=["event"])
    try:
        with transaction.atomic():
            attendee.save()
    except IntegrityError:
        raise ValidationError(
            {"email": _("Someone with this email is already at this event.")}
        ) from None
    return attendee


@transaction.atomic
def check_in(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    """Mark the attendee as arrived. Checking in again is harmless; it also undoes "left"."""
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.event.status == Event.Status.CLOSED:
        raise ValidationError(_("This event is closed."))
    changed = []
    if attendee.checked_in_at is None:
        attendee.checked_in_at = timezone.now()
        changed.append("checked_in_at")
    if attendee.left_at is not None:
        attendee.left_at = None
        changed.append("left_at")
    if changed:
        attendee.save(update_fields=changed)
    return attendee


def record(
    event: Event, *, action: str, message: str, by: AbstractBaseUser | None = None
) -> LogEntry:
    """Add a line to the event's log; called inside the transaction that made the change."""
    return LogEntry.objects.create(event=event, action=action, message=message, actor=by)


@transaction.atomic
def join_event(
    event: Event,
    *,
    name: str,
    email: str = "",
    company: str = "",
    job_title: str = "",
    is_consenting_to_share: bool = False,
) -> Attendee:
    """A walk-in joins with the event code: registered and checked in at once."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.is_open_for_joining:
        raise ValidationError(joining_refusal(event))
    if email and event.attendees.filter(email__iexact=email.strip()).exists():
        raise ValidationError(
            {
                "email": _(
                    "This email is already registered for this event. Use “Email me my link” "
                    "below to get your personal link, or ask the organizer at the door."
                )
            }
        )
    attendee = add_attendee(
        event,
        name=name,
        email=email,
        company=company,
        job_title=job_title,
        is_consenting_to_share=is_consenting_to_share,
        consent_decided_at=timezone.now(),  # the walk-in chose on the join form
    )
    return check_in(attendee)


def joining_refusal(event: Event) -> str:
    if event.status == Event.Status.DRAFT:
        return _("This event is not open yet: the organizer opens it at the door.")
    return _("This event is over.")


STRUCTURE_FIELDS = ("rounds_count", "table_size", "round_seconds", "pitch_seconds")


@transaction.atomic
def update_event(event: Event, *, by: AbstractBaseUser | None, **fields: object) -> Event:
    """Change an event's settings. Once a round has started its structure is fixed; before that,
    changing the number of rounds or the table size drops the plan, which must be made again."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    started = event.rounds.exclude(status="planned").exists()
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    if started and any(name in STRUCTURE_FIELDS for name in changed):
        raise ValidationError(
            _(
                "The rounds have started: the number of rounds, their length and the table size "
                "can no longer change."
            )
        )
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    event.save()
    if {"rounds_count", "table_size"} & set(changed) and event.rounds.exists():
        event.rounds.all().delete()
        record(
            event,
            action="plan_dropped",
            by=by,
            message=_("Settings changed: the plan was dropped; make it again."),
        )
    if changed:
        record(
            event,
            action="event_changed",
            by=by,
            message=_("Changed: %(fields)s.") % {"fields": ", ".join(changed)},
        )
    return event


@transaction.atomic
def undo_check_in(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    attendee.checked_in_at = attendee.left_at = None
    attendee.save(update_fields=["checked_in_at", "left_at"])
    return attendee


@transaction.atomic
def mark_left(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    """Someone went home: the next re-plan leaves them out; their history stays."""
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.checked_in_at is None:
        raise ValidationError(_("%(name)s never checked in.") % {"name": attendee.name})
    if attendee.left_at is None:
        attendee.left_at = timezone.now()
        attendee.save(update_fields=["left_at"])
        record(
            attendee.event,
            action="attendee_left",
            by=by,
            message=_("%(name)s left.") % {"name": attendee.name},
        )
    return attendee


@transaction.atomic
def import_attendees(
    event: Event,
    *,
    data: bytes,
    mapping: dict[str, int | None] | None = None,
    by: AbstractBaseUser | None,
) -> int:
    """Import every row of a CSV file, or none: any bad row refuses the whole file."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    existing = event.attendees.exclude(email="").values_list("email", flat=True)
    parsed = csv_import.parse(data, mapping=mapping, existing_emails=existing)
    if parsed.errors:
        raise ValidationError(parsed.errors)
    Attendee.objects.bulk_create(
        Attendee(
            event=event,
            name=row.name,
            email=row.email,
            company=row.company,
            job_title=row.job_title,
            phone=row.phone,
            is_consenting_to_share=row.is_consenting_to_share,
        )
        for row in parsed.rows
    )
    record(
        event,
        action="imported",
        by=by,
        message=_("%(n)s attendees imported from CSV.") % {"n": len(parsed.rows)},
    )
    return len(parsed.rows)


@transaction.atomic
def add_co_organizer(event: Event, *, identifier: str, by: AbstractBaseUser) -> AbstractBaseUser:
    """The event's owner lets another organizer account help run it (found by name or email)."""
    if event.organizer_id != by.pk:
        raise ValidationError(_("Only the event's owner can add co-organizers."))
    identifier = identifier.strip()
    users = get_user_model().objects.filter(
        Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True
    )
    matches = list(users[:2])
    if len(matches) != 1:
        raise ValidationError(
            _(
                "No single organizer account matches “%(who)s”: ask them to sign up first, then "
                "use their exact user name."
            )
            % {"who": identifier}
        )
    helper = matches[0]
    if helper.pk == event.organizer_id:
        raise ValidationError(_("You already run this event."))
    event.co_organizers.add(helper)
    record(
        event,
        action="co_organizer_added",
        by=by,
        message=_("%(name)s can now run this event.") % {"name": helper.get_username()},
    )
    return helper


@transaction.atomic
def remove_co_organizer(event: Event, *, user_id: int, by: AbstractBaseUser) -> None:
    if event.organizer_id != by.pk:
        raise ValidationError(_("Only the event's owner can remove co-organizers."))
    helper = event.co_organizers.filter(pk=user_id).first()
    if helper is not None:
        event.co_organizers.remove(helper)
        record(
            event,
            action="co_organizer_removed",
            by=by,
            message=_("%(name)s no longer runs this event.") % {"name": helper.get_username()},
        )


def remember_language(attendee: Attendee, *, language: str) -> Attendee:
    """Keep the language the attendee's phone uses, for their mail. ``language`` is one of
    ``Event.Language``'s codes; anything else is ignored."""
    if language not in Event.Language.values:
        return attendee
    Attendee.objects.filter(pk=attendee.pk).update(language=language)
    attendee.language = language
    return attendee
