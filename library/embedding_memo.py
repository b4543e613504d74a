"""Embedder calls remembered on disk, for short-lived processes: a cold `qualify lead` embeds the library's questions
and their examples again every run (about a sixth of its time), always in the same calls.

A call is remembered whole, keyed by the exact list of texts the model ran on and by everything that shapes the
numbers (model and tokenizer checksums, onnxruntime and tokenizers versions, batch size, token limit, threads, CPU):
the model pads each batch to its longest text and quantises activations per batch, so a text's vector depends on its
batch, and only the same call is guaranteed the same array. A hit returns that array bit for bit; anything else
(another list, another fingerprint, an unreadable file) is a miss and the model runs as before. Files are pruned
oldest first beyond `max_files`; a hit refreshes its file, so the calls every run makes stay.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np


class EmbeddingMemo:
    """Vectors of earlier embedder calls in `folder`, valid only for the embedder described by `fingerprint`."""

    def __init__(self, folder: Path, fingerprint: Mapping[str, object], max_files: int = 512):
        self.folder = Path(folder)
        self.max_files = max_files
        self._fingerprint = json.dumps(dict(fingerprint), sort_keys=True)

    def _path(self, texts: list[str]) -> Path:
        digest = hashlib.sha256(self._fingerprint.encode())
        for text in texts:
            data = text.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little") + data)  # length-prefixed: no two lists share a key
        return self.folder / f"{digest.hexdigest()[:40]}.npz"

    def get(self, texts: list[str]) -> np.ndarray | None:
        """The vectors an earlier call on exactly `texts` returned, or None."""
        path = self._path(texts)
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["fingerprint"]) != self._fingerprint or data["texts"].tolist() != texts:
                    return None
                vectors = np.asarray(data["vectors"], dtype=np.float32)
            os.utime(path)  # recently used: pruned last
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return None
        return vectors if vectors.shape[0] == len(texts) else None

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        """Remember one call (best effort: a folder that cannot be written only means no memo)."""
        path = self._path(texts)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    allow_pickle=False,
                    fingerprint=np.array(self._fingerprint),
                    texts=np.array(texts, dtype=np.str_),
                    vectors=np.asarray(vectors, dtype=np.float32),
                )
            os.replace(tmp, path)
        except (OSError, ValueError):  # ValueError: a text numpy cannot store
            Path(tmp).unlink(missing_ok=True)
            return
        self._prune()

    def _prune(self) -> None:
        try:
            files = [e for e in os.scandir(self.folder) if e.name.endswith(".npz")]
            if len(files) <= self.max_files:
                return
            files.sort(key=lambda e: e.stat().st_mtime_ns)
            for entry in files[: len(files) - self.max_files]:
                Path(entry.path).unlink(missing_ok=True)
        except OSError:
            pass  # another process pruned first
