"""Evidence: the texts a judgment may quote, and the check that every quote is a verbatim span of its named source."""

from __future__ import annotations

from dataclasses import dataclass

from agent.schemas import Enrichment, EngagementEvent, Evidence, EvidenceSource, Lead, QuestionAnswer
from agent.text import normalise, sentences


@dataclass(frozen=True)
class SourceText:
    source: EvidenceSource
    ref: str
    text: str
    timestamp: float | None = None
    speaker: str | None = None


def render_event(event: EngagementEvent) -> str:
    """An engagement event as a sentence a person (and a quote) can read."""
    when = event.timestamp.strftime("%Y-%m-%d")
    return f"{event.type.replace('_', ' ')} on {when}" + (f": {event.detail}" if event.detail else "")


def lead_sources(lead: Lead, enrichment: Enrichment | None = None) -> list[SourceText]:
    """Every quotable text of a lead: form answers, notes, events and enrichment facts."""
    found = [SourceText("form", question, answer) for question, answer in lead.form_answers.items() if answer.strip()]
    if lead.notes and lead.notes.strip():
        found.append(SourceText("notes", "notes", lead.notes))
    found += [SourceText("event", str(i), render_event(e)) for i, e in enumerate(lead.events)]
    if enrichment is not None:
        for key, item in sorted(enrichment.fields.items()):
            value = item.value
            if value is None or value == "" or value == []:
                continue
            text = ", ".join(value) if isinstance(value, list) else str(value)
            found.append(SourceText("enrichment", key, text))
    return found


def units(sources: list[SourceText]) -> list[SourceText]:
    """Split sources into sentence-sized units (form answers and notes); each unit stays verbatim."""
    out: list[SourceText] = []
    for s in sources:
        if s.source in ("form", "notes", "transcript"):
            out += [SourceText(s.source, s.ref, part, s.timestamp, s.speaker) for part in sentences(s.text)]
        else:
            out.append(s)
    return out


class EvidenceChecker:
    """Checks quotes against the normalised texts of their named sources."""

    def __init__(self, sources: list[SourceText]):
        self._texts: dict[tuple[str, str], str] = {}
        for s in sources:
            key = (s.source, s.ref)
            self._texts[key] = (self._texts.get(key, "") + " \n " + normalise(s.text)).strip()

    def is_verbatim(self, evidence: Evidence) -> bool:
        quote = normalise(evidence.quote)
        text = self._texts.get((evidence.source, evidence.ref))
        return bool(quote) and text is not None and quote in text

    def verify(self, answer: QuestionAnswer) -> QuestionAnswer:
        """Keep verified quotes; an answer left with none becomes unknown, flagged `evidence_unverified`."""
        if not answer.evidence:
            return answer
        good = [e for e in answer.evidence if self.is_verbatim(e)]
        if len(good) == len(answer.evidence):
            return answer
        flags = list(dict.fromkeys([*answer.flags, "evidence_unverified"]))
        if good or answer.answer == "unknown":
            return answer.model_copy(update={"evidence": good, "flags": flags})
        return answer.model_copy(
            update={
                "answer": "unknown",
                "confidence": 0.0,
                "evidence": [],
                "flags": flags,
                "reasoning": f"{answer.reasoning} [Downgraded to unknown: the quoted evidence is not in the lead's data.]",
            }
        )
