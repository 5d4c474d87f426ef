"""Forced repeats: what attendees feel under three orders of the planner's objectives.

When there are fewer tables than seats at a table, pairs must meet again. For each instance
(people / tables x size / rounds) and seed this prints, for three plans:

- ``repeat cost``: the repeat search alone (sum over pairs of C(meetings, 2), then repeats
  spread evenly), the plan ``plan_rounds`` made before ``rounds.scheduling.feel`` existed;
- ``cost first``: that plan, then the attendees' figures only among plans of equal repeat
  cost (repeat cost, fewest people met, most meetings of a pair);
- ``feel first``: that plan, then the order ``plan_rounds`` ships: most meetings of a pair,
  fewest people met, repeat cost;

the fewest / average / most different people a person meets, the most times any pair meets,
and the repeat cost. The wall clock stands still during planning, so the deterministic work
allowance ends every search and the figures do not depend on the machine's load.

Run from the project root (pure Python, no services)::

    python bench/forced_repeats.py             # seeds 0, 1, 2
    python bench/forced_repeats.py --seeds 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rounds import scheduling  # noqa: E402
from rounds.scheduling import feel  # noqa: E402

INSTANCES = [(12, 4, 6), (10, 5, 5), (20, 5, 8), (15, 5, 6), (18, 6, 5), (24, 6, 8), (30, 8, 6)]


def _cost_first(hits: int, most: int, at_most: int, fewest: int, at_fewest: int, cost: int):
    return (hits, cost, -fewest, at_fewest, most, at_most)


def _unchanged(plan, *args, **kwargs):
    return plan


VARIANTS = {
    "repeat cost": [mock.patch.object(scheduling, "_feel_better", _unchanged)],
    "cost first": [mock.patch.object(feel, "_order", _cost_first)],
    "feel first": [],
}


def plan(people: int, table_size: int, rounds: int, seed: int, variant: str):
    patches = [mock.patch("time.perf_counter", return_value=0.0), *VARIANTS[variant]]
    for patch in patches:
        patch.start()
    try:
        return scheduling.plan_rounds(
            range(people), rounds=rounds, table_size=table_size, seed=seed, time_limit=2.0
        )
    finally:
        for patch in reversed(patches):
            patch.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    seeds = range(parser.parse_args().seeds)
    print("| instance | plan | fewest met | average met | most met | most meetings | repeat cost |")
    print("|---|---|---|---|---|---|---|")
    for people, table_size, rounds in INSTANCES:
        sizes = scheduling.table_sizes(people, table_size)
        label = f"{people}/{len(sizes)}x{table_size}/{rounds}"
        bound = scheduling.lower_bound([sizes] * rounds)
        for variant in VARIANTS:
            start = time.monotonic()
            figures = [
                scheduling.plan_quality(plan(people, table_size, rounds, seed, variant))
                for seed in seeds
            ]
            elapsed = time.monotonic() - start

            def row(values):
                return "/".join(str(v) for v in values)

            print(
                f"| {label} | {variant} | {row(q.min_distinct_met for q in figures)} "
                f"| {row(f'{q.mean_distinct_met:.1f}' for q in figures)} "
                f"| {row(q.max_distinct_met for q in figures)} "
                f"| {row(q.max_meetings for q in figures)} "
                f"| {row(q.repeat_cost for q in figures)} (bound {bound}) |",
                file=sys.stdout,
            )
            print(f"  ({elapsed / len(figures):.2f} s a plan)", file=sys.stderr)


if __name__ == "__main__":
    main()
