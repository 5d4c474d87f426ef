"""Rotation planner: repeats, bounds and time on the instances of the planner issue.

Fresh plans: for each instance (people / tables x size / rounds) it prints the repeated pairs,
the most meetings of any pair, the sum over pairs of C(meetings, 2) beside its lower bound, and
the wall time of ``plan_rounds``; where the issue measured good-enough-golfers, its figure too.

Re-plans: a fresh plan, then 10% no-shows (a random tenth of the people) found at round 2
(``played=1``), then 5 late arrivals at round 3 (``played=2``). For each re-plan: the repeat cost,
the time of ``replan_rounds``, and the share of the people present whose itinerary changed:
"moved" counts those who must go to a different table in some round (the figure the re-planner
keeps small), "mates" also counts those whose table-mates changed (absentees and arrivals change
the mates of everyone they sat with, so this share is large whatever the planner does).

Run from the project root (pure Python, no services)::

    python bench/rotation.py                    # seed 0
    python -m bench.rotation --seeds 3          # seeds 0, 1, 2
    python bench/rotation.py --time-limit 1.0   # time_limit of plan_rounds (default 2.0 s)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rounds import scheduling  # noqa: E402


@dataclass(frozen=True)
class Instance:
    people: int
    table_size: int
    rounds: int
    group: str
    note: str = ""

    def label(self) -> str:
        sizes = scheduling.table_sizes(self.people, self.table_size)
        return f"{self.people}/{len(sizes)}x{self.table_size}/{self.rounds}"


FRESH = [
    Instance(40, 6, 7, "zero"),
    Instance(48, 6, 8, "zero", "ggg: 71 in 4.8 s"),
    Instance(49, 7, 8, "zero"),
    Instance(64, 8, 9, "zero"),
    Instance(120, 6, 8, "zero", "ggg: 0 in 121 s"),
    Instance(500, 7, 8, "zero", "ggg: out of memory"),
    Instance(2000, 8, 8, "zero"),
    Instance(30, 5, 6, "zero"),
    Instance(120, 8, 8, "stretch", "ggg: 64 in 182 s"),
    Instance(32, 4, 10, "stretch", "solved by construction in 2004"),
    Instance(10, 5, 5, "forced", "bound tight: 80"),
    Instance(24, 6, 6, "forced", "bound tight: 120"),
    Instance(40, 8, 6, "forced", "bound tight: 225"),
    Instance(36, 6, 6, "hard", "only 3 repeat-free rounds; best known 28"),
    Instance(64, 8, 8, "ggg", "ggg: 224 in 13 s"),
]

REPLAN = [
    Instance(40, 6, 7, "replan"),
    Instance(120, 6, 8, "replan"),
    Instance(120, 8, 8, "replan"),
    Instance(500, 7, 8, "replan"),
    Instance(2000, 8, 8, "replan"),
]


def fresh_row(instance: Instance, seed: int, time_limit: float) -> list[str]:
    people = list(range(instance.people))
    start = time.perf_counter()
    plan = scheduling.plan_rounds(
        people,
        rounds=instance.rounds,
        table_size=instance.table_size,
        seed=seed,
        time_limit=time_limit,
    )
    elapsed = time.perf_counter() - start
    quality = scheduling.plan_quality(plan)
    return [
        instance.label(),
        instance.group,
        str(seed),
        str(quality.repeated_pairs),
        str(quality.max_meetings),
        str(quality.repeat_cost),
        str(quality.lower_bound),
        f"{elapsed:.3f}",
        instance.note,
    ]


def replan_rows(instance: Instance, seed: int) -> list[list[str]]:
    """No-shows found at round 2, then late arrivals at round 3."""
    people = list(range(instance.people))
    plan = scheduling.plan_rounds(
        people, rounds=instance.rounds, table_size=instance.table_size, seed=seed
    )
    draw = random.Random(f"bench-{seed}")  # independent of the planner's own seed
    absent = set(draw.sample(people, instance.people // 10))
    present = [p for p in people if p not in absent]
    arrivals = list(range(instance.people, instance.people + 5))
    rows = []
    for step, played, now in (
        ("10% no-shows at round 2", 1, present),
        ("5 arrivals at round 3", 2, present + arrivals),
    ):
        start = time.perf_counter()
        new = scheduling.replan_rounds(
            plan, played=played, present=now, table_size=instance.table_size, seed=seed
        )
        elapsed = time.perf_counter() - start
        quality = scheduling.plan_quality(new)
        here = set(now)
        moved = scheduling.changed_itineraries(plan, new, tablemates=False) & here
        mates = scheduling.changed_itineraries(plan, new) & here
        sizes = sorted({size for sizes in quality.table_sizes[played:] for size in sizes})
        rows.append(
            [
                instance.label(),
                step,
                str(seed),
                str(quality.repeat_cost),
                str(quality.max_meetings),
                ",".join(map(str, sizes)),
                f"{elapsed:.3f}",
                f"{len(moved) / len(here):.3f}",
                f"{len(mates) / len(here):.3f}",
            ]
        )
        plan = new
    return rows


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table, so the output can be pasted into docs/benchmarks-rotation.md."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1, help="run seeds 0 .. SEEDS-1")
    parser.add_argument("--time-limit", type=float, default=2.0, help="plan_rounds time_limit")
    args = parser.parse_args()
    seeds = range(args.seeds)

    print(f"## Fresh plans (time_limit={args.time_limit} s)\n")
    header = [
        "instance",
        "kind",
        "seed",
        "repeated pairs",
        "max meetings",
        "sum C(m,2)",
        "bound",
        "time s",
        "note",
    ]
    rows = [fresh_row(inst, seed, args.time_limit) for inst in FRESH for seed in seeds]
    print_table(header, rows)

    print("\n## Re-plans (time_limit=1.0 s, the default)\n")
    header = [
        "instance",
        "step",
        "seed",
        "sum C(m,2)",
        "max meetings",
        "table sizes",
        "time s",
        "moved",
        "mates",
    ]
    rows = [row for inst in REPLAN for seed in seeds for row in replan_rows(inst, seed)]
    print_table(header, rows)


if __name__ == "__main__":
    main()
