"""Contracts for the qualification library: the YAML files RevOps keeps in git.

A library is a folder `library/data/<name>/` holding one YAML file per entry kind (see `FILES`).
Every model forbids unknown keys so a typo in a file is an error that names the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{1,63}$", description="Stable identifier: lowercase, digits, _ or -")]
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
    category: str | None = Field(default=None, description="What a budget, a pain or a tool in use must be about, "
                                 "e.g. 'field service management software'")
    products: list[str] = Field(default_factory=list, description="The seller's own product names")
    regions: list[str] = Field(default_factory=list, description="Where it sells: ISO alpha-2 codes, country names or "
                               "groups (EU, EEA, EFTA, UK&I, DACH, Benelux, Nordics, North America, LATAM, APAC, ANZ)")
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


class Segment(_Strict):
    """A market segment with its own firmographic range, questions and thresholds."""

    id: Slug
    name: str
    description: str
    min_employees: int | None = Field(default=None, ge=0)
    max_employees: int | None = Field(default=None, ge=0)
    thresholds: Thresholds


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
    """A problem the product solves, described by the pains a prospect would voice."""

    id: Slug
    name: str
    description: str
    pains: list[str] = Field(min_length=1)


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
    "company_size", "named_count", "revenue", "industry", "location", "language", "technology", "competitor",
    "authority", "budget", "timeline", "pain", "intent", "student", "competitor_employee", "existing_customer",
    "partner", "job_seeker", "vendor_pitch", "text",
]
SpecOperator = Literal["gte", "gt", "lte", "lt", "between", "in", "not_in", "any"]
SpecScope = Literal["company", "facility", "payroll", "users", "contact"]
SpecTense = Literal["current", "past", "evaluating", "in_play", "any"]


class QuestionSpec(_Strict):
    """What a question asks, read once from its words: the kind, the comparison and its values, tense and topic.

    Made by `library.reading` at load time; a library may set `reading:` on a question to override it.
    """

    kind: SpecKind
    subject: str | None = Field(default=None, description="What is counted or located: employees, technicians, seats, "
                                "the facility, the payroll …")
    scope: SpecScope = "company"
    operator: SpecOperator = "any"
    low: float | None = Field(default=None, description="Threshold or range start (money in the seller's terms)")
    high: float | None = Field(default=None, description="Range end")
    period_days: float | None = Field(default=None, description="Money per period: 365.25 a year, 30.44 a month")
    values: list[str] = Field(default_factory=list, description="Countries, vendors, roles, languages, industries or "
                              "event types the question names")
    window_days: float | None = Field(default=None, description="Timeline or intent window in days")
    deadline: str | None = Field(default=None, description="A named deadline ('end of Q2'), read against each lead's date")
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
    discovery_question: str | None = Field(default=None, description="What an SDR should ask when the answer is unknown")
    reading: QuestionSpec | None = Field(default=None, description="How the question is read; set by the loader unless "
                                         "the library gives one")


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
    half_life_days: float = Field(gt=0, description="Used by the group's event rules that set no half-life of their own")
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
    baseline: float = Field(default=0.0, description="Mean log-odds contribution on the fitting data (factor points are relative to it)")


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


class FittedModel(_Strict):
    """A logistic model over named features: P(SQL) = sigmoid(intercept + sum of coefficients x encoded columns)."""

    intercept: float
    features: list[ModelFeature] = Field(min_length=1)
    coefficients: dict[str, float] = Field(description="Encoded column name (e.g. 'Lead Origin=API') -> log-odds weight")
    thresholds: Thresholds = Field(description="Fitted 0-100 cut-offs (score = 100 x probability) for every segment")
    segment_thresholds: dict[str, Thresholds] = Field(default_factory=dict, description="Per-segment overrides")
    provenance: ModelProvenance | None = None


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


class Library(_Strict):
    """One complete library, as loaded from its folder."""

    name: Slug
    seller: Seller
    segments: list[Segment] = Field(min_length=1)
    personas: list[Persona] = Field(min_length=1)
    use_cases: list[UseCase] = Field(min_length=1)
    competitors: list[Competitor] = Field(default_factory=list)
    questions: list[QualifyingQuestion] = Field(min_length=1)
    disqualifiers: Disqualifiers = Disqualifiers()
    templates: list[ScorecardTemplate] = Field(default_factory=list)
    scoring: ScoringConfig = ScoringConfig()

    @model_validator(mode="after")
    def _references(self) -> Library:
        segment_ids = {s.id for s in self.segments}
        question_ids = {q.id for q in self.questions}
        for kind, items in (("segments", self.segments), ("personas", self.personas), ("use_cases", self.use_cases),
                            ("competitors", self.competitors), ("questions", self.questions), ("templates", self.templates)):
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
                    raise ValueError(f"templates: {t.id!r} section {section.name!r} names unknown question(s) {sorted(missing)}")
        return self

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
}
