"""Labeled-transcript evaluation: per-field precision / recall / F1, value and status accuracy, evidence validity.

A labeled set is a folder of transcripts, each with a `<stem>.labels.yaml` next to it (format: docs/transcripts.md).
Every applicable question of the label's segment (data-checked ones excepted) and every `call.*` field is scored;
a field the label does not list is expected to be unknown.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

import asyncio
import inspect
import re
from collections.abc import Awaitable, Callable, Iterable

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import TranscriptError
from agent.evidence import EvidenceChecker, SourceText
from agent.schemas import QuestionAnswer, Tier
from agent.text import normalise
from agent.transcripts import CALL_FIELDS, RoleHints, Transcript, read_transcript
from agent.transcripts.extract import TranscriptExtractor
from evals.errors import DatasetError
from library.schemas import Library, QualifyingQuestion

Status = Literal["confirmed", "no", "unknown"]
_STATUS: dict[str, Status] = {"yes": "confirmed", "no": "no", "unknown": "unknown"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExpectedField(_Model):
    status: Status
    value: str | None = Field(default=None, description="Normalised value, compared case-insensitively; lists as a,b")
    evidence: list[str] = Field(default_factory=list, description="Verbatim prospect quotes that support the status")

    @field_validator("status", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted `no` as False; a label writer means the status "no".
        return {False: "no", True: "confirmed"}.get(value, value) if isinstance(value, bool) else value

    @field_validator("value", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        # YAML reads 2026-11-19 as a date and 800 as an int; labels compare as text.
        return (
            value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, (int, float)) else value
        )


class TranscriptLabel(_Model):
    transcript: str
    call_date: date
    segment: str | None = None
    contact: str | None = None
    roles: RoleHints = RoleHints()
    expected_recommendation: Tier | None = None
    notes: str | None = None
    fields: dict[str, ExpectedField] = Field(default_factory=dict)


class FieldScore(_Model):
    field: str
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    status_correct: int = 0
    value_checked: int = 0
    value_correct: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class Mismatch(_Model):
    transcript: str
    field: str
    expected: Status
    got: Status
    expected_value: str | None = None
    got_value: str | None = None


class TranscriptEvalReport(_Model):
    extractor: str
    extractor_version: str
    transcripts: int
    fields: list[FieldScore]
    status_accuracy: float
    value_accuracy: float | None
    evidence_validity: float | None = Field(
        description="Share of decided answers whose quotes are verbatim prospect speech"
    )
    evidence_agreement: float | None = Field(description="Share of correct decided answers quoting a labeled quote")
    unknown_rate: float
    expected_unknown_rate: float
    dates_checked: int = Field(default=0, description="Labeled dates (timeline, next step ...) in the set")
    dates_exact: int = Field(default=0, description="Of those, resolved to exactly the labeled day")
    invented: int = Field(default=0, description="Decided answers where the label says the call never states it")
    ungrounded: int = Field(default=0, description="Decided answers without a verbatim prospect quote")
    mismatches: list[Mismatch]

    @property
    def date_exactness(self) -> float | None:
        return self.dates_exact / self.dates_checked if self.dates_checked else None

    @property
    def micro_f1(self) -> float:
        return _micro(self.fields)

    @property
    def call_field_f1(self) -> float:
        """Micro-F1 over the call template fields (`call.*`) only."""
        return _micro([f for f in self.fields if f.field.startswith("call.")])

    @property
    def question_f1(self) -> float:
        """Micro-F1 over the library's questions only."""
        return _micro([f for f in self.fields if not f.field.startswith("call.")])


def _micro(fields: list[FieldScore]) -> float:
    tp, fp, fn = (sum(getattr(f, k) for f in fields) for k in ("tp", "fp", "fn"))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def load_labels(directory: Path, library: Library) -> list[tuple[TranscriptLabel, Path]]:
    """Every `*.labels.yaml` in a folder, validated against the library; errors name the file."""
    found = []
    known = {q.id for q in library.questions} | set(CALL_FIELDS)
    for path in sorted(directory.glob("*.labels.yaml")):
        try:
            label = TranscriptLabel.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (ValidationError, yaml.YAMLError) as exc:
            raise DatasetError(f"invalid label file: {exc}", file=str(path)) from exc
        unknown = sorted(set(label.fields) - known)
        if unknown:
            raise DatasetError(f"unknown field ids {unknown}", file=str(path))
        transcript = path.parent / label.transcript
        if not transcript.is_file():
            raise DatasetError(f"transcript {label.transcript!r} not found", file=str(path))
        found.append((label, transcript))
    if not found:
        raise DatasetError("no *.labels.yaml files", file=str(directory))
    return found


def applicable(library: Library, segment: str | None) -> list[QualifyingQuestion]:
    """The questions a call is scored on: the segment's questions without a structured check."""
    return [q for q in library.questions_for(segment) if q.check is None]


def _same_value(expected: str, got: str | None) -> bool:
    parts = lambda v: sorted(p.strip().casefold() for p in v.split(",") if p.strip())  # noqa: E731
    return got is not None and parts(expected) == parts(got)


def _overlaps(quote: str, expected: list[str]) -> bool:
    q = normalise(quote)
    return any(q in normalise(e) or normalise(e) in q for e in expected)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def evaluate_transcripts(
    directory: Path, library: Library, extractor: TranscriptExtractor, select: Callable[[Path], bool] | None = None
) -> TranscriptEvalReport:
    """Run the extractor over a labeled folder (the files `select` keeps) and score every field."""
    labels = [(label, path) for label, path in load_labels(directory, library) if select is None or select(path)]
    return score_calls([(label, path, library, extractor) for label, path in labels])


