"""The SQL decision: a segment's written SQL definition, evaluated over a lead's answers and facts, gives its tier.

Every criterion is three-valued — met, missing (not known yet) or failed — with Kleene logic: `all` fails when one part
fails and is met when every part is; `any` is met when one part is and fails when every part does; `not` swaps met and
failed. The tier follows, in this order (docs/sql-definitions.md):

1. disqualified   a `disqualify` criterion is met (answers count there only when sure and backed by a direct quote)
2. sql_ready      every must-have is met, or a fast-track criterion is met
3. needs_discovery no must-have failed, some are missing: the discovery questions are exactly their unknown answers
4. nurture        a must-have failed; its nurture reason says why (future pipeline when it is timing, budget …)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.checks import compare
from agent.schemas import CriterionResult, CriterionStatus, Enrichment, Lead, QuestionAnswer, Route, SqlVerdict, Tier
from library.schemas import (
    AllOf,
    AnyOf,
    Expr,
    Fact,
    IsAnswer,
    NotOf,
    QualifyingQuestion,
    SqlDefinition,
    StructuredCheck,
)

# An answer disqualifies only when the judge is sure and the quote is the lead's own, verbatim and not hedged. "Sure"
# is on the calibrated scale: the embedded judge's plainest finding (a lead saying it outright) is calibrated to about
# 0.74, so a gate of 0.75 let no such statement disqualify (whole-lead benchmark: hard disqualifiers caught DEV 4 → 5
# of 9, TEST 4 → 6 of 9, none wrongly added); weaker findings (calibrated ≤ 0.69) still do not.
DIRECT_MIN_CONFIDENCE = 0.7

NURTURE_WORDS = {
    "timing": "future pipeline — the timing is not now",
    "budget": "future pipeline — no budget yet",
    "authority": "future pipeline — no decision maker involved yet",
    "need": "no identified need yet",
    "fit": "outside the ideal customer profile for now",
    "engagement": "not engaged recently",
    "competition": "committed to another vendor for now",
    "other": "not now",
}


@dataclass(frozen=True)
class Facts:
    """What fact criteria read: the component scores, the lead, its enrichment and the time it is judged at."""

    fit_score: float
    intent_score: float
    as_of: datetime
    lead: Lead | None = None
    enrichment: Enrichment | None = None


@dataclass(frozen=True)
class Decision:
    tier: Tier
    route: Route
    verdict: SqlVerdict
    discovery: list[str] = field(default_factory=list)  # question ids to ask, from the missing must-haves
    nice_points: list[tuple[str, float]] = field(default_factory=list)  # (label, points) of the met nice-to-haves


@dataclass(frozen=True)
class _Result:
    status: CriterionStatus
    words: str
    unknown: tuple[str, ...] = ()


def direct(answer: QuestionAnswer) -> bool:
    """A decided answer an SDR could quote back to the lead: sure, verbatim, not hedged."""
    return (
        answer.answer != "unknown"
        and answer.confidence >= DIRECT_MIN_CONFIDENCE
        and bool(answer.evidence)
        and not {"evidence_unverified", "hedged"} & set(answer.flags)
    )


class _Evaluator:
    def __init__(self, answers: list[QuestionAnswer], questions: list[QualifyingQuestion], facts: Facts):
        self.answers = {a.question_id: a for a in answers}
        self.texts = {q.id: q.text for q in questions}
        self.facts = facts

    def run(self, expr: Expr, strict: bool = False) -> _Result:
        if isinstance(expr, str):
            return self._answer(expr, "yes", strict)
        if isinstance(expr, IsAnswer):
            return self._answer(expr.question, expr.is_, strict)
        if isinstance(expr, AllOf):
            return self._combine([self.run(e, strict) for e in expr.all_], "failed", "met", " AND ")
        if isinstance(expr, AnyOf):
            return self._combine([self.run(e, strict) for e in expr.any_], "met", "failed", " OR ")
        if isinstance(expr, NotOf):
            inner = self.run(expr.not_, strict)
            flipped = {"met": "failed", "failed": "met"}.get(inner.status, "missing")
            return _Result(flipped, f"NOT ({inner.words})", inner.unknown)  # type: ignore[arg-type]
        return self._fact(expr)

    def _answer(self, question_id: str, wanted: str, strict: bool) -> _Result:
        a = self.answers.get(question_id)
        got = a.answer if a is not None and (not strict or a.answer == "unknown" or direct(a)) else "unknown"
        text = self.texts.get(question_id, question_id)
        if wanted == "unknown":
            return _Result("met" if got == "unknown" else "failed", f"“{text}” is still unknown ({got})")
        if got == "unknown":
            return _Result("missing", f"“{text}” {wanted}? (unknown)", (question_id,))
        return _Result("met" if got == wanted else "failed", f"“{text}” {wanted}? ({got})")

    @staticmethod
    def _combine(parts: list[_Result], decisive: CriterionStatus, unanimous: CriterionStatus, joiner: str) -> _Result:
        words = joiner.join(p.words if len(parts) == 1 else f"({p.words})" for p in parts)
        if any(p.status == decisive for p in parts):
            return _Result(decisive, words)
        if all(p.status == unanimous for p in parts):
            return _Result(unanimous, words)
        unknown = tuple(q for p in parts if p.status == "missing" for q in p.unknown)
        return _Result("missing", words, unknown)

    def _fact(self, fact: Fact) -> _Result:
        value = read_fact(fact, self.facts)
        words = f"{fact.fact.replace('_', ' ')} {fact.op} {fact.value!r}"
        if value is None:
            return _Result("missing", f"{words} (not known)")
        check = StructuredCheck.model_construct(field=fact.fact, operator=fact.op, value=fact.value)
        try:
            ok = compare(value, check)
        except ValueError:
            return _Result("missing", f"{words} (not comparable: {value!r})")
        return _Result("met" if ok else "failed", f"{words} ({value!r})")


def read_fact(fact: Fact, facts: Facts) -> str | int | float | bool | list[str] | None:
    """The fact's value for this lead: None when not known; an event type never seen counts 0 (a known absence)."""
    if fact.fact == "fit_score":
        return facts.fit_score
    if fact.fact == "intent_score":
        return facts.intent_score
    scope, name = fact.fact.split(".", 1)
    lead = facts.lead
    if scope == "events":
        if lead is None:
            return None
        since = facts.as_of - timedelta(days=fact.within_days) if fact.within_days else None
        return sum(
            1
            for e in lead.events
            if e.type == name and e.timestamp <= facts.as_of and (since is None or e.timestamp >= since)
        )
    if scope == "form":
        return None if lead is None else lead.form_answers.get(name)
    value = facts.enrichment.get(fact.fact) if facts.enrichment is not None else None
    if value in (None, "", []) and lead is not None and scope == "company":
        value = getattr(lead.company, name, None)
    return None if value in (None, "", []) else value


