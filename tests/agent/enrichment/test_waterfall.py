"""The waterfall over real and failing providers: failures are recorded, the first confident value wins."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from agent.enrichment.base import Enricher, waterfall
from agent.enrichment.local import enrich_lead, local_providers
from agent.errors import EnrichmentError
from agent.schemas import EnrichedValue, Lead
from tests.agent.enrichment.library import tiny_library

NOW = datetime(2026, 11, 1, tzinfo=UTC)


class FailingProvider:
    """A provider whose backend is down."""

    name = "down"

    def __init__(self) -> None:
        self.calls = 0

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        self.calls += 1
        raise EnrichmentError("timeout after 5 s")


class FixedProvider:
    """A provider that always answers the same fields with one confidence."""

    def __init__(self, name: str, values: dict[str, int | str], confidence: float):
        self.name, self.values, self.confidence = name, values, confidence
        self.seen: dict[str, EnrichedValue] = {}

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        self.seen = dict(known)
        return {
            k: EnrichedValue(value=v, source=self.name, fetched_at=now, confidence=self.confidence)
            for k, v in self.values.items()
        }


LEAD = Lead(person={"email": "dana@acme.com", "title": "CFO"}, company={"name": "Acme"})


def test_the_fakes_satisfy_the_protocol() -> None:
    assert isinstance(FailingProvider(), Enricher)
    assert isinstance(FixedProvider("x", {}, 1.0), Enricher)


async def test_a_failing_provider_is_recorded_and_the_rest_still_run() -> None:
    down = FailingProvider()
    after = FixedProvider("after", {"company.employees": 300}, 0.9)
    result = await waterfall(LEAD, [down, after], NOW)
    assert down.calls == 1
    assert [(f.provider, f.error) for f in result.failed_providers] == [("down", "timeout after 5 s")]
    assert result.get("company.employees") == 300
    assert result.fields["company.employees"].source == "after"


async def test_first_confident_value_wins_over_later_ones() -> None:
    first = FixedProvider("first", {"company.employees": 120}, 0.8)
    second = FixedProvider("second", {"company.employees": 5000}, 0.99)
    result = await waterfall(LEAD, [first, second], NOW)
    assert result.get("company.employees") == 120
    assert second.seen["company.employees"].value == 120  # later providers see what is known


async def test_a_weak_value_is_replaced_by_a_later_confident_one() -> None:
    weak = FixedProvider("weak", {"company.industry": "Retail"}, 0.3)
    strong = FixedProvider("strong", {"company.industry": "Software"}, 0.9)
    result = await waterfall(LEAD, [weak, strong], NOW)
    assert result.get("company.industry") == "Software"
    assert result.fields["company.industry"].source == "strong"


async def test_the_local_chain_fills_person_fields_and_the_fit_score() -> None:
    library = tiny_library()
    lead = Lead(
        person={"email": "dana@acme.com", "title": "Chief Financial Officer"},
        company={"name": "Acme", "employees": 500, "country": "USA", "industry": "Manufacturing"},
    )
    result = await enrich_lead(lead, [FailingProvider(), *local_providers(library)], library, NOW)
    assert result.get("company.domain") == "acme.com"
    assert result.get("company.country") == "US"
    assert result.get("person.seniority") == "c_level"
    assert result.get("person.persona") == "finance_leader"
    assert result.get("email.free_mail") is False
    assert result.failed_providers[0].provider == "down"
    assert result.fit_score >= 90
    assert result.fit_reasons
