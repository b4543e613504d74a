"""Imports every package's ORM models so `create_schema` sees all tables."""

from api.leads import models as _leads  # noqa: F401
