"""Typed eval datasets: whole-lead cases and question-level cases (JSONL), and any CSV of past leads plus a mapping.

Formats are documented in docs/datasets.md. Reading is all or nothing: any bad line or row raises a DatasetError that
names the file, the row (line) and the column (field), listing every problem found, so a partial dataset is never used
as if it were complete.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.schemas import Answer, Lead, Tier
from evals.errors import DatasetError
from evals.mapping import Mapping, ResolvedSet, check_columns, resolve
from evals.rows import RowReader

Outcome = Literal["sql", "nurture", "disqualify"]
MAX_PROBLEMS = 20


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Origin(_Model):
    """Where a case came from, so reviewed scorecards and CSV rows stay traceable."""

    kind: Literal["handwritten", "reviewer", "csv", "generated"]
    reviewer: str | None = Field(default=None, description="Who reviewed the scorecard (kind reviewer)")
    scorecard_id: str | None = None
    revision: int | None = Field(default=None, ge=1, description="Scorecard revision the decision was bound to")
    decision: Literal["confirm", "edit", "reject"] | None = None
    reviewed_at: datetime | None = None
    file: str | None = Field(default=None, description="Source file (kind csv)")
    row: int | None = Field(default=None, ge=1, description="Line in the source file (kind csv)")


class ExpectedAnswer(_Model):
    answer: Answer
    evidence: list[str] = Field(default_factory=list, description="Verbatim quotes from the lead that support it")

    @model_validator(mode="after")
    def _quotes_match_answer(self) -> ExpectedAnswer:
        if self.answer != "unknown" and not self.evidence:
            raise ValueError(f"answer {self.answer!r} needs at least one evidence quote")
        return self


class LeadCase(_Model):
    """A whole lead and what happened to it; `answers` optionally labels individual questions."""

    id: str = Field(min_length=1, max_length=200)
    lead: Lead
    expected_outcome: Outcome
    disqualify_reason: str | None = Field(default=None, description="Hard-rule id, for disqualify only")
    answers: dict[str, ExpectedAnswer] = Field(default_factory=dict)
    note: str | None = None
    origin: Origin | None = None

    @model_validator(mode="after")
    def _reason_only_for_disqualify(self) -> LeadCase:
        if self.disqualify_reason is not None and self.expected_outcome != "disqualify":
            raise ValueError("disqualify_reason is only allowed when expected_outcome is disqualify")
        return self

    @property
    def y_true(self) -> int:
        """1 when the lead is (or became) an SQL."""
        return int(self.expected_outcome == "sql")


class QuestionCase(_Model):
    """One question about one lead, with the expected answer and the quotes that justify it."""

    id: str = Field(min_length=1, max_length=200)
    lead: Lead
    question_id: str
    expected: Answer
    evidence: list[str] = Field(default_factory=list)
    note: str | None = None
    origin: Origin | None = None
    tags: list[str] = Field(default_factory=list, description="Hard-case kinds the case exercises (ANSWERS.md)")
    twin: str | None = Field(default=None, description="For an injection case: the id of its clean twin")

    @model_validator(mode="after")
    def _quotes_match_answer(self) -> QuestionCase:
        if self.expected != "unknown" and not self.evidence:
            raise ValueError(f"expected {self.expected!r} needs at least one evidence quote")
        return self


class TierCase(_Model):
    """A whole lead labeled with the tier its seller's written SQL definition gives it (benchmarks/leads.py)."""

    id: str = Field(min_length=1, max_length=200)
    seller: str | None = None
    segment: str | None = Field(default=None, description="Expected segment id, when the labeler named one")
    expected_tier: Tier
    reason: str | None = Field(default=None, description="Why, in the labeler's words")
    nurture_reason: str | None = Field(default=None, description="For nurture: the failed must-have (fit, need …)")
    hard_disqualifier: bool = Field(default=False, description="Disqualified by an instant disqualifier")
    criteria: dict[str, str] = Field(default_factory=dict, description="Labeled answers: question id → yes/no/unknown")
    lead: Lead


