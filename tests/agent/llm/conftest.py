"""Every LLM judge test runs against every fake server profile."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _every_profile(server_profile: str) -> str:
    return server_profile
