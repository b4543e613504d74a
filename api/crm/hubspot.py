"""HubSpot: signed webhooks in (v3 signature), contacts read and SQL records written back with `hubspot-api-client`.

Signature v3 (developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation):
reject a request whose X-HubSpot-Request-Timestamp (milliseconds) is older than 5 minutes; decode the URL-encoded
characters HubSpot lists in the request URI; HMAC-SHA256, keyed with the app's client secret, over the UTF-8 string
method + URI + body + timestamp; base64 of the digest compared in constant time with X-HubSpot-Signature-v3.

Write-back (docs/crm.md): the contact's lifecyclestage and hs_lead_status per the mapping file, the SQL record as
`qualify_*` contact properties (created by `qualify crm hubspot setup`), and a note associated to the contact
(association type 202, note → contact). Rate limits (429, X-HubSpot-RateLimit-* / Retry-After) and 5xx become
RetryLater on the job queue; a property HubSpot refuses (400) fails the job naming the property.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from api.crm.mapping import ConnectorNotConfigured, MappingFile
from api.crm.record import SqlSnapshot
from api.jobs.service import JobFailed, RetryLater
from api.settings import Settings

if TYPE_CHECKING:
    from hubspot import HubSpot

log = logging.getLogger("qualify.crm.hubspot")

# HubSpot's table of URL-encoded characters to decode in the request URI before signing (the `?` starting the
# query string is never encoded).
_URI_DECODE = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
NOTE_TO_CONTACT = 202  # HUBSPOT_DEFINED association type id, note → contact
GROUP = "qualify"

# The SQL record as contact properties (name, label, type, fieldType): created by `qualify crm hubspot setup`.
PROPERTIES: list[tuple[str, str, str, str]] = [
    ("qualify_qualified_at", "Qualified at (Qualify)", "datetime", "date"),
    ("qualify_qualifying_rep", "Qualifying rep (Qualify)", "string", "text"),
    ("qualify_checklist", "Qualification checklist (Qualify)", "string", "textarea"),
    ("qualify_discovery_notes", "Discovery notes (Qualify)", "string", "textarea"),
    ("qualify_next_step", "Next step (Qualify)", "string", "text"),
    ("qualify_next_step_date", "Next step date (Qualify)", "date", "date"),
    ("qualify_opportunity_value", "Opportunity value estimate (Qualify)", "number", "number"),
    ("qualify_opportunity_currency", "Opportunity currency (Qualify)", "string", "text"),
    ("qualify_tier", "Tier (Qualify)", "string", "text"),
    ("qualify_score", "Score (Qualify)", "number", "number"),
    ("qualify_status", "Status in Qualify", "string", "text"),
    ("qualify_scorecard_url", "Scorecard link (Qualify)", "string", "text"),
]
_ITEM_PROPERTY = {
    "qualified_at": "qualify_qualified_at",
    "qualifying_rep": "qualify_qualifying_rep",
    "checklist": "qualify_checklist",
    "discovery_notes": "qualify_discovery_notes",
    "next_step": "qualify_next_step",
    "next_step_date": "qualify_next_step_date",
    "opportunity_value": "qualify_opportunity_value",
    "currency": "qualify_opportunity_currency",
    "tier": "qualify_tier",
    "score": "qualify_score",
    "status": "qualify_status",
    "scorecard_url": "qualify_scorecard_url",
}


class SignatureError(Exception):
    """A webhook that HubSpot did not sign (or signed too long ago): `status` is the HTTP status to answer."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def normalise_uri(uri: str) -> str:
    """The request URI as HubSpot signs it: its listed URL-encoded characters decoded."""
    for encoded, plain in _URI_DECODE.items():
        uri = uri.replace(encoded, plain).replace(encoded.lower(), plain)
    return uri


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The X-HubSpot-Signature-v3 value for a request (base64 HMAC-SHA256 of method + URI + body + timestamp)."""
    message = method.upper().encode() + normalise_uri(uri).encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def verify_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    window: timedelta = timedelta(minutes=5),
) -> None:
    """Raise SignatureError unless the request carries a valid, fresh v3 signature."""
    if not signature or not timestamp:
        raise SignatureError(401, "X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required")
    try:
        sent = datetime.fromtimestamp(int(timestamp) / 1000, tz=now.tzinfo)
    except (ValueError, OverflowError, OSError) as exc:
        raise SignatureError(400, "X-HubSpot-Request-Timestamp is not a time in milliseconds") from exc
    if now - sent > window:
        raise SignatureError(400, f"the request timestamp is older than {int(window.total_seconds())} seconds")
    if sent - now > timedelta(minutes=1):
        raise SignatureError(400, "the request timestamp is in the future")
    expected = sign_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError(401, "the X-HubSpot-Signature-v3 signature does not match")


def client(settings: Settings) -> HubSpot:
    """The official client, authenticated with the private-app token, on the configured host."""
    from hubspot import HubSpot
    from urllib3 import Retry

    if settings.hubspot_access_token is None:
        raise ConnectorNotConfigured("QUALIFY_HUBSPOT_ACCESS_TOKEN is not set")
    # Reconnect twice at most; a 429 or 5xx is never retried inside the call (urllib3 would sleep out a Retry-After
    # there, holding the worker): it goes back to the job queue, which waits without holding anything.
    no_status_retries = Retry(
        total=2,
        connect=2,
        read=0,
        redirect=0,
        status=0,
        other=0,
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    return HubSpot(
        access_token=settings.hubspot_access_token.get_secret_value(),
        host=settings.hubspot_base_url.rstrip("/"),
        retry=no_status_retries,
    )


def _wait(headers: Any) -> float | None:
    """Seconds to wait from a 429: Retry-After, else the rate-limit interval HubSpot names."""
    if not headers:
        return None
    get = headers.get if hasattr(headers, "get") else dict(headers).get
    retry_after = get("Retry-After")
    if retry_after:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            pass
    interval = get("X-HubSpot-RateLimit-Interval-Milliseconds")
    if interval:
        try:
            return float(interval) / 1000
        except ValueError:
            pass
    return None


def _refused_property(body: Any) -> str:
    """The property names a HubSpot 400 names (errors[].context.propertyName), for the job's error."""
    try:
        data = json.loads(body) if isinstance(body, (str, bytes)) else {}
    except ValueError:
        return ""
    names = [n for e in data.get("errors", []) for n in (e.get("context", {}) or {}).get("propertyName", [])]
    message = str(data.get("message", ""))[:300]
    return (f"property {', '.join(names)}: " if names else "") + message


