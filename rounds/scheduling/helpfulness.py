"""The matching objective: pitchers who sit with someone who can help them, below the hard rules.

``helps`` are (pitcher, listener, chance) triples: the listener may help the pitcher, with
probability ``chance`` in (0, 1] (a matcher's guess; 1 for someone the pitcher asked for by
name). Objectives, in order, after the planner's own: no ``avoid`` pair more often together,
no higher repeat cost (counting ``met``), no pair meeting more times (counting ``met``) and
nobody meeting fewer different people than the fewest of the plan it starts from; then the
largest *expected number of pitchers who meet a true helper*, the sum over pitchers of
1 - prod(1 - chance) over the distinct listeners they sit with (the chances taken as
independent); then the largest total chance of such encounters; then fairness, the fewest
encounters with one of their listeners that any pitcher gets.

Since the chances are guesses, the expectation is the right thing to maximise rather than "each
pitcher meets one listener": a pitcher already seated with a likely helper still gains by
meeting a second one, a little less likely, instead of a third person with no chance at all,
and one whose only chance is a long shot is worth more seats than one already near certain.
(Maximising the probability of at least one success over uncertain candidates is the
"expected coverage" or probabilistic set-cover objective; its greedy and local-search
treatments are standard, e.g. Krause & Golovin, "Submodular function maximization", 2014: the
objective is submodular in the set of encounters.)

Two moves, both checked against the hard rules before they are taken:

- *Relabelling*: two people exchange their whole itineraries. The plan's structure is kept, so
  the repeat count between seats is unchanged; only ``met`` and ``avoid`` pairs can make it
  worse, and such moves are refused. This chooses which people take which positions of the
  zero-repeat construction.
- *Swap in one round*: two people at different tables of one round exchange seats, taken only
  when it adds no repeat and no avoid hit.

Moves are aimed: a pitcher is drawn, the more likely the less chance they have so far of
meeting a helper, and one of their listeners not met yet, the more likely the higher their
chance, is brought to one of their tables. Hill climbing, strict improvements only, within a
work allowance.
"""

from __future__ import annotations

import random

from rounds.scheduling.budget import _Budget
from rounds.scheduling.validation import _Plan

_DRAWS = 8
"""Draws at most when picking a pitcher to serve (``_HelpSearch._pick_pitcher``)."""
_PAIRS_PER_UNIT = 2
"""Pairs read (listed, judged, applied) per work unit: one takes about half a microsecond
(0.43-0.65 µs measured on a 2-core machine under load, 90 and 300 people), and a unit is about a
microsecond (``budget._WORK_PER_SECOND``)."""
_EPSILON = 1e-12
"""Gains smaller than this are rounding, not gains."""


def _better(gain: tuple[float, float, int], than: tuple[float, float, int]) -> bool:
    """Whether ``gain`` (expected pitchers, total chance, fairness) is lexicographically above
    ``than``, floating differences below ``_EPSILON`` counting as ties."""
    for mine, theirs in zip(gain, than, strict=True):
        if mine > theirs + _EPSILON:
            return True
        if mine < theirs - _EPSILON:
            return False
    return False


