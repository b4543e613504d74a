"""LeadProvider: what the lead itself says, normalised (domain, country code, employees, industry, title)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from agent.enrichment.countries import country_code
from agent.enrichment.domains import email_domain, is_free_mail, registrable_domain
from agent.schemas import EnrichedValue, Lead

# Self-reported facts are usually right but unchecked; a directory hit (0.95) is not allowed to lose to them by much.
STATED = 0.85
DERIVED = 0.75  # company domain inferred from a work email address


class LeadProvider:
    """Normalises the lead's own fields; never fails and never guesses beyond them."""

    name = "lead"

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        """Return the lead's own facts in normalised form."""
        out: dict[str, EnrichedValue] = {}

        def put(key: str, value: str | int | None, confidence: float) -> None:
            if value not in (None, ""):
                out[key] = EnrichedValue(value=value, source=self.name, fetched_at=now, confidence=confidence)

        company, person = lead.company, lead.person
        put("company.name", (company.name or "").strip() or None, STATED)
        mail_domain = email_domain(person.email)
        put("email.domain", mail_domain, 1.0)
        stated_domain = registrable_domain(company.domain)
        if stated_domain:
            put("company.domain", stated_domain, STATED)
        elif mail_domain and not is_free_mail(mail_domain):
            put("company.domain", registrable_domain(mail_domain), DERIVED)
        put("company.employees", company.employees, STATED)
        put("company.industry", (company.industry or "").strip() or None, STATED)
        put("company.country", country_code(company.country), STATED)
        put("person.title", " ".join((person.title or "").split()) or None, 1.0)
        return out
