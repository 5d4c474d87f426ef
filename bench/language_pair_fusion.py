"""The matcher's glossed-word score fused with a character n-gram score normalised per language
pair: how often a true helper is among a pitcher's 5 and 10 best-scored listeners.

    .venv/bin/python bench/language_pair_fusion.py [--data PATH] [--seeds N]

An experiment, not part of the matcher. Adding the character n-gram score (TF-IDF over 2-4-grams
within words, the matcher before the glossed words) to the word score was measured and not kept:
n-grams score only pairs written in one script, so the sum ranks a pitcher's same-language
listeners above the cross-language ones. Here the n-gram score is kept within its language pair.
A text's language is its script: Chinese when it holds more CJK characters than Latin letters,
else English (the pitcher's query and the listener's document, as ``pitches.matching`` builds
them); a pair is same-language when the two agree. Scores, per pitcher over the other people
(``word`` = ``matching.help_scores``, ``char`` = the n-gram cosine, ``z`` = a z-score over the
pitcher's row, or over the named group):

- ``raw, all pairs``: word + w * char (the fusion measured before, for reference);
- ``raw, same language``: word + w * char on same-language pairs only;
- ``z, same language``: z(word) + w * z(char within the pitcher's same-language listeners), 0 on
  cross-language pairs: the n-gram term averages 0 over the same-language listeners, so it
  reorders them without lifting them as a group;
- ``z per pair type``: as above, and the cross-language pairs' n-gram score z-scored among the
  cross-language listeners (shared digits, Latin words in Chinese text);
- ``rank, same language``: z(word) + w * (1 - 2 r / (n - 1)), r the listener's n-gram rank among
  the pitcher's n same-language listeners (0 the best): the rank, not the score's scale;
- ``slots kept``: the word ranking's places stay with their language pair (a cross-language
  listener keeps its place); the places of same-language listeners are filled again in the order
  of z(word) + w * z(char) among them. The n-gram score cannot move anyone across the pair types.

A listener is a candidate when their word score, or (on a same-language pair) their n-gram score,
is above 0; ties by index, as ``matching.top_helpers``. ``w`` is chosen by cross-validation
(``bench/wordnet_expansion.py``'s harness): on half of the pitchers (split by the person in the
file, so no copy of a pitcher is on both sides), for the share with a true helper among their 10
best, then 5 best (``--select 5``: 5, then 10), then the smaller weight, applied to the other
half, and the other way round; only the held-out figure is printed, with its mean gain over the
glossed words (paired by seed). The 90-person room is the same for every seed, so there the
seed draws the halves; at 300 the seed draws the room (``bench/intentions.py``) and its halves.
Printed per variant: mean over the seeds, standard deviation and lowest-highest, at top 5 and 10,
and the weights the halves chose; then, for reading only, each weight's figure on every pitcher
(not held out: an upper bound on what tuning could give on this sample).

Measured 2026-12-02 (``--seeds 8``): see docs/benchmarks-intentions.md, "Character n-grams per
language pair".
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import intentions

from pitches import glosses, matching

WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0]
VARIANTS = (
    "raw, all pairs",
    "raw, same language",
    "z, same language",
    "z per pair type",
    "rank, same language",
    "slots kept",
)
LIMITS = (5, 10)
_LATIN = re.compile(r"[A-Za-z]")


def language(text: str) -> str:
    cjk = sum(len(run) for run in glosses._CJK.findall(text))
    return "zh" if cjk > len(_LATIN.findall(text)) else "en"


def char_scores(queries: list[str], documents: list[str]) -> np.ndarray:
    """The matcher before the glossed words: TF-IDF over character 2-4-grams within words."""
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=False
    )
    vectorizer.fit(queries + documents)
    similarity = (vectorizer.transform(queries) @ vectorizer.transform(documents).T).toarray()
    np.fill_diagonal(similarity, 0.0)
    return similarity


def zscore(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each row z-scored over its cells in ``mask`` (0 elsewhere, and where the row is flat)."""
    out = np.zeros_like(matrix)
    for p in range(matrix.shape[0]):
        cells = mask[p]
        if cells.sum() < 2:
            continue
        values = matrix[p, cells]
        spread = values.std()
        if spread > 0:
            out[p, cells] = (values - values.mean()) / spread
    return out


