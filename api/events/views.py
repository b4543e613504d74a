"""Admin API for outgoing webhooks: subscriptions, their deliveries, replay, secret rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.responses import DeliveryOut, ReplayOut, SecretOut, SubscriptionOut
from api.audit import service as audit
from api.auth.policy import api
from api.db import transaction
from api.errors import Unprocessable
from api.events import outbox, service
from api.events.outbox import EventType
from api.events.service import check_url
from api.users.service import Principal, Role

router = APIRouter(tags=["webhooks"])
ADMIN = Annotated[Principal, Depends(api(Role.admin))]


class NewSubscription(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, description="http(s) URL that receives signed POSTs")
    events: list[EventType] = Field(min_length=1, description="Event types to send")
    description: str | None = Field(default=None, max_length=500)


class SubscriptionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(default=None, max_length=2000)
    events: list[EventType] | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, max_length=500)
    active: bool | None = None


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delivery_ids: list[str] | None = Field(default=None, max_length=1000)
    status: Literal["failed", "delivered"] | None = Field(
        default=None, description="Replay every delivery in this state"
    )
    since: datetime | None = None


def _hosts(request: Request) -> list[str]:
    return request.app.state.runtime.settings.webhook_allowed_hosts


@router.post(
    "/webhooks",
    status_code=201,
    summary="Subscribe a URL to events; the signing secret is shown once",
    response_model=SubscriptionOut,
    response_model_exclude_none=True,
)
def create(body: NewSubscription, request: Request, who: ADMIN) -> dict[str, Any]:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        row, secret = service.create(
            s,
            body.url,
            list(body.events),
            now,
            description=body.description,
            who=who.email,
            allowed_hosts=_hosts(request),
        )
        audit.record(
            s, who, "webhook.create", "subscription", row.id, at=now, new={"url": row.url, "events": row.events}
        )
        return {**service.view(row), "secret": secret}


@router.get(
    "/webhooks",
    summary="Subscriptions with their health and delivery counts (no secrets)",
    response_model=list[SubscriptionOut],
    response_model_exclude_none=True,
)
def listing(request: Request, _: ADMIN) -> list[dict[str, Any]]:
    with request.app.state.runtime.sessions() as s:
        return service.listing(s)


@router.get(
    "/webhooks/{sub_id}", summary="One subscription", response_model=SubscriptionOut, response_model_exclude_none=True
)
def one(sub_id: str, request: Request, _: ADMIN) -> dict[str, Any]:
    with request.app.state.runtime.sessions() as s:
        return service.view(service.get(s, sub_id), service.counts(s, sub_id))


@router.patch(
    "/webhooks/{sub_id}",
    summary="Change the URL, events, description, or pause (active=false)",
    response_model=SubscriptionOut,
    response_model_exclude_none=True,
)
def change(sub_id: str, body: SubscriptionChange, request: Request, who: ADMIN) -> dict[str, Any]:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        row = service.get(s, sub_id)
        old = service.view(row)
        if body.url is not None:
            row.url = check_url(body.url, _hosts(request))
        if body.events is not None:
            row.events = sorted(set(body.events))
        if body.description is not None:
            row.description = body.description
        if body.active is not None:
            row.active = body.active
        audit.record(
            s,
            who,
            "webhook.change",
            "subscription",
            sub_id,
            at=now,
            old={k: old[k] for k in ("url", "events", "active")},
            new={"url": row.url, "events": row.events, "active": row.active},
        )
        return service.view(row, service.counts(s, sub_id))


@router.delete("/webhooks/{sub_id}", status_code=204, summary="Delete a subscription and its delivery records")
def delete(sub_id: str, request: Request, who: ADMIN) -> Response:
    rt = request.app.state.runtime
    with transaction(rt.sessions) as s:
        row = service.get(s, sub_id)
        audit.record(s, who, "webhook.delete", "subscription", sub_id, at=rt.deps.clock(), old={"url": row.url})
        s.delete(row)
    return Response(status_code=204)


@router.post(
    "/webhooks/{sub_id}/rotate-secret",
    summary="A new signing secret (shown once); the old one stops at once",
    response_model=SecretOut,
)
def rotate(sub_id: str, request: Request, who: ADMIN) -> dict[str, str]:
    rt = request.app.state.runtime
    with transaction(rt.sessions) as s:
        secret = service.rotate(s, sub_id)
        audit.record(s, who, "webhook.rotate_secret", "subscription", sub_id, at=rt.deps.clock())
    return {"id": sub_id, "secret": secret}


@router.get(
    "/webhooks/{sub_id}/deliveries",
    summary="Deliveries, newest first: attempts, last status and error",
    response_model=list[DeliveryOut],
)
def deliveries(
    sub_id: str,
    request: Request,
    _: ADMIN,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    lead_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    with request.app.state.runtime.sessions() as s:
        return service.deliveries(s, sub_id, status, lead_id, limit)


@router.post(
    "/webhooks/{sub_id}/replay",
    summary="Send deliveries again (by id, or every one in a state)",
    response_model=ReplayOut,
)
def replay(sub_id: str, body: Replay, request: Request, who: ADMIN) -> dict[str, int]:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    if not body.delivery_ids and not body.status:
        raise Unprocessable("name delivery_ids or a status to replay", field="delivery_ids")
    with transaction(rt.sessions) as s:
        n = service.replay(s, sub_id, now, delivery_ids=body.delivery_ids, status=body.status, since=body.since)
        audit.record(s, who, "webhook.replay", "subscription", sub_id, at=now, new={"queued": n})
    outbox.wake_all()
    return {"queued": n}
