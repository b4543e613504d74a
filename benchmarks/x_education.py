"""X Education benchmark: 5-fold stratified CV of `qualify calibrate`'s models, LR vs boosting vs the chosen one.

For each feature set (A pre-contact, B + last activity) and each outer fold, three fits are made on the other four
folds by `evals.calibrate.fit_model`: logistic only, boosting only, and `auto` (what `qualify calibrate` keeps: the
lowest inner-CV log-loss among logistic, boosting and their blend; each calibrated, sigmoid or isotonic, by an inner
CV), and every held-out lead is scored one at a time by `agent.fitted.predict`, the function production scoring calls. Metrics (through `evals.metrics`) pool the
held-out predictions and are reported on the DEV and TEST halves of the leads (split by a hash of the Prospect ID).
Sets A and B read no judge answers, so the pipeline's judge and retrieval have no say in these figures.

The data has no separate test file (leads_train.csv only), so there is no held-out split beyond these CV folds.
Leakage: Tags, Lead Quality, Lead Profile and the Asymmetrique columns are never inputs (the mapping refuses them).

Reads ../shared/data/x-education/leads_train.csv at run time only. Usage:
    .venv/bin/python benchmarks/x_education.py [--sets A,B] [--data PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from agent.features import FeatureContext
from agent.fitted import predict
from evals import metrics as m
from evals.calibrate import check_features, feature_specs, fit_model, read_columns
from evals.load import load_dataset
from library.loader import load_library

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "library/data/x-education"
MAPPING = ROOT / "evals/mappings/x_education.yaml"
# ../shared from the project; from a worktree one level deeper (e.g. /work/wt/<branch>), the first parent that has it.
DATA = next(
    (d / "shared/data/x-education/leads_train.csv" for d in ROOT.parents if (d / "shared/data/x-education").is_dir()),
    ROOT.parent / "shared/data/x-education/leads_train.csv",
)
KINDS = ("logistic", "boosted", "chosen")


def half(case_id: str) -> str:
    """DEV or TEST, by a stable hash of the case id."""
    return "DEV" if int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 2 == 0 else "TEST"


def run_set(name: str, data: Path, folds: int = 5, seed: int = 0) -> tuple[dict, np.ndarray, list[str]]:
    """Pooled held-out probabilities of each model kind, and which the inner CV chose per fold."""
    loaded = load_dataset(data, MAPPING, name)
    assert loaded.csv is not None
    cases = loaded.cases
    y = np.array([c.y_true for c in cases])
    specs = feature_specs(loaded.csv.mapping, loaded.csv.feature_set, load_library(LIBRARY))
    contexts = [FeatureContext(c.lead) for c in cases]
    check_features(specs, read_columns(specs, contexts), y)  # once on the whole file, as `qualify calibrate` does
    prob = {k: np.zeros(y.size) for k in KINDS}
    chosen = []
    split = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(y.size), y)
    for k, (train, test) in enumerate(split):
        started = time.perf_counter()
        fits = {
            kind: fit_model(
                [contexts[i] for i in train],
                y[train],
                specs,
                method="auto" if kind == "chosen" else kind,  # type: ignore[arg-type]
                seed=seed,
                check=False,
            )
            for kind in KINDS
        }
        best = fits["chosen"].model
        chosen.append(best.kind if best.kind != "blend" else f"blend {best.blend_weight:g}")
        for kind, fit in fits.items():
            prob[kind][test] = [predict(fit.model, contexts[i])[0] for i in test]
        print(
            f"  [{name}] fold {k + 1}/{folds}: held-out AUC LR {m.roc_auc(y[test], prob['logistic'][test]):.3f}, "
            f"boosting {m.roc_auc(y[test], prob['boosted'][test]):.3f}, chosen {m.roc_auc(y[test], prob['chosen'][test]):.3f}; "
            f"kept {chosen[-1]} ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    halves = np.array([half(c.id) for c in cases])
    out = {}
    for kind in KINDS:
        for h in ("DEV", "TEST", "ALL"):
            mask = np.ones(y.size, bool) if h == "ALL" else halves == h
            yy, pp = y[mask], prob[kind][mask]
            out[(kind, h)] = {
                "auc": m.roc_auc(yy, pp),
                "pr_auc": m.pr_auc(yy, pp),
                "ece": m.ece(yy, pp),
                "log_loss": m.log_loss(yy, pp),
                "n": int(mask.sum()),
            }
    return out, y, chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="A,B")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data}: not found (the benchmark reads ../shared/data at run time)")
    targets = {"A": 0.88, "B": 0.91}
    for name in args.sets.split(","):
        started = time.perf_counter()
        figures, _, chosen = run_set(name, args.data)
        print(
            f"\nset {name} ({time.perf_counter() - started:.0f} s; kept per fold: {', '.join(chosen)}); "
            f"targets AUC >= {targets.get(name, '-')}, ECE <= 0.02"
        )
        print("model      half  n     AUC     PR AUC  ECE     log-loss")
        for kind in KINDS:
            for h in ("DEV", "TEST", "ALL"):
                r = figures[(kind, h)]
                print(
                    f"{kind:10} {h:5} {r['n']:5} {r['auc']:.4f}  {r['pr_auc']:.4f}  {r['ece']:.4f}  {r['log_loss']:.4f}"
                )


if __name__ == "__main__":
    main()
