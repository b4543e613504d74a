"""How one evidence unit votes on one question, and how the votes of a lead's most relevant units become an answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from agent.evidence import SourceText
from agent.facts import quantities
from agent.judges.cues import bare_reply, hedge_cue, negated, soft_hedged
from agent.schemas import Answer, AnswerFlag, Evidence, QuestionAnswer
from library.schemas import QualifyingQuestion


@dataclass(frozen=True)
class Tuning:
    """Cosine cut-offs; the defaults suit all-MiniLM-L6-v2 (see benchmarks/judge.py), another embedder needs its own."""

    relevance_cut: float = 0.4  # a unit less relevant than this is not read at all
    key_cut: float = 0.45  # a form question this close to the qualifying question makes its answer relevant
    # A bare "Yes" answers the qualifying question only when its form question asks the same thing (as the answer
    # engine's FORM_MATCH): "Are you using another AP tool?" (0.51 to "Is the lead a student …?") is relevant, not it.
    reply_cut: float = 0.6
    negation_bonus: float = 0.12  # examples sharing the unit's negation count a little more (embeddings ignore "not")
    flip_sim: float = 0.6  # a unit this close to an example of the opposite negation means the opposite answer
    min_margin: float = 0.02  # closer than this between the best yes and best no example: undecided
    quantity_bonus: float = 0.15  # an amount, count or date of the kind the question asks for makes a unit relevant
    example_floor: float = (
        0.5  # for a damaging answer the nearest example must be this close, unless a keyword is named
    )


_APPROXIMATORS = {"maybe", "perhaps", "possibly", "could be"}  # before an amount they mean "about"
_TEXT_SOURCES = ("form", "notes", "transcript")


@dataclass(frozen=True)
class QuestionVectors:
    """A question's example phrasings (library and reviewed) with their vectors, labels and negation."""

    text: np.ndarray
    examples: np.ndarray  # (m, d)
    labels: list[Answer]
    example_texts: list[str]
    learned: list[bool]
    negations: np.ndarray  # (m,) bool
    keywords: list[re.Pattern[str]]


@dataclass(frozen=True)
class Unit:
    """One evidence unit with its vector (and its form question's vector when it is a form answer)."""

    source: SourceText
    vector: np.ndarray
    key_vector: np.ndarray | None = None
    hidden: bool = False


@dataclass
class Vote:
    unit: Unit
    relevance: float
    answer: Answer
    strength: float
    reason: str
    flags: list[AnswerFlag] = field(default_factory=list)
    value: str | None = None
    quantity: bool = False


def keyword_patterns(keywords: list[str]) -> list[re.Pattern[str]]:
    """Word-boundary patterns; short upper-case keywords ('IT', 'AP', 'PO') match case-sensitively."""
    out = []
    for k in keywords:
        if len(k.strip()) < 2:
            continue
        flags = 0 if (k.isupper() and len(k) <= 4) else re.I
        out.append(re.compile(rf"(?<!\w){re.escape(k.strip())}(?!\w)", flags))
    return out


def relevance(
    q: QualifyingQuestion, qv: QuestionVectors, unit: Unit, tuning: Tuning, ref: datetime
) -> tuple[float, float]:
    """How much a unit speaks to the question (0-1.3), and how close its form question is (0 for other sources)."""
    rel = float(unit.vector @ qv.text)
    if len(qv.examples):
        rel = max(rel, float(np.max(qv.examples @ unit.vector)))
    key_sim = float(unit.key_vector @ qv.text) if unit.key_vector is not None else 0.0
    if key_sim >= tuning.key_cut:
        rel = max(rel, key_sim + 0.1)
    haystack = unit.source.text + (" " + unit.source.ref if unit.source.source == "form" else "")
    if any(p.search(haystack) for p in qv.keywords):
        rel += 0.1
    if (
        q.threshold
        and unit.source.source in _TEXT_SOURCES
        and quantities.extract(q.threshold.kind, unit.source.text, ref)
    ):
        rel += tuning.quantity_bonus
    return rel, key_sim


