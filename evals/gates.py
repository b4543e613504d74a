"""CI gates for `qualify eval --fail-under auc=0.85,fpr_at_threshold=0.2`.

A gate on a higher-is-better metric fails when the value is below its bound; on a lower-is-better metric (FPR, ECE,
Brier) when it is above. A metric that could not be measured fails its gate, and so does an incomplete run.
"""

from __future__ import annotations

from collections.abc import Callable

from evals.errors import EvalError
from evals.results import EvalMetrics, ThresholdMetrics


def _q(m: EvalMetrics, attr: str) -> float | None:
    overall = next((q for q in m.questions if q.question_id == "__all__"), None)
    return getattr(overall, attr) if overall else None


def _t(which: str, attr: str) -> Callable[[EvalMetrics], float | None]:
    def get(m: EvalMetrics) -> float | None:
        t: ThresholdMetrics | None = getattr(m, which)
        return getattr(t, attr) if t is not None else None

    return get


GATES: dict[str, tuple[Callable[[EvalMetrics], float | None], bool]] = {
    "auc": (lambda m: m.roc_auc.value if m.roc_auc else None, True),
    "pr_auc": (lambda m: m.pr_auc.value if m.pr_auc else None, True),
    "ece": (lambda m: m.calibration.ece if m.calibration else None, False),
    "brier": (lambda m: m.calibration.brier if m.calibration else None, False),
    "capture_top_10": (lambda m: m.capture_top_10, True),
    "capture_top_20": (lambda m: m.capture_top_20, True),
    "question_accuracy": (lambda m: _q(m, "accuracy"), True),
    "kappa": (lambda m: _q(m, "kappa"), True),
}
for _where in ("threshold", "tier"):
    for _name, _higher in (("precision", True), ("recall", True), ("f1", True), ("fpr", False)):
        GATES[f"{_name}_at_{_where}"] = (_t(f"at_{_where}", _name), _higher)
GATES["roc_auc"] = GATES["auc"]


def parse_gates(text: str) -> dict[str, float]:
    """'auc=0.85,fpr_at_threshold=0.2' → {name: bound}; an unknown name or a bad number is an EvalError."""
    gates: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in GATES:
            raise EvalError(f"--fail-under: {item!r} is not NAME=VALUE with NAME one of {sorted(GATES)}")
        try:
            gates[name] = float(value)
        except ValueError:
            raise EvalError(f"--fail-under: {value.strip()!r} for {name} is not a number") from None
    if not gates:
        raise EvalError("--fail-under: no gate given")
    return gates


def failed_gates(metrics: EvalMetrics, gates: dict[str, float]) -> list[str]:
    """A readable line per failed gate (empty when every gate passes)."""
    failed = (
        [] if metrics.complete else [f"complete: {metrics.n_invalid} of {metrics.n_cases} cases had invalid output"]
    )
    for name, bound in gates.items():
        get, higher = GATES[name]
        value = get(metrics)
        if value is None:
            failed.append(f"{name}: not measurable on this run (bound {bound:g})")
        elif (value < bound) if higher else (value > bound):
            failed.append(f"{name}: {value:.4f} {'<' if higher else '>'} {bound:g}")
    return failed
