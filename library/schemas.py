"""Contracts for the qualification library: the YAML files RevOps keeps in git.

A library is a folder `library/data/<name>/` holding one YAML file per entry kind (see `FILES`).
Every model forbids unknown keys so a typo in a file is an error that names the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

Slug = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{1,63}$", description="Stable identifier: lowercase, digits, _ or -")
]
Category = Literal["budget", "authority", "need", "timeline", "fit", "competition", "intent", "disqualifier", "custom"]
FitType = Literal["good", "bad"]
Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Seller(_Strict):
    """Who sells what: the context every judgment is made in."""

    name: str
    product: str
    description: str
    website: str | None = None
    category: str | None = Field(
        default=None,
        description="What a budget, a pain or a tool in use must be about, e.g. 'field service management software'",
    )
    products: list[str] = Field(default_factory=list, description="The seller's own product names")
    regions: list[str] = Field(
        default_factory=list,
        description="Where it sells: ISO alpha-2 codes, country names or "
        "groups (EU, EEA, EFTA, UK&I, DACH, Benelux, Nordics, North America, LATAM, APAC, ANZ)",
    )
    languages: list[str] = Field(default_factory=list, description="Languages offered (ISO 639-1 codes or names)")
    min_employees: int | None = Field(default=None, ge=0, description="Smallest company it sells to")
    max_employees: int | None = Field(default=None, ge=0, description="Largest company it sells to")


class Thresholds(_Strict):
    """Score cut-offs (0-100) for a segment's tiers; below `needs_discovery` a lead goes to nurture."""

    sql_ready: float = Field(ge=0, le=100)
    needs_discovery: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.needs_discovery > self.sql_ready:
            raise ValueError("needs_discovery must not exceed sql_ready")
        return self


# --- SQL definitions: what makes a lead an SQL in one segment ------------------------------------------------------

NurtureReason = Literal["timing", "budget", "authority", "need", "fit", "engagement", "competition", "other"]
AnswerValue = Literal["yes", "no", "unknown"]
FactField = Annotated[
    str,
    Field(
        pattern=r"^(fit_score|intent_score|(company|person|email|events|form)\.[A-Za-z0-9_\-]+)$",
        description="fit_score, intent_score, or a structured-check field such as "
        "company.employees or events.demo_request (a count)",
    ),
]


