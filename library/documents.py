"""The texts of a library that its vector index holds, one document per entity text (segment, persona and each of its
titles, use case and each of its pains, competitor, question), and the index's collection name. No ChromaDB here:
retrieval reads these without opening the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from library.embeddings import MODEL_NAME
from library.schemas import Library

COLLECTION_PREFIX = "qualify-"


@dataclass(frozen=True)
class Document:
    id: str
    kind: str
    entity_id: str
    name: str
    text: str

    def digest(self) -> str:
        payload = "\0".join((MODEL_NAME, self.kind, self.entity_id, self.name, self.text))
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def library_documents(library: Library) -> list[Document]:
    """Every text of the library that retrieval compares a lead against."""
    docs: list[Document] = []
    for s in library.segments:
        docs.append(Document(f"segment:{s.id}", "segment", s.id, s.name, f"{s.name}. {s.description}"))
    for p in library.personas:
        docs.append(Document(f"persona:{p.id}", "persona", p.id, p.name, f"{p.name}. {p.description}"))
        docs += [
            Document(f"persona_title:{p.id}:{i}", "persona_title", p.id, p.name, title)
            for i, title in enumerate(p.titles)
        ]
    for u in library.use_cases:
        docs.append(Document(f"use_case:{u.id}", "use_case", u.id, u.name, f"{u.name}. {u.description}"))
        docs += [
            Document(f"use_case_pain:{u.id}:{i}", "use_case_pain", u.id, u.name, pain) for i, pain in enumerate(u.pains)
        ]
    for c in library.competitors:
        docs.append(
            Document(f"competitor:{c.id}", "competitor", c.id, c.name, ", ".join([c.name, *c.aliases, *c.domains]))
        )
    for q in library.questions:
        docs.append(Document(f"question:{q.id}", "question", q.id, q.id, q.text))
    return docs


def collection_name(library_name: str) -> str:
    """`qualify-<name>`; Chroma wants names that end in a letter or digit."""
    return COLLECTION_PREFIX + library_name.rstrip("-_")
