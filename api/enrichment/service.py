"""Importing a companies CSV into the firmographics table, and loading that table as a CompanyDirectory."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.enrichment.directory import CompanyDirectory, CompanyRecord
from api.enrichment.models import FirmographicRow
from api.enrichment.parsing import is_empty, parse_country, parse_domain, parse_employees, parse_revenue

Target = Literal["name", "domain", "website", "employees", "industry", "country", "city", "state", "revenue"]
_TEXT_LIMITS = {"name": 500, "industry": 200, "city": 200, "state": 100}
_CHUNK = 500  # domains per SELECT when looking for existing rows


class MappingError(Exception):
    """The mapping or the file as a whole is unusable (bad YAML, missing column, not UTF-8); nothing was written."""


class ColumnMapping(BaseModel):
    """Which CSV column gives each firmographic field, constants for fields the file lacks, and the revenue unit."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[Target, str] = Field(description="Field → CSV header, e.g. employees: '_ - workers'")
    defaults: dict[Literal["industry", "country", "city", "state"], str] = Field(
        default_factory=dict, description="Values for fields the file has no column for, e.g. country: US"
    )
    revenue_unit: int = Field(
        default=1, ge=1, description="Multiplier for bare revenue numbers (10**6 when in millions)"
    )
    strict: bool = Field(
        default=True,
        description="False: a mapped column the file lacks is empty, except name and "
        "domain/website, which every file must have",
    )

    @model_validator(mode="after")
    def _usable(self) -> ColumnMapping:
        if "name" not in self.columns:
            raise ValueError("columns: 'name' is required")
        if "domain" not in self.columns and "website" not in self.columns:
            raise ValueError("columns: 'domain' or 'website' is required (records are keyed by domain)")
        if "country" in self.defaults:
            parse_country(self.defaults["country"])  # a ValueError here names the bad default
        return self


DEFAULT_MAPPING = ColumnMapping(
    columns={
        "name": "name",
        "domain": "domain",
        "employees": "employees",
        "industry": "industry",
        "country": "country",
        "city": "city",
        "revenue": "revenue_usd",
    },
    strict=False,
)


def load_mapping(path: Path | str | None) -> ColumnMapping:
    """The mapping in a YAML file, or the identity mapping (name, domain, employees, …, revenue_usd) for None."""
    if path is None:
        return DEFAULT_MAPPING
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc}") from exc
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "mapping"
        raise MappingError(f"{path}: {where}: {first['msg']}") from exc


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file; the header is line 1
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0  # rows whose domain appeared earlier in the same file (the later row wins)
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.errors)


