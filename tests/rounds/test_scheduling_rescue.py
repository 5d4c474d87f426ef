"""``scheduling.rescue_rounds``: the rounds to come re-seated for the pitchers to rescue."""

from __future__ import annotations

import itertools
import random
from unittest import mock

import pytest

from rounds import scheduling


@pytest.fixture(autouse=True)
def _still_clock():
    """The work allowance, not the machine's load, ends every search."""
    with mock.patch("time.perf_counter", return_value=0.0):
        yield


def met_in(rounds) -> set[frozenset]:
    return {
        frozenset(pair)
        for tables in rounds
        for table in tables
        for pair in itertools.combinations(table, 2)
    }


def tablemates(tables) -> dict[int, set[int]]:
    return {person: set(table) - {person} for table in tables for person in table}


def unmet_helpers(plan, played: int, pitcher: int, people) -> list[int]:
    """Everyone ``pitcher`` has not met in the played rounds nor sits with in the next one."""
    met = met_in(plan[:played])
    now = tablemates(plan[played])[pitcher]
    return [
        other
        for other in people
        if other != pitcher and frozenset((pitcher, other)) not in met and other not in now
    ]


def test_rescue_rounds_seats_each_pitcher_with_their_best_remaining_helper():
    people = list(range(20))
    plan = scheduling.plan_rounds(people, rounds=4, table_size=4)
    helps = []
    best = {}
    for pitcher in (0, 5, 11):
        first, second = unmet_helpers(plan, 3, pitcher, people)[:2]
        helps += [(pitcher, first, 0.9), (pitcher, second, 0.3)]
        best[pitcher] = first

    new = scheduling.rescue_rounds(plan, played=3, present=people, table_size=4, helps=helps)

    assert new[:3] == [[sorted(t) for t in tables] for tables in plan[:3]]
    mates = tablemates(new[3])
    assert {pitcher: helper in mates[pitcher] for pitcher, helper in best.items()} == {
        0: True,
        5: True,
        11: True,
    }
    quality = scheduling.plan_quality(new)
    assert (quality.repeat_cost, quality.avoid_violations) == (0, 0)


@pytest.mark.parametrize("seed", range(4))
def test_rescue_rounds_never_adds_a_repeat_or_an_avoid_pair(seed):
    rng = random.Random(seed)
    people = list(range(30))
    avoid = [(0, 1), (2, 3), (4, 5)]
    plan = scheduling.plan_rounds(people, rounds=5, table_size=5, avoid=avoid, seed=seed)
    helps = [
        (pitcher, listener, rng.uniform(0.1, 1.0))
        for pitcher in rng.sample(people, 8)
        for listener in rng.sample([p for p in people if p != pitcher], 4)
    ]
    repaired = scheduling.replan_rounds(
        plan, played=4, present=people, table_size=5, avoid=avoid, seed=seed
    )

    new = scheduling.rescue_rounds(
        plan, played=4, present=people, table_size=5, helps=helps, avoid=avoid, seed=seed
    )

    before = scheduling.plan_quality(repaired, avoid=avoid)
    after = scheduling.plan_quality(new, avoid=avoid)
    assert after.avoid_violations == before.avoid_violations == 0
    assert after.repeat_cost <= before.repeat_cost
    assert sorted(p for table in new[4] for p in table) == people


def test_rescue_rounds_has_no_repeat_where_the_stored_round_had_some_and_none_are_forced():
    people = list(range(16))
    # round 2 repeats round 1 exactly: every pair at a table meets twice
    first = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]
    plan = [first, [list(t) for t in first]]
    helps = [(0, 4, 1.0)]

    new = scheduling.rescue_rounds(plan, played=1, present=people, table_size=4, helps=helps)

    assert scheduling.plan_quality(new).repeat_cost == 0
    assert 4 in tablemates(new[1])[0]


def test_rescue_rounds_seats_the_people_present_only():
    people = list(range(16))
    plan = scheduling.plan_rounds(people, rounds=3, table_size=4)
    present = [p for p in people if p != 7] + [16]

    new = scheduling.rescue_rounds(
        plan, played=2, present=present, table_size=4, helps=[(0, 16, 1.0)]
    )

    assert new[:2] == [[sorted(t) for t in tables] for tables in plan[:2]]
    assert sorted(p for table in new[2] for p in table) == sorted(present)


