"""Reading leads from files: one JSON lead, JSONL, or CSV with dotted columns. Errors name the row and the field.

CSV columns: external_id, source, received_at, person.name, person.email, person.title, person.phone, company.name,
company.domain, company.employees, company.industry, company.country, notes, events (a JSON array of
{type, timestamp, detail}) and `form.<question>` for each form answer. Empty cells are missing values; a row whose cells are all empty is skipped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.schemas import Lead

CSV_COLUMNS = frozenset(
    {
        "id",
        "external_id",
        "source",
        "received_at",
        "notes",
        "events",
        "person.name",
        "person.email",
        "person.title",
        "person.phone",
        "company.name",
        "company.domain",
        "company.employees",
        "company.industry",
        "company.country",
    }
)
MAX_FILE_BYTES = 200 * 1024 * 1024
csv.field_size_limit(10 * 1024 * 1024)


class LeadFileError(Exception):
    """The file as a whole cannot be read (encoding, header, format); names the file and where."""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field}: {self.message}"


@dataclass(frozen=True)
class Row:
    row: int
    lead: Lead | None
    error: RowError | None = None


def validation_error(row: int, exc: ValidationError) -> RowError:
    """The first problem of a pydantic error as a row error with a dotted field name."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "lead"
    return RowError(row, field, first.get("msg", "invalid"))


def _text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LeadFileError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LeadFileError(f"{path}: not UTF-8 (line {line}, byte {exc.start}); re-export the file as UTF-8") from exc


def read_json_lead(path: Path) -> Lead:
    """One lead from a JSON file; raises LeadFileError naming the field."""
    try:
        data = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.msg == "Extra data":  # a second JSON value after the first: several leads, one a line
            hint = f"; the file holds more than one JSON value — for a file of leads run `qualify batch {path}`"
        where = f"line {exc.lineno}, column {exc.colno}"
        raise LeadFileError(f"{path}: malformed JSON at {where}: {exc.msg}{hint}") from exc
    try:
        return Lead.model_validate(data)
    except ValidationError as exc:
        err = validation_error(1, exc)
        raise LeadFileError(f"{path}: field {err.field}: {err.message}") from exc


def read_leads(path: Path, default_source: str = "csv") -> Iterator[Row]:
    """Leads from a .csv or .jsonl file, one Row each; a bad row carries an error and the rest go on."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl(path)
    elif suffix == ".csv":
        yield from _csv(path, default_source)
    elif suffix == ".json":
        yield Row(1, read_json_lead(path))
    else:
        raise LeadFileError(f"{path}: unsupported file type {suffix!r} (use .csv, .jsonl or .json)")


def _jsonl(path: Path) -> Iterator[Row]:
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield Row(number, Lead.model_validate_json(line))
        except ValidationError as exc:
            kind = exc.errors()[0].get("type", "")
            if kind == "json_invalid":
                yield Row(number, None, RowError(number, "line", "malformed JSON"))
            else:
                yield Row(number, None, validation_error(number, exc))


def _csv(path: Path, default_source: str) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(_text(path), newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise LeadFileError(f"{path}: unreadable CSV header: {exc}") from exc
    if not header:
        raise LeadFileError(f"{path}: empty file (no header row)")
    unknown = [c for c in header if c not in CSV_COLUMNS and not c.startswith("form.")]
    if unknown:
        raise LeadFileError(f"{path}: unknown column(s) {unknown}; expected {sorted(CSV_COLUMNS)} or form.<question>")
    rows = iter(reader)
    while True:
        number = reader.line_num + 1
        try:
            record = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(number, None, RowError(number, "row", f"malformed CSV: {exc}"))
            return  # the parser cannot resynchronise after a broken quote
        number = reader.line_num
        if _blank(record):  # a row of only commas (spreadsheets export them) is no lead and no error
            continue
        if None in record:
            yield Row(number, None, RowError(number, "row", f"{len(record[None])} more cell(s) than the header has"))
            continue
        yield _csv_row(number, record, default_source)


def _blank(record: dict[str | None, Any]) -> bool:
    cells = [v for k, v in record.items() if k is not None] + list(record.get(None) or [])
    return all(not (cell or "").strip() for cell in cells)


def _csv_row(number: int, record: dict[str, str], default_source: str) -> Row:
    data: dict[str, Any] = {"source": default_source, "person": {}, "company": {}, "form_answers": {}}
    for column, cell in record.items():
        value = (cell or "").strip()
        if not value:
            continue
        if column == "events":
            try:
                data["events"] = json.loads(value)
            except json.JSONDecodeError as exc:
                return Row(number, None, RowError(number, "events", f"not a JSON array: {exc.msg}"))
        elif column.startswith("form."):
            data["form_answers"][column[len("form.") :]] = value
        elif "." in column:
            group, name = column.split(".", 1)
            data[group][name] = value
        else:
            data[column] = value
    try:
        return Row(number, Lead.model_validate(data))
    except ValidationError as exc:
        return Row(number, None, validation_error(number, exc))


def dated_to_now(source: Path, target: Path, now: datetime) -> Path:
    """A copy of a sample file with every date moved so its newest lead arrived just now (written once).

    Demo leads are dated when they were written; shown as they are, every timer reads "weeks late". The copy is
    made once per data folder, so re-running the demo reuses its leads instead of updating them.
    """
    if target.exists():
        return target
    rows = [row for row in read_leads(source) if row.lead is not None]
    newest = max((r.lead.received_at for r in rows if r.lead and r.lead.received_at), default=now)
    shift = now - timedelta(minutes=2) - newest
    with target.open("w", encoding="utf-8") as out:
        for row in rows:
            assert row.lead is not None
            lead = row.lead
            moved = lead.model_copy(
                update={
                    "received_at": lead.received_at + shift if lead.received_at else None,
                    "events": [e.model_copy(update={"timestamp": e.timestamp + shift}) for e in lead.events],
                }
            )
            out.write(moved.model_dump_json(exclude_none=True) + "\n")
    return target
