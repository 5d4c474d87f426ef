"""Rotation planner: tables for every round, nobody meets twice, re-planned live.

Pure Python (standard library only, no Django), so it can be tested and benchmarked on its own.

Public API
----------
``plan_rounds(people, *, rounds, table_size, met=(), avoid=(), seed=0, time_limit=2.0)``
    ``-> list[list[list[P]]]``: rounds -> tables -> people (the hashable ids given, each table
    listed in sorted order). Every round has ``table_sizes(len(people), table_size)`` tables:
    ceil(N / table_size) of them, sizes differing by at most one, never a table of one.
``replan_rounds(plan, *, played, present, table_size, avoid=(), met=(), seed=0, time_limit=1.0)``
    ``-> list[list[list[P]]]``: the same number of rounds; ``plan[:played]`` comes back unchanged
    (history, absentees included) and every later round seats exactly ``present``. ``met`` is an
    addition to the interface of the issue: acquaintances to keep apart, as in ``plan_rounds``
    (meetings in played rounds count as met without it).
``plan_quality(plan, *, met=(), avoid=()) -> Quality``
    The figures of a plan: repeats, their lower bound, avoid pairs together, table sizes, the
    distinct people each person meets.
``forecast(n_people, *, rounds, table_size) -> Forecast``
    The warning to show before planning: whether repeats are forced, the least repeat cost, and
    the largest smaller table size that allows none.
``lower_bound(table_sizes_per_round) -> int``
    A lower bound on the sum over pairs of C(meetings, 2) for rounds seating the same people.
``changed_itineraries(old_plan, new_plan, *, tablemates=True) -> set[P]``
    The people whose table (its position within the round) differs in any round, including
    those seated in only one plan; with ``tablemates=True`` also those whose table-mates differ.
    "How many itineraries changed" after a re-plan is
    ``len(changed_itineraries(plan, new_plan, tablemates=False) & set(present))``: the people who
    must go somewhere else. Absentees and arrivals change the table-mates of nearly everyone
    they sat with, so with ``tablemates=True`` the set is most of the room whatever is done.
``table_sizes(n_people, table_size) -> list[int]``
    The table sizes of a fresh round, largest first.

Objectives, in order: no ``avoid`` pair at one table; no pair meets twice, counting ``met``;
otherwise the smallest sum over pairs of C(meetings, 2) (a triple meeting costs more than two
doubles); then repeats spread evenly over people (the sum of squares of each person's share).
``met`` and ``avoid`` are iterables of 2-tuples; ``met`` pairs naming someone absent are ignored,
``avoid`` pairs naming someone absent are a ``ValueError``, as are table sizes below 2, rounds
below 1 and a person listed twice.

Fresh plans (the Social Golfer Problem): bounds first; a plan that reaches them is returned at
once. Then a grid construction: people sit on a grid of (largest table) rows by (tables) columns,
one person per row at every table, and each round shifts every row by its own amount, so two
people of one row never meet and two of different rows meet once per repeated row difference.
Multipliers modulo the number of tables, or over a finite field GF(p^n) when it is a prime power
(affine planes, resolvable transversal designs), give zero repeats outright, in milliseconds for
thousands of people; a last row with holes keeps sizes within one. Where those do not apply the
shift matrix itself is searched (a small problem), in a "rotational" shape (one row sits as a
table of its own each round) when there is one table more than seats at a table. Groups linked
by ``met``/``avoid`` are packed into rows, since rows never meet. Anything still short of the
bound goes to a tabu search over swaps of two people at different tables of one round (Dotú &
Van Hentenryck; Triska & Musliu) with avoid hits weighted far above repeats.

Re-plans repair instead of re-solving: absentees are deleted; a round keeps its number of
tables (only clamped to between the fresh count and one table per three present), dissolving
tables from the end and opening new ones at the end, so that no other table changes position;
displaced people and arrivals are seated where they add the least cost; tables are balanced when
a hard limit demands it (largest fresh size, at least three people or the smallest fresh size,
sizes within two of each other) and otherwise only by moves that create no conflict; a tabu
search over moves, swaps and ejection chains then removes conflicts, preferring people who have
already moved (one phone told twice is one phone). Order of costs: avoid hits, repeats, tables
outside the balanced sizes, people who must move.

Determinism: the result depends only on the set of people (they are sorted; mixed types that
cannot be compared are sorted by type name and ``repr``), the other arguments and ``seed``, which
shuffles the people before anything else. Searches stop at a work allowance proportional to
``time_limit`` that runs out at about half of it on an ordinary machine; the wall clock is a hard
ceiling on the searches, and only when it cuts one short (a machine more than twice as slow) may
two runs differ. Reading the input (linear in people and pairs) is outside the ceiling.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

P = TypeVar("P", bound=Hashable)

# Index-level plans: rounds -> tables -> person numbers 0..n-1.
_Plan = list[list[list[int]]]

# Work units allowed per second of time_limit. Each search charges its steps so that a unit is
# about a microsecond on one core of an ordinary machine; allowing half a second's worth per
# second means the deterministic allowance, not the wall clock, normally ends a search.
_WORK_PER_SECOND = 500_000
# People in conflict whose swaps are compared at each step of the swap search.
_SAMPLE = 16
# Tables (and movers) tried for the second step of an ejection chain in the repair.
_CHAIN_WIDTH = 12
# Pair look-ups of the repair per work unit.
_LOOKUPS_PER_UNIT = 2
# Above this many people the dense pair matrix of the swap search costs more than it saves.
_DENSE_LIMIT = 700
# Finite fields are built by table up to this order; larger table counts use multipliers.
_FIELD_LIMIT = 256


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
    max_person_repeats: int
    """The most repeated pairs any one person is part of (how evenly repeats are spread)."""


@dataclass(frozen=True)
class Forecast:
    """What to tell the organiser before planning."""

    repeats_forced: bool
    min_repeat_cost: int
    """``lower_bound`` for these sizes: the least sum over pairs of C(meetings, 2)."""
    suggested_table_size: int | None
    """The largest smaller table size that allows a plan without repeats, if repeats are forced."""
    message: str


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def plan_rounds(
    people: Iterable[P],
    *,
    rounds: int,
    table_size: int,
    met: Iterable[tuple[P, P]] = (),
    avoid: Iterable[tuple[P, P]] = (),
    seed: int = 0,
    time_limit: float = 2.0,
) -> list[list[list[P]]]:
    """Plan every round for ``people``: rounds -> tables -> people.

    ``met`` pairs (earlier meetings, acquaintances) count as one meeting each; pairs naming
    someone absent are ignored. ``avoid`` pairs must both be in ``people``. Returns as soon as a
    plan is provably optimal, otherwise the best plan found within ``time_limit`` seconds.
    """
    _check_int(rounds, "rounds", 1)
    _check_int(table_size, "table_size", 2)
    _check_time_limit(time_limit)
    canonical = _canonical(_distinct(people, "people"))
    if len(canonical) < 2:
        raise ValueError("plan_rounds needs at least two people: a table of one is never made")
    rng = random.Random(seed)
    order = list(canonical)
    rng.shuffle(order)
    index = {person: i for i, person in enumerate(order)}
    met_pairs = _index_pairs(met, index, "met", strict=False)
    avoid_pairs = _index_pairs(avoid, index, "avoid", strict=True)
    sizes = table_sizes(len(order), table_size)
    budget = _Budget(time_limit)
    plan = _solve(len(order), sizes, rounds, met_pairs, avoid_pairs, rng, budget)
    rank = {person: i for i, person in enumerate(canonical)}
    return _to_people(plan, order, rank)


def replan_rounds(
    plan: Sequence[Sequence[Sequence[P]]],
    *,
    played: int,
    present: Iterable[P],
    table_size: int,
    avoid: Iterable[tuple[P, P]] = (),
    met: Iterable[tuple[P, P]] = (),
    seed: int = 0,
    time_limit: float = 1.0,
) -> list[list[list[P]]]:
    """Repair the rounds after ``played`` for the people ``present`` now.

    Absentees are deleted and arrivals inserted into the remaining rounds, which are repaired
    rather than re-solved: tables keep their position, a round keeps its number of tables where
    the sizes allow, and moves go first to people who already had to move, so that few
    itineraries change (``changed_itineraries(plan, result, tablemates=False)`` lists the people
    who must go elsewhere). Meetings in played rounds count as ``met``; ``avoid`` pairs must
    name people present. Avoid pairs and repeats come first; table sizes may then differ by two
    where that avoids a repeat, never exceed the largest fresh table, and never drop below three
    (two where fresh tables would be smaller).
    """
    _check_int(table_size, "table_size", 2)
    _check_time_limit(time_limit)
    old = _copy_plan(plan)
    if isinstance(played, bool) or not isinstance(played, int) or not 0 <= played <= len(old):
        raise ValueError(f"played must be an int from 0 to {len(old)} (rounds in plan)")
    here = _distinct(present, "present")
    seated = {person for round_ in old for table in round_ for person in table}
    canonical = _canonical(list(seated | set(here)))
    rng = random.Random(seed)
    order = list(canonical)
    rng.shuffle(order)
    index = {person: i for i, person in enumerate(order)}
    present_index = {person: index[person] for person in here}
    avoid_pairs = _index_pairs(avoid, present_index, "avoid", strict=True)
    met_pairs = _index_pairs(met, present_index, "met", strict=False)
    if played == len(old):
        return old
    if len(here) < 2:
        raise ValueError("replan_rounds needs at least two people present")
    indexed = [[[index[p] for p in table] for table in round_] for round_ in old]
    present_sorted = sorted(present_index.values())
    budget = _Budget(time_limit)
    future = _repair_rounds(
        indexed, len(order), played, present_sorted, table_size, met_pairs, avoid_pairs, rng, budget
    )
    rank = {person: i for i, person in enumerate(canonical)}
    return old[:played] + _to_people(future, order, rank)


def plan_quality(
    plan: Sequence[Sequence[Sequence[P]]],
    *,
    met: Iterable[tuple[P, P]] = (),
    avoid: Iterable[tuple[P, P]] = (),
) -> Quality:
    """Measure a plan. ``met`` pairs naming people not in the plan are ignored; ``avoid`` pairs
    must name people in the plan."""
    people_plan = _copy_plan(plan)
    everyone = _canonical(list({p for round_ in people_plan for table in round_ for p in table}))
    index = {person: i for i, person in enumerate(everyone)}
    met_pairs = _index_pairs(met, index, "met", strict=False)
    avoid_pairs = _index_pairs(avoid, index, "avoid", strict=True)
    indexed = [[[index[p] for p in table] for table in round_] for round_ in people_plan]
    return _quality(indexed, len(everyone), met_pairs, avoid_pairs)


def forecast(n_people: int, *, rounds: int, table_size: int) -> Forecast:
    """Say before planning whether repeats are forced, how many at least, and suggest the largest
    smaller table size for which a repeat-free plan is known (a construction applies) or likely
    (no bound forces repeats and there are more tables than seats at a table)."""
    _check_int(n_people, "n_people", 2)
    _check_int(rounds, "rounds", 1)
    _check_int(table_size, "table_size", 2)
    sizes = table_sizes(n_people, table_size)
    bound = lower_bound([sizes] * rounds)
    setting = (
        f"{n_people} people at tables of {table_size} ({len(sizes)} tables) for {rounds} rounds"
    )
    if bound == 0:
        return Forecast(False, 0, None, f"{setting}: no repeat meetings are forced.")
    suggestion = next(
        (k for k in range(table_size - 1, 1, -1) if _repeat_free_likely(n_people, k, rounds)), None
    )
    message = (
        f"{setting}: repeat meetings are unavoidable; the best plan has at least {bound} "
        "(a pair meeting m times counts C(m, 2))."
    )
    if suggestion is not None:
        tables = len(table_sizes(n_people, suggestion))
        message += f" Tables of {suggestion} ({tables} tables) allow a plan without repeats."
    return Forecast(True, bound, suggestion, message)


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


def changed_itineraries(
    old_plan: Sequence[Sequence[Sequence[P]]],
    new_plan: Sequence[Sequence[Sequence[P]]],
    *,
    tablemates: bool = True,
) -> set[P]:
    """People whose itinerary differs between two plans with the same number of rounds.

    A person's itinerary is their table (its position within the round) in every round; being
    seated in only one of the plans counts as a change. With ``tablemates=True`` (the default) a
    change of table-mates counts too; ``tablemates=False`` lists only the people who must walk to
    a different table, the figure ``replan_rounds`` keeps small.
    """
    if len(old_plan) != len(new_plan):
        raise ValueError("both plans must have the same number of rounds")
    changed: set[P] = set()
    for old_round, new_round in zip(old_plan, new_plan, strict=True):
        old_seat, new_seat = _seat_map(old_round), _seat_map(new_round)
        for person in old_seat.keys() | new_seat.keys():
            before, after = old_seat.get(person), new_seat.get(person)
            if before != after or (
                tablemates and set(old_round[before]) != set(new_round[after])  # type: ignore[index]
            ):
                changed.add(person)
    return changed


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


# --------------------------------------------------------------------------------------------
# Validation and conversion
# --------------------------------------------------------------------------------------------


def _check_int(value: object, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def _check_time_limit(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValueError(f"time_limit must be a positive number of seconds, got {value!r}")


def _distinct(people: Iterable[P], name: str) -> list[P]:
    """The people as a list, refusing duplicates (the same person cannot sit twice)."""
    items = list(people)
    seen: set[P] = set()
    for person in items:
        if person in seen:
            raise ValueError(f"{name} lists {person!r} more than once")
        seen.add(person)
    return items


def _canonical(people: list[P]) -> list[P]:
    """People in an order independent of the input order: sorted, or by type name and repr when
    they cannot be compared."""
    try:
        return sorted(people)  # type: ignore[type-var]
    except TypeError:
        return sorted(people, key=lambda person: (type(person).__qualname__, repr(person)))


def _index_pairs(
    pairs: Iterable[tuple[P, P]], index: dict[P, int], name: str, *, strict: bool
) -> list[tuple[int, int]]:
    """Pairs as distinct sorted index pairs. Pairs naming someone not in ``index`` raise when
    ``strict`` (a mistake by the caller) and are dropped otherwise (history of people gone)."""
    result: set[tuple[int, int]] = set()
    for pair in pairs:
        try:
            first, second = pair
        except (TypeError, ValueError):
            raise ValueError(f"{name} must hold pairs of people, got {pair!r}") from None
        if first == second:
            raise ValueError(f"{name} pair {pair!r} names the same person twice")
        if first not in index or second not in index:
            if strict:
                raise ValueError(f"{name} pair {pair!r} names someone who is not present")
            continue
        a, b = index[first], index[second]
        result.add((a, b) if a < b else (b, a))
    return sorted(result)


def _copy_plan(plan: Sequence[Sequence[Sequence[P]]]) -> list[list[list[P]]]:
    """A fresh copy of a plan, refusing a person seated twice in one round."""
    copy = [[list(table) for table in round_] for round_ in plan]
    for number, round_ in enumerate(copy):
        seated = [person for table in round_ for person in table]
        if len(set(seated)) != len(seated):
            raise ValueError(f"round {number} of the plan seats someone twice")
    return copy


def _seat_map(round_: Sequence[Sequence[P]]) -> dict[P, int]:
    return {person: number for number, table in enumerate(round_) for person in table}


def _to_people(plan: _Plan, order: list[P], rank: dict[P, int]) -> list[list[list[P]]]:
    """Index plan to people, each table listed in canonical order."""
    return [
        [sorted((order[i] for i in table), key=rank.__getitem__) for table in round_]
        for round_ in plan
    ]


# --------------------------------------------------------------------------------------------
# Bounds and measurement
# --------------------------------------------------------------------------------------------


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
        max_person_repeats=max(person_repeats, default=0),
    )


def _repeat_free_likely(n: int, table_size: int, rounds: int) -> bool:
    sizes = table_sizes(n, table_size)
    if lower_bound([sizes] * rounds) > 0:
        return False
    tables, seats = len(sizes), sizes[0]
    return tables > seats or _exact_system(tables, seats, rounds, seats * tables - n) is not None


# --------------------------------------------------------------------------------------------
# Time and work
# --------------------------------------------------------------------------------------------


class _Budget:
    """Work allowance of a search: deterministic work units, with the wall clock as a ceiling."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds
        self.units = int(seconds * _WORK_PER_SECOND)

    def spend(self, units: int) -> bool:
        """Charge ``units``; False once the allowance or the time is used up."""
        self.units -= units
        return self.units > 0 and time.perf_counter() < self.deadline

    def share(self, fraction: float) -> _Budget:
        """A sub-allowance of ``fraction`` of what is left, with the same deadline."""
        part = _Budget(0.0)
        part.deadline = self.deadline
        part.units = int(max(self.units, 0) * fraction)
        self.units -= part.units
        return part

    def give_back(self, part: _Budget) -> None:
        self.units += max(part.units, 0)


