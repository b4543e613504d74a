"""Templates (autoescaped), security headers, and the scorecard page's view model (evidence highlighted in its source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from agent.evidence import SourceText, lead_sources
from agent.schemas import Lead, ScorecardDraft
from api.review.models import AnswerReviewRow
from library.schemas import Library

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


@dataclass
class AnswerView:
    question_id: str
    text: str
    answer: str
    confidence: float
    reasoning: str
    flags: list[str]
    value: str | None
    quotes: list[Quote]
    human: AnswerReviewRow | None = None


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
    sources = {(s.source, s.ref): s for s in lead_sources(lead, draft.enrichment)}
    texts = {q.id: q.text for q in library.questions}
    answers, quoted = [], {}
    for a in draft.answers:
        quotes = [_quote(sources.get((e.source, e.ref)), e.source, e.ref, e.quote) for e in a.evidence]
        for e in a.evidence:
            quoted.setdefault((e.source, e.ref), []).append(e.quote)
        answers.append(AnswerView(a.question_id, texts.get(a.question_id, a.question_id), a.answer, a.confidence,
                                  a.reasoning, list(a.flags), a.value, quotes, edits.get(a.question_id)))
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
