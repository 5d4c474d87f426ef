"""Tests of the planner's scores (pitches.matching.seating_scores): the TF-IDF with the
meaning of the texts added, on the same rules as help_scores."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pitches import matching, sentences
from pitches.matching import NAMED, Profile, help_scores, seating_scores, top_helpers


def test_a_paraphrase_without_shared_words_finds_its_helper() -> None:
    """ "Moving into renewables" shares no word with "sold a solar mini-grid company": the words
    alone do not see the help, the meaning does."""
    pitcher = Profile(id=1, need="Fifteen years in oil and gas, moving into renewables.")
    mentor = Profile(id=2, offer="Sold a solar mini-grid company, now a mentor.")
    others = [
        Profile(id=3, offer="I sell industrial pumps."),
        Profile(id=4, offer="Tax filings and bookkeeping."),
        Profile(id=5, offer="I teach yoga to office teams."),
    ]
    people = [pitcher, mentor, *others]

    scores = seating_scores(people)

    assert help_scores(people)[0][1] == 0.0
    assert top_helpers(scores, limit=1)[0] == [1]
    assert scores[0][3] == scores[0][4] == 0.0  # tax filings, yoga: no evidence at all


def test_a_chinese_need_meets_an_english_paraphrase() -> None:
    pitcher = Profile(id=1, need="我们想让更多媒体报道我们的新产品")
    editor = Profile(id=2, offer="Editor at a tech news site; I write about product launches.")
    others = [Profile(id=3, offer="I sell industrial pumps."), Profile(id=4, offer="Yoga classes.")]

    assert top_helpers(seating_scores([pitcher, editor, *others]), limit=1)[0] == [1]


def test_seating_scores_keep_the_shape_and_reading_of_help_scores() -> None:
    wisher = Profile(id=1, need="A lawyer for a contract.", wished=frozenset({3}))
    lawyer = Profile(id=2, offer="I am a contract lawyer.")
    picked = Profile(id=3)  # picked from the guest list, writes nothing
    silent = Profile(id=4)
    baker = Profile(id=5, need="Flour in bulk.", offer="Bread for offices.")
    people = [wisher, lawyer, picked, silent, baker]

    scores = seating_scores(people)

    assert len(scores) == len(people)
    assert all(len(row) == len(people) for row in scores)
    assert all(scores[i][i] == 0.0 for i in range(len(people)))
    assert scores[0][2] == NAMED
    assert 0.0 < scores[0][1] < NAMED
    assert top_helpers(scores, limit=2)[0] == [2, 1]
    # someone who offers nothing is no candidate; someone who asks nothing has none
    assert scores[0][3] == 0.0
    assert scores[4][3] == 0.0
    assert scores[3] == [0.0] * len(people)
    assert all(0.0 <= value <= NAMED for row in scores for value in row)


def test_seating_scores_are_directed() -> None:
    pitcher = Profile(id=1, need="An accountant who knows Chinese tax.")
    same_need = Profile(id=2, need="An accountant who knows Chinese tax.", offer="Bread.")
    helper = Profile(id=3, offer="Chartered accountant: tax filings for small firms.")

    scores = seating_scores([pitcher, same_need, helper])

    assert scores[0][2] > scores[0][1]


def test_a_wish_reaches_the_company_of_someone_on_the_guest_list_only() -> None:
    """help_scores' rule holds in meaning too: "someone at Quantum Widgets" finds the listed
    person of that company first, and the unlisted one only by their offer."""
    wisher = Profile(id=1, wishes=("someone at Quantum Widgets",))
    hidden = Profile(id=2, company="Quantum Widgets", offer="I paint watercolours.", listed=False)
    shown = replace(hidden, id=3, listed=True)
    others = [Profile(id=4, offer="I sell industrial pumps."), Profile(id=5, offer="Yoga.")]

    scores = seating_scores([wisher, hidden, shown, *others])

    assert top_helpers(scores, limit=1)[0] == [2]
    assert scores[0][2] > scores[0][1]
    unlisted_alone = seating_scores([wisher, hidden, *others])
    listed_alone = seating_scores([wisher, shown, *others])
    assert unlisted_alone[0][1] < listed_alone[0][1]


def test_without_the_model_seating_scores_are_help_scores(monkeypatch) -> None:
    monkeypatch.setattr(sentences, "available", lambda: False)
    people = [
        Profile(id=1, need="More media coverage."),
        Profile(id=2, offer="Editor at a tech outlet."),
        Profile(id=3, offer="Media coverage for launches."),
    ]

    assert seating_scores(people) == help_scores(people)
    assert seating_scores([]) == []


def test_seating_scores_of_one_text_repeated_are_one_candidate_once() -> None:
    """help_chances still reads listeners with one text as one piece of evidence."""
    pitcher = Profile(id=1, need="A printer for our posters.")
    copies = [Profile(id=i, offer="I print posters.") for i in (2, 3)]
    other = Profile(id=4, offer="Large-format printing and signs.")
    people = [pitcher, *copies, other]

    chances = matching.help_chances(
        seating_scores(people), documents=matching.document_keys(people)
    )

    assert [(listener, chance) for p, listener, chance in chances if p == 0][:2] == [
        (1, 0.5),
        (3, 1 / 3),
    ]


def test_a_text_that_says_nothing_gets_no_candidates() -> None:
    """ "n/a", "TBD" or Chinese of function words only: the words find nobody, and the meaning
    alone, below MEANING_FLOOR, is no evidence either."""
    offers = [
        Profile(id=10 + i, offer=offer)
        for i, offer in enumerate(
            [
                "I sell industrial pumps.",
                "Tax filings and bookkeeping.",
                "I teach yoga to office teams.",
                "Editor at a tech outlet.",
                "Angel investor in hardware.",
            ]
        )
    ]
    for need in ("n/a", "TBD", "?", "我们的"):
        scores = seating_scores([Profile(id=1, need=need), *offers])
        assert scores[0] == [0.0] * 6, need
    # the pitch format's own words alone, the app's suggested ask among them
    for need, ask in (("", "Who do you know?"), ("", "你认识谁？")):
        scores = seating_scores([Profile(id=1, need=need, ask=ask), *offers])
        assert scores[0] == [0.0] * 6, ask


PITCHER = Profile(id=1, need="Fifteen years in oil and gas, moving into renewables.")
MENTOR = Profile(id=2, offer="Sold a solar mini-grid company, now a mentor.")
MATES = [
    MENTOR,
    Profile(id=3, offer="I sell industrial pumps."),
    Profile(id=4, offer="Tax filings and bookkeeping."),
    Profile(id=5, offer="I teach yoga to office teams."),
]


def test_seating_scores_within_a_group_are_seating_scores_of_the_group() -> None:
    """A phone's "why this table" ranks its tablemates as the planner does (the same fusion),
    once the group's texts are embedded; with the planner's floors, the same scores."""
    matching.warm([PITCHER, *MATES])

    scores, unheld = matching.seating_scores_within(
        [(PITCHER, MATES), (MENTOR, [PITCHER])], floor=matching.MEANING_FLOOR, word_floor=-1.0
    )

    assert unheld == set()
    # equal but for float32 rounding (one product of vectors against one of matrices)
    assert scores[0] == pytest.approx(seating_scores([PITCHER, *MATES])[0][1:], abs=1e-6)
    assert top_helpers([scores[0]], limit=1)[0] == [0]  # the mentor, with no shared word
    assert scores[0][2] == scores[0][3] == 0.0  # tax filings, yoga: no evidence
    assert scores[1] == [0.0]  # the mentor needs nothing


def test_seating_scores_within_read_only_embeddings_held_and_name_the_rest(monkeypatch) -> None:
    """Nothing is embedded and the model is not loaded: a group with a text not embedded yet
    is scored by its words, and its people are named for the background to embed."""

    def no_model() -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(sentences, "_model", no_model)
    groups = [(PITCHER, MATES), (Profile(id=6, need="Industrial pumps for a farm."), MATES[1:2])]

    scores, unheld = matching.seating_scores_within(groups)

    assert scores == matching.help_scores_within(groups)
    assert scores[0][0] == 0.0  # the words do not see the mentor
    assert scores[1][0] > 0.0  # pumps
    assert unheld == {1, 2, 3, 4, 5, 6}


def test_seating_scores_within_keep_named_wishes_and_blank_texts() -> None:
    wisher = Profile(id=1, need="A lawyer for a contract.", wished=frozenset({3}))
    lawyer = Profile(id=2, offer="I am a contract lawyer.")
    picked, silent = Profile(id=3), Profile(id=4)
    matching.warm([wisher, lawyer, picked, silent])

    scores, unheld = matching.seating_scores_within([(wisher, [lawyer, picked, silent])])

    assert unheld == set()
    assert scores[0][1] == NAMED
    assert 0.0 < scores[0][0] < NAMED
    assert scores[0][2] == 0.0
    assert matching.seating_scores_within([]) == ([], set())


def test_seating_scores_within_ask_for_nothing_once_the_model_failed(monkeypatch) -> None:
    """Without the model, no page keeps asking the background to embed what it cannot."""
    monkeypatch.setattr(sentences, "failed", lambda: True)

    scores, unheld = matching.seating_scores_within([(PITCHER, MATES)])

    assert scores == matching.help_scores_within([(PITCHER, MATES)])
    assert unheld == set()


def test_a_line_needs_stronger_evidence_than_a_seat() -> None:
    """A line says "may help you" to a person: a shared common word ("years") or a middling
    cosine (pumps, drilling safety: 0.32-0.33) is a candidate for the planner, not a line."""
    mates = [
        MENTOR,
        Profile(id=3, offer="Twenty years of ICU experience."),
        Profile(id=4, offer="I sell industrial pumps."),
        Profile(id=5, offer="I can review offshore drilling safety plans."),
        Profile(id=6, offer="I teach yoga to office teams."),
    ]
    matching.warm([PITCHER, *mates])

    lines = matching.seating_scores_within([(PITCHER, mates)])[0][0]
    seating = matching.seating_scores_within(
        [(PITCHER, mates)], floor=matching.MEANING_FLOOR, word_floor=-1.0
    )[0][0]

    assert matching.help_scores_within([(PITCHER, mates)])[0][1] > 0.0  # "years"
    assert [i for i, score in enumerate(seating) if score > 0] == [0, 1, 2, 3]
    assert [i for i, score in enumerate(lines) if score > 0] == [0]
