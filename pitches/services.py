"""Writes for pitches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Attendee
from pitches.models import WORDS_PER_MINUTE, Pitch, count_words, spoken_seconds


@transaction.atomic
def save_pitch(
    attendee: Attendee, *, need: str, offer: str, ask: str, wishes: str | None = None
) -> Pitch:
    """Create or replace the attendee's pitch; refuse one longer than the event allows.
    ``wishes`` (the private wish list, one person or kind a line) is kept as it was when None.
    """
    pitch, _created = Pitch.objects.select_for_update().get_or_create(attendee=attendee)
    pitch.need, pitch.offer, pitch.ask = need.strip(), offer.strip(), ask.strip()
    if wishes is not None:
        pitch.wishes = "\n".join(line.strip() for line in wishes.splitlines() if line.strip())
    limit = attendee.event.pitch_seconds
    seconds = spoken_seconds(count_words(pitch.text))
    if seconds > limit:
        raise ValidationError(
            _(
                "This pitch takes about %(seconds)s seconds to say; the limit is %(limit)s "
                "seconds. Cut about %(cut)s words."
            )
            % {
                "seconds": seconds,
                "limit": limit,
                "cut": count_words(pitch.text) - limit * WORDS_PER_MINUTE // 60,
            }
        )
    pitch.full_clean(exclude=["attendee"])
    pitch.save()
    return pitch
