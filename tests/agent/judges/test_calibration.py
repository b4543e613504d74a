"""Calibrated confidence: fitted on DEV rows by evals, applied by the judge, monotone, and absent means raw."""

from __future__ import annotations

from pathlib import Path

from agent.judges.calibration import ConfidenceMap
from evals.judging import Judged, fit_confidence


def _rows(answer: str, conf: float, right: int, wrong: int) -> list[Judged]:
    other = "no" if answer != "no" else "yes"
    return [
        Judged(f"{answer}{conf}{i}", answer if i < right else other, answer, conf, "fit") for i in range(right + wrong)
    ]


def test_fit_maps_raw_confidence_to_the_observed_rate_and_round_trips(tmp_path: Path) -> None:
    rows = _rows("yes", 0.9, 12, 8) + _rows("yes", 0.6, 5, 15) + _rows("no", 0.7, 3, 3)
    knots = fit_confidence(rows)
    assert set(knots) == {"yes"}  # "no" has too few rows to fit: it keeps its raw confidences
    cmap = ConfidenceMap(knots)
    assert abs(cmap("yes", 0.9) - 0.6) < 1e-6 and abs(cmap("yes", 0.6) - 0.25) < 1e-6
    assert cmap("yes", 0.6) <= cmap("yes", 0.75) <= cmap("yes", 0.9)  # monotone in between
    assert cmap("no", 0.7) == 0.7
    cmap.dump(tmp_path / "c.json", fitted_on="test")
    assert ConfidenceMap.load(tmp_path / "c.json")("yes", 0.9) == cmap("yes", 0.9)
    assert ConfidenceMap.load(tmp_path / "absent.json")("yes", 0.42) == 0.42
