"""The collaborators a pipeline run needs, injected as one object (tests pass fakes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import numpy as np

from agent import __version__
from agent.enrichment.base import Enricher
from agent.judges.base import Judge, Matches
from agent.schemas import Enrichment, Lead
from library.schemas import Library


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (one row per text)."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class Retriever(Protocol):
    """Finds the best segment, persona and use cases of the library for a lead."""

    def match(self, lead: Lead, enrichment: Enrichment) -> Matches: ...


@dataclass(frozen=True)
class PipelineSettings:
    pipeline_version: str = __version__
    max_discovery_questions: int = 5
    max_reasons: int = 8
    min_enrichment_confidence: float = 0.5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    library: Library
    snapshot_id: str
    retriever: Retriever
    judge: Judge
    enrichers: Sequence[Enricher]
    settings: PipelineSettings = field(default_factory=PipelineSettings)
    clock: Callable[[], datetime] = utc_now
    embedding_model: str | None = None
