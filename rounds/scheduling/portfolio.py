"""Fresh plans: bounds, then a construction, then search until the bound is met."""

from __future__ import annotations

import random

from rounds.scheduling.bounds import lower_bound
from rounds.scheduling.budget import _Budget
from rounds.scheduling.constructions import _construct
from rounds.scheduling.repair import _history, _Repair, _SizeRule
from rounds.scheduling.swaps import _SwapSearch
from rounds.scheduling.validation import _Plan

# Above this many people the dense pair matrix of the swap search costs more than it saves.
_DENSE_LIMIT = 700


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
