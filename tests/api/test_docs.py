"""The API docs work offline: every page's resources are same-origin and served; the OpenAPI document has an API-key
scheme, a schema for every success and problem+json for errors (422 included)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from fastapi.testclient import TestClient

RESOURCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*['"]?([^'")]+)""", re.I)


def _resources(html: str) -> list[str]:
    return [a or b for a, b in RESOURCE.findall(html)]


def test_every_served_page_loads_only_same_origin_resources(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/ui/login"):
        r = client.get(path)
        assert r.status_code == 200, path
        found = _resources(r.text)
        assert found, path  # the pages do load scripts/styles: the check must see them
        for url in found:
            parsed = urlparse(url)
            assert not parsed.scheme and not parsed.netloc, (path, url)
            if url.startswith("/"):
                assert client.get(url).status_code == 200, (path, url)
    swagger = client.get("/docs").text
    assert '"validatorUrl": null' in swagger  # Swagger UI would otherwise call an online validator


def test_the_swagger_bundle_is_the_real_one_from_the_package(client: TestClient) -> None:
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000 and b"SwaggerUIBundle" in js.content


def test_openapi_has_an_api_key_scheme_on_every_api_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schemes["ApiKey"]["description"],
    }
    assert schemes["Bearer"]["scheme"] == "bearer"
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if path == "/healthz":
                assert "security" not in op
                continue
            if "No API key:" in op.get("description", ""):  # CRM webhooks (signed) and the public form
                assert "security" not in op, (method, path)
                continue
            assert op["security"] == [{"ApiKey": []}, {"Bearer": []}], (method, path)
            assert "Roles:" in op["description"], (method, path)


def test_every_success_has_a_schema_and_every_error_is_problem_json(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ok = [c for c in op["responses"] if c.startswith("2")]
            assert ok, (method, path)
            for code in ok:
                if code == "204":  # No Content: nothing to describe
                    assert "content" not in op["responses"][code], (method, path)
                    continue
                content = op["responses"][code]["content"]
                if "application/json" not in content:  # a SOAP Ack or an HTML form: documented by its media type
                    assert set(content) & {"text/xml", "text/html", "application/javascript"}, (method, path, content)
                    continue
                schema = content["application/json"]["schema"]
                assert schema.get("$ref") or schema.get("items", {}).get("$ref"), (method, path, code, schema)
            for code in ("404", "409", "422"):
                content = op["responses"][code]["content"]
                assert list(content) == ["application/problem+json"], (method, path, code)
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    queue = doc["components"]["schemas"]["QueueItemOut"]["properties"]
    assert {"owner", "waiting_minutes", "breached"} <= set(queue)


def test_no_inline_defs_remain_for_redoc(client: TestClient) -> None:
    text = client.get("/openapi.json").text
    assert "$defs" not in text  # ReDoc stops with "Invalid reference token: $defs"


def test_the_docs_pages_forbid_other_origins(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        csp = client.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in csp and "img-src 'self' data:" in csp and "https:" not in csp
