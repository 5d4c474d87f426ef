"""What to tell the organiser before planning: whether repeats are forced."""

from __future__ import annotations

from dataclasses import dataclass

from rounds.scheduling.bounds import lower_bound, table_sizes
from rounds.scheduling.constructions import _exact_system
from rounds.scheduling.validation import _check_int


@dataclass(frozen=True)
class Forecast:
    """What to tell the organiser before planning."""

    repeats_forced: bool
    min_repeat_cost: int
    """``lower_bound`` for these sizes: the least sum over pairs of C(meetings, 2)."""
    suggested_table_size: int | None
    """The largest smaller table size that allows a plan without repeats, if repeats are forced."""
    message: str


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


def _repeat_free_likely(n: int, table_size: int, rounds: int) -> bool:
    sizes = table_sizes(n, table_size)
    if lower_bound([sizes] * rounds) > 0:
        return False
    tables, seats = len(sizes), sizes[0]
    return tables > seats or _exact_system(tables, seats, rounds, seats * tables - n) is not None
