"""The embedded (offline) extractor: answers to the lead's qualifying questions from a call, with verified quotes.

Rules that hold for every question: only prospect statements are evidence of the prospect's situation (a rep's
"so you have budget?" is context, the prospect's "yes" is the evidence); retracted or joking sentences never count;
hedged statements and conflicts without a later firm statement stay unknown.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from datetime import date

import numpy as np

from agent.deps import Embedder
from agent.evidence import EvidenceChecker
from agent.schemas import AnswerFlag, Answer, QuestionAnswer
from agent.transcripts.fields import call_fields
from agent.transcripts.models import Transcript
from agent.transcripts.normalise import TIMELINE_WORDS, parse_count, parse_money, parse_when
from agent.transcripts.units import Unit, build_units, hedged, negated, source_texts
from library.schemas import Library, QualifyingQuestion

EXTRACTOR_NAME = "transcript-embedded"
EXTRACTOR_VERSION = "0.1.0"
CHUNK_UNITS = 256  # sentences embedded per batch; long calls go through in chunks, never cut
_BUDGET_NO = re.compile(r"\bno (?:real )?budget\b|\bnone this (?:fiscal )?year\b|\bbudget (?:is )?(?:frozen|freeze)\b|"
                        r"\bnothing (?:allocated|set aside|budgeted)\b|\bno money\b|\bhaven'?t (?:asked for|got) (?:a )?budget\b|"
                        r"\bbudget freeze\b|\bcan'?t spend\b", re.IGNORECASE)
_BUDGET_YES = re.compile(r"\b(approved|signed off|sign-off is done|funded|allocated|set aside|budgeted|in (?:the|this year'?s) "
                         r"(?:plan|budget)|po (?:is )?ready|have (?:the |a )?budget|budget (?:is|was) (?:there|approved))\b",
                         re.IGNORECASE)
_BUDGET_WORDS = re.compile(r"\b(budget|spend|afford|set aside|allocated|approved|price|pricing|cost|per year|a year|annually|"
                           r"grand|signed off|funded|plan)\b", re.IGNORECASE)
_NO_TIMELINE = re.compile(r"\bno (?:real )?(?:timeline|rush|deadline|urgency)\b|\bjust (?:researching|exploring|looking)\b|"
                          r"\bnot (?:a priority|urgent)\b|\bnothing urgent\b", re.IGNORECASE)


@dataclass
class Verdict:
    answer: Answer
    unit: Unit
    confidence: float
    value: str | None = None
    flags: list[AnswerFlag] = field(default_factory=list)


def _evidence_units(units: list[Unit]) -> list[Unit]:
    return [u for u in units if u.is_prospect and not u.retracted]


def _polarity(unit: Unit, positive_if_negated: bool = False) -> Answer:
    """yes/no of what a unit asserts; a 'no' reply to a rep question inverts it."""
    base: Answer = "no" if negated(unit.prompt or unit.text) != positive_if_negated else "yes"
    if unit.reply == "no":
        return "no" if base == "yes" else "unknown"
    return base


def _money_verdicts(q: QualifyingQuestion, units: list[Unit]) -> list[Verdict]:
    out = []
    for u in units:
        if _BUDGET_NO.search(u.content) and not (u.reply == "no"):
            out.append(Verdict("no", u, 0.8, "0"))
            continue
        money = parse_money(u.content)
        if money is None or not _BUDGET_WORDS.search(u.content):
            continue
        if hedged(u.text):
            out.append(Verdict("unknown", u, 0.3, str(money), ["hedged"]))
            continue
        if u.reply == "no":
            continue
        ok = money.amount >= q.threshold.value if q.threshold.operator == "gte" else money.amount <= q.threshold.value
        out.append(Verdict("yes" if ok else "no", u, 0.85, str(money)))
    return out


def _budget_status_verdicts(units: list[Unit]) -> list[Verdict]:
    out = []
    for i, u in enumerate(units):
        # "We set aside forty grand. Our CFO approved it." - the topic comes from the sentence before.
        before = units[i - 1].text if i and units[i - 1].utterance.id == u.utterance.id else ""
        topic = f"{before} {u.content} {u.asked or ''}"
        if _BUDGET_NO.search(u.content):
            out.append(Verdict("no" if u.reply != "no" else "unknown", u, 0.8))
        elif re.search(r"\bbudget|\bspend|grand\b|[$€£]|\d\s?k\b", topic, re.IGNORECASE) and _BUDGET_YES.search(u.content):
            if hedged(u.text) or re.search(r"\b(need|needs|have) to (?:get|find)\b|\bstill (?:an )?estimate\b", u.content, re.I):
                out.append(Verdict("unknown", u, 0.3, flags=["hedged"]))
            else:
                out.append(Verdict(_polarity(u), u, 0.75))
    return out


def _count_verdicts(q: QualifyingQuestion, units: list[Unit]) -> list[Verdict]:
    out = []
    for u in units:
        count = parse_count(u.content, context=u.asked or "")
        if count is None or u.reply == "no":
            continue
        ok = count >= q.threshold.value if q.threshold.operator == "gte" else count <= q.threshold.value
        flags: list[AnswerFlag] = ["hedged"] if hedged(u.text) and "maybe" not in u.text.lower() else []
        out.append(Verdict("yes" if ok else "no", u, 0.8 if not flags else 0.5, f"{count} per month", flags))
    return out


def _date_verdicts(q: QualifyingQuestion, units: list[Unit], call_date: date | None) -> list[Verdict]:
    out = []
    for u in units:
        if _NO_TIMELINE.search(u.content):
            out.append(Verdict("no", u, 0.7))
            continue
        # The prospect's own words only: a "yes" to "shall I send it this week?" is a next step, not a go-live date.
        if call_date is None or not TIMELINE_WORDS.search(u.text):
            continue
        when = parse_when(u.text, call_date)
        if when is None or u.reply == "no":
            continue
        days = (when.date - call_date).days
        ok = days <= q.threshold.value if q.threshold.operator == "lte" else days >= q.threshold.value
        flags: list[AnswerFlag] = ["hedged"] if hedged(u.text) else []
        out.append(Verdict("yes" if ok else "no", u, 0.5 if flags else 0.8, when.label, flags))
    return out


def _competitor_names(library: Library) -> dict[str, re.Pattern[str]]:
    return {c.id: re.compile(r"\b(" + "|".join(re.escape(n) for n in [c.name, *c.aliases]) + r")\b", re.IGNORECASE)
            for c in library.competitors}


def _lock_in_verdicts(units: list[Unit], library: Library, call_date: date | None) -> list[Verdict]:
    names = _competitor_names(library)
    out = []
    for u in units:
        hit = [cid for cid, p in names.items() if p.search(u.content)]
        if not hit and not re.search(r"\bcurrent (?:ap )?(?:vendor|tool|provider)\b", u.content, re.I):
            continue
        if re.search(r"\b(contract|renew|renewed|signed|locked|term|until|ends|month-to-month)\b", u.content, re.I) is None:
            continue
        when = parse_when(u.content, call_date) if call_date else None
        years = re.search(r"\b(two|three|four|five|\d)[- ]year\b", u.content, re.I)
        if re.search(r"month-to-month|\bwant out\b", u.content, re.I):
            out.append(Verdict("no", u, 0.7, ",".join(hit) or None))
        elif years or (when and call_date and (when.date - call_date).days > 365):
            out.append(Verdict("yes", u, 0.75, ",".join(hit) or None))
        elif when and call_date:
            out.append(Verdict("no", u, 0.7, ",".join(hit) or None))
    return out


class EmbeddedExtractor:
    """Offline extractor: rules for money, counts, dates and names; example similarity for the rest."""

    name = EXTRACTOR_NAME
    version = EXTRACTOR_VERSION

    def __init__(self, library: Library, embedder: Embedder | None = None, default_currency: str = "USD"):
        self.library, self.embedder, self.default_currency = library, embedder, default_currency
        self._example_vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def extract(self, transcript: Transcript, questions: Sequence[QualifyingQuestion] | None = None,
                contact: str | None = None) -> list[QuestionAnswer]:
        """One answer per applicable question (data-checked ones skipped) plus the call.* fields, quotes verified."""
        questions = [q for q in (questions if questions is not None else self.library.questions) if q.check is None]
        units = build_units(transcript)
        evidence_units = _evidence_units(units)
        vectors = self._embed([u.content for u in evidence_units]) if self.embedder and evidence_units else None
        answers = [self._answer(q, evidence_units, vectors, transcript.call_date) for q in questions]
        fields = call_fields(units, evidence_units, transcript, self.library, contact)
        answers = _discount_outsiders(answers + fields, fields, questions)
        checker = EvidenceChecker(source_texts(transcript))
        return [checker.verify(a) for a in answers]

    def _embed(self, texts: list[str]) -> np.ndarray:
        chunks = [self.embedder.embed(texts[i:i + CHUNK_UNITS]) for i in range(0, len(texts), CHUNK_UNITS)]
        return np.vstack(chunks)

    def _answer(self, q: QualifyingQuestion, units: list[Unit], vectors: np.ndarray | None,
                call_date: date | None) -> QuestionAnswer:
        if q.threshold and q.threshold.kind == "money":
            verdicts = _money_verdicts(q, units)
        elif q.threshold and q.threshold.kind == "number":
            verdicts = _count_verdicts(q, units)
        elif q.threshold and q.threshold.kind == "date":
            verdicts = _date_verdicts(q, units, call_date)
        elif q.category == "budget":
            verdicts = _budget_status_verdicts(units)
        elif q.category == "competition" and {"contract", "renewal"} & {k.lower() for k in q.keywords}:
            verdicts = _lock_in_verdicts(units, self.library, call_date)
        else:
            # Example similarity is not a correction signal: its strongest verdict wins, not its latest.
            return decide(q.id, self._example_verdicts(q, units, vectors), strongest=True)
        return decide(q.id, verdicts)

    def _example_verdicts(self, q: QualifyingQuestion, units: list[Unit], vectors: np.ndarray | None) -> list[Verdict]:
        """Keyword-relevant prospect units, classified by their closeness to the question's yes and no examples."""
        from agent.transcripts.similarity import classify

        return classify(q, units, vectors, self)


