"""Word cues that embeddings miss: negation ("no budget"), hedging ("might", "need to check") and bare yes/no replies."""

from __future__ import annotations

import re
from typing import Literal

from agent.text import normalise

# Phrases that contain a negation word but do not negate anything; removed before looking for negation.
_NOT_NEGATION = re.compile(
    r"\b(?:no later than|no more than|no less than|not only|no doubt|no problem|not a problem|no-brainer|no brainer|"
    r"can't wait|cannot wait|couldn't be happier|not bad|no matter|nothing else|never been (?:more|better))\b",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:no|not|none|never|nothing|nobody|neither|nor|without|lack(?:s|ing)?|zero|cannot|n't|nope|nah)\b|n't\b|"
    r"\b(?:frozen|freeze|on hold|paused|ruled out|declined|rejected|out of scope)\b",
    re.I,
)

# Strong hedges leave the matter open: the judge answers unknown. (A question back, "Are you hiring?", is not one.)
_HEDGE = re.compile(
    r"\b(?:might|maybe|perhaps|possibly|potentially|not sure|unsure|uncertain|unclear|tbd|tbc|to be (?:determined|confirmed)|"
    r"need(?:s)? to (?:check|confirm|see|verify|ask|find out)|have to (?:check|confirm|ask)|(?:will|we'll|i'll|let me) "
    r"(?:check|see|find out|get back)|don't know|do not know|no idea|not decided|undecided|depends|depending on|"
    r"could be|may or may not|hard to say|we'll see|not clear|still figuring|figuring out|open question|if approved|"
    r"pending approval|waiting (?:on|for) (?:approval|sign-?off|finance|budget))\b",
    re.I,
)
# Weak hedges keep the answer but lower its confidence.
_SOFT = re.compile(
    r"\b(?:probably|likely|hopefully|hoping|aiming|ideally|roughly|tentatively|expect(?:ing)?|plan(?:ning)? to)\b", re.I
)

_YES = {
    "yes",
    "y",
    "yep",
    "yeah",
    "yup",
    "sure",
    "correct",
    "true",
    "absolutely",
    "definitely",
    "confirmed",
    "approved",
    "affirmative",
    "of course",
    "we do",
    "i am",
    "we are",
    "already",
}
_NO = {
    "no",
    "n",
    "nope",
    "nah",
    "none",
    "false",
    "not yet",
    "not really",
    "we don't",
    "we do not",
    "i'm not",
    "never",
    "n/a",
    "not at the moment",
    "not at this time",
    "not applicable",
    "no budget",
}


def negated(text: str) -> bool:
    """Whether the text negates something ('no budget', "don't have", 'not until', 'never')."""
    cleaned = _NOT_NEGATION.sub(" ", text.replace("\u2019", "'"))
    return bool(_NEGATION.search(cleaned))


def hedge_cue(text: str) -> str | None:
    """The strong hedging phrase in the text, if any ('might', 'need to check', 'TBD')."""
    m = _HEDGE.search(text.replace("\u2019", "'"))
    return m.group(0) if m else None


def soft_hedged(text: str) -> bool:
    """Whether the text is tentative without leaving the matter open ('probably', 'aiming for')."""
    return bool(_SOFT.search(text))


def bare_reply(text: str) -> Literal["yes", "no"] | None:
    """'yes' or 'no' when the whole text is a bare reply such as 'Yep.' or 'Not yet'; otherwise None."""
    core = normalise(text).strip(" .!,;:-")
    if core in _YES:
        return "yes"
    if core in _NO:
        return "no"
    head = re.split(r"[,.;:!\-\u2013]\s*", core, maxsplit=1)[0].strip()
    if head in ("yes", "yep", "yeah", "yup", "correct", "absolutely", "definitely"):
        return "yes"
    if head in ("no", "nope", "nah", "not yet", "not really"):
        return "no"
    return None
