"""Salesforce: Outbound Messages in (SOAP, answered with an Ack), Lead status and SQL fields written back with
`simple-salesforce`.

Why Outbound Messages and not Platform-Event-style JSON: they are configured in Setup (a Flow or workflow action
choosing the Lead fields to send) with no Apex and no middleware, Salesforce itself queues and retries each message
for 24 hours until the endpoint acknowledges it, and every message names the sending organization (checked against
QUALIFY_SALESFORCE_ORG_IDS). Platform Events are not pushed over HTTP at all: a subscriber must hold a CometD or
Pub/Sub API (gRPC) connection, or Apex must call out, so "Platform-Event-style JSON" would mean custom code in the
org that signs and posts; docs/crm.md says how to add it if an org needs it.

Outbound Messaging WSDL (developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html):
`notifications` carries OrganizationId, ActionId, SessionId, EnterpriseUrl, PartnerUrl and up to 100 Notification
elements, each with an Id (to recognise a resend) and an sObject of the selected fields; the listener answers
`notificationsResponse` with `<Ack>true</Ack>`. A resent notification is acknowledged again and ignored.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from api.crm.mapping import ConnectorNotConfigured, MappingFile
from api.crm.record import SqlSnapshot
from api.jobs.service import JobFailed, RetryLater
from api.settings import Settings

log = logging.getLogger("qualify.crm.salesforce")

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND = "http://soap.sforce.com/2005/09/outbound"
SOBJECT = "urn:sobject.enterprise.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ACK = (
    f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>'
    f'<notificationsResponse xmlns="{OUTBOUND}"><Ack>true</Ack></notificationsResponse></soapenv:Body>'
    "</soapenv:Envelope>"
)
LIMIT_RETRY_SECONDS = 900.0  # REQUEST_LIMIT_EXCEEDED: the org's rolling 24-hour allowance; look again in 15 minutes


class OutboundMessageError(ValueError):
    """An Outbound Message that is not one (not XML, no notifications element, a missing id)."""


@dataclass(frozen=True)
class Notification:
    id: str
    sobject_type: str
    record_id: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    organization_id: str
    action_id: str
    notifications: list[Notification]


def parse_outbound(body: bytes) -> OutboundMessage:
    """Read an Outbound Message (DTDs and entities refused: defusedxml)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise OutboundMessageError(f"the body is not a SOAP message: {type(exc).__name__}") from exc
    found = root.find(f"{{{SOAP}}}Body/{{{OUTBOUND}}}notifications")
    if found is None:
        raise OutboundMessageError("no notifications element in the SOAP body")
    org = (found.findtext(f"{{{OUTBOUND}}}OrganizationId") or "").strip()
    if not org:
        raise OutboundMessageError("OrganizationId is missing")
    items = []
    for n in found.findall(f"{{{OUTBOUND}}}Notification"):
        nid = (n.findtext(f"{{{OUTBOUND}}}Id") or "").strip()
        obj = n.find(f"{{{OUTBOUND}}}sObject")
        if not nid or obj is None:
            raise OutboundMessageError("a Notification has no Id or no sObject")
        kind = (obj.get(f"{{{XSI}}}type") or "").split(":")[-1]
        values = {
            child.tag.split("}")[-1]: (child.text or "").strip()
            for child in obj
            if child.get(f"{{{XSI}}}nil") != "true"
        }
        record_id = values.get("Id", "")
        if not record_id:
            raise OutboundMessageError(f"Notification {nid} has no sObject Id")
        items.append(Notification(nid, kind, record_id, values))
    if not items:
        raise OutboundMessageError("the message has no Notification")
    return OutboundMessage(org, (found.findtext(f"{{{OUTBOUND}}}ActionId") or "").strip(), items)


def org_allowed(settings: Settings, org_id: str) -> bool:
    """The sending organization is on the allow-list (15- and 18-character ids compare by their first 15)."""
    return any(org_id[:15] == allowed[:15] for allowed in settings.salesforce_org_ids)


_tokens: dict[tuple[str, str], str] = {}
_tokens_lock = threading.Lock()


def _session(settings: Settings):
    import requests

    bundle = str(settings.salesforce_ca_bundle) if settings.salesforce_ca_bundle else None

    class PinnedSession(requests.Session):
        """requests lets REQUESTS_CA_BUNDLE override a session's `verify`; the configured bundle must win."""

        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if bundle:
                merged["verify"] = bundle
            return merged

    return PinnedSession()


