"""The sentence model's cost in one process: loading it, and embedding a room's texts the
first time (nothing cached) and again (all cached), as ``matching.seating_scores`` does.

    .venv/bin/python bench/sentences.py [--data PATH] [--size N]

Builds a room of ``--size`` people drawn from the intentions data (``bench/intentions.py``),
with each text made distinct (a number appended) so that nothing is cached, and prints the
wall and CPU seconds of each step and the process's resident memory growth.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: F401  (one BLAS thread, as the server)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intentions

from pitches import glosses, matching, sentences


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, step) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    print(
        f"{label}: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU,"
        f" peak RSS {rss_mb():.0f} MB"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=intentions.DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args()
    people, truth = intentions.load(args.data)
    profiles, _truth, _origins = intentions.build_room(people, truth, size=args.size, seed=0)
    profiles = [
        replace(p, need=f"{p.need} {i}", offer=f"{p.offer} {i}") for i, p in enumerate(profiles)
    ]
    print(f"peak RSS after imports {rss_mb():.0f} MB")
    timed("glosses loaded", lambda: glosses.english_text("律师"))
    timed("model loaded", sentences.available)
    timed(
        f"seating_scores, {args.size} people, nothing cached",
        lambda: matching.seating_scores(profiles),
    )
    timed(
        f"seating_scores, {args.size} people, all cached", lambda: matching.seating_scores(profiles)
    )
    timed(f"help_scores alone, {args.size} people", lambda: matching.help_scores(profiles))


if __name__ == "__main__":
    main()
