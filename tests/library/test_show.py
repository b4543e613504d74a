"""`library show` renders every part of the library."""

from __future__ import annotations

from rich.console import Console

from library.schemas import Library
from library.show import render_library


def test_render_library_shows_every_part(fixture_library: Library) -> None:
    console = Console(record=True, width=240, color_system=None)
    for part in render_library(fixture_library):
        console.print(part)
    text = console.export_text()
    for expected in (
        "Segments",
        "10–199",
        "200+",
        "Personas",
        "Job Seeker",
        "Use cases",
        "Competitors",
        "closeco",
        "Qualifying questions",
        "company.employees gte 200",
        "date lte 90",
        "Hard disqualifiers",
        "US, GB, DE",
        "Template: BANT",
        fixture_library.snapshot_id(),
    ):
        assert expected in text, expected
    assert "budget-approved" in text and "enterprise" in text


def test_library_show_prints_each_questions_reading(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from library.loader import load_library

    library = load_library(Path(__file__).resolve().parents[2] / "evals/data/sellers/fieldhand/library")
    console = Console(record=True, width=400, color_system=None)
    for part in render_library(library):
        console.print(part)
    text = console.export_text()
    assert "read as" in text and "number of technicians ≥ 10 (inclusive)" in text


def test_a_template_section_by_category_lists_the_questions_it_holds(fixture_library: Library) -> None:
    console = Console(record=True, width=400, color_system=None)
    for part in render_library(fixture_library):
        console.print(part)
    text = console.export_text()
    budget = [q.id for q in fixture_library.questions if q.category == "budget"]
    bant = text.split("Template: BANT", 1)[1].split("Template:", 1)[0]
    assert budget and all(qid in bant for qid in budget)


def test_a_reading_the_library_sets_is_marked_as_such(fixture_library: Library) -> None:
    from library.reading import read_question
    from library.schemas import QuestionSpec

    question = fixture_library.questions[0]
    own = question.model_copy(
        update={"reading": QuestionSpec(kind="named_count", subject="hotels", operator="lte", low=30)}
    )
    own = own.model_copy(update={"reading": read_question(own, fixture_library.seller, fixture_library.competitors)})
    library = fixture_library.model_copy(update={"questions": [own, *fixture_library.questions[1:]]})
    console = Console(record=True, width=400, color_system=None)
    for part in render_library(library):
        console.print(part)
    text = console.export_text()
    assert "number of hotels ≤ 30 (inclusive)" in text and "(set in the library)" in text
    assert text.count("(set in the library)") == 1  # the questions the reader read are not marked
