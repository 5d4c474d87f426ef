"""The planner's matching objective (``plan_rounds(..., helps=...)``): below the hard rules."""

from __future__ import annotations

import random
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.scheduling import plan_quality, plan_rounds

PROPERTIES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def random_helps(people: int, per_pitcher: int, seed: int) -> list[tuple[int, int, float]]:
    rng = random.Random(seed)
    return [
        (pitcher, listener, rng.random() + 0.01)
        for pitcher in range(people)
        for listener in rng.sample([p for p in range(people) if p != pitcher], per_pitcher)
    ]


def helped(plan: list[list[list[int]]], helps: list[tuple[int, int, float]]) -> int:
    """Pitchers who sit at least once with one of their listeners."""
    mates: dict[int, set[int]] = {}
    for round_ in plan:
        for table in round_:
            for person in table:
                mates.setdefault(person, set()).update(table)
    pitchers = {pitcher for pitcher, _listener, _weight in helps}
    return sum(1 for pitcher in pitchers if mates[pitcher] & listeners(helps, pitcher))


def listeners(helps: list[tuple[int, int, float]], pitcher: int) -> set[int]:
    return {listener for a, listener, _weight in helps if a == pitcher}


@PROPERTIES
@given(
    people=st.integers(min_value=8, max_value=60),
    table_size=st.integers(min_value=3, max_value=7),
    rounds=st.integers(min_value=2, max_value=6),
    seed=st.integers(min_value=0, max_value=3),
    data=st.data(),
)
def test_plan_rounds_helps_never_worsen_the_hard_rules_or_the_repeats(
    people: int, table_size: int, rounds: int, seed: int, data: st.DataObject
) -> None:
    everyone = list(range(people))
    avoid = data.draw(
        st.lists(
            st.tuples(st.sampled_from(everyone), st.sampled_from(everyone)).filter(
                lambda pair: pair[0] != pair[1]
            ),
            max_size=4,
        )
    )
    met = data.draw(
        st.lists(
            st.tuples(st.sampled_from(everyone), st.sampled_from(everyone)).filter(
                lambda pair: pair[0] != pair[1]
            ),
            max_size=6,
        )
    )
    helps = random_helps(people, 3, seed)
    arguments = {"rounds": rounds, "table_size": table_size, "avoid": avoid, "met": met}

    with mock.patch("time.perf_counter", return_value=0.0):  # the same search in both calls
        without = plan_rounds(everyone, seed=seed, time_limit=0.2, **arguments)
        with_helps = plan_rounds(everyone, seed=seed, time_limit=0.2, helps=helps, **arguments)

    before = plan_quality(without, met=met, avoid=avoid)
    after = plan_quality(with_helps, met=met, avoid=avoid)
    for round_ in with_helps:
        assert sorted(p for table in round_ for p in table) == everyone
    assert after.table_sizes == before.table_sizes
    assert after.avoid_violations <= before.avoid_violations
    assert after.repeat_cost <= before.repeat_cost


@pytest.mark.parametrize(("people", "table_size", "rounds"), [(36, 6, 5), (90, 6, 6), (49, 7, 7)])
def test_plan_rounds_helps_seat_more_pitchers_with_a_listener(
    people: int, table_size: int, rounds: int
) -> None:
    helps = random_helps(people, 2, seed=people)

    # The clock standing still, the work allowance alone ends each search (a loaded machine
    # would otherwise cut it anywhere: see test_plan_rounds_is_deterministic_for_a_seed).
    with mock.patch("time.perf_counter", return_value=0.0):
        without = plan_rounds(range(people), rounds=rounds, table_size=table_size)
        with_helps = plan_rounds(range(people), rounds=rounds, table_size=table_size, helps=helps)

    assert plan_quality(with_helps).repeat_cost == plan_quality(without).repeat_cost
    assert plan_quality(with_helps).avoid_violations == 0
    assert helped(with_helps, helps) > helped(without, helps)
    assert helped(with_helps, helps) >= 0.9 * people


def test_plan_rounds_without_helps_is_the_plan_of_before() -> None:
    plain = plan_rounds(range(40), rounds=5, table_size=5, seed=2)

    assert plan_rounds(range(40), rounds=5, table_size=5, seed=2, helps=[]) == plain
    assert plan_rounds(range(40), rounds=5, table_size=5, seed=2, helps=[(1, 99, 1.0)]) == plain


def test_plan_rounds_helps_are_deterministic() -> None:
    helps = random_helps(30, 3, seed=1)

    with mock.patch("time.perf_counter", return_value=0.0):
        first = plan_rounds(range(30), rounds=5, table_size=5, helps=helps, seed=4)
        second = plan_rounds(range(30), rounds=5, table_size=5, helps=helps, seed=4)

    assert second == first


@pytest.mark.parametrize("helps", [[(1, 1, 1.0)], [(1, 2, 0.0)], [(1, 2, float("nan"))], [(1,)]])
def test_plan_rounds_rejects_malformed_helps(helps: list[tuple]) -> None:
    with pytest.raises(ValueError, match="helps"):
        plan_rounds(range(10), rounds=3, table_size=5, helps=helps)
