"""Lower bounds on the repeat cost, and the figures of a plan (``Quality``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from rounds.scheduling.validation import _check_int, _Plan


@dataclass(frozen=True)
class Quality:
    """The figures of a plan. Meetings count the pairs in ``met`` as one earlier meeting."""

    repeated_pairs: int
    """Pairs that meet more than once."""
    max_meetings: int
    """The most times any pair meets."""
    repeat_cost: int
    """Sum over pairs of C(meetings, 2): a pair meeting three times costs 3, twice costs 1."""
    lower_bound: int
    """A lower bound on ``repeat_cost`` for these table sizes, not counting ``met``."""
    avoid_violations: int
    """Times an ``avoid`` pair shares a table, summed over rounds."""
    table_sizes: tuple[tuple[int, ...], ...]
    """The table sizes of each round."""
    min_distinct_met: int
    """The fewest different people anyone meets in the plan."""
    mean_distinct_met: float
    """The mean number of different people each person meets in the plan."""
    max_distinct_met: int
    """The most different people anyone meets in the plan."""
    max_person_repeats: int
    """The most repeated pairs any one person is part of (how evenly repeats are spread)."""


def lower_bound(table_sizes_per_round: Iterable[Iterable[int]]) -> int:
    """A lower bound on the sum over pairs of C(meetings, 2), for rounds seating the same people.

    Two bounds, the larger wins. Split: for rounds r < r', each table of r is spread over the
    tables of r', at best as evenly as possible (and the same the other way round). Count: each
    person meets the sum over rounds of (table size - 1) seats among the n - 1 others.
    """
    rounds = [tuple(sizes) for sizes in table_sizes_per_round]
    for sizes in rounds:
        if not sizes or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
            raise ValueError("every round needs at least one table, and sizes must be ints >= 1")
    split = _split_bound(rounds)
    if len({sum(sizes) for sizes in rounds}) != 1:
        return split
    return max(split, _count_bound(rounds))


def table_sizes(n_people: int, table_size: int) -> list[int]:
    """Sizes of a fresh round's tables, largest first: ceil(n / table_size) tables differing by
    at most one. A table of one is never made: with tables of two and an odd count, one table
    seats three."""
    _check_int(n_people, "n_people", 2)
    _check_int(table_size, "table_size", 2)
    tables = -(-n_people // table_size)
    if n_people // tables < 2:
        tables -= 1
    base, extra = divmod(n_people, tables)
    return [base + 1] * extra + [base] * (tables - extra)


def _min_pairs(people: int, parts: int) -> int:
    """Fewest pairs sharing a part when ``people`` are split into ``parts`` parts."""
    base, extra = divmod(people, parts)
    return extra * math.comb(base + 1, 2) + (parts - extra) * math.comb(base, 2)


def _split_bound(rounds: list[tuple[int, ...]]) -> int:
    total = 0
    for number, first in enumerate(rounds):
        for second in rounds[number + 1 :]:
            forward = sum(_min_pairs(size, len(second)) for size in first)
            backward = sum(_min_pairs(size, len(first)) for size in second)
            total += max(forward, backward)
    return total


def _count_bound(rounds: list[tuple[int, ...]]) -> int:
    """Seats met, spread as evenly as possible over people and over the others (convexity makes
    even spreading the cheapest), then halved because each repeat involves two people."""
    n = sum(rounds[0])
    if n < 2:
        return 0
    seats = sum(size * (size - 1) for sizes in rounds for size in sizes)
    base, extra = divmod(seats, n)
    per_person = extra * _min_pairs(base + 1, n - 1) + (n - extra) * _min_pairs(base, n - 1)
    return -(-per_person // 2)


def _common_split_bound(plan: _Plan) -> int:
    """The split bound for rounds that may seat different people: only people seated in both
    rounds of a pair count."""
    members = [{p for table in round_ for p in table} for round_ in plan]
    total = 0
    for r, first in enumerate(plan):
        for s in range(r + 1, len(plan)):
            common = members[r] & members[s]
            forward = sum(_min_pairs(len(common.intersection(t)), len(plan[s])) for t in first)
            backward = sum(_min_pairs(len(common.intersection(t)), len(first)) for t in plan[s])
            total += max(forward, backward)
    return total


def _pair_counts(plan: _Plan, n: int, met: list[tuple[int, int]]) -> dict[int, int]:
    """Meetings per pair (key a * n + b with a < b), ``met`` counting once."""
    counts = dict.fromkeys((a * n + b for a, b in met), 1)
    for round_ in plan:
        for table in round_:
            ordered = sorted(table)
            for i, a in enumerate(ordered):
                base = a * n
                for b in ordered[i + 1 :]:
                    counts[base + b] = counts.get(base + b, 0) + 1
    return counts


def _avoid_hits(plan: _Plan, avoid: list[tuple[int, int]]) -> int:
    hits = 0
    for round_ in plan:
        seat = {p: t for t, table in enumerate(round_) for p in table}
        hits += sum(1 for a, b in avoid if a in seat and seat.get(b) == seat[a])
    return hits


def _evaluate(
    plan: _Plan, n: int, met: list[tuple[int, int]], avoid: list[tuple[int, int]]
) -> tuple[int, int]:
    """(avoid pairs together, sum over pairs of C(meetings, 2)) of an index plan."""
    counts = _pair_counts(plan, n, met)
    return _avoid_hits(plan, avoid), sum(m * (m - 1) // 2 for m in counts.values())


def _quality(
    plan: _Plan, n: int, met: list[tuple[int, int]], avoid: list[tuple[int, int]]
) -> Quality:
    counts = _pair_counts(plan, n, met)
    repeated = [key for key, m in counts.items() if m > 1]
    person_repeats = [0] * n
    for key in repeated:
        a, b = divmod(key, n)
        person_repeats[a] += 1
        person_repeats[b] += 1
    distinct = [set() for _ in range(n)]
    for round_ in plan:
        for table in round_:
            for person in table:
                distinct[person].update(table)
    seated = [len(mates) - 1 for mates in distinct if mates]
    sizes = tuple(tuple(len(table) for table in round_) for round_ in plan)
    same_people = len({frozenset(p for t in round_ for p in t) for round_ in plan}) <= 1
    bound = lower_bound(sizes) if same_people and plan else _common_split_bound(plan)
    return Quality(
        repeated_pairs=len(repeated),
        max_meetings=max(counts.values(), default=0),
        repeat_cost=sum(m * (m - 1) // 2 for m in counts.values()),
        lower_bound=bound,
        avoid_violations=_avoid_hits(plan, avoid),
        table_sizes=sizes,
        min_distinct_met=min(seated, default=0),
        mean_distinct_met=sum(seated) / len(seated) if seated else 0.0,
        max_distinct_met=max(seated, default=0),
        max_person_repeats=max(person_repeats, default=0),
    )
