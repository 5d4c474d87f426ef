"""Dense swap search (fresh plans up to ``portfolio._DENSE_LIMIT`` people)."""

from __future__ import annotations

import math
import random

from rounds.scheduling.bounds import _evaluate
from rounds.scheduling.budget import _Bag, _Budget
from rounds.scheduling.validation import _Plan

# People in conflict whose swaps are compared at each step of the swap search.
_SAMPLE = 16


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
