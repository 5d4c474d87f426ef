"""Reads of pitches used by other apps."""

from __future__ import annotations

from collections.abc import Sequence

from events.models import Attendee
from pitches import matching
from pitches.models import Pitch

HELPERS_PER_PITCHER = 10
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
    profiles = []
    for pk in attendee_ids:
        person, pitch = by_id[pk], pitches.get(pk)
        profiles.append(
            matching.Profile(
                id=pk,
                need=pitch.need if pitch else "",
                offer=pitch.offer if pitch else "",
                ask=pitch.ask if pitch else "",
                name=person.name,
                company=person.company,
                job_title=person.job_title,
                wishes=pitch.wish_list if pitch else (),
            )
        )
    return profiles


def seating_helps(
    attendee_ids: Sequence[int], *, limit: int = HELPERS_PER_PITCHER
) -> list[tuple[int, int, float]]:
    """(pitcher id, listener id, score) for each attendee's ``limit`` best-scored listeners
    among ``attendee_ids`` (``matching.help_scores``), the planner's ``helps``. Two queries."""
    profiles = help_profiles(attendee_ids)
    scores = matching.help_scores(profiles)
    return [
        (profiles[p].id, profiles[listener].id, scores[p][listener])
        for p, best in enumerate(matching.top_helpers(scores, limit=limit))
        for listener in best
    ]
