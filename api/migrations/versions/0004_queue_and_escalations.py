"""Scorecards carry their segment (queue filter) and overdue leads get escalation notices.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scorecards") as batch:
        batch.add_column(sa.Column("segment", sa.String(100), nullable=True))
    _backfill_segments()
    op.create_table(
        "escalations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("lead_id", sa.String(64), sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("owner_id", sa.String(64), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("level_minutes", sa.Float(), nullable=False),
        sa.Column("clock_started_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_role", sa.String(20), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lead_id", "stage", "level_minutes", "clock_started_at", name="uq_escalations_once"),
    )
    op.create_index("ix_escalations_lead_id", "escalations", ["lead_id"])


def _backfill_segments() -> None:
    from api.leads.models import segment_of

    conn = op.get_bind()
    table = sa.table(
        "scorecards", sa.column("id", sa.String), sa.column("payload", sa.JSON), sa.column("segment", sa.String)
    )
    for row in conn.execute(sa.select(table.c.id, table.c.payload)).all():
        payload = row.payload if isinstance(row.payload, dict) else {}
        if segment := segment_of(payload):
            conn.execute(table.update().where(table.c.id == row.id).values(segment=segment))


def downgrade() -> None:
    op.drop_index("ix_escalations_lead_id", table_name="escalations")
    op.drop_table("escalations")
    with op.batch_alter_table("scorecards") as batch:
        batch.drop_column("segment")
