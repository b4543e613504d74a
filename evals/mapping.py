"""The column mapping: how a CSV of past leads becomes typed eval cases and a feature table.

A mapping YAML names the id and label columns, the values that mean "missing", how columns become lead fields, form
answers and events, which columns are leaky (recorded after contact, so never an input), and one or more named feature
sets. Each set lists the columns the scoring model may use directly (`features`) and the columns fed to the judge as
free-text notes (`notes`); a set may `extend` another. The format is documented in docs/datasets.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from evals.errors import MappingError

LeadField = Literal[
    "person.name",
    "person.email",
    "person.title",
    "person.phone",
    "company.name",
    "company.domain",
    "company.employees",
    "company.industry",
    "company.country",
]
EventType = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Model):
    """The outcome column: `positive` values mean converted / SQL; with `negative` given, any other value is an error."""

    column: str
    positive: list[str] = Field(min_length=1)
    negative: list[str] = Field(default_factory=list)


class FormColumn(_Model):
    column: str
    question: str | None = Field(default=None, description="Form question text; the column name when absent")


class EventColumn(_Model):
    """`count`: the cell is a number of events (e.g. visits); `value`: one event whose detail is the cell."""

    column: str
    type: EventType
    mode: Literal["count", "value"] = "count"
    max_count: int = Field(default=50, ge=1, le=1000)


class NoteColumn(_Model):
    column: str
    prefix: str = Field(default="", description="Text written before the value, e.g. 'SDR note: '")


DatePart = Literal["month", "weekday", "days_since"]


class DateColumn(_Model):
    """A date column turned into features: `month` (1-12) and `weekday` (Mon..Sun) are categorical, `days_since` (to
    `as_of`) numeric. Each derived feature is named `<column>_<part>` in the feature sets."""

    column: str
    derive: list[DatePart] = Field(min_length=1)
    format: str | None = Field(default=None, description="strptime format; ISO 8601 dates when absent")

    def feature(self, part: str) -> str:
        """The feature-set name of one derived part (also its form key on the lead)."""
        return f"{self.column}_{part}"

    def key(self, part: str) -> str:
        """The form-answer key the derived value is carried under on the lead (a valid feature source)."""
        return re.sub(r"[^A-Za-z0-9_\-]", "_", self.feature(part))


class Features(_Model):
    numeric: list[str] = Field(default_factory=list)
    categorical: list[str] = Field(default_factory=list)

    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical]


class FeatureSet(_Model):
    """A named view of the data: which columns are model inputs, which are notes, which are leaky in this view."""

    description: str = ""
    extends: str | None = None
    features: Features = Features()
    notes: list[NoteColumn] = Field(default_factory=list)
    leaky: list[str] | None = Field(default=None, description="Replaces the parent's list when given")


class Mapping(_Model):
    """A whole mapping file; `leaky` at the top applies to every feature set."""

    name: str
    description: str = ""
    id_column: str | None = Field(default=None, description="Unique lead id column; ids are 'row-<line>' when absent")
    delimiter: str | None = Field(
        default=None,
        min_length=1,
        max_length=1,
        description="Field separator; detected from the header (',' ';' tab or '|') when absent",
    )
    label: Label
    missing_values: list[str] = Field(default_factory=lambda: [""])
    as_of: AwareDatetime | None = Field(
        default=None,
        description="Timestamp given to events derived from columns (CSV "
        "rows have none) and the reference of `days_since`; needed only for those",
    )
    dates: list[DateColumn] = Field(default_factory=list)
    monotone: dict[str, Literal["increasing", "decreasing", "none"]] = Field(
        default_factory=dict,
        description="Numeric feature -> the known direction of its effect (boosted models); `none`: never constrain it",
    )
    auto_monotone: bool = Field(
        default=True,
        description="Numeric features not under `monotone` get a direction from the data when it is clear "
        "(calibrate derives it on each training fold); false leaves them unconstrained",
    )
    lead: dict[LeadField, str] = Field(default_factory=dict, description="Lead field -> column")
    form: list[FormColumn] = Field(default_factory=list)
    events: list[EventColumn] = Field(default_factory=list)
    leaky: list[str] = Field(default_factory=list)
    sets: dict[str, FeatureSet] = Field(min_length=1)

    @model_validator(mode="after")
    def _declared_once(self) -> Mapping:
        if self.as_of is None and self.events:
            raise ValueError(f"as_of: needed because events are derived from columns ({self.events[0].column!r})")
        if self.as_of is None and any("days_since" in d.derive for d in self.dates):
            raise ValueError("as_of: needed as the reference date of days_since")
        roles: dict[str, str] = {}
        carried = [
            *((c, f"lead.{f}") for f, c in self.lead.items()),
            *((f.column, "form") for f in self.form),
            *((e.column, "events") for e in self.events),
            *((d.column, "dates") for d in self.dates),
        ]
        for column, role in carried:
            if column in roles:
                raise ValueError(
                    f"column {column!r} is mapped twice ({roles[column]} and {role}): map each column once"
                )
            roles[column] = role
        for name, fs in self.sets.items():
            seen: set[str] = set()
            for column in [*fs.features.numeric, *fs.features.categorical, *(n.column for n in fs.notes)]:
                if column in seen:
                    raise ValueError(
                        f"sets.{name}: {column!r} is declared twice (as numeric, categorical or note): "
                        "declare each feature once"
                    )
                seen.add(column)
        return self

    @model_validator(mode="after")
    def _parents_exist(self) -> Mapping:
        for name, fs in self.sets.items():
            seen = {name}
            parent = fs.extends
            while parent is not None:
                if parent not in self.sets:
                    raise ValueError(f"sets.{name}: extends unknown set {parent!r}")
                if parent in seen:
                    raise ValueError(f"sets.{name}: extends forms a cycle")
                seen.add(parent)
                parent = self.sets[parent].extends
        return self

    def input_columns(self) -> set[str]:
        """Every column the mapping reads, in any role."""
        cols = {
            self.label.column,
            *self.lead.values(),
            *(f.column for f in self.form),
            *(e.column for e in self.events),
            *(d.column for d in self.dates),
            *self.leaky,
        }
        if self.id_column is not None:
            cols.add(self.id_column)
        derived = {d.feature(p) for d in self.dates for p in d.derive}
        for fs in self.sets.values():
            cols |= {*fs.features.columns(), *(n.column for n in fs.notes), *(fs.leaky or [])} - derived
        return cols


class ResolvedSet(_Model):
    """A feature set with inheritance applied: what one eval or calibration run may and may not use."""

    name: str
    description: str
    numeric: list[str]
    categorical: list[str]
    notes: list[NoteColumn]
    leaky: list[str]

    def refuse_leaky(self, columns: list[str] | set[str]) -> None:
        """Raise when any requested input column is declared leaky in this set."""
        bad = sorted(set(columns) & set(self.leaky))
        if bad:
            raise MappingError(
                f"feature set {self.name!r} declares {bad} leaky: they cannot be model inputs", column=bad[0]
            )


def resolve(mapping: Mapping, set_name: str) -> ResolvedSet:
    """Apply `extends` and check that no leaky column is used as a feature or note."""
    if set_name not in mapping.sets:
        raise MappingError(f"no feature set {set_name!r}; the mapping declares {sorted(mapping.sets)}")
    chain = []
    name: str | None = set_name
    while name is not None:
        chain.append(mapping.sets[name])
        name = mapping.sets[name].extends
    numeric: list[str] = []
    categorical: list[str] = []
    notes: list[NoteColumn] = []
    leaky: list[str] | None = None
    for fs in reversed(chain):  # parent first, so a child adds to its parent
        declared = {*numeric, *categorical, *(n.column for n in notes)}
        again = sorted(declared & {*fs.features.columns(), *(n.column for n in fs.notes)})
        if again:
            raise MappingError(
                f"feature set {set_name!r}: {again} already declared by a set it extends: declare each feature once",
                column=again[0],
            )
        numeric += fs.features.numeric
        categorical += fs.features.categorical
        notes += fs.notes
        leaky = fs.leaky if fs.leaky is not None else leaky
    all_leaky = sorted(set(mapping.leaky) | set(leaky or []))
    resolved = ResolvedSet(
        name=set_name,
        description=mapping.sets[set_name].description,
        numeric=numeric,
        categorical=categorical,
        notes=notes,
        leaky=all_leaky,
    )
    resolved.refuse_leaky([*numeric, *categorical, *(n.column for n in notes)])
    return resolved


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping YAML; errors name the file and the offending key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read the mapping: {exc}", file=str(path)) from exc
    if not isinstance(raw, dict):
        raise MappingError("the mapping must be a YAML mapping of keys to values", file=str(path))
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()]
        raise MappingError("invalid mapping", file=str(path), problems=problems) from exc


def check_columns(mapping: Mapping, header: list[str], file: str) -> None:
    """Every column the mapping names must exist in the CSV header."""
    missing = sorted(mapping.input_columns() - set(header))
    if missing:
        raise MappingError(f"the mapping names column(s) the CSV lacks: {missing}", file=file, column=missing[0])
