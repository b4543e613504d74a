"""The qualifying form over HTTP: the page, progressive profiling, synchronous qualification, routing, spam and
CSRF controls, size limits and escaping."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.forms import service
from api.leads.models import LeadRow, ScorecardRow
from api.main import create_app
from api.review.models import AssignmentRow
from api.runtime import Runtime, build_runtime
from library.loader import LibraryValidationError, load_library
from tests.api.conftest import BACKENDS, add_user, make_settings

LEDGERLY = Path(__file__).resolve().parents[3] / "library" / "data" / "ledgerly"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module", params=BACKENDS)
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    # The test client's peer is "testclient": trusting it as a proxy lets each test come from its own address.
    rt = build_runtime(
        make_settings(
            tmp_path_factory.mktemp("forms"),
            request.param,
            form_rate_limit="3 per minute",
            trusted_proxies=["testclient"],
            form_max_bytes=20_000,
        )
    )
    add_user(rt, "sdr", f"sdr-{uuid.uuid4().hex[:6]}@test.example")
    yield rt
    rt.engine.dispose()


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> Iterator[object]:
    application = create_app(runtime=runtime)
    with TestClient(application):
        yield application


@pytest.fixture
def visitor(app: object) -> TestClient:
    """A browser of its own: its own cookie jar and its own client address."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    return TestClient(app, headers={"X-Forwarded-For": address})  # type: ignore[arg-type]


def token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def asked(html: str) -> list[str]:
    return sorted(set(re.findall(r'name="q\.([a-z_]+)"', html)))


def leads(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(LeadRow))  # type: ignore[return-value]


def post(c: TestClient, values: dict[str, str], headers: dict[str, str] | None = None, form: str = "demo"):  # type: ignore[no-untyped-def]
    page = c.get(f"/forms/{form}")
    return c.post(
        f"/forms/{form}", data={"token": token(page.text), **values}, headers=JSON if headers is None else headers
    )


def email() -> str:
    return f"dana-{uuid.uuid4().hex[:8]}@northwind.com"


def test_the_page_labels_every_input_loads_nothing_from_elsewhere_and_may_be_framed_only_by_the_seller(
    visitor: TestClient,
) -> None:
    r = visitor.get("/forms/demo")
    assert r.status_code == 200 and r.text.startswith("<!doctype html>") and '<html lang="en">' in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'self' https://www.ledgerly.example" in csp
    ids = re.findall(r'<(?:input|select|textarea) id="([^"]+)"', r.text)
    assert ids and all(f'for="{i}"' in r.text for i in ids)  # every control has a label
    assert re.findall(r'(?:src|href)="(https?:)?//', r.text) == []  # no third-party resource
    assert 'name="website"' in r.text and 'aria-hidden="true"' in r.text  # the honeypot, hidden from people
    assert r.cookies.get("qualify_visitor") and "httponly" in r.headers["set-cookie"].lower()
    assert visitor.get("/forms/nope").status_code == 404


