"""Turning CSV rows into leads, labels and feature values through a mapping; every problem names its row and column."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from pydantic import ValidationError

from agent.schemas import Lead
from evals.errors import DatasetError
from evals.mapping import Mapping, ResolvedSet

MAX_PROBLEMS = 20
MAX_ID_CHARS = 200  # as `evals.datasets.LeadCase.id`
# Derived month and weekday names (English, whatever the process locale: the fitted levels must not depend on it).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _parse_date(value: str, fmt: str | None) -> datetime | None:
    try:
        return datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(value)
    except ValueError:
        return None


class _RowProblem(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


@dataclass
class ParsedRows:
    ids: list[str] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    numeric: dict[str, list[float | None]] = field(default_factory=dict)
    categorical: dict[str, list[str | None]] = field(default_factory=dict)


class RowReader:
    """Collects rows; `finish` raises with every problem found, or returns the parsed columns."""

    def __init__(self, mapping: Mapping, feature_set: ResolvedSet, header: list[str], file: str):
        self.mapping, self.set, self.header, self.file = mapping, feature_set, header, file
        self.index = {name: i for i, name in enumerate(header)}
        self.missing = set(mapping.missing_values)
        self.excluded = set(feature_set.leaky)
        self.out = ParsedRows(
            numeric={c: [] for c in feature_set.numeric}, categorical={c: [] for c in feature_set.categorical}
        )
        self.problems: list[str] = []
        self.seen_ids: set[str] = set()
        # Per date column, each derived part with its feature name and form key (computed once, not per row).
        self.date_parts = [(d, [(part, d.feature(part), d.key(part)) for part in d.derive]) for d in mapping.dates]
        self.form_columns = [(f.question or f.column, f.column) for f in mapping.form if f.column not in self.excluded]

    def add(self, line: int, row: list[str]) -> None:
        """Parse one data row (`line` is its line number in the file)."""
        if len(row) != len(self.header):
            self.problems.append(f"row {line}: {len(row)} fields where the header has {len(self.header)}")
            return
        try:
            parsed = self._parse(row, line)
        except _RowProblem as p:
            self.problems.append(f"row {line}, column {p.column!r}: {p.message}")
            return
        case_id, y, lead, nums, cats = parsed
        self.seen_ids.add(case_id)
        self.out.ids.append(case_id)
        self.out.y.append(y)
        self.out.leads.append(lead)
        self.out.lines.append(line)
        for c, v in nums.items():
            self.out.numeric[c].append(v)
        for c, s in cats.items():
            self.out.categorical[c].append(s)

    def finish(self) -> ParsedRows:
        """Every row parsed, or a DatasetError listing the problems; also refuses an empty or one-class file."""
        if self.problems:
            raise DatasetError(
                f"{len(self.problems)} bad row(s); nothing was loaded",
                file=self.file,
                problems=self.problems[:MAX_PROBLEMS],
            )
        if not self.out.ids:
            raise DatasetError("the file has a header but no data rows", file=self.file)
        if len(set(self.out.y)) < 2:
            only = "positive" if self.out.y[0] else "negative"
            raise DatasetError(
                f"every row is {only}: metrics need both classes", file=self.file, column=self.mapping.label.column
            )
        return self.out

    def _cell(self, row: list[str], column: str) -> str | None:
        value = row[self.index[column]].strip()
        return None if value in self.missing else value

    def _parse(
        self, row: list[str], line: int
    ) -> tuple[str, int, Lead, dict[str, float | None], dict[str, str | None]]:
        m = self.mapping
        if m.id_column is None:
            case_id = f"row-{line}"
        else:
            case_id = self._cell(row, m.id_column)  # type: ignore[assignment]
            if case_id is None:
                raise _RowProblem(m.id_column, "the id is empty")
            if len(case_id) > MAX_ID_CHARS:
                raise _RowProblem(m.id_column, f"the id is longer than {MAX_ID_CHARS} characters")
            if case_id in self.seen_ids:
                raise _RowProblem(m.id_column, f"duplicate id {case_id!r}")
        y = self._label(row)
        derived = self._dates(row)
        # Derived date features are days (numbers) for numeric columns and month/weekday names for categorical ones.
        nums = {c: cast(float | None, derived[c]) if c in derived else self._number(row, c) for c in self.set.numeric}
        cats = {c: cast(str | None, derived[c]) if c in derived else self._cell(row, c) for c in self.set.categorical}
        return case_id, y, self._lead(row, case_id, derived), nums, cats

    def _dates(self, row: list[str]) -> dict[str, str | float | None]:
        """The features derived from each date column: month and weekday names, days before `as_of`."""
        out: dict[str, str | float | None] = {}
        for d, parts in self.date_parts:
            value = self._cell(row, d.column)
            when = None if value is None else _parse_date(value, d.format)
            if value is not None and when is None:
                expected = d.format or "an ISO 8601 date such as 2024-03-31"
                raise _RowProblem(d.column, f"{value!r} is not a date ({expected})")
            for part, name, _ in parts:
                if when is None:
                    out[name] = None
                elif part == "month":
                    out[name] = MONTHS[when.month - 1]
                elif part == "weekday":
                    out[name] = WEEKDAYS[when.weekday()]
                else:
                    as_of = self.mapping.as_of
                    assert as_of is not None  # the mapping requires it for days_since
                    ref = when if when.tzinfo is not None else when.replace(tzinfo=as_of.tzinfo)
                    out[name] = round((as_of - ref).total_seconds() / 86400, 3)
        return out

    def _label(self, row: list[str]) -> int:
        label = self.mapping.label
        value = row[self.index[label.column]].strip()
        if value in label.positive:
            return 1
        if value in label.negative or (not label.negative and value not in self.missing):
            return 0
        expected = label.positive + label.negative
        raise _RowProblem(label.column, f"unexpected label {value!r}; expected one of {expected}")

    def _number(self, row: list[str], column: str) -> float | None:
        value = self._cell(row, column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise _RowProblem(column, f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise _RowProblem(column, f"{value!r} is not a finite number")
        return number

    def _lead(self, row: list[str], case_id: str, derived: dict[str, str | float | None]) -> Lead:
        m, use = self.mapping, (lambda c: c not in self.excluded)
        data: dict = {"external_id": case_id, "source": "eval", "person": {}, "company": {}}
        for target, column in m.lead.items():
            value = self._cell(row, column) if use(column) else None
            if value is not None:
                part, name = target.split(".", 1)
                data[part][name] = value
        data["form_answers"] = {
            key: v for key, column in self.form_columns if (v := self._cell(row, column)) is not None
        }
        data["form_answers"] |= {
            key: str(dv)
            for d, parts in self.date_parts
            if use(d.column)
            for _, name, key in parts
            if (dv := derived[name]) is not None
        }
        events = []
        for e in m.events:
            value = self._cell(row, e.column) if use(e.column) else None
            if value is None:
                continue
            if e.mode == "value":
                events.append({"type": e.type, "timestamp": m.as_of, "detail": f"{e.column}: {value}"})
                continue
            count = self._number(row, e.column) or 0
            events += [{"type": e.type, "timestamp": m.as_of}] * min(e.max_count, max(0, round(count)))
        data["events"] = events
        notes = [f"{n.prefix}{v}" for n in self.set.notes if (v := self._cell(row, n.column)) is not None]
        data["notes"] = "\n".join(notes) or None
        try:
            return Lead.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise _RowProblem(".".join(str(p) for p in err["loc"]) or "(lead)", err["msg"]) from None
