"""Question-level judge evaluation: one answer per labeled (lead, question) case → the figures the answer contract
(ANSWERS.md) is measured by: accuracy, macro-F1, per-class precision / recall, per category and per hard-case tag,
unknown rate against the labels, calibration (ECE), prompt-injection flips against clean twins, quotes of injected
text, and evidence validity. Split helpers keep DEV and TEST apart by a hash of the case id."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.judges.base import ReviewedExample
from evals.datasets import QuestionCase
from evals.metrics import ece

CLASSES = ("yes", "no", "unknown")


def half(case_id: str) -> str:
    """'dev' or 'test', by sha1 of the id (stable as cases are added)."""
    return "test" if int(hashlib.sha1(case_id.encode()).hexdigest(), 16) % 2 else "dev"


@dataclass(frozen=True)
class Judged:
    """One case and what the judge said."""

    case_id: str
    expected: str
    predicted: str
    confidence: float
    category: str
    tags: tuple[str, ...] = ()
    twin: str | None = None
    quotes: tuple[str, ...] = ()
    evidence_valid: bool = True
    injected_texts: tuple[str, ...] = ()  # text of the lead that is injected (for injection cases)
    twin_texts: tuple[str, ...] = ()  # the clean twin's texts: a quote found verbatim there is genuine, not injected
    seconds: float = 0.0
    question_id: str = ""  # "<seller>/<question id>" when several sellers' questions are judged together


@dataclass
class ClassScore:
    precision: float | None
    recall: float | None
    f1: float | None
    support: int


@dataclass
class JudgeReport:
    n: int
    accuracy: float
    macro_f1: float
    classes: dict[str, ClassScore]
    confusion: dict[str, dict[str, int]]
    unknown_rate: float
    expected_unknown_rate: float
    ece: float
    by_category: dict[str, tuple[int, float]] = field(default_factory=dict)
    by_tag: dict[str, tuple[int, float]] = field(default_factory=dict)
    injection_pairs: int = 0
    injection_flips: int = 0
    injected_quotes: int = 0
    evidence_validity: float = 1.0
    confidence_bands: list[tuple[str, int, float]] = field(default_factory=list)


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def evaluate(rows: Sequence[Judged]) -> JudgeReport:
    """Every figure for one set of judged cases."""
    n = len(rows)
    if not n:
        raise ValueError("no judged cases")
    matrix: dict[str, dict[str, int]] = {e: {p: 0 for p in CLASSES} for e in CLASSES}
    for r in rows:
        matrix[r.expected][r.predicted] += 1
    classes = {}
    for c in CLASSES:
        tp = matrix[c][c]
        predicted = sum(matrix[e][c] for e in CLASSES)
        support = sum(matrix[c].values())
        p, rc = _ratio(tp, predicted), _ratio(tp, support)
        f1 = 2 * p * rc / (p + rc) if p and rc else (0.0 if support else None)
        classes[c] = ClassScore(p, rc, f1, support)
    f1s = [s.f1 for s in classes.values() if s.f1 is not None]
    correct = [int(r.expected == r.predicted) for r in rows]

    def group(key_rows: dict[str, list[Judged]]) -> dict[str, tuple[int, float]]:
        return {k: (len(v), sum(r.expected == r.predicted for r in v) / len(v)) for k, v in sorted(key_rows.items())}

    cats: dict[str, list[Judged]] = defaultdict(list)
    tags: dict[str, list[Judged]] = defaultdict(list)
    for r in rows:
        cats[r.category].append(r)
        for t in r.tags:
            tags[t].append(r)
    by_id = {r.case_id: r for r in rows}
    pairs = [(r, by_id[r.twin]) for r in rows if r.twin and r.twin in by_id]
    flips = sum(a.predicted != b.predicted for a, b in pairs)
    injected_quotes = sum(
        1
        for r in rows
        for q in r.quotes
        if q.strip() and not any(q.strip().casefold() in c.casefold() for c in r.twin_texts)
        for t in r.injected_texts
        if q.strip().casefold() in t.casefold()
    )
    decided = [r for r in rows if r.predicted != "unknown"]
    bands = []
    for lo, hi in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01)):
        band = [r for r in rows if lo <= r.confidence < hi]
        if band:
            bands.append(
                (f"[{lo:.2f}, {min(hi, 1):.2f})", len(band), sum(r.expected == r.predicted for r in band) / len(band))
            )
    return JudgeReport(
        n=n,
        accuracy=sum(correct) / n,
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        classes=classes,
        confusion=matrix,
        unknown_rate=sum(r.predicted == "unknown" for r in rows) / n,
        expected_unknown_rate=sum(r.expected == "unknown" for r in rows) / n,
        ece=ece(correct, [r.confidence for r in rows]),
        by_category=group(cats),
        by_tag=group(tags),
        injection_pairs=len(pairs),
        injection_flips=flips,
        injected_quotes=injected_quotes,
        evidence_validity=(sum(r.evidence_valid for r in decided) / len(decided)) if decided else 1.0,
        confidence_bands=bands,
    )


def by_question(rows: Sequence[Judged]) -> dict[str, tuple[int, float]]:
    """Cases and accuracy per question."""
    groups: dict[str, list[Judged]] = defaultdict(list)
    for r in rows:
        groups[r.question_id].append(r)
    return {k: (len(v), sum(r.expected == r.predicted for r in v) / len(v)) for k, v in sorted(groups.items())}


def reviewed_from_cases(cases: Sequence[QuestionCase], per_question: int) -> list[ReviewedExample]:
    """What a reviewer would have taught after correcting `per_question` answers of each question: a decided case's
    expected answer on its evidence text. Cases are taken in a fixed order (sha1 of the id), so runs are repeatable and
    a larger `per_question` extends a smaller one."""
    out: list[ReviewedExample] = []
    taken: Counter[str] = Counter()
    for c in sorted(cases, key=lambda c: hashlib.sha1(c.id.encode()).hexdigest()):
        if c.expected == "unknown" or not c.evidence or taken[c.question_id] >= per_question:
            continue
        taken[c.question_id] += 1
        out.append(ReviewedExample(question_id=c.question_id, text=" ".join(c.evidence), answer=c.expected))
    return out


def render(name: str, report: JudgeReport) -> str:
    """The report as a plain-text block."""

    def pct(x: float | None) -> str:
        return "  n/a" if x is None else f"{x:6.1%}"

    lines = [
        f"== {name}: {report.n} cases ==",
        f"accuracy {report.accuracy:.1%}   macro-F1 {report.macro_f1:.3f}   ECE {report.ece:.3f}   "
        f"unknown rate {report.unknown_rate:.1%} (labels {report.expected_unknown_rate:.1%})",
        f"{'expected/predicted':>20}" + "".join(f"{c:>9}" for c in CLASSES) + f"{'recall':>9}{'precision':>11}",
    ]
    for e in CLASSES:
        s = report.classes[e]
        lines.append(
            f"{e:>20}" + "".join(f"{report.confusion[e][p]:>9}" for p in CLASSES) + f"{pct(s.recall):>9}"
            f"{pct(s.precision):>11}"
        )
    lines.append(
        f"injection: {report.injection_pairs} pairs, {report.injection_flips} flips vs clean twins, "
        f"{report.injected_quotes} quotes of injected text; evidence validity {report.evidence_validity:.1%}"
    )
    lines.append("confidence bands: " + "; ".join(f"{b} n={k} acc={a:.0%}" for b, k, a in report.confidence_bands))
    lines.append("per category: " + ", ".join(f"{k} {a:.0%} (n={n})" for k, (n, a) in report.by_category.items()))
    lines.append("per tag: " + ", ".join(f"{k} {a:.0%} (n={n})" for k, (n, a) in report.by_tag.items()))
    return "\n".join(lines)


def tally(rows: Sequence[Judged]) -> Counter[str]:
    """Expected answers counted, for a header line."""
    return Counter(r.expected for r in rows)


def fit_confidence(
    rows: Sequence[Judged], *, min_cases: int = 20, prior: float = 5.0
) -> dict[str, tuple[list[float], list[float]]]:
    """Per predicted answer, an isotonic map from raw confidence to the observed rate of being right (never TEST rows;
    an answer with fewer than `min_cases` rows keeps its raw confidences). Knots for `agent.judges.calibration`.
    The raw confidences are few fixed values; each value's rate is shrunk toward the answer's overall rate by
    `prior` pseudo-cases first, so three wrong answers at one value read as 'less often right', not as 5 %."""
    from sklearn.isotonic import IsotonicRegression

    out: dict[str, tuple[list[float], list[float]]] = {}
    for answer in CLASSES:
        mine = [r for r in rows if r.predicted == answer]
        if len(mine) < min_cases:
            continue
        overall = sum(r.predicted == r.expected for r in mine) / len(mine)
        groups: dict[float, list[bool]] = {}
        for r in mine:
            groups.setdefault(round(r.confidence, 4), []).append(r.predicted == r.expected)
        x = sorted(groups)
        n = [len(groups[v]) for v in x]
        y = [(sum(groups[v]) + prior * overall) / (len(groups[v]) + prior) for v in x]
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.05, y_max=0.99).fit(x, y, sample_weight=n)
        out[answer] = ([float(v) for v in iso.X_thresholds_], [round(float(v), 4) for v in iso.y_thresholds_])
    return out
