"""The labeled-transcript set is well formed, and the eval's arithmetic is right."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from agent.schemas import Evidence, QuestionAnswer
from agent.text import normalise
from agent.transcripts import EmbeddedExtractor, Transcript, read_transcript
from evals.errors import DatasetError
from evals.transcripts import applicable, evaluate_transcripts, load_labels
from library.loader import load_library
from library.schemas import QualifyingQuestion

ROOT = Path(__file__).resolve().parents[2]
LABELED = ROOT / "evals/data/ledgerly/transcripts"


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return load_library(ROOT / "library/data/ledgerly")


def test_labeled_set_is_varied_and_every_quote_is_prospect_speech(library) -> None:  # type: ignore[no-untyped-def]
    labels = load_labels(LABELED, library)
    assert len(labels) >= 10
    formats = set()
    for label, path in labels:
        t = read_transcript(path.read_bytes(), filename=path.name, call_date=label.call_date, roles=label.roles)
        formats.add(t.format)
        prospect = [normalise(u.text) for u in t.utterances if u.role == "prospect"]
        applicable_ids = {q.id for q in applicable(library, label.segment)}
        for field, want in label.fields.items():
            assert field.startswith("call.") or field in applicable_ids, f"{path.name}: {field} does not apply"
            assert want.status == "unknown" or want.evidence, f"{path.name}: {field} needs evidence"
            for quote in want.evidence:
                assert any(normalise(quote) in text for text in prospect), (
                    f"{path.name}: {quote!r} is not prospect speech"
                )
    assert formats == {"vtt", "srt", "json", "text"}


class Scripted:
    """A typed fake extractor that returns fixed answers for one transcript."""

    name, version = "scripted", "1"

    def __init__(self, answers: list[QuestionAnswer]):
        self.answers = answers

    def extract(
        self, transcript: Transcript, questions: Sequence[QualifyingQuestion] | None = None, contact: str | None = None
    ) -> list[QuestionAnswer]:
        return self.answers


def _one_call(tmp_path: Path) -> Path:
    (tmp_path / "c.txt").write_text("[00:01] Sam: Budget?\n[00:05] Dana: About forty grand a year.\n")
    (tmp_path / "c.labels.yaml").write_text(
        "transcript: c.txt\ncall_date: 2026-11-12\nsegment: smb\nroles: {seller_names: [Sam]}\nfields:\n"
        "  budget_15k: {status: confirmed, value: 40000 USD, evidence: ['About forty grand a year.']}\n"
        "  budget_approved: {status: no, evidence: ['About forty grand a year.']}\n"
    )  # unquoted no, as people write it
    return tmp_path


def _said(qid: str, answer: str, value: str | None = None, quote: str = "About forty grand a year.") -> QuestionAnswer:
    return QuestionAnswer(
        question_id=qid,
        reasoning="x",
        answer=answer,
        confidence=0.9,
        value=value,  # type: ignore[arg-type]
        evidence=[Evidence(source="transcript", ref="u2", quote=quote)],
    )


def test_metrics_arithmetic(tmp_path: Path, library) -> None:  # type: ignore[no-untyped-def]
    fake = Scripted(
        [
            _said("budget_15k", "yes", "40000 usd"),
            _said("budget_approved", "yes"),
            _said("manual_ap_process", "yes", quote="Budget?"),
        ]
    )
    report = evaluate_transcripts(_one_call(tmp_path), library, fake)
    by = {f.field: f for f in report.fields}
    assert (by["budget_15k"].tp, by["budget_15k"].fp, by["budget_15k"].fn) == (1, 0, 0)
    assert (by["budget_approved"].tp, by["budget_approved"].fp, by["budget_approved"].fn) == (0, 1, 1)
    assert (by["manual_ap_process"].fp, by["manual_ap_process"].precision) == (1, 0.0)
    assert report.value_accuracy == 1.0  # compared case-insensitively
    assert report.evidence_validity == pytest.approx(2 / 3)  # "Budget?" is the rep's line, not the prospect's
    n = len(report.fields)
    assert report.status_accuracy == pytest.approx((n - 2) / n)
    assert report.unknown_rate == pytest.approx((n - 3) / n)
    assert {m.field for m in report.mismatches} == {"budget_approved", "manual_ap_process"}


def test_label_with_an_unknown_field_is_rejected(tmp_path: Path, library) -> None:  # type: ignore[no-untyped-def]
    _one_call(tmp_path)
    (tmp_path / "c.labels.yaml").write_text("transcript: c.txt\ncall_date: 2026-11-12\nfields:\n  nope: {status: no}\n")
    with pytest.raises(DatasetError, match="unknown field ids"):
        load_labels(tmp_path, library)


def test_embedded_extractor_on_the_labeled_set(library) -> None:  # type: ignore[no-untyped-def]
    report = evaluate_transcripts(LABELED, library, EmbeddedExtractor(library))
    # Floors under today's figures (micro-F1 0.71, call fields 0.82, status 80 %, dates 9/13): they catch a broken
    # extractor, not a one-point slip. The engine-based extractor (1.0) reads every seller's calls the same way; the
    # rules it replaced were written for this library's calls and scored higher here (0.92), far lower elsewhere.
    assert report.micro_f1 >= 0.65 and report.call_field_f1 >= 0.75 and report.status_accuracy >= 0.75
    assert report.evidence_validity == 1.0  # every decided answer quotes the prospect verbatim


def test_embedded_extractor_on_the_other_sellers_calls() -> None:
    """The blind sellers' calls (written without the code): the call template fields must hold for them too."""
    from evals.transcripts import score_calls

    calls = []
    for folder in sorted((ROOT / "evals/data/sellers").iterdir()):
        if (folder / "calls").is_dir():
            lib = load_library(folder / "library")
            extractor = EmbeddedExtractor(lib)
            calls += [(label, path, lib, extractor) for label, path in load_labels(folder / "calls", lib)]
    report = score_calls(calls)
    assert report.transcripts >= 20
    assert report.call_field_f1 >= 0.75 and report.date_exactness is not None and report.date_exactness >= 0.5
    assert report.evidence_validity == 1.0
