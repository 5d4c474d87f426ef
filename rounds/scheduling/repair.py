"""Sparse repair (re-planning, and fresh plans above ``portfolio._DENSE_LIMIT`` people)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from rounds.scheduling.bounds import lower_bound, table_sizes
from rounds.scheduling.budget import _Bag, _Budget
from rounds.scheduling.validation import _Plan

# Tables (and movers) tried for the second step of an ejection chain in the repair.
_CHAIN_WIDTH = 12
# Pair look-ups of the repair per work unit.
_LOOKUPS_PER_UNIT = 2


@dataclass(frozen=True)
class _SizeRule:
    """Table sizes allowed in one round: from ``low`` to ``high`` people, a hard limit; both
    callers make the sizes balanced (``high`` at most ``low`` + 1)."""

    low: int
    high: int

    @classmethod
    def fresh(cls, sizes: list[int]) -> _SizeRule:
        return cls(min(sizes), max(sizes))

    @classmethod
    def balanced(cls, people: int, tables: int) -> _SizeRule:
        """``people`` at ``tables`` tables, sizes differing by at most one."""
        return cls(people // tables, -(-people // tables))


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
    at the end, the displaced and the arrivals seated, sizes balanced, conflicts repaired.

    Every round returned has balanced sizes: its tables seat ``len(present) // count`` or one
    more, ``count`` its number of tables (a hard limit of the seating and of every step of the
    search, ``_SizeRule.balanced``), so that no table runs out of pitches long before the
    others; ``count`` is at most one table per three people (per the smallest fresh size when
    below three), so no table falls below that either.

    Where the room forces repeats (``lower_bound`` of the fresh sizes above zero) and the rounds
    to repair already had some, moves rank above repeats (``_Repair``): the seating that moves
    the fewest people (arrivals at the free places, tables balanced and keep-apart pairs parted
    by the cheapest steps) sets the most repeats allowed, and the result is never worse than it
    on keep-apart pairs, then repeats above it, then the rest of the objective."""
    here = set(present)
    history = _history(plan[:played], met, n, here)
    fresh = table_sizes(len(present), table_size)
    forced = lower_bound([fresh] * len(plan)) > 0
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
        rules.append(_SizeRule.balanced(len(present), count))
        rounds.append(kept)

    def start() -> _Repair:
        repair = _Repair(
            n,
            history,
            [[list(t) for t in r] for r in rounds],
            avoid,
            rules,
            original,
            rng,
            forced=forced,
        )
        repair.seat_all([list(pool) for pool in pools])
        repair.balance()
        return repair

    # The people directly concerned first: when single steps of keep-apart pairs leave no
    # conflict at all, nobody else moves and the search is not needed; otherwise the search
    # runs from where it always did (the same random draws), so that its repeats are never
    # worse than before this step existed.
    state = rng.getstate()
    direct = start()
    direct.separate(free=True)
    if not direct.conflicts:
        return direct.best_tables()
    rng.setstate(state)
    repair = start()
    if repair.forced:
        # Repeats are forced and the plan had some: the seating that moves the fewest people,
        # keep-apart pairs parted (``direct``), sets the repeats allowed, and the search may
        # trade repeats for fewer moves only below that.
        direct.separate(free=False)
        repair.cap = direct.cap = direct.repeats
    repair.repair(budget)
    repair.separate(free=False)
    if repair.forced and _rank(direct) < _rank(repair):
        return direct.best_tables()
    return repair.best_tables()


