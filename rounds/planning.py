"""Between the planner and the stored plan: pure functions, no ORM (``rounds.services`` reads
and writes the Rounds, Tables and Seats).

``rounds.scheduling`` decides who sits with whom; this module works out what a stored plan
needs besides: the pairs to keep apart (colleagues, the organizer's rules), table numbers that
stay put across a re-plan, and a speaking order that rotates fairly, so that nobody always
pitches first or last.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from events import hygiene

Tables = Sequence[Sequence[int]]


def company_pairs(people: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    """Colleagues should not share a table: people whose companies are the same once compared
    by ``events.hygiene.company_key`` ("Kite Labs Ltd." = "KiteLabs"; "Freelance" is nobody's
    company)."""
    by_company: dict[str, list[int]] = defaultdict(list)
    for person, company in people:
        key = hygiene.company_key(company)
        if key:
            by_company[key].append(person)
    return [
        (a, b)
        for colleagues in by_company.values()
        for i, a in enumerate(colleagues)
        for b in colleagues[i + 1 :]
    ]


def avoid_pairs(
    people: Sequence[tuple[int, str]],
    *,
    keep_apart: Iterable[tuple[int, int]] = (),
    together: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """The pairs the planner keeps at different tables: colleagues (``company_pairs``) but for
    the pairs the organizer let sit ``together``, plus the organizer's ``keep_apart`` pairs
    among ``people`` ((attendee id, company) of those present). Each pair once, smaller id
    first."""
    present = {person for person, _company in people}
    allowed = {tuple(sorted(pair)) for pair in together}
    pairs = {tuple(sorted(pair)) for pair in company_pairs(people)} - allowed
    pairs |= {
        tuple(sorted(pair))
        for pair in keep_apart
        if pair[0] in present and pair[1] in present and pair[0] != pair[1]
    }
    return sorted(pairs)


@dataclass
class SpeakingHistory:
    """How each person has pitched so far, for fair speaking orders: nobody should always open
    the table (the hardest slot) or always close it.

    ``lateness`` sums past positions, 0 for first and 1 for last; ``firsts`` counts openings.
    """

    lateness: dict[int, float] = field(default_factory=dict)
    firsts: Counter[int] = field(default_factory=Counter)

    @classmethod
    def from_played(cls, played: Sequence[Tables]) -> SpeakingHistory:
        """From the rounds played, their tables listed in speaking order."""
        history = cls()
        for tables in played:
            for order in tables:
                history.add(order)
        return history

    def add(self, order: Sequence[int]) -> None:
        last = max(len(order) - 1, 1)
        for position, person in enumerate(order):
            self.lateness[person] = self.lateness.get(person, 0.0) + position / last
        if order:
            self.firsts[order[0]] += 1

    def order(self, table: Sequence[int], round_number: int) -> list[int]:
        """The speaking order at this table, recorded in the history.

        The opener is whoever opened least often (then who spoke latest so far); the others
        follow, latest speakers first. Ties are broken by a stable per-round shuffle.
        """

        def shuffle(person: int) -> int:
            return zlib.crc32(f"{person}:{round_number}".encode())

        rest = sorted(table, key=lambda p: (-self.lateness.get(p, 0.0), shuffle(p)))
        opener = min(rest, key=lambda p: (self.firsts[p], -self.lateness.get(p, 0.0), shuffle(p)))
        rest.remove(opener)
        order = [opener, *rest]
        self.add(order)
        return order


def table_numbers(old: Tables, new: Tables) -> list[int]:
    """Numbers for the new tables (1-based): each keeps the number of the old table it shares
    the most people with, so that people who stay together also stay at the same table."""
    overlaps = sorted(
        (
            (-len(set(new_table) & set(old_table)), new_index, old_index)
            for new_index, new_table in enumerate(new)
            for old_index, old_table in enumerate(old)
        ),
    )
    numbers: dict[int, int] = {}
    taken: set[int] = set()
    for overlap, new_index, old_index in overlaps:
        if overlap == 0:
            break
        if new_index not in numbers and old_index not in taken:
            numbers[new_index] = old_index + 1
            taken.add(old_index)
    free = (n for n in range(1, len(old) + len(new) + 1) if n - 1 not in taken)
    return [numbers[i] if i in numbers else next(free) for i in range(len(new))]
