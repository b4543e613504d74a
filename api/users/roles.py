"""The closed set of roles (kept apart from the service so the CLI can name them without loading the database)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    sdr = "sdr"
    ae = "ae"
    admin = "admin"
    service = "service"
