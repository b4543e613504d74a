"""The review UI: login, the queue, the scorecard page with its decision forms, and the audit history."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from agent.schemas import Lead, ScorecardDraft
from api.audit import service as audit
from api.auth.policy import PUBLIC, SESSION_COOKIE, LoginRequired, web
from api.auth.throttle import LoginThrottle
from api.db import transaction
from api.errors import ApiError, NotFound
from api.leads import service as lead_service
from api.leads.flows import HUMAN_TRANSITIONS, LeadStatus, ReviewAction
from api.leads.models import LeadRow
from api.leads.views import qualify_and_assign
from api.review import service
from api.review.assign import sweep, territories_for
from api.review.flows import REASON_LABELS
from api.review.escalate import recent_escalations
from api.review.queue import QueueQuery
from api.review.queue import queue_page as find_queue
from api.review.views import run
from api.transcripts.service import call_changes
from api.users import service as users
from api.users.service import Principal, Role
from api.web.forms import body_from_form
from api.web.render import HERE, activity_timeline, audit_change, decision_view, page, scorecard_view

router = APIRouter(tags=["ui"], include_in_schema=False)
WEB = Annotated[Principal, Depends(web())]
ACTIONS = {a.value.replace("_", "-"): a for a in ReviewAction}


def _secret(request: Request) -> bytes:
    rt = request.app.state.runtime
    if rt.settings.session_secret:
        return rt.settings.session_secret.get_secret_value().encode()
    if not hasattr(request.app.state, "login_secret"):
        request.app.state.login_secret = secrets.token_bytes(32)
    return request.app.state.login_secret


def _login_token(request: Request, nonce: str) -> str:
    return hmac.new(_secret(request), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def _secure(request: Request) -> bool:
    setting = request.app.state.runtime.settings.cookie_secure
    return request.url.scheme == "https" if setting is None else setting


@router.get("/", dependencies=[Depends(PUBLIC)])
def home() -> RedirectResponse:
    return RedirectResponse("/ui/queue", status_code=303)


@router.get("/ui/login", dependencies=[Depends(PUBLIC)])
def login_page(request: Request, next: str = "/ui/queue", error: str | None = None, status: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    resp = page("login.html", status, token=_login_token(request, nonce), next=_safe_next(next), error=error, who=None)
    resp.set_cookie("qualify_login", nonce, httponly=True, samesite="strict", secure=_secure(request), max_age=3600)
    return resp


def _safe_next(target: str) -> str:
    return target if target.startswith("/ui/") and not target.startswith("//") else "/ui/queue"


def _throttle(request: Request) -> LoginThrottle:
    """One throttle per app, built from its settings on first use."""
    if not hasattr(request.app.state, "login_throttle"):
        st = request.app.state.runtime.settings
        request.app.state.login_throttle = LoginThrottle(
            st.login_limit_account, st.login_limit_address, st.rate_limit_storage
        )
    return request.app.state.login_throttle


@router.post("/ui/login", dependencies=[Depends(PUBLIC)])
async def login(request: Request) -> Response:
    form = await request.form()
    nonce = request.cookies.get("qualify_login", "")
    if not nonce or not hmac.compare_digest(str(form.get("csrf", "")), _login_token(request, nonce)):
        return login_page(request, error="The login form expired; please try again.", status=403)
    rt = request.app.state.runtime
    email, address = str(form.get("email", ""))[:255], request.client.host if request.client else "unknown"
    throttle = _throttle(request)
    if (wait := throttle.retry_after(email, address)) is not None:
        resp: Response = login_page(request, error=f"Too many failed logins; try again in {wait} seconds.", status=429)
        resp.headers["Retry-After"] = str(wait)
        return resp
    with transaction(rt.sessions) as s:
        opened = users.login(s, email, str(form.get("password", ""))[:200], rt.deps.clock(), rt.settings.session_hours)
    if opened is None:
        throttle.failed(email, address)
        return login_page(request, error="Wrong e-mail or password.", status=401)
    resp = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        opened[0],
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=int(rt.settings.session_hours * 3600),
        path="/",
    )
    resp.delete_cookie("qualify_login")
    return resp


@router.post("/ui/logout")
async def logout(request: Request, who: WEB) -> Response:
    rt = request.app.state.runtime
    form = await request.form()
    with transaction(rt.sessions) as s:
        users.use_form_token(s, who.session or "", "logout", str(form.get("csrf", "")), rt.deps.clock())
        users.end_session(s, who.session or "", rt.deps.clock())
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/ui/queue")
def queue_page(request: Request, who: WEB) -> HTMLResponse:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    sweep(rt.sessions, territories_for(rt.settings.territory_rules_file), now)
    query = QueueQuery.parse(dict(request.query_params))
    with transaction(rt.sessions) as s:
        found = find_queue(s, who, now, rt.settings.speed_to_lead_minutes, query)
        items = found.items
        escalated = recent_escalations(s, now) if who.role == Role.admin else []
        logout_token = users.form_token(s, who.session or "", "logout", now)
        failed = lead_service.failed_leads(s, rt.deps.clock()) if who.role == Role.admin else []
        retry = {r.id: users.form_token(s, who.session or "", f"retry:{r.id}", now) for r in failed}
    return page(
        "queue.html",
        who=who,
        items=items,
        logout=logout_token,
        now=now,
        failed=failed,
        retry=retry,
        done=request.query_params.get("done"),
        found=found,
        query=query,
        escalated=escalated,
        link=lambda **change: "/ui/queue?" + urlencode(query.as_params(**change)),
    )


@router.post("/ui/leads/{lead_id}/retry")
async def retry(lead_id: str, request: Request, who: WEB, background: BackgroundTasks) -> Response:
    """Admins re-run a lead whose qualification failed; the same rules as POST /leads/{id}/retry."""
    rt = request.app.state.runtime
    if who.role != Role.admin:
        raise ApiError(403, "Forbidden", "only an admin can retry a failed lead")
    form = {k: str(v) for k, v in (await request.form()).items()}
    with transaction(rt.sessions) as s:
        users.use_form_token(s, who.session or "", f"retry:{lead_id}", form.get("csrf", ""), rt.deps.clock())
    lead_service.reset_for_retry(rt.sessions, lead_id, rt.deps.clock())
    background.add_task(qualify_and_assign, rt, lead_id)
    return RedirectResponse("/ui/queue?done=retry", status_code=303)


def _lead_page(
    request: Request,
    who: Principal,
    lead_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    done: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    rt = request.app.state.runtime
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        row = s.get(LeadRow, lead_id)
        if row is None:
            raise NotFound("lead", lead_id)
        card = service.latest_card(s, lead_id)
        lead = Lead.model_validate(row.payload)
        draft = ScorecardDraft.model_validate(card.payload) if card else None
        before = service.card_at(s, lead_id, card.revision - 1) if card and card.revision > 1 else None
        previous = ScorecardDraft.model_validate(before.payload) if before else None
        edits = service.edits_for(s, lead_id, card.revision) if card else {}
        state = service.review_state(s, lead_id)
        history = audit.for_lead(s, lead_id)
        calls = call_changes(s, lead_id, rt.deps.library)
        allowed = [
            a
            for a, (sources, _) in HUMAN_TRANSITIONS.items()
            if row.status in sources and (card or a == ReviewAction.reopen) and _may(who, a, state)
        ]
        tokens = {a.value: users.form_token(s, who.session or "", f"{a.value}:{lead_id}", now) for a in allowed}
        tokens["logout"] = users.form_token(s, who.session or "", "logout", now)
        status_now = row.status
        account = lead_service.account_leads(s, row)
    view = scorecard_view(lead, draft, rt.deps.library, edits) if draft else None
    cause: Literal["reviewer_edit", "transcript"] = (
        "reviewer_edit" if card and any(e.revision == card.revision for e in edits.values()) else "transcript"
    )
    decision = decision_view(draft, rt.deps.library, previous, cause) if draft else None
    texts = {q.id: q.text for q in rt.deps.library.questions}
    timeline = activity_timeline(lead, history, texts)
    return page(
        "scorecard.html",
        status,
        who=who,
        lead=lead,
        lead_id=lead_id,
        status_now=status_now,
        draft=draft,
        card_revision=card.revision if card else None,
        view=view,
        decision=decision,
        state=state,
        history=history,
        tokens=tokens,
        error=error,
        done=done,
        reasons=REASON_LABELS,
        values=values or {},
        now=now,
        calls=calls,
        logout=tokens["logout"],
        LeadStatus=LeadStatus,
        account=account,
        timeline=timeline,
        texts=texts,
        audit_change=audit_change,
    )


def _may(who: Principal, action: ReviewAction, state: dict[str, object]) -> bool:
    """Whether to show a form (the service enforces the same rules on submit)."""
    if who.role == Role.admin:
        return True
    if action in service.AE_ACTIONS:
        return who.role == Role.ae and state["ae"] == who.email
    return who.role == Role.sdr and state["sdr"] == who.email


@router.get("/ui/leads/{lead_id}")
def lead_page(lead_id: str, request: Request, who: WEB, done: str | None = None) -> HTMLResponse:
    return _lead_page(request, who, lead_id, done=done)


@router.post("/ui/leads/{lead_id}/{action}")
async def decide(lead_id: str, action: str, request: Request, who: WEB) -> Response:
    """A decision form: spend its CSRF token, then the same service call as the JSON API."""
    rt = request.app.state.runtime
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise NotFound("action", action)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        with transaction(rt.sessions) as s:
            users.use_form_token(
                s, who.session or "", f"{chosen.value}:{lead_id}", form.get("csrf", ""), rt.deps.clock()
            )
        body = body_from_form(chosen, form)
        run(request, lead_id, chosen, body)
    except ValidationError as exc:
        msg = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()[:4])
        return _lead_page(request, who, lead_id, error=msg, status=422, values=form)
    except ApiError as exc:
        if exc.status == 404:
            raise
        return _lead_page(request, who, lead_id, error=exc.detail, status=exc.status, values=form)
    return RedirectResponse(f"/ui/leads/{quote(lead_id)}?done={chosen.value}", status_code=303)


def install(app: FastAPI) -> None:
    """Mount the UI: routes, static files, and the login redirect for UI requests without a live session."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/ui/login?next={quote(request.url.path)}", status_code=303)
        return page(
            "login.html",
            401,
            token="",
            next="/ui/queue",
            who=None,
            error="Your session has expired; log in again (nothing was saved).",
        )
