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
from agent.judges.base import JudgeRequest
from agent.text import normalise, strip_hidden
from library.schemas import Persona, QualifyingQuestion
from prompts.contexts import DataItem, JudgeSystemContext, JudgeUserContext

# Lead-provided profile fields: quotable, under source "enrichment" with a `lead.` ref so they never clash with providers.
_PROFILE = (("lead.person.name", "person", "name"), ("lead.person.title", "person", "title"),
            ("lead.company.name", "company", "name"), ("lead.company.domain", "company", "domain"),
            ("lead.company.employees", "company", "employees"), ("lead.company.industry", "company", "industry"),
            ("lead.company.country", "company", "country"))
_STOP = frozenset("a an and are as at be by do does for from has have how in is it its of on or the their there this to "
                  "was we what when which who will with you your they lead".split())


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


def system_context(request: JudgeRequest, questions: Sequence[QualifyingQuestion],
                   personas: Sequence[Persona]) -> JudgeSystemContext:
    m = request.matches
    return JudgeSystemContext(
        seller=request.seller, personas=list(personas), segment=m.segment.name if m.segment else None,
        persona=m.persona.name if m.persona else None, use_cases=[u.name for u in m.use_cases],
        questions=list(questions), today=request.now.date().isoformat())


def user_context(items: Sequence[DataItem], questions: Sequence[QualifyingQuestion]) -> JudgeUserContext:
    return JudgeUserContext(boundary=boundary(items), question_ids=[q.id for q in questions], items=list(items))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalise(text)) if w not in _STOP and len(w) > 1}


def trim_by_relevance(items: Sequence[DataItem], questions: Sequence[QualifyingQuestion],
                      keep_fraction: float = 0.5) -> list[DataItem]:
    """Keep the sentence-sized units most relevant to the questions, about `keep_fraction` of the text, in order."""
    vocabulary: set[str] = set()
    for q in questions:
        vocabulary |= _words(" ".join([q.text, *q.keywords, *q.yes_examples, *q.no_examples]))
    pieces = [DataItem(source=u.source, ref=u.ref, text=u.text)
              # DataItem.source is a plain str in the prompt context; the items were built from SourceText values.
              for u in units([SourceText(i.source, i.ref, i.text) for i in items])]  # type: ignore[arg-type]
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