_OUTSIDERS = {"wrong_person", "student", "job_seeker"}


def _discount_outsiders(answers: list[QuestionAnswer], fields: list[QuestionAnswer],
                        questions: Sequence[QualifyingQuestion]) -> list[QuestionAnswer]:
    """Someone outside the buying company's AP (wrong person, student, job seeker) is no evidence of its situation."""
    bad_fit = {q.id for q in questions if q.fit_type == "bad"} | {"call.disqualifier", "call.next_step"}
    flag = next((f for f in fields if f.question_id == "call.disqualifier" and f.answer == "yes"), None)
    who = flag.value if flag is not None and flag.value in _OUTSIDERS else None
    # A "yes" to a bad-fit profile question (student, job seeker, vendor pitching us) marks an outsider too.
    profile = next((a for a in answers if a.answer == "yes" and a.question_id in
                    {q.id for q in questions if q.fit_type == "bad" and q.category == "fit"}), None)
    who = who or (profile.question_id if profile else None)
    if who is None:
        return answers
    return [a if a.question_id in bad_fit or a.answer == "unknown" else QuestionAnswer(
        question_id=a.question_id, answer="unknown", confidence=0.0,
        reasoning=f"The speaker is not part of the buying team ({who.replace('_', ' ')}), so this is not evidence.")
        for a in answers]


