"""The follow-up mail's content: the digest after the event and the seven-day reminder.

Reads and rendering only, in the event's language and time zone; sending them, once each, is
``feedback/followups.py``. Mail has no request to build links from, so they start at
``settings.SITE_URL``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.site import public_url
from events.models import Attendee, Event
from feedback import queries
from feedback.queries import IntroductionItem, Lead

BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def absolute_url(path: str) -> str:
    return public_url(path)


@contextmanager
def speaking(event: Event) -> Iterator[None]:
    """Render in the event's language, with times in the event's time zone."""
    with translation.override(event.language), timezone.override(event.zone):
        yield


@dataclass(frozen=True)
class DigestContent:
    want_to_see_me: list[Lead]
    can_introduce_me: list[Lead]
    promised: list[IntroductionItem]
    i_asked_to_see: list[Lead]

    @property
    def is_empty(self) -> bool:
        return not (
            self.want_to_see_me or self.can_introduce_me or self.promised or self.i_asked_to_see
        )


def digest_content(attendee: Attendee) -> DigestContent:
    """Everything the digest lists, by the leads page's rules (contact details only where both
    agreed); people whose data was erased are left out. Four queries."""
    leads = queries.leads_of(attendee)
    promised = queries.introductions_of(attendee).promised_by_me

    def kept(items: list) -> list:
        return [item for item in items if item.person.erased_at is None]

    return DigestContent(
        want_to_see_me=kept(leads.want_to_see_me),
        can_introduce_me=kept(leads.can_introduce_me),
        promised=kept(promised),
        i_asked_to_see=kept(leads.i_asked_to_see),
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
    one-click unsubscribe headers (RFC 8058). Call inside ``speaking(event)``."""
    unsubscribe = unsubscribe_url(attendee)
    context = {
        "attendee": attendee,
        "event": attendee.event,
        "leads_url": absolute_url(reverse("leads", args=[attendee.token])),
        "unsubscribe_url": unsubscribe,
        **context,
    }
    text = BLANK_LINES.sub("\n\n", render_to_string(f"{template}.txt", context)).strip() + "\n"
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[formataddr((attendee.name, attendee.email))],
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
    with speaking(event):
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
    """The one reminder of the introductions the attendee promised and has not made yet."""
    event = attendee.event
    with speaking(event):
        subject = _("The introductions you promised at %(event)s") % {"event": event.title}
        return compose(
            attendee,
            subject=subject,
            template="feedback/email/reminder",
            context={"promises": [(item, promise_url(attendee, item)) for item in promises]},
        )
