"""Alembic environment: runs on the connection api/db.py hands over (no URL is read here)."""

from __future__ import annotations

from alembic import context

import api.models  # noqa: F401  (registers every table on Base.metadata)
from api.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
