"""Turning a judge request into prompt contexts: the lead's untrusted texts as labelled data items, and trimming them.

Every untrusted value (form questions and answers, notes, event details, names, titles, company facts, enrichment text)
becomes a `DataItem` rendered only inside the user message's data section. Hidden characters are stripped first; the raw
lead is left untouched for audit, and the (source, ref) pairs that had hidden characters are reported.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.evidence import SourceText, lead_sources, units
from agent.judges.base import JudgeRequest, ReviewedExample
from agent.text import normalise, strip_hidden
from library.reading import read_question
from library.schemas import Persona, QualifyingQuestion, QuestionSpec
from prompts.contexts import DataItem, JudgeSystemContext, JudgeUserContext

# Lead-provided profile fields: quotable, under source "enrichment" with a `lead.` ref so they never clash with providers.
_PROFILE = (
    ("lead.person.name", "person", "name"),
    ("lead.person.title", "person", "title"),
    ("lead.company.name", "company", "name"),
    ("lead.company.domain", "company", "domain"),
    ("lead.company.employees", "company", "employees"),
    ("lead.company.industry", "company", "industry"),
    ("lead.company.country", "company", "country"),
)
_STOP = frozenset(
    "a an and are as at be by do does for from has have how in is it its of on or the their there this to "
    "was we what when which who will with you your they lead".split()
)


@dataclass(frozen=True)
class LeadData:
    """The data items for a lead and where hidden characters were removed."""

    items: list[DataItem]
    hidden: frozenset[tuple[str, str]]


def lead_data(request: JudgeRequest) -> LeadData:
    """Collect, clean and label every untrusted text of the lead."""
    lead = request.lead
    raw: list[SourceText] = []
    for ref, part, name in _PROFILE:
        value = getattr(getattr(lead, part), name)
        if value not in (None, ""):
            raw.append(SourceText("enrichment", ref, str(value)))
    raw += lead_sources(lead, request.enrichment)
    items: list[DataItem] = []
    hidden: set[tuple[str, str]] = set()
    for s in raw:
        ref, ref_hidden = strip_hidden(s.ref)
        text, text_hidden = strip_hidden(s.text)
        if ref_hidden or text_hidden:
            hidden.add((s.source, ref))
        # One line per ref keeps the data section's labels unambiguous.
        items.append(DataItem(source=s.source, ref=" ".join(ref.split()), text=text))
    return LeadData(items, frozenset(hidden))


def boundary(items: Sequence[DataItem]) -> str:
    """A marker suffix derived from the data: text inside the section cannot contain the marker that closes it."""
    digest = hashlib.sha256("\x00".join(f"{i.source}\x00{i.ref}\x00{i.text}" for i in items).encode())
    return digest.hexdigest()[:16]


SUMMARY_CHARS = 160  # the seller's description in the prompt: its first sentences up to about this length
NOTES_CHARS = (
    1500  # notes (and enrichment descriptions) longer than this keep their units most relevant to the questions
)

# The lead fields each kind of question can rest on (refs without the `lead.` prefix; a trailing dot is a prefix). The
# lead's own words (form answers, notes, a call) always go, and so do the contact's name and title and the company name.
_FIELDS_FOR: dict[str, tuple[str, ...]] = {
    "company_size": ("company.employees",),
    "named_count": ("company.employees",),
    "revenue": ("company.revenue", "company.annual_revenue", "company.employees"),
    "location": (
        "company.country",
        "company.region",
        "company.state",
        "company.city",
        "company.location",
        "company.domain",
    ),
    "language": ("company.country", "company.language"),
    "industry": ("company.industry", "company.description", "company.domain"),
    "technology": ("company.tech",),
    "competitor": ("company.tech", "company.domain"),
    "authority": ("person.",),
    "student": ("email.domain", "company."),
    "job_seeker": ("email.domain", "company."),
    "competitor_employee": ("email.domain", "company."),
    "existing_customer": ("email.domain", "company."),
    "partner": ("email.domain", "company."),
    "vendor_pitch": ("email.domain", "company."),
}
_EVENTS_FOR = frozenset({"intent", "text"})  # engagement events are evidence of intent (a page view is no go-live date)
_BUYING_ROLES = frozenset({"decision_maker", "champion"})  # the personas an authority question is about
_ALWAYS = frozenset({"person.name", "person.title", "company.name"})


def spec_of(q: QualifyingQuestion, request: JudgeRequest) -> QuestionSpec:
    """The question's typed reading: the library's (set at load), else read now."""
    return q.reading or read_question(q, request.seller, request.competitors)


def _summary(description: str) -> str:
    """The description's first sentences, up to SUMMARY_CHARS (a longer first sentence is cut at a word, with '…')."""
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", description.strip()):
        if len(out) + len(sentence) > SUMMARY_CHARS:
            break
        out = f"{out} {sentence}".strip()
    if not out and description.strip():
        out = description.strip()[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return out


def system_context(
    request: JudgeRequest, questions: Sequence[QualifyingQuestion], personas: Sequence[Persona]
) -> JudgeSystemContext:
    """Trusted instructions only: the seller in brief, personas when a question is about the contact's role, and each
    question with its typed comparison, else (a question read from free text) one short example each way."""
    specs = {q.id: spec_of(q, request) for q in questions}
    about_role = any(s.kind == "authority" or q.category == "authority" for q in questions for s in [specs[q.id]])
    readings = {i: s.words for i, s in specs.items() if _comparison(s)}
    return JudgeSystemContext(
        seller=request.seller,
        seller_summary=_summary(request.seller.description),
        personas=[p for p in personas if p.fit == "good" and p.role in _BUYING_ROLES] if about_role else [],
        questions=list(questions),
        today=request.now.date().isoformat(),
        readings=readings,
        examples={q.id: e for q in questions if q.id not in readings and not q.threshold and (e := _examples(q))},
    )


EXAMPLE_CHARS = 32  # an example phrasing in the instructions, at most (cut at a word)


def _examples(q: QualifyingQuestion) -> str:
    """'yes e.g. …; no e.g. …' from the question's first example phrasing each way, each cut to EXAMPLE_CHARS."""
    parts = [
        f"{label} e.g. {_cut(found[0])}" for label, found in (("yes", q.yes_examples), ("no", q.no_examples)) if found
    ]
    return "; ".join(parts)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


_COMPARED = frozenset(
    {"company_size", "named_count", "revenue", "location", "language", "timeline", "intent", "budget"}
)


def _comparison(spec: QuestionSpec) -> bool:
    """Whether the reading states a comparison the model should apply (a threshold, a window, a list of places):
    those are worth sending; a reading of a free-text question only restates it."""
    return (
        bool(spec.words)
        and spec.kind in _COMPARED
        and (spec.operator != "any" or spec.window_days is not None or bool(spec.deadline))
    )


def _needed(questions: Sequence[QualifyingQuestion], request: JudgeRequest) -> tuple[tuple[str, ...], bool, bool]:
    """The field refs the questions can rest on, whether events matter, and whether any question needs everything."""
    fields: list[str] = []
    events = everything = False
    for q in questions:
        if q.check is not None:
            fields.append(q.check.field)
            events = events or q.check.field.startswith("event")
            continue
        kind = spec_of(q, request).kind
        everything = everything or kind == "text"
        events = events or kind in _EVENTS_FOR
        fields += _FIELDS_FOR.get(kind, ())
    return tuple(fields), events, everything


def _wanted(ref: str, fields: tuple[str, ...]) -> bool:
    ref = ref.removeprefix("lead.")
    return ref in _ALWAYS or any(ref == f or (f.endswith(".") and ref.startswith(f)) for f in fields)


def select_items(
    items: Sequence[DataItem], questions: Sequence[QualifyingQuestion], request: JudgeRequest
) -> list[DataItem]:
    """Only the evidence these questions need: the lead's own words always; a profile or enrichment field when a
    question's reading can rest on it (an enrichment value equal to the lead's own field is sent once); events for
    intent and timing; long notes cut to the units most relevant to the questions. A question the reader could not
    type gets everything."""
    fields, events, everything = _needed(questions, request)
    own = {(i.ref.removeprefix("lead."), i.text) for i in items if i.ref.startswith("lead.")}
    out: list[DataItem] = []
    for item in items:
        if item.source == "enrichment":
            if not item.ref.startswith("lead.") and (item.ref, item.text) in own:
                continue  # the provider confirmed the lead's own value: once is enough
            if not everything and not _wanted(item.ref, fields):
                continue
        elif item.source == "event" and not (events or everything):
            continue
        out.append(item)
    long_text = [i for i in out if i.source in ("notes", "enrichment") and len(i.text) > NOTES_CHARS]
    if long_text:
        share = NOTES_CHARS / sum(len(i.text) for i in long_text)
        trimmed = {(i.source, i.ref): i for i in trim_by_relevance(long_text, questions, keep_fraction=share)}
        out = [i for i in (trimmed.get((i.source, i.ref)) if i in long_text else i for i in out) if i is not None]
    return out


def user_context(
    items: Sequence[DataItem], questions: Sequence[QualifyingQuestion], examples: Sequence[DataItem] = ()
) -> JudgeUserContext:
    """The data section; reviewed examples (other leads' text) in their own section, covered by the same boundary."""
    return JudgeUserContext(
        boundary=boundary([*items, *examples]),
        question_ids=[q.id for q in questions],
        items=list(items),
        examples=list(examples),
    )


def similar_examples(
    reviewed: dict[str, list[ReviewedExample]],
    items: Sequence[DataItem],
    questions: Sequence[QualifyingQuestion],
    per_question: int,
) -> list[DataItem]:
    """For each question, the reviewed examples sharing most words with the lead's data (ties: the newest), as data
    items labelled with the question and the reviewer's answer. The same text reviewed on several leads is shown once,
    with its newest answer."""
    lead_words = _words(" ".join(i.text for i in items))
    out: list[DataItem] = []
    for q in questions:
        newest: dict[str, tuple[int, ReviewedExample]] = {}
        for k, example in enumerate(reviewed.get(q.id, [])):
            text = " ".join(strip_hidden(example.text)[0].split())
            newest.pop(normalise(text), None)  # re-inserted: the dict keeps the pool's order, newest last
            newest[normalise(text)] = (k, ReviewedExample(example.question_id, text, example.answer))
        ranked = sorted(newest.values(), key=lambda p: (-len(_words(p[1].text) & lead_words), -p[0]))
        for _, example in ranked[:per_question]:
            out.append(DataItem(source="example", ref=f"{q.id}: {example.answer}", text=example.text))
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalise(text)) if w not in _STOP and len(w) > 1}


