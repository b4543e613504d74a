"""The scorecard template's call fields — budget, decision maker, need, timeline, competitors, current solution, next
step, disqualifier — decided by the same answer engine as the lead's questions, over the prospect's utterances.

Each field is a typed reading (a `QuestionSpec`) handed to the engine's decision functions, so "we set aside 1,500 euros
a month" is read the same way on a form, in the notes and on a call. Values are normalised: money annualised with its
currency ("18000 EUR"), dates resolved against the call date (ISO), competitors as library ids, use cases as ids.
Every statement is about its speaker: one participant saying a topic is not theirs says nothing about the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from agent.facts import lexicon as lx
from agent.facts.amounts import annualise, meeting_day, money
from agent.facts.clauses import Clause, Facts, has_negation, negated_near
from agent.judges.engine import (
    Context,
    Finding,
    decide_authority,
    decide_budget,
    decide_disqualifier,
    decide_location,
    decide_pain,
    decide_timeline,
    resolve,
)
from agent.schemas import QuestionAnswer
from library.geo import region_codes
from library.schemas import Library, QuestionSpec, SpecKind, SpecScope

CALL_PREFIX = "call."
CALL_FIELDS = (
    "call.budget",
    "call.decision_maker",
    "call.need",
    "call.timeline",
    "call.competitors",
    "call.current_solution",
    "call.next_step",
    "call.disqualifier",
)
# How each call field is read, in the words the scorecard shows.
CALL_FIELD_READINGS = {
    "call.budget": "a budget for what the seller sells, stated by the prospect (amount per year)",
    "call.decision_maker": "whether the contact signs or decides the purchase; who does otherwise",
    "call.need": "a problem the product solves, voiced by the prospect (the matching use cases)",
    "call.timeline": "a date to decide or be live, resolved against the call date",
    "call.competitors": "the seller's competitors named in the deal",
    "call.current_solution": "the tools or process used today",
    "call.next_step": "a next step the prospect agrees to, and its day",
    "call.disqualifier": "a direct statement that the seller cannot sell to them (student, job seeker, region …)",
}
NEED_MATCH = 0.5  # cosine at which a prospect's clause voices one of the library's use-case pains

# A meeting being set up: what makes a date a next step rather than a go-live date.
_MEETING = re.compile(
    r"\b(call|calls|meeting|meet|demo|follow[- ]?up|catch[- ]?up|reconnect|talk (?:again|then|next)|speak (?:again|then)|"
    r"pencil|book|calendar|invite|session|kick-?off|workshop|walkthrough|check-?in|let'?s (?:do|say|go with)|works for me|"
    r"reuni[óo]n|reuni[ãa]o|llamada|chamada|liga[çc][ãa]o|agendar|agendamos|marcar|marcamos|Termin|Gespr[äa]ch|"
    r"telefonieren|sprechen|rendez-vous|r[ée]union|appel|se reparle|on se parle|se voir|riunione|chiamata|sentirci|"
    r"afspraak|gesprek|spotkanie|rozmow\w+|sch[ůu]zk\w+|hovor|zavol\w+|puede ser|pode ser|passt|ça vous irait|va bene)\b",
    re.I,
)
_AGREE = re.compile(
    r"^\W*(yes|yeah|yep|sure|perfect|great|works|that works|sounds good|ok|okay|fine|deal|s[íi]|claro|"
    r"perfeito|perfecto|vale|ja|gerne|passt|d'accord|parfait|oui|va bene|certo|perfetto|prima|goed|"
    r"tak|jasne|ano|dob[řr]e|super)\b",
    re.I,
)
_USE = re.compile(
    r"\b(use|uses|using|we'?re on|we are on|run (?:on|it in|it through)|runs on|goes through|go through|is in|are in|live in|"
    r"keep (?:it|them|track)|track|manage|work (?:in|with|off)|rely on|everything is on|it'?s (?:all )?(?:a|on|in)|"
    r"by hand|on paper|currently|today|at the moment|right now|nutzen|verwenden|arbeiten mit|l[äa]uft (?:über|in)|"
    r"utilisons|on utilise|c'est sur|avec des|usamos|utilizamos|trabajamos con|a gente usa|uso|usiamo|utilizziamo|"
    r"gebruiken|werken met|u[żz]ywamy|korzystamy|pou[žz][íi]v[áa]me|pracujeme)\b",
    re.I,
)
_GENERIC_TOOLS = re.compile(
    r"\b(spreadsheets?|excel|google sheets?|paper|whiteboard|email|e-mail|outlook|gmail|"
    r"planilhas?|hojas? de c[áa]lculo|tableur|tabelle|papier|papel|carta|fichiers? excel)\b",
    re.I,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z0-9]+(?:[ .][A-Z][a-zA-Z0-9]+)*)\b")
_NOT_NAMES = frozenset(
    """I I'm We Our The It It's That This They Monday Tuesday Wednesday Thursday Friday Saturday Sunday
