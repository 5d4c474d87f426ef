"""New faces first: the share of new encounters in a series, with and without its memory.

A series of 4 events of 40 people (6 rounds at tables of 6, the defaults); from the second event
on, 70% of the people (28) came to an earlier event and 12 are new. Each event is planned twice
from the same attendance: with the series' memory (the planner's ``met`` is every pair who sat
together at one of the last ``SERIES_MEMORY_EVENTS`` events, as ``rounds.queries.series_met``
builds it) and alone (no ``met``), each branch with its own seating history. For events 2-4 it
prints the share of the plan's pairs (people at one table in some round) who never sat together
at an earlier event of the series, then the mean over events and seeds.

Run from the project root (pure planner, no database)::

    python bench/series.py                 # seeds 0, 1, 2
    python -m bench.series --seeds 5 --time-limit 1.0
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from rounds import scheduling  # noqa: E402
from rounds.queries import SERIES_MEMORY_EVENTS  # noqa: E402

EVENTS, PEOPLE, RETURNING, ROUNDS, TABLE_SIZE = 4, 40, 0.7, 6, 6

Pair = tuple[int, int]


def plan_pairs(plan: list[list[list[int]]]) -> set[Pair]:
    return {pair for round_ in plan for table in round_ for pair in combinations(sorted(table), 2)}


def attendance(rng: random.Random) -> list[list[int]]:
    """Who comes to each event: 40 new people, then 28 who came before and 12 new each time."""
    events = [list(range(PEOPLE))]
    known, next_id = set(events[0]), PEOPLE
    returning = round(PEOPLE * RETURNING)
    for _ in range(EVENTS - 1):
        back = rng.sample(sorted(known), returning)
        new = list(range(next_id, next_id + PEOPLE - returning))
        next_id += len(new)
        known.update(new)
        events.append(back + new)
    return events


def run(seed: int, time_limit: float) -> dict[str, list[float]]:
    rng = random.Random(seed)
    people = attendance(rng)
    shares: dict[str, list[float]] = {"memory": [], "alone": []}
    for mode in shares:
        history: list[set[Pair]] = []  # pairs seated together, per event
        for number, present in enumerate(people, start=1):
            recent = set().union(*history[-SERIES_MEMORY_EVENTS:]) if history else set()
            here = set(present)
            met = [p for p in recent if p[0] in here and p[1] in here] if mode == "memory" else []
            plan = scheduling.plan_rounds(
                present,
                rounds=ROUNDS,
                table_size=TABLE_SIZE,
                met=met,
                seed=seed * 100 + number,
                time_limit=time_limit,
            )
            pairs = plan_pairs(plan)
            ever = set().union(*history) if history else set()
            if number > 1:
                shares[mode].append(len(pairs - ever) / len(pairs))
            history.append(pairs)
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=2.0)
    args = parser.parse_args()
    print(
        f"series of {EVENTS} events, {PEOPLE} people, {RETURNING:.0%} returning, "
        f"{ROUNDS} rounds at tables of {TABLE_SIZE}, memory of the last {SERIES_MEMORY_EVENTS} "
        f"events, time_limit {args.time_limit} s"
    )
    print("seed  mode    new encounters in events 2..4        mean")
    totals: dict[str, list[float]] = {"memory": [], "alone": []}
    for seed in range(args.seeds):
        for mode, values in run(seed, args.time_limit).items():
            totals[mode].extend(values)
            figures = "  ".join(f"{v:6.1%}" for v in values)
            print(f"{seed:4}  {mode:6}  {figures}      {sum(values) / len(values):6.1%}")
    for mode, values in totals.items():
        print(f"all   {mode:6}  mean {sum(values) / len(values):6.1%} over {len(values)} events")


if __name__ == "__main__":
    main()
