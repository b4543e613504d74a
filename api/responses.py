"""The documented shapes of successful API responses (the OpenAPI document shows them; errors are problem+json).

Models allow extra members so a response never loses a field it carries; the declared ones are the contract.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.schemas import ScorecardDraft
from library.schemas import QualifyingQuestion, Segment


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Links(_Out):
    lead: str = Field(description="Where to read the lead and its scorecards")


class LeadAccepted(_Out):
    lead_id: str
    links: Links
    updated: bool = Field(default=False, description="A CRM update of an existing lead (same source and external_id)")
    requalify: bool = Field(
        default=False, description="The update changed what the lead is qualified on: a new scorecard revision follows"
    )


class ScorecardSummary(_Out):
    id: str
    revision: int
    tier: str
    route: str
    score: float
    created_at: datetime


class LeadOut(_Out):
    id: str
    external_id: str | None
    source: str
    status: str
    version: int = Field(description="Send it back with a review decision to detect concurrent changes")
    received_at: datetime
    updated_at: datetime
    attempts: int
    error_class: str | None
    last_error: str | None
    lead: dict[str, Any] = Field(description="The lead as stored (the latest CRM data)")
    scorecards: list[ScorecardSummary]


class ScorecardOut(ScorecardDraft):
    model_config = ConfigDict(extra="allow")
    id: str


class LibraryOut(_Out):
    snapshot_id: str = Field(description="Stamped on every scorecard qualified with this library")
    name: str
    seller: dict[str, Any]
    segments: list[Segment]
    personas: list[dict[str, Any]]
    use_cases: list[dict[str, Any]]
    competitors: list[dict[str, Any]]
    questions: list[QualifyingQuestion]


class Health(_Out):
    status: str
    version: str
    library: str
    library_snapshot: str
    judge: str


class QueueItemOut(_Out):
    lead_id: str
    status: str
    tier: str
    score: float
    revision: int
    name: str
    company: str
    email: str | None = None
    owner: str | None = Field(default=None, description="The SDR (or, for SQLs, the AE) who owns the lead")
    segment: str | None = None
    source: str | None = None
    received_at: datetime
    clock_started_at: datetime | None = Field(
        default=None, description="When the owner's speed-to-lead clock started: SDR at assignment, AE at confirmation"
    )
    waiting_minutes: float
    target_minutes: float | None
    breached: bool
    escalations: int = Field(default=0, description="How many overdue notices went to managers")


class QueueOut(_Out):
    items: list[QueueItemOut]
    total: int = Field(default=0, description="Rows matching the filters (before pagination)")
    page: int = 1
    per_page: int = 50


class DecisionResult(_Out):
    lead_id: str
    action: str
    old_status: str
    status: str
    version: int
    decision_id: str | None = None
    ae_id: str | None = None
    edit: dict[str, Any] | None = Field(
        default=None,
        description="Edit: the answer before and after, the AI's answer, "
        "the new revision, its score and the diff against the previous revision",
    )
    checklist_review: dict[str, str] | None = Field(
        default=None,
        description="Confirm: per question `changed`, `verified` (kept and verified on the call) or `accepted`",
    )


class ReviewState(_Out):
    sdr: str | None
    sdr_rule: str | None
    ae: str | None
    ae_rule: str | None
    decisions: list[dict[str, Any]]
    edits: list[dict[str, Any]]


class AuditEntry(_Out):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    reason: str | None
    request_id: str | None


class TranscriptResult(_Out):
    transcript_id: str
    scorecard_id: str | None
    revision: int | None
    diff: dict[str, Any]


class TranscriptSummary(_Out):
    id: str
    lead_id: str
    filename: str | None
    format: str
    call_date: date | None
    scorecard_id: str | None
    created_at: datetime
    diff: dict[str, Any]
    changed: list[str]


class UserOut(_Out):
    email: str
    role: str


class NewUserOut(_Out):
    id: str
    email: str
    role: str
    api_key: str = Field(description="Shown once; store it in your CRM's secret store")


class Revoked(_Out):
    email: str
    keys_revoked: int


class CrmWebhookResult(_Out):
    """What a CRM webhook did: events received and queued for import, or the lead a workflow's contact became."""

    received: int | None = Field(default=None, description="Webhooks API: events in the request")
    queued: int | None = Field(default=None, description="Webhooks API: contact imports queued")
    ignored: int | None = Field(default=None, description="Webhooks API: events of kinds Qualify does not import")
    lead_id: str | None = Field(default=None, description="Workflow contact: the lead it created or updated")
    created: bool | None = None


class CrmJobOut(_Out):
    id: int
    kind: str
    status: str
    attempts: int
    run_after: datetime | None = None
    last_error: str | None = None
    lead_id: str | None = None
    event_type: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CrmJobQueued(_Out):
    id: int
    status: str


class SubscriptionOut(_Out):
    """A webhook subscription (its secret only in the response that creates or rotates it)."""

    id: str
    kind: str
    url: str | None = None
    consumer: str | None = None
    events: list[str]
    description: str | None = None
    active: bool
    healthy: bool
    consecutive_failures: int = 0
    unhealthy_since: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    deliveries: dict[str, int] | None = Field(default=None, description="Deliveries per state")
    secret: str | None = Field(default=None, description="Only when created: shown once, store it now")


class SecretOut(_Out):
    id: str
    secret: str = Field(description="The new signing secret, shown once; the old one stops at once")


class DeliveryOut(_Out):
    id: str | int
    event_id: str
    event_type: str
    lead_id: str | None = None
    sequence: int | None = None
    status: str
    attempts: int
    last_status: int | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime | None = None


class ReplayOut(_Out):
    queued: int = Field(description="Deliveries queued to be sent again")
