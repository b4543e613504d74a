"""The scorecard template's call fields (budget, decision maker, need, timeline, competitors, current solution,
next step, disqualifier), answered as `QuestionAnswer`s whose ids start with `call.` and whose `value` is normalised."""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz import fuzz

from agent.schemas import QuestionAnswer
from agent.transcripts.models import Transcript
from agent.transcripts.normalise import TIMELINE_WORDS, parse_money, parse_when
from agent.transcripts.units import _YES, Unit, hedged
from library.schemas import Library

CALL_PREFIX = "call."
CALL_FIELDS = ("call.budget", "call.decision_maker", "call.need", "call.timeline", "call.competitors",
               "call.current_solution", "call.next_step", "call.disqualifier")

_TITLE = r"(CFO|CEO|COO|CIO|VP (?:of )?Finance|finance director|director of finance|head of finance|controller|owner|" \
         r"founder|co-founder|board|boss|managing director|president|parent company|procurement)"
_SELF_DM = re.compile(r"\bI(?:'m| am)? (?:the one who |who )?(?:sign(?:s)?(?: off)?|decide|make the (?:final )?call|"
                      r"own the budget|have (?:the )?final say|approve (?:it|this|purchases))\b|\b(?:it'?s|that'?s|this is) "
                      r"(?:my|our) (?:call|decision)\b|\bI(?:'m| am) the " + _TITLE + r"\b", re.IGNORECASE)
_OTHER_DM = re.compile(r"\b(?:our|the|my) " + _TITLE + r"'s (?:call|decision|department|budget)\b|"
                       r"\b(?:our|the|my) " + _TITLE + r"\b[^.?!]{0,60}\b(?:signs?|decides?|approves?|final say|makes? the "
                       r"(?:final )?(?:call|decision)|has to (?:approve|sign)|needs? to (?:approve|sign))|\b(?:run (?:it|this) "
                       r"(?:by|past)|sign-?off from|approval from|(?:it'?s|that'?s) (?:up to|really)) (?:our|the|my) " + _TITLE,
                       re.IGNORECASE)
_NOT_ME = re.compile(r"\bnot (?:really )?(?:my|up to me|my call|my decision)\b|\bI don'?t (?:sign|decide|make)", re.I)
_NO_PAIN = re.compile(r"\b(works fine|happy with (?:it|our|the)|no real (?:issues|problems|pain)|not a problem)\b", re.I)
_TOOLS = {"netsuite": "NetSuite", "sap": "SAP", "quickbooks": "QuickBooks", "qbo": "QuickBooks", "xero": "Xero",
          "sage": "Sage", "dynamics": "Dynamics", "business central": "Dynamics", "oracle": "Oracle", "odoo": "Odoo",
          "totvs": "Totvs", "tally": "Tally", "zoho": "Zoho", "freshbooks": "FreshBooks", "acumatica": "Acumatica",
          "workday": "Workday", "infor": "Infor", "epicor": "Epicor", "myob": "MYOB", "excel": "spreadsheets",
          "spreadsheets?": "spreadsheets", "bill\\.com": "Bill.com", "paper": "paper", "email": "email"}
# A sentence about the present ("we", "our", "today"), not about where they are going or what they are comparing.
_PRESENT = re.compile(r"\b(we|we're|our|today|currently|still|i|i'm)\b", re.IGNORECASE)
_NOT_CURRENT = re.compile(r"\b(moving to|migrating to|switch(?:ing)? to|looking at|evaluat\w*|talking to|call with|"
                          r"demo (?:with|from)|compar\w*|instead of|rather than|considering)\b", re.IGNORECASE)
_NEXT = re.compile(r"\b(demo|follow[- ]?up|proposal|pricing|quote|trial|pilot|meeting|call|invite|intro|loop (?:in|them)|"
                   r"next step|book|schedule|calendar|send|docs|documents|report)\b", re.IGNORECASE)
