"""The SQL checklist: the AI's suggestion per question, which questions are must-haves, and what the rep did with each.

A confirm is refused (422 naming each item) while a must-have still stands exactly as the AI suggested and the rep
neither ticked "verified on the call" for it nor changed it (a different checklist value, or an edited answer). Every
item of a confirm is recorded as `changed`, `verified` (kept as suggested, verified on the call) or `accepted` (kept
as suggested, unverified): the accept-as-suggested rate per rep is the rubber-stamp signal of `qualify review stats`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from agent.schemas import Answer, ScorecardDraft
from api.errors import ApiError
from api.review.flows import Check
from library.schemas import Library, QualifyingQuestion
from library.sql_rules import questions_named

Group = Literal["disqualifier", "must_have", "other"]
Outcome = Literal["changed", "verified", "accepted"]
MUST_HAVE_WEIGHT = 7  # the library's heaviest good-fit questions (budget, economic buyer, pain, timeline)


def group_of(q: QualifyingQuestion | None) -> Group:
    """Where a question is shown and how hard the checklist holds it: disqualifiers, must-haves, the rest."""
    if q is None:
        return "other"
    if q.instant_disqualifier or q.fit_type == "bad":
        return "disqualifier"
    return "must_have" if q.weight >= MUST_HAVE_WEIGHT else "other"


def must_haves(draft: ScorecardDraft, library: Library) -> list[str]:
    """The question ids of this scorecard a rep must verify before confirming (the one place that decides it): the
    questions the lead's segment's SQL definition names in its must-haves; for a segment without one, the library's
    heaviest good-fit questions (weight ≥ MUST_HAVE_WEIGHT)."""
    segment = next((s for s in library.segments if draft.sql and s.id == draft.sql.segment), None)
    asked = [a.question_id for a in draft.answers]
    if segment is not None and segment.sql is not None:
        named = {qid for m in segment.sql.must_have for qid in questions_named(m.when)}
        return [qid for qid in asked if qid in named]
    by_id = {q.id: q for q in library.questions}
    return [qid for qid in asked if group_of(by_id.get(qid)) == "must_have"]


def groups(draft: ScorecardDraft, library: Library) -> dict[str, Group]:
    """Per question of the scorecard: disqualifier, must-have (as `must_haves` decides) or the rest."""
    by_id = {q.id: q for q in library.questions}
    musts = set(must_haves(draft, library))
    # A question a must-have names is a must-have even when it is a bad-fit question ("not locked into a competitor").
    return {
        a.question_id: "must_have"
        if a.question_id in musts
        else "disqualifier"
        if group_of(by_id.get(a.question_id)) == "disqualifier"
        else "other"
        for a in draft.answers
    }


def suggested(answer: Answer, q: QualifyingQuestion | None) -> Check:
    """The checklist value the AI's answer suggests: a criterion met is `confirmed`, anything else `unknown`."""
    bad = q is not None and (q.instant_disqualifier or q.fit_type == "bad")
    met = answer == ("no" if bad else "yes")
    return "confirmed" if met else "unknown"


def suggestions(draft: ScorecardDraft, library: Library, edited: Mapping[str, str]) -> dict[str, Check]:
    """Per question, the suggested value (from the rep's edited answer where there is one)."""
    by_id = {q.id: q for q in library.questions}
    return {
        a.question_id: suggested(edited.get(a.question_id, a.answer), by_id.get(a.question_id))  # type: ignore[arg-type]
        for a in draft.answers
    }


def review(
    draft: ScorecardDraft,
    library: Library,
    edited: Mapping[str, str],
    checklist: Mapping[str, Check],
    verified: set[str],
) -> dict[str, Outcome]:
    """What the rep did with each item; raises 422 naming every untouched, unverified must-have."""
    suggested_values = suggestions(draft, library, edited)
    outcome: dict[str, Outcome] = {}
    for qid, value in checklist.items():
        if value != suggested_values.get(qid) or qid in edited:
            outcome[qid] = "changed"
        else:
            outcome[qid] = "verified" if qid in verified else "accepted"
    texts = {q.id: q.text for q in library.questions}
    untouched = [qid for qid in must_haves(draft, library) if outcome.get(qid) == "accepted"]
    if untouched:
        names = "; ".join(f"“{texts.get(q, q)}” ({q})" for q in untouched)
        raise ApiError(
            422,
            "Invalid request",
            f"must-have not verified: {names}. Tick “verified on the call” or change the answer.",
            errors=[
                {
                    "field": f"record.checklist.{q}",
                    "message": f"must-have “{texts.get(q, q)}” was left "
                    "as the AI suggested: tick “verified on the call” or change it",
                }
                for q in untouched
            ],
            unverified=untouched,
        )
    return outcome