def trim_by_relevance(
    items: Sequence[DataItem], questions: Sequence[QualifyingQuestion], keep_fraction: float = 0.5
) -> list[DataItem]:
    """Keep the sentence-sized units most relevant to the questions, about `keep_fraction` of the text, in order."""
    vocabulary: set[str] = set()
    for q in questions:
        vocabulary |= _words(" ".join([q.text, *q.keywords, *q.yes_examples, *q.no_examples]))
    pieces = [
        DataItem(source=u.source, ref=u.ref, text=u.text)
        # DataItem.source is a plain str in the prompt context; the items were built from SourceText values.
        for u in units([SourceText(i.source, i.ref, i.text) for i in items])  # type: ignore[arg-type]
    ]
    budget = keep_fraction * sum(len(p.text) for p in pieces)

    def score(piece: DataItem) -> float:
        words = _words(piece.text)
        return len(words & vocabulary) / math.sqrt(len(words) + 1)

    ranked = sorted(range(len(pieces)), key=lambda k: (-score(pieces[k]), k))
    kept: set[int] = set()
    used = 0
    for k in ranked:
        if used + len(pieces[k].text) > budget and kept:
            continue
        kept.add(k)
        used += len(pieces[k].text)
    return _merge([pieces[k] for k in sorted(kept)])


def _merge(pieces: list[DataItem]) -> list[DataItem]:
    """Join consecutive kept units of the same item back into one item (each unit stays a verbatim span)."""
    merged: list[DataItem] = []
    for p in pieces:
        if merged and (merged[-1].source, merged[-1].ref) == (p.source, p.ref):
            merged[-1] = DataItem(source=p.source, ref=p.ref, text=merged[-1].text + "\n" + p.text)
        else:
            merged.append(p)
    return merged