def _access_token(settings: Settings, http: Any) -> str:
    """A static access token, or one from the OAuth 2.0 client-credentials flow (cached until refused)."""
    if settings.salesforce_access_token is not None:
        return settings.salesforce_access_token.get_secret_value()
    if not (settings.salesforce_client_id and settings.salesforce_client_secret and settings.salesforce_instance_url):
        raise ConnectorNotConfigured(
            "set QUALIFY_SALESFORCE_ACCESS_TOKEN, or QUALIFY_SALESFORCE_CLIENT_ID and "
            "QUALIFY_SALESFORCE_CLIENT_SECRET (client-credentials flow)"
        )
    key = (settings.salesforce_instance_url, settings.salesforce_client_id)
    with _tokens_lock:
        if key in _tokens:
            return _tokens[key]
    import requests

    try:
        answer = http.post(
            f"{settings.salesforce_instance_url.rstrip('/')}/services/oauth2/token",
            timeout=30,
            data={
                "grant_type": "client_credentials",
                "client_id": settings.salesforce_client_id,
                "client_secret": settings.salesforce_client_secret.get_secret_value(),
            },
        )
    except requests.RequestException as exc:
        raise RetryLater(f"Salesforce token endpoint unreachable ({type(exc).__name__})") from exc
    if answer.status_code != 200:
        error = answer.json().get("error", "") if "json" in answer.headers.get("content-type", "") else ""
        raise RetryLater(f"Salesforce refused the client-credentials token request ({answer.status_code} {error})")
    token = answer.json()["access_token"]
    with _tokens_lock:
        _tokens[key] = token
    return token


def forget_token(settings: Settings) -> None:
    with _tokens_lock:
        _tokens.pop((settings.salesforce_instance_url or "", settings.salesforce_client_id or ""), None)


def connect(settings: Settings):
    """A simple-salesforce client on the configured instance with an OAuth session."""
    from simple_salesforce import Salesforce

    if not settings.salesforce_instance_url:
        raise ConnectorNotConfigured("QUALIFY_SALESFORCE_INSTANCE_URL is not set")
    http = _session(settings)
    return Salesforce(
        instance_url=settings.salesforce_instance_url,
        session_id=_access_token(settings, http),
        version=settings.salesforce_api_version,
        session=http,
    )


def lead_fields(snap: SqlSnapshot, event_type: str, mapping: MappingFile) -> dict[str, Any]:
    """The Lead fields one transition writes: Status per the mapping, the SQL record items it maps."""
    wb = mapping.writeback
    data: dict[str, Any] = {}
    status = (wb.get("status") or {}).get(event_type)
    if status:
        data[str(wb.get("status_field", "Status"))] = status
    items = snap.items()
    for item, field_name in (wb.get("fields") or {}).items():
        if item not in items:
            raise JobFailed(
                f"salesforce mapping writeback.fields names {item!r}, which is not an SQL record item "
                f"({', '.join(sorted(items))})"
            )
        if items[item] is not None:
            data[str(field_name)] = items[item]
    return data


def _errors(content: Any) -> str:
    if isinstance(content, list):
        return "; ".join(
            f"{e.get('errorCode', '')}: {e.get('message', '')}"
            + (f" (fields {', '.join(e['fields'])})" if e.get("fields") else "")
            for e in content
        )[:500]
    return str(content)[:300]


def write_back(settings: Settings, snap: SqlSnapshot, event_type: str, mapping: MappingFile) -> None:
    """PATCH the Lead; Salesforce's faults become job outcomes (retry later, or failed naming the field)."""
    import requests
    from simple_salesforce.exceptions import (
        SalesforceError,
        SalesforceExpiredSession,
        SalesforceGeneralError,
        SalesforceRefusedRequest,
    )

    if not snap.external_id:
        raise JobFailed(f"lead {snap.lead_id} has no Salesforce record id")
    if not snap.external_id.startswith("00Q"):
        raise JobFailed(f"record {snap.external_id} is not a Lead (ids of Leads start with 00Q)")
    data = lead_fields(snap, event_type, mapping)
    try:
        sf = connect(settings)
        sf.Lead.update(snap.external_id, data)
    except ConnectorNotConfigured as exc:
        raise JobFailed(str(exc)) from exc
    except requests.RequestException as exc:
        raise RetryLater(f"Salesforce unreachable ({type(exc).__name__})") from exc
    except SalesforceRefusedRequest as exc:
        if "REQUEST_LIMIT_EXCEEDED" in _errors(exc.content):
            raise RetryLater("Salesforce REQUEST_LIMIT_EXCEEDED", LIMIT_RETRY_SECONDS, rate_limited=True) from exc
        raise JobFailed(f"Salesforce refused the update of Lead {snap.external_id}: {_errors(exc.content)}") from exc
    except SalesforceExpiredSession as exc:
        forget_token(settings)
        raise RetryLater("Salesforce session expired or invalid (INVALID_SESSION_ID)") from exc
    except SalesforceGeneralError as exc:
        if exc.status >= 500:
            raise RetryLater(f"Salesforce answered {exc.status}") from exc
        raise JobFailed(f"Salesforce answered {exc.status}: {_errors(exc.content)}") from exc
    except SalesforceError as exc:  # 400 malformed (a field or picklist value), 404 record gone
        raise JobFailed(
            f"Salesforce refused the update of Lead {snap.external_id} ({exc.status}): {_errors(exc.content)}"
        ) from exc
