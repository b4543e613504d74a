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
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from agent.evidence import lead_sources
from agent.revisions import diff_revisions, reviewer_answer, with_answer
from agent.scorecard import rescore
from agent.schemas import Lead, ScorecardDraft
from agent.text import normalise
from api.audit import service as audit
from api.crm.sync import enqueue_crm_sync
from api.db import transaction
from api.errors import ApiError, Conflict, NotFound, Unprocessable
from api.events import outbox
from api.leads.flows import ReviewAction, human_target
from api.leads.models import LeadRow, ScorecardRow
from api.review import checklist
from api.review.assign import Territories, assign_ae
from api.review.flows import Accept, Confirm, Edit, PushBack, Reject, Reopen
from api.review.models import AnswerReviewRow, AssignmentRow, DecisionRow
from api.runtime import Runtime
from api.users.service import Principal, Role
from library.schemas import Library

SDR_ACTIONS = frozenset({ReviewAction.confirm, ReviewAction.edit, ReviewAction.reject, ReviewAction.reopen})
AE_ACTIONS = frozenset({ReviewAction.accept, ReviewAction.push_back})
BODIES: dict[ReviewAction, type] = {
    ReviewAction.confirm: Confirm,
    ReviewAction.edit: Edit,
    ReviewAction.reject: Reject,
    ReviewAction.accept: Accept,
    ReviewAction.push_back: PushBack,
    ReviewAction.reopen: Reopen,
}
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
    return s.scalar(
        select(ScorecardRow).where(ScorecardRow.lead_id == lead_id).order_by(ScorecardRow.revision.desc()).limit(1)
    )


def card_at(s: Session, lead_id: str, revision: int) -> ScorecardRow | None:
    """One revision of a lead's scorecard."""
    return s.scalar(select(ScorecardRow).where(ScorecardRow.lead_id == lead_id, ScorecardRow.revision == revision))


def edits_for(s: Session, lead_id: str, revision: int) -> dict[str, AnswerReviewRow]:
    """The latest human override per question in force at a revision (each edit is stored with the revision it made)."""
    rows = s.scalars(
        select(AnswerReviewRow)
        .where(AnswerReviewRow.lead_id == lead_id, AnswerReviewRow.revision <= revision)
        .order_by(AnswerReviewRow.created_at)
    ).all()
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
        confirmer = s.scalar(
            select(DecisionRow.actor_id)
            .where(DecisionRow.lead_id == lead.id, DecisionRow.action == ReviewAction.confirm)
            .order_by(DecisionRow.created_at.desc())
            .limit(1)
        )
        if confirmer == who.user_id:
            raise Forbidden("the person who confirmed a lead cannot also accept or push it back")
    return assigned


def _bound(s: Session, lead: LeadRow, body: Body) -> ScorecardRow | None:
    card = latest_card(s, lead.id)
    if not hasattr(body, "revision"):
        return card
    if card is None or card.revision != body.revision:
        raise Conflict(
            f"the decision names revision {body.revision} but the latest is "
            f"{card.revision if card else 'none'}; reload and decide again",
            state=lead.status,
            revision=card.revision if card else None,
        )
    return card


def _check_confirm(
    body: Confirm, draft: ScorecardDraft, now: datetime, library: Library, edited: dict[str, str]
) -> dict[str, checklist.Outcome]:
    asked = {a.question_id for a in draft.answers}
    given = set(body.record.checklist)
    if stray := sorted(set(body.record.verified_on_call) - asked):
        raise Unprocessable(
            f"verified_on_call names questions this scorecard does not ask: {', '.join(stray)}",
            field="record.verified_on_call",
        )
    if unknown := sorted(given - asked):
        raise Unprocessable(
            f"checklist names questions this scorecard does not ask: {', '.join(unknown)}", field="record.checklist"
        )
    if missing := sorted(asked - given):
        raise Unprocessable(
            f"checklist is missing {len(missing)} question(s): {', '.join(missing[:5])}", field="record.checklist"
        )
    if bad := sorted(q for q, v in body.record.checklist.items() if v == "disqualifying"):
        raise Unprocessable(f"{', '.join(bad)} marked disqualifying: reject the lead instead", field="record.checklist")
    if body.record.qualified_at > now + timedelta(minutes=5):
        raise Unprocessable("the qualification time is in the future", field="record.qualified_at")
    return checklist.review(draft, library, edited, body.record.checklist, set(body.record.verified_on_call))