def _quantity(q: QualifyingQuestion, text: str, ref: datetime) -> quantities.Quantity | None:
    assert q.threshold is not None
    found = quantities.extract(q.threshold.kind, text, ref)
    if not found:
        return None
    if q.threshold.kind != "number":
        return found[0]
    work, target = quantities.digitise(text), quantities.period_days(q.text)
    nouns = [w for w in re.findall(r"[a-z]{4,}", q.text.lower()) if w not in ("does", "company", "least", "process")]
    chosen = found[0]
    for item in found:  # prefer the count of the question's own noun ("800 invoices", not "3 entities")
        after = work[work.find(item.text) + len(item.text) :][:30].lower()
        if any(n[:-1] in after for n in nouns):
            chosen = item
            break
    after = work[work.find(chosen.text) + len(chosen.text) :]
    return quantities.per_period(chosen, after, target)


def vote(
    q: QualifyingQuestion,
    qv: QuestionVectors,
    unit: Unit,
    rel: float,
    key_sim: float,
    ref: datetime,
    offset_days: float,
    tuning: Tuning,
) -> Vote:
    """The unit's answer to the question: from a quantity, a bare yes/no, hedging, or the nearest example."""
    text = unit.source.text
    hedge, neg = hedge_cue(text), negated(text)
    flags: list[AnswerFlag] = ["hidden_content"] if unit.hidden else []
    if unit.source.source not in _TEXT_SOURCES and not any(p.search(text) for p in qv.keywords):
        # An enrichment fact or an event is data, not a statement: a job title or an e-book download does not answer
        # "is this a job seeker?" by sounding like one. It counts only when it names the question's subject.
        return Vote(unit, rel, "unknown", 0.0, "a data fact that does not mention what the question asks about", flags)
    if q.threshold and unit.source.source in _TEXT_SOURCES and (qty := _quantity(q, text, ref)) is not None:
        approximate = hedge is not None and hedge.lower() in _APPROXIMATORS
        if hedge and not approximate:
            return Vote(
                unit,
                rel,
                "unknown",
                0.0,
                f'tentative ("{hedge}") about {qty.text}',
                [*flags, "hedged"],
                qty.normalised(),
                True,
            )
        result = quantities.compare(
            qty, q.threshold.operator, q.threshold.value, offset_days if q.threshold.kind == "date" else 0.0
        )
        if result and neg and q.threshold.kind == "money":
            result = None  # "we don't have $25k" or "nothing above 25k": the amount is not a budget
        if result is None:
            return Vote(
                unit,
                rel,
                "unknown",
                0.0,
                f"{qty.text} does not settle {q.threshold.operator} {q.threshold.value:g}",
                flags,
                qty.normalised(),
                True,
            )
        strength = 0.85 * (0.85 if soft_hedged(text) or approximate else 1.0)
        op = {"gte": "≥", "lte": "≤"}[q.threshold.operator]
        unit_word = " days from now" if q.threshold.kind == "date" else ""
        return Vote(
            unit,
            rel,
            "yes" if result else "no",
            strength,
            f"{qty.text} = {qty.normalised()}, {'meets' if result else 'misses'} {op} {q.threshold.value:g}{unit_word}",
            flags,
            qty.normalised(),
            True,
        )
    if unit.source.source == "form" and key_sim >= tuning.reply_cut and (reply := bare_reply(text)) is not None:
        return Vote(unit, rel, reply, 0.8, f'a direct "{reply}" to the form question', flags)
    if hedge:
        return Vote(unit, rel, "unknown", 0.0, f'tentative ("{hedge}")', [*flags, "hedged"])
    if not len(qv.examples):
        return Vote(unit, rel, "no" if neg else "yes", 0.45, "relevant text, read by its negation", flags)
    return _by_examples(q, qv, unit, rel, neg, flags, tuning)