class FeatureTable(_Model):
    """Column-wise model inputs of one feature set, aligned with `ids` and `y`; None is a missing value."""

    set_name: str
    ids: list[str]
    y: list[int]
    numeric: dict[str, list[float | None]]
    categorical: dict[str, list[str | None]]


class CsvDataset(_Model):
    cases: list[LeadCase]
    features: FeatureTable
    feature_set: ResolvedSet
    mapping: Mapping
    file: str


Case = TypeVar("Case", LeadCase, QuestionCase, TierCase)


def _read_jsonl(path: Path, model: type[Case]) -> list[Case]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read: {exc}", file=str(path)) from exc
    cases: list[Case] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = model.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"line {line_no}: not JSON ({exc.msg} at column {exc.colno})")
            continue
        except ValidationError as exc:
            problems += [
                f"line {line_no}, field {'.'.join(str(p) for p in e['loc']) or '(case)'}: {e['msg']}"
                for e in exc.errors()
            ]
            continue
        if case.id in seen:
            problems.append(f"line {line_no}, field id: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if problems:
        raise DatasetError(
            f"{len(problems)} problem(s); nothing was loaded", file=str(path), problems=problems[:MAX_PROBLEMS]
        )
    if not cases:
        raise DatasetError("the file holds no cases", file=str(path))
    return cases


def load_lead_cases(path: Path) -> list[LeadCase]:
    """Read a whole-lead JSONL file."""
    return _read_jsonl(path, LeadCase)


def load_tier_cases(path: Path) -> list[TierCase]:
    """Read a whole-lead tier-labeled JSONL file."""
    return _read_jsonl(path, TierCase)


def load_question_cases(path: Path) -> list[QuestionCase]:
    """Read a question-level JSONL file."""
    return _read_jsonl(path, QuestionCase)


def write_jsonl(path: Path, cases: list[LeadCase] | list[QuestionCase]) -> None:
    """Write cases one JSON object a line (e.g. reviewed scorecards exported as cases)."""
    with path.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(case.model_dump_json(exclude_none=True) + "\n")


DELIMITERS = ",;\t|"


def detect_delimiter(path: Path) -> str:
    """The separator of a CSV's header line: whichever of , ; tab | occurs most often outside quotes (',' on a tie)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError):
        return ","  # reading the rows reports the problem
    outside, quoted = [], False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _csv_rows(path: Path, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True, delimiter=delimiter)
            for row in reader:
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise DatasetError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from exc
    except csv.Error as exc:
        raise DatasetError(f"broken CSV: {exc}", file=str(path)) from exc
    except OSError as exc:
        raise DatasetError(f"cannot read: {exc}", file=str(path)) from exc


def load_csv(path: Path, mapping: Mapping, set_name: str) -> CsvDataset:
    """Read a CSV of past leads through a mapping and one of its feature sets: typed cases plus a feature table."""
    feature_set = resolve(mapping, set_name)
    rows = _csv_rows(path, mapping.delimiter or detect_delimiter(path))
    first = next(rows, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise DatasetError("the file is empty (no header row)", file=str(path))
    header = [h.strip() for h in first[1]]
    check_columns(mapping, header, str(path))
    reader = RowReader(mapping, feature_set, header, str(path))
    for line_no, row in rows:
        if any(cell.strip() for cell in row):
            reader.add(line_no, row)
    parsed = reader.finish()
    # Every part was validated row by row (the lead by `Lead`, the id's length by the reader), so the cases are put
    # together without validating each lead a second time (a third of the load time of a 50,000-row file).
    cases = [
        LeadCase.model_construct(
            id=case_id,
            lead=lead,
            expected_outcome="sql" if y else "nurture",
            origin=Origin.model_construct(kind="csv", file=path.name, row=line),
        )
        for case_id, y, lead, line in zip(parsed.ids, parsed.y, parsed.leads, parsed.lines, strict=True)
    ]
    features = FeatureTable(
        set_name=set_name, ids=parsed.ids, y=parsed.y, numeric=parsed.numeric, categorical=parsed.categorical
    )
    return CsvDataset(cases=cases, features=features, feature_set=feature_set, mapping=mapping, file=str(path))
