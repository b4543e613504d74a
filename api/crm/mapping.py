"""Mapping files: which CRM property fills which lead field (and what is written back), and the mapping itself.

A mapping file is YAML (shipped examples: api/crm/data/*.yaml, documented in docs/crm.md):

    fields:          # lead field ← CRM property; a list is joined with a space (first and last name)
      person.email: email
      person.name: [firstname, lastname]
    company_fields:  # HubSpot only: read from the contact's primary company, when it has one
      company.employees: numberofemployees
    form_answers:    # a question or form field label ← CRM property (answers the judge reads)
      "What are you hoping to solve?": message
    writeback: {…}   # connector-specific (api/crm/hubspot.py, api/crm/salesforce.py)

A value that cannot become its field (an employee count of "lots", an e-mail without @) is a MappingError naming
the record id and the CRM property, and no lead is created from that record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.schemas import Lead
from library.schemas import ContactField

Target = Literal[ContactField, "notes"]  # the lead fields a form can ask, and the notes
Source = Annotated[str, Field(min_length=1, max_length=200)] | list[Annotated[str, Field(min_length=1, max_length=200)]]


class CrmError(Exception):
    """Root of the CRM connector errors.

    CrmError
    ├── MappingFileError   the mapping file is missing, not YAML or not a valid mapping
    ├── MappingError       a record's property cannot become its lead field (record id + property named)
    └── ConnectorNotConfigured   credentials or settings a connector needs are missing
    """


class MappingFileError(CrmError):
    pass


class ConnectorNotConfigured(CrmError):
    pass


@dataclass(frozen=True)
class MappingProblem:
    record_id: str
    property: str
    message: str

    def __str__(self) -> str:
        return f"record {self.record_id}: property {self.property}: {self.message}"


class MappingError(CrmError):
    def __init__(self, problems: list[MappingProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[Target, Source] = Field(min_length=1)
    company_fields: dict[Target, Source] = Field(default_factory=dict)
    form_answers: dict[Annotated[str, Field(min_length=1, max_length=500)], Annotated[str, Field(min_length=1)]] = (
        Field(default_factory=dict)
    )
    writeback: dict[str, Any] = Field(default_factory=dict)

    def properties(self, *, company: bool = False) -> list[str]:
        """The CRM properties this mapping reads (to ask the API for exactly these)."""
        table: dict[str, str | list[str]] = {}
        if company:
            table.update({str(k): v for k, v in self.company_fields.items()})
        else:
            table.update({str(k): v for k, v in self.fields.items()})
            table.update(self.form_answers)
        names: list[str] = []
        for source in table.values():
            names.extend([source] if isinstance(source, str) else source)
        return sorted(set(names))


def load_mapping(path: Path) -> MappingFile:
    """Read and check a mapping file; MappingFileError names the file and the bad entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingFileError(f"{path}: {exc}") from exc
    try:
        return MappingFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MappingFileError(f"{path}: {where}: {first['msg']}") from exc


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _value(props: dict[str, Any], source: str | list[str]) -> str | None:
    parts = [_text(props.get(name)) for name in ([source] if isinstance(source, str) else source)]
    joined = " ".join(p for p in parts if p)
    return joined or None


def _put(
    body: dict[str, Any], origin: dict[tuple[str, ...], str], target: str, value: Any, source: str | list[str]
) -> None:
    section, _, name = target.partition(".")
    if name:
        body.setdefault(section, {})[name] = value
        origin[(section, name)] = source if isinstance(source, str) else "+".join(source)
    else:
        body[section] = value
        origin[(section,)] = source if isinstance(source, str) else "+".join(source)


def _count(text: str) -> int | None:
    cleaned = text.replace(",", "").replace("_", "").strip()
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 0 else None


def to_lead(
    mapping: MappingFile,
    record_id: str,
    props: dict[str, Any],
    source: Literal["hubspot", "salesforce"],
    company_props: dict[str, Any] | None = None,
) -> Lead:
    """The lead a CRM record describes; MappingError lists every property that could not be mapped."""
    body: dict[str, Any] = {"external_id": record_id, "source": source}
    origin: dict[tuple[str, ...], str] = {}
    problems: list[MappingProblem] = []
    tables = [(mapping.fields, props)] + ([(mapping.company_fields, company_props)] if company_props else [])
    for table, values in tables:
        for target, prop in table.items():
            value = _value(values, prop)
            if value is None:
                continue
            if target == "company.employees":
                count = _count(value)
                if count is None:
                    problems.append(
                        MappingProblem(
                            record_id,
                            prop if isinstance(prop, str) else "+".join(prop),
                            f"{value[:60]!r} is not a whole number of employees",
                        )
                    )
                    continue
                _put(body, origin, target, count, prop)
            else:
                _put(body, origin, target, value, prop)
    answers = {q: v for q, prop in mapping.form_answers.items() if (v := _value(props, prop)) is not None}
    if answers:
        body["form_answers"] = answers
    if problems:
        raise MappingError(problems)
    try:
        return Lead.model_validate(body)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            found = origin.get(loc[:2]) or origin.get(loc[:1])
            named: str | None = found if isinstance(found, str) else ", ".join(found) if found else None
            if named is None and loc[:1] == ("form_answers",) and len(loc) > 1:
                named = mapping.form_answers.get(loc[1], loc[1])
            problems.append(MappingProblem(record_id, named or ".".join(loc) or "(record)", err["msg"]))
        raise MappingError(problems) from exc
