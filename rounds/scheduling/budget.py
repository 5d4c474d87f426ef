"""Time and work: the deterministic work allowance of a search, and a set to sample from."""

from __future__ import annotations

import random
import time

# Work units allowed per second of time_limit. Each search charges its steps so that a unit is
# about a microsecond on one core of an ordinary machine; allowing half a second's worth per
# second means the deterministic allowance, not the wall clock, normally ends a search.
_WORK_PER_SECOND = 500_000


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
