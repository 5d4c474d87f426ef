"""What attendees feel when repeats are forced: how many different people each one meets, and
how often the same two sit together.

When there are fewer tables than seats at a table, people must meet again, and the repeat cost
(sum over pairs of C(meetings, 2)) is not what anyone notices: an attendee notices that they
met only 8 different people, or the same person three times. This search starts from the plan
the repeat search found and orders plans by, in turn:

1. ``avoid`` pairs together (never more than in the plan it starts from);
2. the most times any pair meets (counting ``met``);
3. the fewest different people anyone meets (higher is better), then the number of people
   meeting that few;
4. the repeat cost;
5. the number of pairs meeting the most times.

Measured (``docs/benchmarks.md``, "Forced repeats"): the repeat cost alone leaves people who
meet fewer others than they could (12 people at 3 tables of 4 for 6 rounds: everyone could meet
all 11 others at the least repeat cost, yet plans of that cost let some meet only 10), and
ordering by the repeat cost first keeps a pair meeting 4 times in 5 rounds to let everyone meet
one more person (10 people at 2 tables of 5). This order never makes the most meetings of a
pair or the fewest people met worse than the repeat search's plan, at some repeat cost.

Moves are swaps of two people at different tables of one round, aimed at the people who feel
the plan worst (in a pair meeting most often, or meeting the fewest people). Each step tries
every swap of a few such people and takes the best one if it is no worse than the current plan
(sideways steps cross plateaus; a short tabu list keeps them from undoing one another), within a
deterministic work allowance. The figures are kept up to date incrementally: a swap changes
O(table size) pairs.
"""

from __future__ import annotations

import random

from rounds.scheduling.budget import _Budget
from rounds.scheduling.validation import _Plan

# Focus people (and rounds) whose swaps are compared at each step.
_SAMPLE = 4
# Steps a swapped person stays out of the focus in that round.
_TABU = 6

Key = tuple[int, int, int, int, int, int]


def _order(hits: int, most: int, at_most: int, fewest: int, at_fewest: int, cost: int) -> Key:
    """The figures as a key compared as a tuple, in the module docstring's order (smaller is
    better): avoid hits, most meetings of a pair, minus the fewest people met, people meeting
    that few, repeat cost, pairs meeting the most times."""
    return (hits, most, -fewest, at_fewest, cost, at_most)


