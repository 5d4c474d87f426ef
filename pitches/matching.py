"""Who can help whom: a score for "listener L can help pitcher P", offline, English and Chinese.

One function, ``help_scores``, compares each pitcher's need, ask and wish list with each
listener's offer, company and job title. The comparison is directed: P's *need* is the query
and L's *offer* the document, so two people who need the same thing score nothing for it.

Texts are compared as TF-IDF vectors over character n-grams (scikit-learn), which needs no
word segmenter for Chinese and tolerates inflections and typos in English. The vocabulary and
the document frequencies are fitted on the room's own texts, so words everyone writes ("I
need", "我们") weigh little and the rare words that name a trade weigh much. A wish that picked
a listener from the guest list (``Profile.wished``, by id), or whose free text names them (their
whole name, or their company), counts fully: the score is 1, the highest possible.

No Django here: callers pass plain ``Profile`` values (``pitches.queries`` builds them from
the stored pitches) and read a matrix of floats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from sklearn.feature_extraction.text import TfidfVectorizer

NAMED = 1.0
"""The score of a listener a wish names: above anything texts can score (cosines are below 1)."""
NGRAMS = (2, 4)
"""Character n-gram lengths compared (within word boundaries)."""


@dataclass(frozen=True)
class Profile:
    """What the matcher reads of one attendee."""

    id: Hashable
    need: str = ""
    offer: str = ""
    ask: str = ""
    """The pitch's closing ask ("Who do you know at a food bank?"): read as part of the need."""
    name: str = ""
    company: str = ""
    job_title: str = ""
    wishes: tuple[str, ...] = field(default=())
    """The wish list's free-text lines: kinds of people ("investors in hardware"), or a name."""
    wished: frozenset[Hashable] = field(default=frozenset())
    """The ids of the people the wish list picked from the guest list."""


def _fold(text: str) -> str:
    """Case, width and compatibility forms folded (full-width letters, ligatures), spaces
    squeezed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _query(person: Profile) -> str:
    return _fold(" ".join([person.need, person.ask, *person.wishes]))


def _document(person: Profile) -> str:
    return _fold(" ".join([person.offer, person.company, person.job_title]))


def _named(wish: str, listener: Profile) -> bool:
    """Whether a wish names the listener: their whole name, or their whole company."""
    wanted = _fold(wish)
    return bool(wanted) and wanted in {_fold(listener.name), _fold(listener.company)} - {""}


def help_scores(people: Sequence[Profile]) -> list[list[float]]:
    """``scores[p][l]``: how well ``people[l]`` can help ``people[p]``, from 0 (no sign of it)
    to ``NAMED`` (1, a wish picked or names them). Not symmetric; the diagonal is 0.

    Texts score the cosine of P's need and wishes with L's offer, company and job title, in
    TF-IDF over character n-grams fitted on everyone's texts. Empty texts score 0.
    """
    count = len(people)
    if count == 0:
        return []
    queries = [_query(person) for person in people]
    documents = [_document(person) for person in people]
    scores = [[0.0] * count for _ in range(count)]
    if any(queries) and any(documents):
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, lowercase=False
        )
        vectorizer.fit(queries + documents)
        similarity = (vectorizer.transform(queries) @ vectorizer.transform(documents).T).toarray()
        scores = [[float(value) for value in row] for row in similarity]
    index = {person.id: i for i, person in enumerate(people)}
    for p, pitcher in enumerate(people):
        scores[p][p] = 0.0
        for wished in pitcher.wished:
            listener = index.get(wished)
            if listener is not None and listener != p:
                scores[p][listener] = NAMED
        for wish in pitcher.wishes:
            for listener, other in enumerate(people):
                if listener != p and _named(wish, other):
                    scores[p][listener] = NAMED
    return scores


def top_helpers(scores: Sequence[Sequence[float]], *, limit: int = 5) -> list[list[int]]:
    """For each pitcher, the indexes of the ``limit`` best-scoring listeners with a score above
    0, best first (ties by index)."""
    return [
        sorted((i for i, s in enumerate(row) if s > 0), key=lambda i: (-row[i], i))[:limit]
        for row in scores
    ]
