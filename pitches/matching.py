"""Who can help whom: a score for "listener L can help pitcher P", offline, English and Chinese.

One function, ``help_scores``, compares each pitcher's need, ask and wish list with each
listener's offer, company and job title. The comparison is directed: P's *need* is the query
and L's *offer* the document, so two people who need the same thing score nothing for it.

Both languages are compared in one English word space (``pitches.glosses``): Chinese is
segmented and glossed word by word with the CC-CEDICT dictionary (dictionary-based query
translation, Ballesteros & Croft 1997; Pirkola 1998), every word is reduced to its Snowball
stem, stop words and Chinese function words are dropped. A Chinese need is thus met by an
English offer and the other way round, and "investors" meets "investor". Texts are then
TF-IDF vectors over those stems (scikit-learn), fitted on the room's own texts, so words
everyone writes ("need", "help") weigh little and the rare words that name a trade weigh much.

Character n-grams (TF-IDF over 2-4-grams within words, the matcher before this one) were
measured against this on a bench with a ground truth (``bench/intentions.py``): they cannot
see help written in the other language, and adding their score to the word score ranks a
pitcher's same-language listeners above the cross-language ones. They are not used.

A wish that picked a listener from the guest list (``Profile.wished``, by id), or whose free
text names them (their whole name, or their company), counts fully: the score is 1, the highest
possible.

The planner seats by ``seating_scores``: these word scores fused with the cosine of sentence
embeddings (``pitches.sentences``), which sees paraphrase without a shared word ("moving into
renewables" and "sold a solar mini-grid company"). Measured: ``docs/benchmarks-intentions.md``.

No Django here: callers pass plain ``Profile`` values (``pitches.queries`` builds them from
the stored pitches) and read a matrix of floats.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer

from events import chinese
from pitches import glosses, sentences

NAMED = 1.0
"""The score of a listener a wish names: above anything texts can score (cosines are below 1)."""


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
    listed: bool = True
    """Whether the person is on the guest list (said yes to being found there): only then does
    a free-text wish that writes their name or company name them."""


def _fold(text: str) -> str:
    """Case, width and compatibility forms folded (full-width letters, ligatures), spaces
    squeezed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


# Punctuation a typed name or wish may end or start with ("Li Wei.", "“investors”").
_EDGE_PUNCTUATION = " .,;:!?'\"()[]“”‘’「」『』（）。，；：！？、"


@functools.lru_cache(maxsize=65536)
def _comparable(text: str) -> str:
    """``text`` as two typed names or wishes are compared: ``_fold``, without format characters
    and variation selectors (a tag character or U+FE0F appended to a copy), Traditional Chinese
    as Simplified (OpenCC, as the guest-list search: 陳美玲 is 陈美玲), punctuation at either end
    dropped ("Li Wei." is "Li Wei")."""
    folded = "".join(
        char
        for char in _fold(text)
        if unicodedata.category(char) != "Cf" and not 0xFE00 <= ord(char) <= 0xFE0F
    )
    if chinese.HAN.search(folded):
        folded = chinese.converter("t2s").convert(folded)
    return " ".join(folded.strip(_EDGE_PUNCTUATION).split())


def _query(person: Profile) -> str:
    return _fold(" ".join([person.need, person.ask, *person.wishes]))


def _said(person: Profile) -> str:
    """The query the sentence model reads: ``_query`` of the parts (need, ask, each wish) that
    say something beyond the pitch format's own words (``_terms`` not empty). The app's own
    ask, "Who do you know?" (你认识谁？), alone is no evidence of whom a pitcher needs, and
    with the meaning a text that says nothing finds candidates by noise."""
    parts = [person.need, person.ask, *person.wishes]
    return _fold(" ".join(part for part in parts if _terms(part)))


def _document(person: Profile) -> str:
    return _fold(" ".join([person.offer, person.company, person.job_title]))


