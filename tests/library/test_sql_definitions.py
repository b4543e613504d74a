"""SQL definitions in segments.yaml: valid ones load and show; bad ones fail naming file, segment and criterion."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from api.cli import app
from library.loader import LibraryValidationError, load_library
from library.show import render_library

GOOD = """
    sql:
      disqualify:
        - {id: no-budget-ever, label: Says there will never be budget, when: {question: budget-approved, is: "no"}}
      must_have:
        - id: money
          label: Budget approved
          when: budget-approved
          nurture_reason: budget
        - id: soon
          label: Buying within 90 days
          when: {all: [timeline, {fact: company.employees, gte: 10}]}
          nurture_reason: timing
      fast_track:
        - {id: demo, label: Demo from a fit, when: {all: [{fact: events.demo_request, within_days: 14, gte: 1},
                                                          {fact: fit_score, gte: 60}]}}
"""
ANCHOR = "    thresholds: {sql_ready: 70, needs_discovery: 45}\n"


def _with_sql(folder: Path, block: str) -> None:
    path = folder / "segments.yaml"
    text = path.read_text()
    assert ANCHOR in text, "fixture changed"
    path.write_text(text.replace(ANCHOR, ANCHOR + block.lstrip("\n"), 1))


def _problems(folder: Path) -> list[str]:
    with pytest.raises(LibraryValidationError) as caught:
        load_library(folder)
    return [str(p) for p in caught.value.problems]


def test_a_valid_definition_loads_and_is_shown(library_dir: Path) -> None:
    _with_sql(library_dir, GOOD)
    library = load_library(library_dir)
    smb = next(s for s in library.segments if s.id == "smb")
    assert smb.sql is not None and [c.id for c in smb.sql.must_have] == ["money", "soon"]
    console = Console(record=True, width=200)
    for part in render_library(library):
        console.print(part)
    text = console.export_text()
    assert "SQL definition: Small business (smb)" in text
    assert "timeline AND company.employees ≥ 10" in text
    assert "none — the score thresholds decide the tier (fallback)" in text  # enterprise has none


def test_unknown_question_names_file_segment_and_criterion(library_dir: Path) -> None:
    _with_sql(library_dir, GOOD.replace("when: budget-approved", "when: {any: [budget-approved, budjet]}"))
    [problem] = _problems(library_dir)
    assert problem.startswith("segments.yaml")
    assert "entry smb" in problem and "field sql.must_have[0].when" in problem
    assert "criterion 'money'" in problem and "unknown question 'budjet'" in problem


def test_a_question_of_another_segment_is_refused(library_dir: Path) -> None:
    _with_sql(library_dir, GOOD.replace("when: budget-approved", "when: company-size"))
    [problem] = _problems(library_dir)
    assert "question 'company-size' does not apply to segment 'smb'" in problem


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            "when: {all: [timeline, {fact: company.employees, gte: 10}]}",
            "when: {all: [timeline, {question: timeline, is: 'no'}]}",
            "needs 'timeline' answered both 'yes' and 'no'",
        ),
        (
            "when: {all: [timeline, {fact: company.employees, gte: 10}]}",
            "when: {all: [timeline, {all: [{not: timeline}]}]}",
            "needs 'timeline' answered both 'yes' and 'no'",
        ),
        (
            "when: {all: [timeline, {fact: company.employees, gte: 10}]}",
            "when: {all: [{fact: company.employees, gte: 200}, {fact: company.employees, lt: 50}]}",
            "needs company.employees above 200 and below 50",
        ),
    ],
)
def test_an_impossible_combination_is_refused(library_dir: Path, old: str, new: str, says: str) -> None:
    _with_sql(library_dir, GOOD.replace(old, new))
    [problem] = _problems(library_dir)
    assert "criterion 'soon'" in problem and "impossible combination" in problem and says in problem


def test_a_must_have_that_only_a_disqualifying_answer_meets_is_refused(library_dir: Path) -> None:
    questions = library_dir / "questions.yaml"
    questions.write_text(
        questions.read_text()
        + """  - id: student
    text: Is the lead a student?
    category: fit
    weight: 5
    fit_type: bad
    instant_disqualifier: true
"""
    )
    _with_sql(library_dir, GOOD.replace("when: budget-approved", "when: student"))
    [problem] = _problems(library_dir)
    assert "criterion 'money'" in problem and "which disqualifies the lead" in problem


def test_bad_shapes_are_refused_with_the_field(library_dir: Path) -> None:
    _with_sql(
        library_dir,
        GOOD.replace("when: budget-approved", "when: {anyof: [budget-approved]}").replace(
            "nurture_reason: timing", "nurture_reason: later"
        ),
    )
    problems = _problems(library_dir)
    assert any("sql.must_have[0].when" in p and "one of the keys all, any, not, question, fact" in p for p in problems)
    assert any("sql.must_have[1].nurture_reason" in p for p in problems)


def test_library_sync_exits_2_naming_the_criterion(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.settings import get_settings

    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    _with_sql(library_dir, GOOD.replace("when: budget-approved", "when: budjet"))
    result = CliRunner().invoke(app, ["library", "sync", str(library_dir)])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "segments.yaml" in result.stderr and "entry smb" in result.stderr and "criterion 'money'" in result.stderr
