"""The second factor for an attendee's sensitive actions ("Delete my data", My details).

The personal link's token is all a badge photo gives. So the first browser that opens the link
becomes the attendee's confirmed device: its signed, HttpOnly device cookie
(``events.ratelimit.DEVICE_COOKIE``) is bound to the attendee, and only a hash of it is stored
(``Attendee.device_hash``). From that browser the sensitive pages work at once; from any other
they ask for a 6-digit code mailed to the attendee's address (hashed, valid
``CODE_VALID_MINUTES``, ``CODE_TRIES`` tries, then a new code is needed). A correct code makes
the browser that entered it the confirmed device instead: the path for someone who lost their
phone. Without an email address only the organizer can act for the attendee.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from config.site import public_url
from events import ratelimit
from events.models import Attendee, Event

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID_MINUTES = 15
CODE_TRIES = 5
# New codes: at most one a minute and CODES_PER_HOUR an hour per attendee, whoever asks.
CODE_RESEND_AFTER_S = 60
CODES_PER_HOUR = 5


def device_key(request: HttpRequest) -> str:
    """The hash stored for this browser: SHA-256 (hex, 64 characters) of its device cookie's id
    (a new id, set on the response by ``ratelimit.remember_device``, when it has none)."""
    return hashlib.sha256(ratelimit.device_id(request).encode()).hexdigest()


def claim_device(request: HttpRequest, attendee: Attendee) -> None:
    """Bind this browser to the attendee if no browser is bound yet (the first to open the
    link). Only a page opened (GET) binds: a HEAD request, a form sent straight to a sensitive
    action, or an erased attendee binds nothing; nor does an organizer of the attendee's event
    signed in on this browser (checking a link from the attendee-link page must not take the
    attendee's own phone's place). Safe against two first visits at once: only one update can
    find the field empty."""
    if attendee.device_hash or attendee.erased_at is not None or request.method != "GET":
        return
    if is_organizer_of(request, attendee):
        return
    key = device_key(request)
    if Attendee.objects.filter(pk=attendee.pk, device_hash="").update(device_hash=key):
        attendee.device_hash = key
    else:
        attendee.refresh_from_db(fields=["device_hash"])


def is_organizer_of(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether the user signed in on this browser organizes the attendee's event (organizer or
    co-organizer, ``Event.objects.organized_by``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return Event.objects.organized_by(user).filter(pk=attendee.event_id).exists()


def owns_email(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether this browser may act as the owner of the attendee's email (what the series
    remembers under it): the confirmed device, with an email that came from the organizer's list
    or was confirmed with a mailed code (a walk-in's typed email proves nothing)."""
    return is_confirmed_device(request, attendee) and not attendee.is_email_unconfirmed


def sees_contacts(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether this browser is shown other people's contact details on the attendee's leads
    (and their downloads): the confirmed device; or any browser with the link when the email is
    the attendee's own (from the organizer's list, or confirmed with a code). A walk-in's typed
    email may be a stranger's, and the follow-up mail to it carries the link: that link alone,
    on another browser, shows no one's contact details until it is confirmed."""
    return is_confirmed_device(request, attendee) or not attendee.is_email_unconfirmed


