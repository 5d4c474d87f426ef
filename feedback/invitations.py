"""Invitations before the event: each attendee's personal link, the event's time and place in its
own zone with a calendar file, and a nudge to write the pitch beforehand. The organizer sends them
to everyone or to the people not invited yet, or again to one person; an attendee who lost their
link asks for it on the join page ("Email me my link") or by scanning their own badge.

Each message is its own guarded step, as in ``feedback/followups.py``: a failure for one person
(an address no server takes, an SMTP refusal, a template error) is reported with its reason and
never stops the others. An invitation may be sent again, so there is no claim; ``invited_at``
records the last one sent.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from email.mime.text import MIMEText

from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.models import Attendee, Event
from feedback import digest, exports, queries

logger = logging.getLogger(__name__)

# "Email me my link": at most this many messages to one attendee in the window, whoever asks.
LINK_MAILS_PER_ATTENDEE = 3
LINK_MAIL_WINDOW_S = 3600


@dataclass
class InvitationReport:
    """What one sending did: the addresses sent to, why others were skipped, and
    (address, reason) for each failure."""

    sent: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)


# What the mail says depends on where the event is: before it (draft) the invitation with the
# pitch nudge and a calendar file; once the door is open or the rounds run, the link for now;
# after it (closed), the link to the attendee's leads.
DURING = (Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE)


def invitation_stage(event: Event) -> str:
    """``before``, ``during`` or ``after`` the event, for the wording of its link mail."""
    if event.status == Event.Status.CLOSED:
        return "after"
    return "during" if event.status in DURING else "before"


def invitation_message(attendee: Attendee) -> EmailMultiAlternatives:
    """The invitation in the attendee's language, worded for where the event is
    (``invitation_stage``): before it, their personal link, the event's time in its zone and its
    place, the nudge to write the pitch, and the event as an .ics attachment; during it, the link
    for now; after it, the link to their leads. Raises ``digest.UnsendableAddress`` for an
    address no server would take."""
    event = attendee.event
    stage = invitation_stage(event)
    with digest.speaking(attendee):
        room_url = digest.absolute_url(reverse("room", args=[attendee.token]))
        if stage == "after":
            subject = _("Your leads from %(event)s") % {"event": event.title}
        else:
            subject = _("Your personal link for %(event)s") % {"event": event.title}
        message = digest.compose(
            attendee,
            subject=subject,
            template="feedback/email/invitation",
            context={
                "room_url": room_url,
                "pitch_url": digest.absolute_url(reverse("pitch_edit", args=[attendee.token])),
                "details_url": digest.absolute_url(reverse("my_details", args=[attendee.token])),
                "carried": queries.carried_promises(attendee),
                "stage": stage,
            },
        )
        if stage != "before":
            return message
        calendar = exports.event_calendar(event, url=room_url)
    message.attach(
        calendar_part(calendar.to_ical(), filename=f"{slugify(event.slug) or 'event'}.ics")
    )
    return message


def calendar_part(ical: bytes, *, filename: str) -> MIMEText:
    """The .ics as its own MIME part: ``text/calendar`` with one charset and ``method``. (Given
    to ``attach`` as a string, Django would read ``calendar; charset=…; method=…`` as the
    subtype and add its own charset after it: two charsets in one header.)"""
    part = MIMEText(ical.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", "PUBLISH")
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def skip_reason(attendee: Attendee, *, is_requested: bool = False) -> str | None:
    """Why this attendee gets no invitation: erased, no email, or unsubscribed (unless they
    asked for their link themselves)."""
    if attendee.erased_at is not None:
        return "erased"
    if attendee.unsubscribed_at is not None and not is_requested:
        return "unsubscribed"
    if not attendee.email:
        return "no email"
    return None


def send_invitation(
    attendee: Attendee,
    *,
    connection: BaseEmailBackend | None = None,
    report: InvitationReport | None = None,
    is_requested: bool = False,
) -> bool:
    """Build and send one invitation as one guarded step, and stamp ``invited_at``. Returns
    whether it was sent; a failure is logged and added to ``report`` (never raised)."""
    report = report if report is not None else InvitationReport()
    reason = skip_reason(attendee, is_requested=is_requested)
    if reason:
        report.skipped[reason] += 1
        return False
    try:
        message = invitation_message(attendee)
        message.connection = connection
        message.send()
    except Exception as error:  # this person's alone
        why = digest.one_line(f"{type(error).__name__}: {error}", limit=300)
        report.failed.append((digest.one_line(attendee.email), why))
        logger.error("invitation to attendee %s failed: %s", attendee.pk, why)
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.exception("closing the mail connection failed")
        return False
    Attendee.objects.filter(pk=attendee.pk).update(invited_at=timezone.now())
    report.sent.append(attendee.email)
    return True


def send_invitations(event: Event, *, only_new: bool) -> InvitationReport:
    """Invite everyone with an email (``only_new``: only those never invited), one guarded step
    each; the report says who got one, who was skipped and who failed, with the reason."""
    report = InvitationReport()
    attendees = event.attendees.select_related("event").order_by("pk")
    if only_new:
        attendees = attendees.filter(invited_at__isnull=True)
    connection = mail.get_connection()
    try:
        connection.open()
    except Exception as error:
        report.failed.append(("(mail server)", digest.one_line(f"{type(error).__name__}: {error}")))
        return report
    try:
        for attendee in attendees:
            send_invitation(attendee, connection=connection, report=report)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("closing the mail connection failed")
    return report


def send_link_on_request(event: Event, *, email: str) -> None:
    """ "Email me my link": send the personal link to the attendee of this event with this
    address, if there is one. Says nothing either way (the page answers the same), sends one
    attendee at most ``LINK_MAILS_PER_ATTENDEE`` messages an hour, and never raises."""
    email = email.strip()
    if not email:
        return
    attendee = (
        event.attendees.select_related("event")
        .filter(email__iexact=email, erased_at__isnull=True)
        .first()
    )
    if attendee is None:
        return
    send_requested_link(attendee)


def send_requested_link(attendee: Attendee) -> bool:
    """Mail the personal link to the attendee's own address because someone asked for it ("Email
    me my link" on the join page, or their badge scanned): at most ``LINK_MAILS_PER_ATTENDEE``
    messages an hour to one attendee, whoever asks and from wherever. Returns whether a message
    went out; never raises."""
    key = f"my-link:{attendee.pk}"
    if not cache.add(key, 1, timeout=LINK_MAIL_WINDOW_S):
        try:
            if cache.incr(key) > LINK_MAILS_PER_ATTENDEE:
                return False
        except ValueError:
            cache.add(key, 1, timeout=LINK_MAIL_WINDOW_S)
    # Unsubscribing stops the follow-up mail; a link the attendee asks for still goes out.
    return send_invitation(attendee, is_requested=True)