def _check_quote(quote: str, lead: Lead) -> None:
    wanted = normalise(quote)
    if not any(wanted in normalise(src.text) for src in lead_sources(lead)):
        raise Unprocessable("the evidence quote is not a verbatim part of the lead", field="evidence")


def decide(
    rt: Runtime, lead_id: str, action: ReviewAction, body: Body, actor: Actor, rules: Territories | None = None
) -> dict[str, Any]:
    """Apply one decision (see the module docstring for the checks); returns what changed.

    Concurrent decisions on one lead cannot both land: the lead's UPDATE is checked against the version read
    (LeadRow.version), so exactly one wins and the others get 409 with the state the winner left.
    """
    try:
        result = _decide(rt, lead_id, action, body, actor, rules)
    except (StaleDataError, OperationalError, IntegrityError) as exc:
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        if isinstance(exc, IntegrityError) and not _revision_taken(exc):
            raise
        with rt.sessions() as s:
            lead = s.get(LeadRow, lead_id)
            card = latest_card(s, lead_id)
            state, revision = (lead.status if lead else None), (card.revision if card else None)
        raise Conflict(
            f"another decision on this lead landed first; it is now {state} at revision {revision}: "
            "reload and decide again",
            state=state,
            revision=revision,
        ) from exc
    if isinstance(body, Edit):  # committed: the running judges learn the corrected answer for the next leads
        _teach_edit(rt, lead_id, body.question_id)
    return result


def _teach_edit(rt: Runtime, lead_id: str, question_id: str) -> None:
    from api.review.learning import relearn

    with rt.sessions() as s:
        row = s.scalars(
            select(AnswerReviewRow)
            .where(AnswerReviewRow.lead_id == lead_id, AnswerReviewRow.question_id == question_id)
            .order_by(AnswerReviewRow.created_at.desc(), AnswerReviewRow.revision.desc())
            .limit(1)
        ).first()
    if row is not None:
        relearn([rt.deps.judge], row)