def test_a_submission_is_qualified_at_once_goes_to_an_sdr_and_routes_by_tier(
    runtime: Runtime, visitor: TestClient
) -> None:
    before = leads(runtime)
    r = post(
        visitor,
        {
            "person.email": email(),
            "person.name": "Margaret Olsen",
            "person.title": "CFO",
            "company.name": "Harborline Logistics",
            "q.invoices": "More than 2,000",
            "q.budget": "$120k approved for this year",
            "q.role": "I sign off on it",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] and body["scorecard_id"] and leads(runtime) == before + 1
    with runtime.sessions() as s:
        lead = s.get(LeadRow, body["lead_id"])
        card = s.get(ScorecardRow, body["scorecard_id"])
        assigned = s.get(AssignmentRow, body["lead_id"])
    assert lead is not None and lead.source == "form" and lead.status == "in_review"
    assert lead.payload["form_answers"]["What is your budget for AP automation?"] == "$120k approved for this year"
    assert [e["type"] for e in lead.payload["events"]] == ["demo_request"]
    assert card is not None and card.tier == body["tier"] and assigned is not None and assigned.sdr_id
    form = runtime.deps.library.form("demo")
    assert body["message"] == form.routes[body["tier"]].message  # type: ignore[union-attr]
    # The second visit fills the gaps and the lead becomes sql_ready: the visitor is offered the meeting link.
    second = post(
        visitor,
        {
            "q.timeline": "Within 3 months",
            "q.process": "Mostly by hand (paper, e-mail, spreadsheets)",
            "q.erp": "NetSuite",
        },
    )
    assert second.json()["tier"] == "sql_ready" and second.json()["lead_id"] == body["lead_id"]
    assert second.json()["links"] == [{"label": "Book a meeting", "url": "https://meet.ledgerly.example/ap-demo"}]
    html = post(visitor, {"q.entities": "More than five"}, headers={})
    assert html.status_code == 200 and 'href="https://meet.ledgerly.example/ap-demo"' in html.text


def valid_answers(runtime: Runtime, fields: list[str]) -> dict[str, str]:
    form = runtime.deps.library.form("demo")
    assert form is not None
    return {
        f"q.{f}": (form.field(f).options[0] if form.field(f).options else "NetSuite, about $40k a year") for f in fields
    }


def test_a_returning_visitor_is_asked_new_questions_and_updates_the_same_lead(
    runtime: Runtime, visitor: TestClient
) -> None:
    first = visitor.get("/forms/demo")
    first_asked = asked(first.text)
    assert first_asked == ["budget", "invoices", "role"] and "welcome-back" not in first.text
    made = visitor.post(
        "/forms/demo",
        data={"token": token(first.text), "person.email": email(), **valid_answers(runtime, first_asked)},
        headers=JSON,
    ).json()
    again = visitor.get("/forms/demo")
    assert "welcome-back" in again.text and 'name="person.email"' not in again.text  # known contact not asked again
    second_asked = asked(again.text)
    assert second_asked and not set(second_asked) & set(first_asked)
    n = leads(runtime)
    redo = visitor.post(
        "/forms/demo", data={"token": token(again.text), **valid_answers(runtime, second_asked)}, headers=JSON
    )
    assert redo.status_code == 200, redo.text
    assert redo.json()["lead_id"] == made["lead_id"] and not redo.json()["created"] and leads(runtime) == n
    with runtime.sessions() as s:
        lead = s.get(LeadRow, made["lead_id"])
    # every answer of both visits is on the lead (a chosen "Yes" made its follow-up count)
    assert lead is not None and len(lead.payload["form_answers"]) == len(first_asked) + len(second_asked)
    # "Not you?" starts over as a new visitor with the first questions again
    fresh = visitor.get("/forms/demo?new=1")
    assert asked(fresh.text) == first_asked and "welcome-back" not in fresh.text


def test_a_returning_visitor_on_another_browser_is_recognised_by_e_mail(runtime: Runtime, app: object) -> None:
    address = email()
    one = TestClient(app, headers={"X-Forwarded-For": "10.1.1.1"})  # type: ignore[arg-type]
    made = post(one, {"person.email": address, "q.budget": "$20k"}).json()
    other = TestClient(app, headers={"X-Forwarded-For": "10.1.1.2"})  # type: ignore[arg-type]
    again = post(other, {"person.email": address.upper(), "q.role": "I sign off on it"}).json()
    assert again["lead_id"] == made["lead_id"] and again["created"] is False
    with runtime.sessions() as s:
        lead = s.get(LeadRow, made["lead_id"])
        revisions = s.scalar(select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == lead.id))  # type: ignore[union-attr]
    assert lead is not None and set(lead.payload["form_answers"]) == {
        "What is your budget for AP automation?",
        "What is your role in the purchase?",
    }
    assert revisions == 2  # the new answers made a new scorecard revision