def _by_examples(
    q: QualifyingQuestion,
    qv: QuestionVectors,
    unit: Unit,
    rel: float,
    neg: bool,
    flags: list[AnswerFlag],
    tuning: Tuning,
) -> Vote:
    sims = qv.examples @ unit.vector
    adjusted = sims + tuning.negation_bonus * (qv.negations == neg)
    best = int(np.argmax(adjusted))
    label = qv.labels[best]
    flipped = (
        sims[best] >= tuning.flip_sim
        and bool(qv.negations[best]) != neg
        and not qv.learned[best]
        and label != "unknown"
    )
    if flipped:
        label = "no" if label == "yes" else "yes"
    others = [adjusted[i] for i, lab in enumerate(qv.labels) if lab != qv.labels[best]]
    margin = float(adjusted[best] - max(others)) if others else float(adjusted[best]) - 0.3
    if qv.learned[best]:
        flags = [*flags, "learned"]
    example = qv.example_texts[best]
    # The damaging answer (yes to a bad-fit question, no to a must-have) disqualifies or penalises a good lead if wrong.
    damaging = (label == "yes" and q.fit_type == "bad") or (
        label == "no" and q.fit_type == "good" and q.instant_disqualifier
    )
    if damaging and sims[best] < tuning.example_floor and not any(p.search(unit.source.text) for p in qv.keywords):
        # Nearest is not near: "Finance manager;" is closer to a student example than to a non-student one only
        # because both are far away. Topic words would have made it relevant; without them, say nothing.
        return Vote(unit, rel, "unknown", 0.0, f'not close to any example (nearest: "{example}")', flags)
    if label == "unknown" or margin < tuning.min_margin:
        return Vote(unit, rel, "unknown", 0.0, f'as close to "yes" as to "no" examples (nearest: "{example}")', flags)
    strength = min(0.85, 0.45 + 2.0 * margin + 0.3 * max(0.0, float(sims[best]) - 0.5))
    if qv.learned[best] and sims[best] >= 0.95:
        strength = 0.9  # the same words a reviewer already judged
    if q.threshold is not None:
        strength *= 0.8  # the question wants an amount and this unit gives none
    if soft_hedged(unit.source.text):
        strength *= 0.85
    how = " (negation reverses it)" if flipped else ""
    return Vote(
        unit, rel, label, round(strength, 3), f'closest to the {qv.labels[best]} example "{example}"{how}', flags
    )


def _evidence(votes: list[Vote]) -> list[Evidence]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for v in votes:
        key = (v.unit.source.source, v.unit.source.ref, v.unit.source.text)
        if key not in seen:
            seen.add(key)
            s = v.unit.source
            out.append(Evidence(source=s.source, ref=s.ref, quote=s.text, timestamp=s.timestamp, speaker=s.speaker))
    return out


def _say(v: Vote) -> str:
    return f'{v.unit.source.source} "{v.unit.source.text[:120]}": {v.reason}'


def decide(question_id: str, votes: list[Vote]) -> QuestionAnswer:
    """Combine the votes of the most relevant units: quantities first, then hedging, conflicts, and the strongest side."""
    if not votes:
        return QuestionAnswer(
            question_id=question_id,
            answer="unknown",
            confidence=0.0,
            reasoning="Nothing in the lead speaks to this question.",
        )
    decided = [v for v in votes if v.answer != "unknown"]
    if any(v.quantity for v in decided):
        decided = [v for v in decided if v.quantity]  # an explicit amount or date outranks phrasing
    top = votes[0]
    flags: list[AnswerFlag] = list(
        dict.fromkeys(f for v in votes[:1] + decided for f in v.flags if f in ("hidden_content", "learned"))
    )
    if not decided or (
        "hedged" in top.flags and not any(v.relevance >= top.relevance - 0.05 and v.quantity for v in decided)
    ):
        return QuestionAnswer(
            question_id=question_id,
            answer="unknown",
            confidence=0.0,
            value=top.value,
            reasoning=f"Not settled: {_say(top)}.",
            evidence=_evidence([top]),
            flags=list(dict.fromkeys([*flags, *top.flags])),
        )
    weight = {a: sum(v.strength * v.relevance for v in decided if v.answer == a) for a in ("yes", "no")}
    winner: Answer = "yes" if weight["yes"] >= weight["no"] else "no"
    loser: Answer = "no" if winner == "yes" else "yes"
    side = sorted((v for v in decided if v.answer == winner), key=lambda v: -v.strength * v.relevance)
    if weight[loser] > 0:
        flags.append("conflicting_evidence")
        against = [v for v in decided if v.answer == loser]
        if weight[winner] < 2 * weight[loser]:
            return QuestionAnswer(
                question_id=question_id,
                answer="unknown",
                confidence=0.0,
                reasoning=f"Conflicting: {_say(side[0])}; but {_say(against[0])}.",
                evidence=_evidence([side[0], against[0]]),
                flags=flags,
            )
    dominance = 1.0 - weight[loser] / weight[winner]
    best = side[0]
    confidence = round(best.strength * (0.6 + 0.4 * dominance) * min(1.0, 0.5 + best.relevance), 3)
    return QuestionAnswer(
        question_id=question_id,
        answer=winner,
        confidence=max(0.05, min(confidence, 0.95)),
        reasoning=f"{_say(best)}.",
        evidence=_evidence(side[:2]),
        value=best.value,
        flags=list(dict.fromkeys(flags)),
    )
