"""Templates (autoescaped), security headers, and the scorecard page's view model (evidence highlighted in its source)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from agent.evidence import SourceText, lead_sources
from agent.revisions import Cause, diff_revisions
from agent.schemas import Evidence, Lead, ScorecardDraft
from agent.wording import field_words, number
from api.evidence_words import confidence_words, evidence_label, plain_reasoning, quote_words
from agent.transcripts.calls import CALL_FIELD_READINGS
from api.review import checklist
from api.review.models import AnswerReviewRow
from library.errors import LibraryError
from library.reading import ReadingError, read_question
from library.schemas import Library, QualifyingQuestion

HERE = Path(__file__).parent
env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# Nothing from elsewhere: no inline script, no remote image (a markdown image in lead text cannot phone home).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the security headers."""
    return HTMLResponse(env.get_template(name).render(**context), status_code=status, headers=HEADERS)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _minutes(value: float) -> str:
    if value < 60:
        return f"{value:.0f} min"
    if value < 60 * 48:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.0f} d"


def _num(value: Any) -> Any:
    """Big numbers with thousands separators (230000000 → 230,000,000); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and re.fullmatch(r"\d{4,}(\.\d+)?", value):
            return number(float(value))
        return value
    return number(value)


def _points(value: float) -> str:
    return "±0" if round(value, 1) == 0 else f"{value:+.1f}"


def _fact(value: Any) -> str:
    """An enrichment value as a person reads it: yes/no, 4,200, 'c level' → 'C-level'."""
    from agent.wording import ENUM_WORDS

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_fact(v) for v in value)
    if isinstance(value, (int, float)):
        return number(value)
    text = str(value)
    return ENUM_WORDS.get(text, text.replace("_", " ")) if re.fullmatch(r"[a-z0-9_]+", text) else str(_num(text))


def _field(key: str) -> str:
    words = field_words(key)
    return words[0].upper() + words[1:]


env.filters["fact"] = _fact
env.filters["field"] = _field
env.filters["when"] = _when
env.filters["minutes"] = _minutes
env.filters["num"] = _num
env.filters["percent"] = confidence_words
env.filters["points"] = _points


@dataclass
class Quote:
    source: str
    ref: str
    before: str
    quote: str
    after: str
    found: bool
    label: str = ""  # where it was said, in words: "notes", "form · Budget?", "call · Dana Ortiz at 12:04"


@dataclass
class AnswerView:
    question_id: str
    text: str
    answer: str
    confidence: float
    reasoning: str  # why, without the reading (shown on its own line)
    flags: list[str]
    value: str | None
    quotes: list[Quote]
    human: AnswerReviewRow | None = None
    reading: str = ""  # how the question was read, in words ("company employees ≥ 200, inclusive")
    text_path: bool = False  # the reader could not type the question: decided by meaning
    group: str = "other"  # disqualifier | must_have | other (api/review/checklist.py)
    suggestion: str = "unknown"  # the checklist value the (edited) answer suggests


def _evidence_quote(sources: dict[tuple[str, str], SourceText], e: Evidence) -> Quote:
    if e.source == "transcript":  # checked against the call when it was extracted; the call is not a lead source
        q = Quote(e.source, e.ref, "", e.quote, "", True)
    else:
        q = _quote(sources.get((e.source, e.ref)), e.source, e.ref, e.quote)
    q.label = evidence_label(e)
    q.quote = quote_words(e.source, e.ref, q.quote)
    return q


_READ_AS = re.compile(r"^Read as: .*?\.\s+(?=(?:Yes|No|Unknown)\b)", re.S)


def _reading(q: QualifyingQuestion | None, library: Library) -> tuple[str, bool]:
    if q is None:
        return "", False
    if q.check is not None:
        return "answered from data by its check", False
    spec = q.reading
    if spec is None:
        try:
            spec = read_question(q, library.seller, library.competitors)
        except (ReadingError, LibraryError):  # a library that failed sync never gets here; show no reading
            return "", False
    return spec.words, spec.kind == "text"


@dataclass
class SourceView:
    label: str
    parts: list[tuple[str, bool]] = field(default_factory=list)  # (text, highlighted)


def _find(haystack: str, needle: str) -> int:
    return haystack.lower().find(needle.lower().strip()) if needle.strip() else -1


def _quote(src: SourceText | None, source: str, ref: str, quote: str, width: int = 90) -> Quote:
    if src is None or (at := _find(src.text, quote)) < 0:
        return Quote(source, ref, "", quote, "", False)
    end = at + len(quote.strip())
    before, after = src.text[max(0, at - width) : at], src.text[end : end + width]
    return Quote(
        source,
        ref,
        ("…" if at > width else "") + before,
        src.text[at:end],
        after + ("…" if end + width < len(src.text) else ""),
        True,
    )


def _highlight(text: str, quotes: list[str]) -> list[tuple[str, bool]]:
    marks = [False] * len(text)
    for q in quotes:
        start = 0
        while (at := text.lower().find(q.lower().strip(), start)) >= 0 and q.strip():
            for i in range(at, at + len(q.strip())):
                marks[i] = True
            start = at + 1
    parts: list[tuple[str, bool]] = []
    for ch, mark in zip(text, marks, strict=True):
        if parts and parts[-1][1] == mark:
            parts[-1] = (parts[-1][0] + ch, mark)
        else:
            parts.append((ch, mark))
    return parts


# Flags about the lead's text as a whole: said once above the answers, not on every answer.
LEAD_WIDE_FLAGS = {
    "instruction_text_ignored": "Text addressed to an AI or a reviewer (or a fake role marker) was found in this lead. "
    "It was set aside: it is evidence for nothing and changed no answer.",
    "hidden_content": "Invisible characters were removed from this lead's text before it was read.",
    "text_truncated": "This lead's text was too long to read in full; the parts closest to the questions were read.",
}


def _set_aside(sources: list[SourceText], year: int) -> list[tuple[str, str]]:
    """The lead's own text the judge set aside as instructions, as the judge reads it (`read_facts`): a sentence
    addressed to an AI and what it introduces. A source set aside whole for a hidden block or comment shows its
    instruction sentences only, not the genuine text around them."""
    from agent.facts.clauses import is_injection, read_facts
    from agent.text import sentences

    whole = {(s.source, s.ref): s.text for s in sources}
    out = []
    for unit in read_facts([s for s in sources if s.source in ("form", "notes")], year=year).injected:
        label = f"Form: {unit.ref}" if unit.source == "form" else "Notes"
        if unit.text.strip() == whole.get((unit.source, unit.ref), "").strip():
            out += [(label, part) for part in sentences(unit.text) if is_injection(part)]
        else:
            out.append((label, unit.text))
    return out


def scorecard_view(
    lead: Lead, draft: ScorecardDraft, library: Library, edits: dict[str, AnswerReviewRow]
) -> dict[str, Any]:
    """Everything the scorecard page shows, computed once (templates stay logic-free)."""
    read = lead_sources(lead, draft.enrichment)
    sources: dict[tuple[str, str], SourceText] = {(s.source, s.ref): s for s in read}
    texts = {q.id: q.text for q in library.questions}
    by_id = {q.id: q for q in library.questions}
    answers: list[AnswerView] = []
    quoted: dict[tuple[str, str], list[str]] = {}
    group = checklist.groups(draft, library)
    for a in draft.answers:
        quotes = [_evidence_quote(sources, e) for e in a.evidence]
        for e in a.evidence:
            quoted.setdefault((e.source, e.ref), []).append(e.quote)
        reading, text_path = _reading(by_id.get(a.question_id), library)
        reading = reading or CALL_FIELD_READINGS.get(a.question_id, "")
        because = plain_reasoning(_READ_AS.sub("", a.reasoning) if reading else a.reasoning)
        human = edits.get(a.question_id)
        q = by_id.get(a.question_id)
        answers.append(
            AnswerView(
                a.question_id,
                texts.get(a.question_id, a.question_id),
                a.answer,
                a.confidence,
                because,
                [f for f in a.flags if f not in LEAD_WIDE_FLAGS],
                a.value,
                quotes,
                human,
                reading,
                text_path,
                group[a.question_id],
                checklist.suggested(human.human_answer if human else a.answer, q),  # type: ignore[arg-type]
            )
        )
    panel = [
        SourceView(f"Form: {k[1]}" if k[0] == "form" else "Notes", _highlight(s.text, quoted.get(k, [])))
        for k, s in sources.items()
        if k[0] in ("form", "notes")
    ]
    asks = {d.question_id: d.ask for d in draft.discovery_questions}
    raised = {f for a in draft.answers for f in a.flags if f in LEAD_WIDE_FLAGS}
    return {
        "lead_flags": [(f, LEAD_WIDE_FLAGS[f]) for f in LEAD_WIDE_FLAGS if f in raised],
        "set_aside": _set_aside(read, (lead.received_at or draft.created_at).year)
        if "instruction_text_ignored" in raised
        else [],
        "answers": answers,
        "groups": answer_groups(answers),
        "texts": texts,
        "sources": panel,
        "unknowns": [(q, texts.get(q, q), asks.get(q)) for q in draft.unknowns],
        "discovery": draft.discovery_questions,
        "enrichment": sorted(draft.enrichment.fields.items()),
        "failed_providers": draft.enrichment.failed_providers,
        "events": sorted(lead.events, key=lambda e: e.timestamp),
        "factors": sorted(draft.reasons, key=lambda f: -abs(f.points)),
        "fit_reasons": draft.enrichment.fit_reasons,
    }


# --- the SQL decision and the score breakdown (their own section of the scorecard page) ----------------------------

STATUS_WORDS = {"met": "Met", "missing": "Missing — not known yet", "failed": "Failed"}
KIND_WORDS = {
    "disqualify": "Disqualifier",
    "must_have": "Must-have",
    "fast_track": "Fast-track",
    "nice_to_have": "Nice-to-have",
}
SOURCE_WORDS = {
    "sql_definition": "the segment's SQL definition",
    "hard_rule": "a hard rule",
    "score_thresholds": "the score thresholds (this segment has no SQL definition)",
}


@dataclass
class CriterionView:
    kind: str
    label: str
    status: str
    status_words: str
    words: str
    asks: list[str]
    nurture: str | None


def decision_view(
    draft: ScorecardDraft, library: Library, previous: ScorecardDraft | None = None, cause: Cause = "reviewer_edit"
) -> dict[str, Any]:
    """Why the lead is in its tier (criteria met, missing or failed, the nurture reason) and how its score adds up."""
    texts = {q.id: q.text for q in library.questions}
    verdict = draft.sql
    criteria = [
        CriterionView(
            KIND_WORDS[c.kind],
            c.label,
            c.status,
            STATUS_WORDS[c.status],
            c.words,
            [texts.get(q, q) for q in c.unknown_questions],
            f"{c.nurture_reason}" + (f" — {c.nurture_note}" if c.nurture_note else "")
            if c.kind == "must_have" and c.status == "failed" and c.nurture_reason
            else None,
        )
        for c in (verdict.criteria if verdict else [])
    ]
    b = draft.breakdown
    adds_up = None
    if b is not None:
        if b.scale == "log_odds":
            adds_up = (
                f"log-odds {b.total:+.2f} → probability {100 * (draft.probability or 0):.1f}% → score {draft.score:.1f}"
            )
        else:
            adds_up = f"{b.base:g} {' '.join(f'{f.points:+.2f}' for f in b.contributions)} = {b.total:.2f}"
    diff: dict[str, Any] | None = None
    if previous is not None:
        change = diff_revisions(previous, draft, cause)
        diff_answers = [(texts.get(a.question_id, a.question_id), a.before or "—", a.after) for a in change.answers]
        diff = {
            "from": change.from_revision,
            "cause": "a reviewer's edit" if cause == "reviewer_edit" else "a call",
            "tier": (change.tier_before, change.tier_after),
            "score": (change.score_before, change.score_after),
            "answers": diff_answers,
            "criteria": [(c.label, c.before or "—", c.after) for c in change.criteria],
        }
    return {
        "source": SOURCE_WORDS.get(verdict.source, verdict.source) if verdict else None,
        "tier_reason": verdict.tier_reason if verdict else None,
        "nurture_reasons": verdict.nurture_reasons if verdict else [],
        "criteria": criteria,
        "breakdown": b,
        "adds_up": adds_up,
        "diff": diff,
    }


GROUP_TITLES = (("disqualifier", "Disqualifiers"), ("must_have", "Must-haves"), ("other", "Other questions"))


@dataclass
class AnswerGroup:
    key: str
    title: str
    answers: list[AnswerView]
    open: bool  # shown expanded: disqualifiers that fired, must-haves always, the rest when short


def answer_groups(answers: list[AnswerView]) -> list[AnswerGroup]:
    """Disqualifiers, must-haves, then the rest; each a collapsible <details> on the page."""
    groups = []
    for key, title in GROUP_TITLES:
        members = [a for a in answers if a.group == key]
        if not members:
            continue
        fired = any((a.human.human_answer if a.human else a.answer) == "yes" for a in members)
        groups.append(
            AnswerGroup(
                key, title, members, key == "must_have" or (key == "disqualifier" and fired) or len(members) <= 4
            )
        )
    return groups


@dataclass
class Activity:
    at: datetime
    kind: str  # engagement | intake | scorecard | decision | escalation | call
    text: str


def activity_timeline(lead: Lead, history: list[dict[str, Any]], texts: dict[str, str]) -> list[Activity]:
    """The lead's engagement events and everything that happened to it since, newest first, in words."""
    items = [
        Activity(
            e.timestamp, "engagement", e.type.replace("_", " ").capitalize() + (f": {e.detail}" if e.detail else "")
        )
        for e in lead.events
    ]
    if lead.received_at:
        items.append(Activity(lead.received_at, "intake", f"Lead arrived from {lead.source}"))
    for h in history:
        items.append(Activity(h["at"], _activity_kind(h["action"]), audit_sentence(h, texts)))
    return sorted(items, key=lambda a: a.at, reverse=True)


