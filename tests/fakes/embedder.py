"""A deterministic embedder for tests: hashed bag of word stems, L2-normalised (shared words → similar vectors)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_STOP = set(
    "a an the of to in on for and or is are was be we our i my you your it this that at by with as from".split()
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class HashingEmbedder:
    """Satisfies `agent.deps.Embedder`; counts its calls so tests can check batching."""

    name = "fake-hashing"

    def __init__(self, dimensions: int = 512):
        self.dimensions = dimensions
        self.calls: list[int] = []

    def _bucket(self, token: str) -> tuple[int, float]:
        digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
        return int.from_bytes(digest[:4], "little") % self.dimensions, 1.0 if digest[4] % 2 else -1.0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text; a text with no words gets a fixed vector."""
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [_stem(w) for w in re.findall(r"[a-z0-9$]+", text.lower()) if w not in _STOP]
            for w in words or ["<empty>"]:
                index, sign = self._bucket(w)
                out[row, index] += sign
            out[row] /= np.linalg.norm(out[row]) or 1.0
        return out
