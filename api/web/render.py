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
from agent.schemas import Evidence, Lead, ScorecardDraft
from agent.transcripts.calls import CALL_FIELD_READINGS
from api.review.models import AnswerReviewRow
from library.errors import LibraryError
from library.reading import ReadingError, read_question
from library.schemas import Library, QualifyingQuestion

HERE = Path(__file__).parent
env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

# Nothing from elsewhere: no inline script, no remote image (a markdown image in lead text cannot phone home).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store"}


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


env.filters["when"] = _when
env.filters["minutes"] = _minutes


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


def _label(e: Evidence) -> str:
    if e.source == "transcript":
        at = f" at {int(e.timestamp) // 60}:{int(e.timestamp) % 60:02d}" if e.timestamp is not None else ""
        return f"call · {e.speaker or 'prospect'}{at}"
    if e.source in ("form", "enrichment"):
        return f"{e.source} · {e.ref.replace('_', ' ')}"
    return e.source


def _evidence_quote(sources: dict[tuple[str, str], SourceText], e: Evidence) -> Quote:
    if e.source == "transcript":  # checked against the call when it was extracted; the call is not a lead source
        q = Quote(e.source, e.ref, "", e.quote, "", True)
    else:
        q = _quote(sources.get((e.source, e.ref)), e.source, e.ref, e.quote)
    q.label = _label(e)
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
    before, after = src.text[max(0, at - width):at], src.text[end:end + width]
    return Quote(source, ref, ("…" if at > width else "") + before, src.text[at:end],
                 after + ("…" if end + width < len(src.text) else ""), True)


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


def scorecard_view(lead: Lead, draft: ScorecardDraft, library: Library,
                   edits: dict[str, AnswerReviewRow]) -> dict[str, Any]:
    """Everything the scorecard page shows, computed once (templates stay logic-free)."""
    sources: dict[tuple[str, str], SourceText] = {(s.source, s.ref): s for s in lead_sources(lead, draft.enrichment)}
    texts = {q.id: q.text for q in library.questions}
    by_id = {q.id: q for q in library.questions}
    answers: list[AnswerView] = []
    quoted: dict[tuple[str, str], list[str]] = {}
    for a in draft.answers:
        quotes = [_evidence_quote(sources, e) for e in a.evidence]
        for e in a.evidence:
            quoted.setdefault((e.source, e.ref), []).append(e.quote)
        reading, text_path = _reading(by_id.get(a.question_id), library)
        reading = reading or CALL_FIELD_READINGS.get(a.question_id, "")
        because = _READ_AS.sub("", a.reasoning) if reading else a.reasoning
        answers.append(AnswerView(a.question_id, texts.get(a.question_id, a.question_id), a.answer, a.confidence,
                                  because, list(a.flags), a.value, quotes, edits.get(a.question_id), reading,
                                  text_path))
    panel = [SourceView(f"Form: {k[1]}" if k[0] == "form" else "Notes", _highlight(s.text, quoted.get(k, [])))
             for k, s in sources.items() if k[0] in ("form", "notes")]
    asks = {d.question_id: d.ask for d in draft.discovery_questions}
    return {
        "answers": answers, "sources": panel,
        "unknowns": [(q, texts.get(q, q), asks.get(q)) for q in draft.unknowns],
        "discovery": draft.discovery_questions,
        "enrichment": sorted(draft.enrichment.fields.items()),
        "failed_providers": draft.enrichment.failed_providers,
        "events": sorted(lead.events, key=lambda e: e.timestamp),
        "factors": sorted(draft.reasons, key=lambda f: -abs(f.points)),
        "fit_reasons": draft.enrichment.fit_reasons,
    }
