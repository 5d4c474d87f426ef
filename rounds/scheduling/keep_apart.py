"""Keep-apart pairs parted at the end of every plan, whatever time the search had.

The searches weigh an ``avoid`` pair at one table far above any repeat, but they stop at their
work allowance or at the wall clock, whichever comes first; on a laptop busy with other work
the clock can end a search before its first step, and the construction it started from may
seat a keep-apart pair together. ``_part_avoid_pairs`` runs after them: deterministic, no
clock, it only swaps people between tables of one round (sizes stay), each swap lowering that
round's count of pairs together, so it never adds one and ends.
"""

from __future__ import annotations

from collections import defaultdict

from rounds.scheduling.validation import _Plan


def _part_avoid_pairs(plan: _Plan, avoid: list[tuple[int, int]]) -> _Plan:
    """``plan`` (rounds -> tables -> people, as ints) with the ``avoid`` pairs seated together
    parted by swaps within each round where a swap lowers the round's number of such pairs:
    the best swap for one member of a pair together at a time (the first found among equals),
    until none helps. Tables keep their sizes; a plan with no pair together comes back as it
    is. Where every pair is disjoint (each person in at most one pair) and a round has two or
    more tables of balanced sizes, no pair is left together. Cost: O(pairs together × people)
    per round and swap. The plan is changed in place and returned."""
    if not avoid:
        return plan
    partners: dict[int, set[int]] = defaultdict(set)
    for a, b in avoid:
        partners[a].add(b)
        partners[b].add(a)
    for round_ in plan:
        if len(round_) >= 2:
            _part_in_round(round_, avoid, partners)
    return plan


def _part_in_round(
    round_: list[list[int]], avoid: list[tuple[int, int]], partners: dict[int, set[int]]
) -> None:
    """``_part_avoid_pairs`` for one round (tables -> people), in place."""
    seat = {person: t for t, table in enumerate(round_) for person in table}

    def together(person: int, table: int) -> int:
        return sum(1 for other in partners[person] if seat.get(other) == table)

    parted = True
    while parted:
        parted = False
        for a, b in avoid:
            if a not in seat or b not in seat or seat[a] != seat[b]:
                continue
            best: tuple[int, int, int] | None = None
            best_gain = 0
            for mover in (a, b):
                here = seat[mover]
                for there, table in enumerate(round_):
                    if there == here:
                        continue
                    for other in table:
                        before = together(mover, here) + together(other, there)
                        after = (
                            together(mover, there)
                            - (other in partners[mover])
                            + together(other, here)
                            - (mover in partners[other])
                        )
                        if before - after > best_gain:
                            best_gain, best = before - after, (mover, other, there)
            if best is not None:
                mover, other, there = best
                here = seat[mover]
                round_[here][round_[here].index(mover)] = other
                round_[there][round_[there].index(other)] = mover
                seat[mover], seat[other] = there, here
                parted = True