def _decide(
    rt: Runtime, lead_id: str, action: ReviewAction, body: Body, actor: Actor, rules: Territories | None
) -> dict[str, Any]:
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
            raise Conflict(
                f"the decision was made on version {body.version} of the lead but it is now at "  # type: ignore[union-attr]
                f"{lead.version}; reload and decide again",
                state=old,
                version=lead.version,
                revision=card.revision if card else None,
            )
        result: dict[str, Any] = {"lead_id": lead_id, "action": action.value, "old_status": old}
        if isinstance(body, Edit):
            assert card is not None
            result["edit"] = _edit(s, lead, card, body, actor, now, rt.deps.library)
        else:
            if isinstance(body, Confirm):
                assert card is not None
                edited = {q: e.human_answer for q, e in edits_for(s, lead_id, card.revision).items()}
                result["checklist_review"] = _check_confirm(
                    body, ScorecardDraft.model_validate(card.payload), now, rt.deps.library, edited
                )
            decision = DecisionRow(
                id=uuid.uuid4().hex,
                lead_id=lead_id,
                scorecard_id=card.id if card else None,
                revision=card.revision if card else None,
                action=action,
                actor_id=who.user_id,
                actor=who.email,
                reason=str(getattr(body, "reason", "")) or None,
                note=getattr(body, "note", None) or None,
                record={
                    **body.record.model_dump(mode="json"),
                    "qualifying_rep": who.email,
                    "checklist_review": result["checklist_review"],
                }
                if isinstance(body, Confirm)
                else None,
                created_at=now,
            )
            s.add(decision)
            result["decision_id"] = decision.id
        if target is not None:
            lead.status = target
        lead.updated_at = now
        flag_modified(lead, "updated_at")  # every decision, edits too, UPDATEs the lead row and so checks its version
        if isinstance(body, Confirm):
            result["ae_id"] = assign_ae(s, lead, card.payload if card else None, rules or Territories(), now)
        result["status"] = lead.status
        if target is not None and target != old:  # the CRM write-back commits with the decision, or not at all
            result["crm_jobs"] = enqueue_crm_sync(s, lead, f"lead.{target.value}")
        s.flush()  # the versioned UPDATE: a concurrent winner makes this raise StaleDataError
        result["version"] = lead.version
        audit.record(
            s,
            who,
            action.value,
            "lead",
            lead_id,
            at=now,
            lead_id=lead_id,
            request_id=actor.request_id,
            old={"status": old, **({"answer": result["edit"]["old"]} if "edit" in result else {})},
            new={
                "status": lead.status,
                "revision": result["edit"]["revision"] if "edit" in result else card.revision if card else None,
                **(
                    {
                        "answer": result["edit"]["new"],
                        "question_id": body.question_id,  # type: ignore[union-attr]
                        "question": _question_text(rt.deps.library, body.question_id),  # type: ignore[union-attr]
                    }
                    if "edit" in result
                    else {}
                ),
                **(
                    {"record": body.record.model_dump(mode="json"), "checklist_review": result["checklist_review"]}
                    if isinstance(body, Confirm)
                    else {}
                ),
            },
            reason=_reason_text(body),
        )
        if (kind := EVENTS.get(action)) is not None:
            outbox.emit(s, kind, lead_id, _event_data(lead, card, action, body, result, who), now)
        if "edit" in result and (revised := s.get(ScorecardRow, result["edit"]["scorecard_id"])) is not None:
            outbox.emit(
                s,
                "scorecard.drafted",
                lead_id,  # an edit stores the next revision, re-scored
                outbox.scorecard_data(revised.id, revised.payload, lead.status, "reviewer_edit"),
                now,
            )
        return result


def _revision_taken(exc: IntegrityError) -> bool:
    """Two edits made the same next revision at once (SQLite and PostgreSQL word it differently)."""
    text = str(exc.orig).lower()
    return "uq_scorecards_lead_revision" in text or "scorecards.lead_id, scorecards.revision" in text


def _question_text(library: Library, question_id: str) -> str:
    """Audit rows name a question by its text too (the id alone means nothing to a person reading the history)."""
    return next((q.text for q in library.questions if q.id == question_id), question_id)


# Decisions that other systems hear about (api/events): the event type each one emits.
EVENTS: dict[ReviewAction, str] = {
    ReviewAction.confirm: "lead.sdr_confirmed",
    ReviewAction.accept: "lead.ae_accepted",
    ReviewAction.reject: "lead.recycled",
    ReviewAction.push_back: "lead.pushed_back",
}


def _event_data(
    lead: LeadRow, card: ScorecardRow | None, action: ReviewAction, body: Body, result: dict[str, Any], who: Principal
) -> dict[str, Any]:
    """What a CRM needs from a decision: the SQL record on confirm, the reason on reject / push back."""
    data: dict[str, Any] = {
        "status": lead.status,
        "previous_status": result["old_status"],
        "decision_id": result.get("decision_id"),
        "actor": who.email,
        "scorecard_id": card.id if card else None,
        "revision": card.revision if card else None,
        "tier": card.tier if card else None,
        "score": card.score if card else None,
        "external_id": lead.external_id,
        "source": lead.source,
    }
    if isinstance(body, Confirm):
        data["record"] = {**body.record.model_dump(mode="json"), "qualifying_rep": who.email}
        data["ae_id"] = result.get("ae_id")
    if isinstance(body, (Reject, PushBack)):
        data["reason"], data["note"] = body.reason.value, body.note or None
    if isinstance(body, Accept):
        data["note"] = getattr(body, "note", None) or None
    return data


def _reason_text(body: Body) -> str | None:
    if isinstance(body, (Reject, PushBack)):
        return f"{body.reason.value}: {body.note}" if body.note else body.reason.value
    if isinstance(body, Reopen):
        return body.reason
    if isinstance(body, Edit):
        return body.note
    return getattr(body, "note", None) or None


