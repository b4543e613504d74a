"""Public routes of the qualifying form: the page, its submission, the embed script and the form's own static files.

CSRF: the page carries a token signed with the server's secret, bound to the form and to the visitor's cookie, and
naming the fields shown; a POST without a matching token is refused (403) and nothing is stored. No third-party
resources: the page loads only its own CSS and script (CSP `default-src 'none'`), and may be framed only by the
form's `embed_origins`.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.auth.policy import PUBLIC
from api.errors import NotFound, problem
from api.forms import service
from api.forms.service import FormProblem
from api.runtime import Runtime
from library.schemas import QualifyingForm

HERE = Path(__file__).parent
VISITOR_COOKIE = "qualify_visitor"
HONEYPOT = "website"
STATIC = {"form.js": "text/javascript", "form.css": "text/css"}
env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
router = APIRouter(tags=["forms"], dependencies=[Depends(PUBLIC)])


def _rt(request: Request) -> Runtime:
    return request.app.state.runtime


def _form(request: Request, form_id: str) -> QualifyingForm:
    form = _rt(request).deps.library.form(form_id)
    if form is None:
        raise NotFound("form", form_id)
    return form


def _secret(request: Request) -> bytes:
    rt = _rt(request)
    if rt.settings.session_secret:
        return b"form:" + rt.settings.session_secret.get_secret_value().encode()
    if not hasattr(request.app.state, "form_secret"):
        request.app.state.form_secret = secrets.token_bytes(32)
    return request.app.state.form_secret


def _headers(form: QualifyingForm) -> dict[str, str]:
    ancestors = " ".join(["'self'", *form.embed_origins])
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        f"frame-ancestors {ancestors}; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _secure(request: Request) -> bool:
    setting = _rt(request).settings.cookie_secure
    return request.url.scheme == "https" if setting is None else setting


def _visitor(request: Request) -> tuple[str, bool]:
    token = request.cookies.get(VISITOR_COOKIE, "")
    if 20 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum():
        return token, False
    return secrets.token_urlsafe(24), True


def _with_cookie(resp: Response, request: Request, visitor: str) -> Response:
    secure = _secure(request)
    # Framed on the seller's site the cookie is third-party: it must be SameSite=None (and so Secure) to come back.
    resp.set_cookie(
        VISITOR_COOKIE,
        visitor,
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
        max_age=400 * 24 * 3600,
        path="/forms",
    )
    return resp


def _render(
    request: Request,
    form: QualifyingForm,
    visitor: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    rt = _rt(request)
    with rt.sessions() as s:
        lead = service.visitor_lead(s, form.id, visitor)
        card = service.latest_card(s, lead.id) if lead else None
        payload = lead.payload if lead else None
    chosen = service.plan(rt.deps.library, form, payload, card)
    token = service.make_token(_secret(request), form.id, visitor, [f.id for f in chosen.fields], chosen.contact)
    html = env.get_template("form.html").render(
        form=form,
        plan=chosen,
        contact=[c for c in form.contact if c.field in chosen.contact],
        token=token,
        errors=errors or {},
        values=values or {},
        honeypot=HONEYPOT,
        embedded=request.query_params.get("embed") == "1",
    )
    return HTMLResponse(html, status_code=status, headers=_headers(form))


HTML_PAGE: dict[int | str, dict[str, Any]] = {200: {"description": "An HTML page", "content": {"text/html": {}}}}
JS_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "JavaScript", "content": {"application/javascript": {}}}
}


@router.get(
    "/forms/{form_id}",
    summary="The qualifying form (server-rendered, embeddable)",
    response_class=HTMLResponse,
    responses=HTML_PAGE,
)
def show(form_id: str, request: Request) -> Response:
    form = _form(request, form_id)
    visitor, new = _visitor(request)
    if request.query_params.get("new") == "1":  # "Not you?": start as a new visitor
        visitor, new = secrets.token_urlsafe(24), True
    resp = _render(request, form, visitor)
    return _with_cookie(resp, request, visitor) if new else resp


def _limiter(request: Request) -> tuple[MovingWindowRateLimiter, Any]:
    if not hasattr(request.app.state, "form_limiter"):
        st = _rt(request).settings
        request.app.state.form_limiter = (
            MovingWindowRateLimiter(storage_from_string(st.rate_limit_storage)),
            parse(st.form_rate_limit),
        )
    return request.app.state.form_limiter


def client_address(request: Request) -> str:
    """The client's address; X-Forwarded-For is believed only from QUALIFY_TRUSTED_PROXIES."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and peer in _rt(request).settings.trusted_proxies:
        return forwarded.split(",")[-1].strip() or peer
    return peer


