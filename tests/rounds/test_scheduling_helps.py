"""The planner's matching objective (``plan_rounds(..., helps=...)``): below the hard rules."""

from __future__ import annotations

import random
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.scheduling import plan_quality, plan_rounds
from rounds.scheduling.budget import _Budget
from rounds.scheduling.helpfulness import _better, _HelpSearch

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
        (pitcher, listener, rng.uniform(0.01, 1.0))
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


@pytest.mark.parametrize(
    "helps",
    [[(1, 1, 1.0)], [(1, 2, 0.0)], [(1, 2, 1.5)], [(1, 2, True)], [(1, 2, float("nan"))], [(1,)]],
)
def test_plan_rounds_rejects_malformed_helps(helps: list[tuple]) -> None:
    with pytest.raises(ValueError, match="helps"):
        plan_rounds(range(10), rounds=3, table_size=5, helps=helps)


def expected_helped(plan: list[list[list[int]]], helps: list[tuple[int, int, float]]) -> float:
    """Sum over pitchers of 1 - prod(1 - chance) over the listeners they sit with."""
    mates: dict[int, set[int]] = {}
    for round_ in plan:
        for table in round_:
            for person in table:
                mates.setdefault(person, set()).update(table)
    miss: dict[int, float] = {}
    for pitcher, listener, chance in helps:
        miss.setdefault(pitcher, 1.0)
        if listener in mates[pitcher]:
            miss[pitcher] *= 1.0 - chance
    return sum(1.0 - value for value in miss.values())


def ranked_helps(people: int, per_pitcher: int, seed: int) -> list[tuple[int, int, float]]:
    """Each pitcher's listeners with the chances a ranking gives them: 1/2, 1/3, 1/4, ..."""
    rng = random.Random(seed)
    return [
        (pitcher, listener, 1.0 / (rank + 2))
        for pitcher in range(people)
        for rank, listener in enumerate(
            rng.sample([p for p in range(people) if p != pitcher], per_pitcher)
        )
    ]


@pytest.mark.parametrize(("people", "table_size", "rounds"), [(90, 6, 6), (98, 7, 7)])
def test_plan_rounds_helps_raise_the_expected_pitchers_who_meet_a_helper(
    people: int, table_size: int, rounds: int
) -> None:
    helps = ranked_helps(people, 20, seed=people)

    with mock.patch("time.perf_counter", return_value=0.0):
        without = plan_rounds(range(people), rounds=rounds, table_size=table_size)
        with_helps = plan_rounds(range(people), rounds=rounds, table_size=table_size, helps=helps)

    assert plan_quality(with_helps).repeat_cost == plan_quality(without).repeat_cost
    assert expected_helped(with_helps, helps) > expected_helped(without, helps)
    assert helped(with_helps, helps) == people  # every pitcher meets one of their listeners


def test_plan_rounds_helps_seat_a_pitcher_with_the_listener_they_named() -> None:
    named = [(pitcher, (pitcher + 7) % 30, 1.0) for pitcher in range(0, 30, 3)]
    long_shots = ranked_helps(30, 5, seed=3)

    with mock.patch("time.perf_counter", return_value=0.0):
        plan = plan_rounds(range(30), rounds=4, table_size=5, helps=named + long_shots)

    mates: dict[int, set[int]] = {}
    for round_ in plan:
        for table in round_:
            for person in table:
                mates.setdefault(person, set()).update(table)
    assert all(listener in mates[pitcher] for pitcher, listener, _chance in named)


def test_help_search_prefers_a_likely_helper_for_a_pitcher_with_little_chance() -> None:
    # Pitcher 0 sits with a near-certain helper (1); pitcher 3 only with a long shot (4).
    # Bringing 2 (chance 0.6 for pitcher 0) to pitcher 0 adds more total chance than bringing 5
    # (chance 0.4 for pitcher 3) to pitcher 3, but far less expected help: 0.06 against 0.36.
    plan = [[[0, 1, 8, 9], [3, 4, 10, 11], [2, 5, 6, 7]]]
    helps = {0: {1: 0.9, 2: 0.6}, 3: {4: 0.1, 5: 0.4}}
    search = _HelpSearch(plan, 12, [], [], helps, random.Random(0))

    for_pitcher_0 = search._judge(search._swap_changes(0, 8, 2))  # 2 joins 0's table
    for_pitcher_3 = search._judge(search._swap_changes(0, 10, 5))  # 5 joins 3's table

    assert for_pitcher_0 is not None
    assert for_pitcher_3 is not None
    (expected_0, total_0, _fair), _work = for_pitcher_0
    (expected_3, total_3, _fair), _work = for_pitcher_3
    assert total_0 == pytest.approx(0.6)
    assert total_3 == pytest.approx(0.4)
    assert expected_0 == pytest.approx(0.1 * 0.6)  # the chance of no help falls from 0.1 to 0.04
    assert expected_3 == pytest.approx(0.9 * 0.4)  # from 0.9 to 0.54
    assert _better(for_pitcher_3[0], for_pitcher_0[0])