def _rank(repair: _Repair) -> tuple[int, int, int]:
    """What orders two repairs of one re-plan: avoid hits, repeats above the cap, the rest."""
    return (repair.hits, repair.excess(), repair.objective())


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

    Table sizes are a hard limit (``rules``: balanced sizes, in re-plans and fresh plans
    alike), brought about by ``balance`` whatever it costs and kept by every step after it.
    Objective, lexicographic through weights: avoid pairs together, then the repeat cost, then
    people seated away from their ``original`` table in any round (the itineraries that
    change).

    With ``forced`` (the room forces repeats) and rounds that already make a pair meet again,
    the order is instead: avoid pairs together; repeats above ``cap`` (set by the caller: the
    repeats of the seating that moves the fewest people); people seated away from their table
    in the coming round (the first round repaired: phones show it already and people may be
    walking there); people seated away from their table in any round (the event log's "People
    changing table", each one a phone told "your table changed"); the repeat cost. Balanced
    table sizes hold in both orders, above everything (a table of three among tables of five
    runs out of pitches long before the others). This is the minimal
    perturbation view of re-scheduling (El Sakkout and Wallace, "Probe backtrack search for
    minimal perturbation in dynamic scheduling", Constraints 5(4), 2000): the quality of the
    plan as it stands is a bound the repair keeps, and within it the fewest changes win. Every
    remaining round's moves rank above repeats, not only the coming round's: forced repeats are
    spread over everyone (14 people at tables of 5 for 5 rounds meet 20 seats among 13 others),
    so with repeats above the later moves a search trades them by reseating the room in the
    later rounds (measured, one late arrival in that room after round 1, seeds 0-5: with the
    coming round's moves alone above repeats, 0-12 of the 14 moved, 10 or more in three
    seeds, for a repeat cost 0-4 lower; with every move above repeats, nobody but the
    arrival). Where repeats are not forced, a repeat-free repair keeps its first rank.

    Moves go first to people who have already moved,
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
        *,
        forced: bool = False,
    ) -> None:
        self.n, self.rounds, self.rules, self.rng = n, rounds, rules, rng
        self.original = original
        self.avoid = {a * n + b for a, b in avoid}
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
        # Moves rank above repeats (the class docstring) when the room forces repeats and
        # the rounds as given (before anyone is seated) already make a pair meet again.
        self.forced = (
            forced
            and original is not None
            and any(key not in self.avoid for key in self.conflicts.items)
        )
        # Largest change of the repeat cost (sum over pairs of C(meetings, 2)) a seating can
        # make: every pair meeting once more in every round than the most any pair has met.
        top = max(self.count.values(), default=0) + len(rounds)
        repeat_span = math.comb(n, 2) * math.comb(top, 2) + 1
        self.cap: int | None = None  # repeats above it rank before the moves (``forced``)
        if self.forced:
            self.w_repeat = 1
            self.w_move = self.w_repeat * repeat_span
            self.w_coming = self.w_move * (n + 1)
            self.w_cap = self.w_coming * (n + 1)
            self.w_avoid = self.w_cap * repeat_span
        else:
            self.w_move = 1 if original is not None else 0
            self.w_coming = 0
            self.w_repeat = n + 1
            self.w_cap = 0
            self.w_avoid = self.w_repeat * (math.comb(n, 2) * math.comb(len(rounds) + 2, 2) + 1)
        self.moved = [0] * n
        if original is not None:
            for seat, first in zip(self.seat, original, strict=True):
                for person in range(n):
                    if seat[person] != first[person] and seat[person] >= 0:
                        self.moved[person] += 1
        self.changed = sum(1 for m in self.moved if m)
        # people seated away from their table in the coming round (the first one repaired)
        self.coming = 0
        if original is not None and rounds:
            seat, first = self.seat[0], original[0]
            self.coming = sum(1 for p in range(n) if seat[p] >= 0 and seat[p] != first[p])
        self.repeats = 0  # change of the repeat cost since the start
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

    def excess(self) -> int:
        """Repeats above ``cap`` (none without a cap)."""
        return 0 if self.cap is None else max(0, self.repeats - self.cap)

    def objective(self) -> int:
        return (
            self.w_avoid * self.hits
            + self.w_cap * self.excess()
            + self.w_coming * self.coming
            + self.w_repeat * self.repeats
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
        away = (new != first and new >= 0) - (old != first and old >= 0)
        after = before + away
        self.moved[person] = after
        self.changed += (after > 0) - (before > 0)
        if r == 0:
            self.coming += away

    def _sit(self, r: int, person: int, number: int) -> None:
        table = self.rounds[r][number]
        self._track(r, person, self.seat[r][person], number)
        table.append(person)
        self.seat[r][person] = number
        self._meet(person, table[:-1], 1)

    def _rise(self, r: int, person: int) -> None:
        number = self.seat[r][person]
        table = self.rounds[r][number]
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
        away = (number != first) - (old != first)
        after = before + away
        cost = self.w_move * ((after > 0) - (before > 0))
        return cost + self.w_coming * away if r == 0 else cost

    def _shift_cost(self, r: int, source: int, target: int) -> int | None:
        """Cost change of the table sizes when one seat moves from table ``source`` to
        ``target`` of round r: 0, or None if the sizes would leave the round's limits."""
        rule, round_ = self.rules[r], self.rounds[r]
        if len(round_[source]) - 1 < rule.low or len(round_[target]) + 1 > rule.high:
            return None
        return 0

    # -- construction steps ----------------------------------------------------------------

    def seat_all(self, pools: list[list[int]]) -> None:
        """Seat each round's unseated people where they add the least cost: fewest conflicts,
        then tables below the smallest size, never above the largest size."""
        for r, pool in enumerate(pools):
            round_, rule = self.rounds[r], self.rules[r]
            order = list(range(len(round_)))
            self.rng.shuffle(order)
            for person in pool:
                number = min(
                    (t for t in order if len(round_[t]) < rule.high),
                    key=lambda t: (self._join(person, round_[t]), len(round_[t]) >= rule.low),
                )
                self._sit(r, person, number)

    def balance(self) -> None:
        """Bring every round within its size limits (balanced sizes), whatever it costs, one
        cheapest move or chain at a time."""
        for r in range(len(self.rounds)):
            while (moves := self._forced_moves(r)) is not None:
                self._relocate(r, moves)

    def _forced_moves(self, r: int) -> list[tuple[int, int]] | None:
        """The cheapest move from a table two or more larger into the smallest table (or out
        of a table above the largest size), while a size limit is broken; else None."""
        rule, round_ = self.rules[r], self.rounds[r]
        sizes = [len(table) for table in round_]
        small, large = min(sizes), max(sizes)
        numbers = range(len(round_))
        if large > rule.high:
            donors = [sizes.index(large)]
            receivers = [t for t in numbers if sizes[t] <= large - 2]
        elif small < rule.low:
            receivers = [sizes.index(small)]
            donors = [t for t in numbers if sizes[t] >= small + 2]
        else:
            return None
        return self._cheapest_transfer(r, donors, receivers)[0]

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

    # -- the people directly concerned first ----------------------------------------------

    def separate(self, *, free: bool) -> None:
        """Part every ``avoid`` pair sitting together by the cheapest single move or swap of
        one of the two, over every table of the round (not a sample). With ``free``, only a
        step that adds no repeat is taken (sizes stay balanced whatever the step; before the
        search: a keep-apart pair made mid-event then costs one person, moving to a shorter
        table, or two, a swap, per round it shares); without, any step that lowers the
        objective (after the search, for a pair it left together). Not charged to the budget,
        so that neither the work allowance nor the wall clock can leave a pair together that
        one step parts: a hit costs at most a scan of its round (people x table size pair
        look-ups), and the scan stops at the first step that adds nothing but the moves."""
        n = self.n
        for key in sorted(self.avoid):
            a, b = divmod(key, n)
            for r, seat in enumerate(self.seat):
                if not seat[a] == seat[b] >= 0:
                    continue
                options = [option for p in (a, b) if (option := self._step(r, p)) is not None]
                if not options:
                    continue
                change, moves = min(options, key=lambda option: option[0])
                if change >= 0:
                    continue
                before = self.repeats
                back = [(person, seat[person]) for person, _ in moves]
                self._relocate(r, moves)
                if free and self.repeats > before:
                    self._relocate(r, back)
        self.best = self._snapshot()

    def _step(self, r: int, person: int) -> tuple[int, list[tuple[int, int]]] | None:
        """(cost change, moves) of the cheapest move or swap taking person away from their
        table in round r, scanning moves first, then swaps until one costs only its moves."""
        round_ = self.rounds[r]
        source = self.seat[r][person]
        table_a = round_[source]
        leave = self._leave(person, table_a)
        best: tuple[int, list[tuple[int, int]]] | None = None
        enough = -self.w_avoid + 2 * self.w_move  # a pair parted, two people told
        for number in range(len(round_)):
            shift = None if number == source else self._shift_cost(r, source, number)
            if shift is not None:
                change = self._join(person, round_[number]) - leave + shift
                change += self._move_cost(r, person, number)
                if best is None or change < best[0]:
                    best = (change, [(person, number)])
        if best is not None and best[0] <= enough - self.w_move:
            return best
        for number in range(len(round_)):
            if number == source:
                continue
            table_b = round_[number]
            step = self._join(person, table_b) - leave + self._move_cost(r, person, number)
            for other in table_b:
                link = self._link(person, other)
                change = step - link - self._leave(other, table_b)
                change += self._join(other, table_a) - link + self._move_cost(r, other, source)
                if best is None or change < best[0]:
                    best = (change, [(person, number), (other, source)])
                    if change <= enough:
                        return best
        return best

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
                    if option is None or option[0] >= 0:
                        continue
                    value = self.objective()
                    back = [(p, seat[p]) for p, _ in option[1]]
                    self._relocate(r, option[1])
                    if self.cap is not None and self.objective() >= value:
                        self._relocate(r, back)  # a saving the cap on repeats forbids
                    else:
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
        leave = self._leave(person, table_a)
        targets = [t for t in range(len(round_)) if t != source and only in (None, t)]
        joins = {t: self._join(person, round_[t]) for t in targets}
        sample = self._sample([t for t in range(len(round_)) if t != source])
        room = {t: self._shift_cost(r, source, t) for t in targets + sample}
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