_DISQUALIFIERS: list[tuple[str, re.Pattern[str]]] = [
    ("student", re.compile(r"\bI(?:'m| am) (?:an? |a (?:\w+ )?)?(?:\w+ )?(student|intern|mba candidate)\b|\b(my|our) "
                           r"(thesis|dissertation|coursework|class project|assignment)\b|\bfor (?:a|my) (class|course|paper)\b",
                           re.I)),
    ("job_seeker", re.compile(r"\b(are you (?:guys )?hiring|looking for a (?:job|role|position)|my (?:resume|cv)|open to work|"
                              r"apply for the)\b", re.I)),
    ("wrong_person", re.compile(r"\b(not the right person|wrong person|I don'?t (?:work in|handle|deal with|do) (?:finance|"
                                r"accounting|ap|payables|invoices)|not my (?:area|department)|I(?:'m| am| work) in (?:marketing|"
                                r"sales|engineering|hr|it|operations) ?(?:,|\.|and|so|not)|don'?t know (?:anything )?about "
                                r"(?:our )?(?:ap|invoices|payables))", re.I)),
]
_COUNTRIES = {"united states": "US", "usa": "US", "america": "US", "canada": "CA", "united kingdom": "GB", "uk": "GB",
              "england": "GB", "scotland": "GB", "ireland": "IE", "germany": "DE", "france": "FR", "spain": "ES",
              "italy": "IT", "netherlands": "NL", "brazil": "BR", "mexico": "MX", "india": "IN", "australia": "AU",
              "singapore": "SG", "japan": "JP", "china": "CN", "south africa": "ZA", "nigeria": "NG", "argentina": "AR",
              "poland": "PL", "sweden": "SE", "switzerland": "CH", "belgium": "BE", "philippines": "PH", "indonesia": "ID"}
_BASED = re.compile(r"\b(?:we(?:'re| are)|company is|entities are|everything is|all our entities are|headquartered|"
                    r"based|located|operate only)\b[^.?!]{0,30}\bin (?:the )?(" + "|".join(_COUNTRIES) + r")\b", re.I)


def _answer(field: str, answer: str, unit: Unit, value: str | None, confidence: float, why: str) -> QuestionAnswer:
    return QuestionAnswer(question_id=field, answer=answer, value=value, confidence=confidence,  # type: ignore[arg-type]
                          evidence=[unit.evidence()], reasoning=f'{unit.utterance.speaker}: "{unit.text}" - {why}')


def _unknown(field: str, why: str) -> QuestionAnswer:
    return QuestionAnswer(question_id=field, answer="unknown", confidence=0.0, reasoning=why)


def _last(units: list[Unit], test: Callable[[Unit], QuestionAnswer | None], field: str, why: str) -> QuestionAnswer:
    found = [a for a in (test(u) for u in units) if a is not None]
    return found[-1] if found else _unknown(field, why)


def call_fields(units: list[Unit], evidence_units: list[Unit], transcript: Transcript, library: Library,
                contact: str | None) -> list[QuestionAnswer]:
    """Every call field, unknown when the prospect did not say."""
    prospects = [u.utterance.speaker for u in evidence_units]
    contact = contact or (max(set(prospects), key=prospects.count) if prospects else None)
    call_date = transcript.call_date
    competitors = {c.id: re.compile(r"\b(" + "|".join(re.escape(n) for n in [c.name, *c.aliases]) + r")\b", re.I)
                   for c in library.competitors}
    supported = set(library.disqualifiers.countries.supported)

    def budget(u: Unit) -> QuestionAnswer | None:
        if re.search(r"\bno (?:real )?budget\b|\bnone this (?:fiscal )?year\b|\bbudget (?:is )?frozen\b|\bbudget freeze\b",
                     u.content, re.I):
            return _answer("call.budget", "no", u, None, 0.8, "no budget")
        money = parse_money(u.content)
        if money and re.search(r"\b(budget|spend|set aside|allocated|approved|afford|a year|per year|annually)\b", u.content, re.I):
            if hedged(u.text) or u.reply == "no":
                return None
            return _answer("call.budget", "yes", u, str(money), 0.85, "budget amount stated")
        return None

    def decision_maker(u: Unit) -> QuestionAnswer | None:
        speaker = u.utterance.speaker
        if _SELF_DM.search(u.text) and not _NOT_ME.search(u.text):
            is_contact = contact is None or speaker == contact
            return _answer("call.decision_maker", "yes" if is_contact else "no", u, speaker, 0.8, f"{speaker} decides")
        if (m := _OTHER_DM.search(u.content)) or _NOT_ME.search(u.text):
            who = next((g for g in (m.groups() if m else ()) if g), None)
            return _answer("call.decision_maker", "no", u, who.upper() if who and len(who) <= 3 else who, 0.75,
                           "someone else decides")
        return None

    def timeline(u: Unit) -> QuestionAnswer | None:
        if re.search(r"\bno (?:real )?(?:timeline|rush|deadline)\b|\bjust (?:researching|exploring)\b", u.content, re.I):
            return _answer("call.timeline", "no", u, None, 0.7, "no timeline")
        if call_date is None or not TIMELINE_WORDS.search(u.text):
            return None
        when = parse_when(u.text, call_date)
        if when is None or hedged(u.text):
            return None
        return _answer("call.timeline", "yes", u, when.label, 0.8, f"target {when.label}")

    def names(u: Unit) -> QuestionAnswer | None:
        hit = sorted(cid for cid, p in competitors.items() if p.search(u.text))
        if hit:
            return _answer("call.competitors", "yes", u, ",".join(hit), 0.85, "competitor named")
        if re.search(r"\b(not (?:looking at|talking to|comparing) (?:any|anyone)|you'?re the only)\b", u.text, re.I):
            return _answer("call.competitors", "no", u, None, 0.7, "no other vendor")
        return None

    def current(u: Unit) -> QuestionAnswer | None:
        if not _PRESENT.search(u.text) or _NOT_CURRENT.search(u.text) or u.reply:
            return None
        tools = sorted({name for pat, name in _TOOLS.items() if re.search(rf"\b{pat}\b", u.text, re.I)}
                       | {cid for cid, p in competitors.items() if p.search(u.text)})
        return _answer("call.current_solution", "yes", u, ",".join(tools), 0.75, "current setup") if tools else None

    def disqualifier(u: Unit) -> QuestionAnswer | None:
        for kind, pattern in _DISQUALIFIERS:
            if pattern.search(u.text):
                return _answer("call.disqualifier", "yes", u, kind, 0.8, kind.replace("_", " "))
        m = _BASED.search(u.text)
        if m and supported and _COUNTRIES[m[1].lower()] not in supported:
            return _answer("call.disqualifier", "yes", u, "unsupported_region", 0.7, f"based in {m[1]}")
        return None

    found = [
        _last(evidence_units, budget, "call.budget", "The prospect named no budget."),
        _decision(evidence_units, decision_maker),
        _need(evidence_units, library),
        _last(evidence_units, timeline, "call.timeline", "No target date was stated."),
        _competitors(evidence_units, names),
        _last(evidence_units, current, "call.current_solution", "The current setup was not described."),
        _next_step(units, call_date),
        _last(evidence_units, disqualifier, "call.disqualifier", "Nothing on the call disqualifies the lead."),
    ]
    return found