def is_confirmed_device(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether this browser is the attendee's confirmed device."""
    return bool(attendee.device_hash) and constant_time_compare(
        attendee.device_hash, device_key(request)
    )


def chooses_for(request: HttpRequest, attendee: Attendee) -> bool:
    """Whether a choice made in this browser is stored as the attendee's own (her language):
    her confirmed device; or, while no browser is bound yet, any browser but one signed in as
    an organizer of her event (the first to open the link becomes her device anyway). Any other
    browser holding the link chooses for itself only (its cookie)."""
    if attendee.device_hash:
        return is_confirmed_device(request, attendee)
    return not is_organizer_of(request, attendee)


@transaction.atomic
def forget_device(attendee: Attendee) -> None:
    """The organizer's path for a lost phone without email: no browser is confirmed any more,
    so the next one to open the link becomes the attendee's; a pending code is dropped."""
    attendee.device_hash = ""
    attendee.confirmation_code_hash = ""
    attendee.confirmation_code_sent_at = None
    attendee.confirmation_code_tries = 0
    attendee.save(
        update_fields=[
            "device_hash",
            "confirmation_code_hash",
            "confirmation_code_sent_at",
            "confirmation_code_tries",
        ]
    )


def masked_email(email: str) -> str:
    """``"jane.doe@example.com"`` → ``"j•••@example.com"``: enough to know where to look."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def code_hash(attendee: Attendee, code: str) -> str:
    return salted_hmac(
        "speednet.attendee-code", f"{attendee.pk}:{code}", algorithm="sha256"
    ).hexdigest()


def send_code(attendee: Attendee, *, now: datetime | None = None) -> None:
    """Mail a new 6-digit code to the attendee (in their language), replacing any earlier one.

    Raises ``ValidationError`` when the attendee has no email address, when a code went out
    less than a minute ago, after ``CODES_PER_HOUR`` codes this hour, or when the mail cannot
    go out (then no code is kept)."""
    now = now or timezone.now()
    if not attendee.email:
        raise ValidationError(
            _("There is no email address to send a code to. Ask the organizer of the event.")
        )
    sent_at = attendee.confirmation_code_sent_at
    if sent_at is not None and now - sent_at < timedelta(seconds=CODE_RESEND_AFTER_S):
        raise ValidationError(
            _("A code was sent less than a minute ago: look for it in your mail.")
        )
    key = f"device-codes:{hashlib.sha256(attendee.token.encode()).hexdigest()}"
    if not cache.add(key, 1, timeout=3600) and cache.incr(key) > CODES_PER_HOUR:
        raise ValidationError(_("Too many codes asked for this hour. Try again later."))
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():  # a code that could not be mailed is not kept
        store_code(attendee, code_hash=code_hash(attendee, code), now=now)
        mail_code(attendee, code)


def mail_code(attendee: Attendee, code: str) -> None:
    """Mail ``code`` to the attendee. Raises ``ValidationError`` when it cannot go out (mail is
    off on this server, as at the venue without ``EMAIL_HOST``, or the mail server refused)."""
    with translation.override(attendee.mail_language):
        subject = _("Your code for %(event)s: %(code)s") % {
            "event": attendee.event.title,
            "code": code,
        }
        body = _(
            "Your code: %(code)s\n\n"
            "Enter it on the page that asked for it, within %(minutes)d minutes. It lets that "
            "browser change your details or delete your data for %(event)s.\n\n"
            "If you did not ask for it, someone may have your personal link: do not share the "
            "code, and tell the organizer.\n%(url)s\n"
        ) % {
            "code": code,
            "minutes": CODE_VALID_MINUTES,
            "event": attendee.event.title,
            "url": public_url(reverse("room", args=[attendee.token])),
        }
    try:
        send_mail(subject.replace("\n", " "), body, None, [attendee.email])
    except (OSError, smtplib.SMTPException):  # MailIsOff is an OSError too
        logger.warning("Device code for attendee %s not mailed", attendee.pk, exc_info=True)
        raise ValidationError(
            _("The code could not be sent: mail is not working here. Ask the organizer.")
        ) from None


@transaction.atomic
def store_code(attendee: Attendee, *, code_hash: str, now: datetime) -> None:
    """Keep the new code's hash and time; the tries start again."""
    attendee.confirmation_code_hash = code_hash
    attendee.confirmation_code_sent_at = now
    attendee.confirmation_code_tries = 0
    attendee.save(
        update_fields=[
            "confirmation_code_hash",
            "confirmation_code_sent_at",
            "confirmation_code_tries",
        ]
    )


def confirm_device(
    attendee: Attendee, *, code: str, device: str, now: datetime | None = None
) -> None:
    """Check a code; when right, ``device`` (a ``device_key``) becomes the attendee's confirmed
    device and the code is used up. Raises ``ValidationError`` (nothing else changes) for no
    code, an expired code, a wrong code (counted: after ``CODE_TRIES`` a new code is needed)."""
    refusal = checked_code(attendee, code=code.strip(), device=device, now=now or timezone.now())
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def checked_code(attendee: Attendee, *, code: str, device: str, now: datetime) -> str:
    """The write behind ``confirm_device``, the row locked; returns the refusal or ``""``. A
    wrong try is stored before the refusal is raised, outside this transaction."""
    row = Attendee.objects.select_for_update(no_key=True).get(pk=attendee.pk)
    if not row.confirmation_code_hash or row.confirmation_code_sent_at is None:
        return _("Ask for a code first.")
    if now - row.confirmation_code_sent_at > timedelta(minutes=CODE_VALID_MINUTES):
        return _("This code has expired. Ask for a new one.")
    if row.confirmation_code_tries >= CODE_TRIES:
        return _("Too many wrong codes. Ask for a new one.")
    if not constant_time_compare(row.confirmation_code_hash, code_hash(row, code)):
        row.confirmation_code_tries += 1
        row.save(update_fields=["confirmation_code_tries"])
        attendee.confirmation_code_tries = row.confirmation_code_tries
        left = CODE_TRIES - row.confirmation_code_tries
        if left <= 0:
            return _("Wrong code. No tries left: ask for a new one.")
        return _("Wrong code. Tries left: %(left)d.") % {"left": left}
    row.device_hash = device
    row.confirmation_code_hash = ""
    row.confirmation_code_sent_at = None
    row.confirmation_code_tries = 0
    row.is_email_unconfirmed = False  # the code went to the email and came back
    row.save(
        update_fields=[
            "device_hash",
            "confirmation_code_hash",
            "confirmation_code_sent_at",
            "confirmation_code_tries",
            "is_email_unconfirmed",
        ]
    )
    attendee.is_email_unconfirmed = False
    attendee.device_hash = device
    attendee.confirmation_code_hash = ""
    attendee.confirmation_code_sent_at = None
    attendee.confirmation_code_tries = 0
    return ""
