"""Checking and converting the planner's input and output: people, pairs, plans."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

P = TypeVar("P", bound=Hashable)

# Index-level plans: rounds -> tables -> person numbers 0..n-1.
_Plan = list[list[list[int]]]


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


def _index_triples(
    triples: Iterable[tuple[P, P, float]], index: dict[P, int]
) -> list[tuple[int, int, float]]:
    """(pitcher, listener, weight) triples with people as indexes; triples naming someone not
    in ``index`` are dropped."""
    result = []
    for triple in triples:
        try:
            pitcher, listener, weight = triple
        except (TypeError, ValueError):
            message = f"helps must hold (pitcher, listener, weight), got {triple!r}"
            raise ValueError(message) from None
        if pitcher == listener:
            raise ValueError(f"helps triple {triple!r} names the same person twice")
        if pitcher in index and listener in index:
            result.append((index[pitcher], index[listener], weight))
    return result


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
