"""CSV + mapping reading and JSONL case files, on tiny files written by the tests; errors name file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.datasets import LeadCase, load_csv, load_lead_cases, load_question_cases, write_jsonl
from evals.errors import DatasetError, MappingError
from evals.mapping import Mapping, load_mapping, resolve

MAPPING = """
name: tiny
id_column: id
label: {column: won, positive: ["yes"], negative: ["no"]}
missing_values: ["", Select]
as_of: "2024-01-01T00:00:00Z"
lead: {company.country: country}
form:
  - {column: role, question: occupation}
  - {column: minutes, question: minutes_on_site}
events:
  - {column: visits, type: site_visit, mode: count, max_count: 3}
  - {column: last, type: last_activity, mode: value}
leaky: [quality]
sets:
  A:
    features: {numeric: [visits, minutes], categorical: [role, country]}
    leaky: [tag, last]
  B:
    extends: A
    features: {categorical: [last]}
    leaky: [tag]
  C:
    extends: A
    notes: [{column: tag, prefix: "SDR: "}]
    leaky: [last]
"""
HEADER = "id,won,country,role,minutes,visits,last,tag,quality\n"
ROWS = (
    "1,yes,India,Working Professional,30,5,Email Opened,Will revert,High\n"
    "2,no,Select,Student,0,0,SMS Sent,Already a student,Worst\n"
    "3,no,,Unemployed,12.5,1,,Ringing,\n"
)


@pytest.fixture
def mapping(tmp_path: Path) -> Mapping:
    path = tmp_path / "map.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return load_mapping(path)


def _csv(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_becomes_typed_cases_and_features(tmp_path: Path, mapping: Mapping) -> None:
    data = load_csv(_csv(tmp_path, HEADER + ROWS), mapping, "A")
    first, second = data.cases[0], data.cases[1]
    assert [c.id for c in data.cases] == ["1", "2", "3"] and data.features.y == [1, 0, 0]
    assert first.expected_outcome == "sql" and second.expected_outcome == "nurture"
    assert first.lead.form_answers == {"occupation": "Working Professional", "minutes_on_site": "30"}
    assert [e.type for e in first.lead.events] == ["site_visit"] * 3  # capped at max_count, `last` is leaky in A
    assert first.lead.company.country == "India" and second.lead.company.country is None  # "Select" is missing
    assert first.lead.notes is None and first.origin is not None and first.origin.row == 2
    assert data.features.numeric["minutes"] == [30.0, 0.0, 12.5]
    assert data.features.categorical["country"] == ["India", None, None]


def test_feature_set_b_adds_columns_and_c_adds_notes(tmp_path: Path, mapping: Mapping) -> None:
    b = load_csv(_csv(tmp_path, HEADER + ROWS), mapping, "B")
    assert b.features.categorical["last"] == ["Email Opened", "SMS Sent", None]
    assert b.cases[0].lead.events[-1].detail == "last: Email Opened"
    c = load_csv(_csv(tmp_path, HEADER + ROWS), mapping, "C")
    assert c.cases[1].lead.notes == "SDR: Already a student" and "last" not in c.features.categorical


def test_leaky_columns_are_refused_as_inputs(mapping: Mapping) -> None:
    resolved = resolve(mapping, "A")
    assert {"quality", "tag", "last"} <= set(resolved.leaky)
    with pytest.raises(MappingError, match="quality"):
        resolved.refuse_leaky(["visits", "quality"])
    bad = mapping.model_copy(update={"sets": {"X": mapping.sets["A"].model_copy(update={"leaky": ["role"]})}})
    with pytest.raises(MappingError, match="role"):
        resolve(bad, "X")
    inherited = mapping.model_copy(
        update={"sets": {**mapping.sets, "C": mapping.sets["C"].model_copy(update={"leaky": None})}}
    )
    with pytest.raises(MappingError, match=r"'C' declares \['tag'\] leaky"):  # C inherits A's list, where tag is leaky
        resolve(inherited, "C")
    with pytest.raises(MappingError, match="no feature set 'Z'"):
        resolve(mapping, "Z")


def test_missing_column_is_named(tmp_path: Path, mapping: Mapping) -> None:
    path = _csv(tmp_path, HEADER.replace(",quality", "") + "1,yes,India,Student,1,1,x,y\n")
    with pytest.raises(MappingError, match="quality") as info:
        load_csv(path, mapping, "A")
    assert info.value.column == "quality" and info.value.file == str(path)


def test_unexpected_label_names_row_and_column(tmp_path: Path, mapping: Mapping) -> None:
    path = _csv(tmp_path, HEADER + ROWS + "4,maybe,India,Student,1,1,,,\n")
    with pytest.raises(DatasetError, match=r"row 5, column 'won': unexpected label 'maybe'"):
        load_csv(path, mapping, "A")


def test_one_class_only_is_refused(tmp_path: Path, mapping: Mapping) -> None:
    with pytest.raises(DatasetError, match="every row is negative"):
        load_csv(_csv(tmp_path, HEADER + ROWS.splitlines(keepends=True)[1]), mapping, "A")


def test_empty_file_and_header_only(tmp_path: Path, mapping: Mapping) -> None:
    with pytest.raises(DatasetError, match="empty"):
        load_csv(_csv(tmp_path, ""), mapping, "A")
    with pytest.raises(DatasetError, match="no data rows"):
        load_csv(_csv(tmp_path, HEADER), mapping, "A")


def test_broken_rows_are_all_listed_and_nothing_is_returned(tmp_path: Path, mapping: Mapping) -> None:
    text = HEADER + ROWS + "4,no,India\n" + "5,no,India,Student,lots,1,,,\n"
    with pytest.raises(DatasetError) as info:
        load_csv(_csv(tmp_path, text), mapping, "A")
    assert "row 5: 3 fields where the header has 9" in str(info.value)
    assert "row 6, column 'minutes': 'lots' is not a number" in str(info.value)


def test_non_utf8_csv(tmp_path: Path, mapping: Mapping) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "1,yes,Espa\xf1a,Student,1,1,,,\n").encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_csv(path, mapping, "A")


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MAPPING.replace("lead: {company.country: country}", "lead: {company.colour: country}"), "utf-8")
    with pytest.raises(MappingError, match="lead.company.colour"):
        load_mapping(path)
    path.write_text(MAPPING.replace("extends: A\n    features: {categorical: [last]}", "extends: Q"), "utf-8")
    with pytest.raises(MappingError, match="extends unknown set 'Q'"):
        load_mapping(path)


def test_lead_cases_round_trip_and_report_bad_lines(tmp_path: Path) -> None:
    case = LeadCase.model_validate(
        {
            "id": "c1",
            "lead": {"notes": "Budget approved for Q3."},
            "expected_outcome": "sql",
            "answers": {"budget": {"answer": "yes", "evidence": ["Budget approved"]}},
            "origin": {
                "kind": "reviewer",
                "reviewer": "sdr@example.com",
                "scorecard_id": "s1",
                "revision": 2,
                "decision": "edit",
            },
        }
    )
    path = tmp_path / "cases.jsonl"
    write_jsonl(path, [case, case.model_copy(update={"id": "c2"})])
    assert [c.id for c in load_lead_cases(path)] == ["c1", "c2"]
    path.write_text(path.read_text() + '{"id": "c3", "lead": {"notes": "x"}, "expected_outcome": "won"}\nnot json\n')
    with pytest.raises(DatasetError) as info:
        load_lead_cases(path)
    assert "line 3, field expected_outcome" in str(info.value) and "line 4: not JSON" in str(info.value)


def test_case_rules(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1", "lead": {"notes": "n"}, "question_id": "budget", "expected": "yes"}\n')
    with pytest.raises(DatasetError, match="needs at least one evidence quote"):
        load_question_cases(path)
    with pytest.raises(ValueError, match="only allowed when expected_outcome is disqualify"):
        LeadCase.model_validate(
            {"id": "x", "lead": {"notes": "n"}, "expected_outcome": "sql", "disqualify_reason": "student"}
        )


def test_an_id_too_long_names_its_row_and_column(tmp_path: Path, mapping: Mapping) -> None:
    path = _csv(tmp_path, HEADER + ROWS + "x" * 201 + ",no,India,Student,1,1,,,\n")
    with pytest.raises(DatasetError) as info:
        load_csv(path, mapping, "A")
    assert "row 5, column 'id': the id is longer than 200 characters" in str(info.value)


def test_csv_cases_are_the_validated_cases(tmp_path: Path, mapping: Mapping) -> None:
    cases = load_csv(_csv(tmp_path, HEADER + ROWS), mapping, "A").cases
    assert cases == [LeadCase.model_validate(c.model_dump()) for c in cases]
    assert [c.origin.row for c in cases if c.origin] == [2, 3, 4] and [c.y_true for c in cases] == [1, 0, 0]
