"""Writes for pitches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from events import hygiene
from events import services as event_services
from events.models import Attendee
from pitches import matching, queries, warming
from pitches.models import (
    CJK_CHARACTERS_PER_MINUTE,
    MAX_WISHES,
    UNITS_PER_SECOND,
    WISH_LENGTH,
    WORDS_PER_MINUTE,
    Pitch,
    Wish,
    spoken_seconds,
    spoken_units,
)


@transaction.atomic
def save_pitch(attendee: Attendee, *, need: str, offer: str, ask: str) -> Pitch:
    """Create or replace the attendee's pitch; refuse one longer than the event allows. (The
    private wish list is kept apart: ``add_wish``, ``remove_wish``.)"""
    pitch, _created = Pitch.objects.select_for_update().get_or_create(attendee=attendee)
    pitch.need, pitch.offer, pitch.ask = need.strip(), offer.strip(), ask.strip()
    limit = attendee.event.pitch_seconds
    seconds = spoken_seconds(pitch.text)
    if seconds > limit:
        raise ValidationError(
            _(
                "This pitch takes about %(seconds)s seconds to say; the limit is %(limit)s "
                "seconds. Cut about %(cut)s words."
            )
            % {
                "seconds": seconds,
                "limit": limit,
                "cut": words_to_cut(pitch.text, limit=limit),
            }
        )
    pitch.full_clean(exclude=["attendee"])
    pitch.save()
    warming.warm_attendees_later([attendee.pk])
    return pitch


def words_to_cut(text: str, *, limit: int) -> int:
    """About how many words (characters, for a mostly Chinese text) to cut from ``text`` so that
    it is said in ``limit`` seconds at the rates of ``pitches.models.spoken_seconds``."""
    units, characters, words = spoken_units(text)
    over = units - limit * UNITS_PER_SECOND
    rate = CJK_CHARACTERS_PER_MINUTE if characters > words else WORDS_PER_MINUTE
    return max(0, -(-over * rate // (60 * UNITS_PER_SECOND)))


def refused_person() -> ValidationError:
    """The one refusal for a person who cannot be picked: not on this event's guest list, from
    another event, removed, erased or unknown alike, so the answer tells nothing about anyone."""
    return ValidationError(
        _("This person is not on the guest list of this event. Search the list again."),
        code="not_listed",
    )


@transaction.atomic
def add_wish(author: Attendee, *, person_id: int | None = None, text: str = "") -> Wish:
    """Add one wish at the end of the author's private wish list: a person picked from the
    event's guest list (``person_id``, an attendee id) or a kind of person in free text (one
    line, at most ``WISH_LENGTH`` characters). Give exactly one of the two.

    Raises ``ValidationError`` and changes nothing once no round is left to seat
    (``Event.has_seating_ahead``: no plan is left for the wish to shape, code ``over``) or for
    someone taken out of the rounds after a report (code ``removed``), when
    the list holds ``MAX_WISHES`` already, when the person is not on the author's guest list
    (``queries.guest_list``: another event's, unlisted, removed, erased, the author), is on
    the list already (picked, or their name written as a wish), the text is on it already
    (``matching.same_wish``: case, width and spaces aside, or a picked person's name), or the
    text is empty, too long or not one line. The author's row is
    locked, so two adds at once queue."""
    fresh = Attendee.objects.select_related("event").get(pk=author.pk)
    refusal = event_services.seating_refusal(fresh, over=wishes_over)
    if refusal:
        raise ValidationError(refusal, code="removed" if fresh.is_removed else "over")
    Attendee.objects.select_for_update(no_key=True).filter(pk=author.pk).first()
    mine = compact(author)
    if len(mine) >= MAX_WISHES:
        raise ValidationError(
            _("Your wish list is full (%(max)s wishes): remove one to add another.")
            % {"max": MAX_WISHES},
            code="full",
        )
    if person_id is not None:
        if text:
            raise ValidationError(_("Pick a person or describe one, not both."), code="both")
        if person_id == author.pk:
            raise ValidationError(_("You cannot wish to meet yourself."), code="oneself")
        person = queries.guest_list(author).filter(pk=person_id).first()
        if person is None:
            raise refused_person()
        if any(
            wish.person_id == person.pk or matching.same_wish(wish.text, person.name)
            for wish in mine
        ):
            raise ValidationError(
                _("%(name)s is on your wish list already.") % {"name": person.name},
                code="duplicate",
            )
        wish = Wish(author=author, person=person)
    else:
        line = hygiene.clean_line(text, label=_("wish"), max_length=WISH_LENGTH)
        if not line:
            raise ValidationError(
                _("Describe a kind of person, or pick someone from the guest list."),
                code="empty",
            )
        if any(
            matching.same_wish(line, wish.text if wish.person_id is None else wish.person.name)
            for wish in mine
        ):
            raise ValidationError(
                _("“%(wish)s” is on your wish list already.") % {"wish": line}, code="duplicate"
            )
        wish = Wish(author=author, text=line)
    wish.position = len(mine) + 1
    wish.full_clean(exclude=["author", "person"])
    wish.save()
    warming.warm_attendees_later([author.pk])
    return wish


def wishes_over() -> str:
    """Why no wish can be added now, in the reader's language."""
    return _("No round is left to seat: your wish list no longer shapes any seating.")


@transaction.atomic
def remove_wish(author: Attendee, *, wish_id: int) -> None:
    """Take one wish off the author's list and close the gap (the later ones move up), also
    once the rounds are over (it is the author's own private data). Raises
    ``ValidationError`` for a wish that is not the author's (another's, or gone already)."""
    Attendee.objects.select_for_update(no_key=True).filter(pk=author.pk).first()
    deleted, _counts = Wish.objects.filter(author=author, pk=wish_id).delete()
    if not deleted:
        raise ValidationError(
            _("This wish is not on your list any more: the list below is the current one."),
            code="gone",
        )
    compact(author)
    warming.warm_attendees_later([author.pk])


def compact(author: Attendee) -> list[Wish]:
    """Number the author's wishes 1, 2, … again in their order, closing the gaps a removal or
    an erased or deleted person left; returns them. Call with the author's row locked."""
    wishes = list(Wish.objects.filter(author=author).select_related("person").order_by("position"))
    for position, wish in enumerate(wishes, start=1):
        if wish.position != position:
            wish.position = position
            Wish.objects.filter(pk=wish.pk).update(position=position)
    return wishes