def centred_ranks(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """1 - 2 r / (n - 1) for the r-th best of a row's n cells in ``mask`` (ties by index)."""
    out = np.zeros_like(matrix)
    for p in range(matrix.shape[0]):
        cells = np.flatnonzero(mask[p])
        if len(cells) < 2:
            continue
        order = cells[np.lexsort((cells, -matrix[p, cells]))]
        out[p, order] = 1.0 - 2.0 * np.arange(len(order)) / (len(order) - 1)
    return out


class Room:
    """One room's scores and pair types, and the rankings of each variant at a weight."""

    def __init__(self, profiles: list[matching.Profile]) -> None:
        queries = [matching._query(p) for p in profiles]
        documents = [matching._document(p) for p in profiles]
        count = len(profiles)
        self.word = np.array(matching.help_scores(profiles))
        self.char = char_scores(queries, documents)
        asked = np.array([language(t) for t in queries])
        offered = np.array([language(t) for t in documents])
        others = ~np.eye(count, dtype=bool)
        self.same = (asked[:, None] == offered[None, :]) & others
        self.cross = (asked[:, None] != offered[None, :]) & others
        self.others = others
        self.z_word = zscore(self.word, others)
        self.z_char_same = zscore(self.char, self.same)
        self.z_char_cross = zscore(self.char, self.cross)
        self.rank_same = centred_ranks(self.char, self.same)
        self.candidate = (self.word > 0) | ((self.char > 0) & self.same)
        self.word_top = matching.top_helpers(self.word.tolist(), limit=max(LIMITS))

    def fused(self, variant: str, weight: float) -> np.ndarray:
        if variant == "raw, all pairs":
            return self.word + weight * self.char
        if variant == "raw, same language":
            return self.word + weight * self.char * self.same
        if variant == "z, same language":
            return self.z_word + weight * self.z_char_same
        if variant == "z per pair type":
            return self.z_word + weight * (self.z_char_same + self.z_char_cross)
        if variant == "rank, same language":
            return self.z_word + weight * self.rank_same
        raise ValueError(variant)

    def tops(self, variant: str, weight: float) -> list[list[int]]:
        """Each pitcher's ``max(LIMITS)`` best listeners, best first."""
        limit = max(LIMITS)
        if weight == 0:
            return self.word_top
        if variant == "slots kept":
            within = self.z_word + weight * self.z_char_same
            out = []
            for p, best in enumerate(self.word_top):
                same = [listener for listener in best if self.same[p, listener]]
                pool = list(np.flatnonzero(self.candidate[p] & self.same[p]))
                pool.sort(key=lambda listener, row=within[p]: (-row[listener], listener))
                refill = iter(pool[: len(same)])
                out.append(
                    [next(refill) if self.same[p, listener] else listener for listener in best]
                )
            return out
        scores = self.fused(variant, weight)
        return [
            sorted(np.flatnonzero(self.candidate[p]), key=lambda i, row=row: (-row[i], i))[:limit]
            for p, row in enumerate(scores)
        ]


def share(tops: list[list[int]], truth, limit: int, rows=None) -> float:
    pitchers = [p for p, helpers in enumerate(truth) if helpers and (rows is None or p in rows)]
    return sum(1 for p in pitchers if set(tops[p][:limit]) & truth[p]) / len(pitchers)


def halves(origins: list[str], seed: int) -> tuple[set[int], set[int]]:
    people = sorted(set(origins))
    random.Random(12345 + seed).shuffle(people)
    first = set(people[: len(people) // 2])
    rows_a = {p for p, origin in enumerate(origins) if origin in first}
    return rows_a, set(range(len(origins))) - rows_a


def held_out(room: Room, variant: str, truth, origins, seed: int, select: int = 10):
    """Top-5 and top-10 shares with each half ranked at the weight best on the other half
    (best: the share with a helper among the ``select`` best, then the other, then the smaller
    weight)."""
    by_weight = {w: room.tops(variant, w) for w in WEIGHTS}
    rows_a, rows_b = halves(origins, seed)

    def best(rows):
        return max(
            WEIGHTS,
            key=lambda w: (
                share(by_weight[w], truth, select, rows),
                share(by_weight[w], truth, 15 - select, rows),
                -w,
            ),
        )

    weight_a, weight_b = best(rows_a), best(rows_b)
    mixed = [
        by_weight[weight_b][p] if p in rows_a else by_weight[weight_a][p] for p in range(len(truth))
    ]
    every = {w: (share(tops, truth, 5), share(tops, truth, 10)) for w, tops in by_weight.items()}
    return share(mixed, truth, 5), share(mixed, truth, 10), (weight_a, weight_b), every


def spread(values: list[float]) -> str:
    deviation = statistics.stdev(values) if len(values) > 1 else 0.0
    return (
        f"{statistics.mean(values):6.1%} ± {deviation:4.1%} ({min(values):.1%}-{max(values):.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=intentions.DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument(
        "--select",
        type=int,
        choices=LIMITS,
        default=10,
        help="the weight is chosen for the share among the 10 (default) or 5 best first",
    )
    args = parser.parse_args()
    people, truth_pairs = intentions.load(args.data)
    print(f"data: {args.data.name}, {len(people)} people, {len(truth_pairs)} helps pairs")
    for size in (len(people), 300):
        rows: dict[str, list[tuple]] = {}
        room = None
        for seed in range(args.seeds):
            if room is None or size != len(people):
                profiles, truth, origins = intentions.build_room(
                    people, truth_pairs, size=size, seed=seed
                )
                room = Room(profiles)
            base = room.word_top
            rows.setdefault("glossed words (matching.help_scores)", []).append(
                (share(base, truth, 5), share(base, truth, 10), None, None)
            )
            for variant in VARIANTS:
                rows.setdefault(variant, []).append(
                    held_out(room, variant, truth, origins, seed, args.select)
                )
        pitchers = sum(1 for helpers in truth if helpers)
        same = sum(1 for p, helpers in enumerate(truth) for h in helpers if room.same[p, h])
        print(
            f"{size} people ({args.seeds} seeds; {pitchers} pitchers with a helper, "
            f"{same} of {sum(map(len, truth))} true pairs same-language in the last room), "
            f"held out:"
        )
        baseline = next(iter(rows.values()))
        for name, runs in rows.items():
            weights = sorted({w for r in runs if r[2] for w in r[2]})
            gains = [
                f"{statistics.mean(r[k] - b[k] for r, b in zip(runs, baseline, strict=True)):+.1%}"
                for k in (0, 1)
            ]
            print(
                f"  {name:38s} top 5 {spread([r[0] for r in runs])}"
                f"  top 10 {spread([r[1] for r in runs])}"
                + (f"  gain {gains[0]} / {gains[1]}  weights {weights}" if weights else "")
            )
        print("  not held out (every pitcher, each weight; an upper bound, not a result):")
        for name, runs in rows.items():
            if runs[0][3] is None:
                continue
            curve = {
                w: tuple(statistics.mean(r[3][w][k] for r in runs) for k in (0, 1)) for w in WEIGHTS
            }
            top = max(WEIGHTS, key=lambda w, curve=curve: (curve[w][1], curve[w][0], -w))
            print(
                f"  {name:38s} best w {top}: top 5 {curve[top][0]:6.1%}  top 10 "
                f"{curve[top][1]:6.1%};  "
                + " ".join(f"{w}:{curve[w][0]:.0%}/{curve[w][1]:.0%}" for w in WEIGHTS[1:])
            )


if __name__ == "__main__":
    main()
