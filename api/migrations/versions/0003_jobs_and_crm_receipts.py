"""The durable jobs table (CRM write-backs and imports) and the CRM webhook receipts (replay window).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("key", sa.String(200), nullable=True, unique=True),
        sa.Column("group_key", sa.String(200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_jobs_due", "jobs", ["status", "run_after"])
    op.create_index("ix_jobs_group", "jobs", ["group_key", "id"])
    op.create_table(
        "crm_receipts",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("received_at", api.db.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_crm_receipts_received_at", "crm_receipts", ["received_at"])


def downgrade() -> None:
    op.drop_table("crm_receipts")
    op.drop_table("jobs")
