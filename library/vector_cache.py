"""A synced library's entity vectors in one local file, so a process that only reads them (one `qualify lead`) need not
open ChromaDB, whose import and start-up cost a short-lived command about a second.

The embedded store writes the file at the end of every sync, from what the collection then holds, and deletes its
collection's files before any sync that changes the collection: a file only ever holds what the collection holds. A
file is named, and stamped inside, with its collection, library snapshot id and embedding model; one that does not
match what is asked for, or cannot be read, counts as absent and the caller falls back to Chroma (whose sync writes it
again). No ChromaDB here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

Vectors = dict[str, tuple[list[str], np.ndarray]]
FOLDER = "qualify-vectors"  # inside the embedded Chroma folder: deleting the index deletes its cache
FORMAT = 1  # bumped when the file layout changes; older files are then ignored


class CachedVectors:
    """One snapshot's vectors as read from the cache; answers the retriever as the store it was written from would."""

    def __init__(self, snapshot_id: str, vectors: Vectors):
        self._snapshot_id = snapshot_id
        self._vectors = vectors

    def snapshot_id(self) -> str:
        """The library snapshot the vectors were synced at."""
        return self._snapshot_id

    def entity_vectors(self) -> Vectors:
        """All vectors by kind: (entity id of each row, matrix of unit rows)."""
        return self._vectors


class VectorCache:
    """The cache files of the embedded index at `chroma_path`, one per collection, snapshot and embedding model."""

    def __init__(self, chroma_path: Path | str):
        self.folder = Path(chroma_path) / FOLDER

    def path(self, collection: str, snapshot_id: str, model: str) -> Path:
        """Where the vectors of `collection` at `snapshot_id`, embedded by `model`, are kept."""
        model_digest = hashlib.sha256(model.encode()).hexdigest()[:12]
        return self.folder / collection / f"{snapshot_id}-{model_digest}.npz"

    def load(self, collection: str, snapshot_id: str, model: str) -> CachedVectors | None:
        """The cached vectors, or None when there are none for exactly this collection, snapshot and model."""
        path = self.path(collection, snapshot_id, model)
        try:
            with np.load(path, allow_pickle=False) as data:
                stamp = json.loads(str(data["stamp"]))
                if stamp != _stamp(collection, snapshot_id, model, stamp.get("kinds", [])):
                    return None
                vectors: Vectors = {}
                for i, kind in enumerate(stamp["kinds"]):
                    ids = [str(v) for v in data[f"ids_{i}"].tolist()]
                    matrix = np.asarray(data[f"vectors_{i}"], dtype=np.float32)
                    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
                        return None
                    vectors[kind] = (ids, matrix)
        except (OSError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
            return None  # missing, partly written by a crashed process, or from another layout: read Chroma instead
        return CachedVectors(snapshot_id, vectors)

    def save(self, collection: str, snapshot_id: str, model: str, vectors: Vectors) -> Path:
        """Write the vectors (atomically: a reader sees the old file or the new one, never half of one)."""
        path = self.path(collection, snapshot_id, model)
        path.parent.mkdir(parents=True, exist_ok=True)
        kinds = list(vectors)
        arrays: dict[str, np.ndarray] = {"stamp": np.array(json.dumps(_stamp(collection, snapshot_id, model, kinds)))}
        for i, kind in enumerate(kinds):
            ids, matrix = vectors[kind]
            arrays[f"ids_{i}"] = np.array(ids, dtype=np.str_)
            arrays[f"vectors_{i}"] = np.asarray(matrix, dtype=np.float32)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, allow_pickle=False, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def clear(self, collection: str) -> None:
        """Forget every cached snapshot of `collection` (before a sync changes it)."""
        shutil.rmtree(self.folder / collection, ignore_errors=True)


def _stamp(collection: str, snapshot_id: str, model: str, kinds: list[str]) -> dict[str, object]:
    return {"format": FORMAT, "collection": collection, "snapshot_id": snapshot_id, "model": model, "kinds": kinds}
