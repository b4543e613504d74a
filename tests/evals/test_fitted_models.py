"""Fitted models end to end in memory: LR vs boosting vs their blend chosen by log-loss, JSON round-trip, checksum and
version refusal, and explanations that add up to the log-odds."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from agent.features import FeatureContext
from agent.fitted import explain, predict
from agent.schemas import Lead
from evals.boosting import export, fit_boosted, tree_contributions, tree_log_odds_and_mean_contributions
from evals.calibrate import FeatureSpec, _encoding, _margins_boosted, bagged, coded_matrix, fit_model, read_columns
from evals.errors import DatasetError
from library import model_file
from library.errors import LibraryError
from library.loader import LibraryValidationError, load_library
from library.schemas import FittedModel

ROOT = Path(__file__).resolve().parents[2]
SPECS = [
    FeatureSpec("a", "form.a", "numeric"),
    FeatureSpec("b", "form.b", "numeric"),
    FeatureSpec("kind", "form.kind", "categorical"),
]


def leads(n: int, seed: int, nonlinear: bool) -> tuple[list[FeatureContext], list[int]]:
    rng = np.random.default_rng(seed)
    ctxs, ys = [], []
    for i in range(n):
        a, b = rng.uniform(-3, 3), rng.uniform(-3, 3)
        kind = ["x", "y", "z", "w"][i % 4]
        if nonlinear:  # a checkerboard of a and b: no linear term carries it
            logit = 2.5 if (a > 0) == (b > 0) else -2.5
        else:
            logit = 0.9 * a - 0.6 * b + (0.8 if kind == "y" else 0.0)
        y = int(rng.random() < 1 / (1 + math.exp(-logit)))
        answers = {"a": f"{a:.3f}", "kind": kind} | ({} if i % 10 == 0 else {"b": f"{b:.3f}"})  # some b missing
        ctxs.append(FeatureContext(Lead(company={"name": f"C{i}"}, form_answers=answers)))
        ys.append(y)
    return ctxs, ys


@pytest.fixture(scope="module")
def nonlinear_fit():  # type: ignore[no-untyped-def]
    ctxs, y = leads(1500, 1, nonlinear=True)
    return ctxs, y, fit_model(ctxs, y, SPECS, folds=3, provenance=None)


def test_boosting_is_kept_when_it_wins_by_log_loss_on_a_nonlinear_set(nonlinear_fit) -> None:  # type: ignore[no-untyped-def]
    _, _, fit = nonlinear_fit
    assert fit.model.kind == "boosted"
    assert fit.candidates["boosted"]["log_loss"] < fit.candidates["logistic"]["log_loss"]
    assert fit.candidates["boosted"]["roc_auc"] > 0.8 > fit.candidates["logistic"]["roc_auc"]


def mixed_leads(n: int, seed: int) -> tuple[list[FeatureContext], list[int]]:
    """A linear trend in a (which the logistic terms carry) plus a wave in b (which the trees carry)."""
    rng = np.random.default_rng(seed)
    ctxs, ys = [], []
    for i in range(n):
        a, b = rng.uniform(-3, 3), rng.uniform(-3, 3)
        kind = ["x", "y", "z", "w"][i % 4]
        logit = 0.8 * a + 1.5 * math.sin(2 * b) + (1.0 if kind == "y" else 0.0)
        ys.append(int(rng.random() < 1 / (1 + math.exp(-logit))))
        answers = {"a": f"{a:.3f}", "b": f"{b:.3f}", "kind": kind}
        ctxs.append(FeatureContext(Lead(company={"name": f"C{i}"}, form_answers=answers)))
    return ctxs, ys


@pytest.fixture(scope="module")
def blend_fit():  # type: ignore[no-untyped-def]
    ctxs, y = mixed_leads(1500, 0)
    return ctxs, y, fit_model(ctxs, y, SPECS, folds=3)


def test_a_blend_is_kept_when_it_beats_both_models_by_log_loss(blend_fit) -> None:  # type: ignore[no-untyped-def]
    _, _, fit = blend_fit
    losses = {k: v["log_loss"] for k, v in fit.candidates.items()}
    assert fit.model.kind == "blend" and set(losses) == {"logistic", "boosted", "blend"}
    assert losses["blend"] < min(losses["logistic"], losses["boosted"])
    assert fit.model.blend_weight is not None and 0 < fit.model.blend_weight < 1
    assert fit.model.coefficients and fit.model.trees


def test_a_blend_scores_as_its_weighted_parts_and_round_trips(blend_fit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctxs, _, fit = blend_fit
    model, w = fit.model, fit.model.blend_weight
    assert w is not None
    lr_only = model.model_copy(update={"kind": "logistic", "trees": [], "blend_weight": None, "calibration": None})
    trees_only = model.model_copy(
        update={"kind": "boosted", "coefficients": {}, "blend_weight": None, "calibration": None}
    )
    for ctx in ctxs[:50]:
        e = explain(model.model_copy(update={"calibration": None}), ctx)
        lr_parts = [c for _, c, _ in explain(lr_only, ctx).parts]
        tree_parts = [c for _, c, _ in explain(trees_only, ctx).parts]
        assert [c for _, c, _ in e.parts] == pytest.approx([a + b for a, b in zip(lr_parts, tree_parts, strict=True)])
        assert e.base + sum(c for _, c, _ in e.parts) == pytest.approx(e.log_odds, abs=1e-9)
    single = np.array([predict(model, c)[0] for c in ctxs[:300]])
    assert np.allclose(single, fit.in_sample_probs[:300], atol=1e-9)  # the batch fit and one lead at a time agree
    model_file.write(tmp_path, model)
    assert model_file.read(tmp_path) == model


def test_a_blend_without_its_weight_or_a_weight_on_a_single_model_is_refused(blend_fit) -> None:  # type: ignore[no-untyped-def]
    body = blend_fit[2].model.model_dump()
    with pytest.raises(ValidationError, match="blend needs its blend_weight"):
        FittedModel.model_validate({**body, "blend_weight": None})
    with pytest.raises(ValidationError, match="only for a blend"):
        FittedModel.model_validate({**body, "kind": "boosted"})
    with pytest.raises(ValidationError, match="blend_weight"):
        FittedModel.model_validate({**body, "blend_weight": 1.0})


def test_the_bagged_boosted_model_is_the_mean_of_its_folds_models_on_their_own_codes() -> None:
    """Each fold encodes categories with its own levels; re-coded onto the final levels, the folds' trees average to
    exactly the mean of the folds' own decision functions."""
    ctxs, y = leads(900, 6, nonlinear=False)
    ctxs = [  # a rare level that some folds drop into <other> and the final encoding keeps
        FeatureContext(c.lead.model_copy(update={"form_answers": {**c.lead.form_answers, "kind": "rare"}}))
        if i % 90 == 0
        else c
        for i, c in enumerate(ctxs)
    ]
    ya = np.array(y)
    cols = read_columns(SPECS, ctxs)
    every = np.arange(len(ctxs))
    final = _encoding(SPECS, cols, every)
    folds, own = [], []
    for k in range(3):
        train = every[every % 3 != k] if k else every[(every % 3 != 0) & (every % 90 != 0)]
        feats = _encoding(SPECS, cols, train)
        margins, bag = _margins_boosted(feats, cols, train, every, ya, 0)
        folds.append(bag)
        own.append(margins)
    assert "rare" in final[2].levels and "rare" not in folds[0].levels[2]
    intercept, trees = bagged(folds, final)
    ours = intercept + tree_contributions(trees, coded_matrix(final, cols, every)).sum(axis=1)
    assert np.allclose(ours, np.mean(own, axis=0), atol=1e-9)
    assert len(trees) == sum(len(b.trees) for b in folds)


