"""Webhook receipts: the signatures and event ids seen inside the replay window (so a replay is refused)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime


class CrmReceiptRow(Base):
    __tablename__ = "crm_receipts"

    key: Mapped[str] = mapped_column(
        String(200), primary_key=True, doc="hubspot:sig:<sha256> | salesforce:notification:<id> …"
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
