"""The X Education example library and mapping are valid and keep leaky columns out of A and B (no data file read)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evals.datasets import FeatureTable
from evals.features import FeatureEncoder
from evals.mapping import load_mapping, resolve
from library.loader import load_library

ROOT = Path(__file__).resolve().parents[2]
POST_CONTACT = {
    "Tags",
    "Lead Quality",
    "Lead Profile",
    "Asymmetrique Activity Index",
    "Asymmetrique Profile Index",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
}


def test_library_loads_with_text_and_checked_questions() -> None:
    lib = load_library(ROOT / "library" / "data" / "x-education")
    ids = {q.id for q in lib.questions}
    assert {"already-student", "other-courses", "lost-to-competitor", "will-revert"} <= ids
    assert any(q.fit_type == "bad" for q in lib.questions) and any(q.check for q in lib.questions)
    assert {"working-professional", "student", "unemployed-career-seeker"} <= {p.id for p in lib.personas}


def test_mapping_sets_keep_post_contact_columns_out() -> None:
    mapping = load_mapping(ROOT / "evals" / "mappings" / "x_education.yaml")
    a, b, c = (resolve(mapping, s) for s in "ABC")
    inputs = lambda s: set(s.numeric) | set(s.categorical) | {n.column for n in s.notes}  # noqa: E731
    assert POST_CONTACT | {"Last Activity", "Last Notable Activity"} <= set(a.leaky)
    assert not inputs(a) & set(a.leaky) and POST_CONTACT <= set(b.leaky)
    assert inputs(b) - inputs(a) == {"Last Activity", "Last Notable Activity"}
    assert inputs(c) - inputs(a) == {"Tags"} and "Lead Quality" in c.leaky and not set(c.categorical) & {"Tags"}
    assert {"", "Select"} <= set(mapping.missing_values)
    assert mapping.label.column not in inputs(a) | inputs(b) | inputs(c)


def test_encoder_fits_on_training_rows_only() -> None:
    table = FeatureTable(
        set_name="A",
        ids=["1", "2", "3", "4"],
        y=[1, 0, 1, 0],
        numeric={"t": [0.0, 10.0, None, 100.0]},
        categorical={"c": ["x", "x", None, "y"]},
    )
    enc = FeatureEncoder(min_count=1, n_bins=2).fit(table, rows=[0, 1, 2])
    names = enc.names()
    assert "c=y" not in names and "c=<other>" in names and "c=<missing>" in names
    x = enc.transform(table)
    row = dict(zip(names, x[3], strict=True))
    assert row["c=<other>"] == 1 and row["t:value"] == 100 and np.isclose(row["t:log1p"], np.log1p(100))
    missing = dict(zip(names, x[2], strict=True))
    assert missing["t:missing"] == 1 and missing["t:value"] == 0 and missing["c=<missing>"] == 1