January February March April May June July August September October November December Q1 Q2 Q3 Q4 OK Okay Yes No CFO
CEO COO CTO CIO VP MD HR IT AP AR ERP CRM SaaS SDR SDRs BDR AE""".split()
)
_ROLE_TITLE = re.compile(
    r"\b(CFO|CEO|COO|CTO|CIO|CRO|owner|co-?founder|founder|managing director|MD|president|board|VP [\w ]{2,20}|"
    r"head of [\w ]{2,20}|director of [\w ]{2,20}|finance director|controller|PDG|DG|DAF|propri[ée]taire|g[ée]rant|"
    r"Gesch[äa]ftsf[üu]hrer\w*|Inhaber\w*|Vorstand|due[ñn]o|director general|gerente general|diretor[a]? [\w]+|"
    r"s[óo]cio|amministratore delegato|titolare|eigenaar|directeur|prezes|w[łl]a[śs]ciciel|jednatel|majitel)\b",
    re.I,
)


def call_fields(
    ctx: Context,
    library: Library,
    contact: str | None,
    *,
    currency: str = "USD",
    embed_use_cases: Callable[[Library], np.ndarray] | None = None,
    proposals: dict[str, str] | None = None,
) -> list[QuestionAnswer]:
    """Every call field decided from a call's prospect clauses (`ctx`); unknown when the call does not say.
    `proposals`: each prospect utterance's preceding seller utterance, whole (what a bare 'works for me' agrees to)."""
    meeting = [c for c in ctx.facts.clauses if _MEETING.search(c.text) or _MEETING.search(c.context)]
    not_meeting = _only(ctx, [c for c in ctx.facts.clauses if c not in meeting])
    out = [
        _budget(ctx, currency),
        _decision_maker(ctx, contact),
        _need(ctx, library, embed_use_cases),
        _timeline(not_meeting),
        _competitors(ctx, library),
        _current_solution(ctx, library),
        _next_step(ctx, meeting, proposals or {}),
        _disqualifier(ctx, library),
    ]
    return out


def _only(ctx: Context, clauses: list[Clause]) -> Context:
    """The same context over fewer clauses (its embedding caches start afresh)."""
    return replace(
        ctx,
        facts=Facts(clauses=clauses, injected=ctx.facts.injected, hidden=ctx.facts.hidden),
        _clause_vectors=None,
        _clause_meaning=None,
        _related={},
    )


def _answer(field: str, words: str, findings: list[Finding], spec: QuestionSpec | None = None) -> QuestionAnswer:
    return resolve(field, spec or QuestionSpec(kind="text", words=words), findings)


# --- budget ------------------------------------------------------------------------------------------------------------


def _budget(ctx: Context, currency: str) -> QuestionAnswer:
    topic = ctx.seller.category or ctx.seller.product
    spec = QuestionSpec(kind="budget", topic=topic, words=f"a budget for {topic}")
    findings = decide_budget(spec, ctx)
    for f in findings:
        if f.answer == "yes":
            amounts = money(f.quote, assume_money=True)
            if amounts:
                m = amounts[0]
                f.value = f"{round(annualise(m, 365.25)[0])} {m.currency or currency}"
            else:
                f.value = None
        elif f.answer == "no":
            f.value = None
    return _answer("call.budget", spec.words, findings, spec)


# --- decision maker ------------------------------------------------------------------------------------------------------

_REGION_SCOPES: tuple[SpecScope, ...] = ("company", "payroll")


def _decision_maker(ctx: Context, contact: str | None) -> QuestionAnswer:
    """Whether the contact decides; when someone else does, who ('CFO', 'Marc Delorme (PDG)')."""
    spec = QuestionSpec(kind="authority", scope="contact", words="the contact signs or decides the purchase")
    findings = decide_authority(spec, ctx)
    own: list[Finding] = []
    others: list[Finding] = []
    first_name = (contact or "").split(" ")[0].casefold()
    for f in findings:
        speaker = (f.unit.speaker or "") if f.unit else ""
        is_contact = not contact or speaker.casefold() == contact.casefold()
        if f.answer == "yes":
            f.value = "yes" if is_contact else speaker
            if not is_contact:
                f.answer = "no"  # another participant signs: the contact does not
                f.reason = f"{speaker} signs or decides, not {contact}"
            (own if is_contact else others).append(f)
        elif f.answer == "no":
            if not is_contact and first_name and first_name in f.quote.casefold():
                f.answer, f.value, f.reason = "yes", "yes", f"{speaker} says {contact} decides"
                others.append(f)
                continue
            title = _ROLE_TITLE.search(f.quote)
            f.value = _who(f.quote, title) if title else None
            (own if is_contact else others).append(f)
    # The contact's own words about their authority come first; a colleague's statement only when the contact said none.
    return _answer("call.decision_maker", spec.words, own or others, spec)