class _Expr(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class IsAnswer(_Expr):
    """`{question: <id>, is: no}`: the question's answer is the one named (a bare id means `is: yes`)."""

    question: str
    is_: AnswerValue = Field(default="yes", alias="is")

    @field_validator("is_", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        """YAML reads an unquoted yes / no as a boolean; it means the answer here."""
        return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


class Fact(_Expr):
    """`{fact: fit_score, gte: 60}`: one comparison on a fact of the lead (missing data is unknown, no event is 0)."""

    fact: FactField
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    eq: str | float | bool | None = None
    ne: str | float | bool | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    within_days: int | None = Field(default=None, ge=1, description="events.* only: count events in this window")

    @model_validator(mode="after")
    def _one_comparison(self) -> Fact:
        ops = [k for k in ("gte", "gt", "lte", "lt", "eq", "ne", "in_", "not_in") if getattr(self, k) is not None]
        if len(ops) != 1:
            raise ValueError(
                f"fact {self.fact!r} needs exactly one comparison (gte, gt, lte, lt, eq, ne, in, not_in); "
                f"found {len(ops)}"
            )
        if self.within_days is not None and not self.fact.startswith("events."):
            raise ValueError("within_days applies to events.* facts only")
        return self

    @property
    def op(self) -> str:
        return next(
            k.rstrip("_")
            for k in ("gte", "gt", "lte", "lt", "eq", "ne", "in_", "not_in")
            if getattr(self, k) is not None
        )

    @property
    def value(self) -> str | float | bool | list[str]:
        return getattr(self, "in_" if self.op == "in" else self.op)


def _expr_tag(value: object) -> str | None:
    """Which kind of expression a YAML value (or a built model) is: by its type, else by its one key."""
    if isinstance(value, str):
        return "question"
    if isinstance(value, dict):
        keys = {"all": "all", "any": "any", "not": "not", "question": "question_is", "fact": "fact"}
        return next((tag for key, tag in keys.items() if key in value), None)
    return {"IsAnswer": "question_is", "AllOf": "all", "AnyOf": "any", "NotOf": "not", "Fact": "fact"}.get(
        type(value).__name__
    )


Expr = Annotated[
    Annotated[str, Tag("question")]
    | Annotated[IsAnswer, Tag("question_is")]
    | Annotated["AllOf", Tag("all")]
    | Annotated["AnyOf", Tag("any")]
    | Annotated["NotOf", Tag("not")]
    | Annotated[Fact, Tag("fact")],
    Discriminator(
        _expr_tag,
        custom_error_type="invalid_expression",
        custom_error_message="an expression is a question id or a mapping with one of the keys "
        "all, any, not, question, fact",
    ),
]


class AllOf(_Expr):
    all_: list[Expr] = Field(alias="all", min_length=1)


class AnyOf(_Expr):
    any_: list[Expr] = Field(alias="any", min_length=1)


class NotOf(_Expr):
    not_: Expr = Field(alias="not")


class Criterion(_Strict):
    """One named condition of a SQL definition: `when` is a boolean expression over answers and facts."""

    id: Slug
    label: str = Field(description="The criterion in words, shown on the scorecard")
    when: Expr


class MustHave(Criterion):
    """Every must-have met → sql_ready; one failed → nurture, for this reason (future pipeline when it is timing …)."""

    nurture_reason: NurtureReason
    nurture_note: str | None = Field(default=None, description="What nurture should do, e.g. 'revisit next quarter'")


class NiceToHave(Criterion):
    """Ranks leads within a tier: met adds `points` to a default-scored lead's score."""

    points: float = Field(default=5, ge=0, le=50)


class SqlDefinition(_Strict):
    """A segment's SQL definition; the tier follows from it (see docs/sql-definitions.md)."""

    must_have: list[MustHave] = Field(default_factory=list)
    nice_to_have: list[NiceToHave] = Field(default_factory=list)
    fast_track: list[Criterion] = Field(default_factory=list, description="Any one met → sql_ready, fast-tracked")
    disqualify: list[Criterion] = Field(
        default_factory=list,
        description="Instant disqualifiers over answers; an answer counts only when sure and backed by a direct quote",
    )

    @model_validator(mode="after")
    def _something(self) -> SqlDefinition:
        if not (self.must_have or self.fast_track):
            raise ValueError("a SQL definition needs at least one must_have or fast_track criterion")
        return self

    def criteria(self) -> list[tuple[str, Criterion]]:
        """Every criterion with its list name, in the order they are shown."""
        return (
            [("disqualify", c) for c in self.disqualify]
            + [("must_have", c) for c in self.must_have]
            + [("fast_track", c) for c in self.fast_track]
            + [("nice_to_have", c) for c in self.nice_to_have]
        )


class Segment(_Strict):
    """A market segment with its own firmographic range, questions, SQL definition and fallback thresholds."""

    id: Slug
    name: str
    description: str
    min_employees: int | None = Field(default=None, ge=0)
    max_employees: int | None = Field(default=None, ge=0)
    thresholds: Thresholds = Field(description="Score cut-offs; they decide the tier only when `sql` is absent")
    sql: SqlDefinition | None = Field(default=None, description="What makes a lead an SQL here; decides the tier")


for _m in (AllOf, AnyOf, NotOf, Criterion, MustHave, NiceToHave, SqlDefinition):
    _m.model_rebuild()


PersonaRole = Literal["decision_maker", "champion", "approver", "influencer", "user", "bad_fit"]


class Persona(_Strict):
    """A buyer role; `titles` are example job titles used for matching."""

    id: Slug
    name: str
    role: PersonaRole
    fit: FitType
    description: str
    titles: list[str] = Field(min_length=1)


class UseCase(_Strict):
    """A problem the product solves, by its name and description, and optionally the pains a prospect would voice
    (more ways to recognise it; never required: a use case without them is matched by its description)."""

    id: Slug
    name: str
    description: str
    pains: list[str] = Field(default_factory=list)


class Competitor(_Strict):
    id: Slug
    name: str
    domains: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)


class StructuredCheck(_Strict):
    """A question answered from data, not text.

    `field` is a dotted path on the lead view: `company.employees`, `company.country`, `company.industry`,
    `person.title`, `person.seniority`, `person.department`, `email.free_mail`, or `events.<event type>`,
    whose value is the number of such events (in the last `within_days` days when given).
    """

    field: str = Field(pattern=r"^(company|person|email|events|form)\.[A-Za-z0-9_\-]+$")
    operator: Operator
    value: str | int | float | bool | list[str] | None = None
    within_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> StructuredCheck:
        if self.operator != "exists" and self.value is None:
            raise ValueError(f"operator {self.operator!r} needs a value")
        if self.operator in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"operator {self.operator!r} needs a list value")
        if self.within_days is not None and not self.field.startswith("events."):
            raise ValueError("within_days applies to events.* fields only")
        return self


