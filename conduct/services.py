"""Reports and the organizers' actions on them: the only code that changes them.

An attendee reports from their phone; every organizer's control page is alerted after commit
(and mailed when the event says so). The person reported is never told: nothing here pushes to
a phone but the plan changes that any re-plan sends.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conduct import broadcasts, queries
from conduct.models import Report
from events import hygiene
from events import services as event_services
from events import sockets as event_sockets
from events.models import Attendee, EmailBlock, Event, SeatingRequest
from rounds import broadcasts as round_broadcasts
from rounds import queries as round_queries
from rounds import services as round_services
from rounds.models import Round

MAX_MESSAGE_CHARS = 1000
# A phone cannot flood the organizers' alerts (and mail): this many reports in this window.
MAX_REPORTS_PER_WINDOW = 5
REPORT_WINDOW = timedelta(minutes=10)
# The same report again within this window (a double tap, a resent form) is not a new one.
REPEAT_WINDOW = timedelta(minutes=2)


@transaction.atomic
def make_report(
    reporter: Attendee, *, kind: str, about_id: int | None = None, message: str = ""
) -> Report:
    """Report a problem: about a person (``about_id``, one of the event's attendees), someone
    else (described in ``message``) or the event. Raises ``ValidationError`` for an unknown
    kind, a person from elsewhere or erased (one refusal for both: it names nobody), oneself, a
    message with control characters, or more than ``MAX_REPORTS_PER_WINDOW`` in
    ``REPORT_WINDOW``. The same report again within ``REPEAT_WINDOW`` returns the first one (no
    second alert).

    The person may be anyone of the event, not only the tablemates the page offers as buttons
    (``queries.tablemates``): what is reported may have happened at the door or while
    mingling, and someone who left mid-round no longer has a seat at her table. Unlike "don't
    seat me with" (``ask_apart``), a report decides nothing by itself: the organizers read it and
    choose what follows (``keep_apart_next_round``, ``remove_from_rounds``)."""
    if kind not in Report.Kind.values:
        raise ValidationError(_("Choose what the report is about."))
    message = hygiene.clean_text(message, label=_("Message"), max_length=MAX_MESSAGE_CHARS)
    about = None
    if kind == Report.Kind.PERSON:
        about = (
            reporter.event.attendees.filter(pk=about_id, erased_at__isnull=True).first()
            if about_id
            else None
        )
        if about is None:
            raise ValidationError(_("This person is not at this event."))
        if about.pk == reporter.pk:
            raise ValidationError(_("A report is about someone else."))
    # One report at a time per phone, so two taps at once cannot both pass the checks below.
    Attendee.objects.select_for_update(no_key=True).filter(pk=reporter.pk).exists()
    now = timezone.now()
    # A second tap, or the same form sent again after a lost answer, is the same report: the
    # organizers are alerted once.
    same = Report.objects.filter(
        reporter=reporter,
        kind=kind,
        about=about,
        message=message,
        created_at__gte=now - REPEAT_WINDOW,
    ).first()
    if same is not None:
        return same
    recent = Report.objects.filter(reporter=reporter, created_at__gte=now - REPORT_WINDOW).count()
    if recent >= MAX_REPORTS_PER_WINDOW:
        raise ValidationError(
            _(
                "The organizers have your reports from the last few minutes. For anything more, "
                "please find an organizer in person."
            )
        )
    report = Report.objects.create(
        event_id=reporter.event_id,
        reporter=reporter,
        kind=kind,
        about=about,
        about_email_hash=about_digest(about),
        message=message,
    )
    event_services.record(
        reporter.event,
        action="report_made",
        params={"n": report.pk},
    )
    transaction.on_commit(partial(broadcasts.broadcast_report, report.pk))
    if reporter.event.is_mailing_reports:
        transaction.on_commit(partial(broadcasts.mail_report, report.pk))
    return report


@transaction.atomic
def update_report(report: Report, *, status: str, note: str, by: AbstractBaseUser) -> Report:
    """Set a report's status (open, acknowledged, resolved) and the organizers' private note."""
    if status not in Report.Status.values:
        raise ValidationError(_("Unknown status."))
    report.status = status
    report.organizer_note = hygiene.clean_text(note, label=_("Note"), max_length=2000)
    report.save(update_fields=["status", "organizer_note", "updated_at"])
    return report


def reported_person(report: Report) -> Attendee:
    if report.about is None:
        raise ValidationError(_("This report names nobody at the event."))
    return report.about


def has_rounds_left(event: Event) -> bool:
    """Whether a re-plan can change anything: a plan exists and a round has not started."""
    rounds = Round.objects.filter(event=event)
    return (
        rounds.filter(status=Round.Status.PLANNED).exists()
        and rounds.exclude(status=Round.Status.PLANNED).exists()
    )


def replan_if_started(event: Event, *, by: AbstractBaseUser) -> bool:
    """Re-plan the remaining rounds when the rounds have started (before, the plan made at the
    start takes every rule anyway: an existing plan not yet started is made again). Raises the
    planner's ``ValidationError``."""
    if has_rounds_left(event):
        round_services.replan(event, by=by)
        return True
    if (
        round_queries.has_plan(event.pk)
        and not Round.objects.filter(event=event).exclude(status=Round.Status.PLANNED).exists()
    ):
        round_services.make_plan(event, by=by)
        return True
    return False


@transaction.atomic
def keep_apart_from_next_round(report: Report, *, by: AbstractBaseUser) -> bool:
    """Move the reported person away from the reporter from the next round on: a private
    keep-apart pair, then a re-plan of the remaining rounds. True when a plan was re-made."""
    about = reported_person(report)
    event_services.keep_apart(report.reporter, other_id=about.pk)
    moved = replan_if_started(report.event, by=by)
    if report.status == Report.Status.OPEN:
        report.status = Report.Status.ACKNOWLEDGED
        report.save(update_fields=["status", "updated_at"])
    return moved


def tell_itinerary(person: Attendee) -> None:
    """Send ``person``'s phone its itinerary after commit (at once outside a transaction), so it
    shows at once whether they are seated when no re-plan told it."""
    transaction.on_commit(partial(round_broadcasts.broadcast_itineraries, [person.pk]))


def remove_from_rounds(report: Report, *, by: AbstractBaseUser) -> Attendee:
    """Take the reported person out of the remaining rounds, as anyone leaving the evening
    (``rounds.services.leave_running_round`` and ``after_leaving``, the one rule): they count
    as gone (their phone shows the neutral "You have no more tables this evening" in every
    state), their seat in the round under way is vacated now (their tablemates' phones and the
    projector are told; a current pitcher's next one gets a full slot) and, once that has
    committed, the remaining rounds are planned without them. Without a plan to re-make their
    phone is still sent its itinerary. Removing again changes nothing."""
    with transaction.atomic():
        about = Attendee.objects.select_for_update().get(pk=reported_person(report).pk)
        if about.removed_at is not None:
            return about
        now = timezone.now()
        about.removed_at = now
        fields = ["removed_at"]
        if about.checked_in_at is not None and about.left_at is None:
            about.left_at = now
            fields.append("left_at")
        about.save(update_fields=fields)
        event_services.attendance_changed(report.event_id)
        event_services.record(
            report.event,
            action="attendee_removed",
            by=by,
            params={"attendee": about.pk},
        )
        # the round under way too: the reporter no longer sits with the person reported
        round_services.leave_running_round(about, by=by)
    if not round_services.after_leaving(report.event, attendee_id=about.pk, by=by):
        tell_itinerary(about)
    # last: the phone has its itinerary when it learns it is out of the rounds
    transaction.on_commit(partial(event_sockets.push_presence, about.pk))
    return about


def undo_removal(report: Report, *, by: AbstractBaseUser) -> round_services.Rejoined:
    """Put a removed person back: present again, a seat at their table of the round under way
    if they were removed from it (``rounds.services.rejoin_running_round``: pitching last; its
    ``reason`` says why not, or why they will not pitch), and, once committed, the remaining
    rounds planned with them. Raises ``ValidationError`` when they are not removed (a second
    click: nothing is applied twice). Returns what ``rejoin_running_round`` did."""
    with transaction.atomic():
        about = Attendee.objects.select_for_update().get(pk=reported_person(report).pk)
        if about.removed_at is None:
            raise ValidationError(_("This person was not removed."))
        fields = ["removed_at"]
        if about.left_at is not None and about.left_at == about.removed_at:
            about.left_at = None
            fields.append("left_at")
        about.removed_at = None
        about.save(update_fields=fields)
        event_services.attendance_changed(report.event_id)
        event_services.record(
            report.event,
            action="attendee_restored",
            by=by,
            params={"attendee": about.pk},
        )
        rejoined = round_services.rejoin_running_round(about, by=by)
    if not round_services.plan_coming_rounds(report.event, by=by):
        tell_itinerary(about)
    transaction.on_commit(partial(event_sockets.push_presence, about.pk))
    return rejoined


def about_digest(about: Attendee | None) -> str:
    """The keyed hash of the reported person's email ("" for none, or one that cannot be read)."""
    if about is None or not about.email:
        return ""
    try:
        return hygiene.email_digest(about.email)
    except ValidationError:
        return ""


@transaction.atomic
def block_from_future_events(report: Report, *, by: AbstractBaseUser) -> EmailBlock:
    """Block the reported person's email from the future events of the event's owner (a keyed
    hash only), whichever organizer ``by`` acts: their email now, else the one they had when
    reported (they may have deleted their data since). A co-organizer's own list is never
    touched (``events.services.block_email`` says why). Raises ``ValidationError`` when there
    is none."""
    about = reported_person(report)
    block = event_services.block_email(
        report.event, attendee=about, by=by, digest=report.about_email_hash
    )
    if block is None:
        raise ValidationError(_("This person has no email to block."))
    return block


def not_a_choice() -> str:
    """Why someone outside ``conduct.queries.apart_choices`` cannot be named: the same words
    whoever it was (someone of the event, of another event, nobody), naming nobody, so a
    refusal tells nothing about who is registered."""
    return _("Choose someone from the guest list or from the tables you sat at.")


@transaction.atomic
def ask_apart(attendee: Attendee, *, other_id: int) -> SeatingRequest:
    """The attendee's own private "don't seat me with", from their phone (or any other caller
    acting for them): ``events.services.keep_apart`` with at most
    ``events.services.MAX_APART_REQUESTS``, for one of ``queries.apart_choices(attendee)``
    only (the guest list and the people they sat with in rounds started so far).

    Raises ``ValidationError`` (nothing saved), with a message that names nobody: once no
    round is left to seat (``Event.has_seating_ahead``) or for someone taken out of the rounds
    after a report (``Attendee.has_seating_ahead``, read afresh), who has no table left to keep
    apart; for oneself (code ``self``); for anyone not among the choices, whether of this
    event, of another or no one (code ``not_a_choice``, ``not_a_choice()``)."""
    fresh = Attendee.objects.select_related("event").get(pk=attendee.pk)
    refusal = event_services.seating_refusal(fresh)
    if refusal:
        raise ValidationError(refusal)
    if other_id == fresh.pk:
        raise ValidationError(_("Choose someone other than yourself."), code="self")
    if not queries.apart_choices(fresh).filter(pk=other_id).exists():
        raise ValidationError(not_a_choice(), code="not_a_choice")
    return event_services.keep_apart(
        fresh, other_id=other_id, limit=event_services.MAX_APART_REQUESTS
    )