def test_help_search_breaks_ties_by_the_fewest_encounters_anyone_gets() -> None:
    assert _better((0.0, 0.0, 1), (0.0, 0.0, 0))
    assert _better((1e-15, 0.0, 1), (0.0, 1e-15, 0))  # rounding is no gain
    assert not _better((0.0, 0.0, 0), (0.0, 0.0, 0))
    assert _better((0.1, -5.0, -1), (0.0, 0.0, 0))  # expected help first

    plan = [[[0, 1, 2], [3, 4, 5]], [[0, 3, 4], [1, 2, 5]]]
    search = _HelpSearch(plan, 6, [], [], {0: {1: 0.5, 3: 0.5}, 5: {4: 0.5}}, random.Random(0))
    assert search._fewest({}) == 1  # pitcher 5 meets 4 once
    assert search._fewest({5: -1}) == 0
    assert search._fewest({5: 1}) == 2


def _figures(plan, n, met, avoid, helps):
    """The hard-rule figures and the objective of a plan, counted from scratch."""
    together: dict[tuple[int, int], int] = {}
    for round_ in plan:
        for table in round_:
            for a in table:
                for b in table:
                    if a < b:
                        together[a, b] = together.get((a, b), 0) + 1
    met_pairs = {tuple(sorted(pair)) for pair in met}
    avoid_pairs = {tuple(sorted(pair)) for pair in avoid}
    times = {pair: together.get(pair, 0) for pair in together.keys() | met_pairs}
    meetings = {pair: count + (pair in met_pairs) for pair, count in times.items()}
    mates: list[set[int]] = [set() for _ in range(n)]
    for a, b in together:
        mates[a].add(b)
        mates[b].add(a)
    expected = total = 0.0
    encounters = []
    for pitcher, row in helps.items():
        miss = 1.0
        count = 0
        for listener, chance in row.items():
            seen = together.get(tuple(sorted((pitcher, listener))), 0)
            count += seen
            total += seen * chance
            if seen:
                miss *= 1.0 - chance
        expected += 1.0 - miss
        encounters.append(count)
    return {
        "hits": sum(together.get(pair, 0) for pair in avoid_pairs),
        "repeats": sum(m * (m - 1) // 2 for m in meetings.values()),
        "meetings": meetings,
        "people_met": [len(m) for m in mates],
        "expected": expected,
        "total": total,
        "fewest": min(encounters),
    }


def _moved(plan, kind, r, a, b):
    moved = [[list(table) for table in round_] for round_ in plan]
    for number, round_ in enumerate(moved):
        if kind == "swap" and number != r:
            continue
        for table in round_:
            table[:] = [b if x == a else a if x == b else x for x in table]
    return moved


@pytest.mark.parametrize("seed", range(6))
def test_help_search_judges_a_move_as_the_plan_counted_afresh(seed: int) -> None:
    # _judge's incremental figures against the plan before and after the move, counted from
    # scratch: refused exactly when a hard rule gets worse, else the same gains.
    rng = random.Random(seed)
    n, size, rounds = 24, 4, 4
    plan = []
    for _round in range(rounds):
        people = rng.sample(range(n), n)
        plan.append([people[i : i + size] for i in range(0, n, size)])
    met = [tuple(rng.sample(range(n), 2)) for _ in range(4)]
    avoid = [tuple(rng.sample(range(n), 2)) for _ in range(3)]
    helps = {
        p: {q: rng.choice([1.0, rng.uniform(0.05, 0.9)]) for q in rng.sample(range(n), 4) if q != p}
        for p in rng.sample(range(n), 12)
    }
    search = _HelpSearch([[list(t) for t in r_] for r_ in plan], n, met, avoid, helps, rng)
    before = _figures(plan, n, met, avoid, helps)
    most = max(max(before["meetings"].values()), 1)
    judged_some = refused_some = 0
    for _move in range(120):
        a, b = rng.sample(range(n), 2)
        r = rng.randrange(rounds)
        kind = rng.choice(["relabel", "swap"])
        if kind == "swap" and search.seat[r][a] == search.seat[r][b]:
            continue
        changes = (
            search._relabel_changes(a, b) if kind == "relabel" else search._swap_changes(r, a, b)
        )
        judged = search._judge(changes)
        after = _figures(_moved(plan, kind, r, a, b), n, met, avoid, helps)
        refused = (
            after["hits"] > before["hits"]
            or after["repeats"] > before["repeats"]
            or any(
                m > most and m > before["meetings"].get(pair, 0)
                for pair, m in after["meetings"].items()
            )
            or any(
                now < then and now < min(before["people_met"])
                for now, then in zip(after["people_met"], before["people_met"], strict=True)
            )
        )
        if refused:
            refused_some += 1
            assert judged is None
            continue
        judged_some += 1
        assert judged is not None
        (expected, total, fairness), _work = judged
        assert expected == pytest.approx(after["expected"] - before["expected"], abs=1e-9)
        assert total == pytest.approx(after["total"] - before["total"], abs=1e-9)
        assert fairness == after["fewest"] - before["fewest"]
    assert judged_some
    assert refused_some


def _random_plan(rng: random.Random, n: int, size: int, rounds: int) -> list[list[list[int]]]:
    plan = []
    for _round in range(rounds):
        people = rng.sample(range(n), n)
        plan.append([people[i : i + size] for i in range(0, n, size)])
    return plan


@pytest.mark.parametrize("seed", range(6))
def test_a_relabelling_is_judged_from_the_helps_alone_as_from_every_pair(seed: int) -> None:
    # _judge_relabel reads only the pitchers concerned; for two people with no earlier meeting
    # and no pair to keep apart it must give _judge's figures over every pair the exchange moves
    # (a random plan: repeats, uneven tables, chances of 1 among them)
    rng = random.Random(seed)
    n = 26
    plan = _random_plan(rng, n, 4, 5)
    met = [(0, 1), (2, 3)]
    avoid = [(4, 5)]
    helps = {
        p: {q: rng.choice([1.0, rng.uniform(0.05, 0.9)]) for q in rng.sample(range(n), 5) if q != p}
        for p in rng.sample(range(n), 18)
    }
    search = _HelpSearch([[list(t) for t in r_] for r_ in plan], n, met, avoid, helps, rng)
    free = [p for p in range(n) if p not in search.bound]
    compared = 0
    for _move in range(150):
        a, b = rng.sample(free, 2)
        full = search._judge(search._relabel_changes(a, b))
        (expected, total, fairness), work = search._judge_relabel(a, b)
        assert full is not None
        (full_expected, full_total, full_fairness), full_work = full
        assert expected == pytest.approx(full_expected, abs=1e-12)
        assert total == pytest.approx(full_total, abs=1e-12)
        assert fairness == full_fairness
        assert work >= full_work  # the pairs it read besides the encounters that flip
        compared += 1
        if rng.random() < 0.3:  # move on, so later pairs are judged in other plans
            touched = search._apply_counts(search._relabel_changes(a, b))
            search._relabel(a, b)
            for pitcher in touched:
                search._recount(pitcher)
    assert compared == 150


@pytest.mark.parametrize("seed", range(4))
def test_a_swap_that_adds_a_repeat_is_refused_before_its_changes_are_listed(seed: int) -> None:
    # in a plan where no pair meets twice, _swap_repeats says exactly which swaps _judge would
    # refuse (here nothing else can refuse one: no earlier meeting, no pair to keep apart)
    rng = random.Random(seed)
    n, size, rounds = 48, 4, 3
    plan = plan_rounds(range(n), rounds=rounds, table_size=size, seed=seed)
    assert plan_quality(plan).repeat_cost == 0
    helps = {p: {q: 0.5 for q in rng.sample(range(n), 4) if q != p} for p in range(n)}
    search = _HelpSearch([[list(t) for t in r_] for r_ in plan], n, [], [], helps, rng)
    assert search.repeat_free
    refused = allowed = 0
    for _move in range(200):
        r = rng.randrange(rounds)
        a, b = rng.sample(range(n), 2)
        if search.seat[r][a] == search.seat[r][b]:
            continue
        judged = search._judge(search._swap_changes(r, a, b))
        assert search._swap_repeats(r, a, b) == (judged is None)
        refused += judged is None
        allowed += judged is not None
    assert refused
    assert allowed


@pytest.mark.parametrize("seed", range(3))
def test_the_quick_judgements_leave_the_search_and_its_plan_unchanged(seed: int) -> None:
    # the same search with both quick paths turned off (everyone counted as bound, the plan as
    # not repeat-free) takes the same moves: the same plan, move for move (the quick paths read
    # fewer pairs and so are charged less work: the searches run until no move helps)
    rng = random.Random(seed)
    n, size, rounds = 48, 6, 5
    plan = plan_rounds(range(n), rounds=rounds, table_size=size, seed=seed)
    helps = {
        p: {q: rng.uniform(0.05, 1.0) for q in rng.sample(range(n), 6) if q != p} for p in range(n)
    }
    plans = []
    for quick in (True, False):
        search = _HelpSearch(
            [[list(t) for t in r_] for r_ in plan], n, [], [], helps, random.Random(seed)
        )
        if not quick:
            search.bound, search.repeat_free = set(range(n)), False
        with mock.patch.object(
            search, "_judge_relabel", wraps=search._judge_relabel
        ) as relabel_judged:
            search.run(_Budget(60.0))  # ends when no move helps, long before the allowance
        assert relabel_judged.called == quick
        plans.append(search.plan)
    assert plans[0] == plans[1]
    assert plans[0] != plan  # the search moved people
