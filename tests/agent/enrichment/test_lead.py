"""LeadProvider and its normalisation: domains (offline tldextract) and country names → ISO-2."""

from __future__ import annotations

import importlib
import socket
from datetime import UTC, datetime

import pytest

from agent.enrichment import domains
from agent.enrichment.countries import country_code, country_name
from agent.enrichment.lead import LeadProvider
from agent.schemas import Lead

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("America", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("Great Britain", "GB"),
        ("GBR", "GB"),
        ("Deutschland", "DE"),
        ("germany", "DE"),
        ("DEU", "DE"),
        ("The Netherlands", "NL"),
        ("Holland", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("  Canada ", "CA"),
        ("Bosnia & Herzegovina", "BA"),
        ("South Korea", "KR"),
        ("España", "ES"),
        ("Schweiz", "CH"),
        ("Atlantis", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("XX", None),
    ],
)
def test_country_names_and_aliases_become_iso2(text: str | None, code: str | None) -> None:
    assert country_code(text) == code


def test_the_country_table_has_every_iso_code() -> None:
    table = domains.resources.files("agent.enrichment").joinpath("data", "countries.csv").read_text(encoding="utf-8")
    codes = [line.split(",", 1)[0] for line in table.splitlines()[1:] if line]
    assert len(codes) == len(set(codes)) == 249
    assert country_name("DE") == "Germany"


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("https://www.stock.walmart.com", "walmart.com"),
        ("http://csgstore.net/", "csgstore.net"),
        ("acme.co.uk", "acme.co.uk"),
        ("WWW.Acme.COM", "acme.com"),
        ("dana@eu.acme.com", "acme.com"),
        ("localhost", None),
        ("not a domain", None),
        ("", None),
        (None, None),
    ],
)
def test_registrable_domain(text: str | None, domain: str | None) -> None:
    assert domains.registrable_domain(text) == domain


def test_tldextract_never_reaches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh extractor (no suffix list loaded yet) must resolve domains with every socket refused."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network refused by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(OSError()))
    fresh = importlib.reload(domains)
    try:
        assert fresh.registrable_domain("https://shop.example.co.uk/path") == "example.co.uk"
        assert attempts == []
    finally:
        monkeypatch.undo()
        importlib.reload(domains)


async def test_lead_provider_normalises_what_the_lead_says() -> None:
    lead = Lead(
        person={"email": "Dana@Acme.com", "title": "  VP   Finance "},
        company={
            "name": "Acme Inc.",
            "domain": "https://www.acme.com/about",
            "employees": 250,
            "industry": "Manufacturing",
            "country": "Deutschland",
        },
    )
    out = await LeadProvider().enrich(lead, {}, NOW)
    values = {k: v.value for k, v in out.items()}
    assert values == {
        "company.name": "Acme Inc.",
        "email.domain": "acme.com",
        "company.domain": "acme.com",
        "company.employees": 250,
        "company.industry": "Manufacturing",
        "company.country": "DE",
        "person.title": "VP Finance",
    }
    assert all(v.source == "lead" and v.fetched_at == NOW for v in out.values())


async def test_company_domain_comes_from_a_work_email_but_never_from_free_mail() -> None:
    work = await LeadProvider().enrich(Lead(person={"email": "sam@mail.bigco.com"}), {}, NOW)
    assert work["company.domain"].value == "bigco.com"
    assert work["company.domain"].confidence < 0.85  # inferred, less sure than a stated domain
    free = await LeadProvider().enrich(Lead(person={"email": "sam@gmail.com"}), {}, NOW)
    assert "company.domain" not in free
    assert free["email.domain"].value == "gmail.com"


async def test_an_unrecognised_country_is_left_unknown() -> None:
    out = await LeadProvider().enrich(Lead(company={"name": "Acme", "country": "Narnia"}), {}, NOW)
    assert "company.country" not in out
