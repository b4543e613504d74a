"""The qualifying form: which fields to ask this visitor (progressive profiling), signed form tokens, and a
submission that creates or updates the lead and qualifies it at once.

Next-best fields: a field is worth the summed weight of the qualifying questions it `informs` that apply to the
lead's segment and are still unknown on its latest scorecard; answered fields are never asked again. A first-time
visitor has no segment yet, so every question counts. The best `questions_per_visit` are asked, each with its
follow-ups (`show_if`), which are accepted only when their trigger answer was given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.schemas import MAX_ANSWER_CHARS, EmailStr, Lead
from api.audit import service as audit
from api.db import transaction
from api.forms.models import FormVisitorRow
from api.leads import service as leads
from api.leads.flows import RETRYABLE, REVIEW_AFTER_TRANSCRIPT, LeadStatus
from api.leads.models import LeadRow, ScorecardRow
from api.runtime import Runtime
from library.schemas import FormField, Library, QualifyingForm

TOKEN_MAX_AGE = 24 * 3600
MAX_TEXT = 2_000  # per answer; a form answer is a sentence or two, not a document
_EMAIL = TypeAdapter(EmailStr)


class FormProblem(Exception):
    """A submission that cannot be accepted as sent; `errors` maps field names to messages (shown next to them)."""

    def __init__(self, errors: dict[str, str], status: int = 422):
        self.errors, self.status = errors, status
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# --- who is this visitor, and what do we already know ----------------------------------------------------------------


def visitor_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def visitor_lead(s: Session, form_id: str, token: str | None) -> LeadRow | None:
    """The lead a returning visitor's cookie points at."""
    if not token:
        return None
    row = s.get(FormVisitorRow, visitor_hash(token))
    return s.get(LeadRow, row.lead_id) if row is not None else None


def lead_by_email(s: Session, email: str) -> LeadRow | None:
    """The most recent form lead with this e-mail (a returning visitor on another device)."""
    return s.scalar(
        select(LeadRow)
        .where(LeadRow.source == "form", func.lower(LeadRow.payload["person"]["email"].as_string()) == email.lower())
        .order_by(LeadRow.received_at.desc())
        .limit(1)
    )


def latest_card(s: Session, lead_id: str) -> dict[str, Any] | None:
    card = s.scalar(
        select(ScorecardRow).where(ScorecardRow.lead_id == lead_id).order_by(ScorecardRow.revision.desc()).limit(1)
    )
    return card.payload if card else None


def _segment(card: dict[str, Any] | None) -> str | None:
    for section in (card or {}).get("sections", []):
        if section.get("section") == "segment" and section.get("match"):
            return section["match"]["entity_id"]
    return None


@dataclass
class Plan:
    """What to ask on this visit."""

    fields: list[FormField]  # top fields, each followed by its follow-ups
    contact: list[str]  # contact fields still to ask
    returning: bool
    scores: dict[str, float] = field(default_factory=dict)


def plan(library: Library, form: QualifyingForm, lead: dict[str, Any] | None, card: dict[str, Any] | None) -> Plan:
    """The next-best fields for this visitor (see the module docstring)."""
    answered = set((lead or {}).get("form_answers", {}))
    segment = _segment(card)
    applicable = {q.id: q for q in (library.questions_for(segment) if segment else library.questions)}
    decided = {a["question_id"] for a in (card or {}).get("answers", []) if a["answer"] != "unknown"}
    scores: dict[str, float] = {}
    for f in form.fields:
        if f.show_if is not None or f.label in answered:
            continue
        open_qs = [applicable[q] for q in f.informs if q in applicable and q not in decided]
        if not f.informs:
            scores[f.id] = 0.5  # a field that informs no question is asked only when nothing better is left
        elif open_qs:
            scores[f.id] = sum(q.weight for q in open_qs)
    order = {f.id: i for i, f in enumerate(form.fields)}
    top = sorted(scores, key=lambda fid: (-scores[fid], order[fid]))[: form.questions_per_visit]
    chosen: list[FormField] = []
    for fid in sorted(top, key=lambda x: order[x]):  # keep the form's own order on the page
        chosen.append(form.field(fid))
        chosen += [f for f in form.fields if f.show_if and f.show_if.field == fid and f.label not in answered]
    known = _known_contact(lead)
    contact: list[str] = [c.field for c in form.contact if c.field not in known]
    return Plan(chosen, contact, returning=lead is not None, scores=scores)


