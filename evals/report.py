"""A self-contained HTML report of one eval run: inline SVG plots, no scripts or external assets, everything escaped."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from evals.results import Confusion, EvalMetrics, Interval, RunRecord
from evals.svg import bar_chart, histogram, line_chart

CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}
pre{background:#f6f8fa;padding:1em;overflow:auto;font-size:12px}.warn{background:#fff3cd;padding:.6em;border:1px solid #e0c36a}"""


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _confusion(c: Confusion, title: str) -> str:
    rows = [[r, *(str(n) for n in counts)] for r, counts in zip(c.rows, c.counts, strict=True)]
    return f"<h3>{escape(title)}</h3>" + _table(["expected \\ predicted", *c.columns], rows)


def _summary(m: EvalMetrics) -> str:
    def ci(name: str, iv: Interval | None) -> list[str]:
        return [name, "–", ""] if iv is None else [name, _f(iv.value), f"{_f(iv.low)} – {_f(iv.high)}"]

    rows = [
        ["cases", str(m.n_cases), ""],
        ["valid / invalid output", f"{m.n_valid} / {m.n_invalid}", ""],
        ["base rate", _f(m.base_rate), ""],
        ci("ROC AUC", m.roc_auc),
        ci("PR AUC", m.pr_auc),
    ]
    for label, t in (("at SQL tier", m.at_tier), ("at threshold", m.at_threshold)):
        if t is not None:
            suffix = f" {t.threshold:g}" if t.threshold is not None else ""
            rows += [
                [f"precision {label}{suffix}", _f(t.precision), ""],
                [f"recall {label}{suffix}", _f(t.recall), ""],
                [f"F1 {label}{suffix}", _f(t.f1), ""],
                [f"false-positive rate {label}{suffix}", _f(t.fpr), ""],
            ]
    if m.calibration:
        rows += [
            ["Brier score", _f(m.calibration.brier, 4), ""],
            [f"ECE ({m.calibration.bins} equal-width bins)", _f(m.calibration.ece, 4), ""],
        ]
    rows += [
        ["capture in top 10 %", _f(m.capture_top_10), ""],
        ["capture in top 20 %", _f(m.capture_top_20), ""],
        ["unknown rate (answers)", _f(m.unknown_rate), ""],
    ]
    if m.usage:
        rows += [
            ["tokens per lead", _f(m.usage.mean_tokens, 1), ""],
            ["cost per lead (USD)", _f(m.usage.mean_cost_usd, 5), ""],
            ["latency p50 / p95 (ms)", f"{m.usage.latency_p50_ms:.1f} / {m.usage.latency_p95_ms:.1f}", ""],
        ]
    return _table(["metric", "value", "95 % interval"], rows)


def _charts(m: EvalMetrics) -> str:
    charts = [
        line_chart(
            "ROC curve",
            "false-positive rate",
            "true-positive rate",
            [(f"AUC {_f(m.roc_auc.value) if m.roc_auc else '–'}", m.roc_curve)],
        )
    ]
    if m.calibration:
        points = [
            (b.mean_predicted, b.observed_rate)
            for b in m.calibration.curve
            if b.mean_predicted is not None and b.observed_rate is not None
        ]
        charts.append(
            line_chart(
                "Reliability diagram",
                "mean predicted probability",
                "observed rate",
                [(f"ECE {_f(m.calibration.ece, 4)}", points)],
            )
        )
    charts.append(histogram("Score distribution by outcome", m.scores_by_outcome))
    if m.lift:
        charts.append(
            bar_chart(
                "Lift by decile",
                "decile (1 = highest scores)",
                "lift over base rate",
                [str(r.group) for r in m.lift],
                [r.lift or 0.0 for r in m.lift],
                reference=1.0,
            )
        )
    return '<div class="charts">' + "".join(f"<figure>{c}</figure>" for c in charts) + "</div>"


def render_report(run: RunRecord) -> str:
    """The whole report as one HTML string."""
    m = run.metrics
    parts = [f"<h1>Eval run: {escape(run.name)}</h1><p>Created {escape(run.created_at)}</p>"]
    if not m.complete:
        parts.append(
            f'<p class="warn">Incomplete: {m.n_invalid} of {m.n_cases} cases produced no valid scorecard. '
            "Ranking and calibration metrics cover the valid cases; decision metrics count invalid cases as "
            "not routed.</p>"
        )
    parts += [
        "<h2>Summary</h2>",
        _summary(m),
        "<h2>Plots</h2>",
        _charts(m),
        "<h2>Confusion matrix</h2>",
        _confusion(m.confusion, "Expected outcome by predicted tier"),
    ]
    if m.lift:
        parts += [
            "<h2>Lift table</h2>",
            _table(
                ["decile", "cases", "converted", "rate", "lift", "cumulative capture"],
                [
                    [str(r.group), str(r.count), str(r.positives), _f(r.rate), _f(r.lift, 2), _f(r.cumulative_capture)]
                    for r in m.lift
                ],
            ),
        ]
    if m.questions:
        parts += [
            "<h2>Questions</h2>",
            _table(
                ["question", "cases", "accuracy", "Cohen's kappa", "unknown rate", "expected unknown rate"],
                [
                    [
                        q.question_id,
                        str(q.n),
                        _f(q.accuracy),
                        _f(q.kappa),
                        _f(q.unknown_rate),
                        _f(q.expected_unknown_rate),
                    ]
                    for q in m.questions
                ],
            ),
        ]
    config = json.dumps(run.config, indent=2, sort_keys=True, default=str)
    parts += ["<h2>Configuration</h2>", f"<pre>{escape(config)}</pre>"]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(run.name)} — Qualify eval'
        f"</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def write_report(run: RunRecord, path: Path) -> Path:
    """Write the report next to the run's JSON; returns the path."""
    path.write_text(render_report(run), encoding="utf-8")
    return path