def _named(wish: str, listener: Profile) -> bool:
    """Whether a wish names the listener: their whole name, or their whole company, and they
    are on the guest list (someone who said no to it cannot be wished for by typing their
    name: a picked person is named by id, ``Profile.wished``)."""
    wanted = _comparable(wish)
    return (
        listener.listed
        and bool(wanted)
        and wanted in {_comparable(listener.name), _comparable(listener.company)} - {""}
    )


def same_wish(one: str, other: str) -> bool:
    """Whether two wish lines say the same (``_comparable``: case, width, spaces, format
    characters, Chinese script and end punctuation aside): a wish list holds each once. Empty
    lines are never the same."""
    folded = _comparable(one)
    return bool(folded) and folded == _comparable(other)


PITCH_WORDS = frozenset(
    glosses.english_terms(
        "need needs needed want wants hope hoping look looking seek seeking find try trying "
        "think know knows knowing person people meet meeting help helps helping introduce "
        "introduction introductions make connect connects connection connections contact "
        "contacts network networking run runs happy glad willing "
        "i'm i'd i've i'll we're we'd we've we'll"
    )
)
"""Stems of the words every pitch is written with, whatever it asks for: the format's own ("I
need X. Who do you know?", the ask the app suggests; "Can anyone connect me with…", "Who runs…",
"happy to help") and their Chinese counterparts as glossed (需要 need, 认识 know, 人 person,
做 make, 找 try to find, 想 think, 帮 help, 介绍 introduce, 人脉 contacts, 联系 connect).
Shared by most queries and a few offers ("I know every supplier…"), they are no evidence of
help: without them, one offer that says "know" ranked among the best ten for nearly every
pitcher of the demo event. Dropped from queries and documents alike, as stop words."""


def _terms(text: str) -> dict[str, float]:
    """A query's or document's term weights: ``glosses.gloss_terms`` without ``PITCH_WORDS``,
    damped (``_damped``)."""
    return _damped(
        {
            term: weight
            for term, weight in glosses.gloss_terms(text).items()
            if term not in PITCH_WORDS
        }
    )


def _damped(weights: Mapping[str, float]) -> dict[str, float]:
    """Term weights damped as log(1 + w): a word written three times is not three times the
    evidence. (scikit-learn's sublinear 1 + log(w) would turn the fractional weights of glossed
    words negative.)"""
    return {term: math.log1p(weight) for term, weight in weights.items()}


def help_scores(people: Sequence[Profile]) -> list[list[float]]:
    """``scores[p][l]``: how well ``people[l]`` can help ``people[p]``, from 0 (no sign of it)
    to ``NAMED`` (1, a wish picked or names them). Not symmetric; the diagonal is 0.

    Texts score the cosine of P's need, ask and wishes with L's offer, company and job title,
    in TF-IDF (term frequency damped as log(1 + tf)) over the English stems of
    ``glosses.gloss_terms``, fitted on everyone's texts: English and Chinese alike. Empty texts
    score 0. The first call in a process loads the dictionary and the segmenter (about two
    seconds); then 300 people take a fraction of a second.

    A free-text wish reaches the company of someone on the guest list only (``Profile.listed``):
    for a listener who is not on it, a pitcher with wishes scores the better of their need and
    ask against the listener's whole document and their need, ask and wishes against the
    listener's offer and job title alone, so typing an unlisted person's company ("someone at
    Quantum Widgets") does not find them, while a kind ("investors in hardware") still meets an
    offer.
    """
    count = len(people)
    if count == 0:
        return []
    queries = [_terms(_query(person)) for person in people]
    documents = [_terms(_document(person)) for person in people]
    scores = [[0.0] * count for _ in range(count)]
    if any(queries) and any(documents):
        vocabulary = DictVectorizer()
        counts = vocabulary.fit_transform(queries + documents)
        tfidf = TfidfTransformer().fit(counts)
        similarity = (tfidf.transform(counts[:count]) @ tfidf.transform(counts[count:]).T).toarray()
        wishing = [p for p, person in enumerate(people) if person.wishes]
        unlisted = [listener for listener, person in enumerate(people) if not person.listed]
        if wishing and unlisted:
            own = [_terms(_query(replace(people[p], wishes=()))) for p in wishing]
            offers = [_terms(_document(replace(people[i], company=""))) for i in unlisted]
            unwished = (
                tfidf.transform(vocabulary.transform(own))
                @ tfidf.transform(counts[[count + i for i in unlisted]]).T
            )
            untargeted = (
                tfidf.transform(counts[wishing]) @ tfidf.transform(vocabulary.transform(offers)).T
            )
            rows, columns = np.ix_(wishing, unlisted)
            similarity[rows, columns] = np.maximum(unwished.toarray(), untargeted.toarray())
        scores = [[float(value) for value in row] for row in similarity]
    for p, pitcher in enumerate(people):
        scores[p][p] = 0.0
        if not (pitcher.wished or pitcher.wishes):
            continue
        for listener, other in enumerate(people):
            if listener != p and _named_score(pitcher, other):
                scores[p][listener] = NAMED
    return scores


