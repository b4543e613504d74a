"""`qualify eval`: the production pipeline over labeled cases, then metrics, the run record and its CI gates.

Every case goes through `agent.pipeline.qualify_lead` with the Deps the caller built (the same code path as
production). A case whose pipeline raised is an *invalid output*: it stays in the run (probability None), the run is
marked incomplete, and a gate run fails on it.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent import __version__
from agent.deps import Deps
from agent.pipeline import qualify_lead
from agent.schemas import QuestionAnswer, ScorecardDraft, Tier, Usage
from evals.datasets import LeadCase, QuestionCase
from evals.errors import EvalError
from evals.metrics import compute_metrics
from evals.results import CaseResult, EvalMetrics, RunRecord


@dataclass
class CaseRun:
    case: LeadCase
    draft: ScorecardDraft | None
    error: str | None = None


async def run_cases(
    cases: list[LeadCase], deps: Deps, on_done: Callable[[CaseRun], None] | None = None
) -> list[CaseRun]:
    """Qualify every case through the pipeline; an exception makes that case invalid, never the whole run."""
    runs = []
    for case in cases:
        try:
            lead = case.lead.model_copy(update={"id": case.lead.id or case.id})
            run = CaseRun(case, await qualify_lead(lead, deps, lead_id=case.id))
        except Exception as exc:  # noqa: BLE001 - recorded as an invalid output of this case, counted and reported
            run = CaseRun(case, None, f"{type(exc).__name__}: {exc}")
        runs.append(run)
        if on_done is not None:
            on_done(run)
    return runs


def sql_threshold(deps: Deps) -> float:
    """The probability cut-off for 'SQL': the fitted model's, else 0.5 (the default mapping puts a segment's SQL score there)."""
    model = deps.library.scoring.model
    return model.thresholds.sql_ready / 100 if model is not None else 0.5


def measure(runs: list[CaseRun], threshold: float, *, n_boot: int = 1000, seed: int = 0) -> EvalMetrics:
    """All metrics of a run: ranking, decision at the threshold and at the tier, calibration, answers, usage."""
    drafts = [r.draft for r in runs]
    return measure_scores(
        [r.case for r in runs],
        [d.probability if d else None for d in drafts],
        [d.tier if d else None for d in drafts],
        [d.answers if d else [] for d in drafts],
        threshold,
        usage=[d.usage for d in drafts if d],
        n_boot=n_boot,
        seed=seed,
    )


def measure_scores(
    cases: Sequence[LeadCase],
    probabilities: Sequence[float | None],
    tiers: Sequence[Tier | None],
    answers: Sequence[Sequence[QuestionAnswer]],
    threshold: float,
    *,
    usage: Sequence[Usage] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> EvalMetrics:
    """The metrics of any scoring of `cases` (one probability, tier and list of answers per case; None: invalid)."""
    pairs: list[tuple[str, str, str]] = []
    for case, got in zip(cases, answers, strict=True):
        for qid, expected in case.answers.items():
            found = next((a for a in got if a.question_id == qid), None)
            pairs.append((qid, expected.answer, found.answer if found else "unknown"))
    return compute_metrics(
        [c.y_true for c in cases],
        list(probabilities),
        list(tiers),
        expected=[c.expected_outcome for c in cases],
        threshold=threshold,
        question_pairs=pairs,
        predicted_answers=[a.answer for got in answers for a in got],
        usage=list(usage) if usage else None,
        n_boot=n_boot,
        seed=seed,
    )


def code_version(repo: Path | None = None) -> str:
    """`git describe --always --dirty` of the checkout, else the package version."""
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=repo or Path(__file__).resolve().parent.parent,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return __version__
    return found.stdout.strip() or __version__


def file_sha256(path: Path) -> str:
    """Content hash of a data file, recorded with runs and fitted models."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_config(deps: Deps, runs: list[CaseRun], extra: dict[str, Any]) -> dict[str, Any]:
    """The full configuration of a run: library snapshot, judge, model, prompt hashes, code version, plus `extra`."""
    prompts: dict[str, str] = {}
    models = set()
    for r in runs:
        if r.draft:
            prompts.update(r.draft.provenance.prompt_hashes)
            if r.draft.provenance.model:
                models.add(r.draft.provenance.model)
    library = deps.library
    return {
        "library": library.name,
        "library_snapshot": deps.snapshot_id,
        "scoring": library.scoring.model_dump(mode="json"),
        "judge": deps.judge.name,
        "judge_version": deps.judge.version,
        "models": sorted(models),
        "embedding_model": deps.embedding_model,
        "prompt_hashes": prompts,
        "pipeline_version": deps.settings.pipeline_version,
        "code_version": code_version(),
        "threshold": sql_threshold(deps),
        **extra,
    }


def build_record(
    name: str, runs: list[CaseRun], deps: Deps, extra: dict[str, Any], *, n_boot: int = 1000, seed: int = 0
) -> RunRecord:
    """Measure the runs and package them with the configuration and per-case results."""
    if not runs:
        raise EvalError("no cases to evaluate")
    metrics = measure(runs, sql_threshold(deps), n_boot=n_boot, seed=seed)
    segment = lambda d: next((s.match.entity_id for s in d.sections if s.section == "segment" and s.match), None)  # noqa: E731
    cases = [
        CaseResult(
            id=r.case.id,
            y_true=r.case.y_true,
            probability=r.draft.probability if r.draft else None,
            tier=r.draft.tier if r.draft else None,
            expected=r.case.expected_outcome,
            segment=segment(r.draft) if r.draft else None,
        )
        for r in runs
    ]
    errors = [{"id": r.case.id, "error": r.error} for r in runs if r.error]
    config = run_config(deps, runs, {**extra, "errors": errors[:50]})
    return RunRecord(
        name=name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        config=config,
        metrics=metrics,
        cases=cases,
    )


async def run_question_cases(
    cases: list[QuestionCase], deps: Deps, on_done: Callable[[QuestionCase], None] | None = None
) -> list[tuple[str, str, str]]:
    """(question id, expected, predicted) per case; each distinct lead is qualified once; a failed lead answers unknown."""
    drafts: dict[str, ScorecardDraft | None] = {}
    pairs: list[tuple[str, str, str]] = []
    for case in cases:
        key = case.lead.model_dump_json()
        if key not in drafts:
            try:
                drafts[key] = await qualify_lead(
                    case.lead.model_copy(update={"id": case.lead.id or case.id}), deps, lead_id=case.id
                )
            except Exception:  # noqa: BLE001 - a failed lead leaves its questions unknown; counted as such
                drafts[key] = None
        draft = drafts[key]
        got = draft.answer(case.question_id) if draft else None
        pairs.append((case.question_id, case.expected, got.answer if got else "unknown"))
        if on_done is not None:
            on_done(case)
    return pairs
