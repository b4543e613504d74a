"""`qualify calibrate` on a small synthetic CSV: leaky columns refused, weights written, and `qualify eval` with them
reproduces the in-sample metrics calibrate reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from library.loader import load_library

ROOT = Path(__file__).resolve().parents[2]
MAPPING = """
name: synthetic
id_column: id
label: {column: converted, positive: ["1"], negative: ["0"]}
as_of: "2024-01-01T00:00:00Z"
form:
  - {column: origin, question: origin}
  - {column: minutes, question: minutes}
events:
  - {column: visits, type: site_visit, mode: count}
leaky: [outcome_note]
sets:
  A:
    features: {numeric: [minutes, visits], categorical: [origin]}
  BAD:
    features: {categorical: [origin, outcome_note]}
"""


def write_csv(path: Path, n: int = 240, seed: int = 3, one_class: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["id,origin,minutes,visits,outcome_note,converted"]
    for i in range(n):
        origin = ["ad", "referral", "web"][i % 3]
        minutes, visits = float(rng.exponential(8)), int(rng.integers(0, 8))
        logit = -1.2 + 1.6 * (origin == "referral") + 0.12 * minutes + 0.15 * visits
        y = 1 if one_class else int(rng.random() < 1 / (1 + np.exp(-logit)))
        lines.append(f"L{i},{origin},{minutes:.1f},{visits},{'won' if y else 'lost'},{y}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("calibrate")
    library = tmp / "library"
    shutil.copytree(ROOT / "library/data/x-education", library)
    mapping = tmp / "mapping.yaml"
    mapping.write_text(MAPPING)
    return {"tmp": tmp, "library": library, "mapping": mapping, "csv": write_csv(tmp / "leads.csv")}


@pytest.fixture(scope="module")
def calibrated(workspace: dict[str, Path]) -> dict:
    w = workspace
    result = CliRunner().invoke(
        app,
        [
            "calibrate",
            str(w["csv"]),
            "--mapping",
            str(w["mapping"]),
            "--feature-set",
            "A",
            "--library",
            str(w["library"]),
            "--folds",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    run = CliRunner().invoke(
        app,
        [
            "eval",
            str(w["csv"]),
            "--mapping",
            str(w["mapping"]),
            "--feature-set",
            "A",
            "--library",
            str(w["library"]),
            "--out",
            str(w["tmp"] / "runs"),
            "--name",
            "fitted",
            "--n-boot",
            "50",
        ],
    )
    assert run.exit_code == 0, run.output
    return {"output": result.output, "run": json.loads((w["tmp"] / "runs/fitted.json").read_text())}


def test_calibrate_writes_the_model_and_keeps_the_rest_of_scoring_yaml(
    workspace: dict[str, Path], calibrated: dict
) -> None:
    text = (workspace["library"] / "scoring.yaml").read_text()
    assert "site_visit" in text and text.startswith("# Starting weights")  # comments and event rules kept
    model = load_library(workspace["library"]).scoring.model
    assert model is not None and model.provenance is not None
    assert model.provenance.rows == 240 and model.provenance.feature_set == "A" and model.provenance.cv_folds == 4
    assert {f.source for f in model.features} == {"form.origin", "form.minutes", "events.site_visit"}
    assert model.coefficients["origin=referral"] > model.coefficients["origin=ad"]  # the signal the data was built with
    assert 0.6 < model.provenance.cv_metrics["roc_auc"] <= model.provenance.in_sample_metrics["roc_auc"] + 0.05
    assert "cross-validated: AUC" in calibrated["output"]


def test_eval_with_the_written_weights_reproduces_the_reported_in_sample_metrics(
    workspace: dict[str, Path], calibrated: dict
) -> None:
    model = load_library(workspace["library"]).scoring.model
    assert model is not None and model.provenance is not None
    reported, measured = model.provenance.in_sample_metrics, calibrated["run"]["metrics"]
    assert measured["complete"] and measured["n_cases"] == 240
    assert measured["roc_auc"]["value"] == pytest.approx(reported["roc_auc"], abs=1e-5)
    assert measured["pr_auc"]["value"] == pytest.approx(reported["pr_auc"], abs=1e-5)
    assert measured["calibration"]["ece"] == pytest.approx(reported["ece"], abs=1e-4)
    at = measured["at_threshold"]
    assert at["threshold"] == pytest.approx(reported["threshold"])
    for name in ("precision", "recall", "fpr"):
        assert at[name] == pytest.approx(reported[name], abs=1e-6)  # provenance keeps 6 decimals


def test_calibrate_refuses_a_leaky_column_and_names_it(workspace: dict[str, Path]) -> None:
    w = workspace
    before = (w["library"] / "scoring.yaml").read_text()
    result = CliRunner().invoke(
        app,
        [
            "calibrate",
            str(w["csv"]),
            "--mapping",
            str(w["mapping"]),
            "--feature-set",
            "BAD",
            "--library",
            str(w["library"]),
        ],
    )
    assert result.exit_code == 2
    assert "outcome_note" in result.output and "leaky" in result.output
    assert (w["library"] / "scoring.yaml").read_text() == before


def test_calibrate_refuses_a_one_class_file(workspace: dict[str, Path]) -> None:
    w = workspace
    csv = write_csv(w["tmp"] / "one.csv", n=30, one_class=True)
    result = CliRunner().invoke(
        app, ["calibrate", str(csv), "--mapping", str(w["mapping"]), "--library", str(w["library"])]
    )
    assert result.exit_code == 2 and "both classes" in result.output


def test_mapping_naming_a_missing_column_exits_2_naming_it(workspace: dict[str, Path]) -> None:
    w = workspace
    broken = w["tmp"] / "broken.yaml"
    data = yaml.safe_load(MAPPING)
    data["sets"]["A"]["features"]["numeric"].append("time_on_site")
    broken.write_text(yaml.safe_dump(data))
    for command in (["calibrate", "--library", str(w["library"])], ["eval"]):
        result = CliRunner().invoke(app, [command[0], str(w["csv"]), "--mapping", str(broken), *command[1:]])
        assert result.exit_code == 2, result.output
        assert "time_on_site" in result.output
