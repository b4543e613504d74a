"""The calibrate flow: labeled CSV → feature values (the pipeline only when a feature needs it) → fitted model → the
library's model.json."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.features import FeatureContext
from evals.calibrate import FeatureSpec, Fit, Method, feature_specs, fit_model, needs_pipeline
from evals.datasets import LeadCase
from evals.errors import DatasetError, EvalError
from evals.load import load_dataset
from evals.run import CaseRun
from evals.scoring_yaml import write_model
from library.schemas import Library


# Runs the pipeline over cases (the caller builds its runtime only when a feature needs it).
Qualify = Callable[[list[LeadCase]], list[CaseRun]]


def contexts_from_runs(runs: list[CaseRun]) -> tuple[list[FeatureContext], list[str | None]]:
    """What the scorer sees for each lead, taken from its pipeline run, and each lead's matched segment."""
    failed = [r for r in runs if r.draft is None]
    if failed:
        raise EvalError(
            f"{len(failed)} lead(s) failed in the pipeline, so nothing was fitted; first: "
            f"{failed[0].case.id}: {failed[0].error}"
        )
    contexts, segments = [], []
    for r in runs:
        d = r.draft
        assert d is not None
        contexts.append(FeatureContext(r.case.lead, d.answers, d.fit_score, d.intent_score))
        segments.append(next((s.match.entity_id for s in d.sections if s.section == "segment" and s.match), None))
    return contexts, segments


def calibrate_dataset(
    dataset: Path,
    mapping: Path,
    feature_set: str | None,
    library: Library,
    library_dir: Path,
    *,
    qualify: Qualify,
    folds: int = 5,
    c: float = 0.3,
    write: bool = True,
    progress: Any = None,
    method: Method = "auto",
) -> Fit:
    """Fit on every row of the CSV (leaky columns refused by the mapping) and, unless `write` is False, save the model."""
    loaded = load_dataset(dataset, mapping, feature_set)
    data = loaded.csv
    assert data is not None
    specs = feature_specs(data.mapping, data.feature_set, library)
    provenance = {
        "data_file": dataset.name,
        "data_sha256": loaded.config["dataset_sha256"],
        "mapping": mapping.name,
        "feature_set": data.feature_set.name,
    }
    return calibrate_cases(
        data.cases,
        specs,
        library_dir,
        provenance,
        qualify=qualify,
        folds=folds,
        c=c,
        write=write,
        progress=progress,
        method=method,
    )


def calibrate_cases(
    cases: list[LeadCase],
    specs: list[FeatureSpec],
    library_dir: Path,
    provenance: dict,
    *,
    qualify: Qualify,
    folds: int = 5,
    c: float = 0.3,
    write: bool = True,
    progress: Any = None,
    method: Method = "auto",
) -> Fit:
    """Fit `specs` on labeled cases (y = became an SQL) and, unless `write` is False, save the model.

    When no feature is read from the judge's answers or the pipeline's scores, the leads are not run through the
    pipeline at all (no judge, no embeddings): the features are read from the leads themselves, and no per-segment
    thresholds are fitted (segments come from the pipeline's retrieval)."""
    segments: list[str | None] | None = None
    if needs_pipeline(specs):
        contexts, segments = contexts_from_runs(qualify(cases))
    else:
        contexts = [FeatureContext(case.lead) for case in cases]
        if progress is not None:
            progress.log(f"{len(contexts)} rows: every feature is tabular, so no lead runs the judge or the embeddings")
    fit = fit_model(
        contexts,
        [case.y_true for case in cases],
        specs,
        segments=segments,
        folds=folds,
        c=c,
        provenance=provenance,
        method=method,
        log=progress.log if progress is not None else None,
    )
    if write:
        write_model(library_dir, fit.model)
    return fit


def review_specs(library: Library) -> list[FeatureSpec]:
    """The features of the library's fitted model, to refit on reviewed leads."""
    model = library.scoring.model
    if model is None:
        raise EvalError(
            f"library {library.name!r} has no fitted model to refit: run `qualify calibrate` on a CSV of "
            "past leads first (it chooses the features); --from-reviews then refits them on reviewed leads"
        )
    # A direction calibrate derived from the data is derived again from the reviews; a declared one is kept.
    return [
        FeatureSpec(
            f.name, f.source, f.kind, f.monotone if f.monotone_from == "mapping" else 0, f.monotone_from == "data"
        )
        for f in model.features
    ]


def check_reviews(cases: list[LeadCase], folds: int) -> None:
    """Refuse, in words a reviewer understands, reviews too few or all one way to refit on."""
    sql = sum(c.y_true for c in cases)
    if not cases:
        raise DatasetError(
            "no reviewed leads yet: a refit needs leads confirmed or accepted (SQL) and leads rejected or pushed back"
        )
    if sql == 0 or sql == len(cases):
        said = "SQL (confirmed or accepted)" if sql else "not SQL (rejected or pushed back)"
        needed = "rejected or pushed-back" if sql else "confirmed or accepted"
        raise DatasetError(f"all {len(cases)} reviewed lead(s) are {said}: a refit needs {needed} leads too")
    fewest = min(sql, len(cases) - sql)
    if fewest < max(folds, 2):
        raise DatasetError(
            f"too few reviews to refit with {folds}-fold CV: {sql} SQL and {len(cases) - sql} not; each needs at "
            f"least {max(folds, 2)} (review more leads, or lower --folds)"
        )


def review_provenance(cases: list[LeadCase]) -> dict:
    """Provenance of a refit on reviews: a digest of the reviewed cases and their labels."""
    digest = hashlib.sha256("\n".join(f"{c.id}:{c.y_true}" for c in sorted(cases, key=lambda c: c.id)).encode())
    return {"data_file": "reviews", "data_sha256": digest.hexdigest(), "mapping": None, "feature_set": "reviewed leads"}
