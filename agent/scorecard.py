"""Building scorecard drafts: answers, scores, unknowns and the discovery questions an SDR should ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent.judges.base import Matches
from agent.schemas import (
    DiscoveryQuestion,
    Disqualification,
    EntityMatch,
    Enrichment,
    Factor,
    Lead,
    Provenance,
    QuestionAnswer,
    ScorecardDraft,
    SectionKind,
    SectionScore,
    Usage,
)
from agent.scoring import ScoreResult, ScoringInputs, score
from library.schemas import Library, QualifyingQuestion


@dataclass(frozen=True)
class DraftParts:
    lead_id: str
    revision: int
    created_at: datetime
    enrichment: Enrichment
    matches: Matches
    questions: list[QualifyingQuestion]
    answers: list[QuestionAnswer]
    disqualifications: list[Disqualification]
    result: ScoreResult
    provenance: Provenance
    usage: Usage


def complete_answers(answers: list[QuestionAnswer], questions: list[QualifyingQuestion]) -> list[QuestionAnswer]:
    """One answer per applicable question, in library order: a missing one is unknown, a stray one is dropped."""
    by_id = {a.question_id: a for a in answers}
    return [
        by_id.get(q.id)
        or QuestionAnswer(question_id=q.id, reasoning="The judge gave no answer.", answer="unknown", confidence=0.0)
        for q in questions
    ]


def discovery_questions(
    answers: list[QuestionAnswer], questions: list[QualifyingQuestion], limit: int, only: list[str] | None = None
) -> list[DiscoveryQuestion]:
    """What to ask next: with a SQL definition exactly its missing must-haves' unknowns (`only`), else the unknowns,
    heaviest questions first."""
    by_id = {q.id: q for q in questions}
    if only is not None:
        return [
            DiscoveryQuestion(question_id=q.id, ask=q.discovery_question or q.text)
            for q in (by_id[i] for i in only if i in by_id)
        ]
    unknown = {a.question_id for a in answers if a.answer == "unknown"}
    ranked = sorted((q for q in questions if q.id in unknown), key=lambda q: -q.weight)
    return [DiscoveryQuestion(question_id=q.id, ask=q.discovery_question or q.text) for q in ranked[:limit]]


def shown_reasons(factors: list[Factor], limit: int) -> list[Factor]:
    """The first `limit` reasons, plus one line summing the rest, so the reasons shown still add up to the score."""
    shown, rest = factors[:limit], factors[limit:]
    remainder = sum(f.points for f in rest)
    if rest and abs(remainder) > 1e-9:
        shown.append(Factor(kind="other", label=f"{len(rest)} smaller factor(s)", points=remainder))
    return shown


def _section(kind: SectionKind, match: EntityMatch | None) -> SectionScore:
    return SectionScore(section=kind, match=match, score=round(max(0.0, match.similarity) * 100, 1) if match else 0.0)


def build_draft(parts: DraftParts, max_discovery: int, max_reasons: int) -> ScorecardDraft:
    """Assemble the scorecard draft for review."""
    m = parts.matches
    sections = [_section("segment", m.segment), _section("persona", m.persona)]
    sections += [_section("use_case", u) for u in m.use_cases] or [_section("use_case", None)]
    r = parts.result
    return ScorecardDraft(
        lead_id=parts.lead_id,
        revision=parts.revision,
        created_at=parts.created_at,
        tier=r.tier,
        route=r.route,
        score=r.score,
        probability=r.probability,
        fit_score=round(parts.enrichment.fit_score, 1),
        intent_score=r.intent_score,
        sections=sections,
        answers=parts.answers,
        disqualifications=parts.disqualifications,
        reasons=shown_reasons(r.factors, max_reasons),
        breakdown=r.breakdown,
        sql=r.sql,
        unknowns=[a.question_id for a in parts.answers if a.answer == "unknown"],
        discovery_questions=discovery_questions(parts.answers, parts.questions, max_discovery, r.discovery),
        enrichment=parts.enrichment,
        provenance=parts.provenance,
        usage=parts.usage,
    )


def rescore(
    draft: ScorecardDraft,
    lead: Lead,
    library: Library,
    as_of: datetime,
    *,
    max_discovery: int = 5,
    max_reasons: int = 8,
) -> ScorecardDraft:
    """Score and tier a revised draft again (after a call or a reviewer's edit) as the pipeline does; hard rules stay."""
    segment_id = next((s.match.entity_id for s in draft.sections if s.section == "segment" and s.match), None)
    segment = next((s for s in library.segments if s.id == segment_id), library.segments[0])
    questions = library.questions_for(segment_id)
    answers = [a for a in draft.answers if any(q.id == a.question_id for q in questions)]
    result = score(
        ScoringInputs(
            draft.fit_score,
            draft.enrichment.fit_reasons,
            answers,
            questions,
            lead.events,
            segment.thresholds,
            as_of,
            draft.disqualifications,
            lead=lead,
            segment_id=segment_id,
            sql=segment.sql,
            enrichment=draft.enrichment,
        ),
        library.scoring,
    )
    unknown = [a.question_id for a in answers if a.answer == "unknown"]
    return draft.model_copy(
        update={
            "tier": result.tier,
            "route": result.route,
            "score": result.score,
            "probability": result.probability,
            "intent_score": result.intent_score,
            "reasons": shown_reasons(result.factors, max_reasons),
            "breakdown": result.breakdown,
            "sql": result.sql,
            "unknowns": unknown,
            "discovery_questions": discovery_questions(answers, questions, max_discovery, result.discovery),
        }
    )
