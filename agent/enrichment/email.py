"""EmailProvider: free-mail and disposable-domain detection from the shipped lists."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from agent.enrichment.domains import email_domain, is_disposable, is_free_mail
from agent.schemas import EnrichedValue, Lead

# A listed domain is certain; an unlisted one is only probably a company domain (the lists are not exhaustive).
LISTED = 1.0
UNLISTED = 0.8


class EmailProvider:
    """Says whether the lead's email domain is a consumer mailbox or a throw-away inbox."""

    name = "email"

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        """Return email.domain, email.free_mail and email.disposable when the lead has an email."""
        domain = email_domain(lead.person.email)
        if domain is None:
            return {}
        free, throwaway = is_free_mail(domain), is_disposable(domain)

        def value(v: str | bool, confidence: float) -> EnrichedValue:
            return EnrichedValue(value=v, source=self.name, fetched_at=now, confidence=confidence)

        return {
            "email.domain": value(domain, 1.0),
            "email.free_mail": value(free, LISTED if free else UNLISTED),
            "email.disposable": value(throwaway, LISTED if throwaway else UNLISTED),
        }
