"""Writes and state transitions for events and attendees: the only code that changes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events import csv_import, hygiene
from events.codes import new_join_code
from events.models import Attendee, Event, ImportUpload, LogEntry, PairRule


def counters_changed(event_id: int) -> None:
    """After the commit, push to the event's control pages that who is here changed."""
    from rounds import broadcasts  # rounds builds on events: imported when first needed

    transaction.on_commit(partial(broadcasts.broadcast_counters, event_id))


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
    is_seating_walk_ins: bool = False,
) -> Event:
    event = Event(
        organizer=organizer,
        is_sending_missed_you=is_sending_missed_you,
        is_seating_walk_ins=is_seating_walk_ins,
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
) -> Attendee:
    """Add one attendee, their identity cleaned by the hygiene rule (``events.hygiene``).

    ``is_consent_suggested`` is someone else's "yes" to sharing (the organizer's tick), which the
    attendee confirms on their phone; ``is_consenting_to_share`` is the attendee's own answer when
    they gave it here (the join form), recorded as their decision; None when not asked.
    Raises ``ValidationError`` for a name, email or phone that cannot be taken, or an email
    already at the event."""
    identity = clean_identity(
        name=name, email=email, company=company, job_title=job_title, phone=phone
    )
    attendee = Attendee(event=event, is_consent_suggested=is_consent_suggested, **identity)
    if is_consenting_to_share is not None:
        take_consent_choice(attendee, is_sharing=is_consenting_to_share)
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
        record(attendee.event, action="checked_in", by=by, params={"attendee": attendee.pk})
        counters_changed(attendee.event_id)
    return attendee


def record(
    event: Event,
    *,
    action: str,
    params: dict[str, int | str | list[str]] | None = None,
    message: str = "",
    by: AbstractBaseUser | None = None,
) -> LogEntry:
    """Add a line to the event's log; called inside the transaction that made the change.

    A line is data: ``action`` (one of ``events.logs``' sentences) and ``params`` (ids and
    numbers; people as ids under ``attendee``/``first``/``second``, users under ``user``), so
    it is written in the reader's language when shown. ``message`` is only for free text that
    has no sentence (an announcement's own words); it is cut to 300 characters."""
    return LogEntry.objects.create(
        event=event, action=action, params=params or {}, message=message[:300], actor=by
    )


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
    """A walk-in joins with the event code: registered and checked in at once.

    Someone imported without an email (a Meetup list) claims their record: when exactly one
    attendee not yet checked in, without email, has the name typed, that record is theirs
    (the email, company and job title they typed fill its blanks) instead of a second one."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.is_open_for_joining:
        raise ValidationError(joining_refusal(event))
    email = clean_identity(email=email)["email"]
    claimable = list(
        event.attendees.filter(
            email="",
            name__iexact=clean_identity(name=name)["name"],
            checked_in_at__isnull=True,
            erased_at__isnull=True,
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
        )
    attendee = add_attendee(
        event,
        name=name,
        email=email,
        company=company,
        job_title=job_title,
        is_consenting_to_share=is_consenting_to_share,  # the walk-in chose on the join form
    )
    return check_in(attendee)


def claim_attendee(
    attendee: Attendee,
    *,
    email: str,
    company: str,
    job_title: str,
    is_consenting_to_share: bool,
) -> Attendee:
    """An imported attendee without email joins in person: their blanks filled, their own
    answer to sharing taken, checked in."""
    identity = clean_identity(company=company, job_title=job_title)
    attendee.email = email
    attendee.company = attendee.company or identity["company"]
    attendee.job_title = attendee.job_title or identity["job_title"]
    consent = take_consent_choice(attendee, is_sharing=is_consenting_to_share)
    attendee.save(update_fields=["email", "company", "job_title", *consent])
    record(attendee.event, action="attendee_claimed", params={"attendee": attendee.pk})
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
        record(event, action="plan_dropped", by=by)
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
    """Not here after all (a check-in by mistake): back to "not here yet", in the log."""
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.checked_in_at is None and attendee.left_at is None:
        return attendee
    attendee.checked_in_at = attendee.left_at = None
    attendee.save(update_fields=["checked_in_at", "left_at"])
    record(attendee.event, action="check_in_undone", by=by, params={"attendee": attendee.pk})
    counters_changed(attendee.event_id)
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
        record(attendee.event, action="attendee_left", by=by, params={"attendee": attendee.pk})
        counters_changed(attendee.event_id)
    return attendee


UPLOAD_KEPT = timedelta(days=1)


@transaction.atomic
def store_upload(
    event: Event, *, data: bytes, file_name: str, by: AbstractBaseUser
) -> ImportUpload:
    """Keep an uploaded list on the server until it is imported (or for ``UPLOAD_KEPT``); the
    preview and the import refer to it by its random ``key``. Uploads older than that, of any
    event, are removed here. Raises ``ValidationError`` for a file over the size limit."""
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
        )
    ]


def preview_import(
    event: Event,
    *,
    data: bytes,
    mapping: dict[str, int | None] | None = None,
    encoding: str | None = None,
) -> tuple[csv_import.Parsed, csv_import.Comparison]:
    """The dry run of an import: nothing is written. Raises ``ValidationError`` for a file
    that cannot be read at all (or not in the chosen ``encoding``)."""
    parsed = csv_import.parse(data, mapping=mapping, encoding=encoding)
    return parsed, csv_import.compare(parsed, existing_attendees(event))


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
    (``ValidationError``). The ``upload`` it came from is removed once imported."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _parsed, comparison = preview_import(event, data=data, mapping=mapping, encoding=encoding)
    if comparison.errors:
        raise ValidationError(comparison.errors)
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
        params={"user": helper.pk},
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
