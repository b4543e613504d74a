"""An in-memory firmographics directory (lookup by domain, website or fuzzy name) and the provider that uses it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process

from agent.enrichment.domains import email_domain, is_free_mail, registrable_domain
from agent.schemas import EnrichedValue, Lead


@dataclass(frozen=True)
class CompanyRecord:
    """One company's firmographics; `domain` is a bare registrable domain, `country` ISO-2."""

    name: str
    domain: str
    employees: int | None = None
    industry: str | None = None
    country: str | None = None
    city: str | None = None
    state: str | None = None
    revenue_usd: int | None = None


# Legal-form words that say nothing about which company it is ("Acme Inc." is "Acme").
_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "ug",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "oyj",
        "aps",
        "pty",
        "pte",
        "kk",
        "corp",
        "corporation",
        "co",
        "company",
        "holding",
        "holdings",
        "group",
        "the",
        "and",
        "&",
    }
)
_WORD = re.compile(r"[a-z0-9]+")
_WEB_SUFFIX = re.compile(r"\.(?:com|net|org|io|co|ai)\b")  # "Amazon.com, Inc." is "Amazon"


def normalise_name(name: str) -> str:
    """Lowercase, accent-folded company name without punctuation and legal-form suffixes."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold().replace("&", " and ")
    words = _WORD.findall(_WEB_SUFFIX.sub("", folded).replace(".", ""))  # "S.A." → "sa", "Co." → "co"
    kept = [w for w in words if w not in _SUFFIXES]
    return " ".join(kept or words)


NAME_THRESHOLD = 90.0


class CompanyDirectory:
    """Firmographic records indexed by domain and by normalised name."""

    def __init__(self, records: Iterable[CompanyRecord], name: str = "local"):
        self.name = name
        self._by_domain: dict[str, CompanyRecord] = {}
        self._by_name: dict[str, CompanyRecord] = {}
        for record in records:
            self._by_domain[record.domain.lower()] = record
            key = normalise_name(record.name)
            if key:
                # A name shared by two records keeps the bigger company: the likelier one for a B2B lead.
                other = self._by_name.get(key)
                if other is None or (record.employees or 0) > (other.employees or 0):
                    self._by_name[key] = record
        self._names = list(self._by_name)

    def __len__(self) -> int:
        return len(self._by_domain)

    def by_domain(self, domain: str | None) -> CompanyRecord | None:
        """The record for a domain (any host under it matches: "eu.acme.com" finds acme.com)."""
        key = registrable_domain(domain)
        return self._by_domain.get(key) if key else None

    def by_website(self, url: str | None) -> CompanyRecord | None:
        """The record for a website URL."""
        return self.by_domain(url)

    def by_name(self, name: str | None, threshold: float = NAME_THRESHOLD) -> tuple[CompanyRecord, float] | None:
        """The record whose normalised name is closest (rapidfuzz ratio 0-100), when at or above `threshold`."""
        key = normalise_name(name or "")
        if not key:
            return None
        exact = self._by_name.get(key)
        if exact is not None:
            return exact, 100.0
        hit = process.extractOne(key, self._names, scorer=fuzz.ratio, score_cutoff=threshold)
        if hit is None:
            return None
        return self._by_name[hit[0]], float(hit[1])


DOMAIN_CONFIDENCE = 0.95
NAME_CONFIDENCE = 0.9  # an exact name match is still less certain than a domain match


class DirectoryProvider:
    """Company facts from a CompanyDirectory: by domain first (never a free-mail domain), then by fuzzy name."""

    def __init__(self, directory: CompanyDirectory, name_threshold: float = NAME_THRESHOLD):
        self.directory = directory
        self.name = f"directory:{directory.name}"
        self.name_threshold = name_threshold

    def _domains(self, lead: Lead, known: Mapping[str, EnrichedValue]) -> list[str]:
        found = known.get("company.domain")
        candidates = [
            found.value if found is not None and isinstance(found.value, str) else None,
            lead.company.domain,
            email_domain(lead.person.email),
        ]
        out: list[str] = []
        for candidate in candidates:
            domain = registrable_domain(candidate)
            if domain and not is_free_mail(domain) and domain not in out:
                out.append(domain)
        return out

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        """Return the matching record's fields, with the match's confidence."""
        for domain in self._domains(lead, known):
            record = self.directory.by_domain(domain)
            if record is not None:
                return self._fields(record, DOMAIN_CONFIDENCE, now)
        known_name = known.get("company.name")
        name = known_name.value if known_name is not None and isinstance(known_name.value, str) else lead.company.name
        hit = self.directory.by_name(name, self.name_threshold)
        if hit is None:
            return {}
        record, score = hit
        return self._fields(record, round(NAME_CONFIDENCE * score / 100, 3), now)

    def _fields(self, record: CompanyRecord, confidence: float, now: datetime) -> dict[str, EnrichedValue]:
        values = {
            "company.name": record.name,
            "company.domain": record.domain,
            "company.employees": record.employees,
            "company.industry": record.industry,
            "company.country": record.country,
            "company.city": record.city,
            "company.state": record.state,
            "company.revenue_usd": record.revenue_usd,
        }
        return {
            key: EnrichedValue(value=value, source=self.name, fetched_at=now, confidence=confidence)
            for key, value in values.items()
            if value not in (None, "")
        }
