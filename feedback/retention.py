"""Deleting personal data after the event, or whenever an attendee asks.

Erasure anonymizes in place: the attendee row stays with a neutral name, so attendance, seats,
cards by round and kind, introductions by status and the follow-up messages sent keep adding
up to the same figures. What goes: name, contact details, consent, the pitch, the notes on every
card the person gave or received, the targets of their introductions, and the personal link
(a new random token, so the old link answers 404). Names are also taken out of the event's log.

It lives in the feedback app because it touches pitches and cards (apps import leftward only).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conduct.models import Report
from events import services as event_services
from events.codes import new_attendee_token, new_badge_key
from events.models import (
    ERASED_NAME,
    Attendee,
    Event,
    ImportUpload,
    LogEntry,
    SeatingRequest,
    erased_name,
)
from feedback.models import Card, Digest, Introduction
from pitches.models import Pitch, Wish
from rounds import broadcasts
from rounds import services as round_services
from rounds.models import Round, Seat

PERSONAL_FIELDS = [
    "name",
    "given_name",
    "family_name",
    "email",
    "company",
    "job_title",
    "phone",
    "wechat_id",
    "linkedin_url",
    "registration_need",
    "is_consenting_to_share",
    "consent_decided_at",
    "is_consent_suggested",
    "is_listed_in_guest_list",
]


def placeholder_name(attendee: Attendee) -> str:
    """What replaces the attendee's name in free text of the event's log (an announcement's
    words): in the event's language, since free text has one language; no id. The row itself
    keeps ``ERASED_NAME``, which every reader sees in their own language."""
    with translation.override(attendee.event.language):
        return erased_name()


def personal_strings(attendee: Attendee) -> list[str]:
    """What could identify the attendee in free text such as the event's log."""
    values = (attendee.name, attendee.email, attendee.phone, attendee.wechat_id)
    return [value for value in values if value]


def scrub_log(event: Event, replacements: dict[str, str]) -> None:
    """Replace each personal string by its placeholder in the free text of the event's log (an
    announcement's words, a mail failure); longest first, so a name that contains another is
    replaced whole. Lines stored as data name people by reference and need nothing."""
    if not replacements:
        return
    ordered = sorted(replacements.items(), key=lambda item: len(item[0]), reverse=True)
    mentions = Q()
    for secret, _placeholder in ordered:
        mentions |= Q(message__contains=secret)
    changed = []
    for entry in LogEntry.objects.filter(mentions, event=event):
        for secret, placeholder in ordered:
            entry.message = entry.message.replace(secret, placeholder)
        changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["message"], batch_size=500)
    if event.announcement:
        announcement = event.announcement
        for secret, placeholder in ordered:
            announcement = announcement.replace(secret, placeholder)
        if announcement != event.announcement:
            event.announcement = announcement
            event.save(update_fields=["announcement"])


# The second factor's traces: which browser opened the link, and a code that was mailed; and
# the join form that added them (sent again, it would open the erased record's new link).
DEVICE_FIELDS = (
    "device_hash",
    "confirmation_code_hash",
    "confirmation_code_sent_at",
    "confirmation_code_tries",
    "join_nonce",
)


def anonymize(attendees: Iterable[Attendee], *, now: datetime) -> dict[str, str]:
    """Anonymize these attendees' rows, pitches, notes and introduction targets; returns the
    personal strings that were replaced, with their placeholders (for the log)."""
    attendees = list(attendees)
    ids = [attendee.pk for attendee in attendees]
    replacements: dict[str, str] = {}
    for attendee in attendees:
        placeholder = placeholder_name(attendee)
        if attendee.erased_at is None:
            replacements |= {secret: placeholder for secret in personal_strings(attendee)}
            attendee.erased_at = now
        attendee.name = ERASED_NAME
        attendee.email = attendee.company = attendee.job_title = attendee.phone = ""
        attendee.given_name = attendee.family_name = attendee.registration_need = ""
        attendee.wechat_id = attendee.linkedin_url = ""
        attendee.is_consenting_to_share = attendee.is_consent_suggested = False
        attendee.consent_decided_at = None
        attendee.is_listed_in_guest_list = False
        attendee.token = new_attendee_token()
        attendee.badge_key = new_badge_key()  # a badge printed before opens nothing
        attendee.device_hash = attendee.confirmation_code_hash = ""
        attendee.confirmation_code_sent_at = None
        attendee.confirmation_code_tries = 0
        attendee.join_nonce = ""
    Attendee.objects.bulk_update(
        attendees,
        [*PERSONAL_FIELDS, "token", "badge_key", "erased_at", *DEVICE_FIELDS],
        batch_size=500,
    )
    Pitch.objects.filter(attendee_id__in=ids).delete()
    # A private wish list goes with its author, and a wish for them with them.
    Wish.objects.filter(Q(author_id__in=ids) | Q(person_id__in=ids)).delete()
    # A list waiting between preview and import may name them too.
    ImportUpload.objects.filter(event__attendees__in=ids).delete()
    # A note says something about the pitcher as much as about the giver: blank both ways.
    cards = Card.objects.filter(Q(giver_id__in=ids) | Q(receiver_id__in=ids))
    cards.exclude(note="").update(note="")
    Introduction.objects.filter(card__in=cards).exclude(target="").update(target="")
    # Reports keep their kind and status (the figures), never the words, about or by them; a
    # private "don't seat me with" goes with the person.
    reports = Report.objects.filter(Q(reporter_id__in=ids) | Q(about_id__in=ids))
    reports.exclude(message="", organizer_note="").update(message="", organizer_note="")
    SeatingRequest.objects.filter(Q(attendee_id__in=ids) | Q(other_id__in=ids)).delete()
    return replacements


