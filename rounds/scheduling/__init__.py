"""Rotation planner: tables for every round, nobody meets twice, re-planned live.

Pure Python (standard library only, no Django), so it can be tested and benchmarked on its own.

Public API
----------
``plan_rounds(people, *, rounds, table_size, met=(), avoid=(), seed=0, time_limit=2.0)``
    ``-> list[list[list[P]]]``: rounds -> tables -> people (the hashable ids given, each table
    listed in sorted order). Every round has ``table_sizes(len(people), table_size)`` tables:
    ceil(N / table_size) of them, sizes differing by at most one, never a table of one.
``replan_rounds(plan, *, played, present, table_size, avoid=(), met=(), seed=0, time_limit=1.0)``
    ``-> list[list[list[P]]]``: the same number of rounds; ``plan[:played]`` comes back unchanged
    (history, absentees included) and every later round seats exactly ``present``. ``met`` is an
    addition to the interface of the issue: acquaintances to keep apart, as in ``plan_rounds``
    (meetings in played rounds count as met without it).
``rescue_rounds(plan, *, played, present, table_size, helps, avoid=(), met=(), seed=0,
time_limit=1.0)`` ``-> list[list[list[P]]]``
    The rounds after ``played`` re-planned for the pitchers named in ``helps`` (the organizer's
    "rescue round": those with the fewest cards so far), brought to the tables of listeners who
    can help them, with no more avoid hits and no higher repeat cost than ``replan_rounds``
    gives, and few people moved for nothing.
``plan_quality(plan, *, met=(), avoid=()) -> Quality``
    The figures of a plan: repeats, their lower bound, avoid pairs together, table sizes, and
    what attendees feel: the fewest, average and most different people a person meets, and the
    most times any pair meets.
``forecast(n_people, *, rounds, table_size) -> Forecast``
    The warning to show before planning: whether repeats are forced, the least repeat cost, and
    the largest smaller table size that allows none.
``lower_bound(table_sizes_per_round) -> int``
    A lower bound on the sum over pairs of C(meetings, 2) for rounds seating the same people.
``changed_itineraries(old_plan, new_plan, *, tablemates=True) -> set[P]``
    The people whose table (its position within the round) differs in any round, including
    those seated in only one plan; with ``tablemates=True`` also those whose table-mates differ.
    "How many itineraries changed" after a re-plan is
    ``len(changed_itineraries(plan, new_plan, tablemates=False) & set(present))``: the people who
    must go somewhere else. Absentees and arrivals change the table-mates of nearly everyone
    they sat with, so with ``tablemates=True`` the set is most of the room whatever is done.
``table_sizes(n_people, table_size) -> list[int]``
    The table sizes of a fresh round, largest first.

Objectives, in order: no ``avoid`` pair at one table; no pair meets twice, counting ``met``;
otherwise the smallest sum over pairs of C(meetings, 2) (a triple meeting costs more than two
doubles); then repeats spread evenly over people (the sum of squares of each person's share);
then, with ``helps``, the largest expected number of pitchers who sit with a listener who
helps them, then the largest total chance of such encounters, then the fewest such encounters
any pitcher gets (``helpfulness``).
When repeats are forced (``lower_bound`` of the fresh table sizes above zero: fewer tables than
seats at a table), the plan of that search is then reordered by what attendees feel
(``feel``): the fewest times the most-met pair meets, then the most different people met by
the person who meets fewest, then the repeat cost; never more ``avoid`` hits. ``helps`` then
never makes those two figures worse.
``met`` and ``avoid`` are iterables of 2-tuples; ``met`` pairs naming someone absent are ignored,
``avoid`` pairs naming someone absent are a ``ValueError``, as are table sizes below 2, rounds
below 1 and a person listed twice.

Fresh plans (the Social Golfer Problem): bounds first; a plan that reaches them is returned at
once. Then a grid construction: people sit on a grid of (largest table) rows by (tables) columns,
one person per row at every table, and each round shifts every row by its own amount, so two
people of one row never meet and two of different rows meet once per repeated row difference.
Multipliers modulo the number of tables, or over a finite field GF(p^n) when it is a prime power
(affine planes, resolvable transversal designs), give zero repeats outright, in milliseconds for
thousands of people; a last row with holes keeps sizes within one. Where those do not apply the
shift matrix itself is searched (a small problem), in a "rotational" shape (one row sits as a
table of its own each round) when there is one table more than seats at a table. Groups linked
by ``met``/``avoid`` are packed into rows, since rows never meet. Anything still short of the
bound goes to a tabu search over swaps of two people at different tables of one round (Dotú &
Van Hentenryck; Triska & Musliu) with avoid hits weighted far above repeats.

Re-plans repair instead of re-solving: absentees are deleted; a round keeps its number of
tables (only clamped to between the fresh count and one table per three present), dissolving
tables from the end and opening new ones at the end, so that no other table changes position;
displaced people and arrivals are seated where they add the least cost; then every round is
balanced, whatever it costs: its sizes differ by at most one (so never above the largest fresh
size, nor below three people or the smallest fresh size), a hard limit that every later step
keeps, since a short table runs out of pitches long before the others. The
people directly concerned come first: each ``avoid`` pair at one table is parted by the
cheapest single move or swap of one of the two over the whole round that adds no repeat (and
keeps the sizes balanced); when that leaves no conflict, nobody else moves (a keep-apart pair made
mid-event costs one person per round it shares, moving to a shorter table, or two, a swap).
Otherwise a tabu search over moves, swaps and ejection chains removes conflicts from the
seating before those steps (the same random draws, so the steps never make its repeats worse),
preferring people who have already moved (one phone told twice is one phone), and a pair it
leaves together is then parted by the cheapest step. These steps are not charged to the work
allowance or the wall clock (a scan of one round per pair). Order of costs, below balanced
sizes: avoid hits, repeats, people who must move. Where the room forces repeats
(``lower_bound`` of the fresh sizes above zero) and the rounds to repair already had some, the
room is not reshuffled to trade those repeats for fewer: the seating that moves the fewest
people (arrivals at the free places, tables balanced and keep-apart pairs parted by the
cheapest steps) sets the most repeats allowed, and the order, below balanced sizes, is avoid
hits, repeats above that, people who must move in the coming round (the first one re-planned,
which phones already show), people who must move in any round, repeats (``repair._Repair``
gives the reasons).

Last, after every plan and re-plan, whatever time its searches had: a keep-apart pair still at
one table is parted by swaps within its round, each lowering the round's pairs together
(``keep_apart._part_avoid_pairs``; no clock, sizes kept), since a search the clock cut short
may return the construction it started from.

Determinism: the result depends only on the set of people (they are sorted; mixed types that
cannot be compared are sorted by type name and ``repr``), the other arguments and ``seed``, which
shuffles the people before anything else. Searches stop at a work allowance proportional to
``time_limit`` that runs out at about half of it on an ordinary machine; the wall clock is a hard
ceiling on the searches, and only when it cuts one short (a machine more than twice as slow) may
two runs differ. Reading the input (linear in people and pairs) is outside the ceiling.

Modules
-------
The public API above is this package's; its modules are internal and share names with a
leading underscore among themselves. ``validation`` checks and converts input and output;
``bounds`` holds the lower bounds and the figures of a plan; ``forecasts`` the warning before
planning; ``budget`` the work allowance; ``portfolio`` the fresh-plan strategy;
``constructions`` the grids over Z_t and GF(q) and the searched shift matrices; ``swaps`` the
dense swap search; ``feel`` the search on what attendees feel when repeats are forced;
``repair`` the sparse repair used by re-plans and by large fresh plans; ``helpfulness`` the
matching objective of ``plan_rounds(..., helps=...)``, which starts from the plan found without
it and keeps its avoid hits, its repeat cost, the most meetings of a pair and the fewest people
met.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from rounds.scheduling.bounds import Quality, _quality, lower_bound, table_sizes
from rounds.scheduling.budget import _Budget
from rounds.scheduling.feel import _feel_better
from rounds.scheduling.forecasts import Forecast, forecast
from rounds.scheduling.helpfulness import _improve, _index_helps
from rounds.scheduling.keep_apart import _part_avoid_pairs
from rounds.scheduling.portfolio import _DENSE_LIMIT, _solve
from rounds.scheduling.repair import _repair_rounds
from rounds.scheduling.rescue import _rescue
from rounds.scheduling.validation import (
    P,
    _canonical,
    _check_int,
    _check_time_limit,
    _copy_plan,
    _distinct,
    _index_pairs,
    _index_triples,
    _seat_map,
    _to_people,
)

# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------

# Work allowed for seating pitchers with their helpers, as a share of ``time_limit``'s, after
# the repeat search (which keeps its whole allowance, so its plan is the one without ``helps``),
# plus half of what the repeat search left of its allowance. Allowances run out at about half
# their seconds, so all together stay within ``time_limit``, the wall clock's ceiling (measured
# with ``bench/intentions.py`` on a loaded 2-core machine: 300 people, 7 rounds, 1.3-1.5 s of
# 2 s, the help search about 1.1 s of it).
_HELP_SHARE = 0.6
# Work allowed, when repeats are forced, for what attendees feel (``feel``), as a share of
# ``time_limit``'s, after the repeat search.
_FEEL_SHARE = 0.3


def plan_rounds(
    people: Iterable[P],
    *,
    rounds: int,
    table_size: int,
    met: Iterable[tuple[P, P]] = (),
    avoid: Iterable[tuple[P, P]] = (),
    seed: int = 0,
    time_limit: float = 2.0,
    helps: Iterable[tuple[P, P, float]] = (),
) -> list[list[list[P]]]:
    """Plan every round for ``people``: rounds -> tables -> people.

    ``met`` pairs (earlier meetings, acquaintances) count as one meeting each; pairs naming
    someone absent are ignored. ``avoid`` pairs must both be in ``people``. Returns as soon as a
    plan is provably optimal, otherwise the best plan found within ``time_limit`` seconds.

    ``helps`` are (pitcher, listener, chance) triples, chance in (0, 1]: the probability that
    the listener helps the pitcher (``pitches.matching.help_chances`` guesses them; 1 for a
    listener asked for by name). Below the rules above, the plan then seats pitchers so as to
    maximise the expected number who meet a listener who helps (the sum over pitchers of
    1 - prod(1 - chance) over the listeners they sit with), then the total chance of such
    encounters, then the fewest such encounters any pitcher gets (``helpfulness``); triples
    naming someone absent are ignored, a chance outside (0, 1] is a ``ValueError``. Without
    ``helps`` the plan is the same as before they existed.
    """
    _check_int(rounds, "rounds", 1)
    _check_int(table_size, "table_size", 2)
    _check_time_limit(time_limit)
    canonical = _canonical(_distinct(people, "people"))
    if len(canonical) < 2:
        raise ValueError("plan_rounds needs at least two people: a table of one is never made")
    rng = random.Random(seed)
    order = list(canonical)
    rng.shuffle(order)
    index = {person: i for i, person in enumerate(order)}
    met_pairs = _index_pairs(met, index, "met", strict=False)
    avoid_pairs = _index_pairs(avoid, index, "avoid", strict=True)
    sizes = table_sizes(len(order), table_size)
    help_map = _index_helps(_index_triples(helps, index))
    budget = _Budget(time_limit)
    plan = _solve(len(order), sizes, rounds, met_pairs, avoid_pairs, rng, budget)
    if len(order) <= _DENSE_LIMIT and lower_bound([sizes] * rounds) > 0:
        feel_budget = _Budget(time_limit * _FEEL_SHARE)
        feel_budget.deadline = min(feel_budget.deadline, budget.deadline)
        plan = _feel_better(plan, len(order), met_pairs, avoid_pairs, rng, feel_budget)
    if help_map:
        help_budget = _Budget(time_limit * _HELP_SHARE)
        # and half what the repeat search left (it ends early when its plan is provably
        # optimal, as zero-repeat plans usually are), within the same deadline
        help_budget.units += max(budget.units, 0) // 2
        help_budget.deadline = budget.deadline
        plan = _improve(plan, len(order), met_pairs, avoid_pairs, help_map, rng, help_budget)
    # whatever time the searches had, no keep-apart pair is left together that a swap parts
    plan = _part_avoid_pairs(plan, avoid_pairs)
    rank = {person: i for i, person in enumerate(canonical)}
    return _to_people(plan, order, rank)


def replan_rounds(
    plan: Sequence[Sequence[Sequence[P]]],
    *,
    played: int,
    present: Iterable[P],
    table_size: int,
    avoid: Iterable[tuple[P, P]] = (),
    met: Iterable[tuple[P, P]] = (),
    seed: int = 0,
    time_limit: float = 1.0,
) -> list[list[list[P]]]:
    """Repair the rounds after ``played`` for the people ``present`` now.

    Absentees are deleted and arrivals inserted into the remaining rounds, which are repaired
    rather than re-solved: tables keep their position, a round keeps its number of tables where
    the sizes allow, and moves go first to people who already had to move, so that few
    itineraries change (``changed_itineraries(plan, result, tablemates=False)`` lists the people
    who must go elsewhere). Meetings in played rounds count as ``met``; ``avoid`` pairs must
    name people present. Every round after ``played`` has balanced tables: sizes differ by at
    most one, never exceed the largest fresh table and never drop below three (two where fresh
    tables would be smaller), whatever that costs; below that, avoid pairs and repeats come
    first. Where repeats are forced and the plan already had
    some, moves come before repeats instead, never at more repeats than the seating that moves
    the fewest people (a late arrival at the free places of a table short of the table size
    moves nobody else), and moves in the coming round (``plan[played]``) come first.
    """
    _check_int(table_size, "table_size", 2)
    _check_time_limit(time_limit)
    old = _copy_plan(plan)
    if isinstance(played, bool) or not isinstance(played, int) or not 0 <= played <= len(old):
        raise ValueError(f"played must be an int from 0 to {len(old)} (rounds in plan)")
    here = _distinct(present, "present")
    seated = {person for round_ in old for table in round_ for person in table}
    canonical = _canonical(list(seated | set(here)))
    rng = random.Random(seed)
    order = list(canonical)
    rng.shuffle(order)
    index = {person: i for i, person in enumerate(order)}
    present_index = {person: index[person] for person in here}
    avoid_pairs = _index_pairs(avoid, present_index, "avoid", strict=True)
    met_pairs = _index_pairs(met, present_index, "met", strict=False)
    if played == len(old):
        return old
    if len(here) < 2:
        raise ValueError("replan_rounds needs at least two people present")
    indexed = [[[index[p] for p in table] for table in round_] for round_ in old]
    present_sorted = sorted(present_index.values())
    budget = _Budget(time_limit)
    future = _repair_rounds(
        indexed, len(order), played, present_sorted, table_size, met_pairs, avoid_pairs, rng, budget
    )
    future = _part_avoid_pairs(future, avoid_pairs)
    rank = {person: i for i, person in enumerate(canonical)}
    return old[:played] + _to_people(future, order, rank)


# Shares of ``rescue_rounds``' ``time_limit``: the repair, the fresh plan of the rounds to come,
# and the two rescue searches together. Allowances run out at about half their
# seconds, so the three together stay within ``time_limit``.
_RESCUE_REPAIR_SHARE = 0.5
_RESCUE_FRESH_SHARE = 0.3
_RESCUE_HELP_SHARE = 0.4


def rescue_rounds(
    plan: Sequence[Sequence[Sequence[P]]],
    *,
    played: int,
    present: Iterable[P],
    table_size: int,
    helps: Iterable[tuple[P, P, float]],
    avoid: Iterable[tuple[P, P]] = (),
    met: Iterable[tuple[P, P]] = (),
    seed: int = 0,
    time_limit: float = 1.0,
) -> list[list[list[P]]]:
    """Re-plan the rounds after ``played`` so that the pitchers of ``helps`` sit with the
    listeners who can help them, keeping every rule of ``replan_rounds``.

    ``helps`` are (pitcher, listener, weight > 0) triples, as in ``plan_rounds``, naming only
    the pitchers to rescue (the caller chooses them: those with the fewest cards so far).
    ``replan_rounds`` first seats exactly ``present`` in the rounds to come (arrivals, people
    who left); ``plan_rounds`` makes the same rounds anew with ``helps`` (meetings of the played
    rounds and ``met`` counting as met); a tabu search (``rescue``) starts from each. The
    result is the best of them by, in order: the fewest avoid pairs together, the lowest repeat
    cost (no repeats where one of them found a plan without), the most pitchers seated at least
    once with one of their listeners, then the best helper each pitcher sits with less a small
    cost for each person whose table differs from the repaired rounds. It is never worse than
    the repaired rounds on the first two, nor on what attendees feel of forced repeats: no
    pair meets more often, and nobody meets fewer different people, than in the repaired
    rounds (a pair counts every played round it met in).

    ``plan[:played]`` comes back unchanged. Raises ``ValueError`` as ``replan_rounds`` does, or
    for a bad ``helps`` triple (a chance that is not a number in (0, 1], a pitcher who is their
    own listener).
    """
    _check_time_limit(time_limit)
    here = _distinct(present, "present")
    triples = list(helps)
    repaired = replan_rounds(
        plan,
        played=played,
        present=here,
        table_size=table_size,
        avoid=avoid,
        met=met,
        seed=seed,
        time_limit=time_limit * _RESCUE_REPAIR_SHARE,
    )
    history, future = repaired[:played], repaired[played:]
    if not future:
        return repaired
    everyone = set(here)
    avoid = list(avoid)
    played_pairs = [
        (a, b)
        for round_ in history
        for table in round_
        for i, a in enumerate(table)
        for b in table[i + 1 :]
        if a in everyone and b in everyone
    ]
    known = [pair for pair in met if pair[0] in everyone and pair[1] in everyone] + played_pairs
    fresh = plan_rounds(
        here,
        rounds=len(future),
        table_size=table_size,
        met=known,
        avoid=avoid,
        seed=seed,
        time_limit=time_limit * _RESCUE_FRESH_SHARE,
        helps=triples,
    )
    canonical = _canonical(here)
    rng = random.Random(seed)
    order = list(canonical)
    rng.shuffle(order)
    index = {person: i for i, person in enumerate(order)}
    help_map = _index_helps(_index_triples(triples, index))
    if help_map:
        top = max(weight for row in help_map.values() for weight in row.values())
        help_map = {p: {q: w / top for q, w in row.items()} for p, row in help_map.items()}
    rescued = _rescue(
        [[[index[p] for p in table] for table in round_] for round_ in future],
        [[[index[p] for p in table] for table in round_] for round_ in fresh],
        len(order),
        # a pair counts each played round it met in (twice at one table: two meetings)
        _index_pairs(met, index, "met", strict=False)
        + [tuple(sorted((index[a], index[b]))) for a, b in played_pairs],
        _index_pairs(avoid, index, "avoid", strict=True),
        help_map,
        rng,
        _Budget(time_limit * _RESCUE_HELP_SHARE),
    )
    rank = {person: i for i, person in enumerate(canonical)}
    return history + _to_people(rescued, order, rank)


def plan_quality(
    plan: Sequence[Sequence[Sequence[P]]],
    *,
    met: Iterable[tuple[P, P]] = (),
    avoid: Iterable[tuple[P, P]] = (),
) -> Quality:
    """Measure a plan. ``met`` pairs naming people not in the plan are ignored; ``avoid`` pairs
    must name people in the plan."""
    people_plan = _copy_plan(plan)
    everyone = _canonical(list({p for round_ in people_plan for table in round_ for p in table}))
    index = {person: i for i, person in enumerate(everyone)}
    met_pairs = _index_pairs(met, index, "met", strict=False)
    avoid_pairs = _index_pairs(avoid, index, "avoid", strict=True)
    indexed = [[[index[p] for p in table] for table in round_] for round_ in people_plan]
    return _quality(indexed, len(everyone), met_pairs, avoid_pairs)


def changed_itineraries(
    old_plan: Sequence[Sequence[Sequence[P]]],
    new_plan: Sequence[Sequence[Sequence[P]]],
    *,
    tablemates: bool = True,
) -> set[P]:
    """People whose itinerary differs between two plans with the same number of rounds.

    A person's itinerary is their table (its position within the round) in every round; being
    seated in only one of the plans counts as a change. With ``tablemates=True`` (the default) a
    change of table-mates counts too; ``tablemates=False`` lists only the people who must walk to
    a different table, the figure ``replan_rounds`` keeps small.
    """
    if len(old_plan) != len(new_plan):
        raise ValueError("both plans must have the same number of rounds")
    changed: set[P] = set()
    for old_round, new_round in zip(old_plan, new_plan, strict=True):
        old_seat, new_seat = _seat_map(old_round), _seat_map(new_round)
        for person in old_seat.keys() | new_seat.keys():
            before, after = old_seat.get(person), new_seat.get(person)
            if before != after or (
                tablemates and set(old_round[before]) != set(new_round[after])  # type: ignore[index]
            ):
                changed.add(person)
    return changed


__all__ = [
    "Forecast",
    "Quality",
    "changed_itineraries",
    "forecast",
    "lower_bound",
    "plan_quality",
    "plan_rounds",
    "replan_rounds",
    "rescue_rounds",
    "table_sizes",
]
