"""Terminal rendering of scorecards and batch summaries. Lead text is always rendered as plain Text, never as markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent.schemas import ScorecardDraft
from api.evidence_words import confidence_words, evidence_label, plain_reasoning, quote_words
from api.terminal import fitted
from library.schemas import Library

if TYPE_CHECKING:
    from api.leads.batch import BatchResult

TIER_STYLE = {"sql_ready": "bold green", "needs_discovery": "yellow", "nurture": "cyan", "disqualified": "red"}
ANSWER_STYLE = {"yes": "green", "no": "red", "unknown": "dim"}


def _t(value: object, style: str = "") -> Text:
    return Text(str(value), style=style)  # Text() never interprets [markup] inside lead data


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, ending in an ellipsis when it had to be cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def scorecard(draft: ScorecardDraft, library: Library, title: str = "") -> RenderableType:
    """A scorecard as an SDR reads it: verdict, reasons, answers with evidence, what to ask next."""
    return Panel(Group(*scorecard_parts(draft, library)), title=Text(title or scorecard_title(draft)))


def scorecard_title(draft: ScorecardDraft) -> str:
    return f"lead {draft.lead_id} · revision {draft.revision}"


def scorecard_parts(draft: ScorecardDraft, library: Library, short: bool = True) -> list[RenderableType]:
    """The scorecard's blocks in reading order; `short` cuts long quotes (with an ellipsis) for a terminal."""

    def shown(text: str, width: int) -> str:
        return cut(text, width) if short else text

    head = Text.assemble(
        (f"{draft.tier.upper()}", TIER_STYLE[draft.tier]),
        f"  score {draft.score:.0f}/100",
        f"  fit {draft.fit_score:.0f}",
        f"  intent {draft.intent_score:.0f}",
        f"  route {draft.route}",
    )
    parts: list[RenderableType] = [head]
    reason = why(draft)
    if reason:
        parts.append(Text.assemble(("why  ", "bold"), reason))
    parts.append(
        Text(
            f"library {library.seller.name} ({draft.provenance.library}) · snapshot {draft.provenance.library_snapshot}"
            f" · judge {draft.provenance.judge}",
            style="dim",
        )
    )
    if draft.disqualifications:
        dq = Table("rule", "reason", "field", "value", title="Hard rules", title_justify="left")
        for d in draft.disqualifications:
            dq.add_row(_t(d.rule_id), _t(d.reason), _t(d.field), _t(d.value))
        parts.append(dq)
    matches = Table("section", "best match", "similarity", "method", title="Library match", title_justify="left")
    for s in draft.sections:
        if s.match:
            matches.add_row(s.section, _t(s.match.name), f"{s.match.similarity:.2f}", s.match.method)
    parts.append(matches)
    if draft.reasons:
        reasons = Table("points", "why", title="Top reasons", title_justify="left")
        for f in draft.reasons:
            reasons.add_row(Text(f"{f.points:+.1f}", style="green" if f.points >= 0 else "red"), _t(f.label))
        parts.append(reasons)
    if draft.answers:
        # The review page's wording (api.evidence_words); --json keeps the engine's own.
        answers = Table(
            "question", "answer", "conf.", "why", "evidence", title="Answers", title_justify="left", expand=True
        )
        for a in draft.answers:
            q = _question_text(library, a.question_id)
            quote = Text()
            for e in a.evidence[:2]:
                words = quote_words(e.source, e.ref, e.quote)
                quote.append(f"{shown(evidence_label(e), 40)} ", style="dim").append(f"“{shown(words, 120)}”\n")
            if a.flags:
                quote.append(", ".join(a.flags), style="magenta")
            answers.add_row(
                _t(q),
                Text(a.answer, style=ANSWER_STYLE[a.answer]),
                confidence_words(a.confidence, a.answer),
                _t(shown(plain_reasoning(a.reasoning), 160)),
                quote,
            )
        parts.append(answers)
    if draft.discovery_questions:
        ask = Table("ask next", title="Discovery questions", title_justify="left")
        for question in draft.discovery_questions:
            ask.add_row(_t(question.ask))
        parts.append(ask)
    return parts