def call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the client; translate HubSpot's faults into job outcomes (retry later or failed)."""
    import urllib3

    try:
        return fn(*args, **kwargs)
    except urllib3.exceptions.HTTPError as exc:
        raise RetryLater(f"{what}: HubSpot unreachable ({type(exc).__name__})") from exc
    except Exception as exc:
        status = getattr(exc, "status", None)
        if not isinstance(status, int) or not type(exc).__module__.startswith("hubspot."):
            raise
        if status == 429:
            raise RetryLater(
                f"{what}: HubSpot rate limit (429)", _wait(getattr(exc, "headers", None)), rate_limited=True
            ) from exc
        if status >= 500 or status in (401, 403, 408):  # 401/403: a token being fixed; counted, with backoff
            raise RetryLater(f"{what}: HubSpot answered {status}") from exc
        raise JobFailed(f"{what}: HubSpot answered {status}: {_refused_property(getattr(exc, 'body', None))}") from exc


def fetch_contact(hs: HubSpot, contact_id: str, mapping: MappingFile) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The contact's mapped properties, and its primary company's (None when it has none)."""
    contact = call(
        f"read contact {contact_id}",
        hs.crm.contacts.basic_api.get_by_id,
        contact_id,
        properties=mapping.properties(),
        associations=["companies"] if mapping.company_fields else None,
    )
    company = None
    links = (contact.associations or {}).get("companies") if contact.associations else None
    results = getattr(links, "results", None) or []
    if results and mapping.company_fields:
        company_id = results[0].id
        found = call(
            f"read company {company_id}",
            hs.crm.companies.basic_api.get_by_id,
            company_id,
            properties=mapping.properties(company=True),
        )
        company = dict(found.properties or {})
    return dict(contact.properties or {}), company


def contact_properties(snap: SqlSnapshot, event_type: str, mapping: MappingFile) -> dict[str, str]:
    """The contact properties one transition writes (None values left out: HubSpot would clear them)."""
    props: dict[str, str] = {}
    for name in ("lifecyclestage", "hs_lead_status"):
        value = (mapping.writeback.get(name) or {}).get(event_type)
        if value:
            props[name] = str(value)
    for item, value in snap.items().items():
        if value is None:
            continue
        if item == "qualified_at":  # datetime properties: epoch milliseconds, the one form HubSpot always takes
            value = int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)
        props[_ITEM_PROPERTY[item]] = str(value)
    return props


def write_back(
    hs: HubSpot, snap: SqlSnapshot, event_type: str, mapping: MappingFile, progress: Any, now: datetime
) -> None:
    """Update the contact, then add the note (each step recorded in the job so a retry does not repeat it)."""
    from hubspot.crm.contacts import SimplePublicObjectInput
    from hubspot.crm.objects.notes import AssociationSpec, PublicAssociationsForObject, PublicObjectId
    from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate

    contact_id = snap.external_id
    if not contact_id:
        raise JobFailed(f"lead {snap.lead_id} has no HubSpot contact id")
    if not progress.payload.get("properties_written"):
        call(
            f"update contact {contact_id}",
            hs.crm.contacts.basic_api.update,
            contact_id,
            SimplePublicObjectInput(properties=contact_properties(snap, event_type, mapping)),
        )
        progress.save(properties_written=True)
    if event_type in mapping.writeback.get("note_on", []) and not progress.payload.get("note_id"):
        note = SimplePublicObjectInputForCreate(
            properties={
                "hs_timestamp": now.isoformat().replace("+00:00", "Z"),
                "hs_note_body": snap.note_html(event_type),
            },
            associations=[
                PublicAssociationsForObject(
                    to=PublicObjectId(id=contact_id),
                    types=[
                        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=NOTE_TO_CONTACT)
                    ],
                )
            ],
        )
        made = call(f"add a note to contact {contact_id}", hs.crm.objects.notes.basic_api.create, note)
        progress.save(note_id=str(made.id))


def setup(hs: HubSpot) -> list[tuple[str, str]]:
    """Create the `qualify` property group and the SQL record properties; returns (name, created|exists) rows."""
    from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate

    done: list[tuple[str, str]] = []

    def create(name: str, fn: Any, *args: Any) -> None:
        try:
            call(f"create {name}", fn, *args)
            done.append((name, "created"))
        except JobFailed as exc:
            if "answered 409" not in str(exc):
                raise
            done.append((name, "exists"))

    create(
        f"group {GROUP}",
        hs.crm.properties.groups_api.create,
        "contacts",
        PropertyGroupCreate(name=GROUP, label="Qualify", display_order=-1),
    )
    for name, label, kind, field_type in PROPERTIES:
        create(
            name,
            hs.crm.properties.core_api.create,
            "contacts",
            PropertyCreate(
                name=name,
                label=label,
                type=kind,
                field_type=field_type,
                group_name=GROUP,
                description="Written by Qualify when a lead is confirmed or accepted",
            ),
        )
    return done
