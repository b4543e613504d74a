"""A scorecard's answers in the words an SDR reads, for every screen that shows them (the review page and the
`qualify lead` table): where a quote was said, a flag or number as the fact it stands for, the embedded judge's
reasoning without its machinery, and no confidence for an unknown answer. No web framework here: the CLI imports it.

The JSON of the API and of `qualify lead --json` keeps the engine's own wording: it is data, read by programs.
"""

from __future__ import annotations

import re

from agent.schemas import Evidence
from agent.wording import field_words, number


def evidence_label(e: Evidence) -> str:
    """Where a quote was said, in words: "notes", "form · Budget?", "call · Dana Ortiz at 12:04"."""
    if e.source == "transcript":
        at = f" at {int(e.timestamp) // 60}:{int(e.timestamp) % 60:02d}" if e.timestamp is not None else ""
        return f"call · {e.speaker or 'prospect'}{at}"
    if e.source == "form":
        return f"form · {e.ref}"
    if e.source == "enrichment":
        return f"enrichment · {field_words(e.ref)}"
    return {"notes": "notes", "event": "activity"}.get(e.source, e.source)


def quote_words(source: str, ref: str, quote: str) -> str:
    """A quote as a person reads it: an enrichment flag as the fact it stands for ("no, a free-mail address"), a big
    enrichment number with separators ("4,200"); the lead's own words unchanged."""
    if source == "enrichment" and quote in ("True", "False"):
        return f"{'yes' if quote == 'True' else 'no'}, {field_words(ref)}"
    if source == "enrichment" and re.fullmatch(r"\d{4,}(\.\d+)?", quote):
        return number(float(quote))
    return quote


def confidence_words(confidence: float | None, answer: str = "") -> str:
    """Confidence as a percentage; an unknown answer has none ("—", never "0%")."""
    return "—" if confidence is None or answer == "unknown" else f"{confidence * 100:.0f}%"


_SAY = re.compile(
    r'(?P<src>form|notes|enrichment|event|transcript) "(?P<text>.*?)": (?P<reason>.+?)(?=; but |\.?$)', re.S
)
_SOURCE_WORDS = {
    "form": "the form answer",
    "notes": "the notes",
    "enrichment": "the enrichment data",
    "event": "the activity",
    "transcript": "the call",
}
_REASONS = (
    (
        re.compile(r'not close to any example \(nearest: "(.*)"\)', re.S),
        r"nothing close to what the question looks for (nearest example: “\1”)",
    ),
    (
        re.compile(r"a data fact that does not mention what the question asks about"),
        "a fact that does not speak to this question",
    ),
    (re.compile(r'closest to the (yes|no) example "(.*?)"(.*)', re.S), r"it reads like the “\1” example “\2”\3"),
)


def plain_reasoning(text: str) -> str:
    """The embedded judge's reasoning without its machinery: the quote is shown below, so it is not repeated.

    'notes "Processing 4,000 …": closest to the no example "We pay 300 vendors"' →
    'In the notes: it reads like the “no” example “We pay 300 vendors”.' (and 'Not settled: in the notes: …')
    """

    def say(m: re.Match[str]) -> str:
        reason = m["reason"]
        for pattern, words in _REASONS:
            reason = pattern.sub(words, reason)
        return f"in {_SOURCE_WORDS[m['src']]}: {reason}"

    out = _SAY.sub(say, text)
    return out[:1].upper() + out[1:]
