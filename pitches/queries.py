"""Reads of pitches used by other apps."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from django.utils.text import Truncator

from events.models import Attendee
from pitches import matching
from pitches.models import Pitch

HELPERS_PER_PITCHER = matching.CANDIDATES
"""Listeners per pitcher the planner tries to seat with them (the best-scored first)."""


def help_profiles(attendee_ids: Sequence[int]) -> list[matching.Profile]:
    """What the matcher reads of each attendee in ``attendee_ids`` (in that order): need, offer,
    ask and wish list of their pitch (empty without one), name, company, job title. Two
    queries."""
    pitches = {
        pitch.attendee_id: pitch
        for pitch in Pitch.objects.filter(attendee_id__in=attendee_ids).only(
            "attendee_id", "need", "offer", "ask", "wishes"
        )
    }
    people = Attendee.objects.filter(pk__in=attendee_ids).only("pk", "name", "company", "job_title")
    by_id = {person.pk: person for person in people}
    return [help_profile(by_id[pk], pitches.get(pk)) for pk in attendee_ids]


def help_profile(person: Attendee, pitch: Pitch | None) -> matching.Profile:
    """What the matcher reads of one person: their pitch (if any) and who they are."""
    return matching.Profile(
        id=person.pk,
        need=pitch.need if pitch else "",
        offer=pitch.offer if pitch else "",
        ask=pitch.ask if pitch else "",
        name=person.name,
        company=person.company,
        job_title=person.job_title,
        wishes=pitch.wish_list if pitch else (),
    )


def seating_helps(
    attendee_ids: Sequence[int], *, limit: int = HELPERS_PER_PITCHER
) -> list[tuple[int, int, float]]:
    """(pitcher id, listener id, chance) for each attendee's ``limit`` best-scored listeners
    among ``attendee_ids`` (``matching.help_scores``), with the chance that the listener helps
    guessed from their rank (``matching.help_chances``; 1 for a listener a wish names): the
    planner's ``helps``. Two queries."""
    profiles = help_profiles(attendee_ids)
    scores = matching.help_scores(profiles)
    return [
        (profiles[p].id, profiles[listener].id, chance)
        for p, listener, chance in matching.help_chances(scores, limit=limit)
    ]


WHY_LIMIT = 3
"""Tablemates, over the whole evening, whose offer a phone shows as "why this table"."""
WHY_LENGTH = 120


def offer_line(offer: str) -> str:
    """The first sentence of an offer, at most ``WHY_LENGTH`` characters."""
    first = re.split(r"(?<=[.!?。！？])\s*", offer.strip(), maxsplit=1)[0]
    return Truncator(first).chars(WHY_LENGTH)


def why_lines(me: matching.Profile, tablemates: Sequence[matching.Profile]) -> dict[Hashable, str]:
    """For the ``WHY_LIMIT`` tablemates (over every round) best able to help ``me``, by the
    matcher fitted on these people's texts: tablemate id -> one line from their offer. Reads
    nobody's wish list into the line: only the tablemate's own offer is shown. No queries."""
    others = [mate for mate in tablemates if mate.id != me.id]
    scores = matching.help_scores([me, *others])
    best = matching.top_helpers(scores, limit=WHY_LIMIT)[0]
    return {
        others[index - 1].id: offer_line(others[index - 1].offer)
        for index in best
        if others[index - 1].offer.strip()
    }
