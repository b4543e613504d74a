"""The admin UI page for outgoing webhooks: subscriptions with their health, recent deliveries, and replay buttons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.audit import service as audit
from api.auth.policy import web
from api.db import transaction
from api.events import outbox, service
from api.users import service as users
from api.users.service import Principal, Role
from api.web.render import page

router = APIRouter(tags=["ui"], include_in_schema=False)
ADMIN = Annotated[Principal, Depends(web(Role.admin))]


@router.get("/ui/webhooks")
def webhooks_page(request: Request, who: ADMIN, done: str | None = None) -> HTMLResponse:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        subs = service.listing(s)
        recent = {x["id"]: service.deliveries(s, x["id"], None, None, 20) for x in subs}
        tokens = {x["id"]: users.form_token(s, who.session or "", f"replay:{x['id']}", now) for x in subs}
        logout = users.form_token(s, who.session or "", "logout", now)
    return page("webhooks.html", who=who, subs=subs, recent=recent, tokens=tokens, logout=logout, done=done)


@router.post("/ui/webhooks/{sub_id}/replay")
async def replay(sub_id: str, request: Request, who: ADMIN) -> Response:
    """Replay one delivery (`delivery` field) or every failed one of the subscription."""
    rt = request.app.state.runtime
    now = rt.deps.clock()
    form = {k: str(v) for k, v in (await request.form()).items()}
    with transaction(rt.sessions) as s:
        users.use_form_token(s, who.session or "", f"replay:{sub_id}", form.get("csrf", ""), now)
    with transaction(rt.sessions) as s:
        if form.get("delivery"):
            n = service.replay(s, sub_id, now, delivery_ids=[form["delivery"][:64]])
        else:
            n = service.replay(s, sub_id, now, status="failed")
        audit.record(s, who, "webhook.replay", "subscription", sub_id, at=now, new={"queued": n})
    outbox.wake_all()
    return RedirectResponse(f"/ui/webhooks?done={n}", status_code=303)
