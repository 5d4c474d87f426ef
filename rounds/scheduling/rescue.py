"""The rescue search: the rounds still to come re-seated for the pitchers who need help most.

Used by ``rescue_rounds`` on rounds already repaired for the people present, and on a fresh
plan of the same rounds (its tables aligned to the repaired positions, ``_align``). The
pitchers of ``helps`` (the caller's choice: those with the fewest cards so far) are brought to
the tables of listeners who can help them. Plans are judged by, in order (a tuple, never
traded; the search itself climbs a weighted sum of the same figures, ``_guide``):

1. no more ``avoid`` pairs together (times, summed over rounds) than the starting rounds;
2. no higher repeat cost (sum over pairs of C(meetings, 2), each time a pair appears in ``met``
   counting one earlier meeting: a pair of two played rounds has met twice) than the starting
   rounds: none where the search finds a way;
3. the most pitchers who sit at least once with one of their listeners;
4. the largest sum over pitchers of the best weight among the listeners they sit with, less
   ``MOVE_COST`` for each person whose table differs from the starting rounds in some round:
   a pitcher is brought to their best remaining helper, and nobody is moved for nothing.

A plan is only kept if what attendees feel of forced repeats (``feel``) is no worse than in the
starting rounds: no pair meets more often than the most any pair met, and nobody meets fewer
different people than the fewest anyone met (``_feel``). At an equal repeat cost a pair meeting
a third time, or someone meeting fewer new faces, is worse for the people concerned than any
rescue is worth.

A tabu search over swaps of two people at different tables of one round (Dotú & Van
Hentenryck's swap neighbourhood, as ``swaps`` uses for repeats), with moves aimed at an
uncovered pitcher (one of their listeners comes to their table, or they go to the listener's)
or at a conflict (an avoid pair or a repeat, whose person is swapped with anyone). Worsening
moves are allowed so the search leaves local optima; the person swapped may not move back in
that round for a few steps unless the move beats the best found (aspiration). The best plan
seen, by the order above, is returned: never worse than the repaired rounds on 1 and 2.
"""

from __future__ import annotations

import random

from rounds.scheduling.budget import _Bag, _Budget
from rounds.scheduling.validation import _Plan

MOVE_COST = 0.05
"""Weight, on the scale of a helper's weight (at most 1 after ``rescue_rounds`` normalises),
that moving one person costs. Small: before the last round everyone walks to a new table
anyway, and a moved person costs only a push; a pitcher seated with their best helper rather
than one half as good (0.5) is worth ten people moved, and nobody moves for nothing."""

_Key = tuple[int, int, int, float]

# The search's climbing weights (``_RescueSearch._guide``): an avoid hit, a repeat, a pitcher
# left without a helper; the last part of the key (weights and moves) counts as it is.
_AVOID = 100.0
_REPEAT = 2.0
_COVER = 2.0
# Work units charged per seat of the largest table, for each swap the search weighs.
_UNITS_PER_SEAT = 20
# How often the search, while a pair costs a hit or a repeat, moves one of them.
_FIX_SHARE = 0.5


