"""Load a library folder of YAML files into a validated `Library`, or say exactly what is wrong with it.

Every problem names the file, the entry (its `id`, else its index) and the field. All problems of all files are
collected and raised together, so a RevOps engineer fixes a folder in one pass instead of one error at a time.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from library import model_file
from library.errors import LibraryError
from library.reading import ReadingError, check_reading, read_question
from library.schemas import FILES, Library, ScoringConfig
from library.sql_rules import check_definition

SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{1,63}$")  # the pattern of `library.schemas.Slug`
# Library fields without a default: their files must exist.
REQUIRED_FILES = tuple(name for name, field in FILES.items() if Library.model_fields[field].is_required())


@dataclass(frozen=True)
class LibraryProblem:
    """One thing wrong in one file."""

    file: str
    message: str
    entry: str | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = [self.file + (f":{self.line}" if self.line else "")]
        if self.entry is not None:
            where.append(f"entry {self.entry}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


class LibraryValidationError(LibraryError):
    """A library folder has one or more problems; `problems` lists them all."""

    def __init__(self, problems: Sequence[LibraryProblem]):
        self.problems = list(problems)
        first = self.problems[0]
        head = f"{len(self.problems)} problem(s) in library:\n" if len(self.problems) > 1 else ""
        body = "\n".join(f"  {p}" if head else str(p) for p in self.problems)
        # Keep LibraryError's attributes pointing at the first problem so callers that read them still work.
        Exception.__init__(self, head + body)
        self.file, self.entry, self.field = first.file, first.entry, first.field


def load_library(path: Path) -> Library:
    """Read and validate every YAML file of the library folder `path`; the library's name is the folder's name."""
    path = Path(path)
    if not path.is_dir():
        raise LibraryValidationError([LibraryProblem(str(path), "library folder not found")])
    if not SLUG.match(path.name):
        raise LibraryValidationError(
            [
                LibraryProblem(
                    str(path),
                    f"the folder name {path.name!r} is the library's name and "
                    "must be a slug: 2-64 characters, lowercase letters, digits, _ or -, "
                    "starting with a letter or digit (rename the folder)",
                )
            ]
        )
    problems: list[LibraryProblem] = []
    known = set(FILES)
    for extra in sorted(p.name for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.name not in known):
        problems.append(LibraryProblem(extra, f"unknown library file; expected one of {', '.join(sorted(FILES))}"))
    for name in REQUIRED_FILES:
        if not (path / name).is_file():
            problems.append(LibraryProblem(name, "required file is missing"))

    parts: dict[str, Any] = {}
    for name, field in FILES.items():
        file = path / name
        if file.is_file():
            value, file_problems = _load_file(file, field)
            problems += file_problems
            if not file_problems:
                parts[field] = value
    try:
        fitted = model_file.read(path)
    except LibraryError as exc:
        problems.append(LibraryProblem(model_file.FILE_NAME, str(exc).removeprefix(f"file {model_file.FILE_NAME}: ")))
        fitted = None
    if fitted is not None and "scoring" in parts:
        if parts["scoring"].model is not None:
            problems.append(
                LibraryProblem(
                    "scoring.yaml",
                    "holds a fitted model while model.json holds another; "
                    "remove the `model:` block (calibrate writes model.json)",
                    field="model",
                )
            )
        else:
            parts["scoring"] = parts["scoring"].model_copy(update={"model": fitted})
    elif fitted is not None:
        parts["scoring"] = ScoringConfig(model=fitted)
    if problems:
        raise LibraryValidationError(problems)

    problems += _cross_references(parts)
    if problems:
        raise LibraryValidationError(problems)
    try:
        library = Library(name=path.name, **parts)
    except ValidationError as exc:  # only the folder name can still be wrong here
        raise LibraryValidationError(
            [LibraryProblem(path.name, _message(e), field=_dotted(e["loc"])) for e in exc.errors()]
        ) from exc
    return with_readings(library)


def with_readings(library: Library) -> Library:
    """Read every question into its typed spec; a question the seller profile cannot support is a problem."""
    questions, problems = [], []
    seller = library.seller
    if not seller.regions and library.disqualifiers.countries.supported:  # the hard rule's list is the same fact
        seller = seller.model_copy(update={"regions": list(library.disqualifiers.countries.supported)})
    for q in library.questions:
        try:
            questions.append(q.model_copy(update={"reading": read_question(q, seller, library.competitors)}))
        except ReadingError as exc:
            if q.check is not None:  # answered by its structured check; the reading is only shown
                questions.append(q.model_copy(update={"reading": check_reading(q)}))
                continue
            problems.append(
                LibraryProblem("questions.yaml", f"{exc} (add it to seller.yaml)", entry=q.id, field=exc.field)
            )
    if problems:
        raise LibraryValidationError(problems)
    return library.model_copy(update={"questions": questions})


# libyaml's parser with PyYAML's safe constructors: the same data as yaml.safe_load, several times faster (the YAML
# was a third of reading a library). Absent when PyYAML was built without libyaml.
_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _parse(text: str) -> Any:
    if _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER)  # a safe loader: the C build of SafeLoader
        except yaml.YAMLError:
            pass  # parse again below, so a syntax error is reported in the pure-Python parser's words and lines
    return yaml.safe_load(text)


def _load_file(file: Path, field: str) -> tuple[Any, list[LibraryProblem]]:
    name = file.name
    try:
        text = file.read_text(encoding="utf-8")
        data = _parse(text)
    except UnicodeDecodeError as exc:
        return None, [LibraryProblem(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [LibraryProblem(name, f"YAML syntax error: {reason}", line=line)]
    if not isinstance(data, dict) or list(data) != [field]:
        found = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
        return None, [LibraryProblem(name, f"the file must hold exactly one top-level key {field!r}; found {found}")]

    value = data[field]
    info = Library.model_fields[field]
    # Validate each file on its own (with the field's constraints, e.g. min_length) so errors name this file.
    annotated: Any = (
        Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    )  # a type built at run time
    adapter: TypeAdapter[Any] = TypeAdapter(annotated)
    try:
        return adapter.validate_python(value), []
    except ValidationError as exc:
        lines = _entry_lines(yaml.compose(text))  # the node tree only to name the lines of what is wrong
        return None, [_problem(name, value, e, lines, info.annotation) for e in exc.errors()]


def _problem(file: str, value: Any, error: Any, lines: list[int], annotation: Any = None) -> LibraryProblem:
    loc = list(error["loc"])
    if error["type"] == "extra_forbidden":
        allowed = _keys_at(annotation, loc[:-1])
        if allowed:
            error = {**error, "allowed": allowed}
    entry: str | None = None
    line: int | None = None
    if isinstance(value, list) and loc and isinstance(loc[0], int):
        index = loc.pop(0)
        item = value[index] if index < len(value) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        entry = str(item_id) if isinstance(item_id, str) and item_id else f"#{index}"
        line = lines[index] if index < len(lines) else None
    return LibraryProblem(file, _message(error), entry=entry, field=_dotted(loc) or None, line=line)


def _keys_at(annotation: Any, loc: Sequence[Any]) -> list[str]:
    """The keys the model at `loc` (a path of field names and list indexes) accepts, to name them when a key is
    unknown: "reading" → QuestionSpec's fields."""

    def model_in(t: Any) -> Any:
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
        for arg in typing.get_args(t):
            if (m := model_in(arg)) is not None:
                return m
        return None

    t = annotation
    for part in loc:
        if isinstance(part, int):
            args = typing.get_args(t)
            t = args[0] if args else None
            continue
        m = model_in(t)
        field = m.model_fields.get(part) if m is not None else None
        if field is None:
            return []
        t = field.annotation
    m = model_in(t) if not isinstance(t, types.NoneType) else None
    return sorted(m.model_fields) if m is not None else []


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        allowed = error.get("allowed")
        return "unknown key (misspelled?)" + (f"; allowed here: {', '.join(allowed)}" if allowed else "")
    return str(error["msg"]).removeprefix("Value error, ")


