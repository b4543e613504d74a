"""Question understanding: a question written in plain words → a typed `QuestionSpec` the judges decide from.

Read once when a library is loaded (so `qualify library sync` fails on a question the seller profile cannot support,
and `library show` can print each reading). The reader knows the *kinds* of qualifying question RevOps teams write
(ANSWERS.md): sizes and counts, places, industries, languages, tools, competitors, roles, budget, timeline, pain, intent
events and the usual disqualifiers. A question it cannot type keeps `kind: text` and says so.
"""

from __future__ import annotations

import re

from library.geo import GROUPS, Place, find_places, region_codes
from library.schemas import (
    Competitor,
    QualifyingQuestion,
    QuestionSpec,
    Seller,
    SpecKind,
    SpecOperator,
    SpecScope,
    SpecTense,
)


class ReadingError(ValueError):
    """The question needs something the seller profile does not give (the message names the field)."""

    def __init__(self, message: str, field: str):
        self.field = field
        super().__init__(message)


_WORD_NUMBERS = {
    w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
}
_WORD_NUMBERS |= {
    "a": 1,
    "an": 1,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "hundred": 100,
    "couple of": 2,
    "few": 3,
}
_NUM = (
    r"(?:\b\d[\d,.]*\s*(?:k|m|mm|million|thousand|bn|billion)?\b|\b(?:"
    + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
    + r")\b)"
)
_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.3, "year": 365.25}
_PERIOD = re.compile(
    r"\b(?:per|a|an|each|every|/)\s*(?P<u>month|year|quarter|week)\b|\b(?P<ly>monthly|annually|annual|yearly|"
    r"quarterly)\b|/\s*(?P<ab>mo|yr)\b|\b(?P<arr>ARR|MRR)\b",
    re.I,
)
_PERIOD_DAYS = {
    "month": 30.44,
    "monthly": 30.44,
    "mo": 30.44,
    "mrr": 30.44,
    "year": 365.25,
    "annually": 365.25,
    "annual": 365.25,
    "yearly": 365.25,
    "yr": 365.25,
    "arr": 365.25,
    "quarter": 91.3,
    "quarterly": 91.3,
    "week": 7.0,
}


def number(raw: str) -> float | None:
    """'1,500' → 1500, '15k' → 15000, '2.5 million' → 2.5e6, 'ten' → 10."""
    raw = raw.strip().lower()
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    m = re.fullmatch(r"([\d,.]+)\s*(k|m|mm|million|thousand|bn|billion)?", raw)
    if not m:
        return None
    digits = m.group(1).rstrip(".,")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
        digits = digits.replace(".", "")
    else:
        digits = digits.replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
    return value * scale.get(m.group(2) or "", 1.0)


_CMP: list[tuple[re.Pattern[str], SpecOperator]] = [
    (re.compile(rf"\bbetween\s+\$?(?P<a>{_NUM})\s*(?:and|-|to)\s+\$?(?P<b>{_NUM})", re.I), "between"),
    (
        re.compile(rf"\$?(?P<a>{_NUM})\s*(?:-|–|to)\s*\$?(?P<b>{_NUM})\s+(?![a-z]+ (?:days|weeks|months))", re.I),
        "between",
    ),
    (
        re.compile(
            rf"\b(?:at least|no fewer than|no less than|minimum(?: of)?|min\.?)\s+(?:us\$|[$€£]|usd |eur )?(?P<a>{_NUM})",
            re.I,
        ),
        "gte",
    ),
    (re.compile(rf"(?:[$€£])?(?P<a>{_NUM})\s*(?:\+|or more|or above|or higher|and (?:up|above|more))", re.I), "gte"),
    (
        re.compile(
            rf"\b(?:more than|over|above|greater than|exceeding|in excess of)\s+(?:[$€£]|usd |eur )?(?P<a>{_NUM})", re.I
        ),
        "gt",
    ),
    (re.compile(rf"\b(?:at most|no more than|up to|maximum(?: of)?)\s+(?:[$€£])?(?P<a>{_NUM})", re.I), "lte"),
    (re.compile(rf"(?:[$€£])?(?P<a>{_NUM})\s*(?:or (?:fewer|less|below|under))", re.I), "lte"),
    # the counted noun between the number and the comparison: "30 hotels or fewer", "50 employees or more"
    (re.compile(rf"(?:[$€£])?(?P<a>{_NUM})\s+(?:[a-z][\w-]*\s+){{1,3}}or (?:fewer|less|below|under)\b", re.I), "lte"),
    (re.compile(rf"(?:[$€£])?(?P<a>{_NUM})\s+(?:[a-z][\w-]*\s+){{1,3}}or (?:more|above|higher)\b", re.I), "gte"),
    (re.compile(rf"\b(?:fewer than|less than|under|below)\s+(?:[$€£])?(?P<a>{_NUM})", re.I), "lt"),
]
_WINDOW = re.compile(
    rf"\b(?P<w>within|in the next|over the next|in|next|inside|in the (?:last|past)|during the (?:last|past)|"
    rf"(?:last|past))\s+(?P<n>{_NUM})?\s*(?P<u>day|week|month|quarter|year)s?\b",
    re.I,
)
_MONTH_NAMES = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DEADLINE = re.compile(
    rf"\b(?:by|before|until)\s+(?P<d>(?:the )?(?:end of |start of )?(?:this |next |the )?"
    rf"(?:Q[1-4](?:\s+20\d\d)?|H[12]|quarter|year|fiscal year|month|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH_NAMES}"
    rf"(?:,? 20\d\d)?|{_MONTH_NAMES}(?: \d{{1,2}}(?!\d))?(?:,? 20\d\d)?|20\d\d-\d\d-\d\d))",
    re.I,
)

