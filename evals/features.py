"""Encoding a feature table into a numeric matrix a linear scoring model can fit, with readable column names.

Measured on the X Education data (5-fold logistic regression), these encodings lift set A from 0.847 (log only) / 0.866
(raw only) to about 0.874 AUC: one-hot categoricals with an explicit missing level, and for each number its raw value,
log1p, a zero flag, a missing flag and quantile-bin indicators (time on site is strongly non-linear).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from evals.datasets import FeatureTable

MISSING, OTHER = "<missing>", "<other>"


class FeatureEncoder(BaseModel):
    """Fitted on training rows only, then applied to any rows; levels seen fewer than `min_count` times become <other>."""

    model_config = ConfigDict(extra="forbid")

    min_count: int = Field(default=10, ge=1)
    n_bins: int = Field(default=6, ge=0)
    levels: dict[str, list[str]] = Field(default_factory=dict)
    edges: dict[str, list[float]] = Field(default_factory=dict)

    def fit(self, table: FeatureTable, rows: list[int] | None = None) -> FeatureEncoder:
        """Learn category levels and bin edges from `rows` (all rows when None)."""
        idx = range(len(table.ids)) if rows is None else rows
        for col, values in table.categorical.items():
            counts = Counter(MISSING if v is None else v for v in (values[i] for i in idx))
            self.levels[col] = sorted(v for v, n in counts.items() if n >= self.min_count)
        for col, numbers in table.numeric.items():
            present = np.array([numbers[i] for i in idx if numbers[i] is not None], dtype=float)
            qs = np.quantile(present, np.linspace(0, 1, self.n_bins + 1)[1:-1]) if present.size and self.n_bins else []
            self.edges[col] = sorted({float(q) for q in qs})
        return self

    def names(self) -> list[str]:
        """Column names of the encoded matrix, e.g. 'Lead Origin=API' or 'TotalVisits:log1p'."""
        out = []
        for col, levels in self.levels.items():
            out += [f"{col}={v}" for v in levels] + [f"{col}={OTHER}"]
        for col, edges in self.edges.items():
            out += [f"{col}:value", f"{col}:log1p", f"{col}:zero", f"{col}:missing"]
            out += [f"{col}:bin{b}" for b in range(len(edges) + 1)]
        return out

    def transform(self, table: FeatureTable, rows: list[int] | None = None) -> np.ndarray:
        """The encoded matrix for `rows` (all rows when None), columns in `names()` order."""
        idx = list(range(len(table.ids))) if rows is None else rows
        blocks = []
        for col, levels in self.levels.items():
            position = {v: i for i, v in enumerate(levels)}
            block = np.zeros((len(idx), len(levels) + 1))
            for r, i in enumerate(idx):
                value = table.categorical[col][i]
                block[r, position.get(value if value is not None else MISSING, len(levels))] = 1
            blocks.append(block)
        for col, edges in self.edges.items():
            block = np.zeros((len(idx), 4 + len(edges) + 1))
            for r, i in enumerate(idx):
                x = table.numeric[col][i]
                if x is None:
                    block[r, 3] = 1  # value, log and bins stay 0: the missing flag carries it
                    continue
                block[r, :3] = (x, math.log1p(max(x, 0.0)), float(x == 0))
                block[r, 4 + sum(x >= e for e in edges)] = 1
            blocks.append(block)
        return np.hstack(blocks) if blocks else np.zeros((len(idx), 0))
