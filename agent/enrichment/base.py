"""The enricher protocol and the waterfall that runs providers in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from agent.errors import EnrichmentError
from agent.schemas import EnrichedValue, Enrichment, Lead, ProviderFailure

# Field keys providers fill. Values are normalised: country as ISO 3166-1 alpha-2, employees as int.
FIELDS = (
    "company.name",
    "company.domain",
    "company.employees",
    "company.industry",
    "company.country",
    "company.revenue_usd",
    "company.city",
    "company.state",
    "person.title",
    "person.seniority",
    "person.department",
    "person.persona",
    "email.domain",
    "email.free_mail",
    "email.disposable",
)


@runtime_checkable
class Enricher(Protocol):
    name: str

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        """Return the fields this provider can add; raise EnrichmentError when it fails."""
        ...


async def waterfall(
    lead: Lead, providers: Sequence[Enricher], now: datetime, min_confidence: float = 0.5
) -> Enrichment:
    """Run providers in order; for each field the first value at or above `min_confidence` wins.

    A failing provider is recorded and skipped, never fatal. Lower-confidence values are kept only while no
    confident one has arrived, so a later, better provider can still replace them.
    """
    fields: dict[str, EnrichedValue] = {}
    failures: list[ProviderFailure] = []
    for provider in providers:
        try:
            found = await provider.enrich(lead, dict(fields), now)
        except EnrichmentError as exc:
            failures.append(ProviderFailure(provider=provider.name, error=str(exc)))
            continue
        for key, value in found.items():
            current = fields.get(key)
            if current is None or (current.confidence < min_confidence and value.confidence > current.confidence):
                fields[key] = value
    return Enrichment(fields=fields, failed_providers=failures)
