"""`qualify library show`: the library as readable tables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from library.schemas import Library, QualifyingQuestion, Segment
from library.sql_rules import definition_lines


def render_library(library: Library) -> list[RenderableType]:
    """One rich renderable per part of the library, in reading order."""
    out: list[RenderableType] = [
        Text.assemble(
            (f"{library.seller.name}", "bold"),
            f" — {library.seller.product}\n",
            (library.seller.description, "dim"),
            f"\nlibrary {library.name} · snapshot {library.snapshot_id()}",
        ),
        _segments(library),
        *_sql_definitions(library),
        _table(
            "Personas",
            ["id", "name", "role", "fit", "titles"],
            [[p.id, p.name, p.role, _fit(p.fit), ", ".join(p.titles)] for p in library.personas],
        ),
        _table(
            "Use cases",
            ["id", "name", "pains"],
            [[u.id, u.name, "\n".join(f"• {pain}" for pain in u.pains)] for u in library.use_cases],
        ),
    ]
    if library.competitors:
        out.append(
            _table(
                "Competitors",
                ["id", "name", "domains", "aliases"],
                [[c.id, c.name, ", ".join(c.domains), ", ".join(c.aliases)] for c in library.competitors],
            )
        )
    out.append(
        _table(
            "Qualifying questions",
            ["id", "question", "category", "weight", "fit", "DQ", "segments", "check", "read as"],
            [_question_row(q) for q in library.questions],
        )
    )
    out.append(_disqualifiers(library))
    for t in library.templates:
        out.append(
            _table(
                f"Template: {t.name} ({t.kind})",
                ["section", "categories", "questions"],
                [
                    [
                        s.name,
                        ", ".join(s.categories),
                        # a section by category holds the library's questions of those categories
                        ", ".join(s.question_ids or [q.id for q in library.questions if q.category in s.categories]),
                    ]
                    for s in t.sections
                ],
            )
        )
    return out


def _segments(library: Library) -> Table:
    return _table(
        "Segments",
        ["id", "name", "employees", "SQL-ready ≥", "discovery ≥", "questions"],
        [
            [
                s.id,
                s.name,
                _range(s),
                f"{s.thresholds.sql_ready:g}",
                f"{s.thresholds.needs_discovery:g}",
                str(len(library.questions_for(s.id))),
            ]
            for s in library.segments
        ],
    )


def _sql_definitions(library: Library) -> list[Table]:
    """One table per segment's SQL definition: each criterion, its expression over question ids and facts."""
    tables = []
    for s in library.segments:
        if s.sql is None:
            tables.append(
                _table(
                    f"SQL definition: {s.name} ({s.id})",
                    ["note"],
                    [["none — the score thresholds decide the tier (fallback)"]],
                )
            )
            continue
        tables.append(
            _table(
                f"SQL definition: {s.name} ({s.id})",
                ["kind", "id", "criterion", "when"],
                [[kind.replace("_", "-"), cid, label, when] for kind, cid, label, when in definition_lines(s.sql)],
            )
        )
    return tables


def _question_row(q: QualifyingQuestion) -> list[str | Text]:
    check = ""
    if q.check is not None:
        check = (
            f"{q.check.field} {q.check.operator} {q.check.value!r}"
            if q.check.operator != "exists"
            else f"{q.check.field} exists"
        )
        if q.check.within_days:
            check += f" in {q.check.within_days}d"
    elif q.threshold is not None:
        check = f"{q.threshold.kind} {q.threshold.operator} {q.threshold.value:g}"
    return [
        q.id,
        q.text,
        q.category,
        f"{q.weight:g}",
        _fit(q.fit_type),
        Text("yes", style="bold red") if q.instant_disqualifier else "",
        ", ".join(q.segments) or "all",
        check,
        _reading(q),
    ]


def _reading(q: QualifyingQuestion) -> str:
    """The question's typed reading in words, or why it has none."""
    if q.reading is None:
        return "not read"
    if q.reading.kind == "text":
        return "not typed: answered from the text by meaning" if q.reading.source != "library" else q.reading.words
    # a reading the library sets itself says so, so nobody hunts for a reader bug in it
    return f"{q.reading.words} (set in the library)" if q.reading.source == "library" else q.reading.words


def _disqualifiers(library: Library) -> Table:
    d = library.disqualifiers
    rows = [
        ["minimum employees", "" if d.min_employees is None else str(d.min_employees)],
        [
            "supported countries",
            ", ".join(d.countries.supported)
            or "all (the hard rule reads countries.supported here; seller.yaml's regions are read by the questions only)",
        ],
        ["existing customer domains", ", ".join(d.existing_customer_domains)],
        ["blocked domains", ", ".join(d.blocked_domains)],
        ["student titles", ", ".join(d.student_title_patterns)],
        ["student email suffixes", ", ".join(d.student_email_suffixes)],
        ["job seeker patterns", ", ".join(d.job_seeker_patterns)],
    ]
    return _table("Hard disqualifiers", ["rule", "value"], [r for r in rows if r[1]])


def _range(segment: Segment) -> str:
    low, high = segment.min_employees, segment.max_employees
    if low is None and high is None:
        return "any"
    if high is None:
        return f"{low}+"
    return f"{low or 0}–{high}"


def _fit(fit: str) -> Text:
    return Text(fit, style="green" if fit == "good" else "red")


def _table(title: str, columns: list[str], rows: Sequence[Sequence[str | Text]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table