def _known_contact(lead: dict[str, Any] | None) -> set[str]:
    if not lead:
        return set()
    return {f"{part}.{k}" for part in ("person", "company") for k, v in (lead.get(part) or {}).items() if v}


# --- signed form tokens (CSRF, and which fields were asked) -----------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_token(secret: bytes, form_id: str, visitor: str, asked: list[str], contact: list[str]) -> str:
    """A token bound to this form, this visitor cookie and the fields shown; the POST must carry it back."""
    body = _b64(
        json.dumps(
            {
                "f": form_id,
                "v": visitor_hash(visitor)[:32],
                "t": int(time.time()),
                "a": asked,
                "c": contact,
                "n": secrets.token_hex(4),
            },
            separators=(",", ":"),
        ).encode()
    )
    mac = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def read_token(secret: bytes, token: str, form_id: str, visitor: str) -> dict[str, Any]:
    """The token's content, or FormProblem(403) when it was not issued by us for this form and visitor."""
    body, _, mac = token.partition(".")
    if not mac or not hmac.compare_digest(mac, hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()):
        raise FormProblem({"form": "the form expired or was not served by us; reload it and try again"}, 403)
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if data.get("f") != form_id or data.get("v") != visitor_hash(visitor)[:32]:
        raise FormProblem({"form": "the form was served to another visitor; reload it and try again"}, 403)
    if time.time() - int(data.get("t", 0)) > TOKEN_MAX_AGE:
        raise FormProblem({"form": "the form expired; reload it and try again"}, 403)
    return data


# --- submission -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    lead_id: str
    created: bool
    tier: str | None
    route: str | None
    scorecard_id: str | None


def parse(
    form: QualifyingForm, values: dict[str, str], asked: list[str], contact: list[str], returning: bool
) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """(person/company fields, answers by label, notes) from the posted values; FormProblem names each bad field."""
    errors: dict[str, str] = {}
    facts: dict[str, Any] = {"person": {}, "company": {}}
    for c in form.contact:
        if c.field not in contact:
            continue
        raw = values.get(c.field, "").strip()
        if not raw:
            if c.required and not returning:
                errors[c.field] = f"{c.label} is required"
            continue
        if len(raw) > 300:
            errors[c.field] = f"{c.label} is too long (300 characters at most)"
            continue
        if c.field == "person.email":
            try:
                raw = str(_EMAIL.validate_python(raw))
            except ValidationError:
                errors[c.field] = "enter an e-mail address such as name@company.com"
                continue
        if c.field == "company.employees":
            if not raw.replace(",", "").isdigit():
                errors[c.field] = f"{c.label} must be a whole number"
                continue
            raw = int(raw.replace(",", ""))  # type: ignore[assignment]
        part, key = c.field.split(".")
        facts[part][key] = raw
    answers: dict[str, str] = {}
    by_id = {f.id: f for f in form.fields}
    for fid in asked:
        f = by_id.get(fid)
        raw = values.get(f"q.{fid}", "").strip() if f else ""
        if f is None or not raw:
            continue
        if f.show_if and values.get(f"q.{f.show_if.field}", "").strip() not in f.show_if.values:
            continue  # a follow-up whose trigger was not chosen: not asked, so not taken
        if f.options and raw not in f.options:
            errors[f"q.{fid}"] = f"choose one of the options for “{f.label}”"
            continue
        if len(raw) > MAX_TEXT:
            errors[f"q.{fid}"] = f"the answer is too long ({MAX_TEXT} characters at most)"
            continue
        answers[f.label] = raw[:MAX_ANSWER_CHARS]
    notes = values.get("notes", "").strip() or None
    if notes and len(notes) > MAX_TEXT:
        errors["notes"] = f"the note is too long ({MAX_TEXT} characters at most)"
    if errors:
        raise FormProblem(errors)
    return facts, answers, notes


def form_external_id(email: str | None) -> str:
    """A form lead's external id: keyed by the e-mail when there is one, so two first submissions racing with the same
    address meet in intake's (source, external_id) key and make one lead; else a fresh id."""
    if email:
        return "form-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"form-{uuid.uuid4().hex}"