class Threshold(_Strict):
    """A quantity the judge must extract and compare: money (amount), number (count) or date (days from now)."""

    kind: Literal["money", "number", "date"]
    operator: Literal["gte", "lte"]
    value: float


SpecKind = Literal[
    "company_size",
    "named_count",
    "revenue",
    "industry",
    "location",
    "language",
    "technology",
    "competitor",
    "authority",
    "budget",
    "timeline",
    "pain",
    "intent",
    "student",
    "competitor_employee",
    "existing_customer",
    "partner",
    "job_seeker",
    "vendor_pitch",
    "text",
]
SpecOperator = Literal["gte", "gt", "lte", "lt", "between", "in", "not_in", "any"]
SpecScope = Literal["company", "facility", "payroll", "users", "contact"]
SpecTense = Literal["current", "past", "evaluating", "in_play", "any"]


class QuestionSpec(_Strict):
    """What a question asks, read once from its words: the kind, the comparison and its values, tense and topic.

    Made by `library.reading` at load time; a library may set `reading:` on a question to override it.
    """

    kind: SpecKind
    subject: str | None = Field(
        default=None,
        description="What is counted or located: employees, technicians, seats, the facility, the payroll …",
    )
    scope: SpecScope = "company"
    operator: SpecOperator = "any"
    low: float | None = Field(default=None, description="Threshold or range start (money in the seller's terms)")
    high: float | None = Field(default=None, description="Range end")
    period_days: float | None = Field(default=None, description="Money per period: 365.25 a year, 30.44 a month")
    values: list[str] = Field(
        default_factory=list,
        description="Countries, vendors, roles, languages, industries or event types the question names",
    )
    window_days: float | None = Field(default=None, description="Timeline or intent window in days")
    deadline: str | None = Field(
        default=None, description="A named deadline ('end of Q2'), read against each lead's date"
    )
    tense: SpecTense = "current"
    topic: str | None = Field(default=None, description="What a budget, pain or tool must be about")
    confirmed: bool = Field(default=False, description="Budget questions: asks for a confirmed or approved budget")
    source: Literal["reader", "library", "text"] = "reader"
    words: str = Field(default="", description="The reading in words, shown to people")


class QualifyingQuestion(_Strict):
    """A natural-language question the judge answers yes / no / unknown for a lead."""

    id: Slug
    text: str
    category: Category
    weight: float = Field(ge=0, le=10)
    fit_type: FitType
    instant_disqualifier: bool = False
    segments: list[str] = Field(default_factory=list, description="Segment ids it applies to; empty means all")
    check: StructuredCheck | None = None
    threshold: Threshold | None = None
    yes_examples: list[str] = Field(default_factory=list)
    no_examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list, description="Words that make a text unit relevant")
    discovery_question: str | None = Field(
        default=None, description="What an SDR should ask when the answer is unknown"
    )
    reading: QuestionSpec | None = Field(
        default=None, description="How the question is read; set by the loader unless the library gives one"
    )

    @model_validator(mode="before")
    @classmethod
    def _default_fit_type(cls, data: object) -> object:
        """`fit_type` may be left out: a disqualifier (by category or `instant_disqualifier`) is a bad-fit sign, any
        other question a good-fit one — what a yes means for the lead."""
        if isinstance(data, dict) and data.get("fit_type") is None:
            bad = data.get("category") == "disqualifier" or data.get("instant_disqualifier") is True
            data = {**data, "fit_type": "bad" if bad else "good"}
        return data


