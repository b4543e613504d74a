"""Embedder calls remembered on disk: a hit is the array the model computes, bit for bit; anything else is a miss."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from library.embedding_memo import EmbeddingMemo
from library.embeddings import DIMENSIONS, MiniLMEmbedder

TEXTS = ["Do they have budget approved?", "We signed off 40k for this year", "Not before Q3", "We use SAP today"]


@pytest.fixture(scope="module")
def plain() -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_size=0)  # no in-memory cache: every call reaches the model (or the memo)


def test_a_remembered_call_returns_what_the_model_computes(tmp_path: Path, plain: MiniLMEmbedder) -> None:
    expected = plain.embed(TEXTS)
    plain.remember_calls(tmp_path)
    try:
        first = plain.embed(TEXTS)  # computed and written
        assert len(list(tmp_path.glob("*.npz"))) == 1
        again = plain.embed(TEXTS)  # read back
    finally:
        plain.remember_calls(None)
    assert first.dtype == again.dtype == np.float32
    assert np.array_equal(first, expected) and np.array_equal(again, expected)


def test_a_hit_is_read_from_the_file(tmp_path: Path, plain: MiniLMEmbedder) -> None:
    marker = np.full((len(TEXTS), DIMENSIONS), 0.25, dtype=np.float32)
    plain.remember_calls(tmp_path)
    try:
        assert plain._memo is not None
        plain._memo.put(TEXTS, marker)  # only a read of this file can return these numbers
        assert np.array_equal(plain.embed(TEXTS), marker)
        assert not np.array_equal(plain.embed(TEXTS[:3]), marker[:3])  # another list of texts: another call
    finally:
        plain.remember_calls(None)


def test_another_fingerprint_or_list_is_a_miss(tmp_path: Path) -> None:
    vectors = np.ones((2, 3), dtype=np.float32)
    memo = EmbeddingMemo(tmp_path, {"model": "a", "cpu": "x"})
    memo.put(["a", "b"], vectors)
    got = memo.get(["a", "b"])
    assert got is not None and np.array_equal(got, vectors)
    assert memo.get(["b", "a"]) is None
    assert memo.get(["a", "b", ""]) is None
    assert memo.get(["ab"]) is None
    assert EmbeddingMemo(tmp_path, {"model": "a", "cpu": "y"}).get(["a", "b"]) is None  # another machine's numbers


def test_a_damaged_file_is_a_miss_and_is_rewritten(tmp_path: Path, plain: MiniLMEmbedder) -> None:
    expected = plain.embed(TEXTS)
    plain.remember_calls(tmp_path)
    try:
        plain.embed(TEXTS)
        [path] = tmp_path.glob("*.npz")
        path.write_bytes(path.read_bytes()[:100])  # cut short, as by a crash
        assert np.array_equal(plain.embed(TEXTS), expected)
        assert plain._memo is not None
        rewritten = plain._memo.get(TEXTS)
        assert rewritten is not None and np.array_equal(rewritten, expected)
    finally:
        plain.remember_calls(None)


def test_pruning_keeps_the_calls_used_last(tmp_path: Path) -> None:
    memo = EmbeddingMemo(tmp_path, {"model": "a"}, max_files=3)
    vector = np.zeros((1, 2), dtype=np.float32)
    for i, text in enumerate(["kept", "old-1", "old-2"]):
        memo.put([text], vector)
        path = memo._path([text])
        os.utime(path, ns=(i * 10**9, i * 10**9))  # written in this order
    assert memo.get(["kept"]) is not None  # a hit refreshes it
    memo.put(["new"], vector)  # a fourth file: the least recently used goes
    assert memo.get(["old-1"]) is None
    assert all(memo.get([t]) is not None for t in ("kept", "old-2", "new"))
