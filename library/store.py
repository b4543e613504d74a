"""The library's vector index in ChromaDB: the only module that imports chromadb.

One collection per library (`qualify-<name>`, cosine space), one document per entity text (library.documents).
Syncing is idempotent: each document carries a hash of its text and the embedding model, so an unchanged library
re-syncs with zero writes. An embedded store keeps a copy of the synced vectors beside the collection
(library.vector_cache), which a short-lived process reads instead of opening Chroma.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function
from pydantic import BaseModel, ConfigDict

from library.documents import Document, collection_name, library_documents
from library.errors import LibraryError
from library.embeddings import MODEL_NAME, get_embedder
from library.schemas import Library
from library.vector_cache import VectorCache

EF_NAME = "qualify-minilm-int8"


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter over the offline MiniLM embedder; its saved config is just the model name (no paths)."""

    def __init__(self, model: str = MODEL_NAME):
        if model != MODEL_NAME:
            raise LibraryError(
                f"collection was built with embedding model {model!r}; this build has {MODEL_NAME!r}. "
                "Run `qualify library sync` to rebuild it"
            )
        self.model = model

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder().embed(list(input)))

    @staticmethod
    def name() -> str:
        return EF_NAME

    # chromadb declares these with its own `Space` literal type; plain strings of the same values work at run time.
    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]  # see default_space
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction(model=str(config.get("model", MODEL_NAME)))


class SyncReport(BaseModel):
    """What one sync changed, counted in documents."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    library: str
    collection: str
    snapshot_id: str
    added: int
    updated: int
    deleted: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted


class LibraryStore:
    """One library's index, in an embedded persistent Chroma folder (`path`) or on a Chroma server (`host`, `port`)."""

    def __init__(self, library_name: str, *, path: Path | str | None = None, host: str | None = None, port: int = 8000):
        settings = ChromaSettings(anonymized_telemetry=False)
        self.library_name = library_name
        self.collection_name = collection_name(library_name)
        self.path = None if host else (Path(path) if path is not None else None)
        if host:
            self._client = chromadb.HttpClient(host=host, port=port, settings=settings)
        elif path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=settings)
        else:
            raise ValueError("LibraryStore needs a folder path or a server host")

    @classmethod
    def embedded(cls, path: Path | str, library_name: str) -> LibraryStore:
        """A store in a local persistent Chroma folder."""
        return cls(library_name, path=path)

    @classmethod
    def server(cls, host: str, port: int, library_name: str) -> LibraryStore:
        """A store on a Chroma server."""
        return cls(library_name, host=host, port=port)

    def sync(self, library: Library) -> SyncReport:
        """Bring the library's collection in line with `library`: add, update and delete only what changed."""
        if library.name != self.library_name:
            raise LibraryError(
                f"this store indexes library {self.library_name!r}, not {library.name!r}", entry=library.name
            )
        name = self.collection_name
        collection = self._client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            # chromadb asks for an EmbeddingFunction[Documents | Images] (its type parameter is invariant), which no
            # text-only function, chromadb's own included, can be declared as; ours embeds documents only.
            embedding_function=MiniLMEmbeddingFunction(),  # type: ignore[arg-type]
        )
        cache = VectorCache(self.path) if self.path is not None else None
        existing = collection.get(include=["metadatas"])
        stored = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"] or [], strict=True)}
        desired = {d.id: d for d in library_documents(library)}
        new = [d for i, d in desired.items() if i not in stored]
        changed = [d for i, d in desired.items() if i in stored and stored[i] != d.digest()]
        gone = [i for i in stored if i not in desired]

        if cache is not None and (new or changed or gone):
            cache.clear(name)  # before the collection changes: a cached file never holds vectors it no longer has
        if new or changed:
            vectors = get_embedder().embed([d.text for d in new + changed])
            if new:
                collection.add(**_payload(new, vectors[: len(new)]))
            if changed:
                collection.update(**_payload(changed, vectors[len(new) :]))
        if gone:
            collection.delete(ids=gone)
        snapshot = library.snapshot_id()
        meta = {"library": library.name, "snapshot_id": snapshot, "embedding_model": MODEL_NAME}
        if {k: (collection.metadata or {}).get(k) for k in meta} != meta:
            collection.modify(metadata=meta)
        if cache is not None and cache.load(name, snapshot, MODEL_NAME) is None:
            cache.save(name, snapshot, MODEL_NAME, self.entity_vectors())
        return SyncReport(
            library=library.name,
            collection=name,
            snapshot_id=snapshot,
            added=len(new),
            updated=len(changed),
            deleted=len(gone),
            unchanged=len(desired) - len(new) - len(changed),
        )

    def snapshot_id(self) -> str | None:
        """The snapshot id of the last sync, or None when the library was never synced."""
        collection = self._open(required=False)
        return None if collection is None else (collection.metadata or {}).get("snapshot_id")

    def query(self, kind: str, texts: Sequence[str], n: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, the `n` most similar entities of `kind` as (entity_id, cosine similarity), best first."""
        collection = self._open()
        # Several documents can share an entity (persona titles, use-case pains): ask for more, keep each entity's best.
        fetch = min(max(n * 8, n), max(collection.count(), 1))
        found = collection.query(
            query_texts=list(texts), n_results=fetch, where={"kind": kind}, include=["metadatas", "distances"]
        )
        results: list[list[tuple[str, float]]] = []
        for metas, distances in zip(found["metadatas"] or [], found["distances"] or [], strict=True):
            best: dict[str, float] = {}
            for meta, distance in zip(metas, distances, strict=True):
                entity = str(meta["entity_id"])
                best[entity] = max(best.get(entity, -1.0), 1.0 - float(distance))
            results.append(sorted(best.items(), key=lambda kv: -kv[1])[:n])
        return results

    def entity_vectors(self) -> dict[str, tuple[list[str], np.ndarray]]:
        """All stored vectors by kind: (entity id of each row, matrix of unit rows), for in-memory retrieval."""
        collection = self._open()
        found = collection.get(include=["metadatas", "embeddings"])
        rows: dict[str, tuple[list[str], list[np.ndarray]]] = {}
        embeddings = found["embeddings"] if found["embeddings"] is not None else []
        for meta, vector in zip(found["metadatas"] or [], embeddings, strict=True):
            ids, vectors = rows.setdefault(str(meta["kind"]), ([], []))
            ids.append(str(meta["entity_id"]))
            vectors.append(np.asarray(vector, dtype=np.float32))
        return {kind: (ids, np.vstack(vectors)) for kind, (ids, vectors) in rows.items()}

    def embedding_config(self) -> dict[str, Any] | None:
        """The embedding-function configuration Chroma persisted for the collection (to rebuild it on reopen)."""
        collection = self._open()
        return collection.configuration_json.get("embedding_function")

    def _open(self, *, required: bool = True) -> Any:
        try:
            # No embedding function passed: Chroma rebuilds ours from the persisted configuration.
            return self._client.get_collection(self.collection_name)
        except chromadb.errors.NotFoundError as exc:
            if not required:
                return None
            raise LibraryError(
                f"library {self.library_name!r} is not indexed; run `qualify library sync`", entry=self.collection_name
            ) from exc


def _payload(docs: list[Document], vectors: np.ndarray) -> dict[str, Any]:
    return {
        "ids": [d.id for d in docs],
        "embeddings": vectors,
        "documents": [d.text for d in docs],
        "metadatas": [{"kind": d.kind, "entity_id": d.entity_id, "name": d.name, "hash": d.digest()} for d in docs],
    }