class CountryRule(_Strict):
    supported: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes; empty means all")


class Disqualifiers(_Strict):
    """Hard rules applied before any judgment."""

    min_employees: int | None = Field(default=None, ge=0)
    countries: CountryRule = CountryRule()
    existing_customer_domains: list[str] = Field(default_factory=list)
    blocked_domains: list[str] = Field(default_factory=list)
    student_title_patterns: list[str] = Field(default_factory=list)
    student_email_suffixes: list[str] = Field(default_factory=list)
    job_seeker_patterns: list[str] = Field(default_factory=list)


class TemplateSection(_Strict):
    name: str
    categories: list[Category] = Field(default_factory=list)
    question_ids: list[str] = Field(default_factory=list)


class ScorecardTemplate(_Strict):
    id: Slug
    name: str
    kind: Literal["bant", "meddicc", "custom"]
    sections: list[TemplateSection] = Field(min_length=1)


class EventRule(_Strict):
    """Points for a behavioural event type, decaying with a half-life."""

    event: str
    points: float
    half_life_days: float = Field(default=30, gt=0)
    cap: float | None = Field(default=None, ge=0, description="Maximum absolute points from this event type")
    group: str | None = Field(default=None, description="Id of an EventGroup: its half-life applies unless set here")


class EventGroup(_Strict):
    """Event types that decay alike and share one cap (e.g. all content downloads)."""

    id: Slug
    half_life_days: float = Field(
        gt=0, description="Used by the group's event rules that set no half-life of their own"
    )
    cap: float | None = Field(default=None, ge=0, description="Maximum absolute points from the whole group")


class PatternRule(_Strict):
    """Bonus (or malus) points when a behaviour repeats: `min_count` events of the types within `within_days`."""

    id: Slug
    label: str
    events: list[str] = Field(min_length=1)
    min_count: int = Field(ge=1)
    within_days: float = Field(gt=0)
    distinct_days: bool = Field(default=False, description="Count calendar days with an event, not events")
    points: float


class FastTrack(_Strict):
    """A recent high-intent action from a strong fit goes straight to the SDR queue, whatever the score."""

    events: list[str] = Field(default_factory=lambda: ["demo_request", "contact_sales"])
    window_days: float = Field(default=14, gt=0)
    min_fit: float = Field(default=60, ge=0, le=100)


ModelSource = Annotated[str, Field(pattern=r"^(form|company|person|events|last_event|answer|score)\.[A-Za-z0-9_\-]+$")]


class ModelFeature(_Strict):
    """One named input of a fitted model and how it is read from a lead and encoded.

    `source`: `form.<answer key>`, `company.<field>`, `person.<field>`, `events.<type>` (a count),
    `last_event.<type>` (the detail of the latest such event),
    `answer.<question id>` (yes / no / unknown) or `score.fit` / `score.intent`. A categorical feature becomes one column
    per level in `levels` plus `<other>`; a numeric one becomes value, log1p, zero, missing and one bin per `edges` gap.
    """

    name: str = Field(min_length=1)
    source: ModelSource
    kind: Literal["numeric", "categorical"]
    levels: list[str] = Field(default_factory=list)
    edges: list[float] = Field(default_factory=list)
    baseline: float = Field(
        default=0.0, description="Mean log-odds contribution on the fitting data (factor points are relative to it)"
    )
    monotone: Literal[-1, 0, 1] = Field(
        default=0,
        description="Boosted models: +1 / -1 when P(SQL) may only rise / fall "
        "with this numeric feature, 0 when the direction is not known",
    )
    monotone_from: Literal["mapping", "data"] | None = Field(
        default=None,
        description="Who chose `monotone`: the mapping's declared direction, or calibrate from the data (the rank "
        "association on the fitting rows; 0 when it is not clear); absent when no direction was declared or derived",
    )