def test_rescue_rounds_without_helps_keeps_the_repaired_rounds():
    people = list(range(20))
    plan = scheduling.plan_rounds(people, rounds=4, table_size=4)

    new = scheduling.rescue_rounds(plan, played=3, present=people, table_size=4, helps=[])

    assert new == scheduling.replan_rounds(plan, played=3, present=people, table_size=4)


def test_rescue_rounds_moves_nobody_when_every_pitcher_already_sits_with_a_helper():
    people = list(range(20))
    plan = scheduling.plan_rounds(people, rounds=4, table_size=4)
    mates = tablemates(plan[3])
    helps = [(pitcher, min(mates[pitcher]), 1.0) for pitcher in (0, 5, 11)]

    new = scheduling.rescue_rounds(plan, played=3, present=people, table_size=4, helps=helps)

    assert scheduling.changed_itineraries(plan, new) == set()


@pytest.mark.parametrize(
    ("helps", "message"),
    [
        ([(0, 1, 0.0)], r"numbers in \(0, 1\]"),
        ([(0, 0, 1.0)], "names the same person twice"),
        ([(0, 1)], "must hold"),
    ],
)
def test_rescue_rounds_refuses_bad_helps(helps, message):
    people = list(range(8))
    plan = scheduling.plan_rounds(people, rounds=2, table_size=4)

    with pytest.raises(ValueError, match=message):
        scheduling.rescue_rounds(plan, played=1, present=people, table_size=4, helps=helps)


def test_rescue_rounds_count_a_pair_met_in_two_played_rounds_as_two_meetings():
    # 12 people at 3 tables of 4 for 3 rounds: repeats are forced (cost 9 at least); the
    # stored last round has 9 pairs meeting twice. Pairs such as (2, 5) met in both played
    # rounds: seating them together again is a third meeting, not a second.
    plan = [
        [[0, 2, 3, 5], [7, 8, 10, 11], [1, 4, 6, 9]],
        [[0, 4, 7, 11], [2, 5, 8, 9], [1, 3, 6, 10]],
        [[2, 3, 6, 11], [0, 4, 9, 10], [1, 5, 7, 8]],
    ]
    helps = [(0, 9, 0.333), (2, 11, 0.333), (9, 0, 0.5)]
    before = scheduling.plan_quality(plan)

    new = scheduling.rescue_rounds(plan, played=2, present=range(12), table_size=4, helps=helps)

    after = scheduling.plan_quality(new)
    assert (before.max_meetings, before.repeat_cost) == (2, 9)
    assert after.max_meetings == 2
    assert after.repeat_cost == 9
    together = tablemates(new[2])
    # the stored round seated both pitchers with a helper: they still are
    assert 9 in together[0]
    assert 11 in together[2]


@pytest.mark.parametrize(("seed", "size", "table_size", "rounds"), [(3, 12, 4, 4), (4, 12, 5, 3)])
def test_rescue_rounds_never_make_the_forced_repeats_felt_worse(seed, size, table_size, rounds):
    # Repeats are forced here; the rescue keeps the repeat cost but must not let anyone meet
    # fewer different people, nor a pair meet more often, than the repaired rounds.
    rng = random.Random(seed)
    people = list(range(size))
    plan = scheduling.plan_rounds(people, rounds=rounds, table_size=table_size, seed=seed)
    helps = [
        (pitcher, listener, rng.uniform(0.1, 1.0))
        for pitcher in rng.sample(people, size // 3)
        for listener in rng.sample([p for p in people if p != pitcher], 3)
    ]
    played = rounds - 1
    repaired = scheduling.replan_rounds(
        plan, played=played, present=people, table_size=table_size, seed=seed
    )

    new = scheduling.rescue_rounds(
        plan, played=played, present=people, table_size=table_size, helps=helps, seed=seed
    )

    before, after = scheduling.plan_quality(repaired), scheduling.plan_quality(new)
    assert after.repeat_cost <= before.repeat_cost
    assert after.max_meetings <= before.max_meetings
    assert after.min_distinct_met >= before.min_distinct_met