def _who(quote: str, title: re.Match[str]) -> str:
    """'Marc Delorme, notre PDG' → 'Marc Delorme (PDG)'; a bare title when no name stands next to it."""
    around = quote[max(0, title.start() - 40) : title.end() + 40]
    names = [
        n
        for n in _NAME.findall(around)
        if n not in _NOT_NAMES and n.casefold() != title.group(0).casefold() and len(n.split()) >= 2
    ]
    return f"{names[0]} ({title.group(0)})" if names else title.group(0)


# --- need ------------------------------------------------------------------------------------------------------------------


def _need(ctx: Context, library: Library, embed_use_cases: Callable[[Library], np.ndarray] | None) -> QuestionAnswer:
    """A pain the product solves, voiced by the prospect; the value names the library's use cases it matches."""
    topic = ctx.seller.category or ctx.seller.product
    spec = QuestionSpec(kind="pain", topic=topic, words=f"a problem that {ctx.seller.product} solves")
    findings = [f for f in decide_pain(spec, ctx) if f.answer != "yes"]
    if library.use_cases and ctx.facts.clauses and embed_use_cases is not None:
        vectors = embed_use_cases(library)  # one row per (use case, text)
        owners = [u.id for u in library.use_cases for _ in (u.name, u.description, *u.pains)]
        sims = ctx.clause_vectors() @ vectors.T
        matched: dict[str, float] = {}
        best: tuple[float, Clause] | None = None
        for i, c in enumerate(ctx.facts.clauses):
            if c.hedge or c.unit.source != "transcript":
                continue
            j = int(np.argmax(sims[i]))
            sim = float(sims[i, j])
            if sim < NEED_MATCH or (has_negation(c.text) and sim < NEED_MATCH + 0.1):
                continue
            matched[owners[j]] = max(matched.get(owners[j], 0.0), sim)
            if best is None or sim > best[0]:
                best = (sim, c)
        if best is not None:
            c = best[1]
            value = ",".join(sorted(matched, key=lambda k: -matched[k]))
            findings.append(
                Finding("yes", c.unit, c.text, 0.75, f"voices a pain {ctx.seller.product} solves", c.order, value)
            )
    return _answer("call.need", spec.words, findings, spec)


# --- timeline and next step --------------------------------------------------------------------------------------------


def _timeline(ctx: Context) -> QuestionAnswer:
    """When they want to be live or decide, resolved to a date (any horizon: the date is the value)."""
    spec = QuestionSpec(kind="timeline", window_days=3650, words="a date to decide or be live")
    findings = decide_timeline(spec, ctx)
    for f in findings:
        if f.answer == "no" and f.value:  # a date beyond the (wide) window is still a timeline
            f.answer = "yes"

    return _answer("call.timeline", spec.words, findings, spec)


_ACTION_PROPOSED = re.compile(
    r"\b(send|share|set up|book|schedule|invite|intro\w*|follow[- ]?up|demo|trial|pilot|proposal|"
    r"quote|call|meeting|walk ?through|loop in|bring in|enviar|mandar|envoyer|schicken|senden|"
    r"inviare|sturen|wys[łl]a[ćc]|poslat)\b",
    re.I,
)
_COMMIT = re.compile(
    r"\b(i'?ll|we'?ll|let'?s|send me|happy to|i will|we will|book|schedule|vamos|on se|wir (?:machen|"
    r"buchen)|faremo|laten we)\b",
    re.I,
)


def _next_step(ctx: Context, meeting: list[Clause], proposals: dict[str, str]) -> QuestionAnswer:
    """The next step the prospect proposes or agrees to, and its day when one is named; a bare 'works for me' takes
    the seller's proposal (and its date)."""
    ref = ctx.ref.date()
    findings = []
    for c in ctx.facts.clauses:
        if c.hedge or c.unit.source != "transcript":
            continue
        own = c in meeting and bool(_MEETING.search(c.text))
        proposal = proposals.get(c.unit.ref, "") if c.context else ""
        agreed = bool(proposal) and bool(_AGREE.match(c.text)) and bool(_ACTION_PROPOSED.search(proposal))
        if not own and not agreed:
            continue
        day = meeting_day(c.text, ref) if own else None
        if day is None and agreed:
            day = meeting_day(proposal, ref)
        if day is None and not agreed and not _COMMIT.search(c.text):
            continue
        value = day.isoformat() if day else None
        findings.append(
            Finding(
                "yes",
                c.unit,
                c.text,
                0.8 if day else 0.7,
                f"agrees to a next step{f' on {value}' if value else ''}",
                c.order,
                value,
            )
        )
    # The last agreed step with a day is the next one; an undated one counts only when no day was ever agreed.
    dated = [f for f in findings if f.value]
    return _answer("call.next_step", "a next step the prospect agrees to", dated or findings)