class ModelProvenance(_Strict):
    """Where a fitted model came from: the data, when, how, and how well it did."""

    data_file: str
    data_sha256: str
    rows: int = Field(ge=0)
    positives: int = Field(ge=0)
    mapping: str | None = None
    feature_set: str | None = None
    fitted_at: str
    method: str
    cv_folds: int = Field(ge=0)
    cv_metrics: dict[str, float | None] = Field(default_factory=dict)
    in_sample_metrics: dict[str, float | None] = Field(default_factory=dict)
    candidates: dict[str, dict[str, float | None]] = Field(
        default_factory=dict,
        description="Cross-validated figures of every model compared (the lowest log-loss is kept)",
    )


class Tree(_Strict):
    """One regression tree of a boosted model as parallel node arrays; node 0 is the root.

    At an internal node, a numeric feature goes left when `value <= threshold`, a categorical one when its code is in
    `categories[node]`; a missing value follows `missing_left`. `value` is the node's log-odds output: a leaf's is what
    the tree adds, an internal node's the training-count-weighted mean of its leaves (what tree-path contributions use).
    """

    feature: list[int] = Field(min_length=1, description="Index into the model's features; -1 at a leaf")
    threshold: list[float]
    left: list[int]
    right: list[int]
    missing_left: list[bool]
    categories: dict[int, list[int]] = Field(default_factory=dict)
    value: list[float]

    @model_validator(mode="after")
    def _consistent(self) -> Tree:
        n = len(self.feature)
        if any(len(a) != n for a in (self.threshold, self.left, self.right, self.missing_left, self.value)):
            raise ValueError("tree arrays must all have one entry per node")
        for i, f in enumerate(self.feature):
            if f >= 0 and not (i < self.left[i] < n and i < self.right[i] < n):
                raise ValueError(f"node {i}: children must come after it and exist")
        return self


class Calibration(_Strict):
    """Maps the model's raw log-odds z to P(SQL): sigmoid (logit p = a z + b) or isotonic (p = interp(z, x, y))."""

    method: Literal["sigmoid", "isotonic"]
    a: float = 1.0
    b: float = 0.0
    x: list[float] = Field(default_factory=list)
    y: list[float] = Field(default_factory=list)

    @model_validator(mode="after")
    def _points(self) -> Calibration:
        if self.method == "isotonic" and (len(self.x) < 2 or len(self.x) != len(self.y)):
            raise ValueError("isotonic calibration needs at least two (x, y) points of equal length")
        return self


class FittedModel(_Strict):
    """A fitted model over named features: logistic (sigmoid(intercept + sum of coefficients x encoded columns)),
    boosted trees (intercept + sum of tree outputs) or a blend of the two (intercept + both sums: the coefficients and
    tree values are stored already weighted by `blend_weight` and 1 - `blend_weight`), then `calibration` when present.

    Stored by `qualify calibrate` in the library's model.json (a versioned, checksummed JSON: see library/model_file.py).
    """

    kind: Literal["logistic", "boosted", "blend"] = "logistic"
    intercept: float = Field(description="Raw log-odds of a lead before any feature (the base)")
    features: list[ModelFeature] = Field(min_length=1)
    coefficients: dict[str, float] = Field(
        default_factory=dict, description="Logistic: encoded column name (e.g. 'Lead Origin=API') -> log-odds weight"
    )
    trees: list[Tree] = Field(
        default_factory=list, description="Boosted: the trees, whose outputs add on the log-odds scale"
    )
    blend_weight: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Blend: the logistic part's weight (the trees get 1 - it), chosen by cross-validated log-loss; "
        "already applied to the stored coefficients and tree values",
    )
    calibration: Calibration | None = None
    base_rate: float | None = Field(default=None, ge=0, le=1, description="Share of positives in the fitting data")
    thresholds: Thresholds = Field(description="Fitted 0-100 cut-offs (score = 100 x probability) for every segment")
    segment_thresholds: dict[str, Thresholds] = Field(default_factory=dict, description="Per-segment overrides")
    provenance: ModelProvenance | None = None

    @model_validator(mode="after")
    def _kind_has_parts(self) -> FittedModel:
        if self.kind == "blend" and (self.blend_weight is None or not self.coefficients):
            raise ValueError("a blend needs its blend_weight and coefficients (and trees)")
        if self.kind != "blend" and self.blend_weight is not None:
            raise ValueError(f"blend_weight is only for a blend, not a {self.kind} model")
        if self.kind in ("boosted", "blend"):
            if not self.trees:
                raise ValueError(f"a {self.kind} model needs trees")
            n = len(self.features)
            for t, tree in enumerate(self.trees):
                if any(f >= n for f in tree.feature):
                    raise ValueError(f"tree {t} names feature index >= {n}")
        return self


