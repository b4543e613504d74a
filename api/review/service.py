"""Review decisions — confirm, edit, reject, accept, push back, reopen — each one transaction with its audit row.

The API and the UI both call `decide`; its checks run in this order: lead exists → role may take the action →
the lead is assigned to the caller (admins: any) → the status allows it (409 naming the state) → the decision names
the latest scorecard revision (409) → the body makes sense for that scorecard (422). Nothing is written unless all pass.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from agent.evidence import lead_sources
from agent.schemas import Lead, ScorecardDraft
from agent.text import normalise
from api.audit import service as audit
from api.db import transaction
from api.errors import ApiError, Conflict, NotFound, Unprocessable
from api.leads.flows import ReviewAction, human_target
from api.leads.models import LeadRow, ScorecardRow
from api.review.assign import Territories, assign_ae
from api.review.flows import Accept, Confirm, Edit, PushBack, Reject, Reopen
from api.review.models import AnswerReviewRow, AssignmentRow, DecisionRow
from api.runtime import Runtime
from api.users.service import Principal, Role

SDR_ACTIONS = frozenset({ReviewAction.confirm, ReviewAction.edit, ReviewAction.reject, ReviewAction.reopen})
AE_ACTIONS = frozenset({ReviewAction.accept, ReviewAction.push_back})
BODIES: dict[ReviewAction, type] = {ReviewAction.confirm: Confirm, ReviewAction.edit: Edit, ReviewAction.reject: Reject,
                                    ReviewAction.accept: Accept, ReviewAction.push_back: PushBack,
                                    ReviewAction.reopen: Reopen}
Body = Confirm | Edit | Reject | Accept | PushBack | Reopen


@dataclass(frozen=True)
class Actor:
    """Who decides, and the request it came in."""

    who: Principal
    request_id: str | None = None


class Forbidden(ApiError):
    def __init__(self, detail: str):
        super().__init__(403, "Forbidden", detail)


def latest_card(s: Session, lead_id: str) -> ScorecardRow | None:
    return s.scalar(select(ScorecardRow).where(ScorecardRow.lead_id == lead_id)
                    .order_by(ScorecardRow.revision.desc()).limit(1))


def edits_for(s: Session, lead_id: str, revision: int) -> dict[str, AnswerReviewRow]:
    """The latest human override per question for one revision."""
    rows = s.scalars(select(AnswerReviewRow).where(AnswerReviewRow.lead_id == lead_id, AnswerReviewRow.revision == revision)
                     .order_by(AnswerReviewRow.created_at)).all()
    return {r.question_id: r for r in rows}


def _authorise(s: Session, lead: LeadRow, action: ReviewAction, who: Principal) -> AssignmentRow | None:
    allowed = {Role.sdr, Role.admin} if action in SDR_ACTIONS else {Role.ae, Role.admin}
    if who.role not in allowed:
        raise Forbidden(f"role {who.role} may not {action.value.replace('_', ' ')} leads")
    assigned = s.get(AssignmentRow, lead.id)
    owner = None if assigned is None else (assigned.sdr_id if action in SDR_ACTIONS else assigned.ae_id)
    if who.role != Role.admin and owner != who.user_id:
        raise Forbidden("this lead is assigned to someone else")
    if action in AE_ACTIONS:
        confirmer = s.scalar(select(DecisionRow.actor_id).where(DecisionRow.lead_id == lead.id,
                                                                 DecisionRow.action == ReviewAction.confirm)
                             .order_by(DecisionRow.created_at.desc()).limit(1))
        if confirmer == who.user_id:
            raise Forbidden("the person who confirmed a lead cannot also accept or push it back")
    return assigned


def _bound(s: Session, lead: LeadRow, body: Body) -> ScorecardRow | None:
    card = latest_card(s, lead.id)
    if not hasattr(body, "revision"):
        return card
    if card is None or card.revision != body.revision:
        raise Conflict(f"the decision names revision {body.revision} but the latest is "
                       f"{card.revision if card else 'none'}; reload and decide again",
                       state=lead.status, revision=card.revision if card else None)
    return card


def _check_confirm(body: Confirm, draft: ScorecardDraft, now: datetime) -> None:
    asked = {a.question_id for a in draft.answers}
    given = set(body.record.checklist)
    if unknown := sorted(given - asked):
        raise Unprocessable(f"checklist names questions this scorecard does not ask: {', '.join(unknown)}",
                            field="record.checklist")
    if missing := sorted(asked - given):
        raise Unprocessable(f"checklist is missing {len(missing)} question(s): {', '.join(missing[:5])}",
                            field="record.checklist")
    if bad := sorted(q for q, v in body.record.checklist.items() if v == "disqualifying"):
        raise Unprocessable(f"{', '.join(bad)} marked disqualifying: reject the lead instead", field="record.checklist")
    if body.record.qualified_at > now + timedelta(minutes=5):
        raise Unprocessable("the qualification time is in the future", field="record.qualified_at")


def _check_quote(quote: str, lead: Lead) -> None:
    wanted = normalise(quote)
    if not any(wanted in normalise(src.text) for src in lead_sources(lead)):
        raise Unprocessable("the evidence quote is not a verbatim part of the lead", field="evidence")


def decide(rt: Runtime, lead_id: str, action: ReviewAction, body: Body, actor: Actor,
           rules: Territories | None = None) -> dict[str, Any]:
    """Apply one decision (see the module docstring for the checks); returns what changed.

    Concurrent decisions on one lead cannot both land: the lead's UPDATE is checked against the version read
    (LeadRow.version), so exactly one wins and the others get 409 with the state the winner left.
    """
    try:
        return _decide(rt, lead_id, action, body, actor, rules)
    except (StaleDataError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        with rt.sessions() as s:
            lead = s.get(LeadRow, lead_id)
            card = latest_card(s, lead_id)
            state, revision = (lead.status if lead else None), (card.revision if card else None)
        raise Conflict(f"another decision on this lead landed first; it is now {state} at revision {revision}: "
                       "reload and decide again", state=state, revision=revision) from exc


def _decide(rt: Runtime, lead_id: str, action: ReviewAction, body: Body, actor: Actor,
            rules: Territories | None) -> dict[str, Any]:
    now, who = rt.deps.clock(), actor.who
    with transaction(rt.sessions) as s:
        lead = s.get(LeadRow, lead_id)  # no lock: the versioned UPDATE below decides who wins
        if lead is None:
            raise NotFound("lead", lead_id)
        _authorise(s, lead, action, who)
        old = lead.status
        try:
            target = human_target(old, action)
        except ValueError as exc:
            raise Conflict(str(exc), state=old) from exc
        card = _bound(s, lead, body)
        if getattr(body, "version", None) not in (None, lead.version):
            # Only bodies that carry a version get here (the getattr() above).
            raise Conflict(f"the decision was made on version {body.version} of the lead but it is now at "  # type: ignore[union-attr]
                           f"{lead.version}; reload and decide again", state=old, version=lead.version,
                           revision=card.revision if card else None)
        result: dict[str, Any] = {"lead_id": lead_id, "action": action.value, "old_status": old}
        if isinstance(body, Edit):
            assert card is not None
            result["edit"] = _edit(s, lead, card, body, actor, now)
        else:
            if isinstance(body, Confirm):
                assert card is not None
                _check_confirm(body, ScorecardDraft.model_validate(card.payload), now)
            decision = DecisionRow(
                id=uuid.uuid4().hex, lead_id=lead_id, scorecard_id=card.id if card else None,
                revision=card.revision if card else None, action=action, actor_id=who.user_id, actor=who.email,
                reason=str(getattr(body, "reason", "")) or None, note=getattr(body, "note", None) or None,
                record={**body.record.model_dump(mode="json"), "qualifying_rep": who.email} if isinstance(body, Confirm)
                else None, created_at=now)
            s.add(decision)
            result["decision_id"] = decision.id
        if target is not None:
            lead.status = target
        lead.updated_at = now
        flag_modified(lead, "updated_at")  # every decision, edits too, UPDATEs the lead row and so checks its version
        if isinstance(body, Confirm):
            result["ae_id"] = assign_ae(s, lead, card.payload if card else None, rules or Territories(), now)
        result["status"] = lead.status
        s.flush()  # the versioned UPDATE: a concurrent winner makes this raise StaleDataError
        result["version"] = lead.version
        audit.record(s, who, action.value, "lead", lead_id, at=now, lead_id=lead_id, request_id=actor.request_id,
                     old={"status": old, **({"answer": result["edit"]["old"]} if "edit" in result else {})},
                     new={"status": lead.status, "revision": card.revision if card else None,
                          # an "edit" result comes only from an edit body, which names its question
                          **({"answer": result["edit"]["new"], "question_id": body.question_id}  # type: ignore[union-attr]
                             if "edit" in result else {}),
                          **({"record": body.record.model_dump(mode="json")} if isinstance(body, Confirm) else {})},
                     reason=_reason_text(body))
        return result


def _reason_text(body: Body) -> str | None:
    if isinstance(body, (Reject, PushBack)):
        return f"{body.reason.value}: {body.note}" if body.note else body.reason.value
    if isinstance(body, Reopen):
        return body.reason
    if isinstance(body, Edit):
        return body.note
    return getattr(body, "note", None) or None


def _edit(s: Session, lead: LeadRow, card: ScorecardRow, body: Edit, actor: Actor, now: datetime) -> dict[str, str]:
    draft = ScorecardDraft.model_validate(card.payload)
    ai = draft.answer(body.question_id)
    if ai is None:
        raise Unprocessable(f"revision {card.revision} has no question {body.question_id!r}", field="question_id")
    if body.evidence:
        _check_quote(body.evidence, Lead.model_validate(lead.payload))
    before = edits_for(s, lead.id, card.revision).get(body.question_id)
    s.add(AnswerReviewRow(
        id=uuid.uuid4().hex, lead_id=lead.id, scorecard_id=card.id, revision=card.revision, question_id=body.question_id,
        ai_answer=ai.answer, ai_confidence=ai.confidence, ai_evidence=[e.quote for e in ai.evidence],
        human_answer=body.answer, evidence=body.evidence, note=body.note, reviewer_id=actor.who.user_id,
        reviewer=actor.who.email, created_at=now))
    return {"old": before.human_answer if before else ai.answer, "new": body.answer, "ai": ai.answer}


def review_state(s: Session, lead_id: str) -> dict[str, Any]:
    """Assignment, decisions and answer edits of a lead, for the API and the UI."""
    from api.users.models import UserRow

    a = s.get(AssignmentRow, lead_id)
    names = {u.id: u.email for u in s.scalars(select(UserRow).where(
        UserRow.id.in_([x for x in ((a.sdr_id, a.ae_id) if a else ()) if x])))}
    decisions = s.scalars(select(DecisionRow).where(DecisionRow.lead_id == lead_id).order_by(DecisionRow.created_at)).all()
    edits = s.scalars(select(AnswerReviewRow).where(AnswerReviewRow.lead_id == lead_id)
                      .order_by(AnswerReviewRow.created_at)).all()
    return {
        "sdr": names.get(a.sdr_id) if a and a.sdr_id else None, "sdr_rule": a.sdr_rule if a else None,
        "ae": names.get(a.ae_id) if a and a.ae_id else None, "ae_rule": a.ae_rule if a else None,
        "decisions": [{"id": d.id, "action": d.action, "revision": d.revision, "actor": d.actor, "reason": d.reason,
                       "note": d.note, "record": d.record, "at": d.created_at} for d in decisions],
        "edits": [{"question_id": e.question_id, "revision": e.revision, "ai_answer": e.ai_answer,
                   "human_answer": e.human_answer, "evidence": e.evidence, "note": e.note, "reviewer": e.reviewer,
                   "at": e.created_at} for e in edits],
    }
