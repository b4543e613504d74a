"""A fixed retriever satisfying the Retriever protocol: always the configured matches."""

from __future__ import annotations

from dataclasses import dataclass

from agent.judges.base import Matches
from agent.schemas import Enrichment, Lead


@dataclass
class FixedRetriever:
    matches: Matches

    def match(self, lead: Lead, enrichment: Enrichment) -> Matches:
        return self.matches
