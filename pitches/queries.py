"""Reads of pitches used by other apps."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.text import Truncator

from events import chinese
from events.models import Attendee
from pitches import matching, warming
from pitches.models import Pitch, Wish

GUEST_RESULTS = 20
"""People a guest-list search shows at most (type more of the name to find others)."""


def guest_list(author: Attendee) -> QuerySet[Attendee]:
    """The people ``author`` may pick for their wish list: the other attendees of the author's
    event who said yes to being listed (``Attendee.is_listed_in_guest_list``), neither erased nor
    removed by an organizer; each annotated with ``ask``, the closing line of their pitch ("" for
    none). One query when evaluated."""
    return (
        Attendee.objects.filter(
            event_id=author.event_id,
            is_listed_in_guest_list=True,
            erased_at__isnull=True,
            removed_at__isnull=True,
        )
        .exclude(pk=author.pk)
        .annotate(ask=Coalesce(F("pitch__ask"), Value("")))
        .only("pk", "name", "company")
        .order_by("name", "pk")
    )


def search_guest_list(author: Attendee, search: str) -> list[Attendee]:
    """Up to ``GUEST_RESULTS`` people of ``guest_list(author)`` whose name or company contains
    ``search`` (case-insensitive, spaces squeezed as names are stored; Chinese in Simplified or
    Traditional characters, as the door's search: ``events.chinese.script_variants``), those on
    the author's wish list already left out; [] for an empty search. One query."""
    search = " ".join(search.split())
    if not search:
        return []
    found = Q()
    for variant in chinese.script_variants(search):
        found |= Q(name__icontains=variant) | Q(company__icontains=variant)
    people = (
        guest_list(author)
        .filter(found)
        .exclude(pk__in=Wish.objects.filter(author=author, person__isnull=False).values("person"))
    )
    return list(people[:GUEST_RESULTS])


def wishes_of(author: Attendee) -> list[Wish]:
    """The author's wish list in order, each picked person loaded (name, company). For the author
    alone: nothing else reads a wish list but the matcher. One query."""
    return list(
        Wish.objects.filter(author=author)
        .select_related("person")
        .only("pk", "author_id", "position", "text", "person__name", "person__company")
        .order_by("position")
    )


HELPERS_PER_PITCHER = matching.CANDIDATES
"""Listeners per pitcher the planner tries to seat with them (the best-scored first)."""


def help_profiles(attendee_ids: Sequence[int]) -> list[matching.Profile]:
    """What the matcher reads of each attendee in ``attendee_ids`` (in that order): need, offer,
    ask of their pitch (empty without one), their wish list (free-text lines, and the ids of the
    people they picked), name, company, job title, whether they are on the guest list. Three
    queries."""
    pitches = {
        pitch.attendee_id: pitch
        for pitch in Pitch.objects.filter(attendee_id__in=attendee_ids).only(
            "attendee_id", "need", "offer", "ask"
        )
    }
    wishes: dict[int, list[Wish]] = {}
    for wish in Wish.objects.filter(author_id__in=attendee_ids).order_by("position"):
        wishes.setdefault(wish.author_id, []).append(wish)
    people = Attendee.objects.filter(pk__in=attendee_ids).only(
        "pk", "name", "company", "job_title", "is_listed_in_guest_list"
    )
    by_id = {person.pk: person for person in people}
    return [
        help_profile(
            by_id[pk],
            pitches.get(pk),
            wishes.get(pk, []),
            listed=by_id[pk].is_listed_in_guest_list,
        )
        for pk in attendee_ids
    ]


def help_profile(
    person: Attendee, pitch: Pitch | None, wishes: Sequence[Wish] = (), *, listed: bool = True
) -> matching.Profile:
    """What the matcher reads of one person: their pitch (if any), their wish list and who they
    are; ``listed``: whether they are on the guest list (a free-text wish may name them only
    then; the "why" lines read no wish and leave it)."""
    return matching.Profile(
        id=person.pk,
        need=pitch.need if pitch else "",
        offer=pitch.offer if pitch else "",
        ask=pitch.ask if pitch else "",
        name=person.name,
        company=person.company,
        job_title=person.job_title,
        wishes=tuple(wish.text for wish in wishes if wish.person_id is None),
        wished=frozenset(wish.person_id for wish in wishes if wish.person_id is not None),
        listed=listed,
    )


def seating_helps(
    attendee_ids: Sequence[int],
    *,
    limit: int = HELPERS_PER_PITCHER,
    distinct_texts: bool = True,
    meaning: bool = True,
) -> list[tuple[int, int, float]]:
    """(pitcher id, listener id, chance) for each attendee's ``limit`` best-scored listeners
    among ``attendee_ids`` (``matching.seating_scores``), with the chance that the listener helps
    guessed from their rank (``matching.help_chances``; 1 for a listener a wish names): the
    planner's ``helps``. With ``distinct_texts`` a listener whose offer, company and job title
    read the same as a better candidate's is left out (one piece of evidence, not two); the
    rescue round, which drops the listeners a pitcher has met, passes False to keep them.
    With ``meaning`` the scores are ``matching.seating_scores`` (words and the meaning of the
    texts: every listener who offers something is ranked), else ``matching.help_scores`` (only
    listeners who share words with the pitcher's need, or a wish names): the rescue round
    moves people mid-evening only on that evidence. Three queries."""
    profiles = help_profiles(attendee_ids)
    scores = (matching.seating_scores if meaning else matching.help_scores)(profiles)
    documents = matching.document_keys(profiles) if distinct_texts else None
    return [
        (profiles[p].id, profiles[listener].id, chance)
        for p, listener, chance in matching.help_chances(scores, limit=limit, documents=documents)
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
    return why_lines_within([(me, tablemates)])[0]


def why_lines_within(
    groups: Sequence[tuple[matching.Profile, Sequence[matching.Profile]]],
) -> list[dict[Hashable, str]]:
    """``why_lines`` for each (person, tablemates) group, all scored together
    (``matching.seating_scores_within``: the words, and the meaning of the texts where this
    process holds their embeddings): what a re-plan's push draws for a thousand phones at once.
    Texts not embedded yet are scored by their words, and embedded in the background
    (``pitches.warming``) for the next time. No queries."""
    groups = [(me, [mate for mate in mates if mate.id != me.id]) for me, mates in groups]
    scored, unheld = matching.seating_scores_within(groups)
    if unheld:
        warming.warm_attendees_later(unheld)
    lines = []
    for (_me, others), scores in zip(groups, scored, strict=True):
        best = matching.top_helpers([scores], limit=WHY_LIMIT)[0]
        lines.append(
            {
                others[index].id: offer_line(others[index].offer)
                for index in best
                if others[index].offer.strip()
            }
        )
    return lines
