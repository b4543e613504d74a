"""Lead statuses and the transitions allowed between them: the one place that says what may follow what."""

from __future__ import annotations

from enum import StrEnum


class LeadStatus(StrEnum):
    received = "received"
    qualifying = "qualifying"
    in_review = "in_review"
    disqualified = "disqualified"
    failed_retryable = "failed_retryable"
    failed_permanent = "failed_permanent"
    budget_exceeded = "budget_exceeded"


# Transitions the qualification machinery may make. Human decisions (confirm, accept …) are not reachable from here.
MACHINE_TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.received: frozenset({LeadStatus.qualifying}),
    LeadStatus.qualifying: frozenset({LeadStatus.in_review, LeadStatus.disqualified, LeadStatus.failed_retryable,
                                      LeadStatus.failed_permanent, LeadStatus.budget_exceeded, LeadStatus.received}),
    LeadStatus.failed_retryable: frozenset({LeadStatus.qualifying}),
    LeadStatus.failed_permanent: frozenset({LeadStatus.qualifying}),
    LeadStatus.budget_exceeded: frozenset({LeadStatus.qualifying}),
    LeadStatus.in_review: frozenset(),
    LeadStatus.disqualified: frozenset(),
}

# A transcript adds a scorecard revision; these statuses then go (back) to review. Extend with the human statuses.
REVIEW_AFTER_TRANSCRIPT = frozenset({LeadStatus.in_review, LeadStatus.disqualified})

RETRYABLE = frozenset({LeadStatus.failed_retryable, LeadStatus.failed_permanent, LeadStatus.budget_exceeded})


def can_machine_move(current: str, new: LeadStatus) -> bool:
    return new in MACHINE_TRANSITIONS.get(LeadStatus(current), frozenset())
