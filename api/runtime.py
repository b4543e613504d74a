"""Builds the running system from settings: database, library, index, embedder, enrichers and judge."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.budget import SpendTracker
from agent.deps import Deps, PipelineSettings
from agent.enrichment.local import local_providers
from agent.judges.base import Judge
from agent.judges.local import LocalJudge
from api.db import at_head, check_schema, make_engine, session_factory, upgrade
from api.enrichment.service import load_directory
from api.review.learning import reviewed_examples, teach
from api.settings import Settings
from library.documents import collection_name
from library.embeddings import MODEL_NAME, get_embedder, get_multilingual
from library.geo import use_cache_folder
from library.loader import load_library
from agent.retrieve import LibraryRetriever, VectorSource
from library.schemas import Library
from library.vector_cache import VectorCache

if TYPE_CHECKING:
    from agent.transcripts.extract import TranscriptExtractor
    from library.store import LibraryStore, SyncReport


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    deps: Deps
    sync_report: SyncReport | None  # None when the index was already at the library's snapshot (read from its cache)
    spend: SpendTracker | None = None  # the LLM judge's spend caps; None for the embedded judge
    _extractor: list[TranscriptExtractor] = field(default_factory=list, repr=False)
    _extractor_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def extractor(self) -> TranscriptExtractor:
        """The call-transcript extractor, built on first use: a process that never reads a call (one `qualify lead`)
        skips loading the transcript parsers (dateparser and its locale data)."""
        with self._extractor_lock:
            if not self._extractor:
                self._extractor.append(build_extractor(self.settings, self.deps))
            return self._extractor[0]


def open_store(settings: Settings, library_name: str) -> LibraryStore:
    """The Chroma index: a server when QUALIFY_CHROMA_HOST is set, else the embedded folder."""
    from library.store import LibraryStore  # ChromaDB is imported only when the index is opened

    if settings.chroma_host:
        return LibraryStore.server(settings.chroma_host, settings.chroma_port, library_name)
    return LibraryStore.embedded(settings.resolved_chroma_path, library_name)


def open_index(settings: Settings, library: Library) -> tuple[VectorSource, SyncReport | None]:
    """The library's vectors: the embedded index's local copy when it is at the library's snapshot, else the index
    itself, synced first (which writes that copy). A Chroma server is always synced, as others may change it."""
    if not settings.chroma_host:
        cache = VectorCache(settings.resolved_chroma_path)
        cached = cache.load(collection_name(library.name), library.snapshot_id(), MODEL_NAME)
        if cached is not None:
            return cached, None
    store = open_store(settings, library.name)
    return store, store.sync(library)


MAX_SHARED = 3  # texts a question shares with others whose absence is warmed (2**3 variants at most)


def warm_question_memo(library: Library, folder: Path) -> int:
    """Leave in the embedding memo `folder` the calls the embedded judge makes for the library's questions, so a
    `qualify lead` whose questions no earlier lead was asked still reads them instead of running the model. Each call
    is the judge's own (ExampleJudge builds the list of texts), made as in a new process: the in-memory cache empty,
    except that a text this question shares with another may already be there when the other came first, so those
    variants are warmed too. Returns the number of calls made; a call the memo already holds costs a file read."""
    from itertools import combinations

    from agent.judges.examples import ExampleJudge

    questions = [q for q in library.questions if q.check is None and q.yes_examples and q.no_examples]
    lists = {q.id: list(dict.fromkeys([q.text, *q.yes_examples, *q.no_examples])) for q in questions}
    seen: dict[str, int] = {}
    for texts in lists.values():
        for text in texts:
            seen[text] = seen.get(text, 0) + 1
    embedder = get_embedder()
    embedder.remember_calls(folder)
    calls = 0
    try:
        for q in questions:
            shared = sorted(t for t in lists[q.id] if seen[t] > 1)[:MAX_SHARED]
            for size in range(len(shared) + 1):
                for earlier in combinations(shared, size):
                    embedder.forget()
                    if earlier:
                        embedder.embed(list(earlier))  # as if another question had embedded them first
                    ExampleJudge(embedder)._question_vectors(q)
                    calls += 1
    finally:
        embedder.forget()
        embedder.remember_calls(None)
    return calls


def open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """The database, upgraded at start-up (SQLite by default) or refused with SchemaBehind when behind the code."""
    engine = make_engine(settings.resolved_database_url)
    if settings.migrates_at_start:
        if not at_head(engine):  # the common case, an up-to-date database, skips loading Alembic
            upgrade(engine)
    else:
        check_schema(engine)
    return engine, session_factory(engine)


def build_judge(
    settings: Settings, library: Library, sessions: sessionmaker[Session]
) -> tuple[Judge, SpendTracker | None]:
    """The embedded judge unless QUALIFY_JUDGE asks for an LLM endpoint (then with its spend tracker)."""
    if settings.judge == "local":
        return LocalJudge(get_embedder(), meaning=get_multilingual()), None
    from api.llm_wiring import build_llm_judge  # LangChain is imported only when an endpoint is used

    return build_llm_judge(settings, library, sessions)


def build_runtime(settings: Settings) -> Runtime:
    """Everything the API and CLI need, built once."""
    use_cache_folder(settings.cache_dir)  # before the library is read: its questions name places
    get_multilingual().keep_unpacked_weights(settings.cache_dir / "models")  # read faster when it is first used
    engine, sessions = open_database(settings)
    library = load_library(settings.library_dir)
    vectors, report = open_index(settings, library)
    embedder = get_embedder()
    with sessions() as s:
        directory = load_directory(s)
    judge, spend = build_judge(settings, library, sessions)
    with sessions() as s:  # reviewers' corrections so far: examples for the questions they corrected
        teach([judge], reviewed_examples(s))
    deps = Deps(
        library=library,
        snapshot_id=library.snapshot_id(),  # what the index was synced at (the retriever refuses any other)
        retriever=LibraryRetriever(library, embedder, vectors),
        judge=judge,
        enrichers=local_providers(library, directory),
        settings=PipelineSettings(min_enrichment_confidence=settings.min_enrichment_confidence),
        embedding_model=embedder.name,
    )
    return Runtime(settings, engine, sessions, deps, report, spend)


def build_extractor(settings: Settings, deps: Deps) -> TranscriptExtractor:
    """The transcript extractor that goes with the judge: the embedded one reads calls with the leads' own judge (one
    set of caches, one confidence map); an LLM judge's endpoint, retry budget and spend caps serve calls too."""
    from agent.transcripts.extract import EmbeddedExtractor

    judge = deps.judge
    if settings.judge != "local":
        from agent.transcripts.llm_extract import LLMExtractor

        return LLMExtractor(judge, deps.library.seller)  # type: ignore[arg-type]  # build_judge made an LLMJudge here
    return EmbeddedExtractor(
        deps.library,
        get_embedder(),
        judge=judge if isinstance(judge, LocalJudge) else None,
        meaning=get_multilingual(),
    )
