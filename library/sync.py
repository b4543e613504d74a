"""`qualify library sync`: load and validate a library folder, then index it."""

from __future__ import annotations

from pathlib import Path

from library.loader import load_library
from library.store import LibraryStore, SyncReport


def sync_library(directory: Path, store: LibraryStore) -> SyncReport:
    """Validate the YAML files in `directory` (raising LibraryError on any problem) and sync them into `store`."""
    return store.sync(load_library(directory))
