"""API documentation that works offline: Swagger UI and ReDoc served from the installed `fastapi-offline` package,
an API-key security scheme (the Authorize button) and problem+json documented as the shape of every error.

No page loads anything from another origin: the Swagger validator badge is switched off and ReDoc uses no web fonts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles

from api.auth.policy import Policy
from api.errors import PROBLEM

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"
API_KEY, BEARER = "ApiKey", "Bearer"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each invalid field (422), other members give the "
    "state a conflict was found in (409: `state`, `revision`, `version`, `lead_id`).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Invalid request"},
        "status": {"type": "integer", "example": 422},
        "detail": {
            "type": "string",
            "example": "record.opportunity_value: enter an amount such as 35000, 35,000 or 35k",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "example": "record.opportunity_value"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
ERRORS = {
    "400": "Bad request",
    "401": "No or unknown API key",
    "403": "The key's role may not do this",
    "404": "Not found",
    "409": "Conflict with the current state (named in the body)",
    "413": "Request body too large",
    "422": "Invalid input: each bad field named in `errors`",
}


NO_KEY = {
    "signed": "No API key: the sender proves itself by its signature or organization id (docs/crm.md).",
    "public": "No API key: public by design (signed form tokens, honeypot and rate limit; docs/forms.md).",
}


def _policy(dependant: Any) -> Policy | None:
    stack = list(dependant.dependencies)
    while stack:
        d = stack.pop()
        if isinstance(d.call, Policy):
            return d.call
        stack.extend(d.dependencies)
    return None


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus security schemes on API-key routes and problem+json for every error status."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    components["securitySchemes"] = {
        API_KEY: {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "A key from `qualify users add` or POST /users (shown once)",
        },
        BEARER: {"type": "http", "scheme": "bearer", "description": "The same key as `Authorization: Bearer <key>`"},
    }
    problem_ref = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    policies = {
        (rc.path, m.lower()): _policy(rc.dependant)
        for rc in iter_route_contexts(app.routes)
        if getattr(rc, "dependant", None) is not None
        for m in (rc.methods or ())
    }
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            policy = policies.get((path, method))
            if policy is not None and policy.kind == "api":
                op["security"] = [{API_KEY: []}, {BEARER: []}]
                roles = ", ".join(sorted(r.value for r in policy.roles))
                op["description"] = (op.get("description", "") + f"\n\nRoles: {roles}.").strip()
            elif policy is not None and policy.kind in NO_KEY:
                op["description"] = (op.get("description", "") + f"\n\n{NO_KEY[policy.kind]}").strip()
            responses = op.setdefault("responses", {})
            for code, text in ERRORS.items():
                if code in ("401", "403") and (policy is None or policy.kind != "api"):
                    continue
                responses[code] = {"description": text, "content": problem_ref}
    _hoist_defs(doc, components["schemas"])
    app.openapi_schema = doc
    return doc


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> None:
    """Inline JSON Schemas (openapi_extra) carry `$defs`; OpenAPI tools want them under components (ReDoc fails)."""
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            schemas.setdefault(name, schema)
            _hoist_defs(schema, schemas)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node["$ref"] = "#/components/schemas/" + ref.removeprefix("#/$defs/")
        for value in list(node.values()):
            _hoist_defs(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _hoist_defs(value, schemas)


# The docs pages may load nothing from elsewhere, whatever their bundles reference (ReDoc's footer logo is on a CDN):
# the browser refuses it before any request leaves. Swagger UI starts from one inline script; ReDoc uses workers.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    page.headers["X-Content-Type-Options"] = "nosniff"
    return page


def install(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets from the package, and the patched OpenAPI document."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    app.openapi = lambda: openapi_schema(app)  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return _offline(
            get_swagger_ui_html(
                openapi_url="/openapi.json",
                title=f"{app.title} — API",
                oauth2_redirect_url="/docs/oauth2-redirect",
                swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
                swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
            )
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _offline(
            get_redoc_html(
                openapi_url="/openapi.json",
                title=f"{app.title} — API reference",
                redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
