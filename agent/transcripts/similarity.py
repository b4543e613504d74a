"""Yes / no / unknown for questions without a quantity: keyword relevance, then closeness to the question's examples.

With an embedder the closeness is cosine similarity; without one it is content-word overlap (rapidfuzz). A sentence whose
negation disagrees with the example it resembles stays unknown rather than being flipped: guessing is worse than unknown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from agent.transcripts.units import Unit, hedged, negated
from library.schemas import QualifyingQuestion

if TYPE_CHECKING:
    from agent.transcripts.extract import EmbeddedExtractor, Verdict

_STOP = set("a an the and or but of to in on for with at by from is are was were be been it its this that we our us i "
            "me my you your they them their he she his her do does did have has had so just about like really very "
            "there here what which who when how all any some can could would should will".split())
# Cut-offs: (minimum similarity to the winning side, minimum lead over the other side).
_EMBED_CUT = (0.45, 0.04)
_LEXICAL_CUT = (0.30, 0.08)


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9$']+", text.lower()) if w not in _STOP and len(w) > 1}


def _keyword_patterns(q: QualifyingQuestion) -> re.Pattern[str] | None:
    words = [k for k in q.keywords if len(k) >= 2 and re.search(r"[A-Za-z]{2}", k)]
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in words) + r")", re.IGNORECASE)


def _lexical(text: str, examples: list[str]) -> tuple[float, int]:
    """Best overlap with any example: share of the example's content words present, softened by fuzzy matching."""
    words = _words(text)
    best, best_i = 0.0, -1
    for i, example in enumerate(examples):
        ex = _words(example)
        if not ex:
            continue
        overlap = len(words & ex) / len(ex)
        score = 0.7 * overlap + 0.3 * fuzz.token_set_ratio(text.lower(), example.lower()) / 100
        if score > best:
            best, best_i = score, i
    return best, best_i


def classify(q: QualifyingQuestion, units: list[Unit], vectors: np.ndarray | None,
             extractor: EmbeddedExtractor) -> list[Verdict]:
    """Verdicts for the relevant prospect units of one question."""
    from agent.transcripts.extract import Verdict

    keywords = _keyword_patterns(q)
    yes_ex, no_ex = list(q.yes_examples), list(q.no_examples)
    if not yes_ex and not no_ex:
        return []
    example_vectors = None
    if vectors is not None and extractor.embedder is not None:
        cached = extractor._example_vectors.get(q.id)
        if cached is None:
            cached = (extractor.embedder.embed(yes_ex or [q.text]), extractor.embedder.embed(no_ex or [q.text]))
            extractor._example_vectors[q.id] = cached
        example_vectors = cached
    out: list[Verdict] = []
    for i, unit in enumerate(units):
        if keywords is not None and not keywords.search(unit.content):
            continue
        if example_vectors is not None and vectors is not None:
            sims_yes, sims_no = example_vectors[0] @ vectors[i], example_vectors[1] @ vectors[i]
            sy, iy, sn, ino = float(sims_yes.max()), int(sims_yes.argmax()), float(sims_no.max()), int(sims_no.argmax())
            floor, margin = _EMBED_CUT
        else:
            (sy, iy), (sn, ino) = _lexical(unit.content, yes_ex), _lexical(unit.content, no_ex)
            floor, margin = _LEXICAL_CUT
        if max(sy, sn) < floor or abs(sy - sn) < margin:
            continue
        side = "yes" if sy > sn else "no"
        example = (yes_ex[iy] if side == "yes" else no_ex[ino]) if (iy if side == "yes" else ino) >= 0 else ""
        if unit.reply == "no":
            side = "no" if side == "yes" else "unknown"
        if negated(unit.text) != negated(example) and unit.reply is None:
            out.append(Verdict("unknown", unit, 0.2, flags=["conflicting_evidence"]))
            continue
        if hedged(unit.text):
            out.append(Verdict("unknown", unit, 0.3, flags=["hedged"]))
            continue
        confidence = round(min(0.9, 0.4 + (max(sy, sn) - floor) + abs(sy - sn)), 3)
        out.append(Verdict(side, unit, confidence))
    return out