_RX = {
    k: re.compile(v, re.I)
    for k, v in {
        "student": r"\b(students?|academic|universit\w*|college|school project|thesis|research(?:er)? (?:project|purposes))\b",
        "competitor_employee": r"\b(work(?:s|ing)? (?:for|at) (?:a|one of our|our) competitor|competitor(?:'s)? employee|"
        r"employed by (?:a )?competitor|from a competitor|is (?:a|one of our) competitors?|"
        r"(?:an? )?(?:employee|member of staff|staff member) (?:of|at) (?:a|one of our|our|a competing) (?:\w+ )?competitors?)\b",
        "existing_customer": r"\b(existing|current|former|past|previous|churned|already an?) (?:\w+ )?(?:customer|client|user)s?\b|"
        r"\bcustomer already\b|\balready (?:use|uses|using|on) (?:us|our)\b",
        "partner": r"\b(partners?|resellers?|agenc(?:y|ies)|consultanc(?:y|ies)|consultants?|on behalf of|for (?:its|their) "
        r"clients|msps?|integrators?|bureaus?|referral)\b",
        "job_seeker": r"\b(job ?seekers?|job hunt\w*|looking for (?:a )?(?:job|work|role|position)|applying for|job applicants?|candidates? "
        r"for a (?:job|role)|wants? to work (?:at|for) us|career)\b",
        "vendor_pitch": r"\b(pitch(?:ing)?|selling (?:us|to us|their|its)|sell(?:s)? (?:us|to us)|vendors? (?:trying|offering)|"
        r"offering (?:us )?(?:their )?services|solicit\w*|sales pitch)\b",
        "intent": r"\b(demo|trial|pricing page|pricing(?! (?:tool|software|system|engine|solution|platform|model|strateg\w*))|webinar|free plan|sign(?:ed)?[ -]?up|visited|viewed|booked a (?:call|meeting)|"
        r"comparison page|contact(?:ed)? sales|requested)\b",
        "budget": r"\b(budget\w*|spend|afford|allocated|funding|funded|money set aside|set aside|pay (?:at least|for)|willing to pay|"
        r"price point|approved spend)\b",
        "timeline": r"\b(timeline|time ?frame|go(?:ing)? live|roll ?out|launch|implement\w*|switch\w*|buy\w*|purchas\w*|decid\w*|"
        r"start\w*|deadline|replace|sign(?:ing)? (?:a|the) contract|deploy\w*|urgent\w*)\b",
        "authority": r"\b(decision[- ]?makers?|decide|deciding|sign(?:s|ing)?(?:[- ]off)?|signatory|authority|budget (?:holder|owner)|"
        r"economic buyer|approve\w*|c-level|c-suite|executive|vp|vice president|director|head of|owner|founder|"
        r"senior|seniority|role|title|manager|ceo|cfo|coo|cto|cio)\b",
        "language": r"\b(languages?|speak\w*|multilingual|translat\w*|in (?:german|french|spanish|italian|dutch|portuguese|polish|"
        r"czech|english)|localis\w*|localiz\w*)\b",
        "location": r"\b(countr\w+|region\w*|located|based|headquarter\w*|hq|territor\w*|operat\w+ (?:in|from)|where|"
        r"supported (?:market|geograph\w*)|geograph\w*)\b",
        "revenue": r"\b(revenue|turnover|arr|sales volume|annual sales|(?:gross written )?premiums?|gwp|gmv|"
        r"gross merchandise|billings|payment volume|transaction volume|tpv|aum|assets under management)\b",
        "technology": r"\b(us(?:e|es|ing)|run(?:s|ning)? on|on|built on|tech ?stack|platform|software|system|tool\w*|erp|crm|"
        r"wms|cloud|aws|azure|gcp)\b",
        "industry": r"\b(industr\w+|sector|vertical|business|manufactur\w+|e-?commerce|d2c|dtc|retail\w*|saas|trade|contractor\w*|"
        r"company (?:in|is an?)|works? in)\b",
        "pain": r"\b(pain|struggl\w*|problem\w*|issues?|challeng\w*|manual\w*|errors?|mistakes?|downtime|breakdowns?|failures?|"
        r"spreadsheets?|frustrat\w*|complain\w*|slow|backlog|missed|chaos|inefficien\w*|delays?|late|overdue|"
        r"audit findings?|compliance|questionnaires?|losing|churn|pressure|need\w*|trouble|hard time|difficult\w*)\b",
    }.items()
}
_PAST = re.compile(
    r"\b(former(?:ly)?|past|previous(?:ly)?|used to|recently (?:left|moved|switched|churned|stopped)|"
    r"mov(?:e|ed) (?:off|away from)|leave|"
    r"switched (?:away )?from|churned|left|stopped using|dropped|replaced)\b",
    re.I,
)
_EVALUATING = re.compile(
    r"\b(evaluat\w*|consider\w*|looking at|comparing|compare|shortlist\w*|talking to|in talks with|"
    r"trialing|trialling|assessing|shopping around|alternatives?)\b",
    re.I,
)
_ANY_TENSE = re.compile(
    r"\b(existing or former|current or (?:former|past)|ever|(?:former|past) or (?:current|existing)|"
    r"(?:has|have) (?:it|they) (?:ever )?been|in the past)\b",
    re.I,
)
_IN_PLAY = re.compile(
    r"\b(in the picture|in play|in use or (?:being )?evaluat\w*|us(?:e|ing) or evaluat\w*|"
    r"either in use|or (?:being )?(?:evaluated|considered))\b",
    re.I,
)
_CONFIRMED = re.compile(
    r"\b(confirmed|approved|allocated|secured|signed[- ]off|committed|earmarked|in (?:the|their) budget|"
    r"set aside|funded)\b",
    re.I,
)
_COUNT_NOUN = re.compile(
    rf"(?P<a>{_NUM})\s*(?:\+\s*)?(?:or more\s+|or fewer\s+|full[- ]time\s+|active\s+|field\s+|paid\s+|"
    rf"licensed\s+|support\s+|sales\s+|outbound\s+)*(?P<noun>[a-z][a-z\-]+)",
    re.I,
)
_COUNT_AFTER = re.compile(r"\b(?:number of|how many|count of)\s+(?:\w+\s+)?(?P<noun>[a-z][a-z\-]+)", re.I)
_EMPLOYEES = {
    "employees",
    "employee",
    "staff",
    "people",
    "headcount",
    "fte",
    "ftes",
    "workers",
    "personnel",
    "person",
    "persons",
}
# What makes a count of people a part of the workforce: "who work shifts", "that use the app", "on the rota",
# "working in the field", "scheduled in shifts".
_QUALIFIED_PEOPLE = re.compile(
    r"\s+(?P<q>(?:who|that|which)\s+(?!are employed|work (?:there|for them|at the company))[\w\s\-]{3,40}?|"
    r"(?:working|scheduled|rostered|doing|on|in)\s+(?:(?:in|on)\s+)?(?:the\s+|a\s+)?(?:shifts?|rotas?|rosters?|the field|the road|"
    r"the floor|site|call|night shifts?|hourly shifts?)[\w\s\-]{0,20}?)(?=\?|,|$|\s+(?:at|in|across|today|now)\b)",
    re.I,
)
_SCOPES: list[tuple[SpecScope, re.Pattern[str]]] = [
    ("payroll", re.compile(r"\b(payroll|employees are|employ(?:s|ing)? (?:people|staff)|workforce)\b", re.I)),
    (
        "facility",
        re.compile(
            r"\b(facilit\w+|plants?|sites?|factor\w+|warehouses?|locations?|mills?|depots?|"
            r"on[- ]site|branch\w*)\b",
            re.I,
        ),
    ),
    (
        "users",
        re.compile(
            r"\b(users?|agents?|team|reps?|technicians?|crews?|employees|staff|workers|drivers?|"
            r"people)\b",
            re.I,
        ),
    ),
]
_EVENT_WORDS = [
    ("demo_request", r"demo"),
    ("trial_signup", r"trial|free plan|sign(?:ed)?[ -]?up"),
    ("pricing_page_view", r"pricing"),
    ("webinar_attended", r"webinar"),
    ("comparison_page_view", r"comparison|compare"),
    ("contact_sales", r"contact(?:ed)? sales|talk to sales"),
    ("meeting_booked", r"booked a (?:call|meeting)"),
]
# Longer roles first, so "director of nursing" and "HR director" keep their function ("director" alone is any director).
_ROLE_WORDS = re.compile(
    r"\b(managing director|general manager|vice president|budget holder|plant manager|"
    r"head of [a-z ]+?(?=,|\)|\?| or | and |$)|(?:director|vp) of (?:the )?[a-z]+|chief [a-z]+ officer|"
    r"(?!(?:or|and|a|an|the|of|as|any|e|g|our|their|your|senior|deputy|assistant)\b)[a-z]{2,} (?:director|manager)|"
    r"owner|founder|co-?founder|ceo|cfo|coo|cto|cio|ciso|cro|president|vp|"
    r"director|gm|c-level|c-suite|executive|partner|principal|manager)\b",
    re.I,
)
_LANG_NAMES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "portuguese": "pt",
    "polish": "pl",
    "czech": "cs",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "japanese": "ja",
    "chinese": "zh",
    "arabic": "ar",
    "turkish": "tr",
    "russian": "ru",
}
_SUPPORTED = re.compile(
    r"\b(supported|we (?:sell|serve|support|cover|operate)|our (?:markets?|regions?|countries|territor\w*)|"
    r"serviceable|in (?:a|one of the) (?:region|countr\w+|market)s? we)\b",
    re.I,
)


