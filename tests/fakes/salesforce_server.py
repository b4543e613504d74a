"""A fake Salesforce org on 127.0.0.1 over HTTPS (a self-signed certificate made per run), for the parts Qualify uses.

simple-salesforce always speaks https to `instance_url`, so the fake does too; the connector trusts it through
QUALIFY_SALESFORCE_CA_BUNDLE, as it would a TLS-inspecting proxy's CA. Shapes follow Salesforce's documentation:

- OAuth 2.0 client-credentials flow (help.salesforce.com, "OAuth 2.0 Client Credentials Flow for Server-to-Server
  Integration"): POST `/services/oauth2/token` with grant_type=client_credentials, client_id, client_secret answers
  `{access_token, instance_url, id, token_type: "Bearer", issued_at, signature}`; bad credentials are 400
  `{"error": "invalid_client", "error_description": "invalid client credentials"}`.
- REST API (developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm): PATCH
  `/services/data/vXX.X/sobjects/Lead/{id}` answers 204 with no body. Errors are a JSON list of
  `{message, errorCode, fields?}` (…/errorcodes.htm): 400 `INVALID_FIELD` ("No such column 'X' on sobject of type
  Lead"), 400 `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`, 404 `NOT_FOUND`, 401 `INVALID_SESSION_ID` ("Session expired
  or invalid") for a missing, unknown or expired Bearer token, and 403 `REQUEST_LIMIT_EXCEEDED` ("TotalRequests Limit
  exceeded.") once the org's API allowance is used up (…/api_rest/headers_api_usage.htm: every answer carries
  `Sforce-Limit-Info: api-usage=N/M`).
- Outbound Messages (developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html):
  `outbound_message()` builds the SOAP `notifications` envelope Salesforce posts (OrganizationId, ActionId, SessionId,
  EnterpriseUrl, PartnerUrl, Notification{Id, sObject xsi:type="sf:Lead"}).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

LEAD_FIELDS = {
    "Id",
    "Email",
    "FirstName",
    "LastName",
    "Title",
    "Phone",
    "Company",
    "Website",
    "NumberOfEmployees",
    "Industry",
    "Country",
    "Description",
    "Status",
    "Qualify_Qualified_At__c",
    "Qualify_Qualifying_Rep__c",
    "Qualify_Checklist__c",
    "Qualify_Discovery_Notes__c",
    "Qualify_Next_Step__c",
    "Qualify_Next_Step_Date__c",
    "Qualify_Opportunity_Value__c",
    "Qualify_Tier__c",
    "Qualify_Score__c",
    "Qualify_Scorecard_URL__c",
}
STATUSES = {"Open - Not Contacted", "Working - Contacted", "Qualified", "Closed - Converted", "Closed - Not Converted"}


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 (files in `folder`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fake-salesforce.pem", folder / "fake-salesforce.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class FakeSalesforce:
    """Leads in memory behind the OAuth token endpoint and the sObject REST API."""

    def __init__(self, folder: Path, client_id: str = "3MVG9-test-client", client_secret: str = "test-secret"):
        self.client_id, self.client_secret = client_id, client_secret
        self.leads: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str, Any, int]] = []
        self.faults: deque[tuple[int, list[dict[str, Any]]]] = deque()
        self.api_usage = 0
        self.cert, key = self_signed(folder)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def instance_url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeSalesforce:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_lead(self, lead_id: str, fields: dict[str, Any]) -> None:
        self.leads[lead_id] = {"Id": lead_id, **fields}

    def limit_next(self, n: int = 1) -> None:
        """The next `n` API calls are over the org's allowance (403 REQUEST_LIMIT_EXCEEDED)."""
        for _ in range(n):
            self.faults.append(
                (403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
            )

    def expire_sessions(self) -> None:
        self.tokens.clear()

    def patches(self) -> list[dict[str, Any]]:
        return [body for method, path, body, status in self.requests if method == "PATCH" and status == 204]

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        url = urlsplit(target)
        if url.path == "/services/oauth2/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if (
                form.get("grant_type") != "client_credentials"
                or form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
            ):
                return 400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            token = "00D000000000001!" + uuid.uuid4().hex
            self.tokens.add(token)
            return 200, {
                "access_token": token,
                "instance_url": self.instance_url,
                "token_type": "Bearer",
                "id": f"{self.instance_url}/id/00D000000000001AAA/005000000000001AAA",
                "issued_at": "1767225600000",
                "signature": "c2lnbmF0dXJl",
                "scope": "api",
            }
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return 401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        if self.faults:
            return self.faults.popleft()
        self.api_usage += 1
        parts = url.path.strip("/").split("/")
        if len(parts) == 6 and parts[:2] == ["services", "data"] and parts[3:5] == ["sobjects", "Lead"]:
            lead_id = parts[5]
            if lead_id not in self.leads:
                return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            if method == "GET":
                return 200, {"attributes": {"type": "Lead"}, **self.leads[lead_id]}
            if method == "PATCH":
                body = json.loads(raw or b"{}")
                unknown = sorted(set(body) - LEAD_FIELDS)
                if unknown:
                    return 400, [
                        {
                            "message": f"No such column '{unknown[0]}' on sobject of type Lead",
                            "errorCode": "INVALID_FIELD",
                        }
                    ]
                if "Status" in body and body["Status"] not in STATUSES:
                    return 400, [
                        {
                            "message": f"Status: bad value for restricted picklist field: {body['Status']}",
                            "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                            "fields": ["Status"],
                        }
                    ]
                self.leads[lead_id].update(body)
                return 204, None
        return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def _handler(fake: FakeSalesforce) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = fake.handle(self.command, self.path, headers, raw)
            try:
                parsed = json.loads(raw) if raw and self.command == "PATCH" else None
            except ValueError:
                parsed = None
            fake.requests.append((self.command, urlsplit(self.path).path, parsed, status))
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Sforce-Limit-Info", f"api-usage={fake.api_usage}/15000")
            if data:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

    return Handler


def outbound_message(
    org_id: str,
    leads: list[dict[str, str]],
    *,
    action_id: str = "04k000000000001AAA",
    notification_ids: list[str] | None = None,
) -> bytes:
    """The SOAP body Salesforce posts for an Outbound Message on Leads (one Notification per lead)."""
    ids = notification_ids or ["04l" + uuid.uuid4().hex[:12].upper() + "AAA" for _ in leads]  # unique, as Salesforce's
    notes = []
    for nid, lead in zip(ids, leads, strict=True):
        fields = "".join(f"<sf:{k}>{escape(str(v))}</sf:{k}>" for k, v in lead.items())
        notes.append(
            f'<Notification><Id>{nid}</Id><sObject xsi:type="sf:Lead" '
            f'xmlns:sf="urn:sobject.enterprise.soap.sforce.com">{fields}</sObject></Notification>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{org_id}</OrganizationId><ActionId>{action_id}</ActionId>"
        '<SessionId xsi:nil="true"/>'
        "<EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/62.0/00D000000000001</EnterpriseUrl>"
        "<PartnerUrl>https://example.my.salesforce.com/services/Soap/u/62.0/00D000000000001</PartnerUrl>"
        + "".join(notes)
        + "</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()