def _read(csv_path: Path, mapping: ColumnMapping) -> tuple[csv.DictReader[str], str]:
    try:
        text = Path(csv_path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise MappingError(f"{csv_path}: cannot read: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{csv_path}: not UTF-8 (byte {exc.start}); re-export the file as UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    needed = {t: c for t, c in mapping.columns.items() if mapping.strict or t in ("name", "domain", "website")}
    if not mapping.strict and "domain" in needed and "website" in needed:
        needed.pop("website" if needed["domain"] in header else "domain")  # either one is enough
    missing = [f"{target} → {column!r}" for target, column in needed.items() if column not in header]
    if missing:
        raise MappingError(
            f"{csv_path}: the mapping names column(s) the file lacks: {', '.join(missing)}; "
            f"the header is {', '.join(map(repr, header))}"
        )
    return reader, Path(csv_path).name


def _cell(raw: dict[str | None, str | list[str] | None], mapping: ColumnMapping, target: str) -> str | None:
    column = mapping.columns.get(target)  # type: ignore[call-overload]  # target is one of Target's values, typed str
    value = raw.get(column) if column else None
    if (value is None or (isinstance(value, str) and is_empty(value))) and target in mapping.defaults:
        return mapping.defaults[target]
    return value.strip() if isinstance(value, str) else None


def _record(raw: dict[str | None, str | list[str] | None], mapping: ColumnMapping) -> CompanyRecord:
    """One CSV row as a record; raises ValueError("field: message") on the first bad cell."""

    def parsed(target: str, parse: Callable[[str | None], object]) -> object:
        try:
            return parse(_cell(raw, mapping, target))
        except ValueError as exc:
            raise ValueError(f"{target}: {exc}") from exc

    if raw.get(None):
        raise ValueError(f"row: {len(raw[None] or [])} more cell(s) than the header has")
    texts: dict[str, str | None] = {}
    for target, limit in _TEXT_LIMITS.items():
        value = _cell(raw, mapping, target)
        if value is not None and len(value) > limit:
            raise ValueError(f"{target}: longer than {limit} characters")
        texts[target] = None if is_empty(value) else value
    if texts["name"] is None:
        raise ValueError("name: missing")
    domain = parsed("domain", parse_domain) if "domain" in mapping.columns else None
    if domain is None and "website" in mapping.columns:
        domain = parsed("website", parse_domain)
    if domain is None:
        raise ValueError(f"{'domain' if 'domain' in mapping.columns else 'website'}: missing")
    # parsed() returns whatever its parser returns (int, str, float), typed object.
    return CompanyRecord(
        name=texts["name"],
        domain=str(domain),
        employees=parsed("employees", parse_employees),  # type: ignore[arg-type]
        industry=texts["industry"],
        country=parsed("country", parse_country),  # type: ignore[arg-type]
        city=texts["city"],
        state=texts["state"],
        revenue_usd=parsed("revenue", lambda v: parse_revenue(v, mapping.revenue_unit)),  # type: ignore[arg-type]
    )


def import_companies(
    session: Session, csv_path: Path | str, mapping: ColumnMapping | Path | str | None
) -> ImportReport:
    """Upsert every good row by domain and commit once; bad rows are reported (line, field) and skipped.

    A mapping naming a column the file lacks, or a non-UTF-8 file, raises MappingError before anything is written.
    """
    started = time.perf_counter()
    spec = mapping if isinstance(mapping, ColumnMapping) else load_mapping(mapping)
    reader, source = _read(Path(csv_path), spec)
    report = ImportReport()
    records: dict[str, CompanyRecord] = {}
    try:
        for raw in reader:
            report.rows += 1
            try:
                record = _record(raw, spec)
            except ValueError as exc:
                where, _, message = str(exc).partition(": ")
                report.errors.append(RowError(reader.line_num, where, message))
                continue
            if record.domain in records:
                report.duplicates += 1
            records[record.domain] = record
    except csv.Error as exc:
        raise MappingError(f"{csv_path}: malformed CSV at line {reader.line_num}: {exc}") from exc
    report.inserted, report.updated = _upsert(session, list(records.values()), source)
    session.commit()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _upsert(session: Session, records: list[CompanyRecord], source: str) -> tuple[int, int]:
    now = datetime.now(UTC)
    inserted = updated = 0
    for start in range(0, len(records), _CHUNK):
        chunk = records[start : start + _CHUNK]
        existing = {
            row.domain: row
            for row in session.scalars(
                select(FirmographicRow).where(FirmographicRow.domain.in_([r.domain for r in chunk]))
            )
        }
        for record in chunk:
            values = {
                "name": record.name,
                "employees": record.employees,
                "industry": record.industry,
                "country": record.country,
                "city": record.city,
                "state": record.state,
                "revenue_usd": record.revenue_usd,
                "source": source,
                "updated_at": now,
            }
            row = existing.get(record.domain)
            if row is None:
                session.add(FirmographicRow(domain=record.domain, created_at=now, **values))
                inserted += 1
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                updated += 1
        session.flush()
    return inserted, updated


def load_directory(session: Session, name: str = "firmographics") -> CompanyDirectory:
    """Every imported company as an in-memory CompanyDirectory (empty when nothing was imported)."""
    rows = session.execute(
        select(
            FirmographicRow.name,
            FirmographicRow.domain,
            FirmographicRow.employees,
            FirmographicRow.industry,
            FirmographicRow.country,
            FirmographicRow.city,
            FirmographicRow.state,
            FirmographicRow.revenue_usd,
        )
    )
    return CompanyDirectory((CompanyRecord(*row) for row in rows), name=name)