# --- competitors and current solution ------------------------------------------------------------------------------------


def _mentions(text: str, names: list[str]) -> int:
    hits = [m.start() for n in names if n for m in re.finditer(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I)]
    return min(hits) if hits else -1


def _competitors(ctx: Context, library: Library) -> QuestionAnswer:
    found: dict[str, Clause] = {}
    findings = []
    for c in sorted(ctx.facts.clauses, key=lambda c: c.order):
        for comp in library.competitors:
            if comp.id not in found and _mentions(c.text, [comp.name, *comp.aliases]) >= 0:
                found[comp.id] = c
        if lx.NOT_EVALUATING.search(c.text) and not c.hedge:
            findings.append(Finding("no", c.unit, c.text, 0.7, "says no other vendor is in the picture", c.order))
    if found:
        first = next(iter(found.values()))
        findings.append(
            Finding(
                "yes",
                first.unit,
                first.text,
                0.85,
                "names " + ", ".join(c.name for c in library.competitors if c.id in found),
                first.order,
                ",".join(found),
            )
        )
    return _answer("call.competitors", "a competitor in the deal", findings)


def _current_solution(ctx: Context, library: Library) -> QuestionAnswer:
    """What they use today: tools, products, spreadsheets or paper named in a present-tense statement."""
    speakers = {c.unit.speaker for c in ctx.facts.clauses if c.unit.speaker}
    seller_names = {n.casefold() for n in (ctx.seller.name, ctx.seller.product, *ctx.seller.products)}
    names: dict[str, None] = {}
    evidence: Clause | None = None
    findings = []
    for c in sorted(ctx.facts.clauses, key=lambda c: c.order):
        if lx.NOTHING_IN_USE.search(c.text) and not c.hedge:
            findings.append(Finding("no", c.unit, c.text, 0.7, "uses nothing for it today", c.order))
            continue
        if not _USE.search(c.text) or c.past or c.evaluating or c.hedge:
            continue
        here = [m.group(0) for m in _GENERIC_TOOLS.finditer(c.text)]
        here += [comp.name for comp in library.competitors if _mentions(c.text, [comp.name, *comp.aliases]) >= 0]
        here += [
            n
            for n in _NAME.findall(c.text)
            if n not in _NOT_NAMES
            and n.casefold() not in seller_names
            and not any(n in (s or "") for s in speakers)
            and not _ROLE_TITLE.fullmatch(n)
        ]
        use = _USE.search(c.text)
        assert use is not None  # clauses without a use verb were skipped above
        if negated_near(c.text, use.start(), before=3):
            continue
        if here:
            evidence = evidence or c
            for n in here:
                if n.casefold() not in {k.casefold() for k in names}:
                    names[n] = None
    if evidence is not None:
        findings.append(
            Finding(
                "yes", evidence.unit, evidence.text, 0.8, "says what it uses today", evidence.order, ",".join(names)
            )
        )
    return _answer("call.current_solution", "the tool or process used today", findings)


# --- disqualifier ----------------------------------------------------------------------------------------------------------

_DISQUALIFIER_KINDS: tuple[SpecKind, ...] = ("student", "job_seeker", "partner", "vendor_pitch", "competitor_employee")


def _disqualifier(ctx: Context, library: Library) -> QuestionAnswer:
    """A direct statement that the prospect is outside what the seller sells to; the value names which."""
    findings = []
    for kind in _DISQUALIFIER_KINDS:
        for f in decide_disqualifier(QuestionSpec(kind=kind, words=kind.replace("_", " ")), ctx):
            if f.answer == "yes":
                f.value = kind
                findings.append(f)
    codes = sorted(region_codes(ctx.seller.regions)) if ctx.seller.regions else []
    if codes:
        for scope in _REGION_SCOPES:
            spec = QuestionSpec(
                kind="location", scope=scope, operator="in", values=codes, words="in the seller's supported regions"
            )
            for f in decide_location(spec, ctx):
                if f.answer == "no" and f.unit is not None and f.unit.source == "transcript":
                    findings.append(
                        Finding(
                            "yes",
                            f.unit,
                            f.quote,
                            f.confidence,
                            f"{f.value} is outside the seller's regions",
                            f.order,
                            "unsupported_region",
                        )
                    )
    return _answer("call.disqualifier", "a reason the seller cannot sell to them", findings)