def _edit(
    s: Session, lead: LeadRow, card: ScorecardRow, body: Edit, actor: Actor, now: datetime, library: Library
) -> dict[str, Any]:
    """Record the override and store the next revision holding it, re-scored and re-tiered, with its diff."""
    draft = ScorecardDraft.model_validate(card.payload)
    current = draft.answer(body.question_id)
    if current is None:
        raise Unprocessable(f"revision {card.revision} has no question {body.question_id!r}", field="question_id")
    facts = Lead.model_validate(lead.payload)
    if body.evidence:
        _check_quote(body.evidence, facts)
    # The AI's own answer, even when an earlier edit already replaced it on this revision.
    earlier = (
        edits_for(s, lead.id, card.revision).get(body.question_id) if "reviewer_override" in current.flags else None
    )
    ai_answer = earlier.ai_answer if earlier else current.answer
    answer = reviewer_answer(facts, body.question_id, body.answer, body.note, body.evidence, actor.who.email)
    # Judged as of the lead's arrival, as the pipeline did: the diff then shows only what the edit changed.
    new = rescore(with_answer(draft, answer, now), facts, library, facts.received_at or now)
    diff = diff_revisions(draft, new, "reviewer_edit")
    new_card = ScorecardRow(
        id=uuid.uuid4().hex,
        lead_id=lead.id,
        revision=new.revision,
        tier=new.tier,
        route=new.route,
        score=new.score,
        payload=new.model_dump(mode="json"),
        created_at=now,
    )
    s.add(new_card)
    s.add(
        AnswerReviewRow(
            id=uuid.uuid4().hex,
            lead_id=lead.id,
            scorecard_id=new_card.id,
            revision=new.revision,
            question_id=body.question_id,
            ai_answer=ai_answer,
            ai_confidence=earlier.ai_confidence if earlier else current.confidence,
            ai_evidence=earlier.ai_evidence if earlier else [e.quote for e in current.evidence],
            human_answer=body.answer,
            evidence=body.evidence,
            note=body.note,
            reviewer_id=actor.who.user_id,
            reviewer=actor.who.email,
            created_at=now,
        )
    )
    return {
        "old": current.answer,
        "new": body.answer,
        "ai": ai_answer,
        "revision": new.revision,
        "scorecard_id": new_card.id,
        "tier": new.tier,
        "score": new.score,
        "diff": diff.model_dump(mode="json"),
    }


def review_state(s: Session, lead_id: str) -> dict[str, Any]:
    """Assignment, decisions and answer edits of a lead, for the API and the UI."""
    from api.users.models import UserRow

    a = s.get(AssignmentRow, lead_id)
    names = {
        u.id: u.email
        for u in s.scalars(select(UserRow).where(UserRow.id.in_([x for x in ((a.sdr_id, a.ae_id) if a else ()) if x])))
    }
    decisions = s.scalars(
        select(DecisionRow).where(DecisionRow.lead_id == lead_id).order_by(DecisionRow.created_at)
    ).all()
    edits = s.scalars(
        select(AnswerReviewRow).where(AnswerReviewRow.lead_id == lead_id).order_by(AnswerReviewRow.created_at)
    ).all()
    return {
        "sdr": names.get(a.sdr_id) if a and a.sdr_id else None,
        "sdr_rule": a.sdr_rule if a else None,
        "ae": names.get(a.ae_id) if a and a.ae_id else None,
        "ae_rule": a.ae_rule if a else None,
        "decisions": [
            {
                "id": d.id,
                "action": d.action,
                "revision": d.revision,
                "actor": d.actor,
                "reason": d.reason,
                "note": d.note,
                "record": d.record,
                "at": d.created_at,
            }
            for d in decisions
        ],
        "edits": [
            {
                "question_id": e.question_id,
                "revision": e.revision,
                "ai_answer": e.ai_answer,
                "human_answer": e.human_answer,
                "evidence": e.evidence,
                "note": e.note,
                "reviewer": e.reviewer,
                "at": e.created_at,
            }
            for e in edits
        ],
    }
