"""The cross-language embedder's start-up caches: an uncompressed copy of its weights and its calls remembered on disk.
Both give the vectors the model computes from the package's own file, bit for bit (the real model; no network)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import pytest

from library.embeddings import (
    MULTILINGUAL_DIMENSIONS,
    MULTILINGUAL_PACKAGE,
    MultilingualEmbedder,
    pinned_checksums,
    MULTILINGUAL_DIR,
    unpacked_weights,
)

pytestmark = pytest.mark.slow

TEXTS = [
    "La conciliación de facturas nos lleva días",
    "Wir suchen eine neue Lohnabrechnung",
    "invoice reconciliation takes too long",
    "",
    "Nous avons 14 entités et trois devises",
    "przechodzimy z SAP na NetSuite w przyszłym kwartale " * 20,  # long: a micro-batch of its own
]


@pytest.fixture(scope="module")
def plain_vectors() -> np.ndarray:
    return MultilingualEmbedder(cache_size=0).embed(TEXTS)  # the package's compressed file, no cache


def _package_weights() -> Path:
    return Path(str(importlib.resources.files(MULTILINGUAL_PACKAGE) / "resources" / "weights.npz"))


def test_the_unpacked_copy_holds_the_same_arrays(tmp_path: Path) -> None:
    sha = pinned_checksums(MULTILINGUAL_DIR / "SHA256SUMS")["weights.npz"]
    copy = unpacked_weights(_package_weights(), sha, tmp_path)
    assert copy.parent == tmp_path and sha[:16] in copy.name
    assert copy.stat().st_size > _package_weights().stat().st_size  # stored, not deflated
    with np.load(_package_weights()) as packed, np.load(copy) as unpacked:
        assert sorted(packed.files) == sorted(unpacked.files)
        for name in packed.files:
            a, b = packed[name], unpacked[name]
            assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    assert unpacked_weights(_package_weights(), sha, tmp_path) == copy  # written once, then read


def test_vectors_from_the_unpacked_copy_are_the_packages_bit_for_bit(tmp_path: Path, plain_vectors: np.ndarray) -> None:
    first = MultilingualEmbedder(cache_size=0)
    first.keep_unpacked_weights(tmp_path)
    assert np.array_equal(first.embed(TEXTS), plain_vectors)  # the load that writes the copy
    assert len(list(tmp_path.glob("*.npz"))) == 1
    second = MultilingualEmbedder(cache_size=0)
    second.keep_unpacked_weights(tmp_path)
    assert np.array_equal(second.embed(TEXTS), plain_vectors)  # read from the copy


def test_a_damaged_copy_fails_loudly_rather_than_giving_other_numbers(tmp_path: Path) -> None:
    sha = pinned_checksums(MULTILINGUAL_DIR / "SHA256SUMS")["weights.npz"]
    copy = unpacked_weights(_package_weights(), sha, tmp_path)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the embedding table
    copy.write_bytes(bytes(data))
    model = MultilingualEmbedder(cache_size=0)
    model.keep_unpacked_weights(tmp_path)
    with pytest.raises(Exception, match="CRC"):
        model.embed(["a text"])


def test_a_remembered_call_is_the_models_array_and_loads_no_model(tmp_path: Path, plain_vectors: np.ndarray) -> None:
    writer = MultilingualEmbedder(cache_size=0)
    writer.remember_calls(tmp_path)
    assert np.array_equal(writer.embed(TEXTS), plain_vectors)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    reader = MultilingualEmbedder(cache_size=0)
    reader.remember_calls(tmp_path)
    again = reader.embed(TEXTS)
    assert again.dtype == np.float32 and np.array_equal(again, plain_vectors)
    assert reader._backend is None  # the hit came from the file: the model was never loaded
    assert not np.array_equal(reader.embed(TEXTS[:2]), np.zeros((2, MULTILINGUAL_DIMENSIONS)))  # a miss: computed
    assert reader._backend is not None


def test_a_hit_is_read_from_the_file_and_another_fingerprint_misses(tmp_path: Path) -> None:
    model = MultilingualEmbedder(cache_size=0)
    model.remember_calls(tmp_path)
    marker = np.full((2, MULTILINGUAL_DIMENSIONS), 0.5, dtype=np.float32)
    assert model._memo is not None
    model._memo.put(TEXTS[:2], marker)  # only a read of this file can return these numbers
    assert np.array_equal(model.embed(TEXTS[:2]), marker)
    other = MultilingualEmbedder(cache_size=0, threads=2)  # another thread count: another fingerprint
    other.remember_calls(tmp_path)
    assert other._memo is not None and other._memo.get(TEXTS[:2]) is None
