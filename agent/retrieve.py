"""Retrieval: the library segment, persona and use cases that best describe a lead, and the questions that apply.

Entity vectors are read once from the Chroma collection (or its local copy) into numpy; a lead's texts are embedded in
one batch and compared with a matrix product, so a match costs one embedder call and no round trip to Chroma.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

import numpy as np
from rapidfuzz import fuzz

from agent.deps import Embedder
from library.errors import LibraryError
from agent.judges.base import Matches
from agent.schemas import Enrichment, EntityMatch, Lead, SectionKind
from agent.text import sentences
from library.schemas import Library, QualifyingQuestion, Segment
from library.documents import library_documents

Vectors = dict[str, tuple[list[str], np.ndarray]]


class VectorSource(Protocol):
    """Where a library's synced vectors are read: its `library.store.LibraryStore`, or the store's local copy
    (`library.vector_cache.CachedVectors`) when a process need not open ChromaDB."""

    def snapshot_id(self) -> str | None: ...

    def entity_vectors(self) -> Vectors: ...


_WORD = re.compile(r"[a-z0-9]+")


class LibraryRetriever:
    """Matches leads against one library's entities (implements `agent.deps.Retriever`; it lives in agent/ because it builds agent types from library ones)."""

    def __init__(
        self,
        library: Library,
        embedder: Embedder,
        store: VectorSource | None = None,
        *,
        max_use_cases: int = 3,
        min_use_case_similarity: float = 0.45,
        min_persona_similarity: float = 0.40,
        min_segment_similarity: float = 0.35,
        max_units: int = 16,
    ):
        self.library = library
        self.embedder = embedder
        self.max_use_cases = max_use_cases
        self.min_use_case_similarity = min_use_case_similarity
        self.min_persona_similarity = min_persona_similarity
        self.min_segment_similarity = min_segment_similarity
        self.max_units = max_units
        vectors = _stored_vectors(library, store) if store is not None else _embedded_vectors(library, embedder)
        self._names = {
            (kind, e.id): e.name
            for kind, items in (
                ("segment", library.segments),
                ("persona", library.personas),
                ("use_case", library.use_cases),
            )
            for e in items
        }
        self._segments = _Index.merge(vectors, "segment")
        self._personas = _Index.merge(vectors, "persona", "persona_title")
        self._use_cases = _Index.merge(vectors, "use_case", "use_case_pain")
        # Normalised persona titles for exact and fuzzy matching before any embedding.
        self._titles = [(_norm(t), p.id) for p in library.personas for t in p.titles]

    def match(self, lead: Lead, enrichment: Enrichment) -> Matches:
        """Best segment (firmographic rule, else embedding), persona (title rule, else embedding) and use cases."""
        lib = self.library
        if not lib.questions and len(lib.segments) == 1:
            # A pure scoring library (e.g. the built-in neutral one): one segment and nothing to judge, so no embedding;
            # a persona only by its title rule.
            title = _text(enrichment.get("person.title")) or (lead.person.title or "").strip()
            return Matches(
                segment=self._entity("segment", lib.segments[0].id, 1.0, "rule"),
                persona=self._persona_by_rule(title) if title else None,
                use_cases=[],
            )
        segment = self._segment_by_rule(_employees(lead, enrichment))
        title = _text(enrichment.get("person.title")) or (lead.person.title or "").strip()
        persona = self._persona_by_rule(title) if title else None
        units = _units(lead)[: self.max_units]
        company = _company_text(lead, enrichment) if segment is None else ""

        # One embedder call for everything this lead still needs.
        queries = units + ([title] if title and persona is None else []) + ([company] if company else [])
        vectors = self.embedder.embed(queries) if queries else np.zeros((0, 0), dtype=np.float32)
        unit_vecs = vectors[: len(units)]
        cursor = len(units)
        if title and persona is None:
            persona = self._best("persona", self._personas, vectors[cursor : cursor + 1], self.min_persona_similarity)
            cursor += 1
        if segment is None and (company or units):
            rows = np.vstack([vectors[cursor : cursor + 1] if company else vectors[:0], unit_vecs])
            segment = self._best("segment", self._segments, rows, self.min_segment_similarity)
        use_cases = self._use_case_matches(unit_vecs) if len(unit_vecs) else []
        return Matches(segment=segment, persona=persona, use_cases=use_cases)

    def _segment_by_rule(self, employees: int | None) -> EntityMatch | None:
        if employees is None:
            return None
        fitting = [
            s
            for s in self.library.segments
            if _bounded(s)
            and (s.min_employees or 0) <= employees
            and (s.max_employees is None or employees <= s.max_employees)
        ]
        if not fitting:
            return None
        # Overlapping ranges: the narrowest one says the most about the lead.
        best = min(
            fitting, key=lambda s: (s.max_employees if s.max_employees is not None else 10**9) - (s.min_employees or 0)
        )
        return self._entity("segment", best.id, 1.0, "rule")

    def _persona_by_rule(self, title: str) -> EntityMatch | None:
        wanted = _norm(title)
        words = set(wanted.split())
        for known, persona_id in self._titles:
            if known == wanted:
                return self._entity("persona", persona_id, 1.0, "rule")
        # A persona title contained word for word ("Student" in "Computer Science Student"): the longest one wins.
        contained = [
            (len(known.split()), persona_id)
            for known, persona_id in self._titles
            if known and set(known.split()) <= words
        ]
        if contained:
            return self._entity("persona", max(contained)[1], 0.95, "rule")
        scored = [(fuzz.token_sort_ratio(wanted, known), persona_id) for known, persona_id in self._titles]
        score, persona_id = max(scored, default=(0.0, ""))
        return self._entity("persona", persona_id, score / 100, "rule") if score >= 90 else None

    def _best(self, kind: SectionKind, index: _Index, rows: np.ndarray, minimum: float) -> EntityMatch | None:
        if not len(rows) or not index.ids:
            return None
        scores = index.entity_scores(rows)
        entity_id, score = max(scores.items(), key=lambda kv: kv[1])
        return self._entity(kind, entity_id, score, "embedding") if score >= minimum else None

    def _use_case_matches(self, unit_vecs: np.ndarray) -> list[EntityMatch]:
        if not self._use_cases.ids:
            return []
        ranked = sorted(self._use_cases.entity_scores(unit_vecs).items(), key=lambda kv: -kv[1])
        return [
            self._entity("use_case", entity_id, score, "embedding")
            for entity_id, score in ranked[: self.max_use_cases]
            if score >= self.min_use_case_similarity
        ]

    def _entity(
        self, kind: SectionKind, entity_id: str, similarity: float, method: Literal["rule", "embedding"]
    ) -> EntityMatch:
        return EntityMatch(
            kind=kind,
            entity_id=entity_id,
            name=self._names[(kind, entity_id)],
            similarity=round(float(np.clip(similarity, -1.0, 1.0)), 4),
            method=method,
        )


