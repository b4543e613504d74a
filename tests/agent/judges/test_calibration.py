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
    # each raw value's rate, shrunk toward the answer's overall rate (17 of 40) by five pseudo-cases
    assert abs(cmap("yes", 0.9) - (12 + 5 * 17 / 40) / 25) < 1e-3
    assert abs(cmap("yes", 0.6) - (5 + 5 * 17 / 40) / 25) < 1e-3
    plain = ConfidenceMap(fit_confidence(rows, prior=0))
    assert abs(plain("yes", 0.9) - 0.6) < 1e-6 and abs(plain("yes", 0.6) - 0.25) < 1e-6
    assert cmap("yes", 0.6) <= cmap("yes", 0.75) <= cmap("yes", 0.9)  # monotone in between
    assert cmap("no", 0.7) == 0.7
    cmap.dump(tmp_path / "c.json", fitted_on="test")
    loaded = ConfidenceMap.load(tmp_path / "c.json")
    assert loaded("yes", 0.9) == cmap("yes", 0.9) and loaded.fitted_on == "test"
    assert ConfidenceMap.load(tmp_path / "absent.json")("yes", 0.42) == 0.42


def test_a_few_wrong_answers_at_one_raw_value_do_not_read_as_never_right() -> None:
    rows = _rows("no", 0.8, 40, 5) + _rows("no", 0.55, 0, 3)
    cmap = ConfidenceMap(fit_confidence(rows))
    assert 0.3 < cmap("no", 0.55) < cmap("no", 0.8)  # three misses: less often right, not 5 %
    assert ConfidenceMap(fit_confidence(rows, prior=0))("no", 0.55) == 0.05