MEANING_FLOOR = 0.25
"""The cosine below which the embedding alone is no evidence of help: a listener who shares no
word with a pitcher is their candidate only from this cosine up. About the 75th percentile of
all pairs of the intentions sample (median 0.17), the 20th of its true helper pairs; texts
that say nothing ("n/a", "TBD", "?") stay below it against nearly every offer, so they get
no candidates, as with the words alone."""

MEANING_WEIGHT = 0.8
"""The sentence embedding's share in ``seating_scores`` (the TF-IDF's is the rest). Chosen on
the second data set of the intentions bench (0.5 to 0.8 measured; 0.8 seated the most
pitchers with a true helper at both sizes) and then measured on the sample:
``docs/benchmarks-intentions.md``."""


def _meaning_texts(people: Sequence[Profile]) -> list[str]:
    """The distinct texts ``_meaning`` embeds for ``people``, as the sentence model reads them
    (``glosses.english_text``): each query and document; the queries without wishes (for the
    rule on people off the guest list, and what a phone's "why this table" reads,
    ``seating_scores_within``); and for that rule, the documents without company."""
    texts = [_said(person) for person in people] + [_document(person) for person in people]
    texts += [_said(replace(person, wishes=())) for person in people if person.wishes]
    if any(person.wishes for person in people) and not all(person.listed for person in people):
        texts += [_document(replace(person, company="")) for person in people if not person.listed]
    return list(dict.fromkeys(glosses.english_text(text) for text in texts))


def warm(people: Sequence[Profile], *, background: bool = False) -> int:
    """Embed now what ``seating_scores`` will read of ``people`` (``_meaning_texts``), so the
    plan does not wait for it (``background``: a batch at a time, ``sentences.embed``); how
    many texts were not embedded yet. 0 without the model."""
    if not sentences.available():
        return 0
    texts = _meaning_texts(people)
    fresh = len([text for text in texts if text.strip()]) - sentences.cached(texts)
    sentences.embed(texts, background=background)
    return fresh


