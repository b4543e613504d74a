"""A fake HubSpot CRM API on 127.0.0.1 (real HTTP, a random port, a background thread) for the parts Qualify uses.

Shapes follow HubSpot's documentation:

- Authentication: private-app access token as `Authorization: Bearer <token>`; anything else is 401 with
  `category: INVALID_AUTHENTICATION` (developers.hubspot.com/docs/api/private-apps, "Make API calls with your app's
  access token").
- CRM objects v3 (developers.hubspot.com/docs/api/crm/contacts, /docs/api/crm/companies): GET
  `/crm/v3/objects/contacts/{id}?properties=a,b&associations=companies` answers `{id, properties, createdAt,
  updatedAt, archived, associations: {companies: {results: [{id, type: "contact_to_company"}]}}}`, only the
  properties asked for (plus hs_object_id, createdate, lastmodifieddate); an unknown id is 404 `OBJECT_NOT_FOUND`.
  PATCH `/crm/v3/objects/contacts/{id}` `{properties}`: a property that does not exist, an enumeration value
  that is not one of its options, or a value that is not of the property's type (datetime here: epoch
  milliseconds; date: YYYY-MM-DD or epoch milliseconds at midnight UTC, /docs/api/crm/properties "Property type
  and fieldType values") is 400 `VALIDATION_ERROR` with `errors[].context.propertyName`.
- Notes (developers.hubspot.com/docs/api/crm/notes): POST `/crm/v3/objects/notes` with `hs_timestamp` (required),
  `hs_note_body`, and `associations: [{to: {id}, types: [{associationCategory: "HUBSPOT_DEFINED",
  associationTypeId: 202}]}]` (202 = note → contact, /docs/api/crm/associations/association-details); 201.
- Properties (developers.hubspot.com/docs/api/crm/properties): POST `/crm/v3/properties/contacts/groups` and
  POST `/crm/v3/properties/contacts` (201; an existing name is 409 `OBJECT_ALREADY_EXISTS`; an unknown groupName 400).
- Rate limits (developers.hubspot.com/docs/api/usage-details, "Rate limits" and the error-handling page): every
  response carries `X-HubSpot-RateLimit-Max`, `-Remaining`, `-Interval-Milliseconds`, `-Secondly`,
  `-Secondly-Remaining`; over the limit it is 429 `{"status": "error", "message": "You have reached your
  ten_secondly_rolling limit.", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", …}`, here with
  `Retry-After` when scripted so.

Faults are scripted (`rate_limit_next`, `fail_next`) and every request is recorded in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

NOW = "2026-01-01T00:00:00.000Z"
STANDARD = {
    "email": "string",
    "firstname": "string",
    "lastname": "string",
    "jobtitle": "string",
    "phone": "string",
    "company": "string",
    "website": "string",
    "numberofemployees": "number",
    "industry": "string",
    "country": "string",
    "message": "string",
    "lifecyclestage": "enumeration",
    "hs_lead_status": "enumeration",
}
OPTIONS = {
    "lifecyclestage": {
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    },
    "hs_lead_status": {
        "NEW",
        "OPEN",
        "IN_PROGRESS",
        "OPEN_DEAL",
        "UNQUALIFIED",
        "ATTEMPTED_TO_CONTACT",
        "CONNECTED",
        "BAD_TIMING",
    },
}


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    path_prefix: str = ""


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int


class FakeHubSpot:
    """Contacts, companies, notes and property definitions in memory, served over HTTP."""

    def __init__(self, token: str = "pat-na1-test-token"):
        self.token = token
        self.contacts: dict[str, dict[str, Any]] = {}
        self.companies: dict[str, dict[str, Any]] = {}
        self.contact_companies: dict[str, list[str]] = {}
        self.notes: list[dict[str, Any]] = []
        self.properties: dict[str, dict[str, Any]] = {n: {"name": n, "type": t} for n, t in STANDARD.items()}
        self.groups: set[str] = {"contactinformation"}
        self.requests: list[Recorded] = []
        self.faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeHubSpot:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- scripting ---------------------------------------------------------------------------------------------
    def add_contact(self, contact_id: str, properties: dict[str, Any], company: dict[str, Any] | None = None) -> None:
        self.contacts[contact_id] = dict(properties)
        if company is not None:
            company_id = str(900 + len(self.companies))
            self.companies[company_id] = dict(company)
            self.contact_companies[contact_id] = [company_id]

    def rate_limit_next(self, n: int = 1, retry_after: str | None = "1", path_prefix: str = "") -> None:
        """The next `n` requests (under `path_prefix`) get HubSpot's 429."""
        headers = {
            "X-HubSpot-RateLimit-Max": "190",
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Secondly": "19",
            "X-HubSpot-RateLimit-Secondly-Remaining": "0",
        }
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        body = {
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": str(uuid.uuid4()),
            "policyName": "TEN_SECONDLY_ROLLING",
            "groupName": "publicapi:private-app:test",
        }
        for _ in range(n):
            self.faults.append(Fault(429, headers, body, path_prefix))

    def fail_next(self, status: int = 502, n: int = 1, path_prefix: str = "") -> None:
        body = {
            "status": "error",
            "message": "internal error",
            "correlationId": str(uuid.uuid4()),
            "category": "INTERNAL_ERROR",
        }
        for _ in range(n):
            self.faults.append(Fault(status, {}, body, path_prefix))

    def writes(self, method: str, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix) and r.status < 300]

    # --- serving -----------------------------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], Any]:
        url = urlsplit(target)
        path, query = url.path, parse_qs(url.query)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return 400, {}, _error("Invalid input JSON", "VALIDATION_ERROR")
        with self._lock:
            fault = next((f for f in self.faults if path.startswith(f.path_prefix)), None)
            if fault is not None:
                self.faults.remove(fault)
        if headers.get("authorization") != f"Bearer {self.token}":
            return (
                401,
                {},
                _error(
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication "
                    "and you can find more details at https://developers.hubspot.com/docs/methods/auth/"
                    "oauth-overview",
                    "INVALID_AUTHENTICATION",
                ),
            )
        if fault is not None:
            return fault.status, fault.headers, fault.body
        with self._lock:
            return self._route(method, path, query, body)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, dict[str, str], Any]:
        parts = path.strip("/").split("/")
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 5 and parts[3] in ("contacts", "companies"):
            store = self.contacts if parts[3] == "contacts" else self.companies
            object_id = parts[4]
            if object_id not in store:
                return 404, {}, _error("Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND")
            if method == "GET":
                return 200, {}, self._object(parts[3], object_id, query)
            if method == "PATCH" and parts[3] == "contacts":
                return self._update(object_id, (body or {}).get("properties", {}))
        if path == "/crm/v3/objects/notes" and method == "POST":
            return self._note(body or {})
        if path == "/crm/v3/properties/contacts/groups" and method == "POST":
            name = (body or {}).get("name")
            if name in self.groups:
                return 409, {}, _error(f"A property group named '{name}' already exists.", "OBJECT_ALREADY_EXISTS")
            self.groups.add(name)
            return 201, {}, {"name": name, "label": body.get("label", name), "displayOrder": -1, "archived": False}
        if path == "/crm/v3/properties/contacts" and method == "POST":
            return self._property(body or {})
        return 404, {}, _error(f"no route {method} {path}", "OBJECT_NOT_FOUND")

    def _object(self, kind: str, object_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
        store = self.contacts if kind == "contacts" else self.companies
        wanted = [p for v in query.get("properties", []) for p in v.split(",") if p]
        props = {p: store[object_id].get(p) for p in wanted}
        props.update(hs_object_id=object_id, createdate=NOW, lastmodifieddate=NOW)
        answer: dict[str, Any] = {
            "id": object_id,
            "properties": props,
            "createdAt": NOW,
            "updatedAt": NOW,
            "archived": False,
        }
        if kind == "contacts" and "companies" in ",".join(query.get("associations", [])):
            linked = self.contact_companies.get(object_id, [])
            if linked:
                answer["associations"] = {
                    "companies": {"results": [{"id": c, "type": "contact_to_company"} for c in linked]}
                }
        return answer

    def _update(self, contact_id: str, props: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        errors = []
        for name, value in props.items():
            definition = self.properties.get(name)
            if definition is None:
                errors.append(
                    {
                        "message": f'Property "{name}" does not exist',
                        "code": "PROPERTY_DOESNT_EXIST",
                        "context": {"propertyName": [name]},
                    }
                )
            elif name in OPTIONS and value not in OPTIONS[name]:
                errors.append(
                    {
                        "message": f"{value} was not one of the allowed options",
                        "code": "INVALID_OPTION",
                        "context": {"propertyName": [name]},
                    }
                )
            elif definition["type"] == "datetime" and not str(value).isdigit():
                errors.append(
                    {
                        "message": f"{value!r} is not a valid datetime (epoch milliseconds)",
                        "code": "INVALID_DATE",
                        "context": {"propertyName": [name]},
                    }
                )
            elif definition["type"] == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d+", str(value)):
                errors.append(
                    {
                        "message": f"{value!r} is not a valid date",
                        "code": "INVALID_DATE",
                        "context": {"propertyName": [name]},
                    }
                )
            elif definition["type"] == "number" and value not in (None, ""):
                try:
                    float(value)
                except (TypeError, ValueError):
                    errors.append(
                        {
                            "message": f"{value!r} is not a valid number",
                            "code": "INVALID_DECIMAL",
                            "context": {"propertyName": [name]},
                        }
                    )
        if errors:
            body = _error("Property values were not valid: " + json.dumps(errors), "VALIDATION_ERROR")
            body["errors"] = errors
            return 400, {}, body
        self.contacts[contact_id].update(props)
        return (
            200,
            {},
            {
                "id": contact_id,
                "properties": dict(self.contacts[contact_id]),
                "createdAt": NOW,
                "updatedAt": NOW,
                "archived": False,
            },
        )

    def _note(self, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        props = body.get("properties") or {}
        if not props.get("hs_timestamp"):
            return 400, {}, _error("hs_timestamp is required", "VALIDATION_ERROR")
        for assoc in body.get("associations") or []:
            target = str(assoc.get("to", {}).get("id"))
            types = assoc.get("types") or []
            if target not in self.contacts or not any(
                t.get("associationTypeId") == 202 and t.get("associationCategory") == "HUBSPOT_DEFINED" for t in types
            ):
                return 400, {}, _error(f"invalid association to {target}", "VALIDATION_ERROR")
        note_id = str(5000 + len(self.notes))
        self.notes.append({"id": note_id, "properties": props, "associations": body.get("associations") or []})
        return 201, {}, {"id": note_id, "properties": props, "createdAt": NOW, "updatedAt": NOW, "archived": False}

    def _property(self, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        name = body.get("name")
        if name in self.properties:
            return 409, {}, _error(f"Property named '{name}' already exists.", "OBJECT_ALREADY_EXISTS")
        if body.get("groupName") not in self.groups:
            return 400, {}, _error(f"group {body.get('groupName')!r} does not exist", "VALIDATION_ERROR")
        self.properties[name] = {"name": name, "type": body.get("type")}
        return (
            201,
            {},
            {
                "name": name,
                "label": body.get("label"),
                "type": body.get("type"),
                "fieldType": body.get("fieldType"),
                "groupName": body.get("groupName"),
                "description": body.get("description", ""),
                "options": [],
                "createdAt": NOW,
                "updatedAt": NOW,
            },
        )


def _error(message: str, category: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}


def _handler(fake: FakeHubSpot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body = fake.handle(self.command, self.path, headers, raw)
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw
            fake.requests.append(Recorded(self.command, urlsplit(self.path).path, headers, parsed, status))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status != 429:
                for k, v in {
                    "X-HubSpot-RateLimit-Max": "190",
                    "X-HubSpot-RateLimit-Remaining": "189",
                    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                }.items():
                    self.send_header(k, v)
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
