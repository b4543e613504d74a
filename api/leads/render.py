"""Terminal rendering of scorecards and batch summaries. Lead text is always rendered as plain Text, never as markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent.schemas import ScorecardDraft
from library.schemas import Library

TIER_STYLE = {"sql_ready": "bold green", "needs_discovery": "yellow", "nurture": "cyan", "disqualified": "red"}
ANSWER_STYLE = {"yes": "green", "no": "red", "unknown": "dim"}


def _t(value: object, style: str = "") -> Text:
    return Text(str(value), style=style)  # Text() never interprets [markup] inside lead data


def scorecard(draft: ScorecardDraft, library: Library, title: str = "") -> RenderableType:
    """A scorecard as an SDR reads it: verdict, reasons, answers with evidence, what to ask next."""
    head = Text.assemble((f"{draft.tier.upper()}", TIER_STYLE[draft.tier]), f"  score {draft.score:.0f}/100",
                         f"  fit {draft.fit_score:.0f}", f"  intent {draft.intent_score:.0f}", f"  route {draft.route}")
    parts: list[RenderableType] = [head]
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
        answers = Table("question", "answer", "conf.", "evidence", title="Answers", title_justify="left", expand=True)
        for a in draft.answers:
            q = _question_text(library, a.question_id)
            quote = Text()
            for e in a.evidence[:2]:
                quote.append(f"{e.source}:{e.ref[:30]} ", style="dim").append(f"“{e.quote[:120]}”\n")
            if a.flags:
                quote.append(", ".join(a.flags), style="magenta")
            answers.add_row(_t(q), Text(a.answer, style=ANSWER_STYLE[a.answer]), f"{a.confidence:.2f}", quote)
        parts.append(answers)
    if draft.discovery_questions:
        ask = Table("ask next", title="Discovery questions", title_justify="left")
        for d in draft.discovery_questions:
            ask.add_row(_t(d.ask))
        parts.append(ask)
    return Panel(Group(*parts), title=Text(title or f"lead {draft.lead_id} · revision {draft.revision}"))


def _question_text(library: Library, question_id: str) -> str:
    try:
        return library.question(question_id).text
    except KeyError:
        return question_id


def summary(drafts: Sequence[ScorecardDraft], errors: int, failed: int, seconds: float) -> Table:
    """Counts by tier and route, with timing."""
    table = Table("tier", "leads", "share", "avg score", title="Batch summary", title_justify="left")
    by_tier = Counter(d.tier for d in drafts)
    n = max(len(drafts), 1)
    for tier in ("sql_ready", "needs_discovery", "nurture", "disqualified"):
        scores = [d.score for d in drafts if d.tier == tier]
        avg = f"{sum(scores) / len(scores):.0f}" if scores else "-"
        table.add_row(Text(tier, style=TIER_STYLE[tier]), str(by_tier[tier]), f"{100 * by_tier[tier] / n:.0f}%", avg)
    routes = Counter(d.route for d in drafts)
    table.caption = (f"{len(drafts)} qualified, {errors} bad rows, {failed} failed · routes: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(routes.items())) + f" · {seconds:.1f}s")
    return table


def leads_table(rows: Sequence[tuple[str, ScorecardDraft, str]]) -> Table:
    """One line per lead: who, tier, score, route, top reason."""
    table = Table("lead", "company", "tier", "score", "route", "top reason", title="Qualified leads", title_justify="left")
    for label, d, company in rows:
        top = d.reasons[0].label if d.reasons else ""
        table.add_row(_t(label[:28]), _t(company[:24]), Text(d.tier, style=TIER_STYLE[d.tier]), f"{d.score:.0f}",
                      d.route, _t(top[:60]))
    return table
