"""qualify_lead: one lead in, one scorecard draft out — the data flow of CONVENTIONS.md, top to bottom."""

from __future__ import annotations

import time

from agent.deps import Deps
from agent.enrichment.base import waterfall
from agent.enrichment.fit import product_fit
from agent.evidence import EvidenceChecker, lead_sources
from agent.judges.base import JudgeRequest, JudgeResult
from agent.rules import check_hard_rules
from agent.schemas import Lead, Provenance, ScorecardDraft
from agent.scorecard import DraftParts, build_draft, complete_answers
from agent.scoring import ScoringInputs, score


async def qualify_lead(lead: Lead, deps: Deps, *, lead_id: str | None = None, revision: int = 1) -> ScorecardDraft:
    """Enrich, apply hard rules, retrieve, judge, verify, score and draft a scorecard for one lead."""
    started = time.perf_counter()
    library = deps.library
    as_of = lead.received_at or deps.clock()  # time windows are judged as of the lead's arrival

    # 1. Enrichment: provider waterfall with provenance, then the product-fit score.
    enrichment = await waterfall(lead, deps.enrichers, as_of, deps.settings.min_enrichment_confidence)

    # 2. Library retrieval: best segment, persona and use cases; the questions that apply.
    matches = deps.retriever.match(lead, enrichment)
    segment_id = matches.segment.entity_id if matches.segment else None
    fit, fit_reasons = product_fit(enrichment, library, segment_id)
    enrichment = enrichment.model_copy(update={"fit_score": fit, "fit_reasons": fit_reasons})
    segment = next((s for s in library.segments if s.id == segment_id), library.segments[0])
    questions = library.questions_for(segment_id)

    # 3. Hard rules: instant disqualifiers, before any judgment.
    disqualifications = check_hard_rules(lead, enrichment, library)

    # 4. Judge (skipped for a disqualified lead); every quote is verified again here, whatever the judge.
    result = JudgeResult(answers=[])
    if not disqualifications:
        result = await deps.judge.judge(
            JudgeRequest(lead, enrichment, questions, matches, library.seller, as_of, library.competitors)
        )
    checker = EvidenceChecker(lead_sources(lead, enrichment))
    answers = complete_answers([checker.verify(a) for a in result.answers], questions) if not disqualifications else []

    # 5. Scoring: fit + intent + answers → score, tier, route, reasons.
    scored = score(
        ScoringInputs(
            fit,
            fit_reasons,
            answers,
            questions,
            lead.events,
            segment.thresholds,
            as_of,
            disqualifications,
            lead=lead,
            segment_id=segment_id,
            sql=segment.sql,
            enrichment=enrichment,
        ),
        library.scoring,
    )

    # 6. The draft, stamped with everything needed to reproduce it.
    provenance = Provenance(
        library=library.name,
        library_snapshot=deps.snapshot_id,
        judge=deps.judge.name,
        judge_version=deps.judge.version,
        model=result.model,
        embedding_model=deps.embedding_model,
        prompt_hashes=result.prompt_hashes,
        llm_method=result.llm_method,
        pipeline_version=deps.settings.pipeline_version,
    )
    usage = result.usage.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000, 2)})
    parts = DraftParts(
        lead_id or lead.id or "unsaved",
        revision,
        deps.clock(),
        enrichment,
        matches,
        questions,
        answers,
        disqualifications,
        scored,
        provenance,
        usage,
    )
    return build_draft(parts, deps.settings.max_discovery_questions, deps.settings.max_reasons)