def _dotted(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _entry_lines(root: yaml.Node | None) -> list[int]:
    """1-based line of each list item under the file's single top-level key (empty when not a list)."""
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return []
    body = root.value[0][1]
    if not isinstance(body, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in body.value]


def _cross_references(parts: dict[str, Any]) -> list[LibraryProblem]:
    """Duplicate ids in a file and references between files, each named by file, entry and field."""
    problems: list[LibraryProblem] = []
    file_of = {field: name for name, field in FILES.items()}
    for field in ("segments", "personas", "use_cases", "competitors", "questions", "templates"):
        seen: set[str] = set()
        for item in parts.get(field, []):
            if item.id in seen:
                problems.append(LibraryProblem(file_of[field], f"duplicate id {item.id!r}", entry=item.id, field="id"))
            seen.add(item.id)
    segment_ids = {s.id for s in parts.get("segments", [])}
    question_ids = {q.id for q in parts.get("questions", [])}
    for q in parts.get("questions", []):
        for unknown in sorted(set(q.segments) - segment_ids):
            problems.append(
                LibraryProblem(
                    file_of["questions"],
                    f"unknown segment {unknown!r} (not in segments.yaml)",
                    entry=q.id,
                    field="segments",
                )
            )
    for segment in parts.get("segments", []):
        for sp in check_definition(segment, parts.get("questions", [])):
            problems.append(
                LibraryProblem(
                    file_of["segments"], f"criterion {sp.criterion!r}: {sp.message}", entry=sp.segment, field=sp.field
                )
            )
    for t in parts.get("templates", []):
        for i, section in enumerate(t.sections):
            for unknown in sorted(set(section.question_ids) - question_ids):
                problems.append(
                    LibraryProblem(
                        file_of["templates"],
                        f"unknown question {unknown!r} (not in questions.yaml)",
                        entry=t.id,
                        field=f"sections[{i}].question_ids",
                    )
                )
    return problems
