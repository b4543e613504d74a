"""The review vocabulary: closed reason taxonomy, checklist values and the typed bodies of every decision.

The allowed status transitions themselves live with the lead statuses in api/leads/flows.py (HUMAN_TRANSITIONS).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from agent.schemas import Answer, SaneDatetime
from api.review.amounts import AmountError, parse_amount

MAX_NOTE = 4_000
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE)]


class Reason(StrEnum):
    """Why a draft was rejected or an SQL pushed back (closed; `other` needs a note)."""

    no_budget = "no_budget"
    no_authority = "no_authority"
    no_need = "no_need"
    bad_timing = "bad_timing"  # future pipeline
    wrong_persona = "wrong_persona"
    competitor = "competitor"
    student_or_job_seeker = "student_or_job_seeker"
    too_small = "too_small"
    unsupported_region = "unsupported_region"
    existing_customer = "existing_customer"
    duplicate = "duplicate"
    unreachable = "unreachable"
    other = "other"


REASON_LABELS = {
    Reason.no_budget: "No budget",
    Reason.no_authority: "No authority",
    Reason.no_need: "No need",
    Reason.bad_timing: "Bad timing — future pipeline",
    Reason.wrong_persona: "Wrong persona",
    Reason.competitor: "Competitor",
    Reason.student_or_job_seeker: "Student or job seeker",
    Reason.too_small: "Too small",
    Reason.unsupported_region: "Unsupported region",
    Reason.existing_customer: "Existing customer",
    Reason.duplicate: "Duplicate",
    Reason.unreachable: "Unreachable",
    Reason.other: "Other (explain in the note)",
}

# Reasons that mean "not now" rather than "never": such leads go to nurture when exported as eval cases.
NOT_NOW = frozenset({Reason.no_budget, Reason.no_authority, Reason.bad_timing, Reason.unreachable, Reason.other})

Check = Literal["confirmed", "unknown", "disqualifying"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bound(_Body):
    revision: int = Field(ge=1, description="The scorecard revision the decision is about; a stale one is a 409")
    version: int | None = Field(
        default=None,
        ge=1,
        description="The lead version the decision was made on "
        "(`version` of GET /leads/{id}); when given, a stale one is a 409",
    )


class SqlRecord(_Body):
    """What the CRM needs to accept an SQL."""

    qualified_at: SaneDatetime
    checklist: dict[Annotated[str, Field(max_length=100)], Check] = Field(min_length=1, max_length=200)
    verified_on_call: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list,
        max_length=200,
        description="Question ids the rep verified on the call while keeping the "
        "AI's suggestion; a must-have kept as suggested and not listed here blocks the confirm (422)",
    )
    discovery_notes: Text
    next_step: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    next_step_date: date
    opportunity_value: Decimal = Field(
        ge=0,
        le=1_000_000_000,
        max_digits=14,
        decimal_places=2,
        description=(
            "A number, or text as a rep types it: 35000, 35,000, 35.000, 35k, 1.2m, €35.000 (the symbol sets the currency)"
        ),
    )
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"

    @field_validator("opportunity_value", mode="before")
    @classmethod
    def _amount_as_typed(cls, value: Any) -> Any:
        return parse_amount(value)[0] if isinstance(value, str) else value  # AmountError says what is accepted

    @model_validator(mode="before")
    @classmethod
    def _currency_from_the_amount(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = str(data.get("currency") or "").strip().upper()
        code = None
        if isinstance(data.get("opportunity_value"), str):
            try:
                code = parse_amount(data["opportunity_value"])[1]
            except AmountError:
                pass  # reported against opportunity_value by its own validator
        if code and given and given != code:
            raise ValueError(f"opportunity_value is in {code} but currency says {given}: leave one of them out")
        return {**data, "currency": given or code or "USD"}


class Confirm(Bound):
    record: SqlRecord


class Edit(Bound):
    question_id: Annotated[str, Field(min_length=1, max_length=100)]
    answer: Answer
    note: Text
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1_000)] | None = Field(
        default=None, description="A verbatim quote from the lead backing a yes/no answer"
    )

    @model_validator(mode="after")
    def _quote_for_yes_no(self) -> Edit:
        if self.answer != "unknown" and not self.evidence:
            raise ValueError("a yes or no answer needs an evidence quote from the lead")
        return self


class WithReason(Bound):
    reason: Reason
    note: Note = ""

    @model_validator(mode="after")
    def _note_for_other(self) -> WithReason:
        if self.reason == Reason.other and not self.note:
            raise ValueError("reason 'other' needs a note")
        return self


class Reject(WithReason):
    pass


class PushBack(WithReason):
    pass


class Accept(Bound):
    note: Note = ""


class Reopen(_Body):
    reason: Text
