"""Sentence units of a call, each knowing its speaker's role, whether it was retracted, and the question it answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from agent.evidence import SourceText
from agent.schemas import Evidence
from agent.text import sentences
from agent.transcripts.models import Transcript, Utterance

# "just kidding", "scratch that"… retract; "no kidding" and "kidding aside" do not.
_RETRACT = re.compile(r"(?<!no )(?<!not )\b(?:just kidding|kidding(?! aside)|only joking|i'?m joking|joking|jk|"
                      r"scratch that|strike that|i take (?:that|it) back|ignore (?:that|what i said)|forget i said that|"
                      r"don'?t write that down|don'?t put that down)\b|\bhaha+\b|\blol\b|[(\[]laugh(?:s|ter|ing)?[)\]]",
                      re.IGNORECASE)
_LEADING = re.compile(r"^\W*(?:(?:ha|haha|no|oh|ok|okay|well|actually|sorry)\W+)*", re.IGNORECASE)
_YES = re.compile(r"^\W*(yes|yeah|yep|yup|correct|exactly|that'?s right|that'?s correct|right|sure|absolutely|definitely|"
                  r"we do|i do|it is|that'?s it|sounds good|works for me|perfect|great)\b", re.IGNORECASE)
_NO = re.compile(r"^\W*(no|nope|not yet|not really|we don'?t|i don'?t|not at the moment|nah)\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(no|not|never|none|nothing|nobody|without|zero|n't|don'?t|doesn'?t|haven'?t|hasn'?t|isn'?t|aren'?t|"
                      r"won'?t|can'?t|cannot|wouldn'?t)\b|n't\b", re.IGNORECASE)
HEDGE = re.compile(r"\b(maybe|might|perhaps|possibly|probably|not sure|unsure|no idea|i'?d have to (?:check|ask)|need to check|"
                   r"have to check|i guess|hopefully|depends|tbd|to be determined|don'?t know|hard to say|could be|"
                   r"ballpark|if we're lucky|we'll see)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """A sentence of one utterance; `prompt` is the rep's question when this is a short yes/no reply to it."""

    utterance: Utterance
    text: str
    retracted: bool = False
    prompt: str | None = None
    reply: str | None = None  # "yes" or "no" when this is a short reply to `prompt`
    asked: str | None = None  # the rep's question this sentence answers: tells what a bare "about 800 a month" counts

    @property
    def is_prospect(self) -> bool:
        return self.utterance.role == "prospect"

    @property
    def content(self) -> str:
        """What the unit asserts: the rep's question for a bare 'yes', else the sentence itself."""
        return f"{self.prompt} {self.text}" if self.prompt else self.text

    def evidence(self) -> Evidence:
        u = self.utterance
        return Evidence(source="transcript", ref=u.id, quote=self.text, timestamp=u.start, speaker=u.speaker)


def source_texts(transcript: Transcript) -> list[SourceText]:
    """One quotable source per utterance, for the evidence checker."""
    return [SourceText("transcript", u.id, u.text, u.start, u.speaker) for u in transcript.utterances]


def build_units(transcript: Transcript) -> list[Unit]:
    """Split every utterance into sentences; mark retractions; attach rep questions to short replies."""
    units: list[Unit] = []
    last_by_speaker: dict[str, int] = {}
    previous: Utterance | None = None
    for utt in transcript.utterances:
        for position, text in enumerate(sentences(utt.text)):
            retracted = False
            cue = _RETRACT.search(text)
            if cue:
                starts_with_cue = cue.start() <= len(_LEADING.match(text).group(0))
                if starts_with_cue and utt.speaker in last_by_speaker:
                    # "…a million dollars. Just kidding, it's forty grand." retracts the sentence before it.
                    i = last_by_speaker[utt.speaker]
                    units[i] = replace(units[i], retracted=True)
                retracted = not starts_with_cue
            prompt, reply, asked = None, None, None
            if position == 0 and previous is not None and previous.role == "seller" and utt.role != "seller":
                question = [s for s in sentences(previous.text) if s.rstrip().endswith("?")]
                asked = question[-1] if question else None
                short = len(text.split()) <= 8
                if question and short and (_YES.match(text) or _NO.match(text)):
                    prompt, reply = question[-1], "yes" if _YES.match(text) else "no"
            last_by_speaker[utt.speaker] = len(units)
            units.append(Unit(utt, text, retracted, prompt, reply, asked))
        previous = utt
    return units


def negated(text: str) -> bool:
    return bool(NEGATION.search(text))


def hedged(text: str) -> bool:
    return bool(HEDGE.search(text))