def _decision(units: list[Unit], test: Callable[[Unit], QuestionAnswer | None]) -> QuestionAnswer:
    found = [a for a in (test(u) for u in units) if a is not None]
    if not found:
        return _unknown("call.decision_maker", "Who decides was not said.")
    # A named other decider outranks an earlier "I decide" from someone else in the room.
    return next((a for a in reversed(found) if a.answer == "no"), found[-1])


def _competitors(units: list[Unit], test: Callable[[Unit], QuestionAnswer | None]) -> QuestionAnswer:
    found = [a for a in (test(u) for u in units) if a is not None]
    named = [a for a in found if a.answer == "yes"]
    if not named:
        return found[-1] if found else _unknown("call.competitors", "No competitor came up.")
    ids = sorted({i for a in named for i in (a.value or "").split(",") if i})
    return named[-1].model_copy(update={"value": ",".join(ids), "evidence": [e for a in named[-3:] for e in a.evidence]})


def _need(units: list[Unit], library: Library) -> QuestionAnswer:
    hits: dict[str, Unit] = {}
    for u in units:
        if u.reply or _NO_PAIN.search(u.text):
            continue
        for case in library.use_cases:
            if any(fuzz.token_set_ratio(u.text.lower(), pain.lower()) >= 62 for pain in case.pains):
                hits.setdefault(case.id, u)
    if not hits:
        no = next((u for u in reversed(units) if _NO_PAIN.search(u.text)), None)
        if no is not None:
            return _answer("call.need", "no", no, None, 0.6, "no pain voiced")
        return _unknown("call.need", "No pain the product solves was voiced.")
    quotes = list({id(u): u for u in hits.values()}.values())[:3]
    return QuestionAnswer(question_id="call.need", answer="yes", value=",".join(sorted(hits)), confidence=0.7,
                          evidence=[u.evidence() for u in quotes],
                          reasoning="Pains voiced: " + "; ".join(f'"{u.text}"' for u in quotes))


def _next_step(units: list[Unit], call_date) -> QuestionAnswer:  # type: ignore[no-untyped-def]
    """A next step the prospect proposed or agreed to (the rep's proposal plus the prospect's 'sounds good')."""
    found: QuestionAnswer | None = None
    for i, u in enumerate(units):
        if not u.is_prospect or u.retracted:
            continue
        proposal = u.text
        if _YES.match(u.text) and len(u.text.split()) <= 10 and i > 0 and units[i - 1].utterance.role == "seller":
            proposal = units[i - 1].utterance.text + " " + u.text  # the rep's whole proposal, then the prospect's yes
        elif not re.search(r"\b(let'?s|we(?:'ll| will| can)|I(?:'ll| will| can)|can you|could you|please)\b", u.text, re.I):
            continue
        if not _NEXT.search(proposal):
            continue
        when = (parse_when(u.text, call_date) or parse_when(proposal, call_date)) if call_date else None
        found = _answer("call.next_step", "yes", u, when.label if when else None, 0.7, "next step agreed")
    return found or _unknown("call.next_step", "No next step was agreed.")