def _stored_vectors(library: Library, store: VectorSource) -> Vectors:
    """The synced vectors, refusing a collection synced from other files (its vectors would not match them)."""
    synced = store.snapshot_id()
    if synced != library.snapshot_id():
        state = "was never synced" if synced is None else f"is synced at snapshot {synced}"
        raise LibraryError(
            f"library {library.name!r} {state}, but its files are at snapshot "
            f"{library.snapshot_id()}; run `qualify library sync`",
            entry=library.name,
        )
    return store.entity_vectors()


def _embedded_vectors(library: Library, embedder: Embedder) -> Vectors:
    """Embed the library's documents directly (no index needed: evals, tests, a one-off run)."""
    docs = [
        d
        for d in library_documents(library)
        if d.kind in ("segment", "persona", "persona_title", "use_case", "use_case_pain")
    ]
    matrix = embedder.embed([d.text for d in docs])
    vectors: Vectors = {}
    for kind in dict.fromkeys(d.kind for d in docs):
        rows = [i for i, d in enumerate(docs) if d.kind == kind]
        vectors[kind] = ([docs[i].entity_id for i in rows], matrix[rows])
    return vectors


def applicable_questions(library: Library, matches: Matches) -> list[QualifyingQuestion]:
    """The questions for the lead's matched segment (all-segment questions when no segment matched)."""
    return library.questions_for(matches.segment.entity_id if matches.segment else None)


class _Index:
    """Unit vectors of one entity kind; several rows may belong to one entity (titles, pains)."""

    def __init__(self, ids: list[str], matrix: np.ndarray):
        self.ids = ids
        self.matrix = matrix
        self._unique = sorted(set(ids))
        self._owner = np.array([self._unique.index(i) for i in ids], dtype=np.int64)

    @classmethod
    def merge(cls, vectors: Vectors, *kinds: str) -> _Index:
        parts = [vectors[k] for k in kinds if k in vectors]
        ids = [i for p in parts for i in p[0]]
        matrix = np.vstack([p[1] for p in parts]) if parts else np.zeros((0, 0), dtype=np.float32)
        return cls(ids, matrix)

    def entity_scores(self, rows: np.ndarray) -> dict[str, float]:
        """Each entity's best cosine similarity over all query rows and all its own rows."""
        best_per_row = (rows @ self.matrix.T).max(axis=0)
        scores = np.full(len(self._unique), -1.0, dtype=np.float32)
        np.maximum.at(scores, self._owner, best_per_row)
        return {entity: float(score) for entity, score in zip(self._unique, scores, strict=True)}


def _employees(lead: Lead, enrichment: Enrichment) -> int | None:
    value = enrichment.get("company.employees")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return lead.company.employees


def _bounded(segment: Segment) -> bool:
    return segment.min_employees is not None or segment.max_employees is not None


def _units(lead: Lead) -> list[str]:
    """The lead's free text as sentence units (the same units the judge embeds, so the embedder cache is shared)."""
    found: list[str] = []
    for answer in lead.form_answers.values():
        found += sentences(answer)
    if lead.notes:
        found += sentences(lead.notes)
    return list(dict.fromkeys(u for u in found if len(u) > 2))


def _company_text(lead: Lead, enrichment: Enrichment) -> str:
    industry = _text(enrichment.get("company.industry")) or (lead.company.industry or "")
    name = _text(enrichment.get("company.name")) or (lead.company.name or "")
    return " ".join(p for p in (name, industry and f"({industry})") if p).strip()


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))
