"""Send the follow-up mail that is due: digests after closed events, reminders a week later.

Safe to run from cron every few minutes: each message goes out at most once (see
``feedback/followups.py``), and one attendee's failure (a bad address, a refused message, a
template error) does not stop the others or other events; it is recorded on that attendee's
claim, reported on stderr and in the event's log, and tried again by the next runs, up to three
attempts in all.

    */5 * * * *  cd /srv/speednet && .venv/bin/python manage.py send_followups
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from events.models import Event
from feedback import followups
from feedback.digest import one_line
from feedback.followups import Report

KIND_NAMES = {"digest": "digests", "reminder": "reminders", "missed": "sorry-we-missed-you notes"}


class Command(BaseCommand):
    help = (
        "Send each attendee's follow-up digest after their event closed (from the grace until "
        "7 days after the close) and one reminder of open introductions 7 days after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=int(followups.DIGEST_GRACE.total_seconds() // 60),
            help="Wait this long after an event closed before sending its digests (default 30).",
        )
        parser.add_argument("--event", type=int, help="Only this event (its id).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be sent; send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        grace_minutes = options["grace_minutes"]
        if grace_minutes < 0:
            raise CommandError("--grace-minutes cannot be negative.")
        event_id = options["event"]
        if event_id is not None and not Event.objects.filter(pk=event_id).exists():
            raise CommandError(f"There is no event {event_id}.")
        now = timezone.now()
        dry_run = options["dry_run"]
        digests = followups.send_digests(
            now=now, grace=timedelta(minutes=grace_minutes), event_id=event_id, dry_run=dry_run
        )
        reminders = followups.send_reminders(now=now, event_id=event_id, dry_run=dry_run)
        if event_id is not None and not digests:
            self.stdout.write(self.not_due(event_id, now, timedelta(minutes=grace_minutes)))
        for report in [*digests, *reminders]:
            self.print_report(report, dry_run=dry_run)

    def not_due(self, event_id: int, now: Any, grace: timedelta) -> str:
        event = Event.objects.get(pk=event_id)
        if event.closed_at is None:
            return f"{one_line(event.title)} (#{event.pk}): not closed, no digests yet."
        if event.closed_at > now - grace:
            title = one_line(event.title)
            return f"{title} (#{event.pk}): closed less than {grace} ago, digests wait."
        return (
            f"{one_line(event.title)} (#{event.pk}): closed more than "
            f"{followups.DIGEST_LATE_LIMIT.days} days ago, too late for digests."
        )

    def print_report(self, report: Report, *, dry_run: bool) -> None:
        kind = KIND_NAMES[report.kind]
        skipped = sum(report.skipped.values())
        reasons = ", ".join(
            f"{report.skipped[reason]} {reason}"
            for reason in followups.REASONS
            if report.skipped[reason]
        )
        sent = f"{len(report.sent)} {'would be sent' if dry_run else 'sent'}"
        self.stdout.write(
            f"{one_line(report.event.title)} (#{report.event.pk}) {kind}: {sent}, "
            f"{skipped} skipped{f' ({reasons})' if reasons else ''}, {len(report.failed)} failed"
        )
        if dry_run:
            for address in report.sent:
                self.stdout.write(f"  would send to {address}")
        for address, error in report.failed:
            self.stderr.write(f"  failed: {address}: {error}")
