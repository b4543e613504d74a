"""The generic CSV path as a new user hits it: `;` files without ids or dates of reference, derived date features, the
built-in neutral library, and every bad input exiting 2 with its row and column named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli import app
from library.loader import load_library

MAPPING = """
name: plain
label: {column: won, positive: ["yes"], negative: ["no"]}
form:
  - {column: minutes, question: minutes}
  - {column: channel, question: channel}
  - {column: flag, question: flag}
dates:
  - {column: signup, derive: [month, weekday]}
sets:
  main:
    features: {numeric: [minutes], categorical: [channel, signup_month, signup_weekday]}
  constant:
    features: {numeric: [minutes], categorical: [flag]}
"""


def write_csv(
    path: Path, n: int = 300, sep: str = ";", seed: int = 0, leak: bool = False, bad_date_row: int | None = None
) -> Path:
    rng = np.random.default_rng(seed)
    lines = [sep.join(["signup", "minutes", "channel", "flag", "won"])]
    for i in range(n):
        minutes = float(rng.exponential(8))
        channel = ["ads", "referral", "web"][i % 3]
        y = int(rng.random() < 1 / (1 + np.exp(-(-1.5 + 0.15 * minutes + (channel == "referral")))))
        signup = "31/02/2024" if bad_date_row == i else f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        flag = ("won" if y else "lost") if leak else "same"
        lines.append(sep.join([signup, f"{minutes:.1f}", channel, flag, "yes" if y else "no"]))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING)
    return {"tmp": tmp_path, "mapping": mapping, "csv": write_csv(tmp_path / "leads.csv")}


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_a_semicolon_file_without_ids_calibrates_into_a_new_neutral_library_and_evals(files: dict[str, Path]) -> None:
    lib = files["tmp"] / "my-scoring"
    result = run(
        "calibrate", str(files["csv"]), "--mapping", str(files["mapping"]), "--library", str(lib), "--folds", "3"
    )
    assert result.exit_code == 0, result.output
    assert "built-in neutral library" in result.output and "no lead runs the judge" in result.output
    model = load_library(lib).scoring.model
    assert model is not None and (lib / "model.json").is_file()
    assert {f.name for f in model.features} == {"minutes", "channel", "signup_month", "signup_weekday"}
    assert {f.source for f in model.features} >= {"form.signup_month", "form.signup_weekday"}
    assert "Jan" in next(f for f in model.features if f.name == "signup_month").levels
    ev = run(
        "eval",
        str(files["csv"]),
        "--mapping",
        str(files["mapping"]),
        "--library",
        str(lib),
        "--out",
        str(files["tmp"] / "runs"),
        "--name",
        "r",
        "--n-boot",
        "20",
    )
    assert ev.exit_code == 0, ev.output
    assert "never calibrated" not in ev.output
    record = json.loads((files["tmp"] / "runs/r.json").read_text())
    assert record["metrics"]["n_cases"] == 300 and record["cases"][0]["id"] == "row-2"  # row number when no id column


def test_eval_on_a_library_never_calibrated_warns(files: dict[str, Path]) -> None:
    lib = files["tmp"] / "fresh"
    first = run(
        "calibrate",
        str(files["csv"]),
        "--mapping",
        str(files["mapping"]),
        "--library",
        str(lib),
        "--folds",
        "3",
        "--dry-run",
    )
    assert first.exit_code == 0, first.output
    small = write_csv(files["tmp"] / "small.csv", n=40)
    ev = run(
        "eval",
        str(small),
        "--mapping",
        str(files["mapping"]),
        "--library",
        str(lib),
        "--out",
        str(files["tmp"] / "runs"),
        "--n-boot",
        "10",
    )
    assert ev.exit_code == 0, ev.output
    assert "never calibrated" in ev.output


def test_an_explicit_delimiter_is_used(files: dict[str, Path]) -> None:
    csv = write_csv(files["tmp"] / "pipes.csv", sep="|")
    mapping = files["tmp"] / "pipes.yaml"
    mapping.write_text(MAPPING + 'delimiter: "|"\n')
    result = run(
        "calibrate",
        str(csv),
        "--mapping",
        str(mapping),
        "--library",
        str(files["tmp"] / "pipes"),
        "--folds",
        "3",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "case, expected",
    [
        ("bad_date", ["row 7", "'signup'", "is not a date"]),
        ("constant", ["'flag'", "same value"]),
        ("leaky", ["'flag'", "leaky"]),
        ("one_class", ["both classes"]),
    ],
)
def test_bad_input_exits_2_naming_it(files: dict[str, Path], case: str, expected: list[str]) -> None:
    csv, feature_set = files["csv"], "main"
    if case == "bad_date":
        csv = write_csv(files["tmp"] / "bad.csv", bad_date_row=5)  # data row 5 is line 7
    elif case == "constant":
        feature_set = "constant"
    elif case == "leaky":
        csv, feature_set = write_csv(files["tmp"] / "leak.csv", leak=True), "constant"
    else:
        lines = files["csv"].read_text().splitlines()
        csv = files["tmp"] / "one.csv"
        csv.write_text("\n".join([lines[0], *(line.rsplit(";", 1)[0] + ";no" for line in lines[1:])]) + "\n")
    lib = files["tmp"] / "lib-bad"
    result = run(
        "calibrate", str(csv), "--mapping", str(files["mapping"]), "--feature-set", feature_set, "--library", str(lib)
    )
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert not lib.exists()  # the neutral copy is removed when calibrate refuses the data


def test_eval_refuses_a_feature_calibrate_would_refuse(files: dict[str, Path]) -> None:
    ev = run(
        "eval",
        str(files["csv"]),
        "--mapping",
        str(files["mapping"]),
        "--feature-set",
        "constant",
        "--out",
        str(files["tmp"] / "runs"),
    )
    assert ev.exit_code == 2 and "'flag'" in ev.output


@pytest.mark.parametrize(
    "extra, named",
    [
        ("events:\n  - {column: minutes, type: site_visit}\n", "as_of"),
        ("  twice:\n    features: {numeric: [minutes], categorical: [minutes]}\n", "declared twice"),
    ],
)
def test_mapping_mistakes_exit_2(files: dict[str, Path], extra: str, named: str) -> None:
    mapping = files["tmp"] / "m2.yaml"
    text = MAPPING + extra if extra.startswith("events") else MAPPING.rstrip("\n") + "\n" + extra
    mapping.write_text(text)
    result = run("calibrate", str(files["csv"]), "--mapping", str(mapping), "--library", str(files["tmp"] / "x-lib"))
    assert result.exit_code == 2, result.output
    assert named in result.output


def test_a_library_folder_name_that_is_not_a_slug_is_refused(files: dict[str, Path]) -> None:
    result = run(
        "calibrate",
        str(files["csv"]),
        "--mapping",
        str(files["mapping"]),
        "--library",
        str(files["tmp"] / "My Library"),
    )
    assert result.exit_code == 2 and "must be a slug" in result.output
    from library.loader import LibraryValidationError

    bad = files["tmp"] / "Bad Name"
    bad.mkdir()
    with pytest.raises(LibraryValidationError, match="must be a slug"):
        load_library(bad)