class _HelpSearch:
    def __init__(
        self,
        plan: _Plan,
        n: int,
        met: list[tuple[int, int]],
        avoid: list[tuple[int, int]],
        helps: dict[int, dict[int, float]],
        rng: random.Random,
    ) -> None:
        self.plan, self.n, self.rng = plan, n, rng
        self.seat = [[0] * n for _ in plan]
        self.mates: list[dict[int, int]] = [{} for _ in range(n)]
        for r, round_ in enumerate(plan):
            for number, table in enumerate(round_):
                for person in table:
                    self.seat[r][person] = number
                    mates = self.mates[person]
                    for other in table:
                        if other != person:
                            mates[other] = mates.get(other, 0) + 1
        self.met = {a * n + b for a, b in met} | {b * n + a for a, b in met}
        self.avoid = {a * n + b for a, b in avoid} | {b * n + a for a, b in avoid}
        self.helps = helps
        # ``helps`` keyed by pair, pitcher * n + listener: one look-up per pair in ``_judge``
        self.chance_of = {p * n + q: w for p, row in helps.items() for q, w in row.items()}
        self.pitchers = sorted(helps)
        # listener -> the pitchers who hope for their help, and the people with a meeting
        # before this plan or a pair to keep apart: a relabelling of two people outside the
        # latter is judged from the helps alone (``_judge_relabel``)
        self.seekers: dict[int, list[int]] = {}
        for pitcher in self.pitchers:
            for listener in helps[pitcher]:
                self.seekers.setdefault(listener, []).append(pitcher)
        self.bound = {x for pair in (*met, *avoid) for x in pair}
        # what attendees feel, never made worse: the most times a pair meets, the fewest
        # different people anyone meets
        self.most = max(
            (
                times + (a * n + b in self.met)
                for a, mates in enumerate(self.mates)
                for b, times in mates.items()
            ),
            default=0,
        )
        self.fewest = min((len(mates) for mates in self.mates), default=0)
        # no pair of the plan meets twice: then it never will (no move raises the repeat cost),
        # and a swap that seats someone with a person they meet in another round is refused
        # before its changes are listed (``_swap_repeats``)
        self.repeat_free = all(times == 1 for mates in self.mates for times in mates.values())
        self.count = [0] * n  # encounters of each pitcher with one of their listeners
        self.weight = [0.0] * n
        for pitcher, listeners in helps.items():
            for listener, weight in listeners.items():
                times = self.mates[pitcher].get(listener, 0)
                self.count[pitcher] += times
                self.weight[pitcher] += times * weight
        self.levels: dict[int, int] = {}  # encounters -> how many pitchers have that many
        self.miss = [1.0] * n  # the chance that none of the listeners a pitcher meets helps
        self.product = [1.0] * n
        self.sure = [0] * n
        for pitcher in self.pitchers:
            self.levels[self.count[pitcher]] = self.levels.get(self.count[pitcher], 0) + 1
            self._recount(pitcher)

    # -- figures ---------------------------------------------------------------------------

    def covered(self) -> int:
        return sum(1 for p in self.pitchers if self.count[p])

    def _miss(self, pitcher: int, flips: dict[int, bool]) -> float:
        """The chance that none of the listeners ``pitcher`` sits with helps, with the met
        state of the listeners in ``flips`` changed (from the kept product: O(len(flips)))."""
        product, sure = self.product[pitcher], self.sure[pitcher]
        chances = self.helps[pitcher]
        for listener, now in flips.items():
            chance = chances[listener]
            if chance >= 1.0:
                sure += 1 if now else -1
            else:
                product = product * (1.0 - chance) if now else product / (1.0 - chance)
        return 0.0 if sure else product

    def _recount(self, pitcher: int) -> None:
        """The kept product of (1 - chance) over the listeners ``pitcher`` meets (chances
        below 1) and the number met with chance 1, computed afresh (no rounding drift)."""
        product, sure = 1.0, 0
        mates = self.mates[pitcher]
        for listener, chance in self.helps[pitcher].items():
            if listener in mates:
                if chance >= 1.0:
                    sure += 1
                else:
                    product *= 1.0 - chance
        self.product[pitcher], self.sure[pitcher] = product, sure
        self.miss[pitcher] = 0.0 if sure else product

    def _fewest(self, changes: dict[int, int]) -> int:
        """The fewest encounters any pitcher has, after adding ``changes`` (pitcher -> change)."""
        levels = dict(self.levels)
        for pitcher, change in changes.items():
            old = self.count[pitcher]
            levels[old] -= 1
            levels[old + change] = levels.get(old + change, 0) + 1
        return min(level for level, pitchers in levels.items() if pitchers)

    def _judge(
        self, changes: list[tuple[int, int, int, int]]
    ) -> tuple[tuple[float, float, int], int] | None:
        """Given pair changes (a, b, old times, new times), None when a hard rule gets worse,
        else the gain (expected pitchers who meet a helper, total chance, fewest encounters)
        and the work it took.

        The search's inner loop (a relabelling judges about a hundred pair changes): the pair
        figures are computed inline, the sets and tables read once, rather than through a
        method call and four dictionary look-ups per pair. The same arithmetic in the same
        order, so the same plans from the same work, in about a fifth to a third less CPU time:
        the search goes further when the wall clock, not the work allowance, ends it (a loaded
        machine)."""
        n, met, avoid, chance_of = self.n, self.met, self.avoid, self.chance_of
        most = max(self.most, 1)
        hits = repeats = 0
        count: dict[int, int] = {}
        flips: dict[int, dict[int, bool]] = {}
        met_people: dict[int, int] = {}
        weight = 0.0
        for a, b, old, new in changes:
            if old == new:
                continue
            key = a * n + b
            earlier = key in met  # a meeting before this plan counts once
            if new > old and new + earlier > most:
                return None
            changed = (old > 0) != (new > 0)
            if changed:
                step = 1 if new else -1
                met_people[a] = met_people.get(a, 0) + step
                met_people[b] = met_people.get(b, 0) + step
            if key in avoid:
                hits += new - old
            old_meetings, new_meetings = old + earlier, new + earlier
            repeats += (
                new_meetings * (new_meetings - 1) // 2 - old_meetings * (old_meetings - 1) // 2
            )
            for pitcher, listener, pair in ((a, b, key), (b, a, b * n + a)):
                w = chance_of.get(pair)
                if w is not None:
                    count[pitcher] = count.get(pitcher, 0) + new - old
                    weight += (new - old) * w
                    if changed:
                        flips.setdefault(pitcher, {})[listener] = new > 0
        if hits > 0 or repeats > 0:
            return None
        if any(len(self.mates[p]) + d < self.fewest for p, d in met_people.items() if d < 0):
            return None
        expected = sum(
            self.miss[pitcher] - self._miss(pitcher, flipped) for pitcher, flipped in flips.items()
        )
        work = sum(len(flipped) for flipped in flips.values()) + len(self.levels)
        fairness = self._fewest(count) - self._fewest({}) if count else 0
        return (expected, weight, fairness), work

    # -- relabelling -----------------------------------------------------------------------

    def _judge_relabel(self, a: int, b: int) -> tuple[tuple[float, float, int], int]:
        """``_judge(self._relabel_changes(a, b))`` for two people with no meeting before this
        plan and no pair to keep apart (neither in ``self.bound``), read from the helps of the
        pitchers concerned alone: about a tenth of the pairs ``_judge`` goes through.

        Such an exchange never makes a hard rule worse: the plan's pair meeting counts are only
        permuted (the same repeat cost and most meetings of a pair), no avoid pair is concerned,
        and a and b exchange their numbers of different people met (each a number someone has
        now, so at least the fewest the search keeps). What changes is which pitchers meet which
        of their listeners: a's and b's own (a now meets whom b met, and b whom a met, each other
        as before), and a pitcher y hoping for a (or b) now meets a as often as y met b (or b as
        often as y met a). The work returned counts the pairs read as well."""
        mates, helps = self.mates, self.helps
        ma, mb = mates[a], mates[b]
        count: dict[int, int] = {}
        flips: dict[int, dict[int, bool]] = {}
        weight = 0.0
        read = 0
        for pitcher, before, after, other in ((a, ma, mb, b), (b, mb, ma, a)):
            chances = helps.get(pitcher)
            if not chances:
                continue
            read += len(chances)
            for listener, chance in chances.items():
                if listener == other:
                    continue  # a and b meet each other as often as before
                old, new = before.get(listener, 0), after.get(listener, 0)
                if old != new:
                    count[pitcher] = count.get(pitcher, 0) + new - old
                    weight += (new - old) * chance
                    if (old > 0) != (new > 0):
                        flips.setdefault(pitcher, {})[listener] = new > 0
        for listener, before, after in ((a, ma, mb), (b, mb, ma)):
            seekers = self.seekers.get(listener, ())
            read += len(seekers)
            for pitcher in seekers:
                if pitcher in (a, b):
                    continue
                old, new = before.get(pitcher, 0), after.get(pitcher, 0)
                if old != new:
                    count[pitcher] = count.get(pitcher, 0) + new - old
                    weight += (new - old) * helps[pitcher][listener]
                    if (old > 0) != (new > 0):
                        flips.setdefault(pitcher, {})[listener] = new > 0
        expected = sum(
            self.miss[pitcher] - self._miss(pitcher, flipped) for pitcher, flipped in flips.items()
        )
        work = read + sum(len(flipped) for flipped in flips.values()) + len(self.levels)
        fairness = self._fewest(count) - self._fewest({}) if count else 0
        return (expected, weight, fairness), work

    def _relabel_changes(self, a: int, b: int) -> list[tuple[int, int, int, int]]:
        ma, mb = self.mates[a], self.mates[b]
        changes = []
        for y in ma.keys() | mb.keys():
            if y in (a, b):
                continue
            ay, by = ma.get(y, 0), mb.get(y, 0)
            changes.append((a, y, ay, by))
            changes.append((b, y, by, ay))
        return changes

    def _relabel(self, a: int, b: int) -> None:
        for r, round_ in enumerate(self.plan):
            sa, sb = self.seat[r][a], self.seat[r][b]
            if sa == sb:
                continue
            round_[sa][round_[sa].index(a)] = b
            round_[sb][round_[sb].index(b)] = a
            self.seat[r][a], self.seat[r][b] = sb, sa
        ma, mb = self.mates[a], self.mates[b]
        for y in (ma.keys() | mb.keys()) - {a, b}:
            my = self.mates[y]
            ya, yb = my.pop(a, 0), my.pop(b, 0)
            if yb:
                my[a] = yb
            if ya:
                my[b] = ya
        self.mates[a] = {(b if y == a else y): c for y, c in mb.items()}
        self.mates[b] = {(a if y == b else y): c for y, c in ma.items()}

    # -- swaps in one round ------------------------------------------------------------------

    def _swap_changes(self, r: int, a: int, b: int) -> list[tuple[int, int, int, int]]:
        round_ = self.plan[r]
        table_a, table_b = round_[self.seat[r][a]], round_[self.seat[r][b]]
        ma, mb = self.mates[a], self.mates[b]
        changes = []
        for x in table_a:
            if x != a:
                changes.append((a, x, ma.get(x, 0), ma.get(x, 0) - 1))
                changes.append((b, x, mb.get(x, 0), mb.get(x, 0) + 1))
        for y in table_b:
            if y != b:
                changes.append((a, y, ma.get(y, 0), ma.get(y, 0) + 1))
                changes.append((b, y, mb.get(y, 0), mb.get(y, 0) - 1))
        return changes

    def _swap_repeats(self, r: int, a: int, b: int) -> bool:
        """Whether the swap of a and b in round ``r`` seats either with someone they meet in
        another round, in a plan where no pair meets twice: ``_judge`` would refuse it (a
        repeat added, none taken away), known here without listing its changes."""
        round_ = self.plan[r]
        ma, mb = self.mates[a], self.mates[b]
        return any(x != b and x in ma for x in round_[self.seat[r][b]]) or any(
            x != a and x in mb for x in round_[self.seat[r][a]]
        )

    def _swap(self, r: int, a: int, b: int) -> None:
        round_ = self.plan[r]
        sa, sb = self.seat[r][a], self.seat[r][b]
        table_a, table_b = round_[sa], round_[sb]
        for x in table_a:
            if x != a:
                self._meet(a, x, -1)
                self._meet(b, x, 1)
        for y in table_b:
            if y != b:
                self._meet(a, y, 1)
                self._meet(b, y, -1)
        table_a[table_a.index(a)] = b
        table_b[table_b.index(b)] = a
        self.seat[r][a], self.seat[r][b] = sb, sa

    def _meet(self, a: int, b: int, change: int) -> None:
        for x, y in ((a, b), (b, a)):
            times = self.mates[x].get(y, 0) + change
            if times:
                self.mates[x][y] = times
            else:
                del self.mates[x][y]

    # -- search ----------------------------------------------------------------------------

    def _apply_counts(self, changes: list[tuple[int, int, int, int]]) -> set[int]:
        """Count the encounters the changes make; the pitchers whose encounters changed."""
        touched = set()
        for a, b, old, new in changes:
            for pitcher, listener in ((a, b), (b, a)):
                w = self.helps.get(pitcher, {}).get(listener)
                if w is not None:
                    self.levels[self.count[pitcher]] -= 1
                    self.count[pitcher] += new - old
                    self.levels[self.count[pitcher]] = self.levels.get(self.count[pitcher], 0) + 1
                    self.weight[pitcher] += (new - old) * w
                    touched.add(pitcher)
        return touched

    def _pick_pitcher(self) -> int:
        """A pitcher drawn with probability about proportional to their chance of meeting no
        helper yet (rejection sampling, at most ``_DRAWS`` draws): those with most to gain."""
        rng = self.rng
        pitcher = rng.choice(self.pitchers)
        for _draw in range(_DRAWS):
            if rng.random() < self.miss[pitcher]:
                break
            pitcher = rng.choice(self.pitchers)
        return pitcher

    def run(self, budget: _Budget) -> None:
        rng, plan = self.rng, self.plan
        rounds = len(plan)
        if not self.pitchers or rounds == 0:
            return
        stale = 0
        zero = (0.0, 0.0, 0)
        bound, repeat_free = self.bound, self.repeat_free
        read = 0  # pairs the last draw's moves read, charged with the next draw
        while budget.spend(_DRAWS + read // _PAIRS_PER_UNIT) and stale < 40 * self.n:
            read = 0
            pitcher = self._pick_pitcher()
            chances = self.helps[pitcher]
            unmet = [h for h in chances if not self.mates[pitcher].get(h)]
            if not unmet:
                stale += 1
                continue
            listener = rng.choices(unmet, weights=[chances[h] for h in unmet])[0]
            r = rng.randrange(rounds)
            table = plan[r][self.seat[r][pitcher]]
            other = rng.choice(table)
            if other == pitcher:
                stale += 1
                continue
            best = None
            # the listener takes other's seat (all rounds, or this round), or the pitcher
            # moves to the listener's table in this round
            there = plan[r][self.seat[r][listener]]
            mover = rng.choice(there)
            candidates = [
                ("relabel", listener, other),
                ("swap", listener, other),
                ("swap", pitcher, mover),
            ]
            for kind, a, b in candidates:
                if a == b or (self.seat[r][a] == self.seat[r][b] and kind == "swap"):
                    continue
                changes = None
                if kind == "swap":
                    if repeat_free and self._swap_repeats(r, a, b):
                        read += len(table) + len(there)
                        continue
                    changes = self._swap_changes(r, a, b)
                    judged = self._judge(changes)
                elif a in bound or b in bound:
                    changes = self._relabel_changes(a, b)
                    judged = self._judge(changes)
                else:
                    judged = self._judge_relabel(a, b)
                if changes is not None:
                    read += len(changes)
                if judged is None:
                    continue
                gain, work = judged
                read += work
                if _better(gain, zero) and (best is None or _better(gain, best[0])):
                    best = (gain, kind, a, b, changes)
            if best is None:
                stale += 1
                continue
            stale = 0
            _gain, kind, a, b, changes = best
            if changes is None:
                changes = self._relabel_changes(a, b)
            read += len(changes)
            touched = self._apply_counts(changes)
            if kind == "relabel":
                self._relabel(a, b)
            else:
                self._swap(r, a, b)
            for p in touched:
                self._recount(p)


def _improve(
    plan: _Plan,
    n: int,
    met: list[tuple[int, int]],
    avoid: list[tuple[int, int]],
    helps: dict[int, dict[int, float]],
    rng: random.Random,
    budget: _Budget,
) -> _Plan:
    """The plan with more pitchers expected to sit with a listener who helps (see the
    module's docstring); never more avoid hits or a higher repeat cost than ``plan``."""
    search = _HelpSearch([[list(t) for t in round_] for round_ in plan], n, met, avoid, helps, rng)
    search.run(budget)
    return search.plan


def _index_helps(
    helps: list[tuple[int, int, float]],
) -> dict[int, dict[int, float]]:
    """(pitcher, listener, chance) index triples as pitcher -> listener -> chance (the largest
    chance of a pair given twice). A chance outside (0, 1] is a ``ValueError``."""
    result: dict[int, dict[int, float]] = {}
    for pitcher, listener, weight in helps:
        if isinstance(weight, bool) or not (isinstance(weight, int | float) and 0 < weight <= 1):
            raise ValueError(f"helps chances must be numbers in (0, 1], got {weight!r}")
        row = result.setdefault(pitcher, {})
        row[listener] = max(row.get(listener, 0.0), float(weight))
    return result
