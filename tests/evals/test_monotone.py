"""Automatic monotone directions for the boosted model: derived from the training rows when the data show one clearly,
recorded in model.json with who chose them, respected by the trees, shown by `qualify calibrate`, and overridden by
the mapping (a declared direction, `none`, or `auto_monotone: false`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.features import FeatureContext
from agent.fitted import explain
from agent.schemas import Lead
from api.cli import app
from evals.calibrate import FeatureSpec, auto_direction, fit_model

RNG = np.random.default_rng(7)


def _outcome(logit: np.ndarray) -> np.ndarray:
    return (RNG.random(logit.size) < 1 / (1 + np.exp(-logit))).astype(int)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("rising", 1),
        ("falling", -1),
        ("hump", 0),  # best in the middle: no direction may be imposed
        ("noise", 0),
    ],
)
def test_auto_direction_follows_a_clear_trend_only(shape: str, expected: int) -> None:
    x = RNG.uniform(0, 10, 4000)
    logit = {
        "rising": 0.4 * x - 2,
        "falling": 2 - 0.4 * x,
        "hump": 2.5 - 0.25 * (x - 5) ** 2,
        "noise": np.zeros(x.size),
    }[shape]
    assert auto_direction(x, _outcome(logit)) == expected


def test_auto_direction_ignores_missing_values_and_needs_enough_rows() -> None:
    x = RNG.uniform(0, 10, 3000)
    y = _outcome(0.5 * x - 2.5)
    x_missing = x.copy()
    x_missing[::3] = np.nan
    assert auto_direction(x_missing, y) == 1
    assert auto_direction(x[:40], y[:40]) == 0  # too few rows to tell


def _leads(n: int) -> tuple[list[FeatureContext], list[int]]:
    a, h = RNG.uniform(0, 10, n), RNG.uniform(0, 10, n)
    y = _outcome(0.45 * a - 2.2 + (2.0 - 0.2 * (h - 5) ** 2))
    ctxs = [
        FeatureContext(Lead(company={"name": f"C{i}"}, form_answers={"a": f"{a[i]:.3f}", "h": f"{h[i]:.3f}"}))
        for i in range(n)
    ]
    return ctxs, y.tolist()


def test_a_boosted_fit_records_and_respects_the_directions_it_derived() -> None:
    ctxs, y = _leads(3000)
    specs = [FeatureSpec("a", "form.a", "numeric", auto_monotone=True), FeatureSpec("h", "form.h", "numeric", 0, True)]
    model = fit_model(ctxs, y, specs, folds=3, method="boosted").model
    by_name = {f.name: f for f in model.features}
    assert (by_name["a"].monotone, by_name["a"].monotone_from) == (1, "data")
    assert (by_name["h"].monotone, by_name["h"].monotone_from) == (0, "data")  # the hump stays free
    # Along a grid of `a` (h fixed), P(SQL) never falls: the trees were fitted under the constraint.
    grid = [
        explain(model, FeatureContext(Lead(company={"name": "x"}, form_answers={"a": str(v), "h": "5"}))).probability
        for v in np.linspace(0, 10, 60)
    ]
    assert all(later >= earlier - 1e-12 for earlier, later in zip(grid, grid[1:], strict=False))
    assert grid[-1] > grid[0]
    # The hump is still learnt: the middle of h beats both ends.
    middle, ends = (
        explain(model, FeatureContext(Lead(company={"name": "x"}, form_answers={"a": "5", "h": h}))).probability
        for h in ("5", "0.2")
    )
    assert middle > ends


MAPPING = """
name: mono
label: {column: won, positive: ["1"], negative: ["0"]}
form:
  - {column: a, question: a}
  - {column: h, question: h}
  - {column: b, question: b}
sets:
  main:
    features: {numeric: [a, h, b]}
"""


def _files(tmp_path: Path, extra: str = "") -> tuple[Path, Path]:
    n = 1500
    a, h, b = RNG.uniform(0, 10, n), RNG.uniform(0, 10, n), RNG.uniform(0, 10, n)
    y = _outcome(0.45 * a - 2.2 + (2.0 - 0.2 * (h - 5) ** 2) - 0.3 * b + 1.5)
    csv = tmp_path / "leads.csv"
    csv.write_text(
        "a,h,b,won\n" + "".join(f"{a[i]:.3f},{h[i]:.3f},{b[i]:.3f},{y[i]}\n" for i in range(n)), encoding="utf-8"
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING + extra)
    return csv, mapping


def _calibrate(tmp_path: Path, extra: str = "") -> tuple[dict, str]:
    csv, mapping = _files(tmp_path, extra)
    lib = tmp_path / "mono"
    args = ["calibrate", str(csv), "--mapping", str(mapping), "--library", str(lib), "--folds", "3"]
    result = CliRunner().invoke(app, [*args, "--method", "boosted"])
    assert result.exit_code == 0, result.output
    features = json.loads((lib / "model.json").read_text())["model"]["features"]
    return {f["name"]: (f.get("monotone", 0), f.get("monotone_from")) for f in features}, " ".join(
        result.output.split()
    )


def test_calibrate_derives_directions_by_default_and_shows_them(tmp_path: Path) -> None:
    recorded, said = _calibrate(tmp_path)
    assert recorded == {"a": (1, "data"), "h": (0, "data"), "b": (-1, "data")}
    assert "monotone directions (boosted trees respect them):" in said
    assert "a increasing (from the data)" in said and "b decreasing (from the data)" in said
    assert "h unconstrained (no clear direction in the data)" in said


def test_the_mapping_overrides_the_derived_directions(tmp_path: Path) -> None:
    recorded, said = _calibrate(tmp_path, "monotone: {a: none, h: increasing}\n")
    assert recorded == {"a": (0, None), "h": (1, "mapping"), "b": (-1, "data")}
    assert "h increasing (declared)" in said and "a unconstrained," in said


def test_auto_monotone_false_leaves_every_number_unconstrained(tmp_path: Path) -> None:
    recorded, said = _calibrate(tmp_path, "auto_monotone: false\n")
    assert recorded == {"a": (0, None), "h": (0, None), "b": (0, None)}
    assert "a unconstrained, h unconstrained, b unconstrained" in said
