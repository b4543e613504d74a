"""The audit table: append-only (the ORM refuses updates and deletes of its rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(200))
    lead_id: Mapped[str | None] = mapped_column(String(64), index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(AuditRow, "before_update")
def _no_update(*_: object) -> None:
    raise AppendOnlyError("audit rows cannot be changed")


@event.listens_for(AuditRow, "before_delete")
def _no_delete(*_: object) -> None:
    raise AppendOnlyError("audit rows cannot be deleted")