class _FeelSearch:
    """Swap search on the attendees' figures (see the module docstring)."""

    def __init__(
        self,
        plan: _Plan,
        n: int,
        met: list[tuple[int, int]],
        avoid: list[tuple[int, int]],
        rng: random.Random,
    ) -> None:
        self.plan = [[list(table) for table in round_] for round_ in plan]
        self.n, self.rng, self.rounds = n, rng, len(plan)
        self.seat = [[0] * n for _ in plan]
        for seat, round_ in zip(self.seat, self.plan, strict=True):
            for number, table in enumerate(round_):
                for person in table:
                    seat[person] = number
        self.together = [[0] * n for _ in range(n)]  # meetings in the plan
        self.prior = [[0] * n for _ in range(n)]  # 1 for a ``met`` pair
        self.avoid = [[False] * n for _ in range(n)]
        for a, b in met:
            self.prior[a][b] = self.prior[b][a] = 1
        for a, b in avoid:
            self.avoid[a][b] = self.avoid[b][a] = True
        for round_ in self.plan:
            for table in round_:
                for i, a in enumerate(table):
                    for b in table[i + 1 :]:
                        self.together[a][b] += 1
                        self.together[b][a] += 1
        self.distinct = [sum(1 for m in row if m) for row in self.together]
        self.pairs_at = [0] * (self.rounds + 2)  # pairs by meetings (plan + met), 1 and above
        self.people_at = [0] * n  # people by different people met
        self.hits = self.cost = 0
        for a in range(n):
            self.people_at[self.distinct[a]] += 1
            for b in range(a + 1, n):
                times = self.together[a][b]
                meetings = times + self.prior[a][b]
                self.pairs_at[meetings] += 1
                self.cost += meetings * (meetings - 1) // 2
                if self.avoid[a][b]:
                    self.hits += times
        self.start_hits = self.hits
        self.most = max((m for m in range(1, len(self.pairs_at)) if self.pairs_at[m]), default=0)
        self.fewest = min(d for d in range(n) if self.people_at[d])

    # -- figures -----------------------------------------------------------------------------

    def key(self) -> Key:
        """The plan's place in the order of the module docstring: smaller is better."""
        # ``_change`` lowers ``fewest`` and raises ``most`` at once; here they follow the rest
        while self.most > 1 and not self.pairs_at[self.most]:
            self.most -= 1
        while not self.people_at[self.fewest]:
            self.fewest += 1
        most = self.most if self.pairs_at[self.most] else 0
        return _order(
            self.hits,
            most,
            self.pairs_at[most] if most > 1 else 0,
            self.fewest,
            self.people_at[self.fewest],
            self.cost,
        )

    def _change(self, a: int, b: int, step: int) -> None:
        """a and b sit together ``step`` (+1 or -1) more times."""
        row_a, row_b = self.together[a], self.together[b]
        before = row_a[b]
        after = before + step
        row_a[b] = row_b[a] = after
        prior = self.prior[a][b]
        self.pairs_at[before + prior] -= 1
        self.pairs_at[after + prior] += 1
        self.most = max(self.most, after + prior)
        self.cost += (after + prior - 1) * step if step > 0 else -(before + prior - 1)
        if self.avoid[a][b]:
            self.hits += step
        if before == 0 or after == 0:
            gain = 1 if after else -1
            for person in (a, b):
                self.people_at[self.distinct[person]] -= 1
                self.distinct[person] += gain
                self.people_at[self.distinct[person]] += 1
                self.fewest = min(self.fewest, self.distinct[person])

    def _swap(self, r: int, a: int, b: int) -> None:
        """a and b (at different tables of round r) exchange seats."""
        seat = self.seat[r]
        table_a, table_b = self.plan[r][seat[a]], self.plan[r][seat[b]]
        for x in table_a:
            if x != a:
                self._change(a, x, -1)
                self._change(b, x, 1)
        for y in table_b:
            if y != b:
                self._change(b, y, -1)
                self._change(a, y, 1)
        table_a[table_a.index(a)] = b
        table_b[table_b.index(b)] = a
        seat[a], seat[b] = seat[b], seat[a]

    # -- search ------------------------------------------------------------------------------

    def _focus(self) -> list[int]:
        """People who feel the plan worst: in a pair meeting most often (when some pair meets
        more than once), or meeting the fewest different people."""
        key = self.key()
        people = {p for p in range(self.n) if self.distinct[p] == self.fewest}
        if key[1] > 1:
            for a in range(self.n):
                row = self.together[a]
                prior = self.prior[a]
                if any(row[b] and row[b] + prior[b] == self.most for b in range(self.n)):
                    people.add(a)
        return sorted(people)

    def _rounds_of(self, person: int) -> list[int]:
        """Rounds in which ``person`` sits with someone met more than once (all if none)."""
        row, prior = self.together[person], self.prior[person]
        found = [
            r
            for r in range(self.rounds)
            if any(row[x] + prior[x] > 1 for x in self.plan[r][self.seat[r][person]] if x != person)
        ]
        return found or list(range(self.rounds))

    def run(self, budget: _Budget) -> None:
        """Improve the plan until the budget is spent or no focus person is left."""
        n, rng = self.n, self.rng
        best_key, best_plan = self.key(), self._copy()
        current = best_key
        tabu: dict[int, int] = {}
        iteration = 0
        while True:
            iteration += 1
            focus = self._focus()
            if not focus or not budget.spend(n * n // 4):
                break
            choice: tuple[Key, int, int, int] | None = None
            ties = 0
            for _ in range(_SAMPLE):
                a = focus[rng.randrange(len(focus))]
                rounds = self._rounds_of(a)
                r = rounds[rng.randrange(len(rounds))]
                if tabu.get(r * n + a, 0) > iteration:
                    continue
                # trying a swap costs about five microseconds per person at the two tables
                if not budget.spend(n * 5 * max(len(table) for table in self.plan[r])):
                    break
                for b in range(n):
                    if self.seat[r][b] == self.seat[r][a] or tabu.get(r * n + b, 0) > iteration:
                        continue
                    self._swap(r, a, b)
                    key = self.key()
                    self._swap(r, a, b)
                    if key[0] > self.start_hits:
                        continue
                    if choice is None or key < choice[0]:
                        choice, ties = (key, r, a, b), 1
                    elif key == choice[0]:
                        ties += 1
                        if rng.randrange(ties) == 0:
                            choice = (key, r, a, b)
            if choice is None or choice[0] > current:
                continue
            key, r, a, b = choice
            self._swap(r, a, b)
            current = key
            tabu[r * n + a] = tabu[r * n + b] = iteration + _TABU
            if key < best_key:
                best_key, best_plan = key, self._copy()
        self.plan = best_plan

    def _copy(self) -> _Plan:
        return [[list(table) for table in round_] for round_ in self.plan]


def _feel_better(
    plan: _Plan,
    n: int,
    met: list[tuple[int, int]],
    avoid: list[tuple[int, int]],
    rng: random.Random,
    budget: _Budget,
) -> _Plan:
    """The plan with repeats that attendees feel less (the module docstring's order); never more
    avoid hits than ``plan``."""
    search = _FeelSearch(plan, n, met, avoid, rng)
    search.run(budget)
    return search.plan
