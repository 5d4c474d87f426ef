"""Tests of the sentence model (pitches.sentences): the NumPy encoder against sentence-
transformers' own embeddings, the cache, and the fallback when the model is missing."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pitches import matching, sentences

# The first four of the 384 values sentence-transformers 6.3 (torch 2.13, CPU) gives these two
# texts with all-MiniLM-L6-v2 and normalize_embeddings=True.
REFERENCE = {
    "I need an investor in hardware. Who do you know?": [0.02572, -0.059976, 0.012221, -0.032281],
    "sold a solar mini-grid company, now a mentor": [-0.036517, 0.102196, 0.019933, 0.030212],
}


def test_the_model_is_installed_and_its_weights_are_the_expected_file() -> None:
    assert sentences.available()


def test_embed_gives_sentence_transformers_embeddings() -> None:
    vectors = sentences.embed(list(REFERENCE))

    assert vectors.shape == (2, sentences.DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(vectors[:, :4], list(REFERENCE.values()), atol=2e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_text_embeds_the_same_alone_as_in_a_batch_of_longer_texts() -> None:
    """Padding in a batch changes nothing (the attention mask)."""
    text = "editor at a tech outlet"
    alone = sentences._model().encode([text])[0]
    batched = sentences._model().encode([text, "a much longer text " * 30])[0]

    np.testing.assert_allclose(alone, batched, atol=1e-5)


def test_empty_and_blank_texts_embed_as_zeros_and_a_long_text_is_cut() -> None:
    vectors = sentences.embed(["", "   ", "word " * 2000])

    assert not vectors[:2].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-5)


def test_embed_keeps_a_text_it_saw(monkeypatch) -> None:
    sentences.embed(["a text the cache holds"])
    monkeypatch.setattr(sentences._Model, "encode", lambda self, texts: pytest.fail("re-embedded"))

    assert sentences.embed(["a text the cache holds"]).any()


def test_held_reads_the_cache_only() -> None:
    sentences.embed(["a text the cache holds"])

    held = sentences.held(["a text the cache holds", "a text never embedded", ""])

    assert list(held) == ["a text the cache holds"]
    assert held["a text the cache holds"].shape == (sentences.DIMENSIONS,)
    sentences.forget_embeddings()
    assert sentences.held(["a text the cache holds"]) == {}
    assert sentences.available()  # the model stays loaded


def test_a_missing_model_is_unavailable_and_logged_once(monkeypatch, caplog) -> None:
    monkeypatch.setattr(sentences, "MODEL_PACKAGE", "no_such_model_package")
    sentences._forget()
    try:
        assert not sentences.failed()  # not tried yet
        assert not sentences.available()
        assert sentences.failed()
        assert not sentences.available()
        with pytest.raises(sentences.ModelUnavailable):
            sentences.embed(["anything"])
    finally:
        sentences._forget()
    assert [r.message for r in caplog.records].count(
        "Sentence model unavailable, matching by words alone: "
        "no_such_model_package is not installed (requirements-model.txt)"
    ) == 1


def test_weights_that_are_not_the_expected_file_are_refused(monkeypatch, tmp_path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    monkeypatch.setattr(sentences, "model_dir", lambda: tmp_path)
    sentences._forget()
    try:
        with pytest.raises(sentences.ModelUnavailable, match="not the expected file"):
            sentences._model()
    finally:
        sentences._forget()


def test_a_broken_install_is_unavailable_and_read_once(monkeypatch, tmp_path) -> None:
    """The weights without their tokenizer: tokenizers raises a plain Exception, which must
    not reach the planner; the failure is remembered, not read again at every call."""
    real = sentences.model_dir()
    (tmp_path / "model.safetensors").symlink_to(real / "model.safetensors")
    reads = []
    monkeypatch.setattr(sentences, "model_dir", lambda: reads.append(1) or tmp_path)
    sentences._forget()
    try:
        assert not sentences.available()
        assert not sentences.available()
        people = [matching.Profile(id=1, need="Media coverage."), matching.Profile(id=2, offer="x")]
        assert matching.seating_scores(people) == matching.help_scores(people)
    finally:
        sentences._forget()
    assert len(reads) == 1


def test_two_threads_wanting_the_same_texts_embed_them_once(monkeypatch) -> None:
    texts = [f"a text two threads want, number {i}" for i in range(40)]
    model = sentences._model()
    real = type(model).encode
    encoded: list[str] = []
    gate = threading.Barrier(2)

    def counting(self, batch):
        encoded.extend(batch)
        return real(self, batch)

    monkeypatch.setattr(type(model), "encode", counting)
    results = {}

    def run(name: str, background: bool) -> None:
        gate.wait()
        results[name] = sentences.embed(texts, background=background)

    threads = [
        threading.Thread(target=run, args=("plan", False)),
        threading.Thread(target=run, args=("warm", True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(encoded) == sorted(texts)
    np.testing.assert_array_equal(results["plan"], results["warm"])
