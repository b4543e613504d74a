"""Retrieval picks the expected segment, persona and use cases on the fixture library."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.deps import Retriever
from agent.errors import LibraryError
from agent.schemas import EnrichedValue, Enrichment, Lead
from library.embeddings import MiniLMEmbedder
from library.loader import load_library
from agent.retrieve import LibraryRetriever, applicable_questions
from library.schemas import Library
from library.store import LibraryStore
from library.sync import sync_library

NO_ENRICHMENT = Enrichment()


@pytest.fixture(scope="module")
def retriever(fixture_library: Library, synced_store: LibraryStore, embedder: MiniLMEmbedder) -> LibraryRetriever:
    return LibraryRetriever(fixture_library, embedder, synced_store)


def _lead(title: str | None = None, employees: int | None = None, notes: str | None = None, **company: str) -> Lead:
    return Lead(person={"title": title, "name": "Pat"}, company={"employees": employees, **company}, notes=notes)


def test_is_a_retriever(retriever: LibraryRetriever) -> None:
    assert isinstance(retriever, Retriever)


def test_segment_by_employee_rule(retriever: LibraryRetriever) -> None:
    small = retriever.match(_lead(employees=50), NO_ENRICHMENT).segment
    large = retriever.match(_lead(employees=5000), NO_ENRICHMENT).segment
    assert small is not None and (small.entity_id, small.method, small.similarity) == ("smb", "rule", 1.0)
    assert large is not None and large.entity_id == "enterprise" and large.name == "Enterprise"


def test_enriched_employees_win_over_the_form(retriever: LibraryRetriever) -> None:
    now = "2026-01-01T00:00:00Z"
    enrichment = Enrichment(
        fields={"company.employees": EnrichedValue(value=900, source="directory", fetched_at=now, confidence=0.9)}
    )
    segment = retriever.match(_lead(employees=50), enrichment).segment
    assert segment is not None and segment.entity_id == "enterprise"


def test_segment_by_embedding_when_size_unknown(retriever: LibraryRetriever) -> None:
    lead = _lead(
        notes="We are a multinational group with 40 subsidiaries, three ERPs and a global controllership team."
    )
    segment = retriever.match(lead, NO_ENRICHMENT).segment
    assert segment is not None and (segment.entity_id, segment.method) == ("enterprise", "embedding")


@pytest.mark.parametrize(
    ("title", "persona", "method"),
    [
        ("CFO", "cfo", "rule"),
        ("chief financial officer", "cfo", "rule"),
        ("Senior Financial Controller", "controller", "rule"),
        ("Computer Science Student", "student", "rule"),
        ("Open to work", "job-seeker", "rule"),
        ("Finance Director", "cfo", "embedding"),
        ("Director of Accounting", "controller", "embedding"),
        ("PhD researcher at a university", "student", "embedding"),
    ],
)
def test_persona_from_title(retriever: LibraryRetriever, title: str, persona: str, method: str) -> None:
    found = retriever.match(_lead(title=title), NO_ENRICHMENT).persona
    assert found is not None and (found.entity_id, found.method) == (persona, method)
    assert 0 < found.similarity <= 1


def test_no_title_no_persona(retriever: LibraryRetriever) -> None:
    assert retriever.match(_lead(notes="hello"), NO_ENRICHMENT).persona is None


def test_use_cases_ranked_from_notes_and_form(retriever: LibraryRetriever) -> None:
    lead = Lead(
        person={"name": "Pat"},
        notes="Closing the month takes us three weeks. The CFO is tired of it.",
        form_answers={"What is your biggest pain?": "We still reconcile bank statements by hand."},
    )
    use_cases = retriever.match(lead, NO_ENRICHMENT).use_cases
    ids = [u.entity_id for u in use_cases]
    assert set(ids[:2]) == {"close", "reconciliation"} and "audit" not in ids
    assert all(u.similarity >= retriever.min_use_case_similarity and u.method == "embedding" for u in use_cases)
    assert [u.similarity for u in use_cases] == sorted((u.similarity for u in use_cases), reverse=True)


def test_unrelated_text_matches_no_use_case(retriever: LibraryRetriever) -> None:
    lead = _lead(notes="I love hiking in the mountains with my dog.")
    assert retriever.match(lead, NO_ENRICHMENT).use_cases == []


def test_applicable_questions_follow_the_segment(retriever: LibraryRetriever, fixture_library: Library) -> None:
    enterprise = applicable_questions(fixture_library, retriever.match(_lead(employees=5000), NO_ENRICHMENT))
    smb = applicable_questions(fixture_library, retriever.match(_lead(employees=20), NO_ENRICHMENT))
    assert [q.id for q in enterprise] == ["budget-approved", "company-size"]
    assert [q.id for q in smb] == ["budget-approved", "timeline"]


def test_without_store_embeds_the_library_itself(
    fixture_library: Library, embedder: MiniLMEmbedder, retriever: LibraryRetriever
) -> None:
    direct = LibraryRetriever(fixture_library, embedder)
    lead = _lead(title="Head of Accounting", notes="Our auditors keep asking for documents we cannot find.")
    assert direct.match(lead, NO_ENRICHMENT) == retriever.match(lead, NO_ENRICHMENT)


def test_stale_index_is_refused(tmp_path: Path, library_dir: Path, embedder: MiniLMEmbedder) -> None:
    store = LibraryStore.embedded(tmp_path / "chroma", "library_min")
    sync_library(library_dir, store)
    (library_dir / "segments.yaml").write_text((library_dir / "segments.yaml").read_text().replace("70", "72"))
    with pytest.raises(LibraryError, match="library sync"):
        LibraryRetriever(load_library(library_dir), embedder, store)