_WINDOW_THE = re.compile(
    rf"\b(?:in|during|over|within) the (?:last |past |next )?(?P<n>{_NUM})\s*(?P<u>day|week|month|"
    rf"quarter|year)s?\b",
    re.I,
)


# "in the week before the lead came in", "during the month leading up to it", "in the past week": one of the unit
_WINDOW_ONE = re.compile(
    r"\b(?:in|during|over|within) the (?:(?:last|past|previous|next) (?P<u1>day|week|month|quarter|year)\b|"
    r"(?P<u2>day|week|month|quarter|year) (?:before|prior|ahead|preceding|leading up))",
    re.I,
)


def _window(text: str) -> float | None:
    m = _WINDOW_THE.search(text) or _WINDOW.search(text)
    if not m:
        one = _WINDOW_ONE.search(text)
        return _UNIT_DAYS[(one.group("u1") or one.group("u2")).lower()] if one else None
    n = number(m.group("n")) if m.group("n") else 1.0
    return (n or 1.0) * _UNIT_DAYS[m.group("u").lower()]


def _comparison(text: str) -> tuple[SpecOperator, float | None, float | None]:
    for pattern, op in _CMP:
        m = pattern.search(text)
        if not m:
            continue
        a = number(m.group("a"))
        b = number(m.group("b")) if "b" in m.groupdict() and m.group("b") else None
        if a is None:
            continue
        tail = text[m.end() : m.end() + 12].lower()
        if re.match(r"\s*(?:days?|weeks?|months?|years?|quarters?)\b", tail):
            continue  # a window, not a threshold
        if op == "between" and b is not None:
            return op, min(a, b), max(a, b)
        return op, a, None
    return "any", None, None


