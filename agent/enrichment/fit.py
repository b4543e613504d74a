"""Product fit 0-100 from enrichment: firmographics, country, persona, seniority, department, email, industry."""

from __future__ import annotations

from agent.checks import compare
from agent.enrichment.countries import country_name
from agent.enrichment.titles import department
from agent.schemas import EnrichedScalar, Enrichment
from library.schemas import Library, Segment

BASE = 40.0  # a lead we know nothing about: below the middle, above the floor
MIN_CONFIDENCE = 0.5  # a value below this is a guess and does not move the score

SIZE_IN_RANGE, SIZE_OUT_OF_RANGE, SIZE_BELOW_MINIMUM = 15, -10, -20
COUNTRY_SUPPORTED, COUNTRY_UNSUPPORTED = 10, -25
PERSONA_GOOD, PERSONA_BAD = 15, -30
SENIORITY_POINTS = {"c_level": 10, "vp": 8, "director": 6, "manager": 3, "individual": 0, "student": -15, "unknown": 0}
SENIORITY_LABELS = {
    "c_level": "C-level",
    "vp": "VP-level",
    "director": "Director-level",
    "manager": "Manager-level",
    "student": "Student or intern",
}
DEPARTMENT_MATCH = 8
FREE_MAIL, DISPOSABLE = -10, -20
INDUSTRY_GOOD, INDUSTRY_OFF, INDUSTRY_BAD = 5, -5, -15


def _points(label: str, points: float) -> str:
    sign = "+" if points > 0 else "−"  # a real minus sign reads better in the UI
    return f"{label}: {sign}{abs(points):g}"


def _value(enrichment: Enrichment, key: str) -> EnrichedScalar | list[str]:
    found = enrichment.fields.get(key)
    return None if found is None or found.confidence < MIN_CONFIDENCE else found.value


def _range(segment: Segment) -> str:
    low, high = segment.min_employees, segment.max_employees
    if low is not None and high is not None:
        return f"{low:,}–{high:,} employees"
    return f"{low:,}+ employees" if low is not None else f"up to {high:,} employees"


def _in_range(segment: Segment, employees: int) -> bool:
    return (segment.min_employees is None or employees >= segment.min_employees) and (
        segment.max_employees is None or employees <= segment.max_employees
    )


_BUYERS: dict[int, tuple[Library, frozenset[str]]] = {}  # by id(); the library is kept so the id cannot be reused


def buyer_departments(library: Library) -> frozenset[str]:
    """Departments of the good-fit personas' example titles: where the buyers sit."""
    cached = _BUYERS.get(id(library))
    if cached is not None and cached[0] is library:
        return cached[1]
    found = frozenset(
        {department(title)[0] for p in library.personas if p.fit == "good" for title in p.titles} - {"other"}
    )
    if len(_BUYERS) > 16:
        _BUYERS.clear()
    _BUYERS[id(library)] = (library, found)
    return found


def _size(enrichment: Enrichment, library: Library, segment_id: str | None) -> tuple[float, str] | None:
    employees = _value(enrichment, "company.employees")
    if not isinstance(employees, int) or isinstance(employees, bool):
        return None
    minimum = library.disqualifiers.min_employees
    if minimum is not None and employees < minimum:
        return SIZE_BELOW_MINIMUM, f"{employees:,} employees, below the minimum of {minimum:,}"
    segments = [s for s in library.segments if s.id == segment_id] if segment_id else list(library.segments)
    sized = [s for s in segments if s.min_employees is not None or s.max_employees is not None]
    if not sized:
        return None
    fitting = next((s for s in sized if _in_range(s, employees)), None)
    if fitting is not None:
        return SIZE_IN_RANGE, f"{employees:,} employees fits {fitting.name} ({_range(fitting)})"
    where = f"{sized[0].name} ({_range(sized[0])})" if segment_id else "every segment's size range"
    return SIZE_OUT_OF_RANGE, f"{employees:,} employees is outside {where}"


def _country(enrichment: Enrichment, library: Library) -> tuple[float, str] | None:
    code = _value(enrichment, "company.country")
    if not isinstance(code, str):
        return None
    supported = library.disqualifiers.countries.supported
    if not supported or code in supported:
        return COUNTRY_SUPPORTED, f"Supported country: {country_name(code)}"
    return COUNTRY_UNSUPPORTED, f"Unsupported country: {country_name(code)}"


def _persona(enrichment: Enrichment, library: Library) -> tuple[float, str] | None:
    persona_id = _value(enrichment, "person.persona")
    persona = next((p for p in library.personas if p.id == persona_id), None)
    if persona is None:
        return None
    title = _value(enrichment, "person.title")
    shown = isinstance(title, str) and title.casefold() != persona.name.casefold()
    label = f"{persona.name} ({title})" if shown else persona.name
    return (PERSONA_GOOD, label) if persona.fit == "good" else (PERSONA_BAD, f"Bad-fit persona: {label}")


def _industry(enrichment: Enrichment, library: Library) -> list[tuple[float, str]]:
    industry = _value(enrichment, "company.industry")
    if not isinstance(industry, str):
        return []
    out: list[tuple[float, str]] = []
    for question in library.questions:
        check = question.check
        if check is None or check.field != "company.industry":
            continue
        try:
            holds = compare(industry, check)
        except ValueError:
            continue
        if question.fit_type == "good":
            out.append(
                (INDUSTRY_GOOD, f"Target industry: {industry}")
                if holds
                else (INDUSTRY_OFF, f"Industry outside the target list: {industry}")
            )
        elif holds:
            out.append((INDUSTRY_BAD, f"Poor-fit industry: {industry}"))
    return out[:1]  # one industry verdict is enough; several questions on it would count it twice


def product_fit(enrichment: Enrichment, library: Library, segment_id: str | None = None) -> tuple[float, list[str]]:
    """Score 0-100 and the SDR-readable reasons (largest effect first); unknown facts neither add nor subtract."""
    parts: list[tuple[float, str]] = []
    for part in (_size(enrichment, library, segment_id), _country(enrichment, library), _persona(enrichment, library)):
        if part is not None:
            parts.append(part)
    level = _value(enrichment, "person.seniority")
    if isinstance(level, str) and SENIORITY_POINTS.get(level):
        parts.append((SENIORITY_POINTS[level], SENIORITY_LABELS[level]))
    dept = _value(enrichment, "person.department")
    if isinstance(dept, str) and dept in buyer_departments(library):
        parts.append(
            (
                DEPARTMENT_MATCH,
                f"{dept.upper() if dept in ('it', 'hr') else dept.capitalize()} department, where the buyers sit",
            )
        )
    if _value(enrichment, "email.disposable") is True:
        parts.append((DISPOSABLE, "Disposable email address"))
    elif _value(enrichment, "email.free_mail") is True:
        parts.append((FREE_MAIL, "Free-mail address"))
    parts.extend(_industry(enrichment, library))
    score = max(0.0, min(100.0, BASE + sum(p for p, _ in parts)))
    parts.sort(key=lambda p: -abs(p[0]))
    return round(score, 1), [_points(label, points) for points, label in parts]