def _activity_kind(action: str) -> str:
    return {"escalate": "escalation", "transcript": "call", "crm_update": "intake"}.get(action, "decision")


def audit_sentence(h: dict[str, Any], texts: dict[str, str]) -> str:
    """One audit row as a sentence, questions named by their text."""
    old, new = h.get("old") or {}, h.get("new") or {}
    who = h.get("actor") or "system"
    action = str(h.get("action", "")).replace("_", " ")
    if h.get("action") == "edit" and new.get("question_id"):
        question = texts.get(new["question_id"], new["question_id"])
        return f"{who} changed “{question}” from {old.get('answer')} to {new.get('answer')}"
    if h.get("action") == "escalate":
        return h.get("reason") or "Overdue: managers notified"
    if h.get("action") == "crm_update":
        return h.get("reason") or "CRM update"
    moved = ""
    if old.get("status") and new.get("status") and old["status"] != new["status"]:
        moved = f": {old['status'].replace('_', ' ')} → {new['status'].replace('_', ' ')}"
    return f"{who} — {action}{moved}"


def audit_change(h: dict[str, Any], texts: dict[str, str]) -> str:
    """The audit table's Change cell: status move, and the question by its text for an edit."""
    old, new = h.get("old") or {}, h.get("new") or {}
    status = f"{str(old.get('status', '')).replace('_', ' ')} → {str(new.get('status', '')).replace('_', ' ')}"
    if new.get("question_id"):
        status += f" · “{texts.get(new['question_id'], new['question_id'])}”: {old.get('answer')} → {new.get('answer')}"
    if isinstance(new.get("checklist_review"), dict):
        outcome = list(new["checklist_review"].values())
        status += (
            f" · checklist: {outcome.count('changed')} changed, {outcome.count('verified')} verified on the "
            f"call, {outcome.count('accepted')} accepted as suggested"
        )
    return status
