"""The phone's "why this table" lines against the intentions bench's ground truth.

    .venv/bin/python bench/why_lines.py [--data PATH] [--seeds N]

For each seed, the room of the intentions bench (``bench/intentions.py``: the data file's
people, at tables of 6 for 6 rounds) is planned as "Make the plan" does (``help_chances`` of
``seating_scores``); then each person's lines are drawn over their tablemates of the evening, as
the phone draws them (``pitches.queries.WHY_LIMIT`` tablemates, best first), scored two ways:

- words: ``matching.help_scores_within`` (the TF-IDF alone; the lines before the meaning);
- planner's floors: ``matching.seating_scores_within`` with every text embedded and the
  planner's evidence rule (a shared word, or a cosine of ``MEANING_FLOOR``);
- line floors: the same with the lines' stricter rule (``WHY_FLOOR``, ``WHY_WORD_FLOOR``): the
  lines now, once the plan or the background has embedded the room's texts.

It prints, for each: the lines shown; their precision (the share whose tablemate is a true
helper); and, of the pitchers who sit with a true helper, the share shown at least one (the
seat the planner made for them, explained). Runs without Django.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: F401  (one BLAS thread, as the server)
from bench import intentions
from pitches import matching
from rounds import scheduling

WHY_LIMIT = 3  # pitches.queries.WHY_LIMIT (pitches.queries needs Django)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=intentions.DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    people, truth_pairs = intentions.load(args.data)
    floors = {
        "planner's floors": {"floor": matching.MEANING_FLOOR, "word_floor": -1.0},
        "line floors": {},
    }
    totals = {name: [0, 0, 0, 0] for name in ("words", *floors)}
    seconds = {name: 0.0 for name in totals}
    for seed in range(args.seeds):
        profiles, truth, _ = intentions.build_room(people, truth_pairs, size=len(people), seed=seed)
        scores = matching.seating_scores(profiles)  # embeds every text, as the plan does
        helps = matching.help_chances(
            scores, limit=matching.CANDIDATES, documents=matching.document_keys(profiles)
        )
        plan = scheduling.plan_rounds(
            range(len(profiles)), rounds=6, table_size=6, seed=seed, helps=helps
        )
        mates: dict[int, list[int]] = {p: [] for p in range(len(profiles))}
        for round_ in plan:
            for table in round_:
                for p in table:
                    mates[p] += [m for m in table if m != p and m not in mates[p]]
        groups = [(profiles[p], [profiles[m] for m in mates[p]]) for p in mates]
        for name in totals:
            started = time.perf_counter()
            if name == "words":
                rows = matching.help_scores_within(groups)
            else:
                rows, unheld = matching.seating_scores_within(groups, **floors[name])
                assert not unheld
            seconds[name] += time.perf_counter() - started
            for p, row in zip(mates, rows, strict=True):
                shown = {mates[p][i] for i in matching.top_helpers([row], limit=WHY_LIMIT)[0]}
                true_mates = set(mates[p]) & truth[p]
                total = totals[name]
                total[0] += len(shown)
                total[1] += len(shown & truth[p])
                total[2] += bool(true_mates)
                total[3] += bool(shown & true_mates)
    print(
        f"data: {args.data.name}, {len(people)} people, tables of 6, 6 rounds, {args.seeds} seeds"
    )
    for name, (shown, right, seated, explained) in totals.items():
        print(
            f"{name:18s}: {shown} lines, precision {right / shown:.1%}; of {seated} pitchers "
            f"seated with a true helper, {explained / seated:.1%} shown one "
            f"({seconds[name] / args.seeds * 1000:.0f} ms for the room's lines)"
        )


if __name__ == "__main__":
    main()
