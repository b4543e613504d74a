"""The loader accepts a valid folder and names file, entry and field for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import LibraryError
from library.loader import LibraryValidationError, load_library


def _edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def _problems(folder: Path) -> list[str]:
    with pytest.raises(LibraryValidationError) as caught:
        load_library(folder)
    assert isinstance(caught.value, LibraryError)
    return [str(p) for p in caught.value.problems]


def test_valid_library_loads_with_folder_name(library_dir: Path) -> None:
    library = load_library(library_dir)
    assert library.name == "library_min"
    assert [s.id for s in library.segments] == ["smb", "enterprise"]
    assert {p.id for p in library.personas} >= {"student", "job-seeker"}
    assert library.snapshot_id() == load_library(library_dir).snapshot_id()


def test_yaml_syntax_error_names_file_and_line(library_dir: Path) -> None:
    _edit(library_dir, "personas.yaml", "titles: [CFO,", "titles: [CFO,,]] {")
    [problem] = _problems(library_dir)
    assert problem.startswith("personas.yaml:")
    assert "YAML syntax error" in problem
    line = int(problem.split(":")[1])
    assert "CFO" in (library_dir / "personas.yaml").read_text().splitlines()[line - 1]


def test_misspelled_key_names_file_entry_and_field(library_dir: Path) -> None:
    _edit(library_dir, "segments.yaml", "    max_employees: 199", "    max_employes: 199")
    with pytest.raises(LibraryValidationError) as caught:
        load_library(library_dir)
    error = caught.value
    assert (error.file, error.entry, error.field) == ("segments.yaml", "smb", "max_employes")
    assert "unknown key" in str(error)


def test_wrong_type_names_the_nested_field(library_dir: Path) -> None:
    _edit(library_dir, "segments.yaml", "sql_ready: 75", "sql_ready: lots")
    [problem] = _problems(library_dir)
    assert "segments.yaml" in problem and "entry enterprise" in problem and "field thresholds.sql_ready" in problem


def test_entry_without_id_is_named_by_index(library_dir: Path) -> None:
    _edit(library_dir, "use_cases.yaml", "  - id: audit\n", "  - ident: audit\n")
    problems = _problems(library_dir)
    assert any("use_cases.yaml" in p and "entry #2" in p and "field id" in p for p in problems)
    assert any("entry #2" in p and "field ident" in p for p in problems)


def test_all_problems_of_a_file_are_reported(library_dir: Path) -> None:
    _edit(library_dir, "questions.yaml", "    weight: 3\n", "    weight: 300\n")
    _edit(library_dir, "questions.yaml", "    category: timeline\n", "    category: someday\n")
    problems = _problems(library_dir)
    assert any("entry budget-approved" in p and "field weight" in p for p in problems)
    assert any("entry timeline" in p and "field category" in p for p in problems)


def test_duplicate_id(library_dir: Path) -> None:
    _edit(library_dir, "personas.yaml", "  - id: controller\n", "  - id: cfo\n")
    [problem] = _problems(library_dir)
    assert "personas.yaml" in problem and "entry cfo" in problem and "duplicate id" in problem


def test_unknown_segment_reference(library_dir: Path) -> None:
    _edit(library_dir, "questions.yaml", "segments: [enterprise]", "segments: [enterprize]")
    [problem] = _problems(library_dir)
    assert "questions.yaml" in problem and "entry company-size" in problem and "field segments" in problem
    assert "enterprize" in problem


def test_unknown_question_reference_in_template(library_dir: Path) -> None:
    _edit(library_dir, "templates.yaml", "question_ids: [budget-approved]", "question_ids: [budget]")
    [problem] = _problems(library_dir)
    assert "templates.yaml" in problem and "entry bant" in problem and "sections[0].question_ids" in problem


def test_unknown_file_and_missing_required_file(library_dir: Path) -> None:
    (library_dir / "persona.yaml").write_text("personas: []\n")
    (library_dir / "questions.yaml").unlink()
    problems = _problems(library_dir)
    assert any(p.startswith("persona.yaml") and "unknown library file" in p for p in problems)
    assert any(p.startswith("questions.yaml") and "missing" in p for p in problems)


def test_optional_file_may_be_absent(library_dir: Path) -> None:
    (library_dir / "competitors.yaml").unlink()
    assert load_library(library_dir).competitors == []


def test_wrong_top_level_key(library_dir: Path) -> None:
    _edit(library_dir, "use_cases.yaml", "use_cases:", "usecases:")
    [problem] = _problems(library_dir)
    assert problem.startswith("use_cases.yaml") and "'use_cases'" in problem


def test_empty_required_list(library_dir: Path) -> None:
    (library_dir / "segments.yaml").write_text("segments: []\n")
    [problem] = _problems(library_dir)
    assert problem.startswith("segments.yaml") and "at least 1" in problem


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="not found"):
        load_library(tmp_path / "nope")


SHIPPED = sorted(p for p in (Path(__file__).resolve().parents[2] / "library" / "data").iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_libraries_are_valid(folder: Path) -> None:
    library = load_library(folder)
    assert library.name == folder.name
    assert any(p.fit == "bad" for p in library.personas)


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_libyaml_reads_every_shipped_library_as_the_pure_python_parser_does(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from library import loader

    assert loader._FAST_LOADER is not None  # the installed PyYAML has libyaml, so the fast path is what runs
    fast = load_library(folder)
    monkeypatch.setattr(loader, "_FAST_LOADER", None)
    pure = load_library(folder)
    assert fast == pure and fast.snapshot_id() == pure.snapshot_id()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"category": "fit"}, "good"),
        ({"category": "disqualifier"}, "bad"),
        ({"category": "fit", "instant_disqualifier": True}, "bad"),
        ({"category": "need", "fit_type": "bad"}, "bad"),  # a given fit_type is kept
    ],
)
def test_fit_type_may_be_left_out_and_follows_what_a_yes_means(extra: dict[str, object], expected: str) -> None:
    from library.schemas import QualifyingQuestion

    question = QualifyingQuestion.model_validate({"id": "q1", "text": "Do they run 10 vans?", "weight": 3, **extra})
    assert question.fit_type == expected


def test_a_use_case_needs_no_example_pains(library_dir: Path) -> None:
    _edit(
        library_dir,
        "use_cases.yaml",
        "    pains:\n      - Our month-end close takes two weeks\n      - Closing the books is slow and painful\n",
        "",
    )
    close = next(u for u in load_library(library_dir).use_cases if u.id == "close")
    assert close.pains == [] and close.description.startswith("Shorten the monthly close")


def test_a_misspelled_key_in_a_nested_block_lists_the_keys_allowed_there(library_dir: Path) -> None:
    text = (library_dir / "questions.yaml").read_text()
    first = text.index("  - id: ")
    end = text.index("\n", first)
    (library_dir / "questions.yaml").write_text(
        text[: end + 1] + "    reading: {kind: company_size, operatr: gte, low: 200}\n" + text[end + 1 :]
    )
    [problem] = _problems(library_dir)
    assert "field reading.operatr" in problem and "unknown key" in problem
    assert "allowed here:" in problem and "operator" in problem and "window_days" in problem