def test_a_follow_up_is_taken_only_with_its_trigger_answer(runtime: Runtime) -> None:
    form = runtime.deps.library.form("demo")
    assert form is not None
    values = {"person.email": "a@b.com", "q.competitor": "No", "q.competitor_reason": "price"}
    _, answers, _ = service.parse(form, values, ["competitor", "competitor_reason"], ["person.email"], False)
    assert answers == {"Are you currently using another AP automation tool?": "No"}
    values["q.competitor"] = "Yes"
    _, answers, _ = service.parse(form, values, ["competitor", "competitor_reason"], ["person.email"], False)
    assert answers["What is driving you to look at alternatives?"] == "price"
    # not asked on this visit (not in the signed token): ignored, even when posted
    _, answers, _ = service.parse(form, values, ["budget"], ["person.email"], False)
    assert answers == {}
    with pytest.raises(service.FormProblem) as bad:
        service.parse(
            form, {"person.email": "a@b.com", "q.competitor": "Maybe"}, ["competitor"], ["person.email"], False
        )
    assert list(bad.value.errors) == ["q.competitor"]


def test_the_next_best_fields_are_the_unknown_ones_that_weigh_most_for_the_segment(runtime: Runtime) -> None:
    lib = runtime.deps.library
    form = lib.form("demo")
    assert form is not None
    first = service.plan(lib, form, None, None)
    assert [f.id for f in first.fields] == ["invoices", "budget", "role"]  # 12, 22, 21 points, in the form's order
    # An enterprise lead whose budget and role questions are answered; invoices were asked already.
    lead = {
        "form_answers": {"How many invoices do you process per month?": "More than 2,000"},
        "person": {"email": "a@b.com"},
        "company": {},
    }
    card = {
        "sections": [{"section": "segment", "match": {"entity_id": "enterprise"}}],
        "answers": [
            {"question_id": q, "answer": "yes"}
            for q in ("budget_50k", "budget_approved", "economic_buyer_involved", "is_student")
        ]
        + [
            {"question_id": q, "answer": "unknown"}
            for q in (
                "go_live_90_days",
                "manual_ap_process",
                "competitor_lock_in",
                "competitor_evaluation",
                "multi_entity",
                "erp_supported",
            )
        ],
    }
    later = service.plan(lib, form, lead, card)
    ids = [f.id for f in later.fields]
    assert "invoices" not in ids and "budget" not in ids and "role" not in ids
    assert ids == ["process", "timeline", "competitor", "competitor_reason"]  # competitor 10, timeline 7, process 7
    assert later.scores["process"] == 7  # outgrowing_tools is an SMB question: it does not count for enterprise
    assert "person.email" not in later.contact and "person.name" in later.contact


