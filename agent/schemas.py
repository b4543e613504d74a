"""Contracts every pipeline stage speaks: a lead in, a scorecard draft out.

All models forbid unknown fields. Fields an LLM fills carry descriptions (they land in the JSON schema).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

MAX_NOTES_CHARS = 50_000
MAX_ANSWER_CHARS = 5_000
MAX_EVENTS = 1_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


ShortText = Annotated[str, Field(max_length=500)]
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _sane(value: datetime) -> datetime:
    """Reject instants that cannot be stored as UTC (year 0001 at +14:00 underflows) or are plainly not real."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("the date is out of range") from exc
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"the date must fall between {EARLIEST.year} and {LATEST.year - 1}")
    return value


SaneDatetime = Annotated[AwareDatetime, AfterValidator(_sane)]
LeadId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
        description="Letters, digits, '.', '_' and '-' (it becomes part of URLs)",
    ),
]
LeadSource = Literal["api", "csv", "webhook", "form", "import", "eval", "hubspot", "salesforce"]


class Person(_Model):
    name: ShortText | None = None
    email: EmailStr | None = None
    title: ShortText | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None


class Company(_Model):
    name: ShortText | None = None
    domain: ShortText | None = Field(
        default=None, description="Bare domain such as acme.com; a website URL is accepted"
    )
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    industry: ShortText | None = None
    country: ShortText | None = Field(default=None, description="Country name or ISO 3166-1 alpha-2 code")


class EngagementEvent(_Model):
    type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="Event type, e.g. pricing_page_view")]
    timestamp: SaneDatetime
    detail: Annotated[str, Field(max_length=2_000)] | None = None


class Lead(_Model):
    """A lead as it arrives; `id` is assigned at intake when absent."""

    id: LeadId | None = None
    external_id: Annotated[str, Field(max_length=200)] | None = None
    source: LeadSource = "api"
    person: Person = Person()
    company: Company = Company()
    form_answers: dict[Annotated[str, Field(max_length=500)], Annotated[str, Field(max_length=MAX_ANSWER_CHARS)]] = (
        Field(default_factory=dict)
    )
    notes: Annotated[str, Field(max_length=MAX_NOTES_CHARS)] | None = None
    events: list[EngagementEvent] = Field(default_factory=list, max_length=MAX_EVENTS)
    received_at: SaneDatetime | None = None

    @field_validator("person", "company", "form_answers", "events", mode="before")
    @classmethod
    def _null_is_empty(cls, value: object, info: object) -> object:
        """CRMs send `null` for an empty object or list; it means the same as leaving it out."""
        if value is None:
            return {"events": [], "form_answers": {}}.get(getattr(info, "field_name", ""), {})
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Lead:
        if not any(
            (
                self.person.email,
                self.person.name,
                self.company.name,
                self.company.domain,
                self.form_answers,
                self.notes,
                self.events,
            )
        ):
            raise ValueError("a lead needs at least an email, a name, a company, form answers, notes or events")
        return self


# --- enrichment -----------------------------------------------------------------------------------------------------

EnrichedScalar = str | int | float | bool | None


class EnrichedValue(_Model):
    value: EnrichedScalar | list[str]
    source: str = Field(description="Provider that supplied the value")
    fetched_at: datetime
    confidence: float = Field(ge=0, le=1)


class ProviderFailure(_Model):
    provider: str
    error: str


class Enrichment(_Model):
    """Company and person facts with provenance, plus the product-fit score."""

    fields: dict[str, EnrichedValue] = Field(default_factory=dict)
    failed_providers: list[ProviderFailure] = Field(default_factory=list)
    fit_score: float = Field(default=0, ge=0, le=100)
    fit_reasons: list[str] = Field(default_factory=list)

    def get(self, key: str) -> EnrichedScalar | list[str]:
        found = self.fields.get(key)
        return None if found is None else found.value


# --- judgment -------------------------------------------------------------------------------------------------------

Answer = Literal["yes", "no", "unknown"]
EvidenceSource = Literal["form", "notes", "enrichment", "event", "transcript"]
AnswerFlag = Literal[
    "evidence_unverified",  # a quote was not a verbatim span of its source
    "model_output_invalid",  # the model's output failed validation twice
    "hidden_content",  # invisible characters were stripped from the source text
    "structured_check",  # answered from data by the question's check, not from text
    "conflicting_evidence",  # units pointed both ways
    "hedged",  # the text was tentative
    "learned",  # decided with help from reviewed answers
    "reviewer_override",  # a person set this answer
    "instruction_text_ignored",  # the lead holds text addressed to an AI or a reviewer; it was set aside, never evidence
    "text_truncated",  # the lead's text was too long to read whole: its most relevant clauses were read
]


class Evidence(_Model):
    source: EvidenceSource = Field(description="Where the quote comes from")
    ref: str = Field(description="Form question, enrichment field, event index, 'notes' or transcript utterance id")
    quote: str = Field(min_length=1, description="Verbatim text copied from that source, not paraphrased")
    timestamp: float | None = Field(default=None, description="Seconds from the start of a call (transcripts only)")
    speaker: str | None = Field(default=None, description="Who said it (transcripts only)")


