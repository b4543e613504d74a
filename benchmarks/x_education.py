"""X Education benchmark: 5-fold stratified CV of calibrate + eval through the project's own functions.

For each feature set (A pre-contact, B + last activity, C = A + Tags as SDR notes through the judge):
the pipeline qualifies every lead once (answers, segments: nothing in it is fitted on labels); then for each fold the
model is fitted on the other four folds (`evals.calibrate.fit_model`, its threshold from an inner 5-fold CV), written
into a temporary copy of the x-education library (`evals.scoring_yaml.write_model`), and the held-out fold is run
through the real pipeline with that library (`evals.run.run_cases`). Metrics pool the held-out predictions.

Reads ../shared/data/x-education/leads_train.csv at run time only. Usage:
    .venv/bin/python benchmarks/x_education.py [--sets A,B,C] [--data PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from api.evals.cli import eval_deps, with_library
from evals import metrics as m
from evals.calibrate import feature_specs, fit_model
from evals.calibration_run import contexts_from_runs
from evals.load import load_dataset
from evals.run import run_cases
from evals.scoring_yaml import write_model

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "library/data/x-education"
MAPPING = ROOT / "evals/mappings/x_education.yaml"
DATA = ROOT.parent / "shared/data/x-education/leads_train.csv"


def run_set(name: str, data: Path, folds: int = 5, seed: int = 0) -> dict[str, float | None]:
    """Cross-validated figures of one feature set, every held-out lead scored by the pipeline."""
    loaded = load_dataset(data, MAPPING, name)
    assert loaded.csv is not None
    cases = loaded.cases
    y = np.array([c.y_true for c in cases])
    prob, routed, tier_sql = np.zeros(y.size), np.zeros(y.size, bool), np.zeros(y.size, bool)
    answered = 0.0
    with eval_deps(LIBRARY) as deps, tempfile.TemporaryDirectory(prefix="xed-bench-") as tmp:
        specs = feature_specs(loaded.csv.mapping, loaded.csv.feature_set, deps.library)
        started = time.perf_counter()
        contexts, segments = contexts_from_runs(asyncio.run(run_cases(cases, deps)))
        answers = [a for ctx in contexts for a in ctx.answers if a.question_id in {s.source[7:] for s in specs}]
        answered = sum(a.answer != "unknown" for a in answers) / len(answers) if answers else 0.0
        print(f"  [{name}] pipeline pass for features: {time.perf_counter() - started:.0f} s", flush=True)
        split = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(y.size), y)
        for k, (train, test) in enumerate(split):
            fit = fit_model([contexts[i] for i in train], y[train], specs, segments=[segments[i] for i in train],
                            provenance={"data_file": data.name, "data_sha256": loaded.config["dataset_sha256"],
                                        "mapping": MAPPING.name, "feature_set": name})
            library_dir = Path(tmp) / f"fold{k}"
            shutil.copytree(LIBRARY, library_dir)
            write_model(library_dir, fit.model)
            runs = asyncio.run(run_cases([cases[i] for i in test], with_library(deps, library_dir)))
            if any(r.draft is None for r in runs):
                raise SystemExit(f"fold {k}: {sum(r.draft is None for r in runs)} invalid outputs; results incomplete")
            p = np.array([r.draft.probability for r in runs], dtype=float)  # type: ignore[union-attr]
            prob[test] = p
            routed[test] = p >= fit.model.thresholds.sql_ready / 100
            tier_sql[test] = np.array([r.draft.tier == "sql_ready" for r in runs])  # type: ignore[union-attr]
            print(f"  [{name}] fold {k + 1}/{folds}: held-out AUC {m.roc_auc(y[test], p):.3f}", flush=True)
    t = m.threshold_metrics(y, routed)
    tier = m.threshold_metrics(y, tier_sql)
    return {"auc": m.roc_auc(y, prob), "pr_auc": m.pr_auc(y, prob), "ece": m.ece(y, prob), "brier": m.brier(y, prob),
            "precision": t.precision, "recall": t.recall, "fpr": t.fpr, "tier_precision": tier.precision,
            "tier_recall": tier.recall, "tier_fpr": tier.fpr, "capture_top_20": m.capture_at(y, prob, 0.2),
            "answered_share": answered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="A,B,C")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data}: not found (the benchmark reads ../shared/data at run time)")
    results = {}
    for name in args.sets.split(","):
        started = time.perf_counter()
        results[name] = run_set(name, args.data)
        print(f"  [{name}] done in {time.perf_counter() - started:.0f} s", flush=True)
    print("\nset  AUC    PR AUC  ECE     Brier   prec@thr rec@thr FPR@thr  prec@tier rec@tier FPR@tier top20%  answered")
    for name, r in results.items():
        print(f"{name:4} {r['auc']:.4f} {r['pr_auc']:.4f}  {r['ece']:.4f}  {r['brier']:.4f}  {r['precision']:.3f}    "
              f"{r['recall']:.3f}   {r['fpr']:.3f}    {r['tier_precision']:.3f}     {r['tier_recall']:.3f}    "
              f"{r['tier_fpr']:.3f}    {r['capture_top_20']:.3f}  {r['answered_share']:.2f}")
    if "A" in results and "C" in results:
        print(f"\nC - A (what the questions answered from the notes add): AUC {results['C']['auc'] - results['A']['auc']:+.4f}, "
              f"PR AUC {results['C']['pr_auc'] - results['A']['pr_auc']:+.4f} (post-call use; reported apart from A and B)")
    print("Leakage check: Tags, Lead Quality, Lead Profile and Asymmetrique* are never model inputs in A/B "
          "(evals/mappings/x_education.yaml refuses them); Tags reach C only as notes through the judge.")


if __name__ == "__main__":
    main()