class _RescueSearch:
    def __init__(
        self,
        plan: _Plan,
        n: int,
        met: list[tuple[int, int]],
        avoid: list[tuple[int, int]],
        helps: dict[int, dict[int, float]],
        rng: random.Random,
        *,
        start: _Plan | None = None,
    ) -> None:
        """``start``: the rounds moves are counted from (None: ``plan`` itself)."""
        self.plan = [[list(table) for table in round_] for round_ in plan]
        self.n, self.rng, self.helps = n, rng, helps
        self.pitchers = sorted(helps)
        self.seat = [[0] * n for _ in self.plan]
        self.together: dict[int, int] = {}  # a * n + b (a < b) → times at one table
        for r, round_ in enumerate(self.plan):
            for number, table in enumerate(round_):
                for person in table:
                    self.seat[r][person] = number
                for i, a in enumerate(table):
                    for b in table[i + 1 :]:
                        key = self._pair(a, b)
                        self.together[key] = self.together.get(key, 0) + 1
        self.start = [list(seats) for seats in self.seat]
        if start is not None:
            for r, round_ in enumerate(start):
                for number, table in enumerate(round_):
                    for person in table:
                        self.start[r][person] = number
        self.met: dict[int, int] = {}  # pair key → earlier meetings
        for a, b in met:
            key = self._pair(a, b)
            self.met[key] = self.met.get(key, 0) + 1
        self.avoid = {self._pair(a, b) for a, b in avoid}
        # rounds in which each person left their starting table
        self.moved_rounds = [
            sum(1 for r in range(len(self.plan)) if self.seat[r][p] != self.start[r][p])
            for p in range(n)
        ]
        self.hits = self.repeats = 0
        for key, times in self.together.items():
            hits, repeats = self._pair_cost(key, times)
            self.hits += hits
            self.repeats += repeats
        self.best_weight = {p: self._pitcher_weight(p, {}) for p in self.pitchers}
        self.covered = sum(1 for p in self.pitchers if self.best_weight[p] > 0)
        self.weight = sum(self.best_weight.values())
        self.moved = sum(1 for rounds in self.moved_rounds if rounds)
        self.tabu: dict[tuple[int, int], int] = {}
        self.bad = _Bag()
        self._conflicts(dict(self.together))

    # -- figures ---------------------------------------------------------------------------

    def _pair(self, a: int, b: int) -> int:
        return a * self.n + b if a < b else b * self.n + a

    def _pair_cost(self, key: int, times: int) -> tuple[int, int]:
        """(avoid hits, repeat cost) of a pair at one table ``times`` in these rounds."""
        meetings = times + self.met.get(key, 0)
        return (times if key in self.avoid else 0), meetings * (meetings - 1) // 2

    def _pitcher_weight(self, pitcher: int, change: dict[int, int]) -> float:
        """The best weight among the listeners ``pitcher`` sits with (0: none), with the pair
        changes ``change`` (pair key → new times) applied."""
        best = 0.0
        for listener, weight in self.helps[pitcher].items():
            key = self._pair(pitcher, listener)
            if change.get(key, self.together.get(key, 0)) > 0 and weight > best:
                best = weight
        return best

    def key(self) -> _Key:
        return (
            self.hits,
            self.repeats,
            -self.covered,
            round(MOVE_COST * self.moved - self.weight, 9),
        )

    # -- swaps -----------------------------------------------------------------------------

    def _delta(self, r: int, a: int, b: int) -> tuple[_Key, dict[int, int], dict[int, float]]:
        """What swapping ``a`` and ``b`` (at different tables of round ``r``) changes: the
        change of ``key()``, the pairs' new times, the affected pitchers' new best weights."""
        round_ = self.plan[r]
        table_a, table_b = round_[self.seat[r][a]], round_[self.seat[r][b]]
        change: dict[int, int] = {}
        for person, leaves, joins in ((a, table_a, table_b), (b, table_b, table_a)):
            for other in leaves:
                if other not in (a, b):
                    key = self._pair(person, other)
                    change[key] = change.get(key, self.together.get(key, 0)) - 1
            for other in joins:
                if other not in (a, b):
                    key = self._pair(person, other)
                    change[key] = change.get(key, self.together.get(key, 0)) + 1
        hits = repeats = 0
        for key, new in change.items():
            old_hits, old_repeats = self._pair_cost(key, self.together.get(key, 0))
            new_hits, new_repeats = self._pair_cost(key, new)
            hits += new_hits - old_hits
            repeats += new_repeats - old_repeats
        weights: dict[int, float] = {}
        covered = 0
        weight = 0.0
        for person in (*table_a, *table_b):
            if person in self.helps:
                new_weight = self._pitcher_weight(person, change)
                old_weight = self.best_weight[person]
                if new_weight != old_weight:
                    weights[person] = new_weight
                    covered += (new_weight > 0) - (old_weight > 0)
                    weight += new_weight - old_weight
        moved = 0
        for person, table in ((a, self.seat[r][b]), (b, self.seat[r][a])):
            was = self.seat[r][person] != self.start[r][person]
            now = table != self.start[r][person]
            rounds = self.moved_rounds[person] + now - was
            moved += (rounds > 0) - (self.moved_rounds[person] > 0)
        return (hits, repeats, -covered, MOVE_COST * moved - weight), change, weights

    def _swap(self, r: int, a: int, b: int, change: dict[int, int], weights: dict[int, float]):
        round_ = self.plan[r]
        sa, sb = self.seat[r][a], self.seat[r][b]
        for key, new in change.items():
            old_hits, old_repeats = self._pair_cost(key, self.together.get(key, 0))
            new_hits, new_repeats = self._pair_cost(key, new)
            self.hits += new_hits - old_hits
            self.repeats += new_repeats - old_repeats
            if new:
                self.together[key] = new
            else:
                self.together.pop(key, None)
        for pitcher, new_weight in weights.items():
            old_weight = self.best_weight[pitcher]
            self.covered += (new_weight > 0) - (old_weight > 0)
            self.weight += new_weight - old_weight
            self.best_weight[pitcher] = new_weight
        round_[sa][round_[sa].index(a)] = b
        round_[sb][round_[sb].index(b)] = a
        for person, table in ((a, sb), (b, sa)):
            was = self.seat[r][person] != self.start[r][person]
            now = table != self.start[r][person]
            before = self.moved_rounds[person] > 0
            self.moved_rounds[person] += now - was
            self.moved += (self.moved_rounds[person] > 0) - before
            self.seat[r][person] = table

    # -- search ----------------------------------------------------------------------------

    def _conflicts(self, change: dict[int, int]) -> None:
        """Keep ``bad`` (pairs at one table that cost an avoid hit or a repeat) up to date."""
        for key, new in change.items():
            if new and self._pair_cost(key, new) != (0, 0):
                self.bad.add(key)
            else:
                self.bad.discard(key)

    def _candidates(self) -> list[tuple[int, int, int]]:
        rng, plan = self.rng, self.plan
        if self.bad and rng.random() < _FIX_SHARE:
            key = self.bad.choice(rng)
            person = rng.choice(divmod(key, self.n))
            other_person = key // self.n + key % self.n - person
            rounds = [
                r for r in range(len(plan)) if self.seat[r][person] == self.seat[r][other_person]
            ]
            r = rng.choice(rounds)
            mine = self.seat[r][person]
            others = [o for number, t in enumerate(plan[r]) if number != mine for o in t]
            return [(r, person, other) for other in others]
        uncovered = [p for p in self.pitchers if self.best_weight[p] == 0]
        pitcher = (
            rng.choice(uncovered) if uncovered and rng.random() < 0.8 else rng.choice(self.pitchers)
        )
        r = rng.randrange(len(plan))
        mine = self.seat[r][pitcher]
        listeners = [h for h in self.helps[pitcher] if self.seat[r][h] != mine]
        if not listeners:
            return []
        listener = rng.choice(listeners)
        theirs = self.seat[r][listener]
        return [(r, pitcher, other) for other in plan[r][theirs] if other != listener] + [
            (r, listener, other) for other in plan[r][mine] if other != pitcher
        ]

    @staticmethod
    def _guide(key: _Key) -> float:
        """The key as one number to climb by: an avoid hit weighs far more than anything else,
        a repeat as much as one pitcher's cover, so that a swap which covers someone at the
        price of a repeat is level ground the search may cross (and then remove the repeat);
        the plan returned is judged by the key itself."""
        hits, repeats, uncovered, rest = key
        return _AVOID * hits + _REPEAT * repeats + _COVER * uncovered + rest

    def feel(self) -> tuple[int, int]:
        """``_feel`` of the current plan."""
        return _feel(self.plan, self.n, self.met)

    def run(self, budget: _Budget, *, feel: tuple[int, int] | None = None) -> _Plan:
        """Search within ``budget``; the best plan seen (by ``key()``) among those no worse
        than ``feel`` (``_feel``'s figures; None: any)."""
        if not self.pitchers or not self.plan:
            return self.plan
        best_key = self.key()
        best = [[list(table) for table in round_] for round_ in self.plan]
        largest = max(len(table) for round_ in self.plan for table in round_)
        cost = _UNITS_PER_SEAT * largest
        tenure = 2 + min(10, len(self.plan[0]))
        iteration = stale = 0
        while stale < 20 * self.n + 500:
            candidates = self._candidates()
            if not budget.spend(cost * (len(candidates) + 1)):
                break
            iteration += 1
            stale += 1
            current = self.key()
            chosen = None
            for r, a, b in candidates:
                delta, change, weights = self._delta(r, a, b)
                new = (
                    current[0] + delta[0],
                    current[1] + delta[1],
                    current[2] + delta[2],
                    round(current[3] + delta[3], 9),
                )
                is_tabu = self.tabu.get((r, a), 0) > iteration or (
                    self.tabu.get((r, b), 0) > iteration
                )
                if is_tabu and not new < best_key:
                    continue
                guide = self._guide(new)
                if chosen is None or guide < chosen[0]:
                    chosen = (guide, r, a, b, change, weights)
            if chosen is None:
                continue
            _guide, r, a, b, change, weights = chosen
            self._swap(r, a, b, change, weights)
            self._conflicts(change)
            self.tabu[(r, a)] = self.tabu[(r, b)] = iteration + tenure
            if self.key() < best_key and (feel is None or _no_worse(self.feel(), feel)):
                best_key = self.key()
                best = [[list(table) for table in round_] for round_ in self.plan]
                stale = 0
        return best


