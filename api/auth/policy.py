"""Deny by default: every route declares a Policy dependency saying who may call it and how they prove it.

API routes take an API key in a header (`Authorization: Bearer …` or `X-API-Key`), never in the URL, and never a
cookie (so no cross-site request can ride on a browser session). UI routes take only the session cookie; their forms
carry single-use CSRF tokens (api/users/service.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from fastapi import Request

from api.errors import ApiError
from api.users.service import Principal, Role, by_api_key, by_session

SESSION_COOKIE = "qualify_session"
ALL_ROLES = frozenset(Role)


class LoginRequired(Exception):
    """A UI request without a live session (the web package turns it into a redirect to the login page)."""


class Policy:
    """A route's access rule; used as `Depends(Policy(...))` and found by the route audit test."""

    def __init__(self, roles: Iterable[Role], kind: Literal["api", "web", "public", "signed"] = "api"):
        self.roles, self.kind = frozenset(roles), kind

    def __repr__(self) -> str:
        return f"Policy({self.kind}, {sorted(self.roles)})"

    def __call__(self, request: Request) -> Principal | None:
        if self.kind in ("public", "signed"):  # signed: the handler checks the sender's signature before anything
            return None
        rt = request.app.state.runtime
        with rt.sessions() as s:
            if self.kind == "web":
                token = request.cookies.get(SESSION_COOKIE)
                who = by_session(s, token, rt.deps.clock()) if token else None
                if who is None:
                    raise LoginRequired()
            else:
                token = _header_key(request)
                if not token:
                    raise ApiError(
                        401, "Unauthorized", "send an API key in the Authorization (Bearer) or X-API-Key header"
                    )
                who = by_api_key(s, token)
                if who is None:
                    raise ApiError(401, "Unauthorized", "the API key is unknown or revoked")
        if who.role not in self.roles:
            raise ApiError(403, "Forbidden", f"role {who.role} may not do this", role=who.role)
        request.state.principal = who
        return who


def _header_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


def api(*roles: Role) -> Policy:
    """API-key access for these roles (all roles when none are named)."""
    return Policy(roles or ALL_ROLES, "api")


def web(*roles: Role) -> Policy:
    """Browser-session access for these roles (all people-roles when none are named)."""
    return Policy(roles or (Role.sdr, Role.ae, Role.admin), "web")


PUBLIC = Policy((), "public")
# CRM webhooks: no key or session; the handler verifies the CRM's signature (HubSpot v3) or organization id
# (Salesforce Outbound Messages) before it reads the payload, and refuses everything else (api/crm/views.py).
SIGNED = Policy((), "signed")