def _meaning(people: Sequence[Profile]) -> np.ndarray | None:
    """``[p][l]``: the cosine of the sentence embeddings (``pitches.sentences``) of p's need,
    ask and wishes and l's offer, company and job title, Chinese read through its glosses; NaN
    where either text is empty (or nothing of it is left to read, as Chinese made of function
    words only) and on the diagonal. For a listener not on the guest list, a
    pitcher with wishes takes the better of their need and ask against the whole document and
    everything against the offer and job title alone (``help_scores``' rule). None when the
    model is not installed."""
    if not sentences.available():
        return None
    texts = _meaning_texts(people)
    vectors = dict(zip(texts, sentences.embed(texts), strict=True))

    def embedded(texts: list[str]) -> np.ndarray:
        return np.array([vectors[glosses.english_text(text)] for text in texts]).reshape(
            len(texts), sentences.DIMENSIONS
        )

    queries = embedded([_said(person) for person in people])
    documents = embedded([_document(person) for person in people])
    similarity = (queries @ documents.T).astype(np.float64)
    wishing = [p for p, person in enumerate(people) if person.wishes]
    unlisted = [listener for listener, person in enumerate(people) if not person.listed]
    if wishing and unlisted:
        own = embedded([_said(replace(people[p], wishes=())) for p in wishing])
        offers = embedded([_document(replace(people[i], company="")) for i in unlisted])
        rows, columns = np.ix_(wishing, unlisted)
        similarity[rows, columns] = np.maximum(
            own @ documents[unlisted].T, queries[wishing] @ offers.T
        )
    similarity = np.round(similarity, 6)  # one text's embedding varies by 1e-7 with its batch
    asked = np.linalg.norm(queries, axis=1) > 0  # a text the model reads nothing of is empty
    offered = np.linalg.norm(documents, axis=1) > 0
    similarity[~asked, :] = np.nan
    similarity[:, ~offered] = np.nan
    np.fill_diagonal(similarity, np.nan)
    return similarity


def _standard(row: np.ndarray) -> np.ndarray:
    """A row's finite values as z-scores over those values (0 where they do not vary); NaN
    stays NaN."""
    values = row[np.isfinite(row)]
    if values.size == 0:
        return row
    spread = values.std()
    return (row - values.mean()) / (spread if spread > 0 else 1.0)


def seating_scores(people: Sequence[Profile]) -> list[list[float]]:
    """``help_scores`` with the meaning of the texts added: what the planner seats by. Same
    shape and reading: ``scores[p][l]`` from 0 (no sign of help) to ``NAMED`` (a wish names
    l), not symmetric, the diagonal 0; texts score strictly between 0 and 1, in an order that
    ``help_chances`` reads (it reads ranks, not values).

    For each pitcher, the two scores of each listener, the TF-IDF of ``help_scores`` and the
    cosine of sentence embeddings (``_meaning``), are standardised over the listeners (z-scores)
    and averaged with the weight ``MEANING_WEIGHT`` on the embedding: a linear fusion of a
    lexical and a dense retriever, as in hybrid retrieval (Karpukhin et al., "Dense Passage
    Retrieval", EMNLP 2020; Wang et al., "BERT-based dense retrievers require interpolation
    with BM25", ICTIR 2021). The TF-IDF sees a rare shared word (a trade's name, a place) and
    the Chinese glossed; the embedding sees paraphrase without shared words ("moving into
    renewables" and "sold a solar mini-grid company"). The z-scores are taken over all
    listeners, but only those with some evidence score above 0: a shared word, or a cosine of
    at least ``MEANING_FLOOR``. A pitcher who wrote nothing (or nothing the model reads), and a
    listener who offers nothing, score 0 as before. Without the model installed,
    ``help_scores`` alone. The first call in a process loads the model (about 0.2 s); texts
    seen before are not embedded again (``sentences.embed``; ``pitches.warming`` embeds them
    ahead)."""
    scores = help_scores(people)
    meaning = _meaning(people) if people else None
    if meaning is None:
        return scores
    words = np.array(scores, dtype=np.float64)
    named = np.zeros_like(words, dtype=bool)
    for p, pitcher in enumerate(people):
        if pitcher.wished or pitcher.wishes:
            named[p] = [_named_score(pitcher, listener) for listener in people]
    fused = np.array([_fused(words[p], meaning[p], named[p]) for p in range(len(people))])
    np.fill_diagonal(fused, 0.0)
    return [[float(value) for value in row] for row in fused]