def _feel(plan: _Plan, n: int, met: dict[int, int]) -> tuple[int, int]:
    """What attendees feel of repeats in ``plan`` (rounds of tables of indexes below ``n``),
    with ``met`` (pair key ``a * n + b``, a < b → earlier meetings) counted: (the most times any
    pair meets, minus the fewest different people anyone seated meets). Smaller is better."""
    together: dict[int, int] = dict(met)
    people: set[int] = set()
    for round_ in plan:
        for table in round_:
            people.update(table)
            for i, a in enumerate(table):
                for b in table[i + 1 :]:
                    key = a * n + b if a < b else b * n + a
                    together[key] = together.get(key, 0) + 1
    distinct = dict.fromkeys(people, 0)
    for key in together:
        for person in divmod(key, n):
            if person in distinct:
                distinct[person] += 1
    return max(together.values(), default=0), -min(distinct.values(), default=0)


def _no_worse(feel: tuple[int, int], than: tuple[int, int]) -> bool:
    """Whether ``_feel``'s figures ``feel`` are no worse than ``than`` on either."""
    return feel[0] <= than[0] and feel[1] <= than[1]


def _align(start: list[list[int]], round_: list[list[int]]) -> list[list[int]]:
    """``round_``'s tables reordered so that each takes the position of the ``start`` table it
    shares the most people with (greedy, largest overlap first, then the lowest positions);
    tables left over take the free positions in order."""
    where = {person: number for number, table in enumerate(start) for person in table}
    overlaps = []
    for i, table in enumerate(round_):
        shared: dict[int, int] = {}
        for person in table:
            if person in where:
                shared[where[person]] = shared.get(where[person], 0) + 1
        overlaps += [(-count, i, j) for j, count in shared.items()]
    placed: dict[int, int] = {}  # new table → position
    taken: set[int] = set()
    for _count, i, j in sorted(overlaps):
        if i not in placed and j not in taken:
            placed[i] = j
            taken.add(j)
    free = (j for j in range(len(start) + len(round_)) if j not in taken)
    for i in range(len(round_)):
        if i not in placed:
            placed[i] = next(free)
    positions = sorted(placed, key=placed.__getitem__)
    return [list(round_[i]) for i in positions]


