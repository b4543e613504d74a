"""The shipped Ledgerly library and sample leads: valid, consistent with each other, and covering what they claim."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from agent.schemas import Lead
from library.schemas import FILES, Library

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_DIR = ROOT / "library" / "data" / "ledgerly"
SAMPLES = ROOT / "samples" / "ledgerly"
SENIORITIES = {"c_level", "vp", "director", "manager", "individual", "student", "unknown"}
DEPARTMENTS = {"finance", "it", "procurement", "operations", "sales", "marketing", "hr", "engineering", "other"}


@pytest.fixture(scope="module")
def library() -> Library:
    parts = {key: yaml.safe_load((LIBRARY_DIR / name).read_text(encoding="utf-8"))[key] for name, key in FILES.items()}
    return Library(name="ledgerly", **parts)


@pytest.fixture(scope="module")
def leads() -> list[Lead]:
    lines = (SAMPLES / "leads.jsonl").read_text(encoding="utf-8").splitlines()
    return [Lead.model_validate_json(line) for line in lines if line.strip()]


def _lead_from_csv_row(row: dict[str, str]) -> Lead:
    raw: dict = {"external_id": row["external_id"], "source": row["source"], "received_at": row["received_at"]}
    for part in ("person", "company"):
        sub = {k.split(".", 1)[1]: v for k, v in row.items() if k.startswith(part + ".") and v != ""}
        if sub:
            raw[part] = sub
    if row["notes"]:
        raw["notes"] = row["notes"]
    if row["events"]:
        raw["events"] = json.loads(row["events"])
    form = {k.removeprefix("form."): v for k, v in row.items() if k.startswith("form.") and v != ""}
    if form:
        raw["form_answers"] = form
    return Lead.model_validate(raw)


def test_library_loads_with_every_file_present(library: Library) -> None:
    assert {p.name for p in LIBRARY_DIR.glob("*.yaml")} == set(FILES)
    assert len(library.snapshot_id()) == 16


def test_segments_have_rising_bars(library: Library) -> None:
    bars = {s.id: s.thresholds.sql_ready for s in library.segments}
    assert bars["smb"] < bars["mid_market"] < bars["enterprise"]


def test_segments_get_different_question_sets(library: Library) -> None:
    sets = {s.id: {q.id for q in library.questions_for(s.id)} for s in library.segments}
    assert sets["smb"] != sets["enterprise"]
    assert "invoice_volume_100" in sets["smb"] - sets["enterprise"]
    assert "security_review" in sets["enterprise"] - sets["smb"]


def test_questions_are_complete(library: Library) -> None:
    assert len(library.questions) >= 14
    assert {q.category for q in library.questions} >= {"budget", "authority", "need", "timeline", "fit", "competition"}
    for q in library.questions:
        assert q.discovery_question, q.id
        assert q.keywords, q.id
        assert 3 <= len(q.yes_examples) <= 6 and 3 <= len(q.no_examples) <= 6, q.id
    assert any(q.instant_disqualifier for q in library.questions)
    assert {q.threshold.kind for q in library.questions if q.threshold} == {"money", "number", "date"}


def test_checks_use_values_enrichment_produces(library: Library) -> None:
    for q in library.questions:
        if q.check is None:
            continue
        if q.check.field == "person.seniority":
            assert set(q.check.value) <= SENIORITIES  # type: ignore[arg-type]
        if q.check.field == "person.department":
            assert set(q.check.value) <= DEPARTMENTS  # type: ignore[arg-type]


def test_countries_are_iso_codes_not_yaml_booleans(library: Library) -> None:
    supported = library.disqualifiers.countries.supported
    assert "NO" in supported
    assert all(len(c) == 2 and c.isupper() for c in supported)


def test_sample_leads_are_many_and_unique(leads: list[Lead]) -> None:
    assert len(leads) >= 64
    ids = [lead.external_id for lead in leads]
    assert len(ids) == len(set(ids))
    for lead in leads:
        assert lead.received_at is not None and (lead.received_at.year, lead.received_at.month) == (2026, 11)
        assert all(e.timestamp <= lead.received_at for e in lead.events), lead.external_id


def test_csv_and_jsonl_describe_the_same_leads(leads: list[Lead]) -> None:
    with open(SAMPLES / "leads.csv", newline="", encoding="utf-8") as fh:
        from_csv = [_lead_from_csv_row(row) for row in csv.DictReader(fh)]
    assert from_csv == leads


def test_hard_rule_fixtures_match_the_library(library: Library, leads: list[Lead]) -> None:
    domains = {(lead.person.email or "").rsplit("@", 1)[-1] for lead in leads}
    competitor_domains = {d for c in library.competitors for d in c.domains}
    assert domains & competitor_domains
    assert domains & set(library.disqualifiers.existing_customer_domains)
    assert domains & set(library.disqualifiers.blocked_domains)
    assert any(d.endswith(tuple(library.disqualifiers.student_email_suffixes)) for d in domains)


def test_companies_table_covers_most_but_not_all(leads: list[Lead]) -> None:
    with open(SAMPLES / "companies.csv", newline="", encoding="utf-8") as fh:
        table = {row["domain"] for row in csv.DictReader(fh)}
    lead_domains = {lead.person.email.rsplit("@", 1)[1] for lead in leads if lead.person.email}
    assert len(lead_domains & table) > len(lead_domains - table) > 0


def test_readme_lists_every_lead(leads: list[Lead]) -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for lead in leads:
        assert f"| {lead.external_id} |" in readme
