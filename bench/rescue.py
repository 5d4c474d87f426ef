"""The rescue round: how many of the pitchers with the fewest cards sit with a helper in the last
round before and after ``scheduling.rescue_rounds``, at what cost in moved people and time.

    .venv/bin/python bench/rescue.py [--seeds N] [--time-limit S]

Synthetic rooms (no data file): people planned for every round with ``plan_rounds``, all rounds
but the last played; each person has received a random number of cards (0–4, most 1–2); each
has three helpers drawn from the people they have not met in the played rounds, with scores 0.6,
0.45 and 0.3 (so all three are "best remaining helpers" under ``RESCUE_HELPER_SHARE``). The
rescued pitchers and their helpers are ``rounds.seating.rescue_helps``. For each setting it prints
the rescued pitchers, how many sat with a helper in the stored last round and after the rescue,
how many sit with their best helper after it, the repeat cost and keep-apart pairs together
(before / after), the people whose table changes, the phones told (table or tablemates
changed), and the time of ``rescue_rounds``. Runs without Django.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rounds import scheduling, seating

SETTINGS = [(40, 5, 6), (90, 6, 6), (300, 7, 7)]  # people, table size, rounds


def room(people: int, size: int, rounds: int, seed: int):
    rng = random.Random(seed)
    ids = list(range(1, people + 1))
    avoid = [(ids[i], ids[i + 1]) for i in range(0, people // 10 * 2, 2)]  # a few couples
    plan = scheduling.plan_rounds(ids, rounds=rounds, table_size=size, avoid=avoid, seed=seed)
    met = {
        frozenset(pair)
        for tables in plan[:-1]
        for t in tables
        for pair in itertools.combinations(t, 2)
    }
    received = {p: rng.choice([0, 1, 1, 2, 2, 3, 4]) for p in ids}
    helps = []
    for pitcher in ids:
        unmet = [o for o in ids if o != pitcher and frozenset((pitcher, o)) not in met]
        for score, helper in zip((0.6, 0.45, 0.3), rng.sample(unmet, 3), strict=True):
            helps.append((pitcher, helper, score))
    return ids, plan, avoid, received, helps, met


def seated_with(tables, helps) -> tuple[set[int], set[int]]:
    """(pitchers with any helper at their table, pitchers with their best helper there)."""
    mates = {p: set(t) for t in tables for p in t}
    best: dict[int, tuple[float, int]] = {}
    for pitcher, helper, weight in helps:
        best[pitcher] = max(best.get(pitcher, (0.0, 0)), (weight, helper))
    anyone = {p for p, h, _w in helps if h in mates[p]}
    top = {p for p, (_w, h) in best.items() if h in mates[p]}
    return anyone, top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=1.0)
    args = parser.parse_args()
    print(
        "people×size×rounds seed | rescued | with a helper before→after | best after | "
        "repeats before/after | apart | moved | told | seconds"
    )
    for people, size, rounds in SETTINGS:
        for seed in range(args.seeds):
            ids, plan, avoid, received, helps, met = room(people, size, rounds, seed)
            played = rounds - 1
            chosen = seating.rescue_helps(
                helps, received=received, present=ids, met=[tuple(p) for p in met], limit=10
            )
            rescued = {p for p, _h, _w in chosen}
            started = time.perf_counter()
            new = scheduling.rescue_rounds(
                plan,
                played=played,
                present=ids,
                table_size=size,
                helps=chosen,
                avoid=avoid,
                seed=seed,
                time_limit=args.time_limit,
            )
            took = time.perf_counter() - started
            before_any, _ = seated_with(plan[-1], chosen)
            after_any, after_best = seated_with(new[-1], chosen)
            q_old = scheduling.plan_quality(plan, avoid=avoid)
            q_new = scheduling.plan_quality(new, avoid=avoid)
            moved = seating.moved_people(plan[played:], new[played:])
            told = scheduling.changed_itineraries(plan, new)
            print(
                f"{people}×{size}×{rounds} {seed} | {len(rescued)} | "
                f"{len(before_any & rescued)}→{len(after_any & rescued)} | "
                f"{len(after_best & rescued)} | {q_old.repeat_cost}/{q_new.repeat_cost} | "
                f"{q_old.avoid_violations}/{q_new.avoid_violations} | {len(moved)} | "
                f"{len(told)} | {took:.2f}"
            )


if __name__ == "__main__":
    main()
