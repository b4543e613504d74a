"""The calibrate flow: labeled CSV → the pipeline (answers, segments) → fitted model → the library's scoring.yaml."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.deps import Deps
from agent.features import FeatureContext
from evals.calibrate import Fit, feature_specs, fit_model
from evals.errors import EvalError
from evals.load import load_dataset
from evals.run import CaseRun, run_cases
from evals.scoring_yaml import write_model


def contexts_from_runs(runs: list[CaseRun]) -> tuple[list[FeatureContext], list[str | None]]:
    """What the scorer sees for each lead, taken from its pipeline run, and each lead's matched segment."""
    failed = [r for r in runs if r.draft is None]
    if failed:
        raise EvalError(f"{len(failed)} lead(s) failed in the pipeline, so nothing was fitted; first: "
                        f"{failed[0].case.id}: {failed[0].error}")
    contexts, segments = [], []
    for r in runs:
        d = r.draft
        assert d is not None
        contexts.append(FeatureContext(r.case.lead, d.answers, d.fit_score, d.intent_score))
        segments.append(next((s.match.entity_id for s in d.sections if s.section == "segment" and s.match), None))
    return contexts, segments


def calibrate_dataset(dataset: Path, mapping: Path, feature_set: str | None, deps: Deps, library_dir: Path, *,
                      folds: int = 5, c: float = 0.3, write: bool = True, progress: Any = None) -> Fit:
    """Fit on every row of the CSV (leaky columns refused by the mapping) and, unless `write` is False, save the model."""
    loaded = load_dataset(dataset, mapping, feature_set)
    data = loaded.csv
    assert data is not None
    specs = feature_specs(data.mapping, data.feature_set, deps.library)
    task = progress.add_task(f"qualifying {dataset.name}", total=len(data.cases)) if progress is not None else None
    runs = asyncio.run(run_cases(data.cases, deps,
                                 on_done=(lambda _: progress.advance(task)) if progress is not None else None))
    contexts, segments = contexts_from_runs(runs)
    provenance = {"data_file": dataset.name, "data_sha256": loaded.config["dataset_sha256"],
                  "mapping": mapping.name, "feature_set": data.feature_set.name}
    fit = fit_model(contexts, [c_.y_true for c_ in data.cases], specs, segments=segments, folds=folds, c=c,
                    provenance=provenance)
    if write:
        write_model(library_dir, fit.model)
    return fit
