"""Tests of the rotation planner (rounds.scheduling): pure Python, no database."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from itertools import combinations
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rounds.scheduling import (
    Forecast,
    Quality,
    changed_itineraries,
    forecast,
    lower_bound,
    plan_quality,
    plan_rounds,
    replan_rounds,
    table_sizes,
)

ROOT = Path(__file__).resolve().parents[2]

# Small and derandomized: the suite stays fast and every run checks the same examples.
PROPERTIES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def seated(round_: list[list[int]]) -> list[int]:
    return sorted(person for table in round_ for person in table)


def pairs_of(plan: list[list[list[int]]]) -> list[tuple[int, int]]:
    return [pair for round_ in plan for table in round_ for pair in combinations(sorted(table), 2)]


def together(plan: list[list[list[int]]], a: int, b: int) -> int:
    return sum(1 for round_ in plan for table in round_ if a in table and b in table)


def sizes_of(round_: list[list[int]]) -> list[int]:
    return sorted((len(table) for table in round_), reverse=True)


# -- table sizes, bounds, forecast ------------------------------------------------------------


def test_table_sizes_balances_tables_as_in_the_issue() -> None:
    assert table_sizes(37, 6) == [6, 6, 5, 5, 5, 5, 5]


def test_table_sizes_makes_one_table_for_a_tiny_event() -> None:
    assert table_sizes(5, 8) == [5]


def test_table_sizes_never_makes_a_table_of_one() -> None:
    assert table_sizes(7, 2) == [3, 2, 2]


@pytest.mark.parametrize(
    ("people", "table_size", "rounds", "bound"),
    [(10, 5, 5, 80), (24, 6, 6, 120), (40, 8, 6, 225), (48, 6, 8, 0)],
)
def test_lower_bound_matches_the_pigeonhole_figures(
    people: int, table_size: int, rounds: int, bound: int
) -> None:
    sizes = table_sizes(people, table_size)

    assert lower_bound([sizes] * rounds) == bound


def test_lower_bound_counts_seats_when_rounds_outnumber_partners() -> None:
    # 20 people at 5 tables of 4 for 7 rounds: everyone fills 21 seats but has 19 others, so at
    # least two repeats each; the tables alone (5 tables >= 4 seats) force nothing.
    assert lower_bound([[4] * 5] * 7) == 20


def test_lower_bound_rejects_an_empty_round() -> None:
    with pytest.raises(ValueError, match="at least one table"):
        lower_bound([[4, 4], []])


def test_forecast_warns_and_suggests_a_smaller_table() -> None:
    result = forecast(40, rounds=6, table_size=8)

    assert result == Forecast(
        repeats_forced=True,
        min_repeat_cost=225,
        suggested_table_size=6,
        message=(
            "40 people at tables of 8 (5 tables) for 6 rounds: repeat meetings are unavoidable; "
            "the best plan has at least 225 (a pair meeting m times counts C(m, 2)). "
            "Tables of 6 (7 tables) allow a plan without repeats."
        ),
    )


def test_forecast_warns_when_rounds_outnumber_partners() -> None:
    result = forecast(20, rounds=7, table_size=4)

    assert (result.repeats_forced, result.min_repeat_cost, result.suggested_table_size) == (
        True,
        20,
        3,
    )


def test_forecast_is_quiet_when_no_repeat_is_forced() -> None:
    result = forecast(48, rounds=8, table_size=6)

    assert result == Forecast(
        False,
        0,
        None,
        "48 people at tables of 6 (8 tables) for 8 rounds: no repeat meetings are forced.",
    )


# -- fresh plans --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "table_size", "rounds"),
    [(40, 6, 7), (48, 6, 8), (49, 7, 8), (64, 8, 9), (30, 5, 6), (500, 7, 8)],
)
def test_plan_rounds_has_no_repeats_where_a_construction_exists(
    people: int, table_size: int, rounds: int
) -> None:
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, time_limit=0.5)

    quality = plan_quality(plan)
    assert (quality.repeated_pairs, quality.max_meetings) == (0, 1)
    assert all(sizes_of(round_) == table_sizes(people, table_size) for round_ in plan)
    assert all(seated(round_) == list(range(people)) for round_ in plan)


@pytest.mark.parametrize(
    ("people", "table_size", "rounds", "cost"), [(10, 5, 5, 80), (24, 6, 6, 120), (40, 8, 6, 225)]
)
def test_plan_rounds_comes_within_a_tenth_of_the_bound_where_repeats_are_forced(
    people: int, table_size: int, rounds: int, cost: int
) -> None:
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, time_limit=0.5)

    # The bound is arithmetic; how close a time-limited search gets is a range, not a figure.
    quality = plan_quality(plan)
    assert quality.lower_bound == cost
    assert cost <= quality.repeat_cost <= cost * 1.1


def test_plan_rounds_seats_a_tiny_event_at_one_table() -> None:
    plan = plan_rounds(["c", "a", "b"], rounds=2, table_size=8)

    assert plan == [[["a", "b", "c"]], [["a", "b", "c"]]]


def test_plan_rounds_keeps_colleagues_and_acquaintances_apart() -> None:
    people = list(range(120))
    shuffled = random.Random(7).sample(people, 120)
    companies = [shuffled[i : i + 6] for i in range(0, 60, 6)]
    avoid = [pair for company in companies for pair in combinations(company, 2)]
    met = [(shuffled[60 + i], shuffled[61 + i]) for i in range(0, 20, 2)]

    plan = plan_rounds(people, rounds=8, table_size=6, avoid=avoid, met=met, time_limit=1.0)

    quality = plan_quality(plan, met=met, avoid=avoid)
    assert (quality.avoid_violations, quality.repeat_cost) == (0, 0)


def test_plan_rounds_repairs_a_large_plan_whose_acquaintances_do_not_fit_a_grid_row() -> None:
    draw = random.Random(11)
    circle = draw.sample(range(1000), 300)  # one web of 300 acquaintances; grid rows hold 125
    met = [tuple(draw.sample(circle, 2)) for _ in range(600)]

    plan = plan_rounds(range(1000), rounds=4, table_size=8, met=met, time_limit=1.0)

    quality = plan_quality(plan, met=met)
    assert (quality.repeat_cost, quality.table_sizes) == (0, ((8,) * 125,) * 4)


def test_plan_rounds_does_not_depend_on_input_order() -> None:
    people = [f"p{i}" for i in range(45)]

    with mock.patch("time.perf_counter", return_value=0.0):  # see the determinism test
        first = plan_rounds(people, rounds=6, table_size=6, seed=3, time_limit=0.5)
        second = plan_rounds(reversed(people), rounds=6, table_size=6, seed=3, time_limit=0.5)

    assert first == second


def test_plan_rounds_depends_on_the_seed() -> None:
    first = plan_rounds(range(45), rounds=6, table_size=6, seed=1, time_limit=0.5)
    second = plan_rounds(range(45), rounds=6, table_size=6, seed=2, time_limit=0.5)

    assert first != second


def test_plan_rounds_is_the_same_in_processes_with_different_string_hashes() -> None:
    script = (
        "from rounds.scheduling import plan_rounds\n"
        "people = [f'guest-{i}' for i in range(30)]\n"
        "avoid = [('guest-1', 'guest-2'), ('guest-3', 'guest-4')]\n"
        "print(plan_rounds(people, rounds=4, table_size=5, avoid=avoid, seed=9))\n"
    )

    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }

    assert len(outputs) == 1


def test_plan_rounds_spreads_forced_repeats_evenly() -> None:
    plan = plan_rounds(range(24), rounds=6, table_size=6, time_limit=0.5)

    # Each person sits with 6 × 5 = 30 others over the evening but only 23 exist: at least 7
    # repeats each. Spread evenly, nobody carries many more than that.
    assert 7 <= plan_quality(plan).max_person_repeats <= 10


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"table_size": 1}, "table_size must be an int >= 2"),
        ({"rounds": 0}, "rounds must be an int >= 1"),
        ({"people": [1, 2, 2]}, "people lists 2 more than once"),
        ({"people": [1]}, "at least two people"),
        ({"avoid": [(1, 99)]}, r"avoid pair \(1, 99\) names someone who is not present"),
        ({"avoid": [(1, 1)]}, "names the same person twice"),
        ({"met": [(1, 2, 3)]}, "met must hold pairs of people"),
        ({"time_limit": 0}, "time_limit must be a positive number"),
    ],
)
def test_plan_rounds_rejects_bad_input(arguments: dict[str, object], message: str) -> None:
    call: dict[str, object] = {"people": [1, 2, 3, 4], "rounds": 2, "table_size": 2}
    call.update(arguments)

    with pytest.raises(ValueError, match=message):
        plan_rounds(**call)  # type: ignore[arg-type]


def test_plan_rounds_ignores_met_pairs_of_people_who_left() -> None:
    plan = plan_rounds(range(12), rounds=3, table_size=3, met=[(0, 99)], time_limit=0.3)

    assert plan_quality(plan).repeat_cost == 0


# -- quality and changed itineraries -----------------------------------------------------------


def test_plan_quality_reports_every_figure() -> None:
    plan = [[["a", "b", "c"], ["d", "e"]], [["a", "b"], ["c", "d", "e"]]]

    quality = plan_quality(plan, met=[("a", "e"), ("a", "gone")], avoid=[("c", "d")])

    assert quality == Quality(
        repeated_pairs=2,
        max_meetings=2,
        repeat_cost=2,
        lower_bound=1,
        avoid_violations=1,
        table_sizes=((3, 2), (2, 3)),
        min_distinct_met=2,
        mean_distinct_met=2.4,
        max_distinct_met=4,
        max_person_repeats=1,
    )


def test_plan_quality_counts_a_triple_meeting_as_three() -> None:
    plan = [[[1, 2], [3, 4]]] * 3

    assert plan_quality(plan).repeat_cost == 6


def test_plan_quality_rejects_an_avoid_pair_outside_the_plan() -> None:
    with pytest.raises(ValueError, match="names someone who is not present"):
        plan_quality([[[1, 2]]], avoid=[(1, 3)])


def test_changed_itineraries_lists_moves_absentees_and_arrivals() -> None:
    old = [[[1, 2], [3, 4]], [[1, 3], [2, 4]]]
    new = [[[1, 2], [3, 4]], [[1, 3], [2, 5]]]

    assert changed_itineraries(old, new, tablemates=False) == {4, 5}
    assert changed_itineraries(old, new) == {2, 4, 5}


def test_changed_itineraries_rejects_plans_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same number of rounds"):
        changed_itineraries([[[1, 2]]], [])


# -- re-planning ---------------------------------------------------------------------------------


def no_show_scenario(people: int, table_size: int, rounds: int, absent: int, seed: int = 0):
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, seed=seed)
    gone = set(random.Random(f"absent-{seed}").sample(range(people), absent))
    return plan, [p for p in range(people) if p not in gone]


def test_replan_rounds_changes_nothing_when_everyone_stays() -> None:
    plan = plan_rounds(range(40), rounds=7, table_size=6)

    result = replan_rounds(plan, played=2, present=range(40), table_size=6)

    assert result == plan


def test_replan_rounds_returns_the_plan_when_every_round_is_played() -> None:
    plan = plan_rounds(range(12), rounds=2, table_size=4)

    assert replan_rounds(plan, played=2, present=[0, 1], table_size=4) == plan


def test_replan_rounds_repairs_no_shows_without_repeats_and_few_moves() -> None:
    plan, present = no_show_scenario(120, 6, 8, absent=12)

    result = replan_rounds(plan, played=1, present=present, table_size=6)

    assert result[:1] == plan[:1]
    assert all(seated(round_) == present for round_ in result[1:])
    assert plan_quality(result).repeat_cost == 0
    moved = changed_itineraries(plan, result, tablemates=False) & set(present)
    assert len(moved) <= len(present) // 5


def test_replan_rounds_seats_late_arrivals_without_repeats_and_few_moves() -> None:
    plan, present = no_show_scenario(120, 6, 8, absent=12)
    plan = replan_rounds(plan, played=1, present=present, table_size=6)
    arrivals = [200, 201, 202, 203, 204]

    result = replan_rounds(plan, played=2, present=present + arrivals, table_size=6)

    assert result[:2] == plan[:2]
    assert all(seated(round_) == present + arrivals for round_ in result[2:])
    assert plan_quality(result).repeat_cost == 0
    moved = changed_itineraries(plan, result, tablemates=False)
    assert len(moved) <= 12


def test_replan_rounds_opens_a_table_when_arrivals_overflow_the_tables() -> None:
    plan = plan_rounds(range(48), rounds=4, table_size=6)

    result = replan_rounds(plan, played=1, present=range(51), table_size=6)

    assert [len(round_) for round_ in result] == [8, 9, 9, 9]
    assert all(max(sizes_of(r)) <= 6 and max(sizes_of(r)) - min(sizes_of(r)) <= 2 for r in result)


def test_replan_rounds_dissolves_the_last_tables_when_many_leave() -> None:
    plan = plan_rounds(range(40), rounds=3, table_size=8)

    result = replan_rounds(plan, played=1, present=range(12), table_size=8)

    assert [len(round_) for round_ in result[1:]] == [4, 4]
    assert all(sizes_of(round_) == [3, 3, 3, 3] for round_ in result[1:])


def test_replan_rounds_seats_a_walk_in_at_the_free_places_when_repeats_are_forced() -> None:
    # A tester's evening: 14 people at tables of 5, 5 and 4 for 5 rounds (each meets 4 people a
    # round, 20 > 13 others: repeats are forced); after round 1 one person arrives.
    plan = plan_rounds(range(14), rounds=5, table_size=5, seed=0)
    free_places = plan[:1] + [[[*t, 14] if len(t) == 4 else t for t in r] for r in plan[1:]]

    result = replan_rounds(plan, played=1, present=range(15), table_size=5, seed=0)

    coming = changed_itineraries(plan[1:2], result[1:2], tablemates=False) - {14}
    moved = changed_itineraries(plan, result, tablemates=False) - {14}
    assert len(coming) <= 1
    assert len(moved) <= 2
    assert plan_quality(result).repeat_cost <= plan_quality(free_places).repeat_cost


def test_replan_rounds_balances_the_tables_after_someone_leaves_when_repeats_are_forced() -> None:
    # A whole evening: 14 people at tables of 5, 5 and 4 for 5 rounds (repeats are forced); one
    # leaves before round 4. Deleting them leaves a table of 3 beside two of 5 in round 5, whose
    # pitches run out long before the others'.
    plan = plan_rounds(range(14), rounds=5, table_size=5, seed=0)
    present = [p for p in range(14) if p != 5]
    assert sorted(sum(p != 5 for p in t) for t in plan[4]) == [3, 5, 5]

    result = replan_rounds(plan, played=3, present=present, table_size=5, seed=0)

    assert result[:3] == plan[:3]
    assert [sizes_of(round_) for round_ in result[3:]] == [[5, 4, 4], [5, 4, 4]]
    assert all(seated(round_) == present for round_ in result[3:])


def test_replan_rounds_keeps_history_and_acquaintances_apart() -> None:
    plan, present = no_show_scenario(60, 5, 6, absent=6)
    known = [(present[0], present[1]), (present[2], present[3])]

    result = replan_rounds(plan, played=2, present=present, table_size=5, met=known)

    for a, b in [*pairs_of(plan[:2]), *known]:
        if a in present and b in present:
            assert together(result[2:], a, b) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"played": 4}, "played must be an int from 0 to 3"),
        ({"played": -1}, "played must be an int from 0 to 3"),
        ({"present": [1, 1, 2]}, "present lists 1 more than once"),
        ({"avoid": [(0, 999)]}, r"avoid pair \(0, 999\) names someone who is not present"),
        ({"table_size": 1}, "table_size must be an int >= 2"),
        ({"present": [0]}, "at least two people present"),
        ({"plan": [[[0, 1], [1, 2]]]}, "round 0 of the plan seats someone twice"),
    ],
)
def test_replan_rounds_rejects_bad_input(arguments: dict[str, object], message: str) -> None:
    call: dict[str, object] = {
        "plan": plan_rounds(range(12), rounds=3, table_size=4),
        "played": 1,
        "present": range(12),
        "table_size": 4,
    }
    call.update(arguments)

    with pytest.raises(ValueError, match=message):
        replan_rounds(**call)  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------------------


@st.composite
def events(draw: st.DrawFn) -> tuple[int, int, int, list[tuple[int, int]], list[tuple[int, int]]]:
    """(people, table size, rounds, met, avoid): avoid pairs are disjoint, so that they can always
    be kept apart when there are two tables or more."""
    people = draw(st.integers(2, 40))
    table_size = draw(st.integers(2, 8))
    rounds = draw(st.integers(1, 6))
    order = draw(st.permutations(range(people)))
    avoid_count = draw(st.integers(0, people // 4))
    avoid = [(order[2 * i], order[2 * i + 1]) for i in range(avoid_count)]
    met = draw(st.lists(st.tuples(*[st.integers(0, people - 1)] * 2), max_size=10))
    return people, table_size, rounds, [(a, b) for a, b in met if a != b], avoid


@PROPERTIES
@given(events(), st.integers(0, 3))
def test_plan_rounds_seats_everyone_once_at_balanced_tables(event, seed: int) -> None:
    people, table_size, rounds, met, avoid = event

    plan = plan_rounds(
        range(people),
        rounds=rounds,
        table_size=table_size,
        met=met,
        avoid=avoid,
        seed=seed,
        time_limit=0.2,
    )

    assert len(plan) == rounds
    assert all(seated(round_) == list(range(people)) for round_ in plan)
    assert all(sizes_of(round_) == table_sizes(people, table_size) for round_ in plan)
    if len(table_sizes(people, table_size)) > 1:
        assert plan_quality(plan, met=met, avoid=avoid).avoid_violations == 0


def a_clock_that_runs_out_after(readings: int) -> mock._patch:
    """``time.perf_counter`` standing still for ``readings`` readings (at least one: the
    search's start), then a billion seconds on: the search's wall-clock ceiling passes at some
    step of its work, as on a laptop that other work slows down."""
    count = iter(range(10**9))
    return mock.patch(
        "time.perf_counter", side_effect=lambda: 0.0 if next(count) < readings else 1e9
    )


@pytest.mark.parametrize(
    ("people", "table_size", "rounds", "avoid", "seed"),
    [(4, 2, 3, [(1, 0)], 2), (4, 3, 3, [(0, 2)], 2), (8, 3, 4, [(2, 5)], 3)],
)
def test_plan_rounds_parts_a_keep_apart_pair_when_the_clock_ends_the_search_at_once(
    people: int, table_size: int, rounds: int, avoid: list[tuple[int, int]], seed: int
) -> None:
    """Seen on a loaded machine: the clock ran out at the search's first step, and the
    construction it started from had the pair at one table."""
    with a_clock_that_runs_out_after(1):
        plan = plan_rounds(
            range(people), rounds=rounds, table_size=table_size, avoid=avoid, seed=seed
        )

    assert plan_quality(plan, avoid=avoid).avoid_violations == 0


@PROPERTIES
@given(events(), st.integers(0, 3), st.integers(1, 60))
def test_plan_rounds_parts_keep_apart_pairs_whenever_the_clock_ends_the_search(
    event, seed: int, readings: int
) -> None:
    people, table_size, rounds, met, avoid = event

    with a_clock_that_runs_out_after(readings):
        plan = plan_rounds(
            range(people), rounds=rounds, table_size=table_size, met=met, avoid=avoid, seed=seed
        )

    assert all(sizes_of(round_) == table_sizes(people, table_size) for round_ in plan)
    if len(table_sizes(people, table_size)) > 1:
        assert plan_quality(plan, met=met, avoid=avoid).avoid_violations == 0


@PROPERTIES
@given(events(), st.integers(0, 3), st.integers(1, 60), st.data())
def test_replan_rounds_parts_keep_apart_pairs_whenever_the_clock_ends_the_search(
    event, seed: int, readings: int, data
) -> None:
    people, table_size, rounds, _, _ = event
    assume(rounds >= 2 and people >= 6)
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, seed=seed)
    played = data.draw(st.integers(1, rounds - 1))
    left = data.draw(st.sets(st.integers(0, people - 1), max_size=people // 4))
    present = [person for person in range(people) if person not in left]
    # pairs seated together in the rounds to come: the worst case for the repair
    together = []
    for table in plan[played]:
        free = [person for person in table if person in present]
        together += [(free[i], free[i + 1]) for i in range(0, len(free) - 1, 2)]
    avoid = together[: len(present) // 4]

    with a_clock_that_runs_out_after(readings):
        replanned = replan_rounds(
            plan, played=played, present=present, table_size=table_size, avoid=avoid, seed=seed
        )

    assert replanned[:played] == plan[:played]
    for round_ in replanned[played:]:
        if len(round_) > 1:
            assert plan_quality([round_], avoid=avoid).avoid_violations == 0


@PROPERTIES
@given(events(), st.integers(0, 3))
def test_plan_rounds_is_deterministic_for_a_seed(event, seed: int) -> None:
    people, table_size, rounds, met, avoid = event
    call = {
        "rounds": rounds,
        "table_size": table_size,
        "met": met,
        "avoid": avoid,
        "seed": seed,
        "time_limit": 0.05,
    }

    # The wall clock is only a ceiling (a machine slowed down by other work may reach it first,
    # and then returns the best plan so far). With the clock standing still, the work allowance
    # that time_limit buys alone ends each search: the same call gives the same plan.
    with mock.patch("time.perf_counter", return_value=0.0):
        first = plan_rounds(range(people), **call)
        second = plan_rounds(range(people), **call)

    assert first == second


@st.composite
def constructible(draw: st.DrawFn) -> tuple[int, int, int]:
    """(people, table size, rounds) on a grid with a prime-power number of tables at least the
    table size and no more rounds than tables: repeat-free plans exist."""
    tables = draw(st.sampled_from([4, 5, 7, 8, 9, 11, 13, 16]))
    table_size = draw(st.integers(2, min(tables, 8)))
    # tables of two with an odd count seat three at one table: no longer a grid
    holes = draw(st.integers(0, table_size - 1).filter(lambda h: table_size > 2 or h == 0))
    rounds = draw(st.integers(1, tables))
    return table_size * tables - holes, table_size, rounds


@PROPERTIES
@given(constructible(), st.integers(0, 3))
def test_plan_rounds_has_no_repeats_on_constructible_instances(instance, seed: int) -> None:
    people, table_size, rounds = instance

    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, seed=seed)

    assert plan_quality(plan).repeat_cost == 0


@st.composite
def changes(draw: st.DrawFn) -> tuple[int, int, int, int, list[int], list[int]]:
    """A constructible event, the rounds played and who left and arrived since."""
    people, table_size, rounds = draw(constructible().filter(lambda event: event[2] >= 2))
    played = draw(st.integers(0, rounds - 1))
    left = draw(st.lists(st.integers(0, people - 1), unique=True, max_size=people // 5))
    arrived = list(range(people, people + draw(st.integers(0, 3))))
    present = [p for p in range(people) if p not in left] + arrived
    return people, table_size, rounds, played, present, left


@PROPERTIES
@given(changes(), st.integers(0, 3))
def test_replan_rounds_keeps_history_and_seats_exactly_the_present(change, seed: int) -> None:
    people, table_size, rounds, played, present, _ = change
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, seed=seed)

    result = replan_rounds(
        plan, played=played, present=present, table_size=table_size, seed=seed, time_limit=0.2
    )

    assert result[:played] == plan[:played]
    assert len(result) == rounds
    fresh = table_sizes(len(present), table_size)
    for round_ in result[played:]:
        sizes = sizes_of(round_)
        assert seated(round_) == sorted(present)
        assert sizes[0] <= fresh[0]
        assert sizes[-1] >= min(3, fresh[-1])
        assert sizes[0] - sizes[-1] <= 1


def deleting_keeps_the_size_rules(
    plan: list[list[list[int]]], played: int, present: list[int], table_size: int
) -> bool:
    """Whether deleting the absentees alone leaves every later round within the documented
    limits (largest fresh size, at least three or the smallest fresh size, sizes within one,
    at most one table per three people), so that nobody has to move."""
    fresh = table_sizes(len(present), table_size)
    here = set(present)
    for round_ in plan[played:]:
        sizes = [sum(1 for p in table if p in here) for table in round_]
        if len(round_) > len(present) // min(3, fresh[-1]) or len(round_) < len(fresh):
            return False
        if max(sizes) > fresh[0] or min(sizes) < min(3, fresh[-1]) or max(sizes) - min(sizes) > 1:
            return False
    return True


@PROPERTIES
@given(changes(), st.integers(0, 3))
def test_replan_rounds_keeps_pairs_that_met_apart_after_no_shows(change, seed: int) -> None:
    people, table_size, rounds, played, _, left = change
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, seed=seed)
    present = [p for p in range(people) if p not in left]
    assume(deleting_keeps_the_size_rules(plan, played, present, table_size))

    result = replan_rounds(
        plan, played=played, present=present, table_size=table_size, seed=seed, time_limit=0.3
    )

    assert plan_quality(result).repeat_cost == 0


@PROPERTIES
@given(st.integers(6, 24), st.integers(3, 6), st.integers(2, 5), st.integers(0, 3), st.data())
def test_replan_rounds_balances_every_round_to_come(
    people: int, table_size: int, rounds: int, seed: int, data: st.DataObject
) -> None:
    # A small room, with or without forced repeats; after ``played`` rounds some left (among
    # them one or two of one table to come, the way a table falls short) and some walked in.
    with mock.patch("time.perf_counter", return_value=0.0):  # the same plan on every run
        plan = plan_rounds(
            range(people), rounds=rounds, table_size=table_size, seed=seed, time_limit=0.1
        )
    played = data.draw(st.integers(0, rounds - 1))
    table = data.draw(st.sampled_from([t for round_ in plan[played:] for t in round_]))
    left = set(data.draw(st.lists(st.sampled_from(table), unique=True, min_size=1, max_size=2)))
    left |= set(data.draw(st.lists(st.integers(0, people - 1), max_size=people // 4)))
    arrived = list(range(people, people + data.draw(st.integers(0, 2))))
    present = [p for p in range(people) if p not in left] + arrived
    assume(len(present) >= 2)
    order = data.draw(st.permutations(present))
    avoid = [(order[2 * i], order[2 * i + 1]) for i in range(data.draw(st.integers(0, 2)))]

    result = replan_rounds(
        plan,
        played=played,
        present=present,
        table_size=table_size,
        avoid=avoid,
        seed=seed,
        time_limit=0.2,
    )

    assert result[:played] == plan[:played]
    fresh = table_sizes(len(present), table_size)
    for round_ in result[played:]:
        sizes = sizes_of(round_)
        assert seated(round_) == sorted(present)
        assert sizes[0] - sizes[-1] <= 1
        assert sizes[0] <= fresh[0]
        assert sizes[-1] >= min(3, fresh[-1])
    if len(fresh) > 1:
        assert plan_quality(result[played:], avoid=avoid).avoid_violations == 0
    # Where nobody needs to move (nobody arrived, deleting the absentees leaves balanced
    # tables, no keep-apart pair together), balancing costs nothing: the repeats are at most
    # those of the rounds as they stand.
    here = set(present)
    kept = plan[:played] + [[[p for p in t if p in here] for t in r] for r in plan[played:]]
    if (
        max(present) < people
        and deleting_keeps_the_size_rules(plan, played, present, table_size)
        and plan_quality(kept[played:], avoid=avoid).avoid_violations == 0
    ):
        assert plan_quality(result).repeat_cost <= plan_quality(kept).repeat_cost


def test_scheduling_imports_no_django() -> None:
    script = "import sys, rounds.scheduling; print(sorted(m for m in sys.modules if 'django' in m))"

    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout == "[]\n"


def met_pairs(rounds: list[list[list[int]]]) -> set[tuple[int, int]]:
    return {pair for round_ in rounds for table in round_ for pair in combinations(table, 2)}


def has_free_swap(round_: list[list[int]], pair: tuple[int, int], met: set) -> bool:
    """Whether one of the pair can swap seats with someone at another table of this round
    with nobody meeting anyone again (``met``: pairs, sorted, that met in some other round)."""
    number = next(t for t, table in enumerate(round_) if pair[0] in table)
    home = round_[number]
    for person in pair:
        for other_table in round_[:number] + round_[number + 1 :]:
            for other in other_table:
                new = [(other, p) for p in home if p != person] + [
                    (person, p) for p in other_table if p != other
                ]
                if all(tuple(sorted(link)) not in met for link in new):
                    return True
    return False


@PROPERTIES
@given(constructible().filter(lambda event: event[2] >= 2), st.data(), st.integers(0, 3))
def test_replan_rounds_separates_a_keep_apart_pair_with_one_swap_a_round(
    instance, data: st.DataObject, seed: int
) -> None:
    people, table_size, rounds = instance
    plan = plan_rounds(range(people), rounds=rounds, table_size=table_size, seed=seed)
    played = data.draw(st.integers(0, rounds - 1))
    sharing = sorted(
        {pair for round_ in plan[played:] for table in round_ for pair in combinations(table, 2)}
    )
    assume(sharing)
    pair = data.draw(st.sampled_from(sharing))
    affected = [r for r in range(played, rounds) if any(set(pair) <= set(t) for t in plan[r])]
    for r in affected:
        others = met_pairs(plan[:r] + plan[r + 1 :])
        assume(has_free_swap(plan[r], pair, others))

    result = replan_rounds(
        plan,
        played=played,
        present=range(people),
        table_size=table_size,
        avoid=[pair],
        seed=seed,
        time_limit=0.3,
    )

    assert plan_quality(result[played:], avoid=[pair]).avoid_violations == 0
    assert plan_quality(result).repeat_cost == plan_quality(plan).repeat_cost == 0
    assert len(changed_itineraries(plan, result, tablemates=False)) <= 2 * len(affected)


class StoppedClock:
    """A ``time`` module whose clock jumps ten seconds at every reading: a machine so loaded
    that every search finds its time up at its first look."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 10.0
        return self.now


def test_replan_rounds_parts_a_keep_apart_pair_when_the_clock_stops_every_search() -> None:
    plan = plan_rounds(range(120), rounds=6, table_size=6, seed=0)
    pair = (plan[3][0][0], plan[3][0][1])

    with mock.patch("rounds.scheduling.budget.time", StoppedClock()):
        result = replan_rounds(plan, played=1, present=range(120), table_size=6, avoid=[pair])

    assert plan_quality(result[1:], avoid=[pair]).avoid_violations == 0
    assert plan_quality(result).repeat_cost == 0
    assert len(changed_itineraries(plan, result, tablemates=False)) == 2