def test_logistic_regression_is_kept_on_a_linear_set() -> None:
    ctxs, y = leads(1500, 2, nonlinear=False)
    fit = fit_model(ctxs, y, SPECS, folds=3)
    assert fit.model.kind == "logistic"
    assert fit.candidates["logistic"]["log_loss"] <= fit.candidates["boosted"]["log_loss"]


def test_exported_trees_reproduce_scikit_learns_decision_function() -> None:
    ctxs, y = leads(800, 3, nonlinear=True)
    cols = read_columns(SPECS, ctxs)
    rows = np.arange(len(ctxs))
    feats = _encoding(SPECS, cols, rows)
    x = coded_matrix(feats, cols, rows)
    cat = [f.kind == "categorical" for f in feats]
    model = fit_boosted(x, np.array(y), cat, [0, 0, 0])
    base, trees = export(model, cat, [len(f.levels) + 1 for f in feats])
    ours = base + tree_contributions(trees, x).sum(axis=1)
    assert np.allclose(ours, model.decision_function(x), atol=1e-9)
    z, mean = tree_log_odds_and_mean_contributions(trees, x)  # without the leads x features table
    assert np.allclose(base + z, ours, atol=1e-9)
    assert np.allclose(mean, tree_contributions(trees, x).mean(axis=0), atol=1e-12)