def submit(
    rt: Runtime, form: QualifyingForm, values: dict[str, str], token: dict[str, Any], visitor: str, address: str
) -> Outcome:
    """Create or update the visitor's lead from the submission, then qualify it synchronously."""
    now = rt.deps.clock()
    with rt.sessions() as s:
        existing = visitor_lead(s, form.id, visitor)
    facts, answers, notes = parse(form, values, token.get("a", []), token.get("c", []), existing is not None)
    email = facts["person"].get("email")
    if existing is not None and email and email.lower() != str(existing.payload["person"].get("email", "")).lower():
        existing = None  # someone else on this browser: their own lead, not the cookie's
    if existing is None and email:
        with rt.sessions() as s:
            existing = lead_by_email(s, email)
    event = {"type": form.event, "timestamp": now.isoformat(), "detail": f"form {form.id}"} if form.event else None
    if existing is None:
        lead = Lead.model_validate(
            {
                "source": "form",
                "external_id": form_external_id(email),
                **facts,
                "form_answers": answers,
                "notes": notes,
                "events": [event] if event else [],
                "received_at": now,
            }
        )
        lead_id = leads.intake(rt.sessions, lead, now).lead_id
        _remember(rt, form.id, visitor, lead_id, now)
        scorecard_id = leads.qualify_now(rt.sessions, rt.deps, lead_id, rt.settings.lead_lease)
        return _outcome(rt, lead_id, True, scorecard_id)
    lead_id = existing.id
    _remember(rt, form.id, visitor, lead_id, now)
    scorecard_id = _update_and_requalify(rt, lead_id, facts, answers, notes, event, address)
    return _outcome(rt, lead_id, False, scorecard_id)


def _remember(rt: Runtime, form_id: str, visitor: str, lead_id: str, now: datetime) -> None:
    with transaction(rt.sessions) as s:
        row = s.get(FormVisitorRow, visitor_hash(visitor))
        if row is None:
            s.add(
                FormVisitorRow(
                    token_hash=visitor_hash(visitor), lead_id=lead_id, form_id=form_id, created_at=now, last_seen_at=now
                )
            )
        else:
            row.lead_id, row.last_seen_at = lead_id, now


def _merged(
    payload: dict[str, Any],
    facts: dict[str, Any],
    answers: dict[str, str],
    notes: str | None,
    event: dict[str, Any] | None,
) -> Lead:
    merged = json.loads(json.dumps(payload))
    for part in ("person", "company"):
        merged.setdefault(part, {})
        merged[part].update({k: v for k, v in facts[part].items() if v and not merged[part].get(k)})
    merged.setdefault("form_answers", {}).update(answers)
    if notes:
        merged["notes"] = f"{merged['notes']}\n\n{notes}" if merged.get("notes") else notes
    if event:
        merged.setdefault("events", []).append(event)
    return Lead.model_validate(merged)


def _update_and_requalify(
    rt: Runtime,
    lead_id: str,
    facts: dict[str, Any],
    answers: dict[str, str],
    notes: str | None,
    event: dict[str, Any] | None,
    address: str,
) -> str | None:
    """A returning visitor's answers join the lead; a lead in review (or done with) gets a new scorecard revision."""
    now = rt.deps.clock()
    with transaction(rt.sessions) as s:
        row = s.get(LeadRow, lead_id, with_for_update=True)
        assert row is not None
        lead = _merged(row.payload, facts, answers, notes, event)
        row.payload, row.updated_at = lead.model_dump(mode="json"), now
        audit.record(
            s,
            None,
            "form_update",
            "lead",
            lead_id,
            at=now,
            lead_id=lead_id,
            new={"answers": sorted(answers), "address": address},
        )
        status = row.status
    if status in (LeadStatus.received, *RETRYABLE):
        return leads.qualify_now(
            rt.sessions, rt.deps, lead_id, rt.settings.lead_lease
        )  # not drafted yet: the first run reads the new answers
    if status == LeadStatus.qualifying:
        return None  # a run is under way; the answers are stored and the SDR sees them on the lead
    return leads.requalify(
        rt.sessions, rt.deps, lead_id, lead, keep_status=status not in REVIEW_AFTER_TRANSCRIPT, cause="form"
    )


def _outcome(rt: Runtime, lead_id: str, created: bool, scorecard_id: str | None) -> Outcome:
    from api.review.assign import assign_pending, territories_for

    assign_pending(rt.sessions, territories_for(rt.settings.territory_rules_file), rt.deps.clock(), lead_ids=[lead_id])
    with rt.sessions() as s:
        card = latest_card(s, lead_id)
    return Outcome(lead_id, created, card["tier"] if card else None, card["route"] if card else None, scorecard_id)
