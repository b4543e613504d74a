"""The HTML report is self-contained and escaped; compare pairs runs by case id and lists tier changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evals import metrics as m
from evals.compare import compare_runs, load_run, save_run
from evals.errors import EvalError
from evals.report import render_report, write_report
from evals.results import CaseResult, RunRecord

Y = [1, 0, 1, 0, 1, 0, 0, 1, 0, 0] * 3


def _run(name: str, probs: list[float | None], tiers: list[str | None]) -> RunRecord:
    metrics = m.compute_metrics(
        Y, probs, tiers, threshold=0.5, n_boot=50, question_pairs=[("q<1>", "yes", "yes"), ("q<1>", "no", "unknown")]
    )
    cases = [
        CaseResult(id=f"c{i}", y_true=y, probability=p, tier=t)
        for i, (y, p, t) in enumerate(zip(Y, probs, tiers, strict=True))
    ]
    return RunRecord(
        name=name,
        created_at="2026-01-01T00:00:00Z",
        metrics=metrics,
        cases=cases,
        config={"library": "x-education", "note": "<script>alert(1)</script>"},
    )


def _tiers(probs: list[float | None]) -> list[str | None]:
    return [None if p is None else "sql_ready" if p >= 0.5 else "nurture" for p in probs]


def test_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    probs: list[float | None] = [0.8 if y else 0.3 for y in Y]
    probs[3] = None
    html = render_report(_run("run <A>", probs, _tiers(probs)))
    assert "<script" not in html and "&lt;script&gt;" in html and "run &lt;A&gt;" in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "no external assets"
    assert html.count("<svg") == 4  # ROC, reliability, score distribution, lift
    for heading in ("Confusion matrix", "Questions", "Configuration", "Lift table"):
        assert heading in html
    assert "Incomplete: 1 of 30" in html and "q&lt;1&gt;" in html
    assert write_report(_run("r", probs, _tiers(probs)), tmp_path / "r.html").read_text().startswith("<!doctype html>")


def test_compare_deltas_and_tier_changes(tmp_path: Path) -> None:
    weak = [0.6 if i % 3 == 0 else (0.55 if y else 0.45) for i, y in enumerate(Y)]
    strong = [0.9 if y else 0.1 for y in Y]
    a = load_run(save_run(_run("a", weak, _tiers(weak)), tmp_path / "a.json"))
    b = _run("b", strong, _tiers(strong))
    result = compare_runs(a, b, n_boot=200)
    assert result.n_paired == 30 and result.deltas["roc_auc"].delta > 0 and result.deltas["roc_auc"].b == 1.0
    assert result.deltas["fpr_at_tier"].delta < 0 and result.higher_is_better["fpr_at_tier"] is False
    changed = {c.id for c in result.tier_changes}
    assert changed == {f"c{i}" for i, (p, q) in enumerate(zip(_tiers(weak), _tiers(strong), strict=True)) if p != q}


def test_compare_refuses_conflicting_labels(tmp_path: Path) -> None:
    probs = [0.5] * len(Y)
    a = _run("a", probs, _tiers(probs))
    b = a.model_copy(update={"cases": [c.model_copy(update={"y_true": 1 - c.y_true}) for c in a.cases]})
    with pytest.raises(EvalError, match="has label"):
        compare_runs(a, b)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(EvalError, match="bad.json"):
        load_run(bad)