def _rescue(
    plan: _Plan,
    fresh: _Plan,
    n: int,
    met: list[tuple[int, int]],
    avoid: list[tuple[int, int]],
    helps: dict[int, dict[int, float]],
    rng: random.Random,
    budget: _Budget,
) -> _Plan:
    """The rounds to come re-seated for ``helps`` (see the module's docstring): the best, by
    the key counted from ``plan`` (index rounds to come, repaired) and no worse than ``plan`` by
    ``_feel``, of two searches, each with half the budget: one from ``plan`` and one from
    ``fresh``, a plan of the same rounds made anew (its tables aligned to ``plan``'s positions
    so that people who stay are not counted as moved). ``plan`` itself when neither does
    better."""
    aligned = [_align(old, new) for old, new in zip(plan, fresh, strict=True)]
    first = _RescueSearch(plan, n, met, avoid, helps, rng)
    best, best_key, feel = plan, first.key(), first.feel()
    for origin in (plan, aligned):
        search = _RescueSearch(origin, n, met, avoid, helps, rng, start=plan)
        found = search.run(budget.share(0.5) if origin is plan else budget, feel=feel)
        judged = _RescueSearch(found, n, met, avoid, helps, rng, start=plan)
        if judged.key() < best_key and _no_worse(judged.feel(), feel):
            best, best_key = found, judged.key()
    return best
