"""Writes and state transitions for events and attendees: the only code that changes them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events import csv_import, devices, hygiene, sockets
from events.codes import new_join_code
from events.models import (
    CO_ORGANIZER_INVITATION_DAYS,
    Attendee,
    CoOrganizerInvitation,
    EmailBlock,
    Event,
    ImportUpload,
    LogEntry,
    PairRule,
    SeatingRequest,
    Series,
    invited_filter,
)

logger = logging.getLogger(__name__)


def counters_changed(event_id: int) -> None:
    """After the commit, push to the event's control pages that who is here changed."""
    transaction.on_commit(partial(sockets.push_counters, event_id))


def attendance_changed(event_id: int) -> None:
    """After the commit, push that who is here changed: to the event's control pages (their
    counters) and its projectors (their "N people checked in" line)."""
    counters_changed(event_id)
    transaction.on_commit(partial(sockets.push_people, event_id))


def presence_changed(attendee: Attendee) -> None:
    """After the commit, push that who is here changed (``attendance_changed``), and to the
    attendee's own phone whether they are checked in or gone now."""
    attendance_changed(attendee.event_id)
    transaction.on_commit(partial(sockets.push_presence, attendee.pk))


CODE_ATTEMPTS = 20


def unique_slug(title: str) -> str:
    """A slug for ``title`` no event has yet: the slugified title (60 characters at most,
    ``event`` when nothing is left), with a random 5-letter suffix while taken."""
    base = slugify(title)[:60] or "event"
    slug = base
    while Event.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def unused_join_code() -> str:
    """A join code no event uses, drawn up to ``CODE_ATTEMPTS`` times. Raises ``RuntimeError``
    when the code space is exhausted."""
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
    is_seating_walk_ins: bool = False,
    walk_ins_per_minute: int = 30,
    is_favouring_new_faces: bool = True,
    is_rescuing_last_round: bool = False,
    series: Series | None = None,
) -> Event:
    """Create a draft event run by ``organizer``; ``round_seconds`` and ``pitch_seconds`` are
    seconds, ``starts_at`` aware. A unique slug is drawn when none is given, and always a new
    join code. Validated whole (``full_clean``: ``ValidationError``, e.g. a round too short for
    a full table). ``series`` must be one of the organizer's own series (``ValidationError``
    otherwise). Pushes nothing (no phone follows a draft)."""
    if series is not None and series.organizer_id != organizer.pk:
        raise ValidationError(_("Choose one of your own series."), code="series")
    event = Event(
        organizer=organizer,
        series=series,
        is_favouring_new_faces=is_favouring_new_faces,
        is_rescuing_last_round=is_rescuing_last_round,
        is_sending_missed_you=is_sending_missed_you,
        is_seating_walk_ins=is_seating_walk_ins,
        walk_ins_per_minute=walk_ins_per_minute,
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
def create_series(organizer: AbstractBaseUser, *, title: str) -> Series:
    """A new series run by ``organizer``. Raises ``ValidationError`` for an empty title."""
    series = Series(
        organizer=organizer, title=hygiene.clean_line(title, label=_("title"), max_length=200)
    )
    series.full_clean()
    series.save()
    return series


@transaction.atomic
def answer_series_question(attendee: Attendee, *, is_same: bool) -> Attendee:
    """Store the attendee's answer to "Is this you from …?" (asked once, when their link first
    opens at an event of a series where someone with their email came before). "Someone else"
    keeps this attendee out of the series' memory; the first answer stands."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    if attendee.series_answer == Attendee.SeriesAnswer.UNASKED:
        attendee.series_answer = (
            Attendee.SeriesAnswer.SAME if is_same else Attendee.SeriesAnswer.OTHER
        )
        attendee.series_answered_at = timezone.now()
        attendee.save(update_fields=["series_answer", "series_answered_at"])
    return attendee


@transaction.atomic
def forget_series_memory(attendee: Attendee) -> int:
    """Delete what the series remembers about the attendee: every attendee of the series with
    their email (earlier and later events, this one included) is marked "Someone else", so no
    meeting, promise or attendance links them any more, and off the connectors list. Each
    event keeps its own records (the organizer's). Returns how many attendees were unlinked."""
    attendee = Attendee.objects.select_related("event").get(pk=attendee.pk)
    if attendee.event.series_id is None or not attendee.email:
        return 0
    return Attendee.objects.filter(
        event__series_id=attendee.event.series_id, email=attendee.email
    ).update(
        series_answer=Attendee.SeriesAnswer.OTHER,
        series_answered_at=timezone.now(),
        is_listed_as_connector=False,
    )


@transaction.atomic
def set_connector_listing(attendee: Attendee, *, is_listed: bool) -> Attendee:
    """The attendee's own yes or no to the series page's connectors list."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    attendee.is_listed_as_connector = is_listed
    attendee.save(update_fields=["is_listed_as_connector"])
    return attendee


@transaction.atomic
def set_guest_listing(attendee: Attendee, *, is_listed: bool) -> Attendee:
    """The attendee's own yes or no to being found on the event's guest list by the other
    attendees (name, company and the ask of their pitch), who may put them on their private
    wish list. A no takes them off the list at once; wishes already made stay their authors'."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    attendee.is_listed_in_guest_list = is_listed
    attendee.save(update_fields=["is_listed_in_guest_list"])
    return attendee


def clean_identity(**fields: str) -> dict[str, str]:
    """Each of ``name``, ``email``, ``company``, ``job_title``, ``phone`` given, through the
    identity hygiene rule; raises ``ValidationError`` keyed by field for what cannot be taken."""
    cleaners = {
        "name": hygiene.clean_name,
        "email": hygiene.clean_email,
        "company": hygiene.clean_company,
        "job_title": hygiene.clean_job_title,
        "phone": hygiene.clean_phone,
    }
    cleaned, problems = {}, {}
    for name, value in fields.items():
        try:
            cleaned[name] = cleaners[name](value)
        except ValidationError as error:
            problems[name] = error.messages
    if problems:
        raise ValidationError(problems)
    return cleaned


CONSENT_FIELDS = ["is_consenting_to_share", "consent_decided_at", "is_consent_suggested"]

# The code of the refusal of an email already at the event (``add_attendee``).
DUPLICATE_EMAIL = "duplicate_email"


def take_consent_choice(attendee: Attendee, *, is_sharing: bool) -> list[str]:
    """Set on ``attendee`` (not saved) the attendee's own answer to sharing their contact
    details: ``is_consenting_to_share`` with ``consent_decided_at`` (now), the import's
    suggestion (``is_consent_suggested``) then answered. The one place the decision is recorded:
    the join form, a claimed record, the room's question and My details
    (``feedback.services.save_my_details``) all come here, and nothing else sets it. Returns the
    fields to save."""
    attendee.is_consenting_to_share = is_sharing
    attendee.consent_decided_at = timezone.now()
    attendee.is_consent_suggested = False
    return list(CONSENT_FIELDS)


def adding_refusal(event: Event) -> str:
    """Why no new person can be added to ``event`` (by an import, "Add someone", the door or
    the join page), in the reader's language, or "" while people can be: once its personal data
    were deleted nothing personal comes back in, and once it is closed the evening is over.
    People already here can still be corrected. No queries."""
    if event.personal_data_erased_at is not None:
        return _("This event's personal data were deleted: no one can be added to it any more.")
    if event.status == Event.Status.CLOSED:
        return _(
            "This event is closed: no one can be added to it any more. The details of people "
            "already here can still be corrected."
        )
    return ""


def refuse_adding(event: Event) -> None:
    """Raise ``ValidationError`` (code ``closed``) with ``adding_refusal``'s reason, if any."""
    refusal = adding_refusal(event)
    if refusal:
        raise ValidationError(refusal, code="closed")


@transaction.atomic
def add_attendee(
    event: Event,
    *,
    name: str,
    email: str = "",
    company: str = "",
    job_title: str = "",
    phone: str = "",
    is_consent_suggested: bool = False,
    is_consenting_to_share: bool | None = None,
    is_listed: bool = True,
) -> Attendee:
    """Add one attendee, their identity cleaned by the hygiene rule (``events.hygiene``).

    ``is_listed``: the organizer adds them (their email vouched for), so an attendee who typed
    that email on the join page and never confirmed it gives it up
    (``release_unconfirmed_email``); False for a walk-in joining on their phone.

    ``is_consent_suggested`` is someone else's "yes" to sharing (the organizer's tick), which the
    attendee confirms on their phone; ``is_consenting_to_share`` is the attendee's own answer when
    they gave it here (the join form), recorded as their decision; None when not asked.
    Raises ``ValidationError`` for a closed event or one whose personal data were deleted
    (``adding_refusal``, read under the event's row lock), a name, email or phone that cannot
    be taken, an email already at the event (code ``DUPLICATE_EMAIL``:
    ``queries.attendee_with_email`` finds who), or one the event's owner blocked
    (``blocked_digests``; neutrally: not why)."""
    refuse_adding(Event.objects.select_for_update().get(pk=event.pk))
    identity = clean_identity(
        name=name, email=email, company=company, job_title=job_title, phone=phone
    )
    if is_blocked_email(identity["email"], blocked_digests(event)):
        raise ValidationError({"email": _("This email cannot be added to this event.")})
    attendee = Attendee(event=event, is_consent_suggested=is_consent_suggested, **identity)
    if is_consenting_to_share is not None:
        take_consent_choice(attendee, is_sharing=is_consenting_to_share)
    attendee.full_clean(exclude=["event"])
    if is_listed and attendee.email:
        holder = event.attendees.filter(
            email__iexact=attendee.email, is_email_unconfirmed=True
        ).first()
        if holder is not None:
            release_unconfirmed_email(event, holder.pk)
    try:
        with transaction.atomic():
            attendee.save()
    except IntegrityError:
        message = _("Someone with this email is already at this event.")
        raise ValidationError({"email": ValidationError(message, code=DUPLICATE_EMAIL)}) from None
    return attendee


def release_unconfirmed_email(
    event: Event, attendee_id: int, *, by: AbstractBaseUser | None = None
) -> None:
    """Take an email typed on the join page and never confirmed off the attendee who typed it,
    because the organizer's list (an import, "Add someone") gives it to its own person: the
    walk-in keeps their record, seat and link with only what else they typed; their pending
    code (mailed to that email) is dropped. If it really was them, the listed record is theirs:
    its link goes to that email ("Email me my link"). In the log; nothing else changes."""
    released = Attendee.objects.filter(
        event=event, pk=attendee_id, is_email_unconfirmed=True
    ).update(
        email="",
        is_email_unconfirmed=False,
        confirmation_code_hash="",
        confirmation_code_sent_at=None,
        confirmation_code_tries=0,
    )
    if released:
        record(event, action="unconfirmed_email_released", by=by, params={"attendee": attendee_id})


@transaction.atomic
def admit_walk_in(event: Event, *, by: AbstractBaseUser | None, **identity: Any) -> Attendee:
    """A walk-in at the door: added under "Add someone"'s rules (``add_attendee``, with the
    ``identity`` keywords it takes) and checked in, both or neither. Raises ``ValidationError``
    for what either refuses."""
    return check_in(add_attendee(event, **identity), by=by)


@transaction.atomic
def check_in(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    """Mark the attendee as arrived. Checking in again is harmless; it also undoes "left".
    Raises ``ValidationError`` for a closed event, or someone removed from the remaining rounds
    after a report (only undoing the removal on the report brings them back)."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    if attendee.event.status == Event.Status.CLOSED:
        raise ValidationError(_("This event is closed."))
    if attendee.removed_at is not None:
        raise ValidationError(
            _(
                "%(name)s was removed from the remaining rounds after a report: undo the removal "
                "on the report to bring them back."
            )
            % {"name": attendee.name}
        )
    changed = []
    if attendee.checked_in_at is None:
        attendee.checked_in_at = timezone.now()
        changed.append("checked_in_at")
    if attendee.left_at is not None:
        attendee.left_at = None
        changed.append("left_at")
    if changed:
        attendee.save(update_fields=changed)
        record(attendee.event, action="checked_in", by=by, params={"attendee": attendee.pk})
        presence_changed(attendee)
    return attendee


def record(
    event: Event,
    *,
    action: str,
    params: dict[str, int | str | list[str]] | None = None,
    message: str = "",
    by: AbstractBaseUser | None = None,
    at: datetime | None = None,
) -> LogEntry:
    """Add a line to the event's log; called inside the transaction that made the change.
    ``at``: when it happened, if earlier than now (a round's timer, noticed later).

    A line is data: ``action`` (one of ``events.logs``' sentences) and ``params`` (ids and
    numbers; people as ids under ``attendee``/``first``/``second``, users under ``user``), so
    it is written in the reader's language when shown. ``message`` is only for free text that
    has no sentence (an announcement's own words); it is cut to 300 characters."""
    line = LogEntry.objects.create(
        event=event, action=action, params=params or {}, message=message[:300], actor=by
    )
    if at is not None:
        LogEntry.objects.filter(pk=line.pk).update(created_at=at)
        line.created_at = at
    return line


@transaction.atomic
def refuse_walk_ins(event: Event) -> LogEntry:
    """Tell the organizers that walk-ins are being refused: the event's ``walk_ins_per_minute``
    was reached this minute. A log line (``walk_ins_refused``, with the limit) and, after
    commit, a counters push, so the control page shows it at once. The join page calls it for
    the first refusal of a minute only."""
    line = record(event, action="walk_ins_refused", params={"n": event.walk_ins_per_minute})
    transaction.on_commit(partial(sockets.push_counters, event.pk))
    return line


@transaction.atomic
def join_event(
    event: Event,
    *,
    name: str,
    email: str = "",
    company: str = "",
    job_title: str = "",
    is_consenting_to_share: bool = False,
    join_nonce: str = "",
) -> Attendee:
    """A walk-in joins with the event code: registered and checked in at once.

    Someone imported without an email (a Meetup list) claims their record: when exactly one
    attendee not yet checked in, without email, has the name typed, that record is theirs
    (the email, company and job title they typed fill its blanks) instead of a second one.

    ``join_nonce`` is the join form's own random id (``events.codes.new_join_nonce``; "" for
    none): the attendee it added or claimed keeps it, and the same form sent again (a double
    tap, at once or later) returns that attendee, unchanged, instead of adding another or
    refusing their email as taken. Checked under the event's row lock, so simultaneous sends
    join once. Raises ``ValidationError`` for an event not open for joining, a blocked email,
    an email already at the event, or what ``add_attendee`` refuses."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.is_open_for_joining:
        raise ValidationError(joining_refusal(event))
    if join_nonce:
        joined = event.attendees.filter(join_nonce=join_nonce).first()
        if joined is not None:
            return joined
    email = clean_identity(email=email)["email"]
    if is_blocked_email(email, blocked_digests(event)):
        raise ValidationError(neutral_refusal())
    claimable = list(
        event.attendees.filter(
            invited_filter(),
            email="",
            name__iexact=clean_identity(name=name)["name"],
            erased_at__isnull=True,
            removed_at__isnull=True,
        )[:2]
    )
    if email and event.attendees.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _(
                    "This email is already registered for this event. Use “Email me my link” "
                    "below to get your personal link, or ask the organizer at the door."
                )
            }
        )
    if len(claimable) == 1:
        return claim_attendee(
            claimable[0],
            email=email,
            company=company,
            job_title=job_title,
            is_consenting_to_share=is_consenting_to_share,
            join_nonce=join_nonce,
        )
    attendee = add_attendee(
        event,
        name=name,
        email=email,
        company=company,
        job_title=job_title,
        is_consenting_to_share=is_consenting_to_share,  # the walk-in chose on the join form
        is_listed=False,
    )
    # An email typed, not from the organizer's list, is confirmed by a mailed code.
    attendee.is_email_unconfirmed = bool(attendee.email)
    attendee.join_nonce = join_nonce
    if attendee.is_email_unconfirmed or join_nonce:
        attendee.save(update_fields=["is_email_unconfirmed", "join_nonce"])
    return check_in(attendee)


def claim_attendee(
    attendee: Attendee,
    *,
    email: str,
    company: str,
    job_title: str,
    is_consenting_to_share: bool,
    join_nonce: str = "",
) -> Attendee:
    """An imported attendee without email joins in person: their blanks filled, their own
    answer to sharing taken, the join form's ``join_nonce`` kept (see ``join_event``), checked
    in."""
    identity = clean_identity(company=company, job_title=job_title)
    attendee.email = email
    attendee.is_email_unconfirmed = bool(email)  # typed at the door, as a walk-in's
    attendee.company = attendee.company or identity["company"]
    attendee.job_title = attendee.job_title or identity["job_title"]
    attendee.join_nonce = join_nonce
    consent = take_consent_choice(attendee, is_sharing=is_consenting_to_share)
    attendee.save(
        update_fields=[
            "email",
            "is_email_unconfirmed",
            "company",
            "job_title",
            "join_nonce",
            *consent,
        ]
    )
    record(attendee.event, action="attendee_claimed", params={"attendee": attendee.pk})
    return check_in(attendee)


def joining_refusal(event: Event) -> str:
    """Why a phone cannot join ``event`` now, in the reader's language (a draft, or over)."""
    if event.status == Event.Status.DRAFT:
        return _("This event is not open yet: the organizer opens it at the door.")
    return _("This event is over.")


# The settings an organizer may change: the event form's fields and the plan page's size range.
EDITABLE_FIELDS = frozenset((*Event.FORM_FIELDS, *Event.GUIDE_FIELDS, "series"))
# How the rounds are built: fixed once a round has started (``rounds.services.change_settings``).
STRUCTURE_FIELDS = ("rounds_count", "table_size", "round_seconds", "pitch_seconds")


def changed_settings(event: Event, fields: dict[str, object]) -> list[str]:
    """The names among ``fields`` whose value differs from ``event``'s, in the given order.
    Raises ``TypeError`` for a name outside ``EDITABLE_FIELDS`` (a programming error: status,
    codes and keys change only through their own services)."""
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_event cannot change {', '.join(unknown)}")
    return [name for name, value in fields.items() if getattr(event, name) != value]


def refuse_series_change(event: Event, series: object) -> None:
    """Raise ``ValidationError`` unless ``event`` (in no series yet) may join ``series``: one of
    its owner's own (code ``series``). An event in a series stays in it (code
    ``series_fixed``): moved, the people one series remembers would have met at another's
    events."""
    if event.series_id is not None:
        raise ValidationError(
            _("An event stays in the series it joined: its meetings are that series' memory."),
            code="series_fixed",
        )
    if series is not None and getattr(series, "organizer_id", None) != event.organizer_id:
        raise ValidationError(_("Choose one of the owner's own series."), code="series")


@transaction.atomic
def update_event(event: Event, *, by: AbstractBaseUser | None, **fields: object) -> Event:
    """Change an event's settings: only the ``EDITABLE_FIELDS`` (any other name raises
    ``TypeError``), validated together (``full_clean``: ``ValidationError``), and a log line
    naming what changed. ``series`` only joins an event in none to one of its owner's series
    (``refuse_series_change``). What a change means for the rounds (fixed once started, a plan
    dropped) is ``rounds.services.change_settings``, the one the organizer's page calls.
    Pushes nothing."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    changed = changed_settings(event, fields)
    if "series" in changed:
        refuse_series_change(event, fields["series"])
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    event.save()
    if changed:
        record(
            event,
            action="event_changed",
            by=by,
            params={"fields": changed},
        )
    return event


@transaction.atomic
def undo_check_in(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    """Take back a check-in ticked by mistake: the attendee is invited again (not present, not
    left), in the log. Pushes the control page's counters; the next plan or re-plan leaves
    them out."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    if attendee.checked_in_at is None and attendee.left_at is None:
        return attendee
    attendee.checked_in_at = attendee.left_at = None
    attendee.save(update_fields=["checked_in_at", "left_at"])
    record(attendee.event, action="check_in_undone", by=by, params={"attendee": attendee.pk})
    presence_changed(attendee)
    return attendee


@transaction.atomic
def mark_left(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    """Someone went home: the next re-plan leaves them out; their history stays."""
    attendee = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    if attendee.checked_in_at is None:
        raise ValidationError(_("%(name)s never checked in.") % {"name": attendee.name})
    if attendee.left_at is None:
        attendee.left_at = timezone.now()
        attendee.save(update_fields=["left_at"])
        record(attendee.event, action="attendee_left", by=by, params={"attendee": attendee.pk})
        presence_changed(attendee)
    return attendee


UPLOAD_KEPT = timedelta(days=1)


@transaction.atomic
def store_upload(
    event: Event, *, data: bytes, file_name: str, by: AbstractBaseUser
) -> ImportUpload:
    """Keep an uploaded list on the server until it is imported (or for ``UPLOAD_KEPT``); the
    preview and the import refer to it by its random ``key``. Uploads older than that, of any
    event, are removed here. Raises ``ValidationError`` for a file over the size limit, or an
    event that takes no new people (``adding_refusal``: nothing is kept)."""
    refuse_adding(event)
    if len(data) > csv_import.MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": csv_import.MAX_BYTES // (1024 * 1024)}
        )
    ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_KEPT).delete()
    return ImportUpload.objects.create(
        event=event, uploaded_by=by, data=data, file_name=file_name[:255]
    )


def existing_attendees(event: Event) -> list[csv_import.Existing]:
    """The event's attendees as the import compares them (an erased one is only recognised, so
    that a row naming it is left out rather than added again)."""
    return [
        csv_import.Existing(
            *values[:6],
            has_decided_consent=values[6] is not None,
            is_consent_suggested=values[7],
            given_name=values[8],
            family_name=values[9],
            registration_need=values[10],
            is_erased=values[11] is not None,
            external_id=values[12],
            is_sharing=values[6] is not None and values[13],
            is_email_unconfirmed=values[14],
        )
        for values in event.attendees.order_by("pk").values_list(
            "pk",
            "name",
            "email",
            "company",
            "job_title",
            "phone",
            "consent_decided_at",
            "is_consent_suggested",
            "given_name",
            "family_name",
            "registration_need",
            "erased_at",
            "external_id",
            "is_consenting_to_share",
            "is_email_unconfirmed",
        )
    ]


def preview_import(
    event: Event,
    *,
    data: bytes,
    mapping: dict[str, int | None] | None = None,
    encoding: str | None = None,
) -> tuple[csv_import.Parsed, csv_import.Comparison]:
    """The dry run of an import: nothing is written. Raises ``ValidationError`` for an event
    that takes no new people (``adding_refusal``; ``import_attendees`` reads it under the event's
    row lock), or a file that cannot be read at all (or not in the chosen ``encoding``)."""
    refuse_adding(event)
    parsed = csv_import.parse(data, mapping=mapping, encoding=encoding)
    comparison = csv_import.compare(parsed, existing_attendees(event))
    blocked = blocked_digests(event)
    if blocked:
        # A blocked email is neither added nor, already here, updated (a row naming it could
        # give an attendee without one the blocked address): left out, without saying why.
        kept = [row for row in comparison.new if not is_blocked_email(row.email, blocked)]
        changes = [
            change
            for change in comparison.changes
            if not is_blocked_email(change.row.email, blocked)
            and not is_blocked_email(change.attendee.email, blocked)
        ]
        unchanged = [
            (row, attendee)
            for row, attendee in comparison.unchanged
            if not is_blocked_email(row.email, blocked)
        ]
        before = len(comparison.new) + len(comparison.changes) + len(comparison.unchanged)
        comparison.skipped += before - len(kept) - len(changes) - len(unchanged)
        comparison.new, comparison.changes, comparison.unchanged = kept, changes, unchanged
        taken = {row.email for row in kept if row.email}
        comparison.released = [p for p in comparison.released if p.email.lower() in taken]
    return parsed, comparison


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    skipped: int
    pairs: int


@transaction.atomic
def import_attendees(
    event: Event,
    *,
    data: bytes,
    mapping: dict[str, int | None] | None = None,
    by: AbstractBaseUser | None,
    upload: ImportUpload | None = None,
    encoding: str | None = None,
) -> ImportResult:
    """Import a list, all or nothing: new people are added, people already here (same email,
    or same name and company without one) are updated where the file differs, keep-apart
    requests become seating rules. Any error refuses the whole file with every error by line
    (``ValidationError``), as does an event that takes no new people (``adding_refusal``,
    read under the event's row lock). The ``upload`` it came from is removed once imported."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _parsed, comparison = preview_import(event, data=data, mapping=mapping, encoding=encoding)
    if comparison.errors:
        raise ValidationError(comparison.errors)
    for person in comparison.released:
        release_unconfirmed_email(event, person.pk, by=by)
    Attendee.objects.bulk_create(
        Attendee(
            event=event,
            name=row.name,
            email=row.email,
            company=row.company,
            job_title=row.job_title,
            phone=row.phone,
            given_name=row.given_name,
            family_name=row.family_name,
            registration_need=row.registration_need,
            is_consent_suggested=row.is_consent_suggested,
            external_id=row.external_id,
        )
        for row in comparison.new
    )
    changed = {c.attendee.pk: c.fields for c in comparison.changes}
    updated = list(Attendee.objects.filter(pk__in=changed))
    for attendee in updated:
        for name, value in changed[attendee.pk].items():
            setattr(attendee, name, value)
    fields = sorted({name for c in comparison.changes for name in c.fields})
    if updated:
        Attendee.objects.bulk_update(updated, fields, batch_size=500)
    pairs = keep_apart_from_import(event, comparison.keep_apart)
    result = ImportResult(
        added=len(comparison.new),
        updated=len(updated),
        unchanged=len(comparison.unchanged),
        skipped=comparison.skipped,
        pairs=pairs,
    )
    record(
        event,
        action="imported",
        by=by,
        params={
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
        },
    )
    if upload is not None:
        upload.delete()
    return result


def keep_apart_from_import(event: Event, requests: list[tuple[int, str, str]]) -> int:
    """Seating rules for the "keep apart from" cells (references are normalised emails or
    folded names, see ``csv_import.reference_key``); returns how many rules are new."""
    if not requests:
        return 0
    ids: dict[str, int] = {}
    for pk, name, email in event.attendees.values_list("pk", "name", "email").order_by("-pk"):
        ids[csv_import.folded(name)] = pk
        if email:
            ids[email.lower()] = pk
    pairs = {
        tuple(sorted((ids[me], ids[other])))
        for _line, me, other in requests
        if me in ids and other in ids and ids[me] != ids[other]
    }
    existing = set(PairRule.objects.filter(event=event).values_list("first_id", "second_id"))
    new = [
        PairRule(event=event, first_id=a, second_id=b, kind=PairRule.Kind.KEEP_APART)
        for a, b in sorted(pairs - existing)
    ]
    PairRule.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def set_pair_rule(
    event: Event, *, first_id: int, second_id: int, kind: str, by: AbstractBaseUser | None
) -> PairRule:
    """Keep two attendees of the event apart, or let them sit together (replacing any rule the
    pair had). Raises ``ValidationError`` for one person twice or someone from elsewhere."""
    if first_id == second_id:
        raise ValidationError(_("Choose two different people."))
    people = list(event.attendees.filter(pk__in=(first_id, second_id)).order_by("pk"))
    if len(people) != 2:
        raise ValidationError(_("Both people must be attendees of this event."))
    if kind not in PairRule.Kind.values:
        raise ValidationError(_("Unknown seating rule."))
    first, second = people
    rule, _created = PairRule.objects.update_or_create(
        first=first, second=second, defaults={"event": event, "kind": kind}
    )
    record(
        event,
        action="pair_rule_set",
        by=by,
        params={"first": first.pk, "second": second.pk, "rule": rule.kind},
    )
    return rule


@transaction.atomic
def remove_pair_rule(event: Event, *, rule_id: int, by: AbstractBaseUser | None) -> None:
    """Drop a seating rule of this event (the planner then goes by company names alone)."""
    rule = (
        PairRule.objects.filter(event=event, pk=rule_id).select_related("first", "second").first()
    )
    if rule is None:
        raise ValidationError(_("This seating rule no longer exists."))
    rule.delete()
    record(
        event,
        action="pair_rule_removed",
        by=by,
        params={"first": rule.first_id, "second": rule.second_id},
    )


@transaction.atomic
def invite_co_organizer(
    event: Event, *, email: str, by: AbstractBaseUser, accept_url: Callable[[str], str]
) -> CoOrganizerInvitation:
    """The owner invites someone by email: a mail with a link (``accept_url(token)``) leaves after
    commit. The answer is the same whether or not the address has an account, so the form tells
    nobody who is registered. Raises ``ValidationError`` for a non-owner or a malformed address."""
    if event.organizer_id != by.pk:
        raise ValidationError(_("Only the event's owner can add co-organizers."))
    email = hygiene.clean_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter the email address of the person to invite.")) from None
    invitation = CoOrganizerInvitation.objects.create(event=event, email=email, invited_by=by)
    record(
        event,
        action="co_organizer_invited",
        by=by,
        params={"email": email},
    )
    link = accept_url(invitation.token)
    subject = _("Help run %(event)s") % {"event": event.title}
    body = _(
        "%(owner)s invites you to help run “%(event)s” on speednet.\n\n"
        "Open this link and sign in with this email address (or create an organizer account "
        "with it) to accept:\n%(link)s\n\n"
        "The link works once, for %(days)s days. If you did not expect this, ignore this mail."
    ) % {
        "owner": by.get_username(),
        "event": event.title,
        "link": link,
        "days": CO_ORGANIZER_INVITATION_DAYS,
    }
    transaction.on_commit(lambda: send_invitation_mail(subject, body, email))
    return invitation


def send_invitation_mail(subject: str, body: str, email: str) -> None:
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # the invitation stands; the owner can send another
        logger.exception("Co-organizer invitation mail not sent")


def is_same_email(first: str | None, second: str | None) -> bool:
    """Whether two addresses are one mailbox as typed by people: normalised as every address is
    (``hygiene.clean_email``: case, spaces, full-width characters), or, for one that rule
    refuses, stripped and case-folded. Two empty addresses are not the same."""
    first_normal = normal_email(first)
    return bool(first_normal) and first_normal == normal_email(second)


def normal_email(email: str | None) -> str:
    """An address as ``is_same_email`` compares it ("" for none)."""
    try:
        return hygiene.clean_email(email or "")
    except ValidationError:
        return (email or "").strip().casefold()


@transaction.atomic
def accept_co_organizer_invitation(
    token: str,
    *,
    user: AbstractBaseUser,
    proof: str = "",
    confirm_url: Callable[[str], str] | None = None,
) -> Event | None:
    """The invited person, signed in with the account whose email is the invitation's (compared
    normalised: case and spaces aside), becomes a co-organizer (once; the link expires after
    ``CO_ORGANIZER_INVITATION_DAYS``); the event's owner may follow it too (nothing changes for
    them). ``ValidationError`` for a used, expired or unknown link, and for any other account:
    its message names the masked address ("a•••@example.com") and the invitation stays usable.

    Sign-up does not confirm an email, so an account's address proves nothing by itself: anyone
    holding a forwarded link could sign up with the invited address. So the account must also
    show it reads that mailbox: without a valid ``proof`` (``mailbox_proof``: signed, for this
    invitation, this account and its address, ``MAILBOX_PROOF_HOURS`` long) a mail with
    ``confirm_url(proof)`` goes to the account's address after commit and the answer is
    ``None``; with it, the event. ``ValidationError`` for a proof that is forged, expired or made
    for another invitation, account or address."""
    invitation = (
        CoOrganizerInvitation.objects.select_for_update()
        .select_related("event")
        .filter(token=token)
        .first()
    )
    too_old = timezone.now() - timedelta(days=CO_ORGANIZER_INVITATION_DAYS)
    if invitation is None or invitation.accepted_at is not None or invitation.created_at < too_old:
        raise ValidationError(
            _("This invitation link is used, expired or unknown: ask for a new one.")
        )
    event = invitation.event
    is_owner = user.pk == event.organizer_id
    if not is_owner and not is_same_email(getattr(user, "email", ""), invitation.email):
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address.")
            % {"email": devices.masked_email(invitation.email)}
        )
    if not is_owner and not proof:
        if confirm_url is None:
            raise ValueError("confirm_url is needed to ask for the mailbox's confirmation")
        send_mailbox_proof(invitation, user=user, confirm_url=confirm_url)
        return None
    if not is_owner and not mailbox_proof_holds(proof, invitation=invitation, user=user):
        raise ValidationError(
            _(
                "This confirmation link is expired or was not made for this account: "
                "open the invitation link again to get a new one."
            )
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if not is_owner:
        event.co_organizers.add(user)
        record(
            event,
            action="co_organizer_added",
            by=user,
            params={"user": user.pk},
        )
    return event


MAILBOX_PROOF_SALT = "speednet.co-organizer.mailbox"
MAILBOX_PROOF_HOURS = 24


def mailbox_proof(invitation: CoOrganizerInvitation, *, user: AbstractBaseUser) -> str:
    """A signed, URL-safe string saying that ``user``, with its present address, asked to accept
    ``invitation``; it is mailed to that address, so holding it shows one reads that mailbox.
    Checked by ``mailbox_proof_holds``."""
    payload = {"i": invitation.pk, "u": user.pk, "e": normal_email(getattr(user, "email", ""))}
    return signing.dumps(payload, salt=MAILBOX_PROOF_SALT, compress=True)


def mailbox_proof_holds(
    proof: str, *, invitation: CoOrganizerInvitation, user: AbstractBaseUser
) -> bool:
    """Whether ``proof`` came from ``mailbox_proof`` for this invitation and this account with its
    present address, less than ``MAILBOX_PROOF_HOURS`` ago (a changed address voids it)."""
    try:
        payload = signing.loads(
            proof, salt=MAILBOX_PROOF_SALT, max_age=timedelta(hours=MAILBOX_PROOF_HOURS)
        )
    except signing.BadSignature:  # forged, damaged or expired (SignatureExpired is one)
        return False
    expected = {"i": invitation.pk, "u": user.pk, "e": normal_email(getattr(user, "email", ""))}
    return isinstance(payload, dict) and payload == expected and bool(expected["e"])


def send_mailbox_proof(
    invitation: CoOrganizerInvitation,
    *,
    user: AbstractBaseUser,
    confirm_url: Callable[[str], str],
) -> None:
    """Mail the account's address (the invitation's) a link, ``confirm_url(proof)``, that
    accepts the invitation; it leaves after commit and a failure to send is logged."""
    link = confirm_url(mailbox_proof(invitation, user=user))
    subject = _("Confirm: help run %(event)s") % {"event": invitation.event.title}
    body = _(
        "Someone signed in to speednet as %(name)s, with this email address, asked to help run "
        "“%(event)s”.\n\n"
        "If that was you, open this link to confirm (it works for %(hours)s hours, signed in "
        "with that account):\n%(link)s\n\n"
        "If it was not you, ignore this mail: nothing changes without it."
    ) % {
        "name": user.get_username(),
        "event": invitation.event.title,
        "hours": MAILBOX_PROOF_HOURS,
        "link": link,
    }
    email = user.email
    transaction.on_commit(lambda: send_invitation_mail(subject, body, email))


@transaction.atomic
def remove_co_organizer(event: Event, *, user_id: int, by: AbstractBaseUser) -> None:
    """Stop user ``user_id`` from running ``event`` (nothing when they do not). Only the owner
    may (``ValidationError`` otherwise). Logs ``co_organizer_removed``; pushes nothing."""
    if event.organizer_id != by.pk:
        raise ValidationError(_("Only the event's owner can remove co-organizers."))
    helper = event.co_organizers.filter(pk=user_id).first()
    if helper is not None:
        event.co_organizers.remove(helper)
        # Their open dashboards of this event stop receiving its state now.
        group = sockets.organizer_group(event.pk, helper.pk)
        transaction.on_commit(lambda: sockets.revoke([group]))
        record(
            event,
            action="co_organizer_removed",
            by=by,
            params={"user": helper.pk},
        )


def remember_language(attendee: Attendee, *, language: str) -> Attendee:
    """Keep the language the attendee's phone uses, for their mail. ``language`` is one of
    ``Event.Language``'s codes; anything else is ignored."""
    if language not in Event.Language.values:
        return attendee
    Attendee.objects.filter(pk=attendee.pk).update(language=language)
    attendee.language = language
    return attendee


def choose_language(attendee: Attendee, *, language: str) -> Attendee:
    """The attendee chose ``language`` with the switch on their own page: their pages speak it
    from now on, whatever a browser asks for, and so does their mail. ``language`` is one of
    ``Event.Language``'s codes (``ValueError`` otherwise: the view checks it first)."""
    if language not in Event.Language.values:
        raise ValueError(f"not a shipped language: {language!r}")
    Attendee.objects.filter(pk=attendee.pk).update(language=language, is_language_chosen=True)
    attendee.language = language
    attendee.is_language_chosen = True
    return attendee


# Conduct and safety: the code of conduct, private keep-apart requests, blocked emails.


def neutral_refusal() -> str:
    """What a blocked email is told at the door: nothing about why."""
    return _("Joining online is not possible with these details. Please speak to the organizer.")


def blocked_digests(event: Event) -> set[str]:
    """The hashes of the emails blocked at this event (``EmailBlock``): its owner's blocks only;
    one query. A co-organizer's own blocks never apply here: they would leave people out of
    another owner's event without reason and let that owner test an email against the
    co-organizer's private list by importing it and counting who is left out."""
    return set(
        EmailBlock.objects.filter(organizer_id=event.organizer_id).values_list(
            "email_hash", flat=True
        )
    )


def is_blocked_email(email: str, blocked: set[str]) -> bool:
    """Whether this email (as typed or imported) is among ``blocked`` hashes; an email that
    cannot be read is not blocked here (the form refuses it for its own reason)."""
    if not email or not blocked:
        return False
    try:
        return hygiene.email_digest(email) in blocked
    except ValidationError:
        return False


def default_conduct() -> str:
    """The short default code of conduct, in the active language (the caller activates the
    event's)."""
    return "\n".join(
        [
            _("Serve, don't sell: offer help and ask for one clear thing; no sales pitches."),
            _("Keep to business: this is a networking event, not a dating event."),
            _("Respect a “no”, and give everyone at your table your full attention."),
            _(
                "If anything makes you uncomfortable, tap “Report a problem” on your phone: "
                "only the organizers see it."
            ),
        ]
    )


def conduct_for_reader(event: Event) -> str:
    """The event's code of conduct as the reader sees it: the default text, never edited (it
    equals the default in a language we ship, as the event was given it), in the active
    language; a text the organizer wrote or edited, as written."""
    written = " ".join(event.conduct_text.split())
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            is_default = written == " ".join(default_conduct().split())
        if is_default:
            return default_conduct()
    return event.conduct_text


@transaction.atomic
def set_conduct(
    event: Event, *, text: str, is_mailing_reports: bool, by: AbstractBaseUser | None
) -> Event:
    """Write the event's code of conduct. A changed text gets a new version, so every
    attendee is asked to accept it again; the same text keeps the version. Raises
    ``ValidationError`` for text with control characters or over 4,000 characters."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    text = hygiene.clean_text(text, label=_("Code of conduct"), max_length=4000)
    fields = ["is_mailing_reports"]
    event.is_mailing_reports = is_mailing_reports
    if text != event.conduct_text:
        event.conduct_text = text
        event.conduct_version += 1
        fields += ["conduct_text", "conduct_version"]
        record(
            event,
            action="conduct_changed",
            by=by,
            params={"v": event.conduct_version},
        )
    event.save(update_fields=fields)
    return event


def needs_conduct(attendee: Attendee) -> bool:
    """Whether this attendee must accept the event's code of conduct before the room: there is
    one, they have not accepted its current version, and the event is not closed (nothing is
    left to behave at: someone who never came reaches their room and leads at once)."""
    event = attendee.event
    return (
        event.has_conduct
        and event.status != Event.Status.CLOSED
        and attendee.conduct_accepted_version != event.conduct_version
    )


@transaction.atomic
def accept_conduct(attendee: Attendee, *, version: int) -> Attendee:
    """The attendee accepts the code of conduct they were shown (``version``), stored with the
    time. Raises ``ValidationError`` when the text changed meanwhile (they must read it again)."""
    event = Event.objects.get(pk=attendee.event_id)
    if not event.has_conduct or version != event.conduct_version:
        raise ValidationError(_("The code of conduct has just changed: please read it again."))
    attendee.conduct_accepted_version = version
    attendee.conduct_accepted_at = timezone.now()
    attendee.save(update_fields=["conduct_accepted_version", "conduct_accepted_at"])
    return attendee


# One phone's private keep-apart requests (``conduct.services.ask_apart``): enough for anyone
# who needs them, too few to make the plan impossible for everyone (each is a hard rule, like
# the victims' own).
MAX_APART_REQUESTS = 10


@transaction.atomic
def keep_apart(attendee: Attendee, *, other_id: int, limit: int | None = None) -> SeatingRequest:
    """A private keep-apart pair asked for ``attendee``, which the planner honours from the
    next plan or re-plan; the control pages are told after commit (their banner asks for the
    re-plan while the coming rounds seat the pair together). Asking twice is harmless. Raises
    ``ValidationError`` for oneself, someone from another event, or more than ``limit``
    requests (None: no limit, for an organizer acting on a report)."""
    if other_id == attendee.pk:
        raise ValidationError(_("Choose someone other than yourself."))
    other = attendee.event.attendees.filter(pk=other_id, erased_at__isnull=True).first()
    if other is None:
        raise ValidationError(_("This person is not at this event."))
    Attendee.objects.select_for_update(no_key=True).filter(pk=attendee.pk).exists()
    mine = SeatingRequest.objects.filter(attendee=attendee)
    if mine.filter(other=other).exists():
        return mine.get(other=other)
    if limit is not None and mine.count() >= limit:
        raise ValidationError(
            _(
                "You already asked not to sit with %(n)s people. For more, please speak to an "
                "organizer."
            )
            % {"n": limit}
        )
    request = SeatingRequest.objects.create(
        attendee=attendee, other=other, event_id=attendee.event_id
    )
    # the control pages check the plan for the coming rounds against it (their banner)
    counters_changed(attendee.event_id)
    return request


def seating_refusal(attendee: Attendee, *, over: Callable[[], str] | None = None) -> str:
    """Why a seating request of ``attendee``'s (a keep-apart pair, a wish) cannot be honoured
    any more, in the reader's language, or ``""`` while one can (``Attendee.has_seating_ahead``):
    ``no_more_tables()`` for someone taken out of the rounds after a report, else ``over()``
    (default ``seating_over``) once no round is left to seat. The one rule behind the phone's
    pages and the services that refuse. No queries when ``event`` is loaded with them."""
    if attendee.has_seating_ahead:
        return ""
    if attendee.is_removed:
        return no_more_tables()
    return (over or seating_over)()


def seating_over() -> str:
    """Why a keep-apart request cannot be made now, in the reader's language."""
    return _("No round is left to seat: no seating plan can keep you apart any more.")


def no_more_tables() -> str:
    """What a person taken out of the rounds after a report is told when they ask for a
    seating wish or a keep-apart request, in the reader's language: there is no table left
    for them, and whom to speak to."""
    return _("You have no more tables this evening. Please speak to an organizer.")


@transaction.atomic
def drop_apart(attendee: Attendee, *, other_id: int) -> None:
    """Take back one's own "don't seat me with" (from the next re-plan on). Always allowed: it
    is the attendee's own private data, even once the rounds are over."""
    deleted, _kinds = SeatingRequest.objects.filter(attendee=attendee, other_id=other_id).delete()
    if deleted:
        counters_changed(attendee.event_id)


@transaction.atomic
def block_email(
    event: Event, *, attendee: Attendee, by: AbstractBaseUser, digest: str = ""
) -> EmailBlock | None:
    """Block this attendee's email from the future events of ``event``'s owner (only a keyed
    hash is stored): their email now, else ``digest`` (``hygiene.email_digest`` of the one they
    had). None when there is neither. ``by`` (the owner or a co-organizer) is recorded in the
    event's log.

    The block belongs to the event's owner whoever presses the button: it keeps the person out
    of the owner's next events, where the report was made, and it is never added to the list of
    a co-organizer, which would carry one event's report into the co-organizer's other events
    and to the organizers they work with. An event applies its owner's blocks only
    (``blocked_digests``)."""
    digest = (hygiene.email_digest(attendee.email) if attendee.email else "") or digest
    if not digest:
        return None
    block, _created = EmailBlock.objects.get_or_create(
        organizer_id=event.organizer_id, email_hash=digest
    )
    record(event, action="email_blocked", by=by)
    return block
