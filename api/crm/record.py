"""What a CRM is told about a lead at a review transition: the SQL record the GTM guide lists, read from the database.

Qualification date and time, qualifying rep, checklist results, discovery notes, next step and date, opportunity
value estimate (from the SDR's confirm), plus the scorecard's tier, score, top reasons and a link to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.leads.flows import HUMAN_TRANSITIONS, ReviewAction
from api.leads.models import LeadRow, ScorecardRow
from api.review.models import DecisionRow

# The event a CRM hears for each status-changing decision: "lead." + the status it leads to (lead.recycled …).
EVENT_OF = {
    a: f"lead.{HUMAN_TRANSITIONS[a][1].value}"  # type: ignore[union-attr]
    for a in (ReviewAction.confirm, ReviewAction.accept, ReviewAction.reject, ReviewAction.push_back)
}
LABELS = {
    ReviewAction.confirm: "Confirmed as an SQL",
    ReviewAction.accept: "Accepted by the AE",
    ReviewAction.reject: "Rejected (recycled)",
    ReviewAction.push_back: "Pushed back to the SDR",
}


@dataclass(frozen=True)
class SqlSnapshot:
    lead_id: str
    external_id: str | None
    source: str
    status: str
    record: dict[str, Any] | None  # the confirm's SqlRecord (+ qualifying_rep); None before any confirm
    tier: str | None
    score: float | None
    revision: int | None
    reasons: list[str]
    decided_by: str | None
    decision_note: str | None
    scorecard_url: str

    def checklist_text(self) -> str:
        items = (self.record or {}).get("checklist", {})
        return "\n".join(f"{q}: {v}" for q, v in sorted(items.items()))

    def items(self) -> dict[str, Any]:
        """The SQL record as named items (the keys a mapping file maps to CRM fields)."""
        r = self.record or {}
        return {
            "qualified_at": r.get("qualified_at"),
            "qualifying_rep": r.get("qualifying_rep"),
            "checklist": self.checklist_text() or None,
            "discovery_notes": r.get("discovery_notes"),
            "next_step": r.get("next_step"),
            "next_step_date": r.get("next_step_date"),
            "opportunity_value": float(r["opportunity_value"]) if r.get("opportunity_value") is not None else None,
            "currency": r.get("currency"),
            "tier": self.tier,
            "score": self.score,
            "scorecard_url": self.scorecard_url,
            "status": self.status,
        }

    def note_html(self, event_type: str) -> str:
        """The note body: a short scorecard summary; every value from the lead or a person is escaped."""
        what = next((LABELS[a] for a, e in EVENT_OF.items() if e == event_type), event_type)
        lines = [
            f"<p><strong>Qualify: {escape(what)}</strong>"
            + (f" by {escape(self.decided_by)}" if self.decided_by else "")
            + "</p>"
        ]
        if self.tier is not None:
            lines.append(
                f"<p>Tier {escape(self.tier)}, score {self.score:.0f}/100 (scorecard revision {self.revision})</p>"
            )
        if self.reasons:
            lines.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in self.reasons) + "</ul>")
        r = self.record or {}
        if r and event_type in (EVENT_OF[ReviewAction.confirm], EVENT_OF[ReviewAction.accept]):
            lines.append(
                f"<p>Next step: {escape(str(r.get('next_step', '')))} on {escape(str(r.get('next_step_date', '')))}"
                f"; opportunity estimate {escape(str(r.get('opportunity_value', '')))} "
                f"{escape(str(r.get('currency', '')))}</p>"
            )
            if r.get("discovery_notes"):
                lines.append(f"<p>Discovery notes: {escape(str(r['discovery_notes']))}</p>")
        if self.decision_note:
            lines.append(f"<p>Note: {escape(self.decision_note)}</p>")
        lines.append(f'<p><a href="{escape(self.scorecard_url, quote=True)}">Open the scorecard in Qualify</a></p>')
        return "\n".join(lines)


def snapshot(s: Session, lead_id: str, public_url: str) -> SqlSnapshot | None:
    """The lead's SQL record and scorecard summary as they stand now; None when the lead is gone."""
    lead = s.get(LeadRow, lead_id)
    if lead is None:
        return None
    confirm = s.scalar(
        select(DecisionRow)
        .where(DecisionRow.lead_id == lead_id, DecisionRow.action == "confirm")
        .order_by(DecisionRow.created_at.desc())
        .limit(1)
    )
    last = s.scalar(
        select(DecisionRow).where(DecisionRow.lead_id == lead_id).order_by(DecisionRow.created_at.desc()).limit(1)
    )
    card = s.scalar(
        select(ScorecardRow).where(ScorecardRow.lead_id == lead_id).order_by(ScorecardRow.revision.desc()).limit(1)
    )
    reasons = [f"{r['label']} ({r['points']:+.0f})" for r in (card.payload.get("reasons", []) if card else [])[:5]]
    return SqlSnapshot(
        lead_id=lead_id,
        external_id=lead.external_id,
        source=lead.source,
        status=lead.status,
        record=confirm.record if confirm else None,
        tier=card.tier if card else None,
        score=card.score if card else None,
        revision=card.revision if card else None,
        reasons=reasons,
        decided_by=last.actor if last else None,
        decision_note=(last.note or last.reason) if last else None,
        scorecard_url=f"{public_url.rstrip('/')}/ui/leads/{lead_id}",
    )
