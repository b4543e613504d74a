"""The synced vectors' local copy: exactly what the collection holds, the same matches as reading Chroma, and never
a stale copy after the library changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from agent.retrieve import LibraryRetriever
from agent.schemas import Enrichment, Lead
from library.documents import collection_name
from library.embeddings import MODEL_NAME, MiniLMEmbedder
from library.loader import load_library
from library.store import LibraryStore
from library.sync import sync_library
from library.vector_cache import CachedVectors, VectorCache

LEADS = [
    Lead(person={"title": "Head of Accounting", "name": "Pat"}, company={"employees": 70}, notes=None),
    Lead(
        person={"title": "Finance lead", "name": "Sam"},
        company={"name": "Acme"},
        notes="Our auditors keep asking for documents we cannot find, and closing the books takes two weeks.",
    ),
    Lead(person={"name": "Kim"}, company={}, notes="We want to stop chasing receipts by e-mail."),
]


def _synced(tmp_path: Path, library_dir: Path) -> tuple[LibraryStore, VectorCache, str]:
    store = LibraryStore.embedded(tmp_path / "chroma", "library_min")
    report = sync_library(library_dir, store)
    return store, VectorCache(tmp_path / "chroma"), report.snapshot_id


def _same(a: dict[str, tuple[list[str], np.ndarray]], b: dict[str, tuple[list[str], np.ndarray]]) -> bool:
    return a.keys() == b.keys() and all(
        a[k][0] == b[k][0] and a[k][1].dtype == b[k][1].dtype and np.array_equal(a[k][1], b[k][1]) for k in a
    )


def test_sync_leaves_a_copy_equal_to_the_collection(tmp_path: Path, library_dir: Path) -> None:
    store, cache, snapshot = _synced(tmp_path, library_dir)
    cached = cache.load(collection_name("library_min"), snapshot, MODEL_NAME)
    assert cached is not None and cached.snapshot_id() == store.snapshot_id() == snapshot
    assert _same(cached.entity_vectors(), store.entity_vectors())  # bit for bit, ids in the same order


def test_matches_from_the_copy_equal_matches_from_chroma(
    tmp_path: Path, library_dir: Path, embedder: MiniLMEmbedder
) -> None:
    store, cache, snapshot = _synced(tmp_path, library_dir)
    library = load_library(library_dir)
    cached = cache.load(collection_name(library.name), snapshot, MODEL_NAME)
    assert cached is not None
    from_chroma = LibraryRetriever(library, embedder, store)
    from_copy = LibraryRetriever(library, embedder, cached)
    for lead in LEADS:
        assert from_copy.match(lead, Enrichment()) == from_chroma.match(lead, Enrichment())


def test_a_changed_library_drops_the_old_copy_and_writes_its_own(tmp_path: Path, library_dir: Path) -> None:
    store, cache, before = _synced(tmp_path, library_dir)
    name = collection_name("library_min")
    path = library_dir / "use_cases.yaml"
    path.write_text(path.read_text().replace("Closing the books is slow and painful", "Closing takes ages"))
    after = sync_library(library_dir, store).snapshot_id
    assert after != before
    assert cache.load(name, before, MODEL_NAME) is None  # the collection no longer holds those vectors
    fresh = cache.load(name, after, MODEL_NAME)
    assert fresh is not None and _same(fresh.entity_vectors(), store.entity_vectors())


def test_a_copy_that_does_not_match_is_ignored_and_a_sync_rewrites_it(tmp_path: Path, library_dir: Path) -> None:
    store, cache, snapshot = _synced(tmp_path, library_dir)
    name = collection_name("library_min")
    good = cache.path(name, snapshot, MODEL_NAME)
    assert cache.load(name, snapshot, "another-model") is None
    other = cache.path(name, "0" * 16, MODEL_NAME)
    other.write_bytes(good.read_bytes())  # a file under another snapshot's name: its stamp says otherwise
    assert cache.load(name, "0" * 16, MODEL_NAME) is None
    good.write_bytes(good.read_bytes()[:200])  # cut short, as by a crash
    assert cache.load(name, snapshot, MODEL_NAME) is None
    report = sync_library(library_dir, store)
    assert report.changed == 0  # nothing to re-index, but the copy is written again
    restored = cache.load(name, snapshot, MODEL_NAME)
    assert restored is not None and _same(restored.entity_vectors(), store.entity_vectors())


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    vectors = {
        "segment": (["smb", "enterprise"], rng.standard_normal((2, 4)).astype(np.float32)),
        "persona_title": (["cfo", "cfo", "controller"], rng.standard_normal((3, 4)).astype(np.float32)),
    }
    cache = VectorCache(tmp_path)
    cache.save("qualify-x", "abc", MODEL_NAME, vectors)
    loaded = cache.load("qualify-x", "abc", MODEL_NAME)
    assert isinstance(loaded, CachedVectors) and _same(loaded.entity_vectors(), vectors)
    cache.clear("qualify-x")
    assert cache.load("qualify-x", "abc", MODEL_NAME) is None
