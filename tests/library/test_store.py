"""Syncing into Chroma: idempotent, follows edits and deletions, and a reopened collection still works."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.errors import LibraryError
from library.loader import load_library
from library.schemas import Library
from library.store import EF_NAME, LibraryStore, library_documents
from library.sync import sync_library

ROOT = Path(__file__).resolve().parents[2]


def test_sync_is_idempotent(tmp_path: Path, library_dir: Path) -> None:
    store = LibraryStore.embedded(tmp_path / "chroma", "library_min")
    first = sync_library(library_dir, store)
    total = len(library_documents(load_library(library_dir)))
    assert (first.added, first.updated, first.deleted, first.unchanged) == (total, 0, 0, 0)
    second = sync_library(library_dir, store)
    assert (second.added, second.updated, second.deleted, second.unchanged) == (0, 0, 0, total)
    assert second.changed == 0
    assert second.snapshot_id == first.snapshot_id == store.snapshot_id()


def test_sync_follows_edits_and_deletions(tmp_path: Path, library_dir: Path) -> None:
    store = LibraryStore.embedded(tmp_path / "chroma", "library_min")
    before = sync_library(library_dir, store)
    text = (library_dir / "use_cases.yaml").read_text()
    audit_block = text[text.index("  - id: audit") :]
    edited = text.replace(audit_block, "").replace("Closing the books is slow and painful", "Closing takes ages")
    (library_dir / "use_cases.yaml").write_text(edited)

    after = sync_library(library_dir, store)
    assert (after.added, after.updated, after.deleted) == (0, 1, 3)  # audit: 1 use case + 2 pains gone
    assert after.snapshot_id != before.snapshot_id
    assert store.snapshot_id() == after.snapshot_id
    found = {
        entity for row in store.query("use_case_pain", ["audit preparation is a scramble"], n=5) for entity, _ in row
    }
    assert "audit" not in found and found <= {"close", "reconciliation"}


def test_query_returns_best_entities_with_similarity(synced_store: LibraryStore) -> None:
    [titles, student] = synced_store.query("persona_title", ["Chief Financial Officer", "graduate student"], n=2)
    assert titles[0][0] == "cfo" and titles[0][1] > 0.99
    assert student[0][0] == "student"
    assert len({entity for entity, _ in titles}) == len(titles)


def test_collection_config_has_no_absolute_path(synced_store: LibraryStore) -> None:
    config = synced_store.embedding_config()
    assert config is not None and config["name"] == EF_NAME
    dumped = json.dumps(config)
    assert "/" not in dumped and "\\\\" not in dumped


def test_reopened_collection_works_in_a_fresh_process(synced_store: LibraryStore) -> None:
    # A new interpreter has no embedding function object: Chroma must rebuild ours from the persisted config.
    assert synced_store.path is not None
    script = (
        "import json, sys; from library.store import LibraryStore; "
        "s = LibraryStore.embedded(sys.argv[1], 'library_min'); "
        "print(json.dumps(s.query('use_case_pain', ['we match bank transactions to invoices by hand'], n=1)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(synced_store.path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    [[(entity, similarity)]] = json.loads(done.stdout.strip().splitlines()[-1])
    assert entity == "reconciliation" and similarity > 0.5


def test_entity_vectors_cover_every_document(synced_store: LibraryStore, fixture_library: Library) -> None:
    vectors = synced_store.entity_vectors()
    docs = library_documents(fixture_library)
    assert sum(len(ids) for ids, _ in vectors.values()) == len(docs)
    ids, matrix = vectors["persona_title"]
    assert matrix.shape == (len(ids), 384) and ids.count("cfo") == 4


def test_unsynced_library_is_a_clear_error(tmp_path: Path) -> None:
    store = LibraryStore.embedded(tmp_path / "chroma", "other")
    assert store.snapshot_id() is None
    with pytest.raises(LibraryError, match="library sync"):
        store.entity_vectors()


def test_store_refuses_another_library(tmp_path: Path, fixture_library: Library) -> None:
    with pytest.raises(LibraryError, match="not 'library_min'"):
        LibraryStore.embedded(tmp_path / "chroma", "other").sync(fixture_library)


def test_invalid_library_indexes_nothing(tmp_path: Path, library_dir: Path) -> None:
    (library_dir / "seller.yaml").write_text("seller: {name: x}\n")
    store = LibraryStore.embedded(tmp_path / "chroma", "library_min")
    with pytest.raises(LibraryError, match="seller.yaml"):
        sync_library(library_dir, store)
    assert store.snapshot_id() is None