def test_predictions_match_between_the_batch_fit_and_one_lead_at_a_time(nonlinear_fit) -> None:  # type: ignore[no-untyped-def]
    ctxs, _, fit = nonlinear_fit
    single = np.array([predict(fit.model, c)[0] for c in ctxs[:300]])
    assert np.allclose(single, fit.in_sample_probs[:300], atol=1e-9)


def test_model_json_round_trip_gives_identical_predictions(nonlinear_fit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctxs, _, fit = nonlinear_fit
    path = model_file.write(tmp_path, fit.model)
    again = model_file.read(tmp_path)
    assert again == fit.model and path.name == "model.json"
    assert [predict(again, c)[0] for c in ctxs[:200]] == [predict(fit.model, c)[0] for c in ctxs[:200]]


@pytest.mark.parametrize("nonlinear", [True, False])
def test_contributions_plus_base_and_adjustment_equal_the_log_odds(nonlinear: bool, nonlinear_fit) -> None:  # type: ignore[no-untyped-def]
    if nonlinear:
        ctxs, _, fit = nonlinear_fit
    else:
        ctxs, y = leads(600, 4, nonlinear=False)
        fit = fit_model(ctxs, y, SPECS, folds=3)
    for ctx in ctxs[:100]:
        e = explain(fit.model, ctx)
        assert e.base + sum(c for _, c, _ in e.parts) + e.adjustment == pytest.approx(e.log_odds, abs=1e-9)
        assert math.log(e.probability / (1 - e.probability)) == pytest.approx(e.log_odds, abs=1e-6)
        if fit.model.calibration is not None and fit.model.calibration.method == "sigmoid":
            assert e.adjustment == pytest.approx(0.0, abs=1e-9)  # sigmoid calibration keeps the parts exact


def _library_with_model(tmp_path: Path, model) -> Path:  # type: ignore[no-untyped-def]
    lib = tmp_path / "x-education"
    shutil.copytree(ROOT / "library/data/x-education", lib)
    model_file.write(lib, model)
    return lib


def test_library_loads_its_model_json(nonlinear_fit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = _library_with_model(tmp_path, nonlinear_fit[2].model)
    assert load_library(lib).scoring.model == nonlinear_fit[2].model


def test_an_edited_model_file_is_refused_in_one_line_naming_the_checksum(nonlinear_fit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = _library_with_model(tmp_path, nonlinear_fit[2].model)
    data = json.loads((lib / "model.json").read_text())
    data["model"]["intercept"] += 1.0
    (lib / "model.json").write_text(json.dumps(data))
    with pytest.raises(LibraryValidationError) as info:
        load_library(lib)
    assert str(info.value).count("\n") == 0 and "model.json" in str(info.value) and "checksum" in str(info.value)


def test_a_model_file_of_another_version_is_refused(nonlinear_fit) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(model_file.dumps(nonlinear_fit[2].model))
    data["version"] = 99
    with pytest.raises(LibraryError, match="version 99 is not supported"):
        model_file.loads(json.dumps(data))
    with pytest.raises(LibraryError, match="not JSON"):
        model_file.loads("{broken")


def test_a_constant_feature_is_refused_naming_it() -> None:
    ctxs, y = leads(200, 5, nonlinear=False)
    ctxs = [
        FeatureContext(c.lead.model_copy(update={"form_answers": {**c.lead.form_answers, "kind": "same"}}))
        for c in ctxs
    ]
    with pytest.raises(DatasetError, match="'kind' has the same value"):
        fit_model(ctxs, y, SPECS, folds=3)


def test_a_column_that_alone_separates_the_classes_is_refused_as_leaky() -> None:
    ctxs, y = leads(300, 6, nonlinear=False)
    ctxs = [
        FeatureContext(
            c.lead.model_copy(update={"form_answers": {**c.lead.form_answers, "kind": "won" if t else "lost"}})
        )
        for c, t in zip(ctxs, y, strict=True)
    ]
    with pytest.raises(DatasetError, match="'kind' alone separates") as info:
        fit_model(ctxs, y, SPECS, folds=3)
    assert info.value.column == "kind"
