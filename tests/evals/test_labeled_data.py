"""The Ledgerly labeled eval data is well formed: leads validate, ids exist, quotes are verbatim, unknown is well represented."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from agent.evidence import render_event
from agent.schemas import Lead
from agent.text import normalise
from library.schemas import FILES, Library

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "evals" / "data" / "ledgerly"
LIBRARY_DIR = ROOT / "library" / "data" / "ledgerly"
ANSWERS = {"yes", "no", "unknown"}
OUTCOMES = {"sql", "nurture", "disqualify"}
# The hard rules' ids (agent/rules.py), so a disqualified case names the rule that should fire.
RULE_IDS = {
    "competitor_domain",
    "existing_customer",
    "blocked_domain",
    "student",
    "job_seeker",
    "unsupported_country",
    "below_min_employees",
}


def _library() -> Library:
    # Read the YAML directly so this test does not depend on the loader or the vector store.
    parts: dict[str, object] = {"name": LIBRARY_DIR.name}
    for filename, key in FILES.items():
        path = LIBRARY_DIR / filename
        if path.exists():
            parts[key] = (yaml.safe_load(path.read_text(encoding="utf-8")) or {})[key]
    return Library.model_validate(parts)


def _rows(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def lead_texts(lead: Lead) -> list[str]:
    """Every text a quote may come from, normalised: form answers, notes, rendered events, firmographic values."""
    texts = [*lead.form_answers.values(), lead.notes or "", *(render_event(e) for e in lead.events)]
    for value in (*lead.person.model_dump().values(), *lead.company.model_dump().values()):
        if value is not None:
            texts.append(str(value))
    return [normalise(t) for t in texts if t]


def _is_quoted(quote: str, texts: list[str]) -> bool:
    needle = normalise(quote)
    return bool(needle) and any(needle in t for t in texts)


@pytest.fixture(scope="module")
def library() -> Library:
    return _library()


@pytest.fixture(scope="module")
def question_cases() -> list[dict]:
    return _rows("question_cases.jsonl")


# lead_cases.jsonl was written by the pipeline's author; lead_cases_independent.jsonl by someone who never saw the judge.
@pytest.fixture(scope="module", params=["lead_cases.jsonl", "lead_cases_independent.jsonl"])
def lead_cases(request: pytest.FixtureRequest) -> list[dict]:
    return _rows(request.param)


def test_question_cases_are_well_formed(question_cases: list[dict], library: Library) -> None:
    ids = {q.id for q in library.questions}
    assert len(question_cases) >= 120
    assert len({c["id"] for c in question_cases}) == len(question_cases), "case ids must be unique"
    for case in question_cases:
        assert set(case) == {"id", "lead", "question_id", "expected", "evidence", "note"}, case["id"]
        lead = Lead.model_validate(case["lead"])
        assert lead.received_at is not None and lead.received_at.tzinfo is not None, case["id"]
        assert case["question_id"] in ids, f"{case['id']}: unknown question {case['question_id']!r}"
        assert case["expected"] in ANSWERS, case["id"]
        assert case["note"].strip(), case["id"]


def test_question_case_evidence_is_verbatim(question_cases: list[dict]) -> None:
    for case in question_cases:
        texts = lead_texts(Lead.model_validate(case["lead"]))
        if case["expected"] == "unknown":
            assert case["evidence"] == [], f"{case['id']}: an unknown answer quotes nothing"
        else:
            assert case["evidence"], f"{case['id']}: a yes/no answer needs a quote"
        for quote in case["evidence"]:
            assert _is_quoted(quote, texts), f"{case['id']}: {quote!r} is not in the lead"


def test_question_cases_cover_the_library(question_cases: list[dict], library: Library) -> None:
    counts = Counter(c["question_id"] for c in question_cases)
    text_questions = [q.id for q in library.questions if q.check is None]
    thin = {q: counts[q] for q in text_questions if counts[q] < 3}
    assert not thin, f"text-answered questions with fewer than 3 cases: {thin}"
    assert any(counts[q.id] for q in library.questions if q.check is not None), "no case for a checked question"
    share = Counter(c["expected"] for c in question_cases)
    assert share["unknown"] / len(question_cases) >= 0.30
    assert share["yes"] and share["no"]


def test_lead_cases_are_well_formed(lead_cases: list[dict], library: Library) -> None:
    ids = {q.id for q in library.questions}
    assert len(lead_cases) >= 80
    assert len({c["id"] for c in lead_cases}) == len(lead_cases), "case ids must be unique"
    for case in lead_cases:
        assert set(case) == {"id", "lead", "expected_outcome", "disqualify_reason", "answers", "note"}, case["id"]
        lead = Lead.model_validate(case["lead"])
        texts = lead_texts(lead)
        assert case["expected_outcome"] in OUTCOMES, case["id"]
        if case["expected_outcome"] == "disqualify":
            assert case["disqualify_reason"] in RULE_IDS, case["id"]
        else:
            assert case["disqualify_reason"] is None, case["id"]
        for question_id, labeled in case["answers"].items():
            assert question_id in ids, f"{case['id']}: unknown question {question_id!r}"
            assert set(labeled) == {"answer", "evidence"} and labeled["answer"] in ANSWERS, case["id"]
            assert (labeled["answer"] == "unknown") == (not labeled["evidence"]), f"{case['id']}/{question_id}"
            for quote in labeled["evidence"]:
                assert _is_quoted(quote, texts), f"{case['id']}/{question_id}: {quote!r} is not in the lead"


def test_lead_outcomes_are_a_realistic_mix(lead_cases: list[dict]) -> None:
    share = Counter(c["expected_outcome"] for c in lead_cases)
    total = len(lead_cases)
    assert 0.20 <= share["sql"] / total <= 0.40
    assert 0.35 <= share["nurture"] / total <= 0.55
    assert 0.15 <= share["disqualify"] / total <= 0.35


@pytest.mark.parametrize("name", ["question_cases.jsonl", "lead_cases_independent.jsonl"])
def test_independent_cases_do_not_copy_the_library_examples(name: str, library: Library) -> None:
    # The sets measure generalisation: a lead that repeats a yes/no example verbatim would test recall, not judgment.
    examples = {normalise(e).rstrip(".") for q in library.questions for e in (*q.yes_examples, *q.no_examples)}
    examples = {e for e in examples if len(e) > 12}  # short ones ("CFO", "NetSuite") are ordinary words in a lead
    for case in _rows(name):
        lead = Lead.model_validate(case["lead"])
        texts = [normalise(t) for t in (*lead.form_answers.values(), lead.notes or "", *map(render_event, lead.events))]
        copied = sorted(e for e in examples if any(e in t for t in texts))
        assert not copied, f"{name} {case['id']} repeats library examples: {copied}"


def test_the_typed_loaders_accept_the_files() -> None:
    from evals.datasets import load_lead_cases, load_question_cases

    assert len(load_question_cases(DATA / "question_cases.jsonl")) >= 120
    assert len(load_lead_cases(DATA / "lead_cases.jsonl")) >= 80
    assert len(load_lead_cases(DATA / "lead_cases_independent.jsonl")) >= 80


def test_the_quote_check_rejects_a_paraphrase() -> None:
    lead = Lead(notes="Budget is approved: about forty grand.", form_answers={"Timeline?": "Q1"})
    texts = lead_texts(lead)
    assert _is_quoted("budget is  APPROVED", texts)
    assert not _is_quoted("budget approved", texts)
