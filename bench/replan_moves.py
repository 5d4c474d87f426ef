"""How many people a re-plan disturbs, cause by cause: one keep-apart pair, no-shows, walk-ins.

For each room (30, 120 and 1,000 people at tables of 6, 6 rounds by default) and seed, a fresh
``plan_rounds`` plan (``time_limit`` 2.0 s), then after round 1 and after round 2 (``played``)
each cause alone is applied to the plan and ``replan_rounds`` (default ``time_limit`` 1.0 s)
re-plans the rounds left:

- ``avoid 1``: one keep-apart pair made mid-event, drawn among the pairs that share a table in
  a remaining round (their number of such rounds is ``k``);
- ``no-show 1`` / ``no-show 2``: one (two) people present in the plan leave;
- ``walk-in 1`` / ``walk-in 2``: one (two) new people arrive;
- ``no-show 10%``: a tenth of the room leaves.

Printed per re-plan: ``moved``, the people present whose table changes in some remaining round
(``changed_itineraries(tablemates=False)``, arrivals included); ``coming``, of them, those whose
table changes in the coming round (the one phones already show; arrivals not counted); ``k``,
for the keep-apart pair, the remaining rounds it shares a table in (one swap a round, 2k
people, or one move to a shorter table, k people, separates it); ``told``, those whose table or
table-mates change (``tablemates=True``: the phones pushed to, the "Phones told" of the event
log); the repeat cost (sum over pairs of C(meetings, 2), played rounds counted) before and
after; keep-apart pairs together in the remaining rounds; time. The causes are drawn with their own
random stream (``seed``), independent of the planner's seed, so runs compare the same re-plans.

Run from the project root (pure Python, no database)::

    .venv/bin/python bench/replan_moves.py                     # 30, 120, 1,000; seed 0
    .venv/bin/python bench/replan_moves.py --seeds 3 --people 120
    .venv/bin/python bench/replan_moves.py --seeds 3 --plans /tmp/plans.json  # reuse plans
    .venv/bin/python bench/replan_moves.py --stopped-clock   # every search out of time at once
    .venv/bin/python bench/replan_moves.py --people 14 --table-size 5 --rounds 5  # forced repeats

The last is a tester's evening: 14 people at tables of 5 (5, 5, 4) for 5 rounds, so repeats are
forced; its "walk-in 1" after round 1 is one late arrival, who fits the free place at the table
of 4 in every round.

``--stopped-clock`` makes the planner's clock jump ten seconds at every reading during the
re-plans (not the fresh plans): a machine so loaded that every search is cut short at its first
look, which shows what a re-plan guarantees without its search.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rounds import scheduling  # noqa: E402
from rounds.scheduling import budget  # noqa: E402


def shared_rounds(plan: list[list[list[int]]], played: int, a: int, b: int) -> int:
    """Remaining rounds in which a and b sit at one table."""
    return sum(1 for round_ in plan[played:] for table in round_ if a in table and b in table)


def causes(plan: list[list[list[int]]], people: int, played: int, rng: random.Random):
    """(label, present, avoid, k) for each cause, drawn with ``rng`` (k: the remaining rounds
    the keep-apart pair shares, None for the other causes)."""
    everyone = list(range(people))
    pairs = sorted(
        {
            (min(a, b), max(a, b))
            for round_ in plan[played:]
            for table in round_
            for a in table
            for b in table
            if a != b
        }
    )
    a, b = rng.choice(pairs)
    yield "avoid 1", everyone, [(a, b)], shared_rounds(plan, played, a, b)
    gone = rng.sample(everyone, 2)
    yield "no-show 1", [p for p in everyone if p != gone[0]], [], None
    yield "no-show 2", [p for p in everyone if p not in gone], [], None
    yield "walk-in 1", [*everyone, people], [], None
    yield "walk-in 2", [*everyone, people, people + 1], [], None
    tenth = set(rng.sample(everyone, round(people * 0.1)))
    yield "no-show 10%", [p for p in everyone if p not in tenth], [], None


def fresh_plan(people: int, *, table_size: int, rounds: int, seed: int, plans: Path | None):
    """The fresh plan, read from (or first written to) ``plans``, a JSON file: fresh plans of
    forced rooms end at the wall clock on a loaded machine, so before/after runs share them."""
    key = f"{people}/{table_size}/{rounds}/{seed}"
    stored = json.loads(plans.read_text()) if plans and plans.exists() else {}
    if key not in stored:
        stored[key] = scheduling.plan_rounds(
            range(people), rounds=rounds, table_size=table_size, seed=seed, time_limit=2.0
        )
        if plans:
            plans.write_text(json.dumps(stored))
    return stored[key]


class StoppedClock:
    """Stands in for the ``time`` module of ``rounds.scheduling.budget``."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 10.0
        return self.now


def rows(
    people: int,
    *,
    table_size: int,
    rounds: int,
    seed: int,
    time_limit: float,
    plans: Path | None,
    stopped_clock: bool = False,
):
    plan = fresh_plan(people, table_size=table_size, rounds=rounds, seed=seed, plans=plans)
    for played in (1, 2):
        rng = random.Random(f"replan-moves-{people}-{seed}-{played}")
        for label, present, avoid, k in causes(plan, people, played, rng):
            here = set(present)
            before = scheduling.plan_quality(
                plan[:played] + [[[p for p in t if p in here] for t in r] for r in plan[played:]]
            )
            started = time.perf_counter()
            with mock.patch.object(budget, "time", StoppedClock() if stopped_clock else time):
                new = scheduling.replan_rounds(
                    plan,
                    played=played,
                    present=present,
                    table_size=table_size,
                    avoid=avoid,
                    seed=seed,
                    time_limit=time_limit,
                )
            seconds = time.perf_counter() - started
            quality = scheduling.plan_quality(new)
            hits = scheduling.plan_quality(new[played:], avoid=avoid).avoid_violations
            moved = scheduling.changed_itineraries(plan, new, tablemates=False) & here
            stayed = {p for p in here if p < people}  # arrivals are numbered from ``people``
            coming = stayed & scheduling.changed_itineraries(
                plan[played : played + 1], new[played : played + 1], tablemates=False
            )
            told = scheduling.changed_itineraries(plan, new, tablemates=True) & here
            yield {
                "people": people,
                "seed": seed,
                "played": played,
                "cause": label,
                "moved": len(moved),
                "coming": len(coming),
                "told": len(told),
                "k": k,
                "cost_before": before.repeat_cost,
                "cost": quality.repeat_cost,
                "avoid": hits,
                "seconds": seconds,
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", nargs="+", type=int, default=[30, 120, 1000])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--table-size", type=int, default=6)
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--plans", type=Path, help="JSON file of fresh plans to reuse")
    parser.add_argument("--stopped-clock", action="store_true", help="searches out of time")
    args = parser.parse_args(argv)
    print(
        "| people | seed | after round | cause | moved | coming | k | told "
        "| repeat cost before -> after | keep-apart together | time s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for people in args.people:
        for seed in range(args.seeds):
            for r in rows(
                people,
                table_size=args.table_size,
                rounds=args.rounds,
                seed=seed,
                time_limit=args.time_limit,
                plans=args.plans,
                stopped_clock=args.stopped_clock,
            ):
                print(
                    f"| {r['people']} | {r['seed']} | {r['played']} | {r['cause']} | "
                    f"{r['moved']} | {r['coming']} | {'' if r['k'] is None else r['k']} | "
                    f"{r['told']} | "
                    f"{r['cost_before']} -> {r['cost']} | {r['avoid']} | {r['seconds']:.3f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
