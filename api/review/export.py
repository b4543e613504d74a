"""Reviewed leads as labeled eval data: whole-lead cases in the JSONL format of evals/datasets.py."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.schemas import Answer, Lead
from api.leads.flows import ReviewAction
from api.leads.models import LeadRow
from api.review.flows import NOT_NOW, Reason
from api.review.models import AnswerReviewRow, DecisionRow
from evals.datasets import ExpectedAnswer, LeadCase, Origin

OUTCOME_ACTIONS = (ReviewAction.confirm, ReviewAction.accept, ReviewAction.reject, ReviewAction.push_back)


# Reasons that say nothing about whether the lead was worth a salesperson's time: not labels for calibration.
NOT_A_JUDGMENT = frozenset({"duplicate"})


def reviewed_cases(s: Session, exclude_reasons: frozenset[str] = frozenset()) -> list[LeadCase]:
    """One case per lead whose latest outcome decision is confirm/accept (sql) or reject/push back (nurture/disqualify);
    an AE's push-back after an SDR's confirm makes the lead a non-SQL. Leads last decided for `exclude_reasons` are left out."""
    decisions = s.scalars(
        select(DecisionRow).where(DecisionRow.action.in_(list(OUTCOME_ACTIONS))).order_by(DecisionRow.created_at)
    ).all()
    last: dict[str, DecisionRow] = {d.lead_id: d for d in decisions}
    cases = []
    for lead_id, d in sorted(last.items()):
        lead = s.get(LeadRow, lead_id)
        if lead is None or (d.reason is not None and d.reason in exclude_reasons):
            continue
        if d.action in (ReviewAction.confirm, ReviewAction.accept):
            outcome = "sql"
        else:
            outcome = "nurture" if d.reason is None or Reason(d.reason) in NOT_NOW else "disqualify"
        edits = s.scalars(
            select(AnswerReviewRow)
            .where(AnswerReviewRow.lead_id == lead_id, AnswerReviewRow.revision <= (d.revision or 0))
            .order_by(AnswerReviewRow.created_at)
        ).all()
        answers = {
            e.question_id: ExpectedAnswer(
                answer=cast(Answer, e.human_answer), evidence=[e.evidence] if e.evidence else []
            )
            for e in edits
        }
        decision = "edit" if edits else ("reject" if outcome != "sql" else "confirm")
        # outcome and decision are among the literals LeadCase and Origin take (inferred as str); pydantic checks them.
        cases.append(
            LeadCase(
                id=f"review-{lead_id}",
                lead=Lead.model_validate(lead.payload),
                expected_outcome=outcome,  # type: ignore[arg-type]
                answers=answers,
                note=(f"{d.reason}: {d.note}" if d.reason else d.note) or None,
                origin=Origin(
                    kind="reviewer",
                    reviewer=d.actor,
                    scorecard_id=d.scorecard_id,
                    revision=d.revision,
                    decision=decision,  # type: ignore[arg-type]
                    reviewed_at=d.created_at,
                ),
            )
        )
    return cases
