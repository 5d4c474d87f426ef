"""Sending the follow-up mail: each attendee's digest after the event, and one reminder a week
later of the introductions they promised and have not made. Each message is sent at most once.

Once means: the ``Digest`` row (unique per attendee and kind) is claimed, and committed, before
the message is sent, so a second run at the same time cannot claim it too. A send that fails
gives the claim back (the row is deleted) and the next run tries again. No transaction is held
open during the SMTP round trip, so a live event on the same SQLite database never waits for the
mail server. The one gap left is a crash between the claim and the send: that message is then
never sent, which is the right way round for mail ("never the same digest twice").

When:
- the digest, from ``DIGEST_GRACE`` after the event closed (the organizer may still reopen it)
  until ``DIGEST_LATE_LIMIT`` after. Meant for "within 24 hours"; if cron did not run for a
  while, a digest a few days late still helps, a digest weeks late is noise, so events closed
  longer ago get none.
- the reminder, ``REMINDER_AFTER`` the digest was sent, until ``REMINDER_LATE_LIMIT`` after it;
  only to someone with a promise still open (offered or accepted: not made, not declined).
Nobody who unsubscribed, was erased or has no email gets anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from events.models import Attendee, Event
from feedback import digest, queries
from feedback.models import Digest, Introduction

DIGEST_GRACE = timedelta(minutes=30)
DIGEST_LATE_LIMIT = timedelta(days=7)
REMINDER_AFTER = timedelta(days=7)
REMINDER_LATE_LIMIT = timedelta(days=14)


@dataclass
class Report:
    """What one run did for one event and one kind of message."""

    event: Event
    kind: str
    sent: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)


def skip_reason(attendee: Attendee, *, already_sent: set[int]) -> str | None:
    if attendee.erased_at is not None:
        return "erased"
    if attendee.unsubscribed_at is not None:
        return "unsubscribed"
    if not attendee.email:
        return "no email"
    if attendee.pk in already_sent:
        return "already sent"
    return None


def claim(attendee: Attendee, kind: str) -> bool:
    """Record that this message goes out now; False when it already went (or is going)."""
    try:
        with transaction.atomic():
            Digest.objects.create(attendee=attendee, kind=kind)
    except IntegrityError:
        return False
    return True


def unclaim(attendee: Attendee, kind: str) -> None:
    """Give a claim back after a failed send, so the next run tries again."""
    Digest.objects.filter(attendee=attendee, kind=kind).delete()


def send_digest(attendee: Attendee, *, connection: BaseEmailBackend | None = None) -> bool:
    """Send the attendee's digest unless it was sent already. Returns whether it was sent now;
    a sending error propagates and leaves nothing recorded."""
    if not claim(attendee, Digest.Kind.DIGEST):
        return False
    try:
        message = digest.digest_message(attendee)
        message.connection = connection
        message.send()
    except BaseException:
        unclaim(attendee, Digest.Kind.DIGEST)
        raise
    return True


def send_reminder(
    attendee: Attendee, *, connection: BaseEmailBackend | None = None, now: datetime | None = None
) -> bool:
    """Send the one reminder of the attendee's open promises and stamp them reminded. Returns
    whether it was sent now: not when it went before or nothing is open any more."""
    promises = queries.open_promises_of(attendee)
    if not promises or not claim(attendee, Digest.Kind.REMINDER):
        return False
    try:
        message = digest.reminder_message(attendee, promises)
        message.connection = connection
        message.send()
    except BaseException:
        unclaim(attendee, Digest.Kind.REMINDER)
        raise
    Introduction.objects.filter(pk__in=[item.introduction.pk for item in promises]).update(
        reminded_at=now or timezone.now()
    )
    return True


def events_due_for_digest(
    *, now: datetime, grace: timedelta = DIGEST_GRACE, event_id: int | None = None
) -> QuerySet[Event]:
    events = Event.objects.filter(
        status=Event.Status.CLOSED,
        closed_at__lte=now - grace,
        closed_at__gt=now - DIGEST_LATE_LIMIT,
    )
    if event_id is not None:
        events = events.filter(pk=event_id)
    return events.order_by("closed_at", "pk")


def deliver(
    report: Report,
    attendee: Attendee,
    send: Callable[..., bool],
    *,
    connection: BaseEmailBackend,
    dry_run: bool,
) -> None:
    if dry_run:
        report.sent.append(attendee.email)
        return
    try:
        was_sent = send(attendee, connection=connection)
    except OSError as error:  # smtplib.SMTPException and socket errors
        report.failed.append((attendee.email, f"{type(error).__name__}: {error}"))
        connection.close()  # the next message opens a fresh connection
        return
    if was_sent:
        report.sent.append(attendee.email)
    else:
        report.skipped["already sent"] += 1


def send_digests(
    *,
    now: datetime | None = None,
    grace: timedelta = DIGEST_GRACE,
    event_id: int | None = None,
    dry_run: bool = False,
) -> list[Report]:
    """Send every due digest, one event after another; one attendee's sending error is
    reported and the others still get theirs."""
    now = now or timezone.now()
    reports = []
    connection = mail.get_connection()
    for event in events_due_for_digest(now=now, grace=grace, event_id=event_id):
        report = Report(event=event, kind=Digest.Kind.DIGEST)
        already_sent = set(
            Digest.objects.filter(attendee__event=event, kind=Digest.Kind.DIGEST).values_list(
                "attendee_id", flat=True
            )
        )
        for attendee in event.attendees.select_related("event").order_by("pk"):
            reason = skip_reason(attendee, already_sent=already_sent)
            if reason:
                report.skipped[reason] += 1
                continue
            deliver(report, attendee, send_digest, connection=connection, dry_run=dry_run)
        reports.append(report)
    return reports


def attendees_due_for_reminder(*, now: datetime, event_id: int | None = None) -> QuerySet[Attendee]:
    """Attendees whose digest went out a week ago (but not two) with a promise still open."""
    open_promise = Introduction.objects.filter(
        card__giver=OuterRef("pk"), status__in=queries.OPEN_PROMISES
    )
    digest_due = Digest.objects.filter(
        attendee=OuterRef("pk"),
        kind=Digest.Kind.DIGEST,
        sent_at__lte=now - REMINDER_AFTER,
        sent_at__gt=now - REMINDER_LATE_LIMIT,
    )
    attendees = Attendee.objects.filter(
        Exists(digest_due), Exists(open_promise), event__status=Event.Status.CLOSED
    )
    if event_id is not None:
        attendees = attendees.filter(event_id=event_id)
    return attendees.select_related("event").order_by("event__closed_at", "event_id", "pk")


def send_reminders(
    *, now: datetime | None = None, event_id: int | None = None, dry_run: bool = False
) -> list[Report]:
    now = now or timezone.now()
    reports: dict[int, Report] = {}
    connection = mail.get_connection()
    attendees = list(attendees_due_for_reminder(now=now, event_id=event_id))
    already_sent = set(
        Digest.objects.filter(attendee__in=attendees, kind=Digest.Kind.REMINDER).values_list(
            "attendee_id", flat=True
        )
    )

    def send(attendee: Attendee, *, connection: BaseEmailBackend) -> bool:
        return send_reminder(attendee, connection=connection, now=now)

    for attendee in attendees:
        report = reports.setdefault(
            attendee.event_id, Report(event=attendee.event, kind=Digest.Kind.REMINDER)
        )
        reason = skip_reason(attendee, already_sent=already_sent)
        if reason:
            report.skipped[reason] += 1
            continue
        deliver(report, attendee, send, connection=connection, dry_run=dry_run)
    return list(reports.values())