class ScoringConfig(_Strict):
    """How fit, intent and answers combine into the 0-100 score; a fitted `model`, when present, gives the probability."""

    fit_weight: float = Field(default=0.35, ge=0, le=1)
    answers_weight: float = Field(default=0.45, ge=0, le=1)
    intent_weight: float = Field(default=0.20, ge=0, le=1)
    intent_cap: float = Field(default=100, gt=0)
    events: list[EventRule] = Field(default_factory=list)
    groups: list[EventGroup] = Field(default_factory=list)
    patterns: list[PatternRule] = Field(default_factory=list)
    fast_track: FastTrack = FastTrack()
    model: FittedModel | None = None

    @model_validator(mode="after")
    def _sums_to_one(self) -> ScoringConfig:
        total = self.fit_weight + self.answers_weight + self.intent_weight
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"fit_weight + answers_weight + intent_weight must be 1 (is {total:g})")
        groups = {g.id for g in self.groups}
        for rule in self.events:
            if rule.group is not None and rule.group not in groups:
                raise ValueError(f"events: {rule.event!r} names unknown group {rule.group!r}")
        return self


# --- forms ------------------------------------------------------------------------------------------------------------

ContactField = Literal[
    "person.email",
    "person.name",
    "person.title",
    "person.phone",
    "company.name",
    "company.domain",
    "company.employees",
    "company.industry",
    "company.country",
]


class FormContact(_Strict):
    """A contact detail the form asks for; it fills the lead's person or company field."""

    field: ContactField
    label: str = Field(min_length=1, max_length=200)
    required: bool = False
    autocomplete: str | None = Field(default=None, max_length=50, description="HTML autocomplete token, e.g. email")


class ShowIf(_Strict):
    """A follow-up is asked only when an earlier field of the form got one of these answers."""

    field: Slug
    values: list[str] = Field(min_length=1)


class FormField(_Strict):
    """One qualifying question on the form. Its answer is stored under `label` in the lead's form answers."""

    id: Slug
    label: str = Field(min_length=1, max_length=300)
    type: Literal["text", "textarea", "select", "radio"] = "text"
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list)
    hint: str | None = Field(default=None, max_length=300)
    informs: list[str] = Field(
        default_factory=list,
        description="Qualifying question ids this answer helps decide; "
        "progressive profiling asks first the fields whose questions are unknown and weigh most",
    )
    show_if: ShowIf | None = Field(default=None, description="Makes this a conditional follow-up")

    @model_validator(mode="after")
    def _options(self) -> FormField:
        if self.type in ("select", "radio") and len(self.options) < 2:
            raise ValueError(f"field {self.id!r}: a {self.type} needs at least two options")
        if self.type not in ("select", "radio") and self.options:
            raise ValueError(f"field {self.id!r}: only select and radio fields take options")
        return self


class Link(_Strict):
    label: str = Field(min_length=1, max_length=200)
    url: str = Field(pattern=r"^(https?://|/)[^\s<>\"']+$", max_length=2000)


class FormRoute(_Strict):
    """What a visitor sees after submitting, by the tier the lead was given."""

    message: str = Field(min_length=1, max_length=1000)
    links: list[Link] = Field(default_factory=list)