def _fused(
    words: np.ndarray,
    meaning: np.ndarray,
    named: np.ndarray,
    *,
    floor: float = MEANING_FLOOR,
    word_floor: float = -1.0,
) -> np.ndarray:
    """One pitcher's row of ``seating_scores`` from their listeners' word scores, cosines (NaN:
    nothing to compare) and whether a wish names them: ``NAMED`` for the named; for the others
    with evidence (a shared word with a cosine of at least ``word_floor``, or a cosine of at
    least ``floor``), the logistic of the weighted sum of the two scores' z-scores over the
    listeners compared, below 0.99; else 0."""
    fused = np.zeros_like(words, dtype=np.float64)
    listeners = np.isfinite(meaning) & ~named
    cosine = np.nan_to_num(meaning, nan=-1.0)
    candidates = listeners & (((words > 0) & (cosine >= word_floor)) | (cosine >= floor))
    if candidates.any():
        combined = (1.0 - MEANING_WEIGHT) * _standard(
            np.where(listeners, words, np.nan)
        ) + MEANING_WEIGHT * _standard(np.where(listeners, meaning, np.nan))
        fused[candidates] = 0.99 / (1.0 + np.exp(-combined[candidates]))
    fused[named] = NAMED
    return fused


def _named_score(pitcher: Profile, listener: Profile) -> bool:
    """Whether a wish of ``pitcher`` picked or names ``listener`` (the score ``NAMED``)."""
    return listener.id != pitcher.id and (
        listener.id in pitcher.wished or any(_named(wish, listener) for wish in pitcher.wishes)
    )