class _Bag:
    """A set of ints with O(1) insertion, removal and uniform random choice, iterated in an
    order fixed by the operations alone (so searches stay deterministic)."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.where: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: int) -> None:
        if item not in self.where:
            self.where[item] = len(self.items)
            self.items.append(item)

    def discard(self, item: int) -> None:
        position = self.where.pop(item, None)
        if position is None:
            return
        last = self.items.pop()
        if position < len(self.items):
            self.items[position] = last
            self.where[last] = position

    def choice(self, rng: random.Random) -> int:
        return self.items[rng.randrange(len(self.items))]


# --------------------------------------------------------------------------------------------
# Fresh plans: portfolio
# --------------------------------------------------------------------------------------------


def _solve(
    n: int,
    sizes: list[int],
    rounds: int,
    met: list[tuple[int, int]],
    avoid: list[tuple[int, int]],
    rng: random.Random,
    budget: _Budget,
) -> _Plan:
    """Bounds, then a construction, then search until the bound is met or the budget is spent."""
    if len(sizes) == 1:
        return [[list(range(n))] for _ in range(rounds)]
    target = lower_bound([sizes] * rounds)
    plan, exact = _construct(n, sizes, rounds, met + avoid, rng, budget)
    if exact and not _construction_conflicts(plan, met, avoid):
        return plan
    if n <= _DENSE_LIMIT:
        search = _SwapSearch(plan, n, met, avoid, rng)
        search.run(budget, target)
        if search.best_cost == 0:
            return search.best_plan
        polish = _SwapSearch(search.best_plan, n, met, avoid, rng)
        polish.even_out(budget)
        return polish.plan
    rules = [_SizeRule.fresh(sizes)] * rounds
    repair = _Repair(n, _history([], met, n), plan, avoid, rules, None, rng)
    repair.repair(budget)
    return repair.best_tables()


def _construction_conflicts(
    plan: _Plan, met: list[tuple[int, int]], avoid: list[tuple[int, int]]
) -> bool:
    """Whether a repeat-free construction seats a ``met`` or ``avoid`` pair together."""
    pairs = met + avoid
    if not pairs:
        return False
    for round_ in plan:
        seat = {p: t for t, table in enumerate(round_) for p in table}
        if any(seat[a] == seat[b] for a, b in pairs):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Grid constructions
# --------------------------------------------------------------------------------------------
#
# People sit on a grid of rows by columns; the last row has `holes` empty cells. In round r the
# person in row i, column j sits at table translate(shift[r][i])[j]: every such table has one
# person from each row, two people of one row never meet, and two people of rows i, i' meet in
# round r exactly when shift[r][i] - shift[r][i'] equals their column difference. So a pair meets
# at most once when, for every two rounds, the row differences are all distinct. Usually rows =
# the largest table and columns = tables, and every table loses at most one seat to the holes.
# In the "rotational" shape (tables = largest table + 1) rows = tables and columns = the table
# size, and in round r row r sits as a table of its own (_WHOLE) while the other rows shift.

_WHOLE = -1
_Translate = Callable[[int], list[int]]


@dataclass(frozen=True)
class _ShiftSystem:
    shifts: list[list[int]]  # rounds -> rows -> group element, or _WHOLE
    columns: int
    translate: _Translate  # group element -> the table of each column
    vertical: bool  # one more round whose tables are the rows (affine planes)
    exact: bool  # no pair meets twice

    def rows_meet(self) -> bool:
        """Whether people of one row ever share a table (then rows cannot keep groups apart)."""
        return self.vertical or any(_WHOLE in shifts for shifts in self.shifts)


def _construct(
    n: int,
    sizes: list[int],
    rounds: int,
    groups_from: list[tuple[int, int]],
    rng: random.Random,
    budget: _Budget,
) -> tuple[_Plan, bool]:
    """A grid plan and whether it is repeat-free by construction."""
    tables, seats = len(sizes), sizes[0]
    holes = seats * tables - n
    system = _exact_system(tables, seats, rounds, holes)
    if system is None:
        search_budget = budget.share(0.5)
        rotational = tables == seats + 1 and holes <= 1 and rounds <= tables
        system = _searched_system(tables, seats, rounds, rotational, rng, search_budget)
        budget.give_back(search_budget)
    groups = [] if system.rows_meet() else _groups(n, groups_from)
    layout = _layout(n, len(system.shifts[0]), system.columns, holes, groups)
    return _grid_plan(layout, system), system.exact


def _exact_system(tables: int, rows: int, rounds: int, holes: int) -> _ShiftSystem | None:
    """Shifts known to give no repeats, or None: multipliers modulo the number of tables, the
    affine plane over GF(q) when it is a prime power, plus its extra round of rows when tables
    are square and at most one seat is missing."""
    if rounds == tables + 1 and rows == tables and holes <= 1:
        full = _exact_system(tables, rows, tables, holes)
        return (
            None if full is None else _ShiftSystem(full.shifts, tables, full.translate, True, True)
        )
    if rounds > tables or rows > tables:
        return None
    if all(x * y % tables for x in range(1, rows) for y in range(1, rounds)):
        shifts = [[r * i % tables for i in range(rows)] for r in range(rounds)]
        return _ShiftSystem(shifts, tables, _cyclic(tables), False, True)
    field = _field(tables)
    if field is None:
        return None
    add, mul = field
    shifts = [[mul[r][i] for i in range(rows)] for r in range(rounds)]
    return _ShiftSystem(shifts, tables, add.__getitem__, False, True)


def _cyclic(order: int) -> _Translate:
    def translate(shift: int) -> list[int]:
        return [(shift + column) % order for column in range(order)]

    return translate


def _field(order: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Addition and multiplication tables of GF(order) for a prime power order (elements are the
    base-p digits of polynomial coefficients), or None."""
    if order > _FIELD_LIMIT:
        return None
    prime = next(p for p in range(2, order + 1) if order % p == 0)
    degree = round(math.log(order, prime))
    if prime**degree != order:
        return None

    def digits(x: int) -> list[int]:
        return [x // prime**d % prime for d in range(degree)]

    def number(ds: list[int]) -> int:
        return sum(d * prime**e for e, d in enumerate(ds))

    add = [
        [
            number([(a + b) % prime for a, b in zip(digits(x), digits(y), strict=True)])
            for y in range(order)
        ]
        for x in range(order)
    ]
    powers = _primitive_powers(prime, degree)
    log = {value: exponent for exponent, value in enumerate(powers)}
    mul = [[0] * order for _ in range(order)]
    for x in range(1, order):
        for y in range(1, order):
            mul[x][y] = powers[(log[x] + log[y]) % (order - 1)]
    return add, mul


def _primitive_powers(prime: int, degree: int) -> list[int]:
    """Powers 1, t, t^2, ... of a generator t of GF(prime^degree)*, found by trying monic
    polynomials until t = x has order prime^degree - 1 modulo one of them."""
    order = prime**degree
    for code in range(order):
        low = [code // prime**d % prime for d in range(degree)]  # x^degree = -low(x)
        if low[0] == 0 and degree > 1:
            continue
        powers, current = [], [1] + [0] * (degree - 1)
        for _ in range(order - 1):
            powers.append(sum(d * prime**e for e, d in enumerate(current)))
            top = current[-1]
            current = [0, *current[:-1]]
            current = [(c - top * d) % prime for c, d in zip(current, low, strict=True)]
        if len(set(powers)) == order - 1 and 0 not in powers:
            return powers
    raise AssertionError(f"GF({order}) has a primitive element")  # pragma: no cover


def _searched_system(
    tables: int, seats: int, rounds: int, rotational: bool, rng: random.Random, budget: _Budget
) -> _ShiftSystem:
    """Shifts found by tabu search on the shift matrix itself, a much smaller problem than the
    plan: cost = sum over round pairs of C(rows sharing a difference, 2), which is the grid's
    repeat cost divided by the number of columns."""
    rows, columns = (tables, seats) if rotational else (seats, tables)
    search = _ShiftSearch(columns, rows, rounds, rotational, rng)
    search.run(budget)
    return _ShiftSystem(search.best, columns, _cyclic(columns), False, search.best_cost == 0)


class _ShiftSearch:
    """Tabu search over one entry of the shift matrix at a time. Row 0 and round 0 stay zero:
    shifting a whole row or a whole round only renames columns or tables."""

    def __init__(
        self, columns: int, rows: int, rounds: int, rotational: bool, rng: random.Random
    ) -> None:
        self.t, self.rows, self.rounds, self.rng = columns, rows, rounds, rng
        self.shift = [
            [_WHOLE if rotational and i == r else r * i % columns for i in range(rows)]
            for r in range(rounds)
        ]
        # hist[r][s][v]: rows i shifted in both rounds with shift[s][i] - shift[r][i] == v
        self.hist = [[[0] * columns for _ in range(rounds)] for _ in range(rounds)]
        for r in range(rounds):
            for s in range(rounds):
                for i in range(rows):
                    if r != s and self._shifted(r, i) and self._shifted(s, i):
                        self.hist[r][s][(self.shift[s][i] - self.shift[r][i]) % columns] += 1
        self.cost = self._total()
        self.target = sum(
            _min_pairs(sum(self.hist[r][s]), columns)
            for r in range(rounds)
            for s in range(r + 1, rounds)
        )
        self.best, self.best_cost = [list(row) for row in self.shift], self.cost

    def _shifted(self, r: int, i: int) -> bool:
        return self.shift[r][i] != _WHOLE

    def _total(self) -> int:
        return sum(
            math.comb(h, 2)
            for r in range(self.rounds)
            for s in range(r + 1, self.rounds)
            for h in self.hist[r][s]
        )

    def run(self, budget: _Budget) -> None:
        t, rng = self.t, self.rng
        cells = [
            (r, i)
            for r in range(1, self.rounds)
            for i in range(1, self.rows)
            if self._shifted(r, i)
        ]
        if not cells:
            return
        tabu: dict[tuple[int, int, int], int] = {}
        step = len(cells) * self.rounds * t // 4
        patience = max(100, 4 * len(cells))  # solvable cases improve far more often than this
        iteration = improved = 0
        while self.best_cost > self.target and budget.spend(step):
            iteration += 1
            if iteration - improved > patience:
                break
            best_delta, best_moves = None, []
            for r, i in cells:
                deltas = self._deltas(r, i)
                old = self.shift[r][i]
                for value, delta in enumerate(deltas):
                    if value == old:
                        continue
                    allowed = tabu.get((r, i, value), 0) < iteration
                    if not allowed and self.cost + delta >= self.best_cost:
                        continue
                    if best_delta is None or delta < best_delta:
                        best_delta, best_moves = delta, [(r, i, value)]
                    elif delta == best_delta:
                        best_moves.append((r, i, value))
            if not best_moves:
                continue
            r, i, value = best_moves[rng.randrange(len(best_moves))]
            tabu[(r, i, self.shift[r][i])] = iteration + 3 + rng.randrange(t + 3)
            self._set(r, i, value)
            self.cost += best_delta
            if self.cost < self.best_cost:
                self.best, self.best_cost = [list(row) for row in self.shift], self.cost
                improved = iteration

    def _deltas(self, r: int, i: int) -> list[int]:
        """Cost change of setting shift[r][i] to each value."""
        t = self.t
        deltas = [0] * t
        old = self.shift[r][i]
        for s in range(self.rounds):
            if s == r or not self._shifted(s, i):
                continue
            h = self.hist[r][s]
            other = self.shift[s][i]
            leave = h[(other - old) % t] - 1
            # value v gives the difference (other - v) % t: h read backwards from `other`
            seen = h[other::-1] + h[:other:-1]
            deltas = [d + c - leave for d, c in zip(deltas, seen, strict=True)]
        return deltas

    def _set(self, r: int, i: int, value: int) -> None:
        t = self.t
        old = self.shift[r][i]
        for s in range(self.rounds):
            if s != r and self._shifted(s, i):
                other = self.shift[s][i]
                self.hist[r][s][(other - old) % t] -= 1
                self.hist[r][s][(other - value) % t] += 1
                self.hist[s][r][(old - other) % t] -= 1
                self.hist[s][r][(value - other) % t] += 1
        self.shift[r][i] = value


def _groups(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Connected groups of people linked by ``pairs`` (breadth first from the lowest number, so
    that a group split over rows keeps linked people together), largest first; they are kept in
    grid rows so that they do not meet."""
    neighbours: dict[int, list[int]] = {}
    for a, b in pairs:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    seen: set[int] = set()
    groups = []
    for start in sorted(neighbours):
        if start in seen:
            continue
        seen.add(start)
        group = [start]
        for person in group:  # grows while it is walked: breadth first
            for other in neighbours[person]:
                if other not in seen:
                    seen.add(other)
                    group.append(other)
        groups.append(group)
    return sorted(groups, key=len, reverse=True)


def _layout(n: int, rows: int, tables: int, holes: int, groups: list[list[int]]) -> list[list[int]]:
    """Grid cells -> person (-1 for a hole). Each group goes whole into the row it fits best,
    or, too large for any row, in pieces into the emptiest rows; everyone else fills the rest in
    person order (already shuffled by the seed)."""
    free = [tables] * rows
    free[-1] -= holes
    placed: list[list[int]] = [[] for _ in range(rows)]
    for group in groups:
        rest = group
        while rest:
            fits = [row for row in range(rows) if free[row] >= len(rest)]
            row = (
                min(fits, key=lambda r: (free[r], r))
                if fits
                else max(range(rows), key=lambda r: (free[r], -r))
            )
            piece, rest = rest[: free[row]], rest[free[row] :]
            placed[row].extend(piece)
            free[row] -= len(piece)
    grouped = {p for row in placed for p in row}
    others = iter(p for p in range(n) if p not in grouped)
    for row in range(rows):
        placed[row].extend(next(others) for _ in range(free[row]))
    placed[-1].extend([-1] * holes)
    return placed


def _grid_plan(layout: list[list[int]], system: _ShiftSystem) -> _Plan:
    plan = []
    for shifts in system.shifts:
        round_: list[list[int]] = [[] for _ in range(system.columns)]
        for cells, shift in zip(layout, shifts, strict=True):
            if shift == _WHOLE:
                round_.append([p for p in cells if p >= 0])
                continue
            for person, table in zip(cells, system.translate(shift), strict=True):
                if person >= 0:
                    round_[table].append(person)
        plan.append(round_)
    if system.vertical:
        plan.append([[p for p in cells if p >= 0] for cells in layout])
    return plan


# --------------------------------------------------------------------------------------------
# Dense swap search (fresh plans up to _DENSE_LIMIT people)
# --------------------------------------------------------------------------------------------


class _SwapSearch:
    """Tabu search over swaps of two people at different tables of one round.

    g[x][y] is the cost of x and y sitting together once more: their meetings so far (``met``
    included) plus a weight far above any repeat cost if they must avoid each other. Each
    person's sum of g over their table-mates (``own``) is kept per round, so a swap's change of
    cost is O(1) after an O(n) pass for the person being moved: all swaps of one person in one
    round cost O(n) together.
    """

    def __init__(
        self,
        plan: _Plan,
        n: int,
        met: list[tuple[int, int]],
        avoid: list[tuple[int, int]],
        rng: random.Random,
    ) -> None:
        self.plan, self.n, self.rng = plan, n, rng
        self.rounds = len(plan)
        self.avoid_weight = math.comb(n, 2) * math.comb(self.rounds + 2, 2) + 1
        self.avoid_keys = {a * n + b for a, b in avoid} | {b * n + a for a, b in avoid}
        g = [[0] * n for _ in range(n)]
        for a, b in met:
            g[a][b] = g[b][a] = 1
        for a, b in avoid:
            g[a][b] += self.avoid_weight
            g[b][a] += self.avoid_weight
        for round_ in plan:
            for table in round_:
                for x in table:
                    gx = g[x]
                    for y in table:
                        gx[y] += 1
                    gx[x] -= 1
        self.g = g
        self.seat = [[0] * n for _ in plan]
        for seat, round_ in zip(self.seat, plan, strict=True):
            for number, table in enumerate(round_):
                for person in table:
                    seat[person] = number
        self.own = [[0] * n for _ in plan]
        self.conflicts = _Bag()
        for r, round_ in enumerate(plan):
            for table in round_:
                self._refresh(r, table)
        # at[r][t][z]: sum of g[z][y] over the people y at table t of round r
        self.at = [
            [
                [sum(column) for column in zip(*[g[y] for y in table], strict=True)]
                for table in round_
            ]
            for round_ in plan
        ]
        hits, repeats = _evaluate(plan, n, met, avoid)
        self.cost = hits * self.avoid_weight + repeats
        self.best_cost, self.best_plan = self.cost, self._copy()

    def _copy(self) -> _Plan:
        return [[list(table) for table in round_] for round_ in self.plan]

    def _refresh(self, r: int, table: list[int]) -> None:
        """Recompute ``own`` and the conflict flags of everyone at one table of round r."""
        g, own = self.g, self.own[r]
        for person in table:
            gp = g[person]
            own[person] = sum([gp[y] for y in table])
            self._flag(r, person, len(table))

    def _flag(self, r: int, person: int, size: int) -> None:
        if self.own[r][person] > size - 1:
            self.conflicts.add(r * self.n + person)
        else:
            self.conflicts.discard(r * self.n + person)

    def _meet(self, a: int, b: int, change: int, skip: int) -> None:
        """a and b meet ``change`` more times; update ``at`` everywhere and ``own`` in the other
        rounds they share."""
        g = self.g
        g[a][b] += change
        g[b][a] += change
        for r in range(self.rounds):
            seat, at = self.seat[r], self.at[r]
            at[seat[b]][a] += change
            at[seat[a]][b] += change
            if r != skip and seat[a] == seat[b]:
                own = self.own[r]
                own[a] += change
                own[b] += change
                size = len(self.plan[r][seat[a]])
                self._flag(r, a, size)
                self._flag(r, b, size)

    def _delta(self, r: int, a: int, b: int) -> int:
        """Change of cost if a and b (at different tables of round r) swap."""
        g, seat = self.g, self.seat[r]
        table_a, table_b = self.plan[r][seat[a]], self.plan[r][seat[b]]
        ga, gb = g[a], g[b]
        return (
            sum([ga[y] for y in table_b])
            - 2 * ga[b]
            - self.own[r][a]
            + sum([gb[x] for x in table_a])
            - self.own[r][b]
            + len(table_a)
            + len(table_b)
            - 2
        )

    def _swap(self, r: int, a: int, b: int, delta: int) -> None:
        seat, at, g = self.seat[r], self.at[r], self.g
        ta, tb = seat[a], seat[b]
        table_a, table_b = self.plan[r][ta], self.plan[r][tb]
        at[ta] = [s + x - y for s, x, y in zip(at[ta], g[b], g[a], strict=True)]
        at[tb] = [s + y - x for s, x, y in zip(at[tb], g[b], g[a], strict=True)]
        table_a.remove(a)
        table_b.remove(b)
        seat[a], seat[b] = tb, ta
        for x in table_a:
            self._meet(a, x, -1, r)
            self._meet(b, x, 1, r)
        for y in table_b:
            self._meet(a, y, 1, r)
            self._meet(b, y, -1, r)
        table_a.append(b)
        table_b.append(a)
        self._refresh(r, table_a)
        self._refresh(r, table_b)
        self.cost += delta

    def _best_swap(self, r: int, a: int, tabu: list[int], iteration: int) -> tuple[int, int] | None:
        """The best swap of a in round r that is not tabu (unless it beats the best plan), ties
        broken at random: (b, delta) or None."""
        n, g, rng = self.n, self.g, self.rng
        round_, seat, own = self.plan[r], self.seat[r], self.own[r]
        ta = seat[a]
        table_a = round_[ta]
        ga, at = g[a], self.at[r]
        column = at[ta]
        fixed = len(table_a) - 2 - own[a]
        offset = r * n * len(round_)
        threshold = self.best_cost - self.cost
        best_delta, best_b, ties = None, -1, 0
        for tb, table_b in enumerate(round_):
            if tb == ta:
                continue
            base = fixed + len(table_b) + at[tb][a]
            a_tabu = tabu[offset + a * len(round_) + tb] > iteration
            for b in table_b:
                delta = base + column[b] - 2 * ga[b] - own[b]
                if best_delta is not None and delta > best_delta:
                    continue
                if (a_tabu or tabu[offset + b * len(round_) + ta] > iteration) and (
                    delta >= threshold
                ):
                    continue
                if best_delta is None or delta < best_delta:
                    best_delta, best_b, ties = delta, b, 1
                else:
                    ties += 1
                    if rng.randrange(ties) == 0:
                        best_b = b
        return None if best_delta is None else (best_b, best_delta)

    def run(self, budget: _Budget, target: int) -> None:
        """Search until the cost reaches ``target`` or the budget is spent. Each step takes the
        best swap of a few people in conflict (all of them, in Dotú & Van Hentenryck's version;
        a sample is nearly as good per step and much cheaper); after a long stall, a few random
        swaps move the search elsewhere."""
        n, rng = self.n, self.rng
        tables = max(len(round_) for round_ in self.plan)
        tabu = [0] * (self.rounds * n * tables)
        iteration = stall = 0
        while self.best_cost > target and self.conflicts:
            iteration += 1
            items = self.conflicts.items
            picks = [items[rng.randrange(len(items))] for _ in range(_SAMPLE)]
            if not budget.spend(_SAMPLE * n // 5):
                break
            best: tuple[int, int, int, int] | None = None
            ties = 0
            for key in picks:
                r, a = divmod(key, n)
                found = self._best_swap(r, a, tabu, iteration)
                if found is None:
                    continue
                b, delta = found
                if best is None or delta < best[0]:
                    best, ties = (delta, r, a, b), 1
                elif delta == best[0]:
                    ties += 1
                    if rng.randrange(ties) == 0:
                        best = (delta, r, a, b)
            if best is None:
                continue
            delta, r, a, b = best
            count = len(self.plan[r])
            offset = r * n * count
            tabu[offset + a * count + self.seat[r][a]] = iteration + 3 + rng.randrange(5)
            tabu[offset + b * count + self.seat[r][b]] = iteration + 3 + rng.randrange(5)
            self._swap(r, a, b, delta)
            if self.cost < self.best_cost:
                self.best_cost, self.best_plan, stall = self.cost, self._copy(), 0
            else:
                stall += 1
            if stall > 5 * n:
                self._perturb()
                stall = 0

    def _perturb(self) -> None:
        """A few random swaps, to leave a region the tabu list cannot escape."""
        rng = self.rng
        for _ in range(2 + self.n // 20):
            r = rng.randrange(self.rounds)
            a, b = rng.sample(range(self.n), 2)
            if self.seat[r][a] != self.seat[r][b]:
                self._swap(r, a, b, self._delta(r, a, b))

    def even_out(self, budget: _Budget) -> None:
        """Spread the repeats of the plan evenly over people: swaps that keep the avoid hits
        and the repeat cost but lower the sum of squares of each person's repeat cost, the most
        burdened person first."""
        load = [self._load(p) for p in range(self.n)]
        settled: set[int] = set()
        while budget.spend(self.rounds * self.n):
            open_ = [p for p in range(self.n) if p not in settled and load[p] > 0]
            if not open_:
                break
            a = max(open_, key=lambda p: (load[p], -p))
            found = self._evening_swap(a, load)
            if found is None:
                settled.add(a)
                continue
            r, b = found
            affected = {a, b, *self.plan[r][self.seat[r][a]], *self.plan[r][self.seat[r][b]]}
            self._swap(r, a, b, 0)
            for p in affected:
                load[p] = self._load(p)
            settled.clear()

    def _meetings(self, a: int, b: int) -> int:
        if a * self.n + b in self.avoid_keys:
            return self.g[a][b] - self.avoid_weight
        return self.g[a][b]

    def _load(self, person: int) -> int:
        """The repeat cost person's pairs carry: sum of C(meetings, 2) over the others."""
        return sum(m * (m - 1) // 2 for m in (self._meetings(person, y) for y in range(self.n)))

    def _evening_swap(self, a: int, load: list[int]) -> tuple[int, int] | None:
        """The swap of a, in a round where a sits with a repeat, that keeps the cost and lowers
        the sum of squared loads most: (round, b) or None."""
        best, best_gain = None, 0
        for r in range(self.rounds):
            if r * self.n + a not in self.conflicts.where:
                continue
            seat, round_ = self.seat[r], self.plan[r]
            table_a = round_[seat[a]]
            for table_b in round_:
                if table_b is table_a:
                    continue
                for b in table_b:
                    if self._delta(r, a, b) != 0:
                        continue
                    gain = self._square_change(a, b, table_a, table_b, load)
                    if gain < best_gain:
                        best, best_gain = (r, b), gain
        return best

    def _square_change(
        self, a: int, b: int, table_a: list[int], table_b: list[int], load: list[int]
    ) -> int:
        """Change of the sum of squared loads if a (at table_a) and b (at table_b) swap."""
        change = dict.fromkeys((a, b), 0)
        for x in table_a:
            if x != a:
                leave, join = self._meetings(a, x) - 1, self._meetings(b, x)
                change[a] -= leave
                change[b] += join
                change[x] = join - leave
        for y in table_b:
            if y != b:
                join, leave = self._meetings(a, y), self._meetings(b, y) - 1
                change[a] += join
                change[b] -= leave
                change[y] = join - leave
        return sum(2 * load[p] * d + d * d for p, d in change.items())


# --------------------------------------------------------------------------------------------
# Sparse repair (re-planning, and fresh plans above _DENSE_LIMIT people)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SizeRule:
    """Table sizes allowed in one round: hard limits [low, high] and spread, preferred
    (penalised outside) the balanced range [floor, ceil]."""

    low: int
    high: int
    floor: int
    ceil: int
    spread: int

    @classmethod
    def fresh(cls, sizes: list[int]) -> _SizeRule:
        return cls(min(sizes), max(sizes), min(sizes), max(sizes), 1)

    def deviation(self, size: int) -> int:
        return max(0, self.floor - size, size - self.ceil)


def _repair_rounds(
    plan: _Plan,
    n: int,
    played: int,
    present: list[int],
    table_size: int,
    met: list[tuple[int, int]],
    avoid: list[tuple[int, int]],
    rng: random.Random,
    budget: _Budget,
) -> _Plan:
    """The rounds after ``played`` repaired for ``present``: absentees deleted, tables beyond
    the new count dissolved from the end (so no other table changes position), new tables added
    at the end, the displaced and the arrivals seated, sizes balanced, conflicts repaired."""
    here = set(present)
    history = _history(plan[:played], met, n, here)
    fresh = table_sizes(len(present), table_size)
    low = min(3, fresh[-1])
    rounds, pools, original, rules = [], [], [], []
    for old_round in plan[played:]:
        count = min(max(len(old_round), len(fresh)), len(present) // low)
        kept = [[p for p in table if p in here] for table in old_round[:count]]
        kept += [[] for _ in range(count - len(kept))]
        seated = {p for table in kept for p in table}
        pools.append([p for p in present if p not in seated])
        seat = [-1] * n
        for number, table in enumerate(old_round):
            for person in table:
                seat[person] = number
        original.append(seat)
        floor, ceil = len(present) // count, -(-len(present) // count)
        rules.append(_SizeRule(low, fresh[0], floor, ceil, 2))
        rounds.append(kept)
    repair = _Repair(n, history, rounds, avoid, rules, original, rng)
    repair.seat_all(pools)
    repair.balance()
    repair.repair(budget)
    return repair.best_tables()


def _history(
    plan: _Plan, met: list[tuple[int, int]], n: int, here: set[int] | None = None
) -> dict[int, int]:
    """Meetings per pair (key a * n + b, a < b) in rounds that can no longer change, plus one
    for each ``met`` pair; only pairs of people in ``here`` (everyone when None)."""
    counts = {a * n + b: 1 for a, b in met}
    for round_ in plan:
        for table in round_:
            seated = sorted(p for p in table if here is None or p in here)
            for i, a in enumerate(seated):
                for b in seated[i + 1 :]:
                    counts[a * n + b] = counts.get(a * n + b, 0) + 1
    return counts


class _Repair:
    """Local repair of rounds on a sparse pair count, for re-planning and for fresh plans too
    large for the dense search.

    Objective, lexicographic through weights: avoid pairs together, then the repeat cost, then
    tables outside the balanced sizes, then people seated away from their ``original`` table in
    any round (the itineraries that change). Moves go first to people who have already moved,
    since a person told once about a change costs nothing more when told about two. Besides
    moving one person and swapping two, a person may take the seat of someone who moves on to a
    third table (an ejection chain): in a dense plan, where everyone has met half the room, a
    conflict-free seat is rarely one step away.
    """

    def __init__(
        self,
        n: int,
        history: dict[int, int],
        rounds: _Plan,
        avoid: list[tuple[int, int]],
        rules: list[_SizeRule],
        original: list[list[int]] | None,
        rng: random.Random,
    ) -> None:
        self.n, self.rounds, self.rules, self.rng = n, rounds, rules, rng
        self.original = original
        self.avoid = {a * n + b for a, b in avoid}
        self.w_move = 1 if original is not None else 0
        self.w_size = n + 1
        self.w_repeat = self.w_size * (len(rounds) * n + 1)
        self.w_avoid = self.w_repeat * (math.comb(n, 2) * math.comb(len(rounds) + 2, 2) + 1)
        self.count: defaultdict[int, int] = defaultdict(int, history)
        self.seat = [[-1] * n for _ in rounds]
        self.hits = 0
        self.conflicts = _Bag()
        shared: list[int] = []  # pairs at one table in some round, in order of discovery
        for r, round_ in enumerate(rounds):
            seat = self.seat[r]
            for number, table in enumerate(round_):
                for person in table:
                    seat[person] = number
                shared.extend(self._count_table(table))
        for key in shared:
            if key in self.avoid or self.count[key] > 1:
                self.conflicts.add(key)
        self.moved = [0] * n
        if original is not None:
            for seat, first in zip(self.seat, original, strict=True):
                for person in range(n):
                    if seat[person] != first[person] and seat[person] >= 0:
                        self.moved[person] += 1
        self.changed = sum(1 for m in self.moved if m)
        self.repeats = 0  # change of the repeat cost since the start
        self.deviation = sum(
            rule.deviation(len(table))
            for rule, round_ in zip(rules, rounds, strict=True)
            for table in round_
        )
        self.rank = list(range(n))
        rng.shuffle(self.rank)
        self.lookups = 0  # pair look-ups since the last charge to a budget (the work measure)
        self.best = self._snapshot()

    def _count_table(self, table: list[int]) -> list[int]:
        """Count the meetings at one table (and its avoid hits); return its pair keys."""
        n, count = self.n, self.count
        ordered = sorted(table)
        keys = [a * n + b for i, a in enumerate(ordered) for b in ordered[i + 1 :]]
        for key in keys:
            count[key] += 1
        self.hits += len(self.avoid.intersection(keys))
        return keys

    def _snapshot(self) -> _Plan:
        return [[list(table) for table in round_] for round_ in self.rounds]

    def objective(self) -> int:
        return (
            self.w_avoid * self.hits
            + self.w_repeat * self.repeats
            + self.w_size * self.deviation
            + self.w_move * self.changed
        )

    def best_tables(self) -> _Plan:
        return self.best

    # -- state changes ---------------------------------------------------------------------

    def _status(self, key: int) -> None:
        """File the pair as a conflict when it shares a table in some round and either must
        avoid each other or meets more than once."""
        a, b = divmod(key, self.n)
        bad = (key in self.avoid or self.count[key] > 1) and any(
            seat[a] == seat[b] >= 0 for seat in self.seat
        )
        if bad:
            self.conflicts.add(key)
        else:
            self.conflicts.discard(key)

    def _meet(self, person: int, mates: list[int], change: int) -> None:
        n, count = self.n, self.count
        for other in mates:
            key = person * n + other if person < other else other * n + person
            meetings = count[key]
            self.repeats += meetings if change > 0 else 1 - meetings
            count[key] = meetings + change
            if key in self.avoid:
                self.hits += change
            if meetings + change > 1 or meetings > 1 or key in self.avoid:
                self._status(key)

    def _track(self, r: int, person: int, old: int, new: int) -> None:
        """Update the moved-rounds tally of a person whose table in round r goes old -> new."""
        if self.original is None:
            return
        first = self.original[r][person]
        before = self.moved[person]
        after = before - (old != first and old >= 0) + (new != first and new >= 0)
        self.moved[person] = after
        self.changed += (after > 0) - (before > 0)

    def _resize(self, r: int, table: list[int], change: int) -> None:
        rule = self.rules[r]
        self.deviation += rule.deviation(len(table) + change) - rule.deviation(len(table))

    def _sit(self, r: int, person: int, number: int) -> None:
        table = self.rounds[r][number]
        self._resize(r, table, 1)
        self._track(r, person, self.seat[r][person], number)
        table.append(person)
        self.seat[r][person] = number
        self._meet(person, table[:-1], 1)

    def _rise(self, r: int, person: int) -> None:
        number = self.seat[r][person]
        table = self.rounds[r][number]
        self._resize(r, table, -1)
        self._track(r, person, number, -1)
        table.remove(person)
        self.seat[r][person] = -1
        self._meet(person, table, -1)

    def _relocate(self, r: int, moves: list[tuple[int, int]]) -> None:
        """Carry out simultaneous moves (person, table) in round r."""
        for person, _ in moves:
            self._rise(r, person)
        for person, number in moves:
            self._sit(r, person, number)

    # -- costs -----------------------------------------------------------------------------

    def _link(self, a: int, b: int) -> int:
        """Cost of a and b sharing a table once more."""
        key = a * self.n + b if a < b else b * self.n + a
        return self.w_repeat * self.count[key] + (self.w_avoid if key in self.avoid else 0)

    def _join(self, person: int, table: list[int]) -> int:
        """Cost of person sitting down at table (person excluded if already there)."""
        n = self.n
        self.lookups += len(table)
        keys = [person * n + o if person < o else o * n + person for o in table if o != person]
        cost = self.w_repeat * sum(map(self.count.__getitem__, keys))
        if self.avoid:
            cost += self.w_avoid * len(self.avoid.intersection(keys))
        return cost

    def _leave(self, person: int, table: list[int]) -> int:
        """Cost saved when person (sitting at table) gets up."""
        return self._join(person, table) - self.w_repeat * (len(table) - 1)

    def _move_cost(self, r: int, person: int, number: int) -> int:
        """Change of the changed-itinerary tally if person sits at table ``number`` of round r."""
        if self.original is None:
            return 0
        first, old = self.original[r][person], self.seat[r][person]
        before = self.moved[person]
        after = before - (old != first) + (number != first)
        return self.w_move * ((after > 0) - (before > 0))

    def _shift_cost(self, r: int, sizes: dict[int, int], source: int, target: int) -> int | None:
        """Size penalty change when one seat moves from table ``source`` to ``target`` of round
        r (sizes: how many tables have each size), or None if a hard limit would break."""
        rule, round_ = self.rules[r], self.rounds[r]
        small, large = len(round_[source]), len(round_[target])
        if small - 1 < rule.low or large + 1 > rule.high:
            return None
        after = dict(sizes)
        for size, change in ((small, -1), (large, -1), (small - 1, 1), (large + 1, 1)):
            after[size] = after.get(size, 0) + change
        present = [size for size, tables in after.items() if tables > 0]
        if max(present) - min(present) > rule.spread:
            return None
        return self.w_size * (
            rule.deviation(small - 1)
            - rule.deviation(small)
            + rule.deviation(large + 1)
            - rule.deviation(large)
        )

    # -- construction steps ----------------------------------------------------------------

    def seat_all(self, pools: list[list[int]]) -> None:
        """Seat each round's unseated people where they add the least cost: fewest conflicts,
        then tables short of the balanced size, never above the largest size."""
        for r, pool in enumerate(pools):
            round_, rule = self.rounds[r], self.rules[r]
            order = list(range(len(round_)))
            self.rng.shuffle(order)
            for person in pool:
                number = min(
                    (t for t in order if len(round_[t]) < rule.high),
                    key=lambda t: (
                        self._join(person, round_[t]),
                        rule.deviation(len(round_[t]) + 1) - rule.deviation(len(round_[t])),
                    ),
                )
                self._sit(r, person, number)

    def balance(self) -> None:
        """Bring every round within the hard size limits, whatever it costs, then closer to
        balanced sizes wherever that creates no conflict."""
        for r in range(len(self.rounds)):
            while (moves := self._forced_moves(r)) is not None:
                self._relocate(r, moves)
            while (moves := self._free_moves(r)) is not None:
                self._relocate(r, moves)

    def _forced_moves(self, r: int) -> list[tuple[int, int]] | None:
        """The cheapest move from a table two or more larger into the smallest table (or out
        of a table above the largest size), while a hard limit is broken; else None."""
        rule, round_ = self.rules[r], self.rounds[r]
        sizes = [len(table) for table in round_]
        small, large = min(sizes), max(sizes)
        numbers = range(len(round_))
        if large > rule.high:
            donors = [sizes.index(large)]
            receivers = [t for t in numbers if sizes[t] <= large - 2]
        elif small < rule.low or large - small > rule.spread:
            receivers = [sizes.index(small)]
            donors = [t for t in numbers if sizes[t] >= small + 2]
        else:
            return None
        return self._cheapest_transfer(r, donors, receivers)[0]

    def _free_moves(self, r: int) -> list[tuple[int, int]] | None:
        """A conflict-free move that brings a table into the balanced range, or None."""
        rule, round_ = self.rules[r], self.rounds[r]
        sizes = [len(table) for table in round_]
        numbers = range(len(round_))
        for short in sorted((t for t in numbers if sizes[t] < rule.floor), key=sizes.__getitem__):
            donors = [t for t in numbers if sizes[t] > rule.floor]
            moves, cost = self._cheapest_transfer(r, donors, [short])
            if moves and cost < self.w_size:
                return moves
        for long_ in sorted((t for t in numbers if sizes[t] > rule.ceil), key=sizes.__getitem__):
            receivers = [t for t in numbers if sizes[t] < rule.ceil]
            moves, cost = self._cheapest_transfer(r, [long_], receivers)
            if moves and cost < self.w_size:
                return moves
        return None

    def _movers(self, r: int, tables: list[int]) -> list[int]:
        """People at these tables, those who already moved first."""
        round_ = self.rounds[r]
        people = [p for t in tables for p in round_[t]]
        return [p for p in people if self.moved[p]] + [p for p in people if not self.moved[p]]

    def _cheapest_transfer(
        self, r: int, donors: list[int], receivers: list[int]
    ) -> tuple[list[tuple[int, int]], int]:
        """(moves, cost change) for one seat from a donor table to a receiver table: a person
        moves straight across or, failing a conflict-free straight move, to some other table
        whose occupant moves on to the receiver. Stops as soon as nobody new has to move (or
        one person, going straight)."""
        round_ = self.rounds[r]
        best: list[tuple[int, int]] = []
        best_cost: int | None = None
        movers = self._movers(r, donors)
        for person in movers:
            leave = self._leave(person, round_[self.seat[r][person]])
            for number in receivers:
                cost = self._join(person, round_[number]) - leave
                cost += self._move_cost(r, person, number)
                if best_cost is None or cost < best_cost:
                    best, best_cost = [(person, number)], cost
                if cost <= 0 or (cost <= self.w_move and not self.moved[person]):
                    return best, cost
        if best_cost is None or best_cost <= self.w_move:
            return best, best_cost or 0
        middles = [t for t in range(len(round_)) if t not in donors and t not in receivers]
        for person in movers[:_CHAIN_WIDTH]:
            source = self.seat[r][person]
            leave = self._leave(person, round_[source])
            for middle in self._sample(middles):
                table = round_[middle]
                step = self._join(person, table) - leave + self._move_cost(r, person, middle)
                if step >= best_cost:
                    continue
                for other in table:
                    link = self._link(person, other)
                    onward = self._leave(other, table)
                    for number in receivers:
                        cost = step - link + self._join(other, round_[number]) - onward
                        cost += self._move_cost(r, other, number)
                        if cost < best_cost:
                            best, best_cost = [(person, middle), (other, number)], cost
                        if cost <= 0:
                            return best, cost
        return best, best_cost

    def _sample(self, tables: list[int]) -> list[int]:
        """At most _CHAIN_WIDTH of the tables, so that chains stay cheap in large rounds."""
        return tables if len(tables) <= _CHAIN_WIDTH else self.rng.sample(tables, _CHAIN_WIDTH)

    # -- search ----------------------------------------------------------------------------

    def repair(self, budget: _Budget) -> None:
        """Tabu search on the people in conflicts: compare the best options of a few of them,
        in a round where their conflict sits, and take the best, until no conflict is left or
        progress stops; then, since the search wanders, move people back where that is free."""
        rng, n = self.rng, self.n
        best_value = self.objective()
        self.best = self._snapshot()
        tabu: dict[tuple[int, int, int], int] = {}
        iteration = stall = 0
        while self.conflicts and stall < 100 + 2 * len(self.conflicts):
            if not budget.spend(self.lookups // _LOOKUPS_PER_UNIT):
                break
            self.lookups %= _LOOKUPS_PER_UNIT
            iteration += 1
            threshold = best_value - self.objective()
            options = []
            for _ in range(min(2, len(self.conflicts))):
                a, b = divmod(self.conflicts.choice(rng), n)
                shared = [r for r, seat in enumerate(self.seat) if seat[a] == seat[b] >= 0]
                r = shared[rng.randrange(len(shared))]
                for person in (a, b):
                    option = self._best_option(r, person, None, tabu, iteration, threshold)
                    if option is not None:
                        options.append((option[0], r, option[1]))
            if not options:
                stall += 1
                continue
            _, r, moves = min(options, key=lambda option: option[0])
            for person, _ in moves:
                tabu[(r, person, self.seat[r][person])] = iteration + 5 + rng.randrange(10)
            self._relocate(r, moves)
            value = self.objective()
            if value < best_value:
                best_value, stall = value, 0
                self.best = self._snapshot()
            else:
                stall += 1
        if iteration:
            self._restore(self.best)
            self.settle(budget)

    def _restore(self, plan: _Plan) -> None:
        for r, round_ in enumerate(plan):
            moves = [
                (p, number)
                for number, table in enumerate(round_)
                for p in table
                if self.seat[r][p] != number
            ]
            self._relocate(r, moves)

    def settle(self, budget: _Budget) -> None:
        """Send people back to their original tables wherever that lowers the objective."""
        if self.original is None:
            return
        improved = True
        while improved and budget.spend(self.lookups // _LOOKUPS_PER_UNIT):
            self.lookups %= _LOOKUPS_PER_UNIT
            improved = False
            for person in sorted(range(self.n), key=self.rank.__getitem__):
                for r, seat in enumerate(self.seat):
                    first = self.original[r][person]
                    if self.moved[person] == 0 or seat[person] in (-1, first):
                        continue
                    if first >= len(self.rounds[r]):
                        continue
                    option = self._best_option(r, person, first, {}, 0, 0)
                    if option is not None and option[0] < 0:
                        self._relocate(r, option[1])
                        improved = True
        self.best = self._snapshot()

    def _best_option(
        self,
        r: int,
        person: int,
        only: int | None,
        tabu: dict[tuple[int, int, int], int],
        iteration: int,
        threshold: int,
    ) -> tuple[int, list[tuple[int, int]]] | None:
        """(cost change, moves) of the best move, swap or chain moving person in round r (to
        table ``only`` if given) that is not tabu, unless it beats the best plan so far."""
        round_ = self.rounds[r]
        source = self.seat[r][person]
        table_a = round_[source]
        sizes = Counter(len(table) for table in round_)
        leave = self._leave(person, table_a)
        targets = [t for t in range(len(round_)) if t != source and only in (None, t)]
        joins = {t: self._join(person, round_[t]) for t in targets}
        sample = self._sample([t for t in range(len(round_)) if t != source])
        room = {t: self._shift_cost(r, sizes, source, t) for t in targets + sample}
        onward = [t for t in sample if room[t] is not None]
        best: tuple[int, list[tuple[int, int]]] | None = None

        def consider(change: int, moves: list[tuple[int, int]]) -> None:
            nonlocal best
            blocked = any(tabu.get((r, p, t), 0) > iteration for p, t in moves)
            if blocked and change >= threshold:
                return
            if best is None or change < best[0]:
                best = (change, moves)

        for number in targets:
            shift = room[number]
            if shift is not None:
                step = joins[number] - leave + shift + self._move_cost(r, person, number)
                consider(step, [(person, number)])
        for number in sorted(targets, key=joins.__getitem__)[:6]:
            table_b = round_[number]
            step = joins[number] - leave + self._move_cost(r, person, number)
            for other in table_b:
                link = self._link(person, other)
                rest = step - link - self._leave(other, table_b)
                swap = self._join(other, table_a) - link + self._move_cost(r, other, source)
                consider(rest + swap, [(person, number), (other, source)])
                for third in onward:
                    if third != number:
                        chain = self._join(other, round_[third]) + room[third]  # type: ignore[operator]
                        chain += self._move_cost(r, other, third)
                        consider(rest + chain, [(person, number), (other, third)])
        return best
