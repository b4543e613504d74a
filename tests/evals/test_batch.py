"""`qualify eval` on a pure scoring library scores every lead at once through the fitted model: the same probabilities,
tiers and metrics as running each lead through the pipeline (`--per-lead`), for every model kind; any library the
batch cannot score exactly falls back to the pipeline, saying why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.features import FeatureContext
from agent.fitted import explain
from api.cli import app
from evals.batch import batch_blocker, probabilities
from evals.datasets import load_csv
from evals.mapping import load_mapping
from library.loader import load_library
from library.schemas import Disqualifiers, SqlDefinition
from tests.evals.test_csv_path import MAPPING, write_csv


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module", params=["logistic", "boosted", "blend"])
def calibrated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp(f"batch-{request.param}")
    mapping = tmp / "mapping.yaml"
    mapping.write_text(MAPPING)
    csv = write_csv(tmp / "leads.csv", n=400, seed=3)
    lib = tmp / "scoring"
    done = run(
        "calibrate", str(csv), "--mapping", str(mapping), "--library", str(lib), "--folds", "3",
        "--method", request.param,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return {"tmp": tmp, "mapping": mapping, "csv": csv, "lib": lib}


def _eval(files: dict[str, Path], name: str, *extra: str) -> tuple[dict, str]:
    out = files["tmp"] / "runs"
    result = run(
        "eval", str(files["csv"]), "--mapping", str(files["mapping"]), "--library", str(files["lib"]),
        "--out", str(out), "--name", name, "--n-boot", "30", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads((out / f"{name}.json").read_text()), result.output


def test_the_batch_path_gives_the_per_lead_scores_tiers_and_metrics(calibrated: dict[str, Path]) -> None:
    batch, said = _eval(calibrated, "batch")
    per_lead, said_per_lead = _eval(calibrated, "per-lead", "--per-lead")
    assert "scored at once through the fitted model" in said
    assert "--per-lead was given" in said_per_lead and "scored at once" not in said_per_lead
    assert batch["config"]["scoring_path"].startswith("batch") and "scoring_path" not in per_lead["config"]
    one = {c["id"]: c for c in per_lead["cases"]}
    assert [c["id"] for c in batch["cases"]] == list(one)
    for c in batch["cases"]:
        assert c["probability"] == pytest.approx(one[c["id"]]["probability"], abs=1e-9)
        assert (c["tier"], c["segment"], c["y_true"]) == (
            one[c["id"]]["tier"],
            one[c["id"]]["segment"],
            one[c["id"]]["y_true"],
        )
    assert {c["tier"] for c in batch["cases"]} >= {"sql_ready", "nurture"}  # the thresholds really cut
    # Every metric is the same; only the per-lead path has a latency per scorecard to summarise.
    assert per_lead["metrics"].pop("usage") is not None and batch["metrics"].pop("usage") is None
    assert batch["metrics"] == per_lead["metrics"]


def test_batch_probabilities_are_the_explained_probability_of_each_lead(calibrated: dict[str, Path]) -> None:
    library = load_library(calibrated["lib"])
    model = library.scoring.model
    assert model is not None
    cases = load_csv(calibrated["csv"], load_mapping(calibrated["mapping"]), "main").cases
    contexts = [FeatureContext(c.lead) for c in cases]
    one_by_one = np.array([explain(model, ctx).probability for ctx in contexts])
    assert np.allclose(probabilities(model, contexts), one_by_one, rtol=0, atol=1e-12)


def test_a_library_the_batch_cannot_score_exactly_runs_every_lead_through_the_pipeline(
    calibrated: dict[str, Path],
) -> None:
    library = load_library(calibrated["lib"])
    assert batch_blocker(library) is None
    segment = library.segments[0]
    blocked = {
        "hard rules": library.model_copy(update={"disqualifiers": Disqualifiers(job_seeker_patterns=["hiring"])}),
        "SQL definition": library.model_copy(
            update={"segments": [segment.model_copy(update={"sql": SqlDefinition.model_construct()})]}
        ),
        "no fitted model": library.model_copy(update={"scoring": library.scoring.model_copy(update={"model": None})}),
    }
    for words, lib in blocked.items():
        reason = batch_blocker(lib)
        assert reason is not None and words.split()[-1] in reason, (words, reason)
    # On the command line: a library with a hard rule is evaluated lead by lead, and says why.
    ruled = calibrated["tmp"] / "ruled"
    shutil.copytree(calibrated["lib"], ruled, dirs_exist_ok=True)
    (ruled / "disqualifiers.yaml").write_text("disqualifiers:\n  job_seeker_patterns: [looking for a job]\n")
    _, said = _eval({**calibrated, "lib": ruled}, "ruled")
    assert "every lead runs the whole pipeline: the library configures hard rules" in said
