"""Writing and reading audit rows. `record` joins the caller's transaction, so a failed audit write fails the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditRow
from api.users.service import Principal


def record(
    s: Session,
    who: Principal | None,
    action: str,
    object_type: str,
    object_id: str,
    *,
    at: datetime,
    lead_id: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    request_id: str | None = None,
) -> None:
    """Append one audit row in the session's transaction and flush it, so a failing write surfaces here."""
    s.add(
        AuditRow(
            at=at,
            actor_id=who.user_id if who else None,
            actor=who.email if who else "system",
            role=who.role if who else "system",
            action=action,
            object_type=object_type,
            object_id=object_id,
            lead_id=lead_id,
            old=old,
            new=new,
            reason=reason,
            request_id=request_id,
        )
    )
    s.flush()


def for_lead(s: Session, lead_id: str) -> list[dict[str, Any]]:
    """A lead's audit history, oldest first."""
    rows = s.scalars(select(AuditRow).where(AuditRow.lead_id == lead_id).order_by(AuditRow.id)).all()
    return [
        {
            "id": r.id,
            "at": r.at,
            "actor": r.actor,
            "role": r.role,
            "action": r.action,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "old": r.old,
            "new": r.new,
            "reason": r.reason,
            "request_id": r.request_id,
        }
        for r in rows
    ]