def decide(question_id: str, verdicts: list[Verdict], strongest: bool = False) -> QuestionAnswer:
    """The latest (or the most confident) firm verdict wins; firm verdicts pointing both ways are flagged."""
    firm = [v for v in verdicts if v.answer != "unknown"]
    if strongest:
        firm.sort(key=lambda v: v.confidence)  # stable: among equals the later statement still wins
    if not firm:
        if verdicts:
            v = verdicts[-1]
            return QuestionAnswer(question_id=question_id, answer="unknown", confidence=0.0, value=v.value,
                                  flags=list(dict.fromkeys(["hedged", *v.flags])), evidence=[v.unit.evidence()],
                                  reasoning="The prospect touched on this but without a firm statement.")
        return QuestionAnswer(question_id=question_id, answer="unknown", confidence=0.0,
                              reasoning="Nothing the prospect said on the call answers this.")
    last = firm[-1]
    agreeing = [v for v in firm if v.answer == last.answer]
    conflict = len(agreeing) != len(firm)
    flags = list(dict.fromkeys([*last.flags, *(["conflicting_evidence"] if conflict else [])]))
    quotes = list({id(v.unit): v.unit for v in agreeing[-3:]}.values())
    said = last.unit.utterance
    context = f' (answering "{last.unit.prompt}")' if last.unit.prompt else ""
    return QuestionAnswer(
        question_id=question_id, answer=last.answer, value=last.value, flags=flags,
        confidence=round(max(0.2, last.confidence - (0.25 if conflict else 0)), 3),
        evidence=[u.evidence() for u in quotes],
        reasoning=f"{said.speaker} said \"{last.unit.text}\"{context}" + ("; earlier statements disagreed." if conflict else "."),
    )


class TranscriptExtractor(Protocol):
    """What evals and ingestion need from an extractor (embedded here; an LLM one can satisfy it too)."""

    name: str
    version: str

    def extract(self, transcript: Transcript, questions: Sequence[QualifyingQuestion] | None = None,
                contact: str | None = None) -> list[QuestionAnswer] | Awaitable[list[QuestionAnswer]]:
        """The embedded extractor answers at once; the LLM one returns an awaitable."""
        ...