def decide(
    definition: SqlDefinition,
    answers: list[QuestionAnswer],
    questions: list[QualifyingQuestion],
    facts: Facts,
    segment: str | None = None,
) -> Decision:
    """The tier, route and reasons a segment's SQL definition gives this lead."""
    ev = _Evaluator(answers, questions, facts)
    results: list[CriterionResult] = []
    for kind, c in definition.criteria():
        r = ev.run(c.when)
        if kind == "disqualify" and r.status == "met":
            # only sure answers disqualify: met on unsure ones is "not known yet"; a no of any confidence rules it out,
            # as the answers list shows it
            r = ev.run(c.when, strict=True)
        reason = getattr(c, "nurture_reason", None)
        results.append(
            CriterionResult(
                id=c.id,
                kind=kind,  # type: ignore[arg-type]
                label=c.label,
                status=r.status,
                words=r.words,
                unknown_questions=list(dict.fromkeys(r.unknown)),
                nurture_reason=reason,
                nurture_note=getattr(c, "nurture_note", None),
            )
        )
    by_kind = {
        k: [r for r in results if r.kind == k] for k in ("disqualify", "must_have", "fast_track", "nice_to_have")
    }
    must, fast = by_kind["must_have"], by_kind["fast_track"]
    failed = [r for r in must if r.status == "failed"]
    missing = [r for r in must if r.status == "missing"]
    discovery = list(dict.fromkeys(q for r in missing for q in r.unknown_questions))
    nice = [
        (f"Nice-to-have: {c.label}", c.points)
        for c, r in zip(definition.nice_to_have, by_kind["nice_to_have"], strict=True)
        if r.status == "met"
    ]
    reasons = list(dict.fromkeys(f"{r.nurture_reason}: {NURTURE_WORDS[r.nurture_reason or 'other']}" for r in failed))

    tier: Tier
    route: Route
    if hits := [r for r in by_kind["disqualify"] if r.status == "met"]:
        tier, route, why = "disqualified", "disqualified", "Disqualified: " + "; ".join(r.label for r in hits)
    elif must and not failed and not missing:
        tier, route, why = "sql_ready", "sdr_review", "Every must-have is met"
        if fired := [r for r in fast if r.status == "met"]:
            route, why = "sdr_fast_track", why + "; fast-track: " + "; ".join(r.label for r in fired)
    elif fired := [r for r in fast if r.status == "met"]:
        tier, route, why = "sql_ready", "sdr_fast_track", "Fast-track: " + "; ".join(r.label for r in fired)
    elif failed:
        tier, route = "nurture", "nurture"
        why = "Must-have failed: " + "; ".join(f"{r.label} ({r.nurture_reason})" for r in failed)
    else:
        tier, route = "needs_discovery", "sdr_discovery"
        why = "No must-have failed; not known yet: " + "; ".join(r.label for r in missing)
    verdict = SqlVerdict(
        source="sql_definition",
        segment=segment,
        tier_reason=why,
        criteria=results,
        nurture_reasons=reasons if tier == "nurture" else [],
    )
    return Decision(tier, route, verdict, discovery, nice)
