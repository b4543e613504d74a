"""Admin endpoints for users and API keys (the same functions as `qualify user …`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.audit import service as audit
from api.auth.policy import api
from api.db import transaction
from api.responses import NewUserOut, Revoked, UserOut
from api.users import service
from api.users.service import Principal, Role

router = APIRouter(tags=["users"])
ADMIN = Annotated[Principal, Depends(api(Role.admin))]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=255)
    role: Role
    name: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, min_length=10, max_length=200)


@router.get("/users", summary="Users, roles and the prefixes of their live API keys", response_model=list[UserOut])
def list_users(request: Request, _: ADMIN) -> list[dict[str, Any]]:
    with request.app.state.runtime.sessions() as s:
        return service.list_users(s)


@router.post("/users", status_code=201, summary="Add a user; the API key is shown once", response_model=NewUserOut)
def add_user(body: NewUser, request: Request, who: ADMIN) -> dict[str, Any]:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        user = service.add_user(s, body.email, body.role, now, name=body.name, team=body.team, password=body.password)
        key = service.issue_key(s, user, now)
        audit.record(
            s,
            who,
            "user_add",
            "user",
            user.email,
            at=now,
            new={"role": body.role, "team": body.team},
            request_id=getattr(request.state, "request_id", None),
        )
        return {"id": user.id, "email": user.email, "role": user.role, "api_key": key}


@router.post("/users/{email}/revoke", summary="Deactivate a user: keys revoked, sessions ended", response_model=Revoked)
def revoke_user(email: str, request: Request, who: ADMIN) -> dict[str, Any]:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        user = service.find_user(s, email)
        n = service.revoke_user(s, user, now)
        audit.record(
            s,
            who,
            "user_revoke",
            "user",
            user.email,
            at=now,
            old={"active": True},
            new={"active": False},
            request_id=getattr(request.state, "request_id", None),
        )
        return {"email": user.email, "keys_revoked": n}
