"""The follow-up mail's content: the digest after the event, the seven-day reminder, and the
short note to people who registered but never came.

Reads and rendering only, in the attendee's language (the one they used on their phone, else the
event's) and the event's time zone; sending them, once each, is ``feedback/followups.py``. Mail
has no request to build links from, so they are built by ``config.site.public_url``.

Headers are built from values anyone could have typed (a name, an event title): each is made one
line here (``one_line``), and the address is checked (``recipient``), so a bad value either
disappears or fails this one message with a clear reason, never the run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.site import public_url
from events import hygiene
from events.models import Attendee
from feedback import queries
from feedback.models import Introduction
from feedback.queries import IntroductionItem, Lead

BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
MAX_HEADER_CHARS = 200


class UnsendableAddress(ValueError):
    """The attendee's address cannot be written into a mail header."""


def absolute_url(path: str) -> str:
    return public_url(path)


def one_line(value: str, *, limit: int = MAX_HEADER_CHARS) -> str:
    """``value`` fit for a mail header: every control, format and line/paragraph separator
    character (CR, LF, VT, NEL, U+2028, zero-width, bidi controls) becomes a space, runs of
    spaces become one, and it is cut to ``limit`` characters."""
    cleaned = "".join(
        " " if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in value
    )
    return " ".join(cleaned.split())[:limit]


def recipient(attendee: Attendee) -> str:
    """``Name <address>`` for the To header: the name made one line, the address as the identity
    hygiene rule reads it (``events.hygiene.clean_email``: lower case, the domain in its ASCII
    form, ``例え.jp`` → ``xn--r8jz45g.jp``). Every entry point already stores addresses that way;
    reading them again here keeps a value stored before the rule, or written past it, to this one
    message. Raises ``UnsendableAddress`` with the rule's reason (an address that is no address,
    a domain no IDNA encoder takes, a part before the @ that is not ASCII: that needs SMTPUTF8,
    which Django's mail backend does not speak)."""
    try:
        address = hygiene.clean_email(attendee.email)
    except ValidationError as error:
        raise UnsendableAddress(" ".join(error.messages)) from None
    if not address:
        raise UnsendableAddress("no email address")
    return formataddr((one_line(attendee.name), address))


@contextmanager
def speaking(attendee: Attendee) -> Iterator[None]:
    """Render in the attendee's language (else the event's), times in the event's time zone."""
    event = attendee.event
    with translation.override(attendee.mail_language), timezone.override(event.zone):
        yield


@dataclass(frozen=True)
class DigestContent:
    want_to_see_me: list[Lead]
    can_introduce_me: list[Lead]
    promised: list[IntroductionItem]
    i_asked_to_see: list[Lead]
    # False for an address typed at the event and never confirmed: it may be someone else's
    is_withholding_contacts: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.want_to_see_me or self.can_introduce_me or self.promised or self.i_asked_to_see
        )


def mail_shows_contacts(attendee: Attendee) -> bool:
    """Whether mail to ``attendee`` may carry other people's contact details: not to an address
    typed at the event and never confirmed (``is_email_unconfirmed``), which may be a
    stranger's, mistyped; the leads page likewise shows none to a browser other than the
    attendee's phone (``devices.sees_contacts``). The one rule of the digest and the reminder.
    No queries."""
    return not attendee.is_email_unconfirmed


def digest_content(attendee: Attendee) -> DigestContent:
    """Everything the digest lists, by the leads page's rules (contact details only where both
    agreed, declined introductions left out); people whose data was erased are left out too.
    Contact details only where the mail may carry them (``mail_shows_contacts``). Four
    queries."""
    shows_contact = mail_shows_contacts(attendee)
    leads = queries.leads_of(attendee, shows_contact=shows_contact)
    promised = [
        item
        for item in queries.introductions_of(attendee, shows_contact=shows_contact).promised_by_me
        if item.introduction.status != Introduction.Status.DECLINED
    ]

    def kept(items: list) -> list:
        return [item for item in items if item.person.erased_at is None]

    return DigestContent(
        want_to_see_me=kept(leads.want_to_see_me),
        can_introduce_me=kept(leads.can_introduce_me),
        promised=kept(promised),
        i_asked_to_see=kept(leads.i_asked_to_see),
        is_withholding_contacts=not shows_contact,
    )


def unsubscribe_url(attendee: Attendee) -> str:
    return absolute_url(reverse("unsubscribe", args=[attendee.token]))


def promise_url(attendee: Attendee, item: IntroductionItem) -> str:
    """The introduction on the attendee's leads page, where one tap marks it made."""
    path = reverse("leads", args=[attendee.token])
    return absolute_url(f"{path}#introduction-{item.introduction.pk}-item")


def compose(
    attendee: Attendee, *, subject: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """A message in plain text and HTML from ``<template>.txt`` and ``<template>.html``, with the
    one-click unsubscribe headers (RFC 8058). Call inside ``speaking(attendee)``. Raises
    ``UnsendableAddress`` for an address no mail server would take, and whatever rendering
    raises: the caller records it for this attendee."""
    to = recipient(attendee)
    unsubscribe = unsubscribe_url(attendee)
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "site_url": public_url(),
        "leads_url": absolute_url(reverse("leads", args=[attendee.token])),
        "details_url": absolute_url(reverse("my_details", args=[attendee.token])),
        "unsubscribe_url": unsubscribe,
        **context,
    }
    text = BLANK_LINES.sub("\n\n", render_to_string(f"{template}.txt", context)).strip() + "\n"
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def digest_message(attendee: Attendee) -> EmailMultiAlternatives:
    """The one personal digest after the event: each card with the other person's pitch."""
    event = attendee.event
    with speaking(attendee):
        content = digest_content(attendee)
        subject = _("Your follow-ups from %(event)s") % {"event": event.title}
        return compose(
            attendee,
            subject=subject,
            template="feedback/email/digest",
            context={"content": content},
        )


def reminder_message(
    attendee: Attendee, promises: list[IntroductionItem]
) -> EmailMultiAlternatives:
    """The one reminder of the introductions the attendee promised and has not made yet; where
    the mail may carry no contact details (``mail_shows_contacts``) it says why they are left
    out (the promises then carry none: ``followups.send_reminder``)."""
    event = attendee.event
    with speaking(attendee):
        subject = _("The introductions you promised at %(event)s") % {"event": event.title}
        return compose(
            attendee,
            subject=subject,
            template="feedback/email/reminder",
            context={
                "promises": [(item, promise_url(attendee, item)) for item in promises],
                "is_withholding_contacts": not mail_shows_contacts(attendee),
            },
        )


def missed_you_message(attendee: Attendee) -> EmailMultiAlternatives:
    """The short note to someone who registered and never checked in, when the organizer chose
    to send one: sorry we missed you, and their page (their pitch stays there)."""
    event = attendee.event
    with speaking(attendee):
        subject = _("Sorry we missed you at %(event)s") % {"event": event.title}
        return compose(attendee, subject=subject, template="feedback/email/missed", context={})
