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
    # Human statuses: only api/review may set them, through HUMAN_TRANSITIONS in api/review/flows.py.
    sdr_confirmed = "sdr_confirmed"
    recycled = "recycled"
    ae_accepted = "ae_accepted"
    pushed_back = "pushed_back"


# Transitions the qualification machinery may make. Human decisions (confirm, accept …) are not reachable from here.
MACHINE_TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.received: frozenset({LeadStatus.qualifying}),
    LeadStatus.qualifying: frozenset(
        {
            LeadStatus.in_review,
            LeadStatus.disqualified,
            LeadStatus.failed_retryable,
            LeadStatus.failed_permanent,
            LeadStatus.budget_exceeded,
            LeadStatus.received,
        }
    ),
    LeadStatus.failed_retryable: frozenset({LeadStatus.qualifying}),
    LeadStatus.failed_permanent: frozenset({LeadStatus.qualifying}),
    LeadStatus.budget_exceeded: frozenset({LeadStatus.qualifying}),
    LeadStatus.in_review: frozenset(),
    LeadStatus.disqualified: frozenset(),
    LeadStatus.sdr_confirmed: frozenset(),
    LeadStatus.recycled: frozenset(),
    LeadStatus.ae_accepted: frozenset(),
    LeadStatus.pushed_back: frozenset(),
}

# Statuses only a person's decision may set; no machine transition may lead to them (tests/api/review/test_flows.py).
HUMAN_ONLY = frozenset({LeadStatus.sdr_confirmed, LeadStatus.ae_accepted})


class ReviewAction(StrEnum):
    """The decision vocabulary of human review (api/review applies it)."""

    confirm = "confirm"
    edit = "edit"
    reject = "reject"
    accept = "accept"
    push_back = "push_back"
    reopen = "reopen"


# A pushed-back lead is back in review: the SDR confirms, edits or rejects it again.
REVIEWABLE = frozenset({LeadStatus.in_review, LeadStatus.pushed_back})

# Transitions people may make: action → (statuses it may start from, status it leads to; None keeps the status).
HUMAN_TRANSITIONS: dict[ReviewAction, tuple[frozenset[LeadStatus], LeadStatus | None]] = {
    ReviewAction.confirm: (REVIEWABLE, LeadStatus.sdr_confirmed),
    ReviewAction.edit: (REVIEWABLE, None),
    ReviewAction.reject: (REVIEWABLE, LeadStatus.recycled),
    ReviewAction.accept: (frozenset({LeadStatus.sdr_confirmed}), LeadStatus.ae_accepted),
    ReviewAction.push_back: (frozenset({LeadStatus.sdr_confirmed}), LeadStatus.pushed_back),
    ReviewAction.reopen: (frozenset({LeadStatus.disqualified, LeadStatus.recycled}), LeadStatus.in_review),
}


def human_target(current: str, action: ReviewAction) -> LeadStatus | None:
    """The status `action` leads to from `current`; raises ValueError when the action is not allowed there."""
    sources, target = HUMAN_TRANSITIONS[action]
    if LeadStatus(current) not in sources:
        raise ValueError(f"cannot {action.value.replace('_', ' ')} a lead that is {current}")
    return target


# A transcript adds a scorecard revision; these statuses then go (back) to review (a confirmation of the older
# revision no longer stands; an accepted lead stays in pipeline).
REVIEW_AFTER_TRANSCRIPT = frozenset(
    {
        LeadStatus.in_review,
        LeadStatus.disqualified,
        LeadStatus.sdr_confirmed,
        LeadStatus.recycled,
        LeadStatus.pushed_back,
    }
)

RETRYABLE = frozenset({LeadStatus.failed_retryable, LeadStatus.failed_permanent, LeadStatus.budget_exceeded})


def can_machine_move(current: str, new: LeadStatus) -> bool:
    return new in MACHINE_TRANSITIONS.get(LeadStatus(current), frozenset())