def help_scores_within(
    groups: Sequence[tuple[Profile, Sequence[Profile]]],
) -> list[list[float]]:
    """For each group (pitcher, listeners): how well each listener can help the pitcher, fitted
    on the group's own texts, as ``help_scores([pitcher, *listeners])[0][1:]`` gives it (the
    same TF-IDF: smoothed idf ln((1 + n) / (1 + df)) + 1 over the group's 2 × its size texts,
    term frequency damped, rows scaled to unit length, the cosine), for every group at once.

    A phone's "why this table" fits the matcher on the person and their tablemates; a re-plan
    pushes those lines to every phone whose tablemates changed, a thousand at a time, and one
    ``help_scores`` per phone cost about 2.4 ms, mostly scikit-learn's per-call checks. Here
    the texts are counted once (one ``DictVectorizer`` over every distinct person) and each
    group's document frequencies, weights and cosines are sparse-matrix products over all
    groups together. Scores differ from ``help_scores`` by float rounding only.
    """
    people: dict[Profile, int] = {}
    for pitcher, listeners in groups:
        for person in (pitcher, *listeners):
            people.setdefault(person, len(people))
    if not people:
        return [[] for _ in groups]
    order = list(people)
    texts = [_terms(_query(person)) for person in order]
    texts += [_terms(_document(person)) for person in order]
    counted = DictVectorizer().fit_transform(texts).tocsr()
    if counted.shape[1] == 0:  # nobody wrote a word: only named wishes score
        return [
            [NAMED if _named_score(pitcher, listener) else 0.0 for listener in listeners]
            for pitcher, listeners in groups
        ]
    size = len(order)
    queries, documents = counted[:size], counted[size:]
    present = ((queries > 0).astype(np.float64) + (documents > 0).astype(np.float64)).tocsr()

    # membership: group g counts each of its members once per appearance
    rows, columns = [], []
    pitcher_of, pairs_group, pairs_listener = [], [], []
    for g, (pitcher, listeners) in enumerate(groups):
        for person in (pitcher, *listeners):
            rows.append(g)
            columns.append(people[person])
        pitcher_of.append(people[pitcher])
        for listener in listeners:
            pairs_group.append(g)
            pairs_listener.append(people[listener])
    membership = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(groups), size))
    frequency = (membership @ present).tocsr()  # group × term: texts of the group holding it
    texts_in_group = 2.0 * np.asarray(membership.sum(axis=1)).ravel()
    idf = frequency.copy()
    idf.data = (
        np.log((1.0 + np.repeat(texts_in_group, np.diff(idf.indptr))) / (1.0 + idf.data)) + 1.0
    )

    def unit(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ matrix

    asked = unit(queries[pitcher_of].multiply(idf).tocsr())
    cosines = np.zeros(len(pairs_group))
    if pairs_group:
        offered = unit(documents[pairs_listener].multiply(idf[pairs_group]).tocsr())
        cosines = np.asarray(offered.multiply(asked[pairs_group]).sum(axis=1)).ravel()

    scores: list[list[float]] = []
    at = 0
    for pitcher, listeners in groups:
        row = [float(value) for value in cosines[at : at + len(listeners)]]
        at += len(listeners)
        for i, listener in enumerate(listeners):
            if listener.id == pitcher.id:
                row[i] = 0.0
            elif _named_score(pitcher, listener):
                row[i] = NAMED
        scores.append(row)
    return scores


WHY_FLOOR = 0.4
"""The cosine from which the meaning alone makes a tablemate a candidate for a phone's "why
this table" line (``seating_scores_within``; the planner's is ``MEANING_FLOOR``). A line is a
claim shown to a person; the planner's floor (about the 75th percentile of all pairs) lets a
quarter of chance pairs through, which is right for choosing among candidates but not for
telling someone "may help you": on the demo event it gave 108 lines for 36 phones, against 59
by the words alone, 69 of them the meaning's alone, one factory tour on 15 phones; with these
floors, 46 lines, 10 of them the meaning's alone. Measured with ``WHY_WORD_FLOOR`` on the
demo event and the intentions bench (``docs/benchmarks-intentions.md``)."""

WHY_WORD_FLOOR = 0.25
"""The cosine a tablemate who shares a word with the need must still reach for a line: "years"
in "fifteen years in oil and gas" and "twenty years of ICU experience" is a shared word (cosine
0.18), not help."""


def seating_scores_within(
    groups: Sequence[tuple[Profile, Sequence[Profile]]],
    *,
    floor: float = WHY_FLOOR,
    word_floor: float = WHY_WORD_FLOOR,
) -> tuple[list[list[float]], set[Hashable]]:
    """``seating_scores`` for each group (pitcher, listeners), fitted on the group as
    ``help_scores_within`` is, with the meaning read from the embeddings this process already
    holds (``sentences.held``): nothing is embedded and the model is not loaded, so a phone's
    page and a re-plan's push never wait for it. Returns the scores (one row per group, the
    listeners' order) and the ids of the people one of whose texts was not held (to embed in
    the background, ``pitches.warming``; none once the model failed to load). A group with
    such a text, and every group without the model, is scored by the words alone
    (``help_scores_within``): the same reading, 0 to ``NAMED``.

    The fusion is ``seating_scores``' (``_fused``), with the z-scores taken over the group's
    listeners, so what a phone shows follows what the planner seated by; but what counts as
    evidence is stricter, as a line is a claim shown to a person: a cosine of at least
    ``floor`` alone, or a shared word with a cosine of at least ``word_floor``
    (``MEANING_FLOOR`` and -1 give the planner's rule). Measured on the
    intentions bench's plans (``docs/benchmarks-intentions.md``): of the pitchers seated with
    a true helper, the share shown one in their "why this table" lines."""
    words = help_scores_within(groups)
    said = {pitcher: glosses.english_text(_said(pitcher)) for pitcher, _listeners in groups}
    offered = {
        listener: glosses.english_text(_document(listener))
        for _pitcher, listeners in groups
        for listener in listeners
    }
    vectors = sentences.held([*said.values(), *offered.values()])
    unheld = {
        person.id
        for texts in (said, offered)
        for person, text in texts.items()
        if text.strip() and text not in vectors
    }
    if unheld and sentences.failed():  # nothing will embed them: words alone, nothing to ask
        return words, set()
    scores = []
    for (pitcher, listeners), row in zip(groups, words, strict=True):
        if pitcher.id in unheld or any(listener.id in unheld for listener in listeners):
            scores.append(row)
            continue
        query = vectors.get(said[pitcher])
        meaning = np.full(len(listeners), np.nan)
        if query is not None and listeners:
            documents = [vectors.get(offered[listener]) for listener in listeners]
            known = [
                i
                for i, (listener, document) in enumerate(zip(listeners, documents, strict=True))
                if document is not None and listener.id != pitcher.id
            ]
            if known:
                meaning[known] = np.round(np.stack([documents[i] for i in known]) @ query, 6)
        named = np.array([_named_score(pitcher, listener) for listener in listeners], dtype=bool)
        fused = _fused(
            np.array(row, dtype=np.float64),
            meaning,
            named,
            floor=floor,
            word_floor=word_floor,
        )
        scores.append([float(value) for value in fused])
    return scores, unheld


def top_helpers(scores: Sequence[Sequence[float]], *, limit: int = 5) -> list[list[int]]:
    """For each pitcher, the indexes of the ``limit`` best-scoring listeners with a score above
    0, best first (ties by index)."""
    return [
        sorted((i for i, s in enumerate(row) if s > 0), key=lambda i: (-row[i], i))[:limit]
        for row in scores
    ]


CANDIDATES = 10
"""Listeners per pitcher handed to the planner as possible helpers. Measured with 10, 15 and
25 (``bench/intentions.py``, eight seeds): more candidates did not seat more pitchers with a
true helper, and 25 spread the results over seeds more widely."""


def document_keys(people: Sequence[Profile]) -> list[str]:
    """Each person's document as the matcher reads it (offer, company and job title, folded):
    ``help_chances``' ``documents``. Equal keys are the same evidence of help."""
    return [_document(person) for person in people]


def help_chances(
    scores: Sequence[Sequence[float]],
    *,
    limit: int = CANDIDATES,
    documents: Sequence[str] | None = None,
) -> list[tuple[int, int, float]]:
    """(pitcher, listener, chance) index triples for each pitcher's ``limit`` best-scored
    listeners (``top_helpers``): the planner's ``helps``. A listener a wish names (score
    ``NAMED``) has chance 1. The others get a rank-based guess, 1 / (r + 1) for the r-th best
    text score (1/2, 1/3, 1/4, ...), whatever the scores' scale.

    The scores are cosines or fused z-scores, not probabilities, and their scale changes with
    the room and the length of the texts, so they are not read as chances. Their order is
    what a ranked retrieval gives reliably, and the precision of a ranking falls with rank; a
    reciprocal-rank prior (as in reciprocal rank fusion, Cormack, Clarke & Büttcher 2009) is
    the standard guess free of the scale. It keeps every guess below 1 so that the planner
    still spreads a pitcher's encounters over several likely helpers rather than trusting the
    first.

    ``documents`` (``document_keys``, one per listener, optional): a listener whose document
    is the same as a better-scored text candidate's carries the same evidence, so it is no
    further candidate and takes no rank or place. The planner takes chances as independent:
    two listeners with one text would count one guess twice, and the pitcher would be seated
    with both instead of a second, different likely helper. Named listeners keep chance 1
    whatever their text. Measured on the intentions bench (``docs/benchmarks-intentions.md``):
    with one text per person nothing changes; where texts repeat, more pitchers are seated with
    a true helper.
    """
    chances = []
    for pitcher, row in enumerate(scores):
        order = top_helpers([row], limit=len(row))[0]
        seen: set[str] = set()
        taken = rank = 0
        for listener in order:
            if taken >= limit:
                break
            if row[listener] >= NAMED:
                chances.append((pitcher, listener, 1.0))
            else:
                text = documents[listener] if documents is not None else ""
                if text and text in seen:
                    continue
                seen.add(text)
                rank += 1
                chances.append((pitcher, listener, 1.0 / (rank + 1)))
            taken += 1
    return chances
