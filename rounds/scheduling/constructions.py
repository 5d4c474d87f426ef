"""Grid constructions: shift systems over Z_t and GF(q), or searched shift matrices."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from rounds.scheduling.bounds import _min_pairs
from rounds.scheduling.budget import _Budget
from rounds.scheduling.validation import _Plan

# Finite fields are built by table up to this order; larger table counts use multipliers.
_FIELD_LIMIT = 256

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
