"""Seating by intention: the matcher's precision and recall, and how many pitchers sit with a
true helper under today's planner and under the planner that optimises it.

    .venv/bin/python bench/intentions.py [--data PATH] [--seeds N] [--top K] [--words-only]

The data file holds ``attendees`` (id, name, company, job_title, need, offer) and ``helps``
([seeker id, helper id, why]: the ground truth). For each setting (90 people at tables of 6 for
6 rounds; 300 people, sampled from the file with new ids, at tables of 7 for 7 rounds) it
prints: the matcher's precision and recall at the top 5 helpers per pitcher, the share of
pitchers with a helper in the room who sit with a true helper at least once, for (a) today's
planner and (b) the one given the matcher's chances (``matching.help_chances`` of
``matching.seating_scores``, or of ``help_scores`` alone with ``--words-only``), the repeat
cost of both, and the time (the matcher's once-per-process set-up timed apart).
Runs without Django.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: F401  (one BLAS thread, as the server)
from pitches import matching
from rounds import scheduling

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "intentions-sample.json"


def load(path: Path) -> tuple[list[dict], set[tuple[str, str]]]:
    data = json.loads(path.read_text())
    return data["attendees"], {(seeker, helper) for seeker, helper, *_why in data["helps"]}


def sample(people: list[dict], size: int, rng: random.Random) -> list[tuple[str, dict]]:
    """``size`` people drawn from ``people`` (each of them once while there are enough, then
    again), as (new id, original)."""
    drawn = list(people) * (size // len(people)) + rng.sample(people, size % len(people))
    rng.shuffle(drawn)
    return [(f"p{i:04d}", person) for i, person in enumerate(drawn)]


def precision_recall(
    scores: list[list[float]], truth: list[set[int]], *, limit: int
) -> tuple[float, float]:
    tops = matching.top_helpers(scores, limit=limit)
    pitchers = [p for p, helpers in enumerate(truth) if helpers]
    hits = sum(len(set(tops[p]) & truth[p]) for p in pitchers)
    return hits / (limit * len(pitchers)), hits / sum(len(truth[p]) for p in pitchers)


def seated_share(plan: list[list[list[int]]], truth: list[set[int]]) -> float:
    """Share of pitchers with a true helper in the room who sit with one at least once."""
    met: dict[int, set[int]] = {}
    for round_ in plan:
        for table in round_:
            for person in table:
                met.setdefault(person, set()).update(table)
    pitchers = [p for p, helpers in enumerate(truth) if helpers]
    return sum(1 for p in pitchers if met.get(p, set()) & truth[p]) / len(pitchers)


def build_room(
    people: list[dict], truth_pairs: set[tuple[str, str]], *, size: int, seed: int
) -> tuple[list[matching.Profile], list[set[int]], list[str]]:
    """The room of a setting: the file's people (``size`` = their number) or ``size`` drawn
    from them with seed ``seed``; returns their profiles, each one's true helpers (indexes:
    a copy of a helper helps every copy of the seeker) and each one's id in the file."""
    rng = random.Random(seed)
    room = [(p["id"], p) for p in people] if size == len(people) else sample(people, size, rng)
    index_of: dict[str, list[int]] = {}
    for index, (_new, original) in enumerate(room):
        index_of.setdefault(original["id"], []).append(index)
    truth: list[set[int]] = [set() for _ in room]
    for seeker, helper in truth_pairs:
        for s in index_of.get(seeker, []):
            truth[s].update(h for h in index_of.get(helper, []) if h != s)
    profiles = [
        matching.Profile(
            id=new,
            need=p.get("need", ""),
            offer=p.get("offer", ""),
            name=p.get("name", ""),
            company=p.get("company", ""),
            job_title=p.get("job_title", ""),
        )
        for new, p in room
    ]
    return profiles, truth, [original["id"] for _new, original in room]


def run(
    people: list[dict],
    truth_pairs: set[tuple[str, str]],
    *,
    size: int,
    table_size: int,
    rounds: int,
    seed: int,
    top: int,
    scorer=matching.seating_scores,
) -> dict[str, float]:
    profiles, truth, _origins = build_room(people, truth_pairs, size=size, seed=seed)
    started = time.perf_counter()
    scores = scorer(profiles)
    match_seconds = time.perf_counter() - started
    precision, recall = precision_recall(scores, truth, limit=5)

    started = time.perf_counter()
    today = scheduling.plan_rounds(range(size), rounds=rounds, table_size=table_size, seed=seed)
    today_seconds = time.perf_counter() - started
    helps = matching.help_chances(scores, limit=top, documents=matching.document_keys(profiles))
    started = time.perf_counter()
    new = scheduling.plan_rounds(
        range(size), rounds=rounds, table_size=table_size, seed=seed, helps=helps
    )
    new_seconds = time.perf_counter() - started
    return {
        "precision": precision,
        "recall": recall,
        "match_s": match_seconds,
        "today": seated_share(today, truth),
        "new": seated_share(new, truth),
        "today_repeats": scheduling.plan_quality(today).repeat_cost,
        "new_repeats": scheduling.plan_quality(new).repeat_cost,
        "today_s": today_seconds,
        "new_s": new_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--top",
        type=int,
        default=matching.CANDIDATES,
        help="helpers per pitcher given the planner (matching.help_chances)",
    )
    parser.add_argument(
        "--words-only",
        action="store_true",
        help="score by matching.help_scores (TF-IDF) alone, not seating_scores (with meaning)",
    )
    args = parser.parse_args()
    scorer = matching.help_scores if args.words_only else matching.seating_scores
    people, truth = load(args.data)
    print(f"data: {args.data.name}, {len(people)} people, {len(truth)} helps pairs")
    started = time.perf_counter()
    scorer([matching.Profile(id=0, need="需要律师"), matching.Profile(id=1, offer="律师")])
    print(
        f"matcher set-up (dictionary, segmenter, sentence model; once per process): "
        f"{time.perf_counter() - started:.2f} s"
    )
    for size, table_size, rounds in [(len(people), 6, 6), (300, 7, 7)]:
        runs = [
            run(
                people,
                truth,
                size=size,
                table_size=table_size,
                rounds=rounds,
                seed=seed,
                top=args.top,
                scorer=scorer,
            )
            for seed in range(args.seeds)
        ]

        def mean(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.mean(r[key] for r in runs)

        def worst(key: str, runs: list[dict[str, float]] = runs) -> float:
            return max(r[key] for r in runs)

        print(
            f"{size} people, tables of {table_size}, {rounds} rounds ({args.seeds} seeds): "
            f"matcher P@5 {mean('precision'):.2f} R@5 {mean('recall'):.2f} "
            f"({mean('match_s'):.2f} s); sit with a true helper: today {mean('today'):.1%}, "
            f"new {mean('new'):.1%} (lowest {min(r['new'] for r in runs):.1%}); repeat cost "
            f"today {worst('today_repeats'):.0f}, new {worst('new_repeats'):.0f}; planning "
            f"today {mean('today_s'):.2f} s, new {mean('new_s'):.2f} s "
            f"(slowest {worst('new_s'):.2f} s)"
        )


if __name__ == "__main__":
    main()
