"""Seating rules around the rotation planner: pure functions, no ORM.

``rounds.scheduling`` decides who sits with whom; this module supplies and finishes its work:
the pairs to keep apart (colleagues, the organizer's rules), table numbers that stay put across
a re-plan, a speaking order that rotates fairly (nobody always pitches first or last), and the
table-size guidance an organizer reads before planning. ``rounds.services`` reads and writes
the stored Rounds, Tables and Seats.
"""

from __future__ import annotations

import functools
import statistics
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from events import hygiene
from rounds import scheduling

Tables = Sequence[Sequence[int]]


def company_pairs(people: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    """Colleagues should not share a table: people whose companies are the same once compared
    by ``events.hygiene.company_key`` ("Kite Labs Ltd." = "KiteLabs"; "Freelance" is nobody's
    company)."""
    by_company: dict[str, list[int]] = defaultdict(list)
    for person, company in people:
        key = hygiene.company_key(company)
        if key:
            by_company[key].append(person)
    return [
        (a, b)
        for colleagues in by_company.values()
        for i, a in enumerate(colleagues)
        for b in colleagues[i + 1 :]
    ]


def avoid_pairs(
    people: Sequence[tuple[int, str]],
    *,
    keep_apart: Iterable[tuple[int, int]] = (),
    together: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """The pairs the planner keeps at different tables: colleagues (``company_pairs``) but for
    the pairs the organizer let sit ``together``, plus the organizer's ``keep_apart`` pairs
    among ``people`` ((attendee id, company) of those present). Each pair once, smaller id
    first."""
    present = {person for person, _company in people}
    allowed = {tuple(sorted(pair)) for pair in together}
    pairs = {tuple(sorted(pair)) for pair in company_pairs(people)} - allowed
    pairs |= {
        tuple(sorted(pair))
        for pair in keep_apart
        if pair[0] in present and pair[1] in present and pair[0] != pair[1]
    }
    return sorted(pairs)


@dataclass
class SpeakingHistory:
    """How each person has pitched so far, for fair speaking orders: nobody should always open
    the table (the hardest slot) or always close it.

    ``lateness`` sums past positions, 0 for first and 1 for last; ``firsts`` counts openings.
    """

    lateness: dict[int, float] = field(default_factory=dict)
    firsts: Counter[int] = field(default_factory=Counter)

    @classmethod
    def from_played(cls, played: Sequence[Tables]) -> SpeakingHistory:
        """From the rounds played, their tables listed in speaking order."""
        history = cls()
        for tables in played:
            for order in tables:
                history.add(order)
        return history

    def add(self, order: Sequence[int]) -> None:
        last = max(len(order) - 1, 1)
        for position, person in enumerate(order):
            self.lateness[person] = self.lateness.get(person, 0.0) + position / last
        if order:
            self.firsts[order[0]] += 1

    def order(self, table: Sequence[int], round_number: int) -> list[int]:
        """The speaking order at this table, recorded in the history.

        The opener is whoever opened least often (then who spoke latest so far); the others
        follow, latest speakers first. Ties are broken by a stable per-round shuffle.
        """

        def shuffle(person: int) -> int:
            return zlib.crc32(f"{person}:{round_number}".encode())

        rest = sorted(table, key=lambda p: (-self.lateness.get(p, 0.0), shuffle(p)))
        opener = min(rest, key=lambda p: (self.firsts[p], -self.lateness.get(p, 0.0), shuffle(p)))
        rest.remove(opener)
        order = [opener, *rest]
        self.add(order)
        return order


def table_numbers(old: Tables, new: Tables) -> list[int]:
    """Numbers for the new tables (1-based): each keeps the number of the old table it shares
    the most people with, so that people who stay together also stay at the same table."""
    overlaps = sorted(
        (
            (-len(set(new_table) & set(old_table)), new_index, old_index)
            for new_index, new_table in enumerate(new)
            for old_index, old_table in enumerate(old)
        ),
    )
    numbers: dict[int, int] = {}
    taken: set[int] = set()
    for overlap, new_index, old_index in overlaps:
        if overlap == 0:
            break
        if new_index not in numbers and old_index not in taken:
            numbers[new_index] = old_index + 1
            taken.add(old_index)
    free = (n for n in range(1, len(old) + len(new) + 1) if n - 1 not in taken)
    return [numbers[i] if i in numbers else next(free) for i in range(len(new))]


def changed_rounds(old: Sequence[Tables], new: Sequence[Tables]) -> dict[int, list[int]]:
    """Per person, the round numbers (1-based) in which their tablemates differ between two
    plans with the same number of rounds (being seated in only one of them counts): the stops
    their phone must redraw. A table whose people stay the same keeps its number
    (``table_numbers``), so the same tablemates mean the same stop."""
    result: dict[int, list[int]] = defaultdict(list)
    for number, (old_round, new_round) in enumerate(zip(old, new, strict=True), start=1):
        before = {person: frozenset(table) for table in old_round for person in table}
        after = {person: frozenset(table) for table in new_round for person in table}
        for person in sorted(before.keys() | after.keys()):
            if before.get(person) != after.get(person):
                result[person].append(number)
    return dict(result)


def moved_people(old: Sequence[Tables], new: Sequence[Tables]) -> set[int]:
    """The people seated in both plans whose table number differs in some round, the numbers
    being those a re-plan writes (``table_numbers``: the old round's tables numbered by position
    from 1): who must walk to another table than their phone showed."""
    moved: set[int] = set()
    for old_round, new_round in zip(old, new, strict=True):
        before = {person: n for n, table in enumerate(old_round, start=1) for person in table}
        numbers = table_numbers(old_round, new_round)
        for number, table in zip(numbers, new_round, strict=True):
            moved.update(p for p in table if p in before and before[p] != number)
    return moved


# -- the rescue round -------------------------------------------------------------------------


def rescued_pitchers(received: Mapping[int, int], present: Sequence[int]) -> list[int]:
    """The pitchers a rescue round is for: the people ``present`` whose cards received so far
    (``received``: attendee id → cards, missing = 0) are at most the room's lower median
    (``statistics.median_low``), in id order; none without anyone present.

    The median, not a fixed share: in a room where most people have a card or two it picks
    those with none or one, and when cards are few it may pick most of the room (everyone at
    0 is equally in need). The planner then seats as many of them as it can with a helper."""
    if not present:
        return []
    cut = statistics.median_low(received.get(person, 0) for person in present)
    return sorted(person for person in present if received.get(person, 0) <= cut)


RESCUE_HELPER_SHARE = 0.5
"""A rescued pitcher's helpers are the listeners scoring at least this share of their best
remaining listener's score: the matcher scores nearly everyone a little (shared words), and a
pitcher seated with a listener who scored a twentieth of their best one is not rescued."""


def rescue_helps(
    helps: Iterable[tuple[int, int, float]],
    *,
    received: Mapping[int, int],
    present: Sequence[int],
    met: Iterable[tuple[int, int]],
    limit: int,
) -> list[tuple[int, int, float]]:
    """The planner's ``helps`` for a rescue round: from (pitcher, listener, score) triples (a
    matcher's, ``pitches.queries.seating_helps``), those of the ``rescued_pitchers``, with
    listeners present they have not met (``met``: pairs who sat together already, either
    order): their best remaining helpers, the ``limit`` best-scored per pitcher among those
    scoring at least ``RESCUE_HELPER_SHARE`` of their best. Each weight is the score divided by
    1 + the pitcher's cards so far: among the rescued, the pitcher with fewer cards counts more
    when two want the same seat."""
    rescued = set(rescued_pitchers(received, present))
    here = set(present)
    known = {frozenset(pair) for pair in met}
    best: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for pitcher, listener, score in helps:
        if (
            pitcher in rescued
            and listener in here
            and score > 0
            and frozenset((pitcher, listener)) not in known
        ):
            best[pitcher].append((score, listener))
    found = []
    for pitcher in sorted(best):
        ranked = sorted(best[pitcher], key=lambda item: (-item[0], item[1]))
        floor = ranked[0][0] * RESCUE_HELPER_SHARE
        found += [
            (pitcher, listener, score / (1 + received.get(pitcher, 0)))
            for score, listener in ranked[:limit]
            if score >= floor
        ]
    return found


# -- table-size guidance --------------------------------------------------------------------

GUIDE_SIZES = range(4, 9)
"""The table sizes compared before planning (the format's tables of 4–8)."""
GUIDE_TIME_LIMIT = 0.3
"""Seconds the planner gets per table size for the guidance (it stops sooner when its plan is
provably best, as for 16 people at tables of 4)."""


@dataclass(frozen=True)
class SizeOption:
    """What the planner achieves for one table size, in the figures an organizer reads:
    everyone meets at least ``min_met`` of the ``others`` (``mean_met`` on average, ``max_met``
    at most); ``repeated_pairs`` pairs meet more than once; the most any pair meets is
    ``max_meetings``; ``tables`` tables a round."""

    table_size: int
    tables: int
    others: int
    min_met: int
    repeated_pairs: int
    max_meetings: int
    repeat_cost: int
    mean_met: float
    max_met: int

    @property
    def is_repeat_free(self) -> bool:
        return self.repeated_pairs == 0


@functools.lru_cache(maxsize=512)
def size_option(
    people: int, rounds: int, table_size: int, avoid: tuple[tuple[int, int], ...] = ()
) -> SizeOption:
    """The planner's own result for ``people`` people (numbered from 0), ``rounds`` rounds at
    tables of ``table_size``, keeping the ``avoid`` pairs apart as the real plan will (at most
    ``GUIDE_TIME_LIMIT`` s, then cached for these arguments)."""
    plan = scheduling.plan_rounds(
        range(people),
        rounds=rounds,
        table_size=table_size,
        avoid=avoid,
        time_limit=GUIDE_TIME_LIMIT,
    )
    quality = scheduling.plan_quality(plan)
    return SizeOption(
        table_size=table_size,
        tables=len(plan[0]) if plan else 0,
        others=people - 1,
        min_met=quality.min_distinct_met,
        repeated_pairs=quality.repeated_pairs,
        max_meetings=quality.max_meetings,
        repeat_cost=quality.repeat_cost,
        mean_met=quality.mean_distinct_met,
        max_met=quality.max_distinct_met,
    )


def size_options(
    people: int,
    *,
    rounds: int,
    sizes: Iterable[int] = GUIDE_SIZES,
    avoid: Iterable[tuple[int, int]] = (),
) -> list[SizeOption]:
    """The planner's figures (``size_option``) for each table size in ``sizes`` that makes at
    least two tables for ``people`` (≥ 2, numbered from 0; ``avoid``: pairs of those numbers
    kept apart, such as colleagues), smallest first. Sizes that seat people the same way
    (16 people at "tables of 5" are 4 tables of 4) appear once, as the largest table they make."""
    sizes = list(sizes)
    apart = tuple(sorted({(min(a, b), max(a, b)) for a, b in avoid if a != b}))
    options: dict[int, SizeOption] = {}
    for size in sizes:
        layout = scheduling.table_sizes(people, size)
        largest = max(layout)
        if len(layout) >= 2 and largest not in options and largest in sizes:
            options[largest] = size_option(people, rounds, largest, apart)
    return sorted(options.values(), key=lambda option: option.table_size)


def best_size(options: Sequence[SizeOption]) -> SizeOption | None:
    """The option to preselect: fewest repeats (weighted, a pair meeting 3 times counts 3), then
    the most people met by everyone, then the larger table (more pitches heard)."""
    if not options:
        return None
    return min(options, key=lambda o: (o.repeat_cost, -o.min_met, -o.table_size))


def worst_repeats(plan: Sequence[Tables], *, limit: int = 5) -> list[tuple[int, int, int]]:
    """The pairs that meet most often in ``plan`` (rounds → tables → attendee ids), as
    (attendee id, attendee id, times) with times ≥ 2, most first, at most ``limit``."""
    counts: Counter[tuple[int, int]] = Counter()
    for tables in plan:
        for table in tables:
            people = sorted(table)
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    counts[(a, b)] += 1
    repeats = [(a, b, n) for (a, b), n in counts.items() if n >= 2]
    repeats.sort(key=lambda item: (-item[2], item[0], item[1]))
    return repeats[:limit]