def test_the_honeypot_and_the_rate_limit_never_create_a_lead(runtime: Runtime, visitor: TestClient) -> None:
    before = leads(runtime)
    bot = post(visitor, {"person.email": email(), "q.budget": "$1", "website": "http://spam.example"})
    assert bot.status_code == 200 and "lead_id" not in bot.json() and leads(runtime) == before
    made = [post(visitor, {"person.email": email(), "q.budget": "$10k"}) for _ in range(3)]
    assert [r.status_code for r in made] == [200, 200, 200]
    limited = post(visitor, {"person.email": email(), "q.budget": "$10k"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert leads(runtime) == before + 1  # three posts of one visitor: one lead, updated; the fourth stored nothing


def test_oversized_and_unsigned_posts_store_nothing(runtime: Runtime, visitor: TestClient) -> None:
    before = leads(runtime)
    page = visitor.get("/forms/demo")
    big = visitor.post(
        "/forms/demo", data={"token": token(page.text), "person.email": email(), "notes": "x" * 30_000}, headers=JSON
    )
    assert big.status_code == 413 and big.json()["errors"][0]["field"] == "body"
    none = visitor.post("/forms/demo", data={"person.email": email()}, headers=JSON)
    assert none.status_code == 403 and none.json()["errors"][0]["field"] == "form"
    served = token(page.text)
    tampered = served[:-1] + ("0" if served[-1] != "0" else "1")  # one character of the signature changed
    forged = visitor.post("/forms/demo", data={"token": tampered, "person.email": email()}, headers=JSON)
    assert forged.status_code == 403
    stranger = TestClient(visitor.app, headers={"X-Forwarded-For": "10.9.9.9"})  # another visitor's cookie jar
    stolen = stranger.post("/forms/demo", data={"token": token(page.text), "person.email": email()}, headers=JSON)
    assert stolen.status_code == 403  # the token is bound to the visitor it was served to
    assert (
        visitor.post("/forms/demo", content=b'{"a": 1}', headers={"Content-Type": "application/json"}).status_code
        == 415
    )
    assert leads(runtime) == before


def test_a_bad_answer_is_422_naming_the_field_and_the_page_shows_it_escaped(
    runtime: Runtime, visitor: TestClient
) -> None:
    before = leads(runtime)
    r = post(visitor, {"person.email": "not-an-email", "q.budget": "<script>alert(1)</script>"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["person.email"]
    html = post(visitor, {"person.email": "not-an-email", "q.budget": "<script>alert(1)</script>"}, headers={})
    assert html.status_code == 422 and 'role="alert"' in html.text and 'aria-invalid="true"' in html.text
    assert "<script>alert(1)</script>" not in html.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in html.text
    assert leads(runtime) == before


def test_the_embed_script_frames_this_form(visitor: TestClient) -> None:
    r = visitor.get("/forms/demo/embed.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert '"http://testserver/forms/demo?embed=1"' in r.text and "__SRC__" not in r.text
    assert visitor.get("/forms/static/form.js").status_code == 200
    assert visitor.get("/forms/static/secret.py").status_code == 404


def _library_with(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    import shutil

    target = tmp_path / "lib"
    shutil.copytree(LEDGERLY, target)
    data = yaml.safe_load((target / "forms.yaml").read_text())
    change(data["forms"][0])
    (target / "forms.yaml").write_text(yaml.safe_dump(data))
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f["fields"][0].update(informs=["no_such_question"]), "unknown question"),
        (
            lambda f: f["fields"].insert(
                0, {"id": "early", "label": "Why?", "show_if": {"field": "competitor", "values": ["Yes"]}}
            ),
            "must be an earlier field",
        ),
        (lambda f: f["fields"][7].update(show_if={"field": "competitor", "values": ["Perhaps"]}), "not options"),
        (lambda f: f.update(contact=[{"field": "person.name", "label": "Name"}]), "person.email"),
        (lambda f: f["routes"].pop("nurture"), "nurture"),
    ],
)
def test_a_bad_form_in_the_library_is_refused_with_the_reason(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LibraryValidationError, match=message) as err:
        load_library(_library_with(tmp_path, change))
    assert "forms" in str(err.value)  # the file (or, for a cross-reference, the section) is named


def test_two_first_submissions_racing_with_one_e_mail_make_one_lead(
    runtime: Runtime, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither submission sees the other's lead when it looks the address up (the race); intake's key still makes one."""
    from api.forms import service

    monkeypatch.setattr(service, "lead_by_email", lambda s, address: None)
    address = email()
    before = leads(runtime)
    one = TestClient(app, headers={"X-Forwarded-For": "10.2.2.1"})  # type: ignore[arg-type]
    other = TestClient(app, headers={"X-Forwarded-For": "10.2.2.2"})  # type: ignore[arg-type]
    first = post(one, {"person.email": address, "q.budget": "$20k"}).json()
    second = post(other, {"person.email": address.upper(), "q.budget": "$20k"}).json()
    assert second["lead_id"] == first["lead_id"] and leads(runtime) == before + 1
