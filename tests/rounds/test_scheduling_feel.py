"""What attendees feel when repeats are forced (``rounds.scheduling.feel``): the most times a
pair meets, then the fewest different people anyone meets, then the repeat cost."""

from __future__ import annotations

import random
from unittest import mock

import pytest

from rounds.scheduling import feel, plan_quality, plan_rounds, table_sizes
from rounds.scheduling.budget import _Budget
from rounds.scheduling.portfolio import _solve


def repeat_search_plan(
    people: int, table_size: int, rounds: int, avoid: list[tuple[int, int]], seed: int = 0
) -> tuple[list[list[list[int]]], random.Random]:
    """The plan of the repeat search alone (people numbered 0..people-1) as ``plan_rounds``
    makes it before ``feel``, and the random generator as ``feel`` gets it; wall clock standing
    still so that the work allowance ends the search."""
    rng = random.Random(seed)
    rng.shuffle(list(range(people)))
    with mock.patch("time.perf_counter", return_value=0.0):
        plan = _solve(people, table_sizes(people, table_size), rounds, [], avoid, rng, _Budget(2.0))
    return plan, rng


def feel_of(plan: list[list[list[int]]], avoid: list[tuple[int, int]] = ()) -> tuple[int, ...]:
    quality = plan_quality(plan, avoid=avoid)
    return (quality.avoid_violations, quality.max_meetings, -quality.min_distinct_met)


def test_plan_rounds_forced_repeats_let_everyone_meet_everyone_at_the_least_repeat_cost():
    # 12 people at 3 tables of 4 for 6 rounds: 18 seats each among 11 others. The repeat search
    # alone reaches the bound (45) with some people meeting only 10 others.
    with mock.patch("time.perf_counter", return_value=0.0):
        plan = plan_rounds(range(12), rounds=6, table_size=4)

    quality = plan_quality(plan)
    assert (quality.min_distinct_met, quality.max_distinct_met) == (11, 11)
    assert quality.mean_distinct_met == 11.0
    assert quality.max_meetings == 3
    assert quality.repeat_cost == quality.lower_bound == 45


def test_plan_rounds_forced_repeats_keep_every_pair_below_four_meetings():
    # 10 people at 2 tables of 5 for 5 rounds: ordering by repeat cost first would let everyone
    # meet all 9 others only by seating a pair together in 4 of the 5 rounds
    with mock.patch("time.perf_counter", return_value=0.0):
        plan = plan_rounds(range(10), rounds=5, table_size=5)

    quality = plan_quality(plan)
    assert quality.max_meetings == 3
    assert quality.min_distinct_met == 8


@pytest.mark.parametrize(
    ("people", "table_size", "rounds"), [(12, 4, 6), (20, 5, 8), (24, 6, 8), (16, 6, 5)]
)
def test_feel_better_never_worse_than_the_repeat_search_nor_on_keep_apart_pairs(
    people, table_size, rounds
):
    avoid = [(0, 1), (2, 3), (4, 5), (0, 6)]
    start, rng = repeat_search_plan(people, table_size, rounds, avoid)

    with mock.patch("time.perf_counter", return_value=0.0):
        plan = feel._feel_better(start, people, [], avoid, rng, _Budget(0.6))

    assert sorted(p for table in plan[0] for p in table) == list(range(people))
    assert [sorted(map(len, r)) for r in plan] == [sorted(map(len, r)) for r in start]
    assert feel_of(plan, avoid) <= feel_of(start, avoid)
    assert plan_quality(plan, avoid=avoid).avoid_violations == 0


def test_feel_better_raises_the_fewest_people_met_where_the_repeat_search_left_it_low():
    start, rng = repeat_search_plan(24, 6, 8, [])
    before = plan_quality(start)

    with mock.patch("time.perf_counter", return_value=0.0):
        plan = feel._feel_better(start, 24, [], [], rng, _Budget(0.6))

    after = plan_quality(plan)
    assert before.min_distinct_met < 23
    assert after.min_distinct_met == 23
    assert after.max_meetings <= before.max_meetings


def test_feel_search_keeps_its_figures_in_step_with_the_plan():
    met = [(0, 5), (3, 7)]
    avoid = [(1, 2)]
    start, _rng = repeat_search_plan(15, 5, 6, avoid)
    search = feel._FeelSearch(start, 15, met, avoid, random.Random(0))
    rng = random.Random(3)

    for _ in range(40):
        r = rng.randrange(6)
        a, b = rng.sample(range(15), 2)
        if search.seat[r][a] != search.seat[r][b]:
            search._swap(r, a, b)
    hits, most, fewest, at_fewest, cost, _at_most = search.key()

    quality = plan_quality(search.plan, met=met, avoid=avoid)
    met_counts = [
        len({x for rd in search.plan for t in rd if p in t for x in t}) - 1 for p in range(15)
    ]
    assert (hits, most, -fewest, cost) == (
        quality.avoid_violations,
        quality.max_meetings,
        quality.min_distinct_met,
        quality.repeat_cost,
    )
    assert at_fewest == met_counts.count(quality.min_distinct_met)


def test_plan_rounds_helps_never_worsen_what_attendees_feel():
    helps = [(p, (p + 5) % 12, 1.0) for p in range(12)] + [
        (p, (p + 7) % 12, 0.5) for p in range(12)
    ]

    with mock.patch("time.perf_counter", return_value=0.0):
        without = plan_quality(plan_rounds(range(12), rounds=6, table_size=4))
        with_helps = plan_quality(plan_rounds(range(12), rounds=6, table_size=4, helps=helps))

    assert with_helps.max_meetings <= without.max_meetings
    assert with_helps.min_distinct_met >= without.min_distinct_met
    assert with_helps.repeat_cost <= without.repeat_cost


def test_plan_rounds_without_forced_repeats_is_not_reordered():
    # 16 people at 4 tables of 4 for 5 rounds: the affine plane, nobody meets twice
    with mock.patch("time.perf_counter", return_value=0.0):
        plan = plan_rounds(range(16), rounds=5, table_size=4)

    quality = plan_quality(plan)
    assert (quality.max_meetings, quality.min_distinct_met, quality.max_distinct_met) == (1, 15, 15)