async def _wait(pending: Awaitable[list[QuestionAnswer]]) -> list[QuestionAnswer]:
    return await pending


def score_calls(calls: Iterable[tuple[TranscriptLabel, Path, Library, TranscriptExtractor]]) -> TranscriptEvalReport:
    """Score labeled calls, each with its own library and extractor (several sellers in one report)."""
    scores: dict[str, FieldScore] = {}
    mismatches: list[Mismatch] = []
    total = correct_status = predicted_unknown = expected_unknown = 0
    decided = valid = agreed_n = agreed = dates_checked = dates_exact = invented = 0
    n = 0
    names: set[tuple[str, str]] = set()
    for label, path, library, extractor in calls:
        n += 1
        names.add((extractor.name, extractor.version))
        try:
            transcript = read_transcript(
                path.read_bytes(), filename=path.name, call_date=label.call_date, roles=label.roles
            )
        except TranscriptError as exc:
            raise DatasetError(str(exc), file=str(path)) from exc
        questions = applicable(library, label.segment)
        found = extractor.extract(transcript, questions, contact=label.contact)
        if inspect.isawaitable(found):  # the LLM extractor answers asynchronously, the embedded one at once
            found = asyncio.run(_wait(found))
        answers = {a.question_id: a for a in found}
        prospect_only = EvidenceChecker(_prospect_sources(transcript))
        for field in [q.id for q in questions] + list(CALL_FIELDS):
            want = label.fields.get(field, ExpectedField(status="unknown"))
            got_answer = answers.get(field)
            got: Status = _STATUS[got_answer.answer] if got_answer else "unknown"
            got_value = got_answer.value if got_answer else None
            s = scores.setdefault(field, FieldScore(field=field))
            s.n += 1
            total += 1
            predicted_unknown += got == "unknown"
            expected_unknown += want.status == "unknown"
            if want.value is not None and _ISO_DAY.match(want.value):
                dates_checked += 1
                dates_exact += got != "unknown" and got_value == want.value
            if got == want.status:
                s.status_correct += 1
                correct_status += 1
            if got != "unknown" and got == want.status:
                s.tp += 1
                if want.value is not None:
                    s.value_checked += 1
                    s.value_correct += _same_value(want.value, got_value)
                if want.evidence and got_answer is not None:
                    agreed_n += 1
                    agreed += any(_overlaps(e.quote, want.evidence) for e in got_answer.evidence)
            else:
                s.fp += got != "unknown"
                s.fn += want.status != "unknown"
            if got != want.status or (want.value and got != "unknown" and not _same_value(want.value, got_value)):
                mismatches.append(
                    Mismatch(
                        transcript=path.name,
                        field=field,
                        expected=want.status,
                        got=got,
                        expected_value=want.value,
                        got_value=got_value,
                    )
                )
            if got_answer is not None and got != "unknown":
                decided += 1
                invented += want.status == "unknown"
                valid += all(prospect_only.is_verbatim(e) for e in got_answer.evidence) and bool(got_answer.evidence)
    if not n:
        raise DatasetError("no labeled calls selected", file="-")
    checked = sum(s.value_checked for s in scores.values())
    name = ", ".join(sorted({a for a, _ in names}))
    version = ", ".join(sorted({b for _, b in names}))
    return TranscriptEvalReport(
        extractor=name,
        extractor_version=version,
        transcripts=n,
        fields=sorted(scores.values(), key=lambda s: s.field),
        status_accuracy=correct_status / total,
        value_accuracy=sum(s.value_correct for s in scores.values()) / checked if checked else None,
        evidence_validity=valid / decided if decided else None,
        evidence_agreement=agreed / agreed_n if agreed_n else None,
        unknown_rate=predicted_unknown / total,
        expected_unknown_rate=expected_unknown / total,
        dates_checked=dates_checked,
        dates_exact=dates_exact,
        invented=invented,
        ungrounded=decided - valid,
        mismatches=mismatches,
    )


def _prospect_sources(transcript: Transcript) -> list[SourceText]:
    return [SourceText("transcript", u.id, u.text) for u in transcript.utterances if u.role == "prospect"]


def render(report: TranscriptEvalReport) -> str:
    """The report as a plain-text table."""
    pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
    lines = [f"{'field':28} {'n':>3} {'tp':>3} {'fp':>3} {'fn':>3} {'prec':>5} {'rec':>5} {'F1':>5} {'value':>6}"]
    for s in report.fields:
        value = f"{s.value_correct}/{s.value_checked}" if s.value_checked else "-"
        lines.append(
            f"{s.field:28} {s.n:>3} {s.tp:>3} {s.fp:>3} {s.fn:>3} {s.precision:>5.2f} {s.recall:>5.2f} "
            f"{s.f1:>5.2f} {value:>6}"
        )
    lines.append(
        f"micro F1 {report.micro_f1:.2f} (call fields {report.call_field_f1:.2f}, questions "
        f"{report.question_f1:.2f}) | status accuracy {pct(report.status_accuracy)} | value accuracy "
        f"{pct(report.value_accuracy)} | evidence validity {pct(report.evidence_validity)} | evidence agreement "
        f"{pct(report.evidence_agreement)} | unknown rate {pct(report.unknown_rate)} "
        f"(expected {pct(report.expected_unknown_rate)}) | {report.transcripts} transcripts"
    )
    lines.append(
        f"dates exact {report.dates_exact}/{report.dates_checked} ({pct(report.date_exactness)}) | invented "
        f"(label: not in the call) {report.invented} | without a verbatim prospect quote {report.ungrounded}"
    )
    return "\n".join(lines)