class QuestionAnswer(_Model):
    question_id: str = Field(description="Id of the qualifying question answered")
    reasoning: str = Field(description="One or two sentences on how the evidence answers the question")
    answer: Answer = Field(description="yes, no, or unknown when the data does not say")
    confidence: float = Field(ge=0, le=1, description="How sure the answer is, 0 to 1")
    evidence: list[Evidence] = Field(default_factory=list, description="Verbatim quotes supporting the answer")
    flags: list[AnswerFlag] = Field(default_factory=list)
    value: str | None = Field(default=None, description="Normalised extracted value, e.g. '40000 USD' or '2027-03-31'")

    @model_validator(mode="after")
    def _evidence_for_decided(self) -> QuestionAnswer:
        if self.answer != "unknown" and not self.evidence:
            raise ValueError(f"answer {self.answer!r} to {self.question_id!r} needs at least one evidence quote")
        return self


class Disqualification(_Model):
    rule_id: str
    reason: str
    field: str
    value: str


# --- scorecard ------------------------------------------------------------------------------------------------------

Tier = Literal["sql_ready", "needs_discovery", "nurture", "disqualified"]
Route = Literal["sdr_fast_track", "sdr_review", "sdr_discovery", "nurture", "disqualified"]
SectionKind = Literal["segment", "persona", "use_case"]


class EntityMatch(_Model):
    kind: SectionKind
    entity_id: str
    name: str
    similarity: float = Field(ge=-1, le=1)
    method: Literal["rule", "embedding"]


class SectionScore(_Model):
    section: SectionKind
    match: EntityMatch | None
    score: float = Field(ge=0, le=100)


class Factor(_Model):
    """One signed contribution to the score, readable by an SDR."""

    kind: Literal["fit", "intent", "answer", "rule", "fast_track", "criterion", "other"]
    label: str
    points: float = Field(description="Signed contribution, on the scale of the scorecard's breakdown")


class ScoreBreakdown(_Model):
    """How the score adds up: base + the sum of every contribution = total.

    On the `points` scale the total is the 0-100 score itself. On the `log_odds` scale (a fitted model) the total is the
    log-odds z, the probability is sigmoid(z) and the score is 100 x probability.
    """

    scale: Literal["points", "log_odds"]
    base: float
    base_label: str = Field(description="What the base is, in words (neutral 50, or the average lead's rate)")
    contributions: list[Factor] = Field(default_factory=list)
    total: float


CriterionKind = Literal["disqualify", "must_have", "fast_track", "nice_to_have"]
CriterionStatus = Literal["met", "missing", "failed"]


class CriterionResult(_Model):
    """One criterion of the segment's SQL definition, evaluated for this lead."""

    id: str
    kind: CriterionKind
    label: str
    status: CriterionStatus = Field(description="met (true), missing (not known yet) or failed (false)")
    words: str = Field(description="The criterion's expression with each part's answer, in words")
    unknown_questions: list[str] = Field(default_factory=list, description="Unknown answers that leave it missing")
    nurture_reason: str | None = None
    nurture_note: str | None = None


class SqlVerdict(_Model):
    """Why the lead is in its tier."""

    source: Literal["sql_definition", "score_thresholds", "hard_rule"]
    segment: str | None = None
    tier_reason: str = Field(description="The rule that decided the tier, in words")
    criteria: list[CriterionResult] = Field(default_factory=list)
    nurture_reasons: list[str] = Field(default_factory=list, description="Reasons of the failed must-haves")


class DiscoveryQuestion(_Model):
    question_id: str
    ask: str


class Usage(_Model):
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            llm_calls=self.llm_calls + other.llm_calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
            latency_ms=self.latency_ms + other.latency_ms,
        )


class Provenance(_Model):
    library: str
    library_snapshot: str
    judge: str
    judge_version: str
    model: str | None = None
    embedding_model: str | None = None
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    llm_method: str | None = None  # structured-output method of an LLM judge: json_schema, tool_required, …
    pipeline_version: str


class ScorecardDraft(_Model):
    """What the pipeline proposes for a lead; a person confirms it before it is an SQL."""

    lead_id: str
    revision: int = Field(ge=1)
    created_at: datetime
    tier: Tier
    route: Route
    score: float = Field(ge=0, le=100)
    probability: float | None = Field(default=None, ge=0, le=1)
    fit_score: float = Field(ge=0, le=100)
    intent_score: float = Field(default=0, ge=0, le=100)
    sections: list[SectionScore] = Field(default_factory=list)
    answers: list[QuestionAnswer] = Field(default_factory=list)
    disqualifications: list[Disqualification] = Field(default_factory=list)
    reasons: list[Factor] = Field(default_factory=list)
    breakdown: ScoreBreakdown | None = None
    sql: SqlVerdict | None = None
    unknowns: list[str] = Field(default_factory=list, description="Question ids left unknown")
    discovery_questions: list[DiscoveryQuestion] = Field(default_factory=list)
    enrichment: Enrichment
    provenance: Provenance
    usage: Usage = Usage()

    @field_validator("answers")
    @classmethod
    def _one_answer_per_question(cls, answers: list[QuestionAnswer]) -> list[QuestionAnswer]:
        ids = [a.question_id for a in answers]
        if len(ids) != len(set(ids)):
            raise ValueError("one answer per question")
        return answers

    def answer(self, question_id: str) -> QuestionAnswer | None:
        return next((a for a in self.answers if a.question_id == question_id), None)