def _question_text(library: Library, question_id: str) -> str:
    try:
        return library.question(question_id).text
    except KeyError:
        return question_id


def summary(drafts: Sequence[ScorecardDraft], errors: int, failed: int, seconds: float, reused: int = 0) -> Table:
    """Counts by tier and route, with timing; `reused` leads kept the scorecard an earlier run made."""
    table = Table("tier", "leads", "share", "avg score", title="Batch summary", title_justify="left")
    by_tier = Counter(d.tier for d in drafts)
    n = max(len(drafts), 1)
    for tier in ("sql_ready", "needs_discovery", "nurture", "disqualified"):
        scores = [d.score for d in drafts if d.tier == tier]
        avg = f"{sum(scores) / len(scores):.0f}" if scores else "-"
        table.add_row(Text(tier, style=TIER_STYLE[tier]), str(by_tier[tier]), f"{100 * by_tier[tier] / n:.0f}%", avg)
    routes = Counter(d.route for d in drafts)
    again = f" ({reused} reused from an earlier run)" if reused else ""
    table.caption = (
        f"{len(drafts)} qualified{again}, {errors} bad rows, {failed} failed · routes: "
        + ", ".join(f"{k} {v}" for k, v in sorted(routes.items()))
        + f" · {seconds:.1f}s"
    )
    return table


def why(d: ScorecardDraft) -> str:
    """Why the lead is in its tier, in one line: the SQL definition's rule (the failed must-have and its nurture reason,
    the fast-track, the disqualifier), else the biggest scoring factor."""
    if d.sql is not None and d.sql.source != "score_thresholds" and d.sql.tier_reason:
        return d.sql.tier_reason
    return d.reasons[0].label if d.reasons else ""


def leads_table(
    rows: Sequence[tuple[str, ScorecardDraft, str]], width: int = 120, title: str = "Qualified leads"
) -> Table:
    """One line per lead: who, tier, score, route, why (the tier's rule), fitted to `width` columns (long text is cut with an
    ellipsis by the terminal; the same table printed as TSV keeps every character)."""
    table = Table("lead", "company", "tier", "score", "route", "why", title=title, title_justify="left")
    for label, d, company in rows:
        top = why(d)
        table.add_row(
            _t(label), _t(company), Text(d.tier, style=TIER_STYLE[d.tier]), f"{d.score:.0f}", d.route, _t(top)
        )
    # 19 columns of borders and padding, then tier, score and route at their full width; the rest is shared out.
    free = max(width - 19 - 15 - 5 - 14, 24)
    lead_w, company_w = min(30, round(free * 0.35)), min(24, round(free * 0.25))
    for column, cap in zip(
        table.columns, (lead_w, company_w, None, None, None, max(free - lead_w - company_w, 8)), strict=True
    ):
        column.max_width = cap
    return fitted(table, fixed={"tier": 15, "score": 5, "route": 14})


def batch_json(
    result: BatchResult,
    labels: Mapping[int, tuple[str, str]],
    listed: Sequence[tuple[int, str, ScorecardDraft]],
    seconds: float,
    written: Path,
) -> dict[str, Any]:
    """`qualify batch --json`: the counts of the summary, the listed leads, bad rows and failures."""
    drafts = [d for _, _, d in result.drafts]
    return {
        "qualified": len(drafts),
        "reused": result.reused,
        "reused_from_older_library": result.stale,
        "requalified": result.requalified,
        "bad_rows": len(result.errors),
        "failed": len(result.failed),
        "seconds": round(seconds, 3),
        "scorecards_file": str(written),
        "tiers": dict(Counter(d.tier for d in drafts)),
        "routes": dict(Counter(d.route for d in drafts)),
        "leads": [
            {
                "row": row,
                "scorecard_id": sid,
                "lead_id": d.lead_id,
                "lead": labels[row][0],
                "company": labels[row][1],
                "tier": d.tier,
                "score": round(d.score, 1),
                "route": d.route,
                "top_reason": d.reasons[0].label if d.reasons else None,
                "why": why(d) or None,
            }
            for row, sid, d in listed
        ],
        "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in result.errors],
        "failures": [{"row": row, "lead_id": lead_id, "status": status} for row, lead_id, status in result.failed],
    }
