"""Tests of the English word space of the matcher (pitches.glosses): no database."""

from __future__ import annotations

import threading
import time

import pytest

from pitches import glosses
from pitches.glosses import english_terms, gloss_terms


def test_english_terms_are_stems_without_stop_words_letters_or_numbers() -> None:
    assert english_terms("We need Investors, an investor and 2 e-bikes!") == [
        "need",
        "investor",
        "investor",
        "e-bik",  # Snowball stems, not words
        "bike",
    ]


def test_gloss_terms_translate_chinese_content_words_and_drop_function_words() -> None:
    terms = gloss_terms("我们的律师和会计师")  # our lawyer and accountant

    assert terms == {"lawyer": 1.0, "account": 1.0}


def test_gloss_terms_put_both_languages_in_one_space() -> None:
    assert gloss_terms("Investors, 投资人!") == {"investor": 2.0}


def test_gloss_terms_share_a_chinese_words_weight_among_its_gloss() -> None:
    terms = gloss_terms("跨境")  # cross-border

    assert set(terms) == {"cross-bord", "cross", "border"}
    assert sum(terms.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("text", ["", "   ", "的了吗", "!?。"])
def test_gloss_terms_of_a_text_without_words_are_empty(text: str) -> None:
    assert gloss_terms(text) == {}


def test_once_builds_a_load_by_one_thread_while_the_others_wait() -> None:
    # the first Chinese texts of a process arrive together (phones opening at the start of an
    # evening): each thread loading the dictionary itself took six pages 18 s instead of 4
    built: list[int] = []

    def load() -> object:
        built.append(1)
        time.sleep(0.05)
        return object()

    get = glosses.once(load)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(built) == 1
    assert len(results) == 8
    assert all(result is results[0] for result in results)


def test_the_dictionary_and_the_segmenter_are_loaded_once() -> None:
    for loader in (glosses._dictionary, glosses._segmenter, glosses._tagger):
        assert isinstance(loader, glosses.once)