def _period(text: str) -> float | None:
    m = _PERIOD.search(text)
    if not m:
        return None
    return _PERIOD_DAYS[(m.group("u") or m.group("ly") or m.group("ab") or m.group("arr")).lower()]


def _named(text: str, competitors: list[Competitor]) -> list[str]:
    low = text.casefold()
    out = []
    for c in competitors:
        names = [c.name, *c.aliases]
        if any(re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", low) for n in names if n):
            out.append(c.id)
    return out


def _tense(text: str) -> SpecTense:
    if _IN_PLAY.search(text):
        return "in_play"
    if _ANY_TENSE.search(text):
        return "any"
    if _PAST.search(text):
        return "past"
    if _EVALUATING.search(text):
        return "evaluating"
    return "current"


def _proper_names(text: str) -> list[str]:
    """Capitalised names inside a question ('QuickBooks', 'SAP', 'Microsoft Dynamics'), first word excluded."""
    body = re.sub(r"^\s*\w+", "", text)
    names = re.findall(r"\b[A-Z][A-Za-z0-9]*(?:[ -][A-Z][A-Za-z0-9]+)*\b", body)
    stop = {
        "I",
        "Is",
        "Are",
        "Do",
        "Does",
        "Has",
        "Have",
        "Can",
        "Will",
        "The",
        "A",
        "An",
        "Or",
        "And",
        "Which",
        "What",
        "CRM",
        "ERP",
        "WMS",
        "SaaS",
        "AI",
        "IT",
        "HR",
        "SDR",
        "BDR",
        "AE",
        "US",
        "UK",
        "EU",
        "QA",
        # kinds of software, not products ("Is their POS Toast or Square?")
        "POS",
        "CMS",
        "ATS",
        "HRIS",
        "CMMS",
        "TMS",
        "PMS",
        "EHR",
        "EMR",
        "LMS",
        "BI",
        "PIM",
        "DMS",
        "PLM",
        "MES",
        "PBX",
        "ITSM",
    }
    out = []
    for n in names:
        words = [w for w in n.split() if w not in stop]
        if words and not find_places(" ".join(words)):
            out.append(" ".join(words))
    return out


_PHRASE_END = re.compile(
    r"^(?:in|on|at|of|or|and|to|for|with|who|that|which|per|across|from|than|between|within|under|over|by|"
    r"\w+ing|is|are|do|does|have|has)$",
    re.I,
)


_PLAIN_STAFF_WORDS = {
    "full-time",
    "part-time",
    "total",
    "paid",
    "active",
    "permanent",
    "fte",
    "salaried",
    "our",
    "their",
}


_COLLECTIVE_STAFF = frozenset({"staff", "workers", "employees", "personnel", "people", "crew", "team", "operatives"})


def _examples_of(text: str, start: int) -> list[str]:
    """The kinds a count names in brackets right after it: '50 clinical staff (nurses, doctors, carers)' counts any of
    them; '2 sites (hospitals, clinics or care homes)'."""
    m = re.match(r"[^(?.;]{0,40}\(([^)]{3,120})\)", text[start:])
    if not m:
        return []
    parts = re.split(r",|\bor\b|\band\b|/|\be\.g\.|\bsuch as\b|\blike\b", m.group(1))
    kinds = [p.strip().lower() for p in parts if re.search(r"[a-z]{3}", p.strip().lower())]
    if len(kinds) > 1:
        # "shift, warehouse or driving staff without a desk": single words before a last kind with a head noun are
        # that head's modifiers ("shift staff", "warehouse staff"), not things counted on their own
        last = re.split(r"\s+(?:without|with|who|that|in|on|at|for|from)\b", kinds[-1])[0].split()
        if (
            len(last) == 2
            and last[-1] in _COLLECTIVE_STAFF
            and all(len(k.split()) == 1 and (not k.endswith("s") or k in ("sales", "logistics")) for k in kinds[:-1])
        ):
            kinds = [f"{k} {last[-1]}" for k in kinds[:-1]] + [" ".join(last)]
    return [k for k in kinds if len(k.split()) <= 2][:8]  # "anyone else making outbound calls" names no kind


def _head_noun(text: str, start: int) -> str:
    """The head of the noun phrase that starts at `start`: '10 different suppliers' counts suppliers, '3 restaurant
    locations' counts locations, '5 support agents working …' counts agents (a plural, or the phrase's last word)."""
    words: list[str] = []
    for w in re.findall(r"[A-Za-z][A-Za-z\-]*", text[start:])[:4]:
        # a word in -ing right after the number names the kind ("10 charging points", "3 loading docks"); after the
        # noun it starts a new phrase ("5 agents working nights")
        modifier = not words and len(w) > 4 and w.lower().endswith("ing")
        if _PHRASE_END.match(w) and not modifier:
            break
        words.append(w.lower())
    if not words:
        return ""
    for k, w in enumerate(words):
        if w in _EMPLOYEES:
            # "50 clinical staff": a group of the staff, counted as such; "50 full-time staff" is the staff
            if k and words[k - 1] not in _PLAIN_STAFF_WORDS:
                return f"{words[k - 1]} {w}"
            return w
    plural = [w for w in words if w.endswith("s") and not w.endswith("ss")]
    head = plural[-1] if plural else words[-1]  # "40 claims handlers" counts handlers
    if len(words) > 1 and words[0].endswith("ing") and words[1] == head:
        return f"{words[0]} {head}"  # "charging points", "loading docks"
    return head


def _subject(text: str) -> tuple[str | None, int]:
    """The counted noun of a size question ('employees', 'technicians', 'seats' …) and where it starts."""
    for m in _COUNT_NOUN.finditer(text):
        noun = _head_noun(text, m.start("noun")) or m.group("noun").lower()
        if noun in ("days", "weeks", "months", "years", "day", "week", "month", "year", "times", "percent", "k"):
            continue
        if noun in ("or", "and", "to", "more", "fewer", "less"):
            continue
        return noun, m.start("noun")
    after = _COUNT_AFTER.search(text)
    return (after.group("noun").lower(), after.start("noun")) if after else (None, 0)


def read_question(q: QualifyingQuestion, seller: Seller, competitors: list[Competitor]) -> QuestionSpec:
    """The typed reading of one question (or the library's own `reading`)."""
    if q.reading is not None:
        return q.reading.model_copy(update={"source": "library", "words": q.reading.words or describe(q.reading)})
    spec = _read(q.text, q, seller, competitors)
    return spec.model_copy(update={"words": describe(spec)})


_PERSON_KINDS: tuple[SpecKind, ...] = ("student", "job_seeker", "vendor_pitch")


def _read(text: str, q: QualifyingQuestion, seller: Seller, competitors: list[Competitor]) -> QuestionSpec:
    about = re.search(
        r"\bfor (?:an? |the |our )?(?P<t>[a-z][\w \-/]+?)(?:\?|$|,| within| by| in the| this| next)", text, re.I
    )
    topic = seller.category or (about.group("t") if about else seller.product)
    op, low, high = _comparison(text)
    hit = {k: bool(rx.search(text)) for k, rx in _RX.items()}
    named = _named(text, competitors)
    bad = q.fit_type == "bad" or q.instant_disqualifier or q.category == "disqualifier"

    works_for = re.search(r"\b(?:work(?:s|ing)?|employed|is (?:an? )?employee) (?:for|at|by)\b", text, re.I)
    if hit["competitor_employee"] or (
        works_for
        and (
            named
            or re.search(
                r"\b(competitor|vendor|compan(?:y|ies) that "
                r"sells?|software compan)",
                text,
                re.I,
            )
        )
    ):
        others = [k for k in _PERSON_KINDS if hit[k]]
        if others:
            # "a student, a job seeker, or someone who works for a competing vendor": any one of them
            return QuestionSpec(kind=others[0], values=[*others, "competitor_employee"])
        return QuestionSpec(kind="competitor_employee", values=named)
    kinds = [k for k in _PERSON_KINDS if hit[k]]
    if kinds and (bad or kinds != ["student"] or re.search(r"\bstudent|academic\b", text, re.I)):
        if re.search(r"\b(resell\w*|on behalf of)\b", text, re.I):
            # "a school, a university, or a training company that wants to resell courses to its clients": either
            kinds = [*kinds, "partner"]
        return QuestionSpec(kind=kinds[0], values=list[str](kinds))
    if hit["existing_customer"] and not named:
        return QuestionSpec(kind="existing_customer", tense=_tense(text))
    if hit["partner"] and (bad or re.search(r"\b(reseller|on behalf|clients)\b", text, re.I)):
        return QuestionSpec(kind="partner")
    if named or re.search(
        r"\b(competitors?|another vendor|other vendors?|alternatives?|rivals?|(?:alternative|competing|(?:comparing|evaluating) (?:\w+ ){0,3})vendors)\b",
        text,
        re.I,
    ):
        tense = _tense(text)
        return QuestionSpec(kind="competitor", values=named or [c.id for c in competitors], tense=tense)
    if (
        q.category == "timeline"
        and (_window(text) or _DEADLINE.search(text))
        and not re.search(r"\b(?:last|past|previous|prior|ago|before the lead)\b", text, re.I)
    ):
        hit["intent"] = False  # "start using a new tool within the next 3 months" is when they buy, not an event
    if q.category in ("need", "authority"):
        hit["intent"] = False  # "struggling with pricing today?" is a pain, not a pricing-page visit
    if hit["intent"] and not hit["budget"]:
        return QuestionSpec(kind="intent", values=_intent_events(text), window_days=_window(text) or 30.0)
    money_words = re.search(r"[$€£]|\b(?:usd|eur|gbp|us\$|euros?|dollars?|pounds?)\b", text, re.I)
    if hit["budget"] or (money_words and not hit["revenue"]):
        return QuestionSpec(
            kind="budget",
            operator=op,
            low=low,
            high=high,
            period_days=_period(text),
            topic=topic,
            confirmed=bool(_CONFIRMED.search(text)) or low is None,
        )
    window = _window(text)
    deadline = _DEADLINE.search(text)
    if (window or deadline) and (hit["timeline"] or q.category == "timeline"):
        return QuestionSpec(
            kind="timeline",
            window_days=window,
            deadline=deadline.group("d").strip() if deadline and not window else None,
        )
    if hit["revenue"] and low is not None:
        return QuestionSpec(
            kind="revenue", operator=op, low=low, high=high, subject="revenue", period_days=_period(text) or 365.25
        )
    if hit["language"]:
        named_langs = [code for name, code in _LANG_NAMES.items() if re.search(rf"\b{name}\b", text, re.I)]
        values = named_langs or [_lang_code(x) for x in seller.languages]
        if not values:
            raise ReadingError("a language question needs the languages offered", "seller.languages")
        outside = re.search(r"\b(other than|besides|apart from|except|not (?:in|among|one of)|beyond)\b", text, re.I)
        return QuestionSpec(kind="language", values=values, operator="not_in" if outside else "in")
    places = find_places(text)
    if low is not None and not places and not re.search(r"\b(countr\w+|region\w*|located|based)\b", text, re.I):
        hit["location"] = False
    if hit["location"]:
        places += _iso_codes(text)
    if hit["location"] or places:
        scope: SpecScope = next((s for s, rx in _SCOPES if rx.search(text)), "company")
        named_codes = sorted({c for p in places for c in p.countries})
        if named_codes and not _SUPPORTED.search(text):
            return QuestionSpec(
                kind="location",
                scope=scope,
                operator="not_in" if _negative(text) else "in",
                values=named_codes,
                subject=scope,
            )
        if _SUPPORTED.search(text) or hit["location"]:
            codes = sorted(region_codes(seller.regions))
            if not codes:
                raise ReadingError("a region question needs the seller's supported regions", "seller.regions")
            return QuestionSpec(
                kind="location",
                scope=scope,
                operator="not_in" if _negative(text) else "in",
                values=codes,
                subject=scope,
            )
    if low is not None:
        noun, at = _subject(text)
        qualified = _QUALIFIED_PEOPLE.match(text, at + len(noun)) if noun in _EMPLOYEES else None
        if noun is not None and qualified is not None:
            # "40 staff who work shifts", "employees on the rota", "people working in the field": a part of the
            # workforce, counted as such (the company's headcount is at most an upper bound)
            return QuestionSpec(
                kind="named_count",
                subject=f"{noun} {qualified.group('q').strip()}",
                operator=op,
                low=low,
                high=high,
                period_days=_period(text),
            )
        if noun is None or noun in _EMPLOYEES:
            scope = next((s for s, rx in _SCOPES if rx.search(text) and s == "facility"), "company")
            return QuestionSpec(kind="company_size", subject="employees", scope=scope, operator=op, low=low, high=high)
        return QuestionSpec(
            kind="named_count",
            subject=noun,
            operator=op,
            low=low,
            high=high,
            period_days=_period(text),
            values=_examples_of(text, at),
        )
    if q.category == "authority" or (
        hit["authority"]
        and (
            re.search(r"\b(contact|lead|person|he|she|prospect)\b", text, re.I)
            # "they" is the company as often as the contact: in a fit or need question a role word names a thing
            # they run ("a property-management system or a channel manager"), not the contact
            or q.category not in ("fit", "need", "competition")
            and re.search(r"\bthey\b", text, re.I)
        )
    ):
        roles = [r.group(0).lower() for r in _ROLE_WORDS.finditer(text)]
        return QuestionSpec(kind="authority", values=roles, scope="contact")
    tools = _proper_names(text)
    is_a = re.search(r"^\s*(?:is|are)\s+(?:this|the|it|they|their)\b(?!.*\b(?:using|use|run|hosted|on)\b)", text, re.I)
    if (
        is_a
        and (
            hit["industry"]
            or re.search(
                r"\b(compan\w+|business|brand|shop|firm|manufactur\w+|plant|agency|"
                r"retailer|provider)\b",
                text,
                re.I,
            )
        )
        and q.category != "need"
    ):
        return QuestionSpec(kind="industry", values=_industry_terms(text), topic=_topic(text))
    if hit["pain"] and (q.category == "need" or not tools):
        return QuestionSpec(kind="pain", topic=_topic(text))
    if (
        hit["technology"]
        and (tools or re.search(r"\b(erp|crm|wms|cloud|aws|azure|gcp|platform|system|software|tool)\b", text, re.I))
        and q.category != "need"
    ):
        return QuestionSpec(kind="technology", values=tools, topic=_topic(text), tense=_tense(text))
    if len(tools) >= 2 and not hit["industry"] and q.category != "need":
        # "Is their POS Toast, Square, Lightspeed or Revel?": a list of named products is a question about the tools
        # they run, whatever the kind of tool is called
        return QuestionSpec(kind="technology", values=tools, topic=_topic(text), tense=_tense(text))
    if hit["industry"] or q.category == "fit":
        return QuestionSpec(kind="industry", values=_industry_terms(text), topic=_topic(text))
    if q.category == "need":
        return QuestionSpec(kind="pain", topic=_topic(text))
    return QuestionSpec(kind="text", source="text", topic=_topic(text))


def _iso_codes(text: str) -> list[Place]:
    """Upper-case ISO codes written in a question ('(US, CA, GB, IE)'): in a question they are meant as countries."""
    import pycountry

    found = []
    for code in re.findall(r"\b[A-Z]{2}\b", text):
        country = pycountry.countries.get(alpha_2="GB" if code == "UK" else code)
        if country is not None:
            found.append(Place(code, frozenset({country.alpha_2}), "country"))
    return found


def check_reading(q: QualifyingQuestion) -> QuestionSpec:
    """The reading shown for a question answered by its structured `check`."""
    assert q.check is not None
    c = q.check
    window = f" in the last {c.within_days} days" if c.within_days else ""
    return QuestionSpec(
        kind="text", source="library", words=f"structured check: {c.field} {c.operator} {c.value}{window}"
    )


_TIMES = re.compile(
    rf"(?:(?:at least|more than|over)\s+(?P<a>{_NUM}|once|twice)\s*(?:times)?|(?P<b>{_NUM}|twice)\s+"
    rf"(?:or more\s+)?times(?: or more)?|(?P<once>more than once|repeatedly|several times|multiple times|"
    rf"again|come back|came back|return\w*))",
    re.I,
)


def _intent_events(text: str) -> list[str]:
    """Event types the question names, each with the minimum count it asks for ('pricing_page_view:3')."""
    out = []
    for event, pattern in _EVENT_WORDS:
        m = re.search(pattern, text, re.I)
        if not m:
            continue
        tail = text[m.end() : m.end() + 40]
        count = 1
        t = _TIMES.search(tail) if event == "pricing_page_view" else None
        if t:
            raw = (t.group("a") or t.group("b") or "").lower()
            more = bool(re.search(r"more than|over", t.group(0), re.I))
            base = 2 if raw == "twice" else 1 if raw in ("once", "") else int(number(raw) or 1)
            count = 2 if t.group("once") else base + (1 if more else 0)
        out.append(f"{event}:{count}" if count > 1 else event)
    return out


def _negative(text: str) -> bool:
    return bool(re.search(r"\b(outside|not in|unsupported|excluded|non-supported)\b", text, re.I))


_GROUP_NAMES = frozenset(
    "eu eea efta dach benelux nordics scandinavia latam apac anz europe".split() + ["uk & ireland", "north america"]
)


def _named_groups(codes: list[str]) -> str:
    """Countries as the named groups they make up ("EUROPE or NORTH AMERICA", "DACH or GB"), with any country left
    over by its code; "" when no group is among them. A 47-country list is unreadable on a scorecard."""
    left = set(codes)
    names: list[str] = []
    whole = {g: set(c) for g, c in GROUPS.items() if g in _GROUP_NAMES and set(c) <= left}
    for g in sorted(whole, key=lambda g: (-len(whole[g]), len(g))):
        if len(whole[g] & left) >= 2 and not any(whole[g] <= whole[n] for n in names):
            names.append(g)
            left -= whole[g]
    if not names:
        return ""
    return " or ".join([*(n.upper() for n in names), *sorted(left)])


def _lang_code(value: str) -> str:
    return _LANG_NAMES.get(value.strip().lower(), value.strip().lower()[:2])


_LEAD_IN = re.compile(
    r"^\s*(?:is|are|does|do|has|have|can|will|did|was|were)\s+(?:the\s+)?(?:lead|prospect|company|contact|"
    r"team|they|it|there|this|account|customer|buyer|he|she)?(?:'s)?\s*",
    re.I,
)


def _topic(text: str) -> str:
    """The question's object, without its lead-in: 'struggling with missed appointments'."""
    return _LEAD_IN.sub("", text).strip(" ?.")


def _industry_terms(text: str) -> list[str]:
    # "a hospital or care home itself, rather than a supplier or insurer": what it must not be is not a term
    body = re.split(
        r"\b(?:rather than|instead of|as opposed to|other than|but not|not an?)\b", _topic(text), flags=re.I
    )[0]
    body = re.sub(
        r"\b(?:itself|themselves|directly|organi[sz]ations?|firm|they|it|this|their)\b", " ", body, flags=re.I
    )
    body = re.sub(
        r"\b(in|the|an?|industry|sector|vertical|business|company|companies|works?|operate\w*|is|are|a|of|"
        r"trade|space|market)\b",
        " ",
        body,
        flags=re.I,
    )
    parts = re.split(r",|/|\bor\b|\band\b|\(|\)", body)
    return [re.sub(r"\s+", " ", p.strip(" ?.-")).lower() for p in parts if len(p.strip(" ?.-")) > 2]


def describe(spec: QuestionSpec) -> str:
    """The reading in words for people: 'company employees ≥ 200 (inclusive)'."""

    def n(x: float | None) -> str:
        return "?" if x is None else f"{x:,.0f}" if x == int(x) else f"{x:,g}"

    symbol = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}
    cmp = ""
    if spec.operator in symbol:
        cmp = f" {symbol[spec.operator]} {n(spec.low)}" + (" (inclusive)" if spec.operator in ("gte", "lte") else "")
    elif spec.operator == "between":
        cmp = f" between {n(spec.low)} and {n(spec.high)} (inclusive)"
    per = {365.25: " a year", 30.44: " a month", 91.3: " a quarter", 7.0: " a week"}.get(spec.period_days or 0, "")
    vals = ", ".join(spec.values)
    k = spec.kind
    if k == "company_size":
        where = " at the facility" if spec.scope == "facility" else ""
        return f"company employees{where}{cmp or ' (size stated)'}"
    if k == "named_count":
        return f"number of {spec.subject}{cmp} (not total headcount)"
    if k == "revenue":
        return f"annual revenue{cmp}"
    if k == "location":
        where = {"facility": "the facility", "payroll": "the payroll", "users": "the team doing the work"}.get(
            spec.scope, "the business"
        )
        return f"{where} is {'not ' if spec.operator == 'not_in' else ''}in {_named_groups(spec.values) or vals}"
    if k == "language":
        if spec.operator == "not_in":
            return f"needs a language other than: {vals}"
        return f"the languages needed are among: {vals}"
    if k == "technology":
        return f"{'used before' if spec.tense == 'past' else 'currently uses'}: {vals or spec.topic}"
    if k == "competitor":
        verb = {
            "current": "currently uses",
            "past": "recently left",
            "evaluating": "is evaluating",
            "any": "uses, evaluates or left",
            "in_play": "uses or is evaluating",
        }[spec.tense]
        return f"{verb} a competitor ({vals})"
    if k == "authority":
        return f"the contact is a decision maker{' (' + vals + ')' if vals else ''}; statements about signing authority win"
    if k == "budget":
        what = f"budget for {spec.topic}" if spec.topic else "budget"
        return f"{'confirmed ' if spec.confirmed and not cmp else ''}{what}{cmp}{per}"
    if k == "timeline":
        months = (spec.window_days or 0) / 30.44
        if spec.window_days and abs(months - round(months)) < 0.05 and months >= 1:
            return f"buying/going live within {round(months)} months (inclusive)"
        return (
            f"buying/going live within {n(spec.window_days)} days (inclusive)"
            if spec.window_days
            else f"buying/going live by {spec.deadline}"
        )
    if k == "pain":
        return f"has this pain today: {spec.topic}"
    if k == "intent":
        events = [v.replace(":", " at least ") + " times" if ":" in v else v for v in spec.values]
        return f"{' or '.join(events) or 'buying-intent event'} in the last {n(spec.window_days)} days"
    if k == "industry":
        return f"industry is one of: {vals or spec.topic}"
    if k == "text":
        return "not typed: answered from the text by meaning"
    said = {
        "student": "the contact is a student or academic",
        "competitor_employee": "the contact works for a competitor",
        "existing_customer": f"{'is or was' if spec.tense == 'any' else 'was' if spec.tense == 'past' else 'is'} "
        "already a customer",
        "partner": "a partner/reseller enquiring for clients",
        "job_seeker": "the contact is looking for a job",
        "vendor_pitch": "a vendor pitching its own services",
    }
    # several kinds in one question ("a student, a job hunter, or someone pitching us"): each is said
    kinds = [v for v in spec.values if v in said]
    return " or ".join(said[v] for v in kinds) if len(kinds) > 1 else said[k]
