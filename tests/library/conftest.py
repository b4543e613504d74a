"""Shared fixtures for the library tests: a writable copy of the minimal library, the real embedder, a synced store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from library.embeddings import MiniLMEmbedder, get_embedder
from library.loader import load_library
from library.schemas import Library
from library.store import LibraryStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "library_min"


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """A private, editable copy of tests/fixtures/library_min."""
    target = tmp_path / "library_min"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return get_embedder()


@pytest.fixture(scope="session")
def fixture_library() -> Library:
    return load_library(FIXTURE)


@pytest.fixture(scope="session")
def synced_store(tmp_path_factory: pytest.TempPathFactory, fixture_library: Library) -> Iterator[LibraryStore]:
    """The fixture library synced once into a session-wide Chroma folder."""
    store = LibraryStore.embedded(tmp_path_factory.mktemp("chroma"), fixture_library.name)
    store.sync(fixture_library)
    yield store