async def _body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            return None
    return bytes(data)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _problem(
    request: Request, form: QualifyingForm, visitor: str, exc: FormProblem, values: dict[str, str]
) -> Response:
    if _wants_json(request):
        errors = [{"field": k, "message": v} for k, v in exc.errors.items()]
        return problem(
            exc.status,
            "Invalid form submission" if exc.status == 422 else "Forbidden",
            "; ".join(f"{k}: {v}" for k, v in exc.errors.items()),
            errors=errors,
        )
    return _render(request, form, visitor, status=exc.status, errors=exc.errors, values=values)


@router.post(
    "/forms/{form_id}",
    summary="Submit the form: the lead is created or updated and qualified at once",
    response_class=HTMLResponse,
    responses=HTML_PAGE,
)
async def submit(form_id: str, request: Request) -> Response:
    form = _form(request, form_id)
    rt = _rt(request)
    visitor, new = _visitor(request)
    raw = await _body(request, rt.settings.form_max_bytes)
    if raw is None:
        return problem(
            413,
            "Request body too large",
            f"a form submission may be {rt.settings.form_max_bytes} bytes at most",
            errors=[{"field": "body", "message": "too large"}],
        )
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return problem(
            415,
            "Unsupported media type",
            "post the form as application/x-www-form-urlencoded",
            errors=[{"field": "body", "message": "not a form post"}],
        )
    values: dict[str, str] = {}
    for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=200):
        values.setdefault(key[:100], value)
    if values.get(HONEYPOT):  # only a bot fills a field people cannot see; it is told nothing and nothing is stored
        return _thanks(request, form, None, visitor, new, status=200)
    limiter, limit = _limiter(request)
    address = client_address(request)
    if not limiter.hit(limit, "form", form.id, address):
        reset = limiter.get_window_stats(limit, "form", form.id, address).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        resp = problem(
            429,
            "Too many submissions",
            f"too many submissions from this address; try again in {wait} s",
            errors=[{"field": "address", "message": "rate limited"}],
        )
        resp.headers["Retry-After"] = str(wait)
        return resp
    try:
        token = service.read_token(_secret(request), values.get("token", ""), form.id, visitor)
        outcome = await asyncio.to_thread(service.submit, rt, form, values, token, visitor, address)
    except FormProblem as exc:
        return _problem(request, form, visitor, exc, values)
    return _thanks(request, form, outcome, visitor, new)


def _thanks(
    request: Request, form: QualifyingForm, outcome: service.Outcome | None, visitor: str, new: bool, status: int = 200
) -> Response:
    tier = (outcome.tier if outcome else None) or "needs_discovery"
    route = form.routes[tier]  # type: ignore[index]
    if _wants_json(request):
        body = {"received": True, "message": route.message, "links": [link.model_dump() for link in route.links]}
        if outcome is not None:
            body |= {
                "lead_id": outcome.lead_id,
                "created": outcome.created,
                "tier": outcome.tier,
                "route": outcome.route,
                "scorecard_id": outcome.scorecard_id,
            }
        resp: Response = JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    else:
        html = env.get_template("thanks.html").render(
            form=form, route=route, tier=tier, embedded=request.query_params.get("embed") == "1"
        )
        resp = HTMLResponse(html, status_code=status, headers=_headers(form))
    return _with_cookie(resp, request, visitor) if new else resp


@router.get(
    "/forms/{form_id}/embed.js",
    summary="A script that shows the form in a frame where it is placed",
    response_class=Response,
    responses=JS_PAGE,
)
def embed(form_id: str, request: Request) -> Response:
    form = _form(request, form_id)
    base = str(request.base_url).rstrip("/")
    src = f"{base}/forms/{form.id}?embed=1"
    script = (HERE / "static" / "embed.js").read_text()
    for key, value in (("__SRC__", src), ("__ORIGIN__", base), ("__TITLE__", form.title)):
        script = script.replace(f'"{key}"', json.dumps(value).replace("<", "\\u003c"))
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/forms/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in STATIC:
        raise NotFound("file", name)
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
