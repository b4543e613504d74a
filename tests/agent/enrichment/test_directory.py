"""CompanyDirectory lookups and the DirectoryProvider's confidence rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.enrichment.directory import CompanyDirectory, CompanyRecord, DirectoryProvider, normalise_name
from agent.schemas import EnrichedValue, Lead

NOW = datetime(2026, 11, 1, tzinfo=UTC)

RECORDS = [
    CompanyRecord(
        name="Acme Manufacturing, Inc.",
        domain="acme-mfg.com",
        employees=480,
        industry="Manufacturing",
        country="US",
        city="Dayton",
        state="OH",
        revenue_usd=90_000_000,
    ),
    CompanyRecord(name="Globex GmbH", domain="globex.de", employees=1200, country="DE"),
    CompanyRecord(name="Initech LLC", domain="initech.com", employees=75, country="US"),
    CompanyRecord(name="Amazon.com, Inc.", domain="amazon.com", employees=798_000, country="US"),
    CompanyRecord(name="Google", domain="gmail.com", employees=1),  # junk row: a free-mail domain must never match
]


@pytest.fixture
def directory() -> CompanyDirectory:
    return CompanyDirectory(RECORDS, name="test")


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Acme Manufacturing, Inc.", "acme manufacturing"),
        ("Globex GmbH", "globex"),
        ("Amazon.com, Inc.", "amazon"),
        ("Müller & Söhne GmbH & Co. KG", "muller sohne"),
        ("The Home Depot", "home depot"),
        ("Holdings Inc", "holdings inc"),
    ],
)
def test_names_lose_legal_suffixes(name: str, normal: str) -> None:
    assert normalise_name(name) == normal


def test_lookup_by_domain_website_and_subdomain(directory: CompanyDirectory) -> None:
    assert len(directory) == 5
    assert directory.by_domain("acme-mfg.com") is RECORDS[0]
    assert directory.by_domain("EU.Globex.de") is RECORDS[1]
    assert directory.by_website("https://www.initech.com/contact?x=1") is RECORDS[2]
    assert directory.by_domain("unknown.org") is None
    assert directory.by_domain(None) is None


@pytest.mark.parametrize(
    ("query", "domain", "min_score"),
    [
        ("Acme Manufacturing", "acme-mfg.com", 100),
        ("ACME Manufacturing Corp.", "acme-mfg.com", 100),
        ("Globex", "globex.de", 100),
        ("Initech Inc", "initech.com", 100),
        ("Amazon", "amazon.com", 100),
        ("Acme Manufacturng", "acme-mfg.com", 90),  # a typo still finds it
    ],
)
def test_fuzzy_name_lookup(directory: CompanyDirectory, query: str, domain: str, min_score: float) -> None:
    hit = directory.by_name(query)
    assert hit is not None and hit[0].domain == domain and hit[1] >= min_score


@pytest.mark.parametrize("query", ["Acme", "Globular", "Initrode", "", None, "Inc."])
def test_fuzzy_name_below_threshold_is_no_match(directory: CompanyDirectory, query: str | None) -> None:
    assert directory.by_name(query) is None


async def test_domain_hit_wins_with_high_confidence(directory: CompanyDirectory) -> None:
    provider = DirectoryProvider(directory)
    out = await provider.enrich(Lead(person={"email": "pat@acme-mfg.com"}, company={"name": "Other name"}), {}, NOW)
    assert provider.name == "directory:test"
    assert out["company.employees"].value == 480 and out["company.employees"].confidence == 0.95
    assert out["company.revenue_usd"].value == 90_000_000
    assert {v.source for v in out.values()} == {"directory:test"}


async def test_fuzzy_name_confidence_is_the_ratio_scaled(directory: CompanyDirectory) -> None:
    provider = DirectoryProvider(directory)
    exact = await provider.enrich(Lead(company={"name": "Initech"}), {}, NOW)
    typo = await provider.enrich(Lead(company={"name": "Acme Manufacturng"}), {}, NOW)
    assert exact["company.domain"].value == "initech.com"
    assert 0.5 < typo["company.domain"].confidence < exact["company.domain"].confidence < 0.95


async def test_free_mail_domains_are_never_matched_by_domain(directory: CompanyDirectory) -> None:
    provider = DirectoryProvider(directory)
    assert await provider.enrich(Lead(person={"email": "someone@gmail.com"}), {}, NOW) == {}
    known = {"company.domain": EnrichedValue(value="gmail.com", source="x", fetched_at=NOW, confidence=1.0)}
    by_name = await provider.enrich(Lead(person={"email": "someone@gmail.com"}, company={"name": "Globex"}), known, NOW)
    assert by_name["company.domain"].value == "globex.de"  # fell through to the name, not the gmail.com junk row


async def test_known_domain_from_an_earlier_provider_is_used(directory: CompanyDirectory) -> None:
    known = {"company.domain": EnrichedValue(value="initech.com", source="lead", fetched_at=NOW, confidence=0.85)}
    out = await DirectoryProvider(directory).enrich(Lead(company={"name": "Unrelated"}), known, NOW)
    assert out["company.name"].value == "Initech LLC"
