"""Sending the follow-up mail: each attendee's digest after the event (only to people who came;
no-shows get a short "sorry we missed you" if the organizer chose it), and one reminder a week
later of the introductions they promised and have not made. Each message is sent at most once.

Every message is its own guarded step: claimed, built and sent on its own, and anything that goes
wrong for one attendee (a header no server takes, an address that cannot be encoded, an SMTP
refusal, a template error) is recorded on that attendee's claim with the reason, reported, and
tried again by later runs up to ``Digest.MAX_ATTEMPTS`` times (10 minutes after the first
failure, 20 after the second: ``Digest.retry_at``). It never stops the run for the
other attendees or for other events, whoever organizes them.

Once means: the ``Digest`` row (unique per attendee and kind) is claimed, and committed, before
the message is built and sent, so a second run at the same time cannot claim it too. No
transaction is held open during the SMTP round trip, so a live event on the same SQLite database
never waits for the mail server. A crash between the claim and the send leaves the row
"sending" and that message is never sent, which is the right way round for mail ("never the same
digest twice").

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

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from events import services as event_services
from events.models import Attendee, Event
from feedback import digest, queries
from feedback.models import Digest, Introduction

logger = logging.getLogger(__name__)

DIGEST_GRACE = timedelta(minutes=30)
DIGEST_LATE_LIMIT = timedelta(days=7)
REMINDER_AFTER = timedelta(days=7)
REMINDER_LATE_LIMIT = timedelta(days=14)
MAX_ERROR_CHARS = 300
# A claim still "being sent" this long after it was taken belongs to a run that died (killed by
# cron's timeout or a restart, where no ``except`` runs): it counts as a failed attempt.
STALE_CLAIM = timedelta(minutes=30)

# Why a message was not sent in this run, in the order the command prints them.
REASONS = (
    "no email",
    "no-show",
    "unsubscribed",
    "erased",
    "already sent",
    "being sent",
    "waiting to retry",
    "gave up",
)


@dataclass
class Report:
    """What one run did for one event and one kind of message: the addresses sent to, the
    reasons others were skipped (``REASONS``), and (address, reason) for each failure."""

    event: Event
    kind: str
    sent: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)


class Outcome:
    SENT = "sent"
    NOTHING = "nothing"  # nothing to send any more (e.g. every promise was made meanwhile)


def describe(error: BaseException) -> str:
    """An error as one short line for the claim, the report and the log: values in it (a
    poisoned name quoted by ``BadHeaderError``) can carry line breaks too."""
    return digest.one_line(f"{type(error).__name__}: {error}", limit=MAX_ERROR_CHARS)


def claim(attendee: Attendee, kind: str, *, now: datetime | None = None) -> Digest | None:
    """Claim this message for sending now: a new row, or a failed one with attempts left (its
    attempt count goes up), or one abandoned "being sent" by a run that died (``STALE_CLAIM``;
    at worst that one person gets the message twice, never not at all). None when it was sent,
    is being sent, or gave up. Committed at once
    so that no other run claims it too."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return Digest.objects.create(
                attendee=attendee,
                kind=kind,
                status=Digest.Status.SENDING,
                attempts=1,
                claimed_at=now,
                sent_at=None,
            )
    except IntegrityError:
        pass
    abandoned = Q(status=Digest.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    failed = Digest.objects.filter(
        Q(status=Digest.Status.FAILED) | abandoned,
        attendee=attendee,
        kind=kind,
        attempts__lt=Digest.MAX_ATTEMPTS,
    ).first()
    if failed is None or (failed.status == Digest.Status.FAILED and failed.retry_at > now):
        return None
    # Conditional on the row as read, so that of two runs at once only one takes it.
    retry = Digest.objects.filter(
        pk=failed.pk, status=failed.status, attempts=failed.attempts, claimed_at=failed.claimed_at
    )
    if not retry.update(status=Digest.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now):
        return None
    return Digest.objects.get(pk=failed.pk)


def mark_sent(claimed: Digest) -> None:
    Digest.objects.filter(pk=claimed.pk).update(
        status=Digest.Status.SENT, sent_at=timezone.now(), error=""
    )


def mark_failed(claimed: Digest, reason: str) -> None:
    Digest.objects.filter(pk=claimed.pk).update(status=Digest.Status.FAILED, error=reason)


def unclaim(claimed: Digest) -> None:
    """Give a claim back untouched: nothing was wrong with this message (the run was stopped)."""
    if claimed.attempts <= 1:
        Digest.objects.filter(pk=claimed.pk).delete()
    else:
        Digest.objects.filter(pk=claimed.pk).update(
            status=Digest.Status.FAILED, attempts=F("attempts") - 1
        )


class MessageFailed(Exception):
    """One attendee's message failed; recorded on the claim. ``reason`` is one line."""

    def __init__(self, reason: str, *, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


def send_once(
    attendee: Attendee,
    kind: str,
    build: Callable[[Attendee], EmailMessage | None],
    *,
    connection: BaseEmailBackend | None = None,
) -> str | None:
    """Claim, build and send one message as one guarded step. Returns ``Outcome.SENT``,
    ``Outcome.NOTHING`` (``build`` had nothing to say: the claim is given back), or None when it
    was not claimed (sent before, being sent, or out of attempts). Raises ``MessageFailed``
    after recording any error of building or sending on the claim."""
    claimed = claim(attendee, kind)
    if claimed is None:
        return None
    try:
        message = build(attendee)
        if message is None:
            unclaim(claimed)
            return Outcome.NOTHING
        message.connection = connection
        message.send()
    except Exception as error:  # any failure is this message's alone
        reason = describe(error)
        mark_failed(claimed, reason)
        raise MessageFailed(reason, attempts=claimed.attempts) from error
    except BaseException:  # stopped by hand (Ctrl-C): not this message's fault
        unclaim(claimed)
        raise
    mark_sent(claimed)
    return Outcome.SENT


def send_digest(attendee: Attendee, *, connection: BaseEmailBackend | None = None) -> bool:
    """Send the attendee's digest unless it was sent already. Returns whether it was sent now;
    raises ``MessageFailed`` (recorded on the claim) when it could not be."""
    outcome = send_once(attendee, Digest.Kind.DIGEST, digest.digest_message, connection=connection)
    return outcome == Outcome.SENT


def send_missed_you(attendee: Attendee, *, connection: BaseEmailBackend | None = None) -> bool:
    """Send the "sorry we missed you" note to a no-show, once."""
    outcome = send_once(
        attendee, Digest.Kind.MISSED, digest.missed_you_message, connection=connection
    )
    return outcome == Outcome.SENT


def send_reminder(
    attendee: Attendee, *, connection: BaseEmailBackend | None = None, now: datetime | None = None
) -> bool:
    """Send the one reminder of the attendee's open promises and stamp them reminded. Returns
    whether it was sent now: not when it went before or nothing is open any more."""
    promises: list[queries.IntroductionItem] = []

    def build(person: Attendee) -> EmailMessage | None:
        shows_contact = digest.mail_shows_contacts(person)
        promises.extend(queries.open_promises_of(person, shows_contact=shows_contact))
        return digest.reminder_message(person, promises) if promises else None

    if send_once(attendee, Digest.Kind.REMINDER, build, connection=connection) != Outcome.SENT:
        return False
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


def claims_of(attendees: QuerySet[Attendee] | list[Attendee], kind: str) -> dict[int, Digest]:
    """The existing claims of this kind for these attendees, by attendee id. One query."""
    rows = Digest.objects.filter(attendee__in=attendees, kind=kind)
    return {row.attendee_id: row for row in rows}


def is_abandoned(claimed: Digest, *, now: datetime) -> bool:
    """A claim left "being sent" by a run that died, with attempts left (see ``STALE_CLAIM``)."""
    return (
        claimed.status == Digest.Status.SENDING
        and claimed.claimed_at < now - STALE_CLAIM
        and claimed.attempts < Digest.MAX_ATTEMPTS
    )


def skip_reason(
    attendee: Attendee, *, claims: dict[int, Digest], now: datetime | None = None
) -> str | None:
    """Why this attendee gets no message of this kind in this run, or None to send it."""
    if attendee.erased_at is not None:
        return "erased"
    if attendee.unsubscribed_at is not None:
        return "unsubscribed"
    if not attendee.email:
        return "no email"
    claimed = claims.get(attendee.pk)
    if claimed is None:
        return None
    now = now or timezone.now()
    if claimed.is_retryable:
        return None if claimed.retry_at <= now else "waiting to retry"
    if is_abandoned(claimed, now=now):
        return None
    return {
        Digest.Status.SENT: "already sent",
        Digest.Status.SENDING: "being sent",
        Digest.Status.FAILED: "gave up",
    }[claimed.status]


def record_failure(report: Report, attendee: Attendee, failure: MessageFailed) -> None:
    """Report one failed message: in the run's report, the server log and the event's log."""
    address = digest.one_line(attendee.email)
    report.failed.append((address, failure.reason))
    logger.error(
        "%s to attendee %s of event %s failed (attempt %s of %s): %s",
        report.kind,
        attendee.pk,
        report.event.pk,
        failure.attempts,
        Digest.MAX_ATTEMPTS,
        failure.reason,
    )
    try:
        event_services.record(
            report.event,
            action="mail_failed",
            message=digest.one_line(
                f"{report.kind} to {attendee.name} <{address}> failed "
                f"(attempt {failure.attempts}/{Digest.MAX_ATTEMPTS}): {failure.reason}",
                limit=300,
            ),
        )
    except Exception:  # the report above stands; a log line must not stop the run
        logger.exception("could not write the mail failure to event %s's log", report.event.pk)


def deliver(
    report: Report,
    attendee: Attendee,
    send: Callable[..., bool],
    *,
    connection: BaseEmailBackend,
    dry_run: bool,
) -> None:
    """One attendee's message as one step of the run: whatever happens is in the report."""
    if dry_run:
        report.sent.append(attendee.email)
        return
    try:
        was_sent = send(attendee, connection=connection)
    except MessageFailed as failure:
        record_failure(report, attendee, failure)
        close_quietly(connection)  # the next message opens a fresh connection
        return
    except Exception as error:  # not even claimed (say, the database refused): this one only
        report.failed.append((digest.one_line(attendee.email), describe(error)))
        logger.exception("follow-up to attendee %s stopped", attendee.pk)
        return
    if was_sent:
        report.sent.append(attendee.email)
    else:
        report.skipped["already sent"] += 1


def open_connection(report: Report, connection: BaseEmailBackend) -> bool:
    """Open the mail connection for an event's messages; when the server cannot be reached the
    event waits for the next run (no attempt is counted: nothing is wrong with the messages)."""
    try:
        connection.open()
    except Exception as error:
        reason = describe(error)
        report.failed.append(("(mail server)", reason))
        logger.error("mail server unavailable for event %s: %s", report.event.pk, reason)
        return False
    return True


def send_event_digests(
    event: Event, *, connection: BaseEmailBackend, dry_run: bool
) -> list[Report]:
    """The digest to everyone who checked in; the "sorry we missed you" note to the others when
    the organizer chose it (its own report), else they are skipped as no-shows."""
    digests = Report(event=event, kind=Digest.Kind.DIGEST)
    reports = [digests]
    try:
        attendees = list(event.attendees.select_related("event").order_by("pk"))
        came = [person for person in attendees if person.is_checked_in]
        missed = [person for person in attendees if not person.is_checked_in]
        if not dry_run and not open_connection(digests, connection):
            return reports
        send_each(digests, came, send_digest, connection=connection, dry_run=dry_run)
        if not event.is_sending_missed_you:
            digests.skipped["no-show"] += len(missed)
            return reports
        notes = Report(event=event, kind=Digest.Kind.MISSED)
        reports.append(notes)
        send_each(notes, missed, send_missed_you, connection=connection, dry_run=dry_run)
    except Exception as error:
        reports[-1].failed.append(("(event)", describe(error)))
        logger.exception("follow-up mail of event %s stopped", event.pk)
    finally:
        close_quietly(connection)
    return reports


def send_each(
    report: Report,
    attendees: list[Attendee],
    send: Callable[..., bool],
    *,
    connection: BaseEmailBackend,
    dry_run: bool,
) -> None:
    claims = claims_of(attendees, report.kind)
    for attendee in attendees:
        reason = skip_reason(attendee, claims=claims)
        if reason:
            report.skipped[reason] += 1
            continue
        deliver(report, attendee, send, connection=connection, dry_run=dry_run)


def send_digests(
    *,
    now: datetime | None = None,
    grace: timedelta = DIGEST_GRACE,
    event_id: int | None = None,
    dry_run: bool = False,
) -> list[Report]:
    """Send every due digest, one event after another. One attendee's failure is recorded and
    reported and the others still get theirs; an error for a whole event (say, its data cannot
    be read) is reported and the next event goes on."""
    now = now or timezone.now()
    reports = []
    connection = mail.get_connection()
    for event in events_due_for_digest(now=now, grace=grace, event_id=event_id):
        reports.extend(send_event_digests(event, connection=connection, dry_run=dry_run))
    return reports


def close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:
        logger.exception("closing the mail connection failed")


def attendees_due_for_reminder(*, now: datetime, event_id: int | None = None) -> QuerySet[Attendee]:
    """Attendees whose digest went out a week ago (but not two) with a promise still open."""
    open_promise = Introduction.objects.filter(
        card__giver=OuterRef("pk"), status__in=queries.OPEN_PROMISES
    )
    digest_due = Digest.objects.filter(
        attendee=OuterRef("pk"),
        kind=Digest.Kind.DIGEST,
        status=Digest.Status.SENT,
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
    """Send every due reminder; failures are recorded and reported like the digests'."""
    now = now or timezone.now()
    reports: dict[int, Report] = {}
    connection = mail.get_connection()
    attendees = list(attendees_due_for_reminder(now=now, event_id=event_id))
    claims = claims_of(attendees, Digest.Kind.REMINDER)

    def send(attendee: Attendee, *, connection: BaseEmailBackend) -> bool:
        return send_reminder(attendee, connection=connection, now=now)

    for attendee in attendees:
        report = reports.setdefault(
            attendee.event_id, Report(event=attendee.event, kind=Digest.Kind.REMINDER)
        )
        reason = skip_reason(attendee, claims=claims)
        if reason:
            report.skipped[reason] += 1
            continue
        deliver(report, attendee, send, connection=connection, dry_run=dry_run)
    close_quietly(connection)
    return list(reports.values())


@dataclass(frozen=True)
class MailFailure:
    attendee: Attendee
    kind: str
    attempts: int
    error: str
    is_final: bool  # out of attempts: no run tries it again


@dataclass(frozen=True)
class MailStatus:
    """The follow-up mail of one event for its organizer: counts by kind and status, and every
    message that failed, with the reason."""

    counts: dict[tuple[str, str], int]
    failures: list[MailFailure]

    @property
    def sent(self) -> int:
        return sum(n for (_kind, status), n in self.counts.items() if status == "sent")

    @property
    def is_empty(self) -> bool:
        return not self.counts


def mail_status(event: Event) -> MailStatus:
    """What the follow-up mail of this event did so far. Two queries."""
    rows = (
        Digest.objects.filter(attendee__event=event)
        .values_list("kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    failed = (
        Digest.objects.filter(attendee__event=event, status=Digest.Status.FAILED)
        .select_related("attendee")
        .order_by("attendee__name", "pk")
    )
    return MailStatus(
        counts={(kind, status): n for kind, status, n in rows},
        failures=[
            MailFailure(
                attendee=row.attendee,
                kind=row.get_kind_display(),
                attempts=row.attempts,
                error=row.error,
                is_final=not row.is_retryable,
            )
            for row in failed
        ],
    )


def try_again(claims: QuerySet[Digest]) -> int:
    """Give failed messages their attempts back, due at once (after the organizer fixed the
    cause); sent and sending ones are left alone. Returns how many."""
    return claims.filter(status=Digest.Status.FAILED).update(
        attempts=0, claimed_at=timezone.now() - Digest.RETRY_AFTER
    )
