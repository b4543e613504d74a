"""Calibrated confidence: the embedded judge's raw confidences (fixed per kind of finding) mapped, per answer, to how
often such answers were right on the held-out sellers of the blind benchmark, whose answers were never tuned on (a
monotone, isotonic fit made by `evals.judging.fit_confidence`, written by
`python -m benchmarks.judge --fit-confidence holdout`). Fitted on the DEV half the judge is tuned on, the map says
what a tuned seller sees and overstates a new one (all-nine TEST ECE 0.122 against 0.056 when this was chosen). TEST is
never used to fit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_MAP = Path(__file__).with_name("confidence.json")


@dataclass(frozen=True)
class ConfidenceMap:
    """Per answer ('yes' / 'no' / 'unknown'): raw-confidence knots → calibrated confidence (linear in between)."""

    knots: dict[str, tuple[list[float], list[float]]]
    fitted_on: str = ""

    def __call__(self, answer: str, raw: float) -> float:
        found = self.knots.get(answer)
        if not found or not found[0]:
            return raw
        return round(float(np.interp(raw, found[0], found[1])), 3)

    @classmethod
    def load(cls, path: Path = DEFAULT_MAP) -> ConfidenceMap:
        """The shipped map; an absent file means no calibration (raw confidences)."""
        if not path.is_file():
            return cls({})
        data = json.loads(path.read_text(encoding="utf-8"))
        knots = {k: (list(v["raw"]), list(v["calibrated"])) for k, v in data["answers"].items()}
        return cls(knots, fitted_on=str(data.get("fitted_on", "")))

    def dump(self, path: Path, *, fitted_on: str) -> None:
        path.write_text(
            json.dumps(
                {
                    "fitted_on": fitted_on,
                    "answers": {k: {"raw": raw, "calibrated": cal} for k, (raw, cal) in self.knots.items()},
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