def erase_attendee(attendee: Attendee, *, by: AbstractBaseUser | None = None) -> Attendee:
    """Delete one attendee's personal data, at any time (by the attendee through their link, or
    by an organizer). Erasing again is harmless: it blanks anything written about them since.

    During the evening it is also their leaving (``rounds.services.leave_on_erasure``: marked
    gone as an organizer would, their seat in the round under way vacated at once, as for
    anyone who leaves); once the erasure has committed, the rounds not started are re-planned
    without them and the projector is told to show the placeholder
    (``rounds.services.after_erasure``)."""
    with transaction.atomic():
        attendee = Attendee.objects.select_for_update().select_related("event").get(pk=attendee.pk)
        first_time = attendee.erased_at is None
        replacements = anonymize([attendee], now=timezone.now())
        transaction.on_commit(partial(broadcasts.revoke_attendees, [attendee.pk]))
        if first_time:
            scrub_log(attendee.event, replacements)
            event_services.record(
                attendee.event,
                action="attendee_erased",
                by=by,
                params={"attendee": attendee.pk},
            )
            if round_services.leave_on_erasure(attendee, by=by):
                attendee.refresh_from_db(fields=["left_at"])
            elif attendee.is_present:  # after the evening: not marked gone, no longer counted
                event_services.attendance_changed(attendee.event_id)
    if first_time:
        round_services.after_erasure(attendee.event, attendee_id=attendee.pk, by=by)
    return attendee


@transaction.atomic
def erase_event_personal_data(event: Event, *, by: AbstractBaseUser | None) -> Event:
    """Delete the personal data of everyone at a closed event; the figures remain. Erasing again
    is harmless and keeps the first date."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.CLOSED:
        raise ValidationError(
            _("Close the event first: personal data can be deleted only once the event is over."),
            code="not_closed",
        )
    now = timezone.now()
    attendees = list(event.attendees.select_for_update().order_by("pk"))
    for attendee in attendees:
        attendee.event = event
    replacements = anonymize(attendees, now=now)
    # The email hashes a report keeps for a later block go with the event's data (a block made
    # already stays: it is the organizer's list).
    Report.objects.filter(event=event).exclude(about_email_hash="").update(about_email_hash="")
    transaction.on_commit(partial(broadcasts.revoke_attendees, [a.pk for a in attendees]))
    scrub_log(event, replacements)
    first_time = event.personal_data_erased_at is None
    if first_time:
        event.personal_data_erased_at = now
        event.save(update_fields=["personal_data_erased_at"])
        count = len(attendees)
        event_services.record(
            event,
            action="personal_data_erased",
            by=by,
            params={"n": count},
        )
    return event


def removal_refusal(attendee: Attendee) -> str:
    """Why ``attendee`` cannot be deleted from the event ("" when they can): deleting is for
    someone who has not taken part (a cancelled ticket, a typo duplicate), since it takes
    their seats, cards and reports with them. Someone with a seat in a round that has started,
    a card given or received, a report by or about them or a follow-up message sent has
    history; someone seated in the plan of rounds to come must first leave it (marked as left,
    then re-planned), so that no table loses a person behind the plan's back."""
    name = attendee.name
    if Seat.objects.filter(attendee=attendee).exclude(round__status=Round.Status.PLANNED).exists():
        return _(
            "%(name)s has already sat at a table, so removing them would change what happened. "
            "Mark them as left instead (or delete their personal data from their link page)."
        ) % {"name": name}
    if (
        Card.objects.filter(Q(giver=attendee) | Q(receiver=attendee)).exists()
        or Report.objects.filter(Q(reporter=attendee) | Q(about=attendee)).exists()
        or Digest.objects.filter(attendee=attendee).exists()
    ):
        return _(
            "%(name)s has cards, reports or follow-up messages at this event, which removing "
            "them would lose. Mark them as left instead (or delete their personal data from "
            "their link page)."
        ) % {"name": name}
    if Seat.objects.filter(attendee=attendee).exists():
        return _(
            "%(name)s has a seat in the plan for the coming rounds. Mark them as left and "
            "re-plan the remaining rounds first, then remove them."
        ) % {"name": name}
    return ""


@transaction.atomic
def remove_attendee(attendee: Attendee, *, by: AbstractBaseUser) -> None:
    """Delete an attendee who has not taken part (see ``removal_refusal``) from their event,
    with their pitch, wishes and keep-apart pairs; their personal link stops working at once
    (an open phone is told so). Raises ``ValidationError`` for someone with history."""
    attendee = Attendee.objects.select_for_update().select_related("event").get(pk=attendee.pk)
    refusal = removal_refusal(attendee)
    if refusal:
        raise ValidationError(refusal, code="has_history")
    event, pk = attendee.event, attendee.pk
    attendee.delete()
    event_services.record(event, action="attendee_deleted", by=by)
    transaction.on_commit(partial(broadcasts.revoke_attendees, [pk]))
