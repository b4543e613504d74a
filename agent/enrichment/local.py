"""The embedded, offline enrichment chain: the lead's own data, email lists, the local directory, title rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agent.enrichment.base import Enricher, waterfall
from agent.enrichment.directory import CompanyDirectory, DirectoryProvider
from agent.enrichment.email import EmailProvider
from agent.enrichment.fit import product_fit
from agent.enrichment.lead import LeadProvider
from agent.enrichment.titles import TitleProvider
from agent.schemas import Enrichment, Lead
from library.schemas import Library


def local_providers(library: Library, directory: CompanyDirectory | None = None) -> list[Enricher]:
    """Default order: what the lead says wins, the directory fills gaps, titles last (they read the title)."""
    providers: list[Enricher] = [LeadProvider(), EmailProvider()]
    if directory is not None:
        providers.append(DirectoryProvider(directory))
    providers.append(TitleProvider(library))
    return providers


async def enrich_lead(
    lead: Lead, providers: Sequence[Enricher], library: Library, now: datetime, segment_id: str | None = None
) -> Enrichment:
    """Run the waterfall, then attach the product-fit score and its reasons."""
    enrichment = await waterfall(lead, providers, now)
    score, reasons = product_fit(enrichment, library, segment_id)
    return enrichment.model_copy(update={"fit_score": score, "fit_reasons": reasons})


__all__ = ["CompanyDirectory", "DirectoryProvider", "enrich_lead", "local_providers"]