class QualifyingForm(_Strict):
    """A lead-capture form served at /forms/<id>: contact details, then a few qualifying questions per visit."""

    id: Slug
    title: str = Field(min_length=1, max_length=200)
    intro: str | None = Field(default=None, max_length=1000)
    submit_label: str = Field(default="Send", max_length=60)
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    contact: list[FormContact] = Field(min_length=1)
    fields: list[FormField] = Field(min_length=1)
    questions_per_visit: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Qualifying fields asked per visit (follow-ups come with their field and do not count)",
    )
    notes_label: str | None = Field(default="Anything else we should know?", max_length=200)
    event: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]{1,63}$",
        description="The engagement event recorded with each submission, e.g. demo_request",
    )
    embed_origins: list[Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]+)?$")]] = Field(
        default_factory=list, description="Sites that may show the form in a frame (CSP frame-ancestors)"
    )
    routes: dict[Literal["sql_ready", "needs_discovery", "nurture", "disqualified"], FormRoute]

    @model_validator(mode="after")
    def _consistent(self) -> QualifyingForm:
        seen: dict[str, FormField] = {}
        for f in self.fields:
            if f.id in seen:
                raise ValueError(f"form {self.id!r}: duplicate field id {f.id!r}")
            if f.show_if is not None:
                parent = seen.get(f.show_if.field)
                if parent is None:
                    raise ValueError(
                        f"form {self.id!r}: field {f.id!r} follows up on {f.show_if.field!r}, "
                        "which must be an earlier field of the form"
                    )
                if parent.options and (bad := set(f.show_if.values) - set(parent.options)):
                    raise ValueError(
                        f"form {self.id!r}: field {f.id!r} shows for {sorted(bad)}, not options of {parent.id!r}"
                    )
            seen[f.id] = f
        if "person.email" not in {c.field for c in self.contact}:
            raise ValueError(f"form {self.id!r}: the contact fields must include person.email")
        for tier in ("sql_ready", "needs_discovery", "nurture", "disqualified"):
            if tier not in self.routes:
                raise ValueError(f"form {self.id!r}: routes needs an entry for {tier}")
        return self

    def field(self, field_id: str) -> FormField:
        return next(f for f in self.fields if f.id == field_id)


class Library(_Strict):
    """One complete library, as loaded from its folder."""

    name: Slug
    seller: Seller
    segments: list[Segment] = Field(min_length=1)
    personas: list[Persona] = Field(min_length=1)
    use_cases: list[UseCase] = Field(min_length=1)
    competitors: list[Competitor] = Field(default_factory=list)
    questions: list[QualifyingQuestion] = Field(description="May be empty (a pure scoring library)")
    disqualifiers: Disqualifiers = Disqualifiers()
    templates: list[ScorecardTemplate] = Field(default_factory=list)
    scoring: ScoringConfig = ScoringConfig()
    forms: list[QualifyingForm] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Library:
        segment_ids = {s.id for s in self.segments}
        question_ids = {q.id for q in self.questions}
        for kind, items in (
            ("segments", self.segments),
            ("personas", self.personas),
            ("use_cases", self.use_cases),
            ("competitors", self.competitors),
            ("questions", self.questions),
            ("templates", self.templates),
            ("forms", self.forms),
        ):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"{kind}: duplicate id {item.id!r}")
                seen.add(item.id)
        for q in self.questions:
            unknown = set(q.segments) - segment_ids
            if unknown:
                raise ValueError(f"questions: {q.id!r} names unknown segment(s) {sorted(unknown)}")
        for t in self.templates:
            for section in t.sections:
                missing = set(section.question_ids) - question_ids
                if missing:
                    raise ValueError(
                        f"templates: {t.id!r} section {section.name!r} names unknown question(s) {sorted(missing)}"
                    )
        for form in self.forms:
            for f in form.fields:
                if missing := set(f.informs) - question_ids:
                    raise ValueError(f"forms: {form.id!r} field {f.id!r} informs unknown question(s) {sorted(missing)}")
        return self

    def form(self, form_id: str) -> QualifyingForm | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def snapshot_id(self) -> str:
        """Content hash of the whole library: equal content, equal id."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def question(self, question_id: str) -> QualifyingQuestion:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def questions_for(self, segment_id: str | None) -> list[QualifyingQuestion]:
        """The questions that apply to a lead in this segment (all-segment questions included)."""
        return [q for q in self.questions if not q.segments or (segment_id is not None and segment_id in q.segments)]


# Which file holds which part of the library; a file maps its top-level key to the Library field.
FILES: dict[str, str] = {
    "seller.yaml": "seller",
    "segments.yaml": "segments",
    "personas.yaml": "personas",
    "use_cases.yaml": "use_cases",
    "competitors.yaml": "competitors",
    "questions.yaml": "questions",
    "disqualifiers.yaml": "disqualifiers",
    "templates.yaml": "templates",
    "scoring.yaml": "scoring",
    "forms.yaml": "forms",
}
