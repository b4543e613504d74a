"""The answer engine: a question's typed reading (library.reading) + a lead's clause-level facts (agent.facts) → an
answer per ANSWERS.md. Absence is unknown, explicit negation is no, hedging is unknown, the most recent explicit
statement wins a conflict, and a damaging answer needs a direct statement.

Each kind of question has one decision function; all of them return `Finding`s (an answer, the clause or field that
settles it, how sure, why), and `resolve` turns findings into one `QuestionAnswer`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date, datetime, timedelta

import numpy as np

from agent.evidence import SourceText, render_event
from agent.facts import lexicon as lx
from agent.facts.amounts import When, annualise, dates, english_time, money, period_of
from agent.facts.clauses import Clause, Facts, frozen, has_negation, negated_near
from agent.facts.quantities import INF, Quantity, amounts, digitise
from agent.enrichment.titles import THING_OWNER, department, normalise_title, seniority
from agent.schemas import Answer, AnswerFlag, Enrichment, Evidence, Lead, QuestionAnswer
from library.geo import country_code, find_inflected, find_places
from library.schemas import Competitor, QuestionSpec, Seller


EMBED_BATCH = 256  # clauses embedded per model call


@dataclass
class Finding:
    answer: Answer
    unit: SourceText | None
    quote: str
    confidence: float
    reason: str
    order: float = 0.0
    value: str | None = None


# The cross-language model's cosines sit lower than the English model's on the same English pair: a least-squares line
# over English clause-topic pairs of the benchmark's leads (label-free; r = 0.88) gave English ≈ 1.03 × cross + 0.125,
# and the upper quantiles differ by 0.15–0.18. The shift was then chosen on the DEV half.
CROSS_SCALE = (1.0, 0.10)
ACROSS_GAP = 0.10  # `across`: a clause the English model reads this far below the cross-language model is not English


def cross_scale(cosines: np.ndarray) -> np.ndarray:
    """The cross-language model's cosines on the English model's scale."""
    a, b = CROSS_SCALE
    return a * cosines + b


@dataclass
class Context:
    """One lead as the engine reads it."""

    lead: Lead
    enrichment: Enrichment
    facts: Facts
    ref: datetime
    seller: Seller
    competitors: list[Competitor]
    embed: Callable[[Sequence[str]], np.ndarray]  # texts → L2-normalised vectors, one row each
    vector: Callable[[str], np.ndarray]  # one short text (a topic, a phrase) → its vector, cached by the judge
    # The same two for a cross-language model (library.embeddings.MultilingualEmbedder), when the judge has one.
    meaning: Callable[[Sequence[str]], np.ndarray] | None = None
    meaning_vector: Callable[[str], np.ndarray] | None = None
    _clause_vectors: np.ndarray | None = None
    _clause_meaning: np.ndarray | None = None
    _related: dict[str, tuple[np.ndarray, np.ndarray | None]] = field(default_factory=dict)

    def _embedded(self, embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
        texts = [c.text for c in self.facts.clauses]
        # In batches: a long call or note never becomes one giant model input.
        if not texts:
            return np.zeros((0, 1))
        return np.vstack([embed(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)])

    def clause_vectors(self) -> np.ndarray:
        """Every clause embedded once per lead, in one batch."""
        if self._clause_vectors is None:
            self._clause_vectors = self._embedded(self.embed)
        return self._clause_vectors

    def clause_meaning(self) -> np.ndarray:
        """Every clause in the cross-language model's space, once per lead."""
        if self._clause_meaning is None:
            assert self.meaning is not None
            self._clause_meaning = self._embedded(self.meaning)
        return self._clause_meaning

    def _closeness(self, topic: str) -> tuple[np.ndarray, np.ndarray | None]:
        """Every clause's cosine with a topic by the English model, and by the cross-language one on the English
        model's scale (None without that model); once per topic and lead."""
        if topic not in self._related:
            same = self.clause_vectors() @ self.vector(topic) if self.facts.clauses else np.zeros(0)
            cross = None
            if self.facts.clauses and self.meaning is not None and self.meaning_vector is not None:
                cross = cross_scale(self.clause_meaning() @ self.meaning_vector(topic))
            self._related[topic] = (same, cross)
        return self._related[topic]

    def related(self, topic: str) -> np.ndarray:
        """How close every clause is to a topic in meaning, on the English model's cosine scale: the English model's
        cosine, or the cross-language model's where it says more (a clause in another language)."""
        same, cross = self._closeness(topic)
        return same if cross is None else np.maximum(same, cross)

    def across(self, topic: str) -> np.ndarray:
        """`related`, kept only for the clauses whose meaning the English model misses (its cosine far below the
        cross-language model's): text in a language the English cue lists cannot read. -1 elsewhere."""
        same, cross = self._closeness(topic)
        if cross is None:
            return np.full(len(self.facts.clauses), -1.0)
        return np.where(cross - same >= ACROSS_GAP, cross, -1.0)

    def cosines(self, a: str, b: str) -> tuple[float, float | None]:
        """Two short texts' cosine by the English model, and by the cross-language one on its scale (None without it)."""
        same = float(self.vector(a) @ self.vector(b))
        if self.meaning_vector is None:
            return same, None
        return same, float(cross_scale(np.array([self.meaning_vector(a) @ self.meaning_vector(b)]))[0])

    def cosine(self, a: str, b: str) -> float:
        same, cross = self.cosines(a, b)
        return same if cross is None else max(same, cross)

    def field(self, key: str) -> tuple[object, SourceText] | None:
        value = self.enrichment.get(key)
        if value is None or value == "" or value == []:
            return None
        text = ", ".join(value) if isinstance(value, list) else str(value)
        return value, SourceText("enrichment", key, text)


def _clause_finding(answer: Answer, c: Clause, confidence: float, reason: str, value: str | None = None) -> Finding:
    return Finding(answer, c.unit, c.text, confidence, reason, c.order, value)


def _field_finding(answer: Answer, unit: SourceText, confidence: float, reason: str) -> Finding:
    return Finding(answer, unit, unit.text, confidence, reason, 0.0)


# --- comparisons ---------------------------------------------------------------------------------------------------


def _meets(spec: QuestionSpec, low: float, high: float) -> bool | None:
    """Whether [low, high] satisfies the spec's comparison; None when the threshold falls inside it."""
    op, a, b = spec.operator, spec.low, spec.high
    if a is None:
        return None
    if op == "gte":
        return True if low >= a else False if high < a else None
    if op == "gt":
        return True if low > a else False if high <= a else None
    if op == "lte":
        return True if high <= a else False if low > a else None
    if op == "lt":
        return True if high < a else False if low >= a else None
    if op == "between" and b is not None:
        if low >= a and high <= b:
            return True
        return False if high < a or low > b else None
    return None


def _cmp_finding(
    spec: QuestionSpec,
    low: float,
    high: float,
    c: Clause | None,
    unit: SourceText | None,
    quote: str,
    what: str,
    conf: float = 0.88,
) -> Finding:
    ok = _meets(spec, low, high)
    shown = f"{low:,.0f}" if low == high else f"{low:,.0f}–{'∞' if high == INF else f'{high:,.0f}'}"
    if ok is None:
        return Finding("unknown", unit, quote, 0.6, f"{what} {shown} straddles the threshold", c.order if c else 0)
    return Finding(
        "yes" if ok else "no",
        unit,
        quote,
        conf,
        f"{what} {shown} {'meets' if ok else 'misses'} {spec.words or 'the threshold'}",
        c.order if c else 0.0,
        shown,
    )


# --- sizes and counts -----------------------------------------------------------------------------------------------

_PEOPLE = re.compile(
    r"\b(employees?|staff|people|headcount|FTEs?|workers|personnel|team of|on site|pessoas|personas|"
    r"personnes|persone|mensen|os[óo]b|lid[ií]|Leute|Personen|K[öo]pfe|Mitarbeiter\w*|Mitarbeitend\w*|Beschäftigte\w*|"
    r"salari[ée]s?|employ[ée]s|empleados|trabajadores|funcion[áa]rios|colaboradores|dipendenti|"
    r"medewerkers|werknemers|pracownik\w*|zam[eě]stnan\w*|osob|lidí)\b",
    re.I,
)
_SYNONYMS = [
    {
        "technician",
        "tech",
        "engineer",
        "installer",
        "fitter",
        "plumber",
        "electrician",
        "techniker",
        "technicien",
        "técnico",
        "tecnico",
        "monteur",
        "technik",
        "serviceman",
        "field",
    },
    {"seat", "user", "license", "licence", "rep", "sdr", "bdr", "caller", "agent", "dialer", "login"},
    {"agent", "support", "rep", "advisor", "associate", "agente", "agenten", "medewerker"},
    {
        "site",
        "location",
        "plant",
        "facility",
        "branch",
        "store",
        "shop",
        "venue",
        "restaurant",
        "outlet",
        "depot",
        "factory",
        "warehouse",
        "standort",
        "sede",
        "vestiging",
        "lokal",
        "zakład",
        "závod",
        "pobočk",
    },
    {"truck", "vehicle", "van", "rig", "tractor", "unit", "lkw", "camion", "camión", "caminhão", "ciężarów", "tir"},
    {"driver", "fahrer", "chauffeur", "conductor", "motorista", "kierowc", "řidič"},
]
_SUBSET_OF_PEOPLE = (
    "technician",
    "agent",
    "driver",
    "rep",
    "engineer",
    "sdr",
    "bdr",
    "caller",
    "staff",
    "nurse",
    "worker",
    "employee",  # a part of the workforce the question qualifies ("employees scheduled in shifts")
    "people",
    "personnel",
)


def _same_noun(a: str, b: str) -> bool:
    a, b = a.lower().rstrip("s"), b.lower().rstrip("s")
    if a[:5] == b[:5] or a.startswith(b) or b.startswith(a):
        return True
    return any(
        any(a.startswith(w[:5]) for w in group) and any(b.startswith(w[:5]) for w in group) for group in _SYNONYMS
    )


SAME_WORD_ACROSS = 0.7  # cross-language cosine at which a word names the counted thing ("proveedores" ~ "suppliers")
# A lower cosine names it when no other countable thing is closer: "Pflegekräfte" is 0.68 from "nurses" and 0.55 from
# "employees", its nearest other noun; "fahrer" is 0.62 from "carers" but 0.70 from "drivers".
SAME_WORD_NEAREST = 0.55
# Things a number in a lead commonly counts, in English: a word closer to one of these than to the question's counted
# thing names that one ("motoristas" is 0.75 from "vehicles" but 0.81 from "drivers"). Those near the counted thing
# itself (cosine >= RIVAL_SAME: "trucks" for "vehicles", not "drivers" at 0.64) are its synonyms, not rivals.
COUNTED_RIVALS = tuple(
    """employees customers clients users locations sites stores vehicles trucks drivers technicians agents beds rooms
    patients students orders shipments invoices calls tickets projects products suppliers years days hours months
    euros dollars kilometers countries cities languages machines devices""".split()
)
RIVAL_SAME = 0.7


def _same_noun_across(ctx: Context, words: list[str], subject: str, bar: float = SAME_WORD_ACROSS) -> bool:
    """The noun after a number names the question's counted thing in another language ("6 proveedores", "zes
    leveranciers", "20 Betten"), by the cross-language model: the first word after the number ("de" skipped), or the
    noun after an English -ing modifier ("12 nursing homes" counts homes, not nurses). At the default bar the word must
    also be closer to the counted thing than to any other commonly counted thing (`COUNTED_RIVALS`); then a cosine of
    `SAME_WORD_NEAREST` is enough."""
    if ctx.meaning_vector is None:
        return False
    target = ctx.meaning_vector(subject)
    rest = [w for w in words if len(w) > 3]
    if len(rest) > 1 and rest[0].lower().endswith("ing"):
        rest = rest[1:]
    nouns = rest[:1]
    if bar != SAME_WORD_ACROSS:
        return any(float(ctx.meaning_vector(w.lower()) @ target) >= bar for w in nouns)
    every = _rival_matrix(ctx.meaning_vector)
    rivals = every[every @ target < RIVAL_SAME]
    for w in nouns:
        vec = ctx.meaning_vector(w.lower())
        near = float(vec @ target)
        if near >= SAME_WORD_NEAREST and (rivals.size == 0 or near > float((rivals @ vec).max())):
            return True
    return False


@lru_cache(maxsize=4)
def _rival_matrix(vector: Callable[[str], np.ndarray]) -> np.ndarray:
    """`COUNTED_RIVALS` embedded once per cross-language model, one row each."""
    return np.stack([vector(r) for r in COUNTED_RIVALS])


NAMES_OTHER = 0.8  # cross-language cosine at which the noun right after a number names another commonly counted thing


def _names_other(ctx: Context, word: str, nouns: Sequence[str]) -> bool:
    """The noun right after a number counts something else than the question's `nouns`: "a 118-room hotel" and "ein
    Familienhotel mit 64 Zimmern" count rooms, not hotels, though a hotel is named next to the number."""
    if ctx.meaning_vector is None or len(word) < 3 or any(_same_noun(word, n) for n in nouns):
        return False
    if any(_same_noun_across(ctx, [word], n) for n in nouns):
        return False
    every = _rival_matrix(ctx.meaning_vector)
    targets = np.stack([ctx.meaning_vector(n) for n in nouns])
    others = every[(every @ targets.T).max(axis=1) < RIVAL_SAME]
    return others.size > 0 and float((others @ ctx.meaning_vector(word.lower())).max()) >= NAMES_OTHER


# A count said per the question's period ("3.000 Sendungen pro Monat" for shipments a month) names a flow of the thing
# asked about more surely than a bare count: the cross-language bar for its noun is lower.
SAME_WORD_PER_PERIOD = 0.45


# A clause about a third party the lead knows, not the lead's own business: "Mein Schwager betreibt ein Hotel mit 120
# Zimmern", "my client runs 3 plants", "notre client a 400 salariés". Its counts and places are that party's.
_THIRD_PARTY = re.compile(
    r"\b(?:(?:my|his|her) (?:brother|sister|brother-in-law|sister-in-law|father|mother|uncle|aunt|cousin|friend|"
    r"neighbou?r|client|customer)|(?:my|our) (?:client|customer)|a (?:friend|client|customer) of (?:mine|ours)|"
    r"mein(?:e|en|em)? (?:Schwager|Schwägerin|Bruder|Schwester|Vater|Mutter|Onkel|Cousin\w*|Freund\w*|Kund\w*|"
    r"Mandant\w*)|unser(?:e|en|em)? (?:Kund\w*|Mandant\w*)|"
    r"(?:mon|ma|notre) (?:beau-fr[èe]re|belle-s[œo]eur|fr[èe]re|s[œo]eur|p[èe]re|m[èe]re|oncle|cousin\w*|ami\w*|client\w*)|"
    r"(?:mi|nuestro|nuestra) (?:cu[ñn]ad[oa]|herman[oa]|padre|madre|t[íi][oa]|prim[oa]|amig[oa]|cliente)|"
    r"(?:meu|minha|nosso|nossa) (?:cunhad[oa]|irm[ãa]o?|pai|m[ãa]e|ti[oa]|prim[oa]|amig[oa]|cliente)|"
    r"(?:mio|mia|nostro|nostra) (?:cognat[oa]|fratello|sorella|padre|madre|zi[oa]|cugin[oa]|amic[oa]|cliente)|"
    r"(?:mijn|onze) (?:zwager|schoonzus|broer|zus|vader|moeder|oom|tante|neef|nicht|vriend\w*|klant)|"
    r"(?:m[óo]j|moja|nasz|nasza) (?:szwagier|szwagierka|brat|siostra|ojciec|matka|wujek|kuzyn\w*|przyjaciel\w*|"
    r"klient\w*)|(?:m[ůu]j|moje|na[šs]e?) (?:[šs]vagr\w*|bratr|sestra|otec|matka|str[ýy]c|bratranec|p[řr][íi]tel\w*|"
    r"klient\w*))\b",
    re.I,
)


@lru_cache(maxsize=8192)
def _about_third_party(text: str) -> bool:
    """`_THIRD_PARTY` once per clause text: every count and location question of a lead asks it of the same clauses."""
    return _THIRD_PARTY.search(text) is not None


def _count_clauses(
    ctx: Context, subject: str | None, people: bool, kinds: Sequence[str] = (), period: float | None = None
) -> list[tuple[Clause, float, float]]:
    """Numbers that count the subject in the lead's clauses (a form field about it counts its bare number); `kinds`
    are what the question names in brackets as the subject's kinds ("clinical staff (nurses, doctors, carers)")."""
    spec_subject = subject or "employees"
    # a qualified subject counts by its head too: "1,500 line workers", "900 operatives" for "frontline workers"
    head = spec_subject.split()[-1] if len(spec_subject.split()) > 1 and not people else None
    nouns = [spec_subject, *([head] if head and head not in _HEADCOUNT_NOUNS else []), *(k.split()[-1] for k in kinds)]
    out: list[tuple[Clause, float, float]] = []
    for c in ctx.facts.clauses:
        if c.unit.source == "event" or _about_third_party(c.text):
            continue
        found = amounts(c.text, "number")
        if not found:
            continue
        about_form = bool(c.context) and (
            bool(_PEOPLE.search(c.context) or _SIZE_FIELD.search(c.context))
            if people
            else any(_same_noun(w, n) for n in nouns for w in re.findall(r"\w+", c.context))
        )
        text = digitise(c.text)
        said_period = period_of(c.text) if period else None
        per_period = period is not None and said_period is not None and abs(said_period - period) < 1
        product = _product(
            text,
            spec_subject,
            people,
            lambda w: any(_same_noun_across(ctx, [w], n) for n in (nouns if not people else ["employees", "staff"])),
        )
        if product is not None:
            out.append((c, product, product))
            continue
        cursor = 0
        added: tuple[Clause, float, float] | None = None
        for k, q in enumerate(found):
            m = _quantity_at(text, q, cursor)
            i = m.start() if m else -1
            cursor = m.end() if m else cursor
            if i >= 0 and _in_date(text, i, i + len(q.text)):
                continue  # "Discovery 11/9: team is 4 BDRs" counts 4 BDRs, not 11
            near = text[i + len(q.text) : i + len(q.text) + 30] if i >= 0 else ""
            before = text[max(0, i - 25) : i] if i >= 0 else ""
            words = re.findall(r"[^\W\d_]+", near)[:3]
            if people:
                hit = bool(
                    _PEOPLE.search(near[:25])
                    or re.search(
                        r"(?:team|staff|equipe|[ée]quipe|equipo|squadra|Team|"
                        r"zesp[óo][łl]|t[ýy]m) (?:of|de|di|von|van|z)?\s*$|"
                        r"headcount\D*$",
                        before,
                        re.I,
                    )
                )
            elif (
                words
                and words[0].lower() in _HEADCOUNT_NOUNS
                and spec_subject.split()[0].lower() not in _HEADCOUNT_NOUNS
            ):
                hit = False  # "480 employees and 5 support agents": the number right before "employees" counts them
            elif words and _names_other(ctx, words[0], nouns):
                hit = False
            else:
                hit = (
                    any(_same_noun(w, n) for n in nouns for w in words)
                    or bool(re.search(rf"{re.escape(spec_subject[:5])}\w*\D{{0,15}}$", before, re.I))
                    or any(_same_noun_across(ctx, words, n) for n in nouns)
                    or per_period
                    and any(_same_noun_across(ctx, words, n, SAME_WORD_PER_PERIOD) for n in nouns)
                )
            if hit and (_MORE_AFTER.match(near) or _MORE_BEFORE.search(before)):
                # "two more SDRs start in December, so six reps": an increase is not the count; at least that many
                added = added or (c, q.low, INF)
                continue
            if hit or about_form:
                if people and not about_form and _subgroup(before, near):
                    # "4 people on support", "office staff of 8": part of the company, so at least that many.
                    out.append((c, q.low, INF))
                elif not people and hit:
                    low, high = _listed_sum(ctx, text, found[k + 1 :], cursor, nouns, q.low, q.high)
                    out.append((c, low, high))
                else:
                    out.append((c, q.low, q.high))
                break
        else:
            if added is not None:
                out.append(added)
    return out


# An increase rather than a count: "two more SDRs", "3 weitere Techniker", "another 4 drivers", "dos agentes más"
_MORE_AFTER = re.compile(
    r"\s*(?:more|additional|extra|further|weitere\w*|zus[äa]tzliche\w*|de plus|suppl[ée]mentaires?|m[áa]s|mais|in pi[uù]|"
    r"meer|extra|wi[ęe]cej|dodatkow\w*|dal[šs][íi]\w*|nov[ýy]ch)\b",
    re.I,
)
_MORE_BEFORE = re.compile(
    r"\b(?:another|an additional|additional|extra|weitere|zus[äa]tzliche|otros|otras|outros|outras|altri|altre|nog|"
    r"kolejn\w*|dal[šs][íi]ch)\s*$",
    re.I,
)


# The whole workforce, in the languages read: a number right before one of these counts the company's people.
_HEADCOUNT_NOUNS = frozenset(
    """employees employee staff people persons fte ftes headcount mitarbeiter mitarbeitende mitarbeitenden beschäftigte
    angestellte salariés salaries employés employes collaborateurs personnes empleados personas trabajadores
    funcionários funcionarios colaboradores pessoas dipendenti persone medewerkers werknemers mensen pracowników
    pracownikow osób osob zaměstnanců zamestnancu lidí lidi""".split()
)


def _quantity_at(text: str, q: Quantity, cursor: int) -> re.Match[str] | None:
    """Where a quantity's own text stands in `text`, from `cursor` on, as a whole number (not inside '1,250')."""
    return re.compile(rf"(?<![\d.,]){re.escape(q.text)}(?!\d)").search(text, cursor)


# Between two counts of a list: a comma or "and" in the languages the judge reads, just before the next number.
_LIST_JOIN = re.compile(r"(?:,|;|\+|\b(?:and|plus|y|e|et|und|en|i|a|oraz|ed)\b)\s*$", re.I)
# A count whose noun is left out because the list already named it: "4 de carne" (4 [suppliers] of meat), "4 for meat".
_ELIDED = re.compile(r"^\s*(?:of|for|de|del|do|da|di|du|des|von|vom|für|pour|para|per|van|voor|z|ze|na)\b", re.I)


def _listed_sum(
    ctx: Context, text: str, rest: Sequence[Quantity], cursor: int, nouns: Sequence[str], low: float, high: float
) -> tuple[float, float]:
    """A list of counts of the same thing adds up, in any language: '6 proveedores de fruta, 4 de carne y 3
    distribuidoras' is 13 suppliers, 'two hospitals and two polyclinics' 4 sites when both kinds are counted. Each next
    count must follow a comma or 'and' and name the thing (or leave its noun out: '4 de carne')."""
    for q in rest:
        m = _quantity_at(text, q, cursor)
        if m is None or m.start() - cursor > 60 or not _LIST_JOIN.search(text[cursor : m.start()]):
            break
        after = text[m.end() : m.end() + 30]
        words = re.findall(r"[^\W\d_]+", after)[:3]
        named = any(_same_noun(w, n) for n in nouns for w in words) or any(
            _same_noun_across(ctx, words, n) for n in nouns
        )
        if not (named or _ELIDED.search(after)):
            break
        low, high, cursor = low + q.low, high + q.high, m.end()
    return low, high


# A form field asking the company's size ("Company size", "Unternehmensgröße", "Taille de l'entreprise").
_SIZE_FIELD = re.compile(
    r"\b(?:company|business|organi[sz]ation|team|firm)?\s*size\b|gr[öo](?:ß|ss)e|taille|tama[ñn]o|tamanho|dimensione|"
    r"grootte|wielko[śs][ćc]|velikost|how (?:big|large|many people)",
    re.I,
)
_DEPARTMENT = (
    r"(?:office|support|customer (?:service|support|care)|service desk|help ?desk|sales|warehouse|engineering|"
    r"development|dev|marketing|finance|accounting|hr|people ops|it|admin\w*|production|kitchen|front desk|"
    r"call cent(?:er|re)|back office|management|leadership|dispatch|ops|operations)"
)
_SUBGROUP_BEFORE = re.compile(
    rf"\b{_DEPARTMENT}\s+(?:team|staff|crew|department|dept\.?)?\s*(?:is|are|of|has|:)?\s*"
    r"(?:just|only|about|around|roughly|some|nur|seulement|solo)?\s*$",
    re.I,
)
_SUBGROUP_AFTER = re.compile(
    rf"^\s*(?:\w+\s+)?(?:on|in|at|for|doing|handling|running)\s+(?:the\s+|our\s+|their\s+)?"
    rf"{_DEPARTMENT}\b",
    re.I,
)


_GROUPS = r"(?:crews?|teams?|squads?|shifts?|groups?|vans?|trucks?|plants?|sites?|locations?|branches|branch|stores?|shops?|offices?|depots?|warehouses?|units?)"
_TIMES_EACH = re.compile(
    rf"\b(?P<n>\d+)\s+(?:[\w-]+\s+){{0,2}}?{_GROUPS}\b[^.;]{{0,40}}?\b(?:with|of|having)\s+(?:about|around|roughly|"
    r"approximately|~|some)?\s*(?P<m>\d+)\s+(?P<noun>[^\W\d_]+)?[^.;]{0,12}?\b(?:each|apiece|per (?:\w+))\b"
    rf"|\b(?P<n2>\d+)\s+(?:[\w-]+\s+){{0,2}}?(?P<g2>crews?|teams?|squads?|shifts?|groups?)\s+of\s+(?:about|around|roughly|~)?\s*"
    r"(?P<m2>\d+)\b(?:\s+(?!plus\b|and\b|each\b)(?P<noun2>[^\W\d_]+))?",
    re.I,
)
# The same product in the other languages the judge reads: "Trois services de 22 infirmières chacun", "3 Stationen mit
# je 20 Pflegekräften", "tres turnos de 12 enfermeras cada uno" — N groups, a connector, M of the counted thing, "each".
_EACH_WORDS = r"(?:each|apiece|chacun\w*|cada(?:\s+un[oa])?|jeweils|je|ciascun\w*|elk|elke|ka[żz]d\w*|ka[žz]d\w*)"
_EACH = re.compile(rf"\b{_EACH_WORDS}\b", re.I)
_TIMES_EACH_ANY = re.compile(
    r"\b(?P<n>\d+)\s+(?:[^\W\d_]+\s+){1,2}?(?:with|of|de|d'|di|da|von|mit|con|com|van|met|z|ze|po|s|à|a)\s*"
    rf"(?:{_EACH_WORDS}\s+)?(?:about|around|environ|etwa|unos|circa|ca\.?|~)?\s*(?P<m>\d+)\s+(?P<noun>[^\W\d_]+)"
    rf"(?:[^.;]{{0,20}}?\b{_EACH_WORDS}\b)?",
    re.I,
)
_PLUS = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:plus|and|\+)\s+(?:another\s+)?(?P<k>\d+)\s+(?:[\w-]+\s+)?(?P<noun>[^\W\d_]+)", re.I
)


def _product(text: str, subject: str, people: bool, same: Callable[[str], bool] | None = None) -> float | None:
    """Simple arithmetic a person does when reading (`text` already digitised): '3 plants with roughly 30 people each' is
    90 people, '3 crews of 4 plus 2 service techs' is 14 technicians. None when the clause states no such product.
    `same` tells whether a word in another language names the counted thing (the cross-language model)."""
    m = _TIMES_EACH.search(text)
    if m is None:
        other = _TIMES_EACH_ANY.search(text)
        # another language: the "each" word (or "je" before the number) is what makes it a product
        if other is None or not _EACH.search(other.group(0)):
            return None
        noun = other.group("noun")
        counted = bool(_PEOPLE.search(noun)) if people else _same_noun(noun, subject)
        if not counted and same is not None:
            counted = same(noun)
        return float(int(other.group("n")) * int(other.group("m"))) if counted else None
    n, k = (int(m.group("n")), int(m.group("m"))) if m.group("n") else (int(m.group("n2")), int(m.group("m2")))
    noun = m.group("noun") or m.group("noun2") or ""
    crews = bool(m.group("g2"))
    counted = (
        bool(_PEOPLE.search(noun))
        if people
        else (noun and _same_noun(noun, subject)) or (crews and not noun and _same_noun(subject, "technician"))
    )
    if not counted and not (crews and people and not noun):
        return None
    total = float(n * k)
    more = _PLUS.match(text[m.end() :])
    if more and (_same_noun(more.group("noun"), subject) or people and _PEOPLE.search(more.group("noun"))):
        total += int(more.group("k"))
    return total


def _subgroup(before: str, after: str) -> bool:
    """Whether a count of people is of one department, not the whole company."""
    return bool(_SUBGROUP_BEFORE.search(before) or _SUBGROUP_AFTER.search(after))


_DATE_AROUND = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.I,
)


def _in_date(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is part of a date ('11/9', 'Nov 18', '3rd of May')."""
    return any(m.start() <= start and end <= m.end() for m in _DATE_AROUND.finditer(text))


# "We have no support agents", "we don't have any charging points yet", "keine Ladepunkte", "pas de bornes",
# "ningún técnico", "nenhum técnico", "nessun tecnico", "geen monteurs", "żadnych techników", "žádné techniky".
_NONE_BEFORE = re.compile(
    r"\b(?:no|not any|(?:don'?t|do not|doesn'?t|does not) have any|kein(?:e|en|er)?|pas de|pas d'|aucune?s?|"
    r"ningun[oa]s?|ning[úu]n|nenhum[a]?|nessun[oa]?|geen|[żz]adn\w*|[žz][áa]dn\w*)\s+",
    re.I,
)


# "We had none until 2023": none then, not now
_WAS_NONE = re.compile(
    r"\b(?:had|until|till|used to|hatten|bis|avions|jusqu\w*|ten[íi]amos|hasta|t[íi]nhamos|at[ée]|avevamo|fino|"
    r"hadden|mieli[śs]my|m[ěe]li)\b",
    re.I,
)


def _none_of(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    """A clause saying there are none of the counted thing: a count of zero, compared as worded."""
    out = []
    head = (spec.subject or "").split()[-1]
    for c in ctx.facts.clauses:
        if c.hedge or c.past or c.unit.source == "event" or _WAS_NONE.search(c.text):
            continue
        for m in _NONE_BEFORE.finditer(c.text):
            words = re.findall(r"[^\W\d_][\w-]*", c.text[m.end() :])[:3]
            # the counted noun within the next words ("no support agents", "keine Support-Mitarbeiter")
            if any(_same_noun(w.split("-")[-1], head) for w in words) or _same_noun_across(ctx, words, head):
                out.append(_cmp_finding(spec, 0.0, 0.0, c, c.unit, c.text, f"says there are no {spec.subject}"))
                break
    return out


def decide_size(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    people = spec.kind == "company_size"
    findings = []
    counted = _count_clauses(ctx, spec.subject, people, [] if people else spec.values, spec.period_days)
    for c, low, high in counted:
        if c.hedge:  # "maybe around thirty by next autumn", "when we pass twenty-five": not today's count
            findings.append(Finding("unknown", c.unit, c.text, 0.55, f"hedged ('{c.hedge}')", c.order))
            continue
        findings.append(_cmp_finding(spec, low, high, c, c.unit, c.text, f"stated {spec.subject or 'employees'}"))
    if not counted and not people and spec.subject:
        findings += _none_of(spec, ctx)
    emp = ctx.field("company.employees")
    if emp is not None:
        total = float(emp[0])  # type: ignore[arg-type]  # company.employees is an int; ctx.field() returns object
        if people and spec.scope == "company":
            findings.append(_cmp_finding(spec, total, total, None, emp[1], emp[1].text, "company employees", 0.9))
        elif (
            spec.operator in ("gte", "gt")
            and spec.low is not None
            and total < spec.low
            and (
                spec.scope == "facility"
                or any(
                    word.startswith(s[:5])
                    for word in [*(spec.subject or "").split(), *spec.values]
                    for s in _SUBSET_OF_PEOPLE
                )
            )
        ):
            findings.append(
                _field_finding(
                    "no",
                    emp[1],
                    0.8,
                    f"the whole company has {total:,.0f} employees, fewer than {spec.low:,.0f} {spec.subject}",
                )
            )
    return findings


_REVENUE = re.compile(
    r"\b(revenue|turnover|sales|ARR|Umsatz|chiffre d'affaires|CA|facturaci[óo]n|ventas|faturamento|"
    r"fatturato|omzet|obr[óo]t|przych[óo]d\w*|obrat|tr[žz]by|"
    # what an insurer, a marketplace or a payments firm counts as its top line, in the languages the judge reads
    r"premiums?|gwp|written premium|\w*Pr[äa]mien\w*|\w*Beitr[äa]g\w*|primes?|primas?|pr[ée]mios?|premi|"
    r"premie\w*|sk[łl]adk\w*|pojistn\w*|gmv|tpv|payment volume|transaction volume|aum)\b",
    re.I,
)


def decide_revenue(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    out = []
    for c in ctx.facts.clauses:
        if _REVENUE.search(c.text) or (c.context and _REVENUE.search(c.context)):
            for m in money(c.text, assume_money=bool(c.context)):
                low, high = annualise(m, 365.25)
                if _goal_before(c.text, m.text):  # "aiming to reach €50M GWP by 2029": below that today
                    out.append(_cmp_finding(spec, 0.0, low * 0.999, c, c.unit, c.text, "revenue below its stated goal"))
                    continue
                out.append(_cmp_finding(spec, low, high, c, c.unit, c.text, "stated revenue"))
    return out


# A figure the lead is aiming for, not one it has: "we're aiming to reach €50M", "wir wollen 2028 auf 40 Mio. kommen",
# "objectif : 30 M€", "queremos llegar a 60 agentes".
_GOAL = re.compile(
    r"\b(?:aim\w*(?: to (?:reach|hit|get to|grow to|be at))?|aiming for|target(?:ing)?|goal(?: is| of)?|"
    r"(?:want|plan|hope|expect)(?:s|ing|ed)? to (?:reach|hit|get to|grow to|double to|be at)|grow(?:ing)? to|"
    r"on track to|Ziel\w*|(?:wachsen|kommen) (?:auf|bis)|(?:wollen|m[öo]chten|planen)\b[^.;!?]{0,25}?\bauf|erreichen wollen|objectif\w*|atteindre|viser|objetivo\w*|"
    r"alcanzar|llegar a|atingir|chegar a|obiettivo|raggiungere|arrivare a|doel\w*|bereiken|groeien naar|"
    r"cel(?:em)?|osi[ąa]gn[ąa][ćc]|doj[śs][ćc] do|c[íi]l(?:em)?|dos[áa]hnout|dos[áa]hnem)\b[^.;!?\d]{0,25}$",
    re.I,
)


def _goal_before(text: str, figure: str) -> bool:
    """Whether the words just before a figure make it a goal rather than the present value."""
    said = digitise(text)
    at = said.find(figure)
    return at > 0 and bool(_GOAL.search(said[max(0, at - 45) : at]))


# --- places, languages, industry, tools -----------------------------------------------------------------------------

_FACILITY = re.compile(
    r"\b(plants?|factor(?:y|ies)|facilit\w+|sites?|warehouses?|mills?|depots?|works|production|manufactur\w+|"
    r"operations? (?:in|are)|Werke?n?|Standort\w*|Lager\w*|usines?|entrep[ôo]ts?|plantas?|f[áa]bricas?|almac[ée]n\w*|"
    r"armaz[ée]ns?|stabiliment[oi]|magazzin[oi]|fabrie?ken?|magazijn\w*|zak[łl]ad\w*|fabryk\w+|magazyn\w*|"
    r"z[áa]vod\w*|provoz\w*|sklad\w*)\b",
    re.I,
)
_PAYROLL = re.compile(
    r"\b(payroll|employees?|staff|team|people|workforce|hires?|employ\w*|crews?|techs?|technicians?|engineers?|"
    r"developers?|everyone|everybody|analysts?|nurses?|operators?|t[ée]cnicos?|techniciens?|techniker\w*|tecnici|"
    r"monteur\w*|equipos?|[ée]quipes?|squadr\w+|teams?|zesp[óo][łl]\w*|t[ýy]m\w*|vendedores|commerciaux|vertrieb\w*|"
    r"verkoop\w*|handlowc\w*|obchodn\w*|operan|operate|op[ée]rons|operamos|arbeiten|trabajan|travaillent|lavorano|"
    r"werken|pracuj\w*|pracuj[íi]|"
    r"reps?|agents?|drivers?|workers|SDRs?|BDRs?|callers?|support|office|Mitarbeiter\w*|Lohn\w*|paie|"
    r"salari[ée]s|n[óo]mina|folha|dipendenti|personeel|loonadministratie|medewerkers|pracownik\w*)\b",
    re.I,
)
# An address that is not where anyone works: "only our registered office", "just a sales address", "a mailbox".
_PAPER_OFFICE = re.compile(
    r"\b(?:only|just|merely|purely|nur|seulement|solo|apenas|alleen|tylko|pouze)\b[^,;]{0,30}\b(?:address|office|"
    r"entity|mailbox|letterbox|seat|hq|headquarters|Adresse|Sitz|adresse|si[èe]ge|direcci[óo]n|sede|endere[çc]o|indirizzo|"
    r"adres|siedzib\w*|s[íi]dlo)\b|\bregistered (?:office|address|seat)\b|\b(?:postal|mailing|legal) address\b|"
    r"\bno (?:employees|staff|people)\b",
    re.I,
)
_HQ = re.compile(r"\b(hq|headquarter\w*|head office|based|registered|incorporated|Sitz|siège|sede)\b", re.I)


def decide_location(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    wanted = set(spec.values)
    out = []
    home = ctx.field("company.country")
    home_code = country_code(str(home[0])) if home is not None else None
    scope_rx = _FACILITY if spec.scope == "facility" else _PAYROLL if spec.scope in ("payroll", "users") else None
    for c in ctx.facts.clauses:
        if _about_third_party(c.text):
            continue  # "my brother-in-law runs a hotel in Innsbruck": where that party is
        if scope_rx is not None and not scope_rx.search(c.text) and not scope_rx.search(c.context):
            continue
        if scope_rx is None and _FACILITY.search(c.text) and not _HQ.search(c.text) and not c.context:
            continue  # a plant abroad says little about where the business is
        negated = has_negation(c.text) and not re.search(r"\bonly\b", c.text, re.I)
        if negated:
            continue
        # Where the people or the plant are, the places a clause calls a mere address ("the Berlin address is only our
        # registered office") are set aside; a named group counts as all of its countries.
        chunks = re.split(r",|\band\b(?= the\b)|\(|\)", c.text) if scope_rx is not None else [c.text]
        if scope_rx is not None and len(chunks) > 1:
            # "HQ in New York, support team in Lisbon": the part about the head office is not where the team is
            chunks = [ch for ch in chunks if not (_HQ.search(ch) and not scope_rx.search(ch))] or chunks
        places = [p for chunk in chunks if not _PAPER_OFFICE.search(chunk) for p in find_places(chunk)]
        if not places and home_code and scope_rx is not None:
            places = [
                p for chunk in chunks if not _PAPER_OFFICE.search(chunk) for p in find_inflected(chunk, home_code)
            ]
        if home_code and scope_rx is None:
            # Where the business is, against its own country field: another country's region name ("Midlands" is
            # one in Zimbabwe, "Sud" one in Haiti) is far more often a local region or a word than the business
            # being abroad; the field answers for it
            places = [p for p in places if p.kind != "subdivision" or home_code in p.countries]
        if not places:
            continue
        # A city name large cities share ("Valencia") is the one in the company's own country, when it is one of them.
        places = [
            replace(p, countries=frozenset({home_code})) if len(p.countries) > 1 and home_code in p.countries else p
            for p in places
        ]
        verdicts = {True if p.countries <= wanted else False if not p.countries & wanted else None for p in places}
        names = ", ".join(p.text for p in places)
        if len(verdicts) > 1 or None in verdicts:
            out.append(Finding("unknown", c.unit, c.text, 0.55, f"{names}: partly inside, partly outside", c.order))
            continue
        inside = verdicts == {True}
        yes = inside if spec.operator != "not_in" else not inside
        out.append(
            _clause_finding(
                "yes" if yes else "no",
                c,
                0.85,
                f"{names} is {'' if inside else 'not '}in {spec.words.split(' in ', 1)[-1]}",
                names,
            )
        )
    if spec.scope == "company" or not out:
        country = ctx.field("company.country")
        if country is not None and spec.scope == "company":
            code = country_code(str(country[0]))
            if code:
                inside = code in wanted
                yes = inside if spec.operator != "not_in" else not inside
                out.append(
                    _field_finding(
                        "yes" if yes else "no",
                        country[1],
                        0.88,
                        f"company country {code} is {'' if inside else 'not '}supported",
                    )
                )
    return out


_LANGUAGE_NAMES = {
    "en": r"english|englisch|anglais|ingl[ée]s|inglese|engels|angielsk\w*|angli[čc]tin\w*|anglicky",
    "de": r"german|deutsch|allemand|alem[áa]n|alem[ãa]o|tedesco|duits|niemieck\w*|n[ěe]m[čc]in\w*|n[ěe]mecky",
    "fr": r"french|franz[öo]sisch|fran[çc]ais|franc[ée]s|francese|frans|francusk\w*|francouz\w*|franc[êe]s",
    "es": r"spanish|spanisch|espagnol|espa[ñn]ol|castellano|spagnolo|spaans|hiszpa[ńn]sk\w*|[šs]pan[ěe]l\w*|espanhol",
    "it": r"italian|italienisch|italien|italiano|italiaans|w[łl]osk\w*|ital\w*tin\w*|italsky",
    "nl": r"dutch|flemish|niederl[äa]ndisch|n[ée]erlandais|neerland[ée]s|olandese|nederlands|vlaams|holendersk\w*|"
    r"nizozemsk\w*|holandsk\w*|holand[êe]s",
    "pt": r"portuguese|portugiesisch|portugais|portugu[éeê]s|portoghese|portugees|portugalsk\w*",
    "pl": r"polish|polnisch|polonais|polaco|polacco|pools|polsk\w*|pol[šs]tin\w*|polon[êe]s",
    "cs": r"czech|tschechisch|tch[èe]que|checo|ceco|tsjechisch|czesk\w*|[čc]e[šs]tin\w*|[čc]esky|tcheco",
    "sv": r"swedish|schwedisch|su[ée]dois|sueco|svedese|zweeds|svenska",
    "da": r"danish|d[äa]nisch|danois|dansk",
    "no": r"norwegian|norwegisch|norv[ée]gien|noruego|norsk",
    "fi": r"finnish|finnisch|finnois|suomi",
    "ja": r"japanese|japonais|japon[ée]s",
    "zh": r"chinese|mandarin|cantonese|chinois|chino",
    "ar": r"arabic|arabe|[áa]rabe",
    "tr": r"turkish|t[üu]rkisch|turc|turco",
    "ru": r"russian|russisch|russe|ruso",
}
_LANG_RX = {code: re.compile(rf"\b(?:{rx})\b", re.I) for code, rx in _LANGUAGE_NAMES.items()}


def decide_language(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    offered = set(spec.values)
    out = []
    for c in ctx.facts.clauses:
        named = {code for code, rx in _LANG_RX.items() if rx.search(c.text)}
        if not named or (has_negation(c.text) and not re.search(r"\bonly\b", c.text, re.I)):
            continue
        if c.hedge:
            out.append(Finding("unknown", c.unit, c.text, 0.55, f"hedged ('{c.hedge}')", c.order))
            continue
        missing = named - offered
        yes = bool(missing) if spec.operator == "not_in" else not missing
        out.append(
            _clause_finding(
                "yes" if yes else "no",
                c,
                0.8,
                f"needs {', '.join(sorted(named))}; "
                + (f"{', '.join(sorted(missing))} not offered" if missing else "all offered"),
            )
        )
    if spec.operator == "not_in" and any(f.answer == "yes" for f in out):
        # One group needing a language not offered is a yes; other groups working in offered ones do not contradict it.
        out = [f for f in out if f.answer != "no"]
    return out


# Words that name a kind of product, not a product: "Google Cloud" said as "Cloud", "Zoho CRM" as "CRM" is no mention.
_GENERIC_NAME_WORDS = frozenset(
    """cloud crm erp desk pro plus one suite sheets docs drive workspace office teams platform analytics online
    app apps hub inbox books payroll people hr web services service software system systems support sales marketing
    chat mail email voice phone talk pay connect commerce flow data lead leads""".split()
)


# Case endings of Czech, Polish, Slovak and German (genitive) nouns, as a borrowed name takes them.
_INFLECTED = r"(?:a|e|i|u|y|ě|ę|ą|ou|em|om|ie|iem|ach|s|es|as|os|n|en)?"


# Vendors whose product names people shorten to the product: "Azure", "Dynamics", "Looker", "Acrobat".
_VENDOR_PREFIXES = frozenset("microsoft google amazon aws oracle sap adobe ibm salesforce zoho atlassian apple".split())


def _tool_at(name: str, text: str) -> int:
    """Where `text` names the tool `name`, or -1. Also the distinctive part of a vendor-prefixed name ("Azure" for
    "Microsoft Azure": a capitalised word that names no kind of product; "Scout" is not "Help Scout") and a name inflected as Slavic and German
    sentences inflect it ("Používáme Vantu", "Vantas Preise": the name less a final vowel, then a case ending,
    capitalised as a name; "Gustav" is not "Gusto")."""
    if not name:
        return -1
    m = re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text.casefold())
    if m is not None:
        return m.start()
    words = name.split()
    if (
        len(words) == 2
        and words[0].casefold() in _VENDOR_PREFIXES
        and len(words[1]) >= 4
        and words[1].casefold() not in _GENERIC_NAME_WORDS
    ):
        m = re.search(rf"(?<!\w){re.escape(words[1])}(?!\w)", text)
        if m is not None and words[1][:1].isupper():
            return m.start()
    if len(words) == 1 and len(name) >= 5 and name[:1].isupper():
        stem = name[:-1] if name[-1].casefold() in "aeiouy" else name
        m = re.search(rf"(?<!\w){re.escape(stem)}{_INFLECTED}(?!\w)", text)
        if m is not None and m.group(0).casefold() != name.casefold():
            return m.start()
    return -1


def _tool_mentions(names: list[str], text: str) -> list[str]:
    return [n for n in names if _tool_at(n, text) >= 0]


# The lead's own identity fields: a company called "Papaya Fresh" or a domain "hubspot-fans.io" is not a tool in use.
_IDENTITY = frozenset(
    {"company.name", "company.domain", "company.website", "person.email", "person.name", "email.domain"}
)

# "moved from HubSpot to Zoho", "switched from X", "replaced X with Y": the tool before the change is the past one.
# Completed changes only: "switching from X" and "the migration plan from X" are still on X.
_CHANGED = (
    r"moved|switched|migrated|came|transitioned|changed|went|ported|gewechselt|umgestiegen|pass[ée]s?|cambiamos|"
    r"cambiaron|migramos|migraram|mudamos|overgestapt|przeszli\w*|přešli"
)
_LEFT_BEFORE = re.compile(
    rf"\b(?:{_CHANGED})\s+(?:\w+\s+){{0,3}}?(?:from|off|away from|von|de|desde|da|van|z|od)\s+(?:\w+\s+){{0,2}}$|"
    r"\breplaced\s+(?:\w+\s+){0,2}$",
    re.I,
)
_NEW_AFTER = re.compile(
    r"\b(?:from|off|von|de|desde|da|van)\s+\S+(?:\s+\S+){0,2}?\s+(?:to|onto|zu|auf|à|a|para|naar|na)\s+(?:\w+\s+){0,1}$|"
    r"\breplaced\s+\S+(?:\s+\S+){0,2}?\s+(?:with|by)\s+$",
    re.I,
)


_CHANGE = re.compile(rf"\b(?:{_CHANGED}|replaced)\b", re.I)


def _mention_tense(text: str, at: int) -> str | None:
    """'past' for the tool a change left, 'current' for the one it moved to, None when the clause says no change."""
    before = text[:at]
    moved_to = _NEW_AFTER.search(before)
    if moved_to is not None and _CHANGE.search(before[: moved_to.end()]):
        return "current"
    if _LEFT_BEFORE.search(before):
        return "past"
    return None


# Tried once, in the languages whose participle follows the name: "Help Scout getestet, aber nicht gekauft"
_TRIED = re.compile(
    r"\b(?:getestet|ausprobiert|probad[oa]s?|testad[oa]s?|provat[oa]|test[ée]e?s?|essay[ée]e?s?|getest|"
    r"uitgeprobeerd|przetestowa\w*|testowali\w*|vyzkou[šs]el\w*|otestoval\w*)\b",
    re.I,
)


def _tried_after(text: str, at: int) -> bool:
    """The name followed, within a few words and before any 'and', by a 'tried' participle."""
    m = _TRIED.search(text, at, at + 30)
    return m is not None and not re.search(
        r"\b(?:and|und|et|y|e|en|i|a|oraz|nebo|or|oder|ou|o)\b|,", text[at : m.start()]
    )


# German and Dutch put the negation after the object: "Wir nutzen Zendesk nicht (mehr)", "We gebruiken Zendesk niet meer".
_USE_VERB_DE_NL = re.compile(r"\b(?:nutz\w*|benutz\w*|verwend\w*|setzen|einsetz\w*|arbeiten|gebruik\w*|werken)\b", re.I)
_NOT_AFTER = re.compile(r"^[^\W\d_]*(?:\W+[^\W\d_]+){0,2}?\W+(nicht|niet)(\s+(?:mehr|meer|l[äa]nger|langer))?\b", re.I)


def _negated_after(text: str, name_at: int) -> tuple[bool, bool]:
    """(not used, no longer used) said after the vendor's name, in German or Dutch word order."""
    m = _NOT_AFTER.match(text[name_at:])
    if not m or not _USE_VERB_DE_NL.search(text):
        return False, False
    return True, bool(m.group(2))


def _use_answer(spec: QuestionSpec, c: Clause, name_at: int) -> tuple[Answer, str] | None:
    """yes/no for 'currently uses / is evaluating / recently left <name>' from one clause that names it."""
    not_after, no_longer = _negated_after(c.text, name_at)
    negated = negated_near(c.text, name_at, before=5) or frozen(c.text[:name_at]) or not_after and not no_longer
    trial_now = bool(re.search(r"\btrial\b.*\b(ends?|expires?|runs? out)\b", c.text, re.I))
    moved = _mention_tense(c.text, name_at)
    past = (
        moved == "past"
        or no_longer
        or moved is None
        and c.past
        and not trial_now
        and not re.search(r"\b(still|currently|today|now)\b", c.text, re.I)
    )
    if spec.tense == "evaluating":
        if c.evaluating:
            return ("no", "says it is not looking at it") if negated else ("yes", "is evaluating it")
        return None
    if spec.tense == "past":
        if past:
            return ("yes", "left it")
        return ("no", "still uses it") if not negated and not c.hedge else None
    if spec.tense == "any":
        return ("no", "says it never used it") if negated else ("yes", "uses, evaluates or used it")
    if spec.tense == "in_play":
        if past:
            return ("no", "used it in the past, not now")
        return ("no", "says it does not use or consider it") if negated else ("yes", "uses or evaluates it")
    if past or re.search(r"\b(?:tried|tested|piloted)\b", c.text[:name_at], re.I) or _tried_after(c.text, name_at):
        return ("no", "used it in the past, not now")
    if negated:
        return ("no", "says it does not use it")
    if c.unit.source == "event":
        # A comparison page about it or a visit to its site says what they look at, not what they run.
        return ("unknown", "an event names it; that is no use")
    if c.evaluating and not re.search(r"\b(use|using|on|run|running|with|contract)\b", c.text, re.I):
        return ("no", "only evaluating it")
    return ("yes", "uses it now")


def decide_competitor(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    names: dict[str, str] = {}
    for comp in ctx.competitors:
        if comp.id in spec.values:
            for n in (comp.name, *comp.aliases):
                names[n] = comp.id
    out = []
    for c in ctx.facts.clauses:
        if c.unit.source == "enrichment" and c.unit.ref in _IDENTITY:
            continue
        for n in _tool_mentions(list(names), c.text):
            at = _tool_at(n, c.text)
            if at > 0 and _WORKS_AT.search(c.text[:at]) and not re.search(r"\bwith\s+$", c.text[:at], re.I):
                continue  # "I work on the pricing team at Atomize": works for the vendor, which is not using it
            verdict = _use_answer(spec, c, at)
            if verdict and not (c.hedge and verdict[0] == "yes"):
                out.append(_clause_finding(verdict[0], c, 0.82, f"{n}: {verdict[1]}", names[n]))
                break
        else:
            if spec.tense in ("evaluating", "in_play") and lx.NOT_EVALUATING.search(c.text):
                out.append(_clause_finding("no", c, 0.8, "says it is not evaluating other vendors"))
            elif spec.tense in ("current", "in_play") and lx.NOTHING_IN_USE.search(c.text) and not c.hedge:
                out.append(_clause_finding("no", c, 0.75, "says it uses nothing for it today"))
            elif spec.tense in ("current", "in_play") and _only_others(c, ctx.seller.category or ""):
                out.append(_clause_finding("no", c, 0.72, "says what it uses, and it is none of these"))
    return _per_vendor(out)


def _per_vendor(findings: list[Finding]) -> list[Finding]:
    """Each named vendor's latest statement; a no about one vendor says nothing about another that is a yes ("We use
    Zendesk today. We tried Help Scout but didn't buy" uses one of them)."""
    latest: dict[str, Finding] = {}
    for f in findings:
        if f.value and (f.value not in latest or f.order >= latest[f.value].order):
            latest[f.value] = f
    using = {v for v, f in latest.items() if f.answer == "yes"}
    if not using:
        return findings
    # the vendors in use keep their whole history (the reasoning names what their latest statement overrides)
    return [f for f in findings if not f.value or f.value in using]


# "we only use Shopify Inbox", "wir nutzen nur Excel": an exclusive statement of what is in use.
_ONLY_USE = re.compile(
    r"\b(?:only|just|solely)\s+(?:use|using|run|running|work with|have)\b|\b(?:use|using|run|on)\s+only\b|"
    r"\bnur\b|\bseulement\b|\buniquement\b|\bsolo\b|\bsolamente\b|\bapenas\b|\bsó\b|\bsoltanto\b|\balleen\b|"
    r"\btylko\b|\bpouze\b|\bjen\b",
    re.I,
)
_WHAT_IN_USE = re.compile(
    r"\b(?:what|which)\b.*\b(?:use|using|run|running|on)\b|\bcurrent (?:tool|system|software|vendor|provider|crm|erp|"
    r"helpdesk|dialer|platform)\b|\b(?:welche|quel\w*|qu[ée]|cu[áa]l\w*|quale|welk\w*|jak\w*|kter\w*)\b",
    re.I,
)


def _only_others(c: Clause, topic: str = "") -> bool:
    """A clause saying what is in use, exclusively ('we only use X') or as the answer to 'which tool do you use?', and
    naming none of the tools asked about (the caller has checked that): a direct no for those tools."""
    if c.hedge or has_negation(c.text) or c.past:
        return False
    if _ONLY_USE.search(c.text) and re.search(
        r"\b(?:use|using|run|running|on|with|have|nutzen|utilis\w*|usa\w*|"
        r"gebruik\w*|używ\w*|použív\w*)\b",
        c.text,
        re.I,
    ):
        return True
    return (
        c.unit.source == "form"
        and bool(c.context)
        and bool(topic)
        and bool(_WHAT_IN_USE.search(c.context))
        and bool(_stems(c.context, 2) & _stems(topic, 2) - _GENERIC_TOOL)
        and bare_value(c.text)
    )


# Words every tool question shares: a form field about "which software" is not thereby about this category.
_GENERIC_TOOL = frozenset(
    {"softwa", "tool", "tools", "system", "platfo", "use", "using", "curren", "today", "app", "for"}
)


def bare_value(text: str) -> bool:
    """A short answer that names something (a product), not a sentence, a yes/no or a don't-know."""
    words = re.findall(r"[^\W_]+", text)
    if not words or len(words) > 6 or lx.HEDGES.search(text):
        return False
    return not re.fullmatch(
        r"\s*(?:yes|no|none|nothing|n/?a|-+|\?+|not sure|unknown|don'?t know|tbd|ja|nein|oui|non|s[íi]|nee|tak|nie|ano|ne)"
        r"\W*",
        text,
        re.I,
    )


def decide_technology(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    out = []
    names = [v for v in spec.values if v]
    for c in ctx.facts.clauses:
        if c.unit.source == "enrichment" and c.unit.ref in _IDENTITY:
            continue
        for n in _tool_mentions(names, c.text):
            verdict = _use_answer(spec, c, _tool_at(n, c.text))
            if verdict and not (c.hedge and verdict[0] == "yes"):
                out.append(_clause_finding(verdict[0], c, 0.8, f"{n}: {verdict[1]}", n))
                break
        else:
            if names and spec.tense == "current" and _only_others(c, spec.topic or ""):
                out.append(_clause_finding("no", c, 0.72, "says what it uses, and it is none of these"))
    if not out and not names:
        out += _kind_of_system_named(spec, ctx)
    generic = [
        w
        for w in re.findall(
            r"\b(cloud|crm|erp|wms|software|system|platform|tool|app|sensors?)\b", (spec.topic or "").lower()
        )
    ]
    if not out:
        for c in ctx.facts.clauses:
            for g in generic:
                m = re.search(rf"\b{g}\b", c.text, re.I)
                if m and negated_near(c.text, m.start(), before=3):
                    out.append(_clause_finding("no", c, 0.75, f"says it has no {g}"))
                    break
    if not out and spec.topic:
        # A question naming its tools needs one of them named: a clause about other tools only sounds alike.
        out += [f for f in _by_meaning(spec.topic, ctx, min_sim=0.55) if not (names and f.answer == "yes")]
    return out


# A kind of system the question names in words: "a property-management system", "a channel manager".
_SYSTEM_KIND = re.compile(r"\b((?:[a-z]+[- ]){1,3}(?:system|software|platform|manager|suite|engine))s?\b", re.I)
_ARTICLE = re.compile(r"^(?:(?:already|currently|still|run|use|using|have|a|an|the|any|their|its|or|and)\s+)+", re.I)


def _system_kinds(topic: str) -> list[tuple[str, str]]:
    """Each kind of system a technology question names, with its acronym: ("property-management system", "PMS"),
    ("channel manager", "CM")."""
    out = []
    for m in _SYSTEM_KIND.finditer(topic):
        said = _ARTICLE.sub("", m.group(1)).strip()
        words = re.split(r"[- ]", said)
        if len(words) < 2:
            continue
        # no acronym of a phrase holding one already ("CRM software")
        acronym = "" if any(w.isupper() for w in words) else "".join(w[0] for w in words).upper()
        out.append((said.lower(), acronym))
    return out


def _kind_of_system_named(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    """A question asking whether they run a kind of system, answered by a clause naming that kind, in its words or by
    its acronym ("Als PMS nutzen wir Protel", "Usamos o Cloudbeds como PMS", "im Channel Manager eintragen"): yes
    unless the clause negates it or says it is in the past."""
    out = []
    for term, acronym in _system_kinds(spec.topic or ""):
        for c in ctx.facts.clauses:
            if c.unit.source == "event" or c.hedge:
                continue
            m = re.search(rf"(?<![\w-]){re.escape(term)}s?(?![\w-])", c.text, re.I)
            if m is None and len(acronym) >= 3:  # two letters ("CM") name too many things
                m = re.search(rf"(?<![\w-]){acronym}s?(?![\w-])", c.text)
            if m is None:
                continue
            verdict = _use_answer(spec, c, m.start())
            # looking at vendors of a kind of system says nothing of whether one runs today
            if verdict is not None and not (
                c.evaluating and verdict[0] == "no" and not negated_near(c.text, m.start())
            ):
                out.append(_clause_finding(verdict[0], c, 0.75, f"{term}: {verdict[1]}", term))
                break
    return out


# Business-model shorthand an embedding model reads as letters: said in words, "B2B SaaS" is near "sells to other
# businesses".
_MODEL_WORDS = (
    (re.compile(r"\bB2B\b", re.I), "business-to-business, selling to other businesses"),
    (re.compile(r"\b(?:B2C|D2C|DTC)\b", re.I), "direct-to-consumer, selling to consumers"),
)


def _spelled(text: str) -> str:
    for pattern, words in _MODEL_WORDS:
        text = pattern.sub(words, text)
    return text


# The kinds of business every seller names, in the languages read, as English words: an industry label such as
# "Maschinenbau", "Commerce de détail" or "Produkcja mebli" is read as "machinery manufacturing", "retail", "furniture
# manufacturing". The cross-language model places such labels far from "manufacturer" or "retailer".
_BUSINESS_KINDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b", re.I), english)
    for pattern, english in (
        (
            r"maschinenbau|anlagenbau|strojírenství|strojirenstvi|strojírenská|budowa maszyn|werktuigbouw|"
            r"ingeniería mecánica|construction mécanique|meccanica|engenharia mecânica",
            "machinery manufacturing",
        ),
        (
            r"herstell\w*|fertigung|produktion|produzierend\w*|industrie|fabrication|fabricant\w*|manufacture|"
            r"fabricación|fabricante\w*|producción|industria\w*|fabricação|produção|indústria\w*|produzione|"
            r"fabbricazione|produttor\w*|manifattur\w*|productie|fabrikant\w*|maakindustrie|produkcja|producent\w*|"
            r"przemys[łl]\w*|wytwarzanie|výroba|vyroba|výrobce|vyrobce|průmysl\w*|prumysl\w*",
            "manufacturing",
        ),
        (
            r"einzelhandel|detailhandel|commerce de détail|commerce de detail|détaillant\w*|detaillant\w*|"
            r"comercio minorista|minorista\w*|venta al por menor|varejo|varejista\w*|retalho|commercio al dettaglio|"
            r"dettaglio|handel detaliczny|sprzedaż detaliczna|maloobchod\w*",
            "retail",
        ),
        (
            r"gro(?:ß|ss)handel|großhändler|grosshändler|commerce de gros|grossiste\w*|comercio mayorista|mayorista\w*|"
            r"atacado|atacadista\w*|grossista\w*|commercio all'ingrosso|ingrosso|groothandel\w*|hurtownia|"
            r"handel hurtowy|hurtow\w*|velkoobchod\w*",
            "wholesale distribution",
        ),
        (r"distribu(?:tor|teur|idor|tore|tie)\w*|dystrybu\w*|vertrieb", "distribution"),
        (
            r"logistik|logistique|logística|logistica|logistiek|logistyka|logistika|spedition|transporte|"
            r"transport drogowy|doprava",
            "logistics transport",
        ),
        (
            r"lebensmittel\w*|nahrungsmittel\w*|alimentaire|alimentar|alimentación|alimentare|alimentari|"
            r"levensmiddel\w*|spożywcz\w*|potravin\w*",
            "food",
        ),
        (r"möbel|meubles?|muebles|móveis|mobili|meubel\w*|mebl\w*|nábytk\w*", "furniture"),
        (r"keramik|céramique|cerámica|cerâmica|ceramica|keramiek|ceramik\w*|keramik\w*", "ceramics"),
        (
            r"gesundheitswesen|krankenhaus|santé|hôpital|salud|sanidad|hospital|saúde|sanità|ospedal\w*|"
            r"zorg|ziekenhuis|opieka zdrowotna|szpital\w*|zdravotnictví|nemocnice",
            "healthcare hospital",
        ),
        (
            r"altenpflege|pflegeheim\w*|ehpad|maison de retraite|residencia de mayores|lar de idosos|casa di riposo|"
            r"verpleeghuis|dom opieki|domov pro seniory",
            "care home",
        ),
        (
            r"versicherung\w*|assurance\w*|seguros?|assicurazion\w*|verzekering\w*|ubezpiecze\w*|pojišťovn\w*",
            "insurance",
        ),
        (
            r"gastronomie|restauration|hostelería|restauração|ristorazione|horeca|gastronomia|pohostinství",
            "restaurants",
        ),
        (r"bau(?:gewerbe|wesen)?|btp|construcción|construção|edilizia|bouw|budownictwo|stavebnictví", "construction"),
    )
)


def _in_english(label: str) -> str:
    """An industry label with the business kinds it names in English after it ('Produkcja mebli' → 'Produkcja mebli
    (manufacturing furniture)'); unchanged when it names none."""
    found = [english for pattern, english in _BUSINESS_KINDS if pattern.search(label)]
    return f"{label} ({' '.join(dict.fromkeys(found))})" if found else label


def decide_industry(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    industry = ctx.field("company.industry")
    targets = spec.values or ([spec.topic] if spec.topic else [])
    said = _by_meaning(spec.topic or " ".join(targets), ctx, min_sim=0.55)
    if industry is not None and targets:
        label = str(industry[0])
        text = _in_english(label)
        score = max(_overlap(text, t) for t in targets)
        if score >= 0.5:
            return [_field_finding("yes", industry[1], 0.8, f"industry '{label}' matches {', '.join(targets)}")]
        same, cross = ctx.cosines(_spelled(text), _spelled(" or ".join(targets)))
        meaning = same if cross is None else max(same, cross)
        if meaning >= 0.5:
            return [_field_finding("yes", industry[1], 0.7, f"industry '{label}' is close to {', '.join(targets)}")]
        cognate = next((t for t in targets if _cognates(text, t)), None)
        if cognate and meaning >= COGNATE_MEANING and cross is not None and cross - same >= ACROSS_GAP:
            # the same word in another language ("Dentaire", "Clinique de revalidation"): the model reads it poorly
            return [_field_finding("yes", industry[1], 0.62, f"industry '{label}' is the word for {cognate}")]
        # An industry label far from the question is a no, unless the lead's own words say it is one
        # ("Skincare", and "we sell skincare direct to consumers through our own Shopify store").
        if meaning < 0.3 and not any(f.answer == "yes" and f.confidence >= 0.72 for f in said):
            return [_field_finding("no", industry[1], 0.65, f"industry '{label}' is not {', '.join(targets)}")]
    if industry is None and targets and not said:
        # No industry field and nothing said: a company name that is one of the terms ("Cork Dental Group" for a
        # dental practice) is what the company calls itself, unless the name says it sells to them ("Dental Software")
        name = ctx.field("company.name")
        if name is not None and not _VENDORISH.search(str(name[0])) and not _SELLS_TO.search(str(name[0])):
            words = _stems(str(name[0]), 4)
            hit = next((t for t in targets if (stems := _stems(t, 4)) and stems <= words), None)
            if hit:
                return [_field_finding("yes", name[1], 0.66, f"the company's name '{name[0]}' says {hit}")]
    return said


COGNATE_MEANING = 0.2  # the least closeness in meaning at which a label sharing a word's root with a term is that term


def _cognates(label: str, term: str) -> bool:
    """Whether a label and a term share a word's root across languages: the first five letters of two words of six
    letters or more, accents folded ('dentaire' and 'dental', 'clinique' and 'clinic', 'transporte' and 'transport')."""
    roots = {w[:5] for w in re.findall(r"[^\W\d_]{6,}", _fold(term)) if w not in _STOP}
    return any(w[:5] in roots for w in re.findall(r"[^\W\d_]{6,}", _fold(label)) if w not in _STOP)


_SELLS_TO = re.compile(
    r"\b(?:suppl\w*|supplies|solutions|systems|services|consult\w*|marketing|media|digital|labs?|data|cloud|ai|"
    r"partners|agency|group purchasing|distribut\w*|wholesale|equipment|insurance|finance|capital|recruit\w*|staffing)\b",
    re.I,
)


_STOP = frozenset(
    """about their there these those which would could should today right other being having where
    while with from that this they them have does into your ours such than then when what were will just only""".split()
)


def _fold(text: str) -> str:
    """Lower case without accents, so 'Électricien' and 'electrical' share their stem."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def _stems(text: str, min_len: int) -> set[str]:
    """Word stems (first six letters, accents folded) of the words of at least `min_len` letters, stop words left out.
    Six, not five: 'control' and 'contractor', 'manager' and 'managing' are different words."""
    return {w[:6] for w in re.findall(rf"[^\W\d_]{{{min_len},}}", _fold(text)) if w not in _STOP}


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's stems that the other text has too (names, industries, roles)."""
    wa, wb = _stems(a, 3), _stems(b, 3)
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def _shared_stems(a: str, b: str) -> set[str]:
    """Content-word stems two longer texts share."""
    return _stems(a, 5) & _stems(b, 5)


# --- authority ------------------------------------------------------------------------------------------------------

_C_GENERAL = re.compile(
    r"\b(owner|founder|co-?founder|ceo|president|managing director|general manager|gm|"
    r"chief executive|geschaftsfuhrer\w*|inhaber\w*|directeur general|director general|gerente general|"
    r"amministratore delegato|direttore generale|prezes|jednatel\w*|majitel\w*|wlasciciel\w*|"
    r"eigenaar|directeur|proprietario|propri[ée]taire|dueño|dono|s[óo]cio|fundador\w*)\b",
    re.I,
)


def decide_authority(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    out = []
    for c in ctx.facts.clauses:
        others = [m for m in lx.AUTHORITY_NO.finditer(c.text) if not negated_near(c.text, m.start(), before=2)]
        if others and all(_names_contact(c.text[: m.start()], ctx) for m in others):
            # "Markus ist alleiniger Geschäftsführer und unterschreibt Verträge selbst": the role that signs is the
            # contact's own, named as the sentence's subject
            out.append(_clause_finding("yes", c, 0.82, "the contact is the one who signs or decides"))
            continue
        if others:
            out.append(_clause_finding("no", c, 0.82, "someone else signs or approves"))
            continue
        third = lx.AUTHORITY_THIRD.search(c.text)
        if third and not c.hedge and not negated_near(c.text, third.start(), before=3):
            # "The owner asked me to find one and he will approve it": the lead speaking in the first person, quoted
            # in a note or written in a form, means a third person is somebody else
            first_person = lx.FIRST_PERSON.search(c.text) is not None
            if c.unit.source == "notes" and _about_contact(c.text[: third.start()]) and not first_person:
                out.append(_clause_finding("yes", c, 0.82, "the note says the contact signs or decides"))
            elif c.unit.source in ("form", "transcript") or first_person:
                out.append(_clause_finding("no", c, 0.8, "the lead says someone else signs or decides"))
            continue
        for m in lx.AUTHORITY_YES.finditer(c.text):
            if c.hedge:
                # "I think I can approve it myself, but I might need to loop in our CEO": a statement about
                # signing authority wins over the title, and a hedged one is unknown.
                if _about_contact(c.text[: m.start()]):
                    out.append(Finding("unknown", c.unit, c.text, 0.5, f"hedged ('{c.hedge}')", c.order))
                break
            if negated_near(c.text, m.start(), before=3) or re.search(r"\bnot\b", c.text[m.start() : m.end()]):
                out.append(_clause_finding("no", c, 0.8, "says the contact cannot sign or decide"))
            elif _about_contact(c.text[: m.start()]):
                out.append(_clause_finding("yes", c, 0.82, "the contact signs or decides"))
            break
    if out:
        return out
    student = _SELF_STATEMENTS["student"]
    for c in ctx.facts.clauses:
        if c.unit.source in ("form", "notes") and not c.past and not c.hedge and student.search(c.text):
            return [_clause_finding("no", c, 0.78, "the contact says they are a student: not a buyer")]
    title = ctx.field("person.title")
    if title is None:
        return []
    raw = str(title[0])
    level, _ = seniority(raw)
    norm = normalise_title(raw)
    named = [normalise_title(v) for v in spec.values]
    if level == "student" or re.search(
        r"\b(assistant|intern|trainee|coordinator|technician|buyer|clerk|"
        r"koordinator\w*|assistent\w*|asistente|assistente|stagiaire|technik)\b",
        norm,
    ):
        return [_field_finding("no", title[1], 0.78, f"'{raw}' is not a decision-making role")]
    if _C_GENERAL.search(THING_OWNER.sub(" ", norm)) or level == "c_level":
        return [_field_finding("yes", title[1], 0.8, f"'{raw}' is a top executive")]
    function_named = [
        n
        for n in named
        if not re.fullmatch(
            r"(c level|c suite|vice president|director|head of|owner|"
            r"founder|executive|manager|senior|decision maker)",
            n,
        )
    ]
    if function_named:
        # The same function at the named role's level or above: "Operations Lead" is not the "director of operations"
        if any(
            (n in norm or _overlap(norm, n) >= 0.5) and _RANK[level] >= _RANK[seniority(n)[0]] for n in function_named
        ):
            return [_field_finding("yes", title[1], 0.75, f"'{raw}' is one of the named roles")]
        # The same function in another language: "Directora Comercial" heads sales, "Kierownik Utrzymania Ruchu"
        # maintenance. A senior title of another known function is not a named role; of an unknown one, unknown.
        own = department(raw)[0]
        theirs = {department(n)[0] for n in function_named} - {"other"}
        if level in ("vp", "director") and own != "other" and own in theirs:
            return [_field_finding("yes", title[1], 0.72, f"'{raw}' heads the {own} function the question names")]
        if level in ("vp", "director") and own != "other" and theirs and own not in theirs:
            return [_field_finding("no", title[1], 0.55, f"'{raw}' is senior but not one of the named roles")]
        if level in ("vp", "director") and not any(n.split()[0] in norm for n in function_named) and own == "other":
            return []
    if level in ("vp", "director"):
        return [_field_finding("yes", title[1], 0.75, f"'{raw}' is a senior role")]
    if level == "individual" and not lx.GENERIC_TITLE.search(raw):
        return [_field_finding("no", title[1], 0.65, f"'{raw}' is an individual contributor")]
    return []


_RANK = {"unknown": 0, "student": 0, "individual": 1, "manager": 2, "director": 3, "vp": 4, "c_level": 5}


def _names_contact(head: str, ctx: Context) -> bool:
    """Whether the words before a role that signs name the contact as its holder: "Markus ist alleiniger …", "Ana is
    the owner and signs", "I am the CFO and approve"."""
    name = ctx.lead.person.name if ctx.lead.person else None
    names = re.findall(r"[^\W\d_]{3,}", name or "")
    subject = re.search(
        r"^\W*(?P<who>[^\W\d_]+)(?:'s)?\s+(?:is|ist|est|es|è|e|é|jest|je|i'm|am|bin|soy|sou|sono|ben)\b"
        r"(?:\s+[^\W\d_]+){0,3}\W*$",
        head,
        re.I,
    )
    if subject is None:
        return bool(
            re.fullmatch(
                r"\W*(?:i'?m|i am|ich bin|je suis|soy|sou|sono|ik ben|jestem|jsem)\s+(?:\w+\s+){0,3}", head, re.I
            )
        )
    who = subject.group("who").lower()
    return who in ("i", "ich", "je", "yo", "eu", "io", "ik", "ja", "já") or any(who == n.lower() for n in names)


def _about_contact(head: str) -> bool:
    """Whether a statement before a verb is about the contact (I / she / the name), not a third party."""
    return not re.search(
        r"\b(boss|manager|cfo|ceo|owner|board|director|they|parent|hq|head office)\W*\w*\W*$", head, re.I
    )


# --- budget and timeline ---------------------------------------------------------------------------------------------

_BUDGET = re.compile(
    r"\b(budget\w*|spend\w*|afford|allocated|earmarked|set aside|funding|funded|money|invest\w*|"
    r"pay|price|cost|approved|sign(?:ed)?[- ]off|line item|opex|capex|Budget\w*|presupuesto|or[çc]amento|"
    r"rozpo[čc]et\w*|bud[żz]et\w*|begroting|geld|Mittel|fondi|fonds|budżet|prix|precio|preço)\b",
    re.I,
)
# A signing limit: "I can sign off up to €15k", "approves anything under 10k", "darf bis zu 20.000 € freigeben".
_SIGNING_LIMIT = re.compile(
    r"\b(?:sign(?:s|ing)?(?:[- ]off)?|approv\w*|freigeben|unterschreiben|valider|signer|aprobar|firmar|aprovar|"
    r"assinar|approvare|firmare|goedkeuren|tekenen|zatwierdz\w*|podpis\w*|schv[áa]lit)\s+(?:[\w']+\s+){0,3}?"
    r"(?:up to|under|below|anything (?:under|below|up to)|bis zu|jusqu'[àa]|hasta|at[ée]|fino a|tot|do)\b",
    re.I,
)
_OTHER_PURPOSE = re.compile(
    r"\bfor (?:the |our |a |an |new )?(?P<what>[\w\- ]{3,40}?)(?:[,.;(]|$| this| next| but| and)", re.I
)
_GENERIC_PURPOSE = re.compile(  # "for 10 seats": a count of what is bought is not another purpose
    r"^(?:(?:all |each |every |the |our )?\d[\d,.]*\s+\w+|this|it|that|(?:the |a |our )?budget|tooling|tools?|software|a (?:new )?(?:tool|solution|system|platform)|"
    r"the (?:project|tool|solution|switch|rollout)|project|solution|platform|system|(?:the )?year|"
    r"next year|this year|20\d\d|q[1-4]|licen[cs]es?|seats?|users?|implementation|a new|"
    r"new (?:tool|solution|system|platform|software|app)s?(?!\w))",
    re.I,
)
_BUDGET_NO = re.compile(
    r"\b(no budget|(?:there'?s |there is )?none this (?:fiscal |financial )?year|nothing this year|"
    r"nothing (?:set aside|budgeted|allocated)|budget (?:is )?(?:frozen|gone|spent|zero)|"
    r"can'?t (?:spend|afford)|no money|haven'?t (?:got|asked for) (?:a |any )?budget|not budgeted|"
    r"no funds?|kein(?:e|en)? (?:Budget|Geld)|pas de budget|sin presupuesto|sem or[çc]amento|"
    r"nessun budget|geen budget|brak bud[żz]etu|nem[áa]me (?:[žz][áa]dn[ýy] )?rozpo[čc]et)\b",
    re.I,
)


def _purpose_ok(c: Clause, spec: QuestionSpec, ctx: Context) -> bool:
    """A budget clause is about the seller's category unless it names another purpose."""
    m = _OTHER_PURPOSE.search(c.text)
    if not m or _GENERIC_PURPOSE.match(m.group("what").strip()):
        return True
    topic = spec.topic or ctx.seller.category or ctx.seller.product
    what = m.group("what")
    return _overlap(what, f"{topic} {ctx.seller.product}") > 0 or ctx.cosine(what, topic) >= 0.42


_APPROVED = re.compile(
    r"\b(approved|allocated|earmarked|set aside|signed off|in the budget|budgeted|funded|committed|"
    r"genehmigt|bewilligt|freigegeben|approuv[ée]e?s?|valid[ée]e?s?|allou[ée]e?s?|aprobad[oa]s?|asignad[oa]s?|"
    r"aprovad[oa]s?|approvat[oaie]|stanziat[oaie]|goedgekeurd|toegekend|vrijgemaakt|zatwierdzon\w*|przyznan\w*|"
    r"schv[áa]len\w*|vy[čc]len[ěe]n\w*)\b",
    re.I,
)


def decide_budget(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    out = []
    for c in ctx.facts.clauses:
        if c.unit.source == "event":
            continue
        text_cue = _BUDGET.search(c.text)
        cue = text_cue or (c.context and _BUDGET.search(c.context))
        amounts_here = money(c.text)
        if not cue and not (
            amounts_here
            and (
                c.context
                or any(m.period_days for m in amounts_here)
                or re.search(r"\bfor (?:this|it|that)\b", c.text, re.I)
            )
        ):
            continue
        if not _purpose_ok(c, spec, ctx):
            continue
        limit = _SIGNING_LIMIT.search(c.text)
        if (
            limit is not None
            and not any(m.period_days for m in amounts_here)
            and all(limit.start() <= b.start() < limit.end() for b in _BUDGET.finditer(c.text))
        ):
            continue  # "I can sign off up to €15k myself": how much the contact may approve, not a budget
        if (
            _BUDGET_NO.search(c.text)
            or frozen(c.text)
            or (text_cue and negated_near(c.text, text_cue.start(), before=4))
        ):
            if not c.hedge:
                out.append(_clause_finding("no", c, 0.85, "says there is no budget for it"))
            continue
        if c.hedge:
            out.append(Finding("unknown", c.unit, c.text, 0.55, f"hedged ('{c.hedge}')", c.order))
            continue
        if spec.low is not None and amounts_here:
            for m in amounts_here:
                if m.one_off and spec.period_days:
                    continue
                low, high = annualise(m, spec.period_days)
                if low == 0 and high not in (0, INF):
                    # "will approve up to $500 a month": a budget's ceiling is what can be spent
                    low = high
                out.append(_cmp_finding(spec, low, high, c, c.unit, c.text, "stated budget", 0.85))
                break
        elif spec.low is None and (amounts_here or _APPROVED.search(c.text)):
            status = _APPROVED.search(c.text)
            if re.search(r"\b(not yet|still (?:need|to be)|estimate|pending|hasn'?t been)\b", c.text, re.I) or (
                not amounts_here and status and negated_near(c.text, status.start(), before=3)
            ):
                out.append(_clause_finding("no", c, 0.7, "budget not yet approved"))
            else:
                out.append(_clause_finding("yes", c, 0.82, "budget stated"))
    return out


_ACTION = re.compile(
    r"\b(live|launch\w*|roll\w*|switch\w*|start\w*|buy\w*|purchas\w*|decid\w*|decision|sign\w*|implement\w*|"
    r"deploy\w*|replace\w*|migrat\w*|move|moving|onboard\w*|up and running|in place|kick\w*|go|need|want|"
    r"umgestellt|eingef[üu]hrt|gestartet|gewechselt|"
    r"plan\w*|deadline|timeline|target|by|before|within|einf[üu]hr\w*|umstell\w*|starten|lancer|mise en place|"
    r"d[ée]ploy\w*|implementar|implantar|arrancar|lanzar|avviare|implementare|invoeren|overstappen|wdro[żz]\w*|"
    r"uruchom\w*|spustit|nasadit|zav[ée]st|comprar|compra|kaufen|kauf|acheter|achat|acquistare|acquisto|kopen|"
    r"kupi\w*|zakup\w*|koupit|n[áa]kup\w*|Einf[üu]hrung|Start|lancement|partire|avvio|arranque|lan[çc]amento|"
    r"go-?live|wdro[żz]eni\w*|spu[šs]t[ěe]n[íi]|termin|deadline|prazo|plazo|scadenza|fecha|data|"
    # going live and planning, as nouns and participles: "mise en service visée au 1er mars", "Inbetriebnahme geplant"
    r"mise en (?:service|production|route)|d[ée]marrage|bascule\w*|vis[ée]e?s?|pr[ée]vue?s?|Inbetriebnahme|"
    r"Produktivstart|Livegang|geplant|puesta en marcha|previst[oa]s?|entrada em produ[çc][ãa]o|messa in produzione|"
    r"ingebruikname|livegang|gepland|planowan\w*|pl[áa]novan\w*|nasazen[íi]|"
    # starting, switching and wanting to, in the other languages: "démarrer d'ici 3 mois", "queremos mudar até abril"
    r"d[ée]marrer|commencer|basculer|empezar|comenzar|cambiar|mudar|come[çc]ar|trocar|migrar|iniziare|cominciare|"
    r"passare|cambiare|beginnen|wisselen|wechseln|anfangen|ruszy[ćc]|rozpocz\w*|zacz\w*|przej[śs][ćc]|za[čc][íi]t|"
    r"p[řr]ej[íi]t|wollen|voulons|queremos|vogliamo|willen|chcemy|chceme|"
    r"operativ\w*|op[ée]rationnel\w*|operacional\w*|operational|in Betrieb|"
    # a switch as a noun: "ein Wechsel ist frühestens 2028 realistisch", "un changement", "un cambio"
    r"Wechsel|Umstieg|changement|cambio|mudan[çc]a|cambiamento|overstap|zmiana|zm[ěe]na|p[řr]echod)\b",
    re.I,
)
_NO_TIMELINE = re.compile(
    r"\b(no (?:real )?(?:timeline|rush|deadline|urgency|timeframe)|just (?:researching|exploring|"
    r"looking|browsing)|not (?:a priority|urgent|this year)|nothing urgent|no plans?|"
    r"not (?:changing|switching|moving|buying|replacing)(?: anything| tools?| systems?| providers?)? this year|"
    # no project this year, and "not this year" in the other languages (ANSWERS.md: "pas de projet cette année")
    r"no (?:project|plans?) (?:this year|for now)|pas de projet|aucun projet|kein(?:e)? (?:projekt|vorhaben|pl[äa]ne)|"
    r"dieses jahr nicht|pas cette ann[ée]e|este a[ñn]o no|no (?:hay|tenemos) (?:ning[úu]n )?proyecto|sem projeto|"
    r"nenhum projeto|nessun progetto|quest'anno no|geen project|dit jaar niet|brak projektu|nie w tym roku|"
    r"[žz][áa]dn[ýy] projekt|letos ne|"
    r"keine eile|pas press[ée]|sin prisa|sem pressa|nessuna fretta|geen haast|nie spieszy|nesp[ěe]ch[áa]|"
    r"no (?:hay|tienen|tenemos|tiene) prisa|n[ãa]o (?:h[áa]|temos|t[êe]m|tem) pressa|(?:ne sont|ne sommes|n'est) pas "
    r"press[ée]s?|rien ne presse|non (?:c'[èe]|abbiamo|hanno|ha) fretta|nie ma po[śs]piechu|nem[áa] to sp[ěe]ch|"
    r"nen[íi] to (?:nal[ée]hav[ée]|sp[ěe]ch)|"
    # "for now we are not planning it": "na razie nie planujemy", "aktuell nicht geplant", "pour l'instant rien de prévu"
    r"nie planujemy|nicht geplant|planen (?:wir )?(?:derzeit |aktuell )?nicht|rien de pr[ée]vu|pas (?:encore )?pr[ée]vu|"
    r"no (?:lo )?(?:planeamos|tenemos previsto)|n[ãa]o (?:planejamos|planeamos|temos previsto)|non (?:lo )?prevediamo|"
    r"niet gepland|plannen (?:we )?(?:nog )?niet|nepl[áa]nujeme)\b",
    re.I,
)


_LABEL_AFTER = re.compile(
    r"^\s*(?:\d{4}\s*)?(?:[\w-]+\s+){0,2}?(?:call|meeting|discovery|demo|notes?|update|e-?mail|chat|visit|sync|"
    r"check-?in|follow-?up|anruf|gespr[äa]ch|appel|r[ée]union|llamada|reuni[óo]n|chiamata|telefoon|rozmowa|hovor)?\s*[:\-–—]",
    re.I,
)


def _dated_label(clause: str, when: str) -> bool:
    """'Nov 18 call: …', '11/02 - …', '2026-11-12: …': a date heading what happened then, never a target date."""
    at = clause.find(when)
    return 0 <= at <= 3 and bool(_LABEL_AFTER.match(clause[at + len(when) :]))


def _bare_timeframe(text: str, whens: list[When]) -> bool:
    """A clause that is nothing but a timeframe ("Só depois do Carnaval, lá para abril ou maio"): an answer to 'when',
    as a lead's note gives it, not a date about something else ("founded in 2019", "the contract we signed in May")."""
    rest = english_time(text)
    for w in whens:
        rest = rest.replace(w.text, " ")
    return len(re.findall(r"[^\W\d_]{3,}", rest)) <= 2


# How long something takes, not when it happens: "reguliert wird im Schnitt in drei Tagen", "onboarding usually takes
# about two weeks", "on traite une demande en moyenne en 5 jours".
_TAKES = re.compile(
    r"\b(?:on average|average|avg|typically|usually|normally|takes?|took|taking|lasts?|im schnitt|durchschnittlich|"
    r"normalerweise|meistens|dauer\w*|en moyenne|prend\w*|dure\w*|en promedio|promedio|normalmente|tarda\w*|dura\w*|"
    r"em m[ée]dia|leva\w*|in media|di solito|richied\w*|gemiddeld|meestal|duur\w*|[śs]rednio|zazwyczaj|zajmuj\w*|"
    r"trwa\w*|pr[ůu]m[ěe]rn[ěe]|obvykle|trv[áa]\w*)\b",
    re.I,
)


def _takes(said: str, when: str) -> bool:
    """A relative span ('in 3 days') said as the time a process takes rather than as a date to act by; `said` is the
    clause in English time words, digitised (as `dates` reads it)."""
    at = said.find(when)
    if at < 0 or not re.match(r"(?:in|within)\s+\d", when, re.I):
        return False
    return bool(_TAKES.search(said[max(0, at - 40) : at + len(when) + 25]))


_RANGE_JOIN = re.compile(
    r"\s*(?:and|to|or|-|–|—|/|through|till|until|bis|oder|und|à|a|au|ou|et|y|o|e|en|of|tot|i|lub|albo|do|nebo|až)\s*",
    re.I,
)


def _joined(said: str, first: When, second: When) -> bool:
    """Two timeframes written as one range or as alternatives ("February and May", "April or May", "Q1-Q2")."""
    a, b = said.find(first.text), said.find(second.text)
    return 0 <= a and a + len(first.text) <= b and bool(_RANGE_JOIN.fullmatch(said[a + len(first.text) : b]))


def decide_timeline(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    ref = ctx.ref.date()
    window = spec.window_days
    if window is None and spec.deadline:
        found = dates(spec.deadline, ref)
        window = float((found[0].end - ref).days) if found else None
    if window is None:
        return []
    out = []
    for c in ctx.facts.clauses:
        if c.unit.source == "event":
            continue
        calm = _NO_TIMELINE.search(c.text)
        if calm and (not c.hedge or c.text.lower().find(c.hedge.lower()) > calm.end()):
            # "No rush, maybe next year": a hedge after it qualifies the later date, not the "no rush"
            out.append(_clause_finding("no", c, 0.75, "no timeline: just researching"))
            continue
        said = english_time(c.text)
        digits = digitise(said)
        whens = [w for w in dates(c.text, ref) if not _dated_label(c.text, w.text) and not _takes(digits, w.text)]
        bare = c.unit.source in ("form", "notes") and _bare_timeframe(c.text, whens)
        if not whens or not (_ACTION.search(c.text) or c.context or bare):
            continue
        w = whens[0]
        low, high = w.days(ref)
        later = [v for v in whens if w.open_ended and not v.open_ended and v.start >= w.start]
        if later:  # "after Carnival, around April or May": the months narrow "from Carnival on"
            low, high = min(v.days(ref)[0] for v in later), max(v.days(ref)[1] for v in later)
            w = max(later, key=lambda v: v.end)
        elif len(whens) > 1 and not w.open_ended and _joined(said, w, whens[1]):
            # "between February and May", "April or May", "Q1–Q2": the whole span, which may straddle the window
            low, high = w.days(ref)[0], max(w.days(ref)[1], whens[1].days(ref)[1])
            w = max(w, whens[1], key=lambda v: v.end)
        if c.hedge:
            out.append(Finding("unknown", c.unit, c.text, 0.5, f"hedged timeframe ('{c.hedge}')", c.order))
            continue
        at = max(said.find(w.text), 0)
        head = said[:at]
        if (negated_near(said, at, before=3) or (has_negation(head) and _ACTION.search(head))) and high != INF:
            low, high = high, INF  # "not before March", "no van a comprar nada en los próximos 12 meses"
        value = w.end.isoformat()
        if high <= window and low >= -1:
            out.append(_clause_finding("yes", c, 0.82, f"{w.text} ({value}) is within {window:.0f} days", value))
        elif low > window:
            out.append(_clause_finding("no", c, 0.82, f"{w.text} ({value}) is after {window:.0f} days", value))
        else:
            out.append(Finding("unknown", c.unit, c.text, 0.55, f"{w.text} spans the {window:.0f}-day window", c.order))
    return out


# --- pain and generic text -------------------------------------------------------------------------------------------


# "never drops below 500 tickets", "ne descend jamais sous 500", "nie spada poniżej 200": a negation before "below N" is a
# floor — at least N — so it tells the size of the problem, not that there is none.
_NEVER_BELOW = re.compile(
    r"\b(?:never|not|no|jamais|pas|nie|nicht|nunca|nooit|mai|nikdy)\b[^.;]{0,25}?\b(?:below|under|less than|fewer than|"
    r"sous|en dessous d[eu']|au-dessous d[eu']|unter|weniger als|por debajo de|menos de|abaixo de|sotto|meno di|onder|"
    r"minder dan|poni[żz]ej|pod|m[ée]n[ěe] ne[žz])\s*\d",
    re.I,
)
# Not being able to (know, see, explain, keep up): a problem stated with a negation. "Don't know if …" is a hedge, not this.
_INABILITY = re.compile(
    r"\b(?:can'?t|cannot|can not|unable to|no way to|(?:don'?t|do not|never) know (?:what|how|why|where|which|when)|"
    # a failure that happened: "in the audit we couldn't produce sign-off records"
    r"couldn'?t|could not|(?:was|were)n'?t able to|(?:was|were) not able to|konnten (?:\w+ )?nicht|"
    r"n'avons pas pu|n'a pas pu|no pudimos|no pudieron|n[ãa]o conseguimos|n[ãa]o pudemos|non siamo riusciti|"
    r"konden (?:\w+ )?niet|nie mogli[śs]my|nie uda[łl]o (?:nam )?si[ęe]|nemohli jsme|nepoda[řr]ilo se|"
    r"no (?:visibility|idea (?:what|how|why|where|which))|"
    r"no sabemos (?:qu[ée]|cu[áa]n\w*|c[óo]mo|por qu[ée]|d[óo]nde)|no podemos|no conseguimos|"
    r"n[ãa]o sabemos (?:o que|quanto|como|porque|onde)|n[ãa]o conseguimos|n[ãa]o podemos|"
    r"(?:nous ne savons pas|on ne sait pas) (?:ce que|combien|comment|pourquoi|o[ùu])|impossible de|"
    r"(?:nous )?n'arrivons pas|on n'arrive pas|"
    r"wir wissen nicht,? (?:was|wie|warum|wo|welche)|wir k[öo]nnen nicht|"
    r"non sappiamo (?:cosa|quanto|come|perch[ée]|dove)|non riusciamo|non possiamo|"
    r"we weten niet (?:wat|hoeveel|hoe|waarom|waar)|we kunnen niet|"
    r"nie wiemy,? (?:co|ile|jak|dlaczego|gdzie)|nie mo[żz]emy|nie potrafimy|"
    r"nev[íi]me,? (?:co|kolik|jak|pro[čc]|kde)|nem[ůu][žz]eme)\b",
    re.I,
)


# A clause that opens by denying having something: "No tenemos atrasos en los tickets", "We don't have any backlog",
# "Wir haben keinen Rückstau", "Nie mamy zaległości": the denial covers what follows.
_HAVE_NONE = re.compile(
    r"^\W*(?:(?:we|i)\s+(?:really\s+)?(?:don'?t|do not|never)\s+have|there (?:is|are) no|(?:we|i) have no|"
    r"no\s+(?:tenemos|tengo|hay|temos|tenho|h[áa])|non\s+(?:abbiamo|ho|c'[èe]|ci sono)|nie\s+(?:mamy|mam|ma)|"
    r"nem[áa]me|nem[áa]m|nen[íi]|wir haben kein\w*|ich habe kein\w*|es gibt kein\w*|nous n'avons|on n'a|je n'ai|il n'y a|"
    r"we hebben geen|ik heb geen|er (?:is|zijn) geen)\b",
    re.I,
)


# Seldom is next to never: "we rarely have last-minute changes" denies the pain its scope covers.
_RARELY = re.compile(
    r"\b(?:rarely|seldom|hardly ever|selten|kaum|rarement|rara vez|raramente|raras veces|di rado|zelden|rzadko|"
    r"z[řr][íi]dka|m[áa]lokdy)\b",
    re.I,
)


_PEOPLE_COUNT = re.compile(r"\d[\d.,]*((?:\s+[^\W\d_]+){1,3})")


def _sized_only(text: str) -> bool:
    """A clause that counts people ("40 support staff across two offices") or only says how many things there are
    ("We have 120 vehicles.") and says nothing is wrong: a size, not a pain."""
    said = digitise(text)
    counts = list(_PEOPLE_COUNT.finditer(said))
    counted = any(w in _HEADCOUNT_NOUNS for m in counts for w in m.group(1).lower().split())
    if not counted and len(counts) == 1:
        rest = (said[: counts[0].start()] + " " + said[counts[0].end() :]).lower()
        counted = all(w in _BARE_COUNT_WORDS for w in re.findall(r"[^\W\d_]+", rest))
    return counted and not (lx.PAIN.search(text) or _INABILITY.search(text))


# What a clause that only states a count is made of besides the count: "We have 120 vehicles.", "There are about 300 of them"
_BARE_COUNT_WORDS = frozenset(
    """we our us they their have has had run runs operate operates own owns there are is about around roughly
    approximately nearly almost over some total in currently today now of""".split()
)


def _as_not(text: str) -> str:
    """The text with each 'rarely' written as 'not', every other character where it was."""
    return _RARELY.sub(lambda m: "not".ljust(len(m.group(0))), text)


def _negation_covers(text: str, topic: str) -> bool:
    """Whether a negator stands just before a pain word or one of the topic's own words in the clause."""
    if _HAVE_NONE.search(text) and not lx.CONTRAST.search(text):
        return True
    targets = [m.start() for m in lx.PAIN.finditer(text)]
    stems = _stems(topic, 4)
    targets += [m.start() for m in re.finditer(r"[^\W\d_]{4,}", text) if _fold(m.group(0))[:6] in stems]
    return any(negated_near(text, at, before=4) for at in targets)


FOREIGN_PAIN_SLACK = 0.15
# English function words ("we" and "is" left out: Dutch has them too)
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|with|our|are|but|of|for|to|it|they|their|has|have)\b", re.I)


def _by_meaning(topic: str, ctx: Context, *, min_sim: float = 0.45, across: bool = False) -> list[Finding]:
    clauses = ctx.facts.clauses
    if not clauses or not topic:
        return []
    sims = ctx.across(topic) if across else ctx.related(topic)
    pain_topic = bool(lx.PAIN.search(topic))
    foreign = ctx.across(topic) if pain_topic else None  # > -1 for a clause the English model cannot read
    # Enrichment facts (a domain, a title, a flag) are never what a lead says of itself: out of the ranking, so they
    # cannot crowd the lead's own sentences out of the closest three.
    sims = np.where([c.unit.source == "enrichment" for c in clauses], -np.inf, sims)
    out = []
    for i in np.argsort(-sims)[:3]:
        c = clauses[int(i)]
        sim = float(sims[int(i)])
        if sim == -np.inf:
            break
        shared = _shared_stems(c.text, topic)
        # In another language a pain word stands in for the shared words: the cross-language model puts such clauses
        # ("Faktury dopravců kontrolujeme ručně") at 0.3-0.45 from the question, and other pains at 0.1-0.25.
        foreign_pain = (
            foreign is not None
            and bool(lx.PAIN.search(c.text))
            and foreign[int(i)] > -1
            and not _ENGLISH_WORDS.search(c.text)
            and not c.text.rstrip().endswith("?")  # "Stillstände?" asks; it does not say
            and sim >= min_sim - FOREIGN_PAIN_SLACK
        )
        if sim < min_sim and not (shared and sim >= min_sim - 0.2) and not foreign_pain:
            continue
        if c.hedge:
            out.append(Finding("unknown", c.unit, c.text, 0.5, f"hedged ('{c.hedge}')", c.order))
            continue
        said = _as_not(c.text) if pain_topic else c.text  # "we rarely have last-minute changes"
        happy = lx.CONTENT.search(c.text)
        # "never under control", "not happy with it": a content phrase under a negation tells the pain
        content = happy is not None and (
            c.unit.source == "transcript" or not negated_near(said, happy.start(), before=3)
        )
        negated = has_negation(said)
        if pain_topic and not content and _INABILITY.search(c.text):
            # "we can't explain why", "no sabemos cuánto nos cuesta cada plato": not being able to is the pain
            out.append(_clause_finding("yes", c, 0.72 if sim >= min_sim + 0.1 else 0.62, "says it cannot"))
            break
        # A negation denies the pain only where its scope covers the pain or the topic's own words ("we don't have a
        # backlog", "downtime is not a problem"); elsewhere in the clause it is part of how the pain is told ("the
        # rota is never current", "nobody else can edit them"). Calls keep their earlier reading, measured on the
        # call benchmark: a negated clause whose first part names the pain is a yes.
        if c.unit.source == "transcript":
            denied = negated and not (bool(lx.PAIN.search(c.text.split(",")[0])) and not content)
        elif pain_topic:
            denied = negated and _negation_covers(said, topic) and not _NEVER_BELOW.search(c.text)
        else:  # what a business is: "no product of their own" denies being a software company
            denied = negated
        gone = lx.NO_LONGER.search(c.text)
        if gone and not re.search(
            r"\b(?:still|again|now|today|noch|immer noch|encore|todav[íi]a|ainda|ancora|nog)\b", c.text, re.I
        ):
            # "We used to do it all on paper" (and now Jobber): what was so is not so today
            out.append(_clause_finding("no", c, 0.68, f"was so in the past ('{gone.group(0)}'), not today"))
        elif content and pain_topic or denied:
            out.append(_clause_finding("no", c, 0.7, "says it is not the case"))
        elif pain_topic and _sized_only(c.text):
            # how many people there are ("40 support staff across two offices") names the topic's people, not a pain
            continue
        else:
            out.append(_clause_finding("yes", c, 0.72 if sim >= min_sim + 0.1 else 0.62, "says so"))
        break
    return out


# A form field that asks for the lead's problem ("Biggest challenge?", "Z czym się zmagacie?", "Jaki jest główny
# problem?"): what is written there is a pain the lead names.
_CHALLENGE_FIELD = re.compile(
    r"\b(?:challenges?|problems?|pain(?: points?)?|struggl\w*|issues?|frustrat\w*|"
    r"herausforderung\w*|probleme?|schwierigkeit\w*|d[ée]fis?|probl[èe]mes?|difficult[ée]s?|"
    r"retos?|desaf[íi]os?|problemas?|dificultad\w*|dificuldade\w*|sfid[ae]|problemi|difficolt[àa]|"
    r"uitdaging\w*|proble(?:em|men)|wyzwani\w*|problem(?:y|em)?|zmaga\w*|v[ýy]zv\w*|probl[ée]m\w*|pot[íi][žz]\w*)\b",
    re.I,
)
# An answer that there is none: "None", "Keine, alles läuft gut", "Aucun", "Ninguno", "Nada", "Geen", "Żadnych", "Žádné"
_NONE_AT_ALL = re.compile(
    r"^\W*(?:none|nothing|no problems?|keine\w*|nichts|aucune?|rien|ningun[oa]?|nada|nenhum[a]?|nessun[oa]?|niente|"
    r"geen|niets|[żz]adn\w*|nic|[žz][áa]dn\w*)\s*(?:[,.;:!–—-]|$)",  # a word on its own: "None of us can keep up" is not
    re.I,
)
CHALLENGE_MIN = 0.15  # least closeness to the pain asked about at which a challenge named in another language counts


def decide_pain(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    found = _by_meaning(spec.topic or "", ctx)
    return found or _named_challenge(spec.topic or "", ctx)


def _named_challenge(topic: str, ctx: Context) -> list[Finding]:
    """A pain told in another language, in answer to a form field asking for the lead's problem: the cross-language
    model reads such text poorly, but the field says it is the problem the lead has. Low confidence; never for a
    clause that is hedged, denies the problem, says all is fine or is the past."""
    clauses = ctx.facts.clauses
    if not clauses or not topic:
        return []
    sims = ctx.across(topic)
    for i, c in enumerate(clauses):
        if c.unit.source != "form" or not _CHALLENGE_FIELD.search(c.context):  # the key as words: "biggest_challenge"
            continue
        if _NONE_AT_ALL.match(c.unit.text):
            # the field asks for the problem and the answer is that there is none: "Keine, alles läuft gut."
            return [_clause_finding("no", c, 0.62, f"says there is none, asked '{c.unit.ref[:60]}'")]
        if sims[i] < CHALLENGE_MIN:
            continue
        if c.hedge or c.past or has_negation(c.text) or lx.CONTENT.search(c.text) or lx.NO_LONGER.search(c.text):
            continue
        return [_clause_finding("yes", c, 0.62, f"names it as their problem, asked '{c.unit.ref[:60]}'")]
    return []


# --- intent events ---------------------------------------------------------------------------------------------------

_INTENT_EVENTS = {
    "demo_request",
    "trial_signup",
    "trial_start",
    "pricing_page_view",
    "contact_sales",
    "meeting_booked",
    "comparison_page_view",
    "free_trial",
    "quote_request",
}


def decide_intent(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    wanted = {v.split(":")[0]: int(v.split(":")[1]) if ":" in v else 1 for v in spec.values} or {
        t: 1 for t in _INTENT_EVENTS
    }
    window = spec.window_days or 30.0
    since = ctx.ref - timedelta(days=window)
    asked = _asks_now(ctx, window) if ctx.ref - timedelta(hours=12) <= (ctx.lead.received_at or ctx.ref) else None
    for kind, need in wanted.items():
        if asked is not None and need <= 1 and kind.split("_")[0] in ("demo", "trial", "free", "meeting"):
            return [_clause_finding("yes", asked, 0.8, f"asks for a {kind.split('_')[0]} in the lead's own words")]
        stem = kind.split("_")[0]
        hits = [
            (i, e)
            for i, e in enumerate(ctx.lead.events)
            if (e.type == kind or e.type.startswith(stem)) and since <= e.timestamp <= ctx.ref + timedelta(hours=12)
        ]
        if len(hits) >= need:
            i, e = hits[-1]
            unit = SourceText("event", str(i), render_event(e))
            return [
                Finding(
                    "yes",
                    unit,
                    unit.text,
                    0.9,
                    f"{len(hits)} {kind.replace('_', ' ')} event(s) in the last {window:.0f} days",
                    e.timestamp.timestamp(),
                )
            ]
    # No such event, and the lead says it does not want one ("please no demo or trial for now", "declined a demo"):
    # a direct no.
    for c in ctx.facts.clauses:
        if c.unit.source in ("event", "enrichment") or c.hedge:
            continue
        m = _ASKED_FOR.search(c.text)
        if m and (negated_near(c.text, m.start(), before=5) or _REFUSED.search(c.text[: m.start()])):
            return [_clause_finding("no", c, 0.75, "says it does not want a demo, trial or meeting now")]
    return []


def _asks_now(ctx: Context, window: float) -> Clause | None:
    """A form answer or note in which the lead asks for a demo or a trial (not said in the past, not negated, refused
    or hedged, not dated before the window): the request the lead came in with, in any language the cue list knows."""
    ref = ctx.ref.date()
    for c in ctx.facts.clauses:
        if c.unit.source not in ("form", "notes") or c.hedge or c.past:
            continue
        m = _DEMO_OR_TRIAL.search(c.text)
        if not m or negated_near(c.text, m.start(), before=5) or _REFUSED.search(c.text[: m.start()]):
            continue
        if any(_said_when(c.text, w, ref)[1] < -window for w in dates(c.text, ref)):
            continue  # "Requested a demo on 2 September" (in November): a request from before the window
        return c
    return None


_DONE = re.compile(
    r"\b(?:requested|asked|wanted|had|did|got|received|attended|watched|signed up|registered|started|took|came|"
    r"angefragt|wollte|hatte|demand[ée]e?|voulait|solicit[óo]|pidi[óo]|quer[íi]a|pediu|solicitou|chiese|richiest[oa]|"
    r"voleva|aangevraagd|vroeg|wilde|poprosi\w*|prosi[łl]\w*|chcia[łl]\w*|po[žz][áa]dal\w*|cht[ěe]l\w*)\b",
    re.I,
)


def _said_when(text: str, w: When, ref: date) -> tuple[float, float]:
    """Days from `ref` of a timeframe a clause names. A month without a year resolves ahead ("in August" said in
    November is next August), but said of something done ("Requested a demo in early August") it is the last one."""
    low, high = w.days(ref)
    if low > 120 and not re.search(r"20\d\d", w.text) and _DONE.search(text):
        return float((_year_before(w.start) - ref).days), float((_year_before(w.end) - ref).days)
    return low, high


def _year_before(d: date) -> date:
    return d.replace(year=d.year - 1, day=min(d.day, 28) if d.month == 2 else d.day)


# Turning something down: "declined a demo", "doesn't want a trial", "kein Interesse an einer Demo".
_REFUSED = re.compile(
    r"\b(declined|refused|turned down|rejected|no interest|not interested|doesn'?t want|don'?t want|does not want|"
    r"do not want|abgelehnt|kein(?:e|en)? interesse|will kein\w*|refus[ée]\w*|pas int[ée]ress[ée]\w*|ne veut pas|"
    r"rechaz\w+|no quiere\w*|no le interesa|recus\w+|n[ãa]o quer\w*|rifiut\w+|non vuole|non [èe] interessat\w*|"
    r"afgewezen|wil geen|odm[óo]wi\w+|nie chce|odm[íi]tl\w*|nechce)\b",
    re.I,
)


_DEMO_OR_TRIAL = re.compile(
    r"\b(demos?|(?:free )?trials?|D[ée]mo\w*|essai|prueba|demostraci[óo]n|teste|demonstra[çc][ãa]o|prova|Testversion|"
    r"proefperiode|pokaz|uk[áa]zk\w*)\b",
    re.I,
)

_ASKED_FOR = re.compile(
    r"\b(demos?|trials?|meetings?|calls?|walk-?through|sales (?:call|contact)|D[ée]mo\w*|essai|"
    r"prueba|demostraci[óo]n|teste|demonstra[çc][ãa]o|prova|Testversion|Termin|proefperiode|"
    r"pokaz|prezentac\w*|uk[áa]zk\w*)\b",
    re.I,
)


# --- disqualifiers ----------------------------------------------------------------------------------------------------

_SELF_STATEMENTS: dict[str, re.Pattern[str]] = {
    "student": re.compile(
        r"\b(i(?:'m| am) (?:a |an )?(?:\w+ )?(?:student|undergrad\w*|phd|doctoral|grad student)|"
        r"(?:my|our) (?:(?:master'?s|bachelor'?s|phd|doctoral|final|senior) )?(?:thesis|dissertation|coursework|course|class|capstone|assignment|school project|"
        r"university project|research project|professor)|for (?:a |my )?(?:class|course|thesis|uni|school)|"
        r"\bstudent\b|estudiante|[ée]tudiant\w*|studente|Student(?:in)?|Masterarbeit|Bachelorarbeit|"
        r"(?:master|bachelor|werk|austausch|erasmus|promotions)student(?:in)?|doktorand(?:in)?|"
        r"abschlussarbeit|diplomarbeit|doktorarbeit|"
        r"tese|tesis|tesi|m[ée]moire|scriptie|praca (?:magisterska|dyplomowa)|diplomov[áa] pr[áa]ce|"
        # Polish and Czech case forms: "jestem studentem", "jsem studentka", "piszę pracę magisterską",
        # "píšu diplomovou práci"
        r"student(?:ka|ky|kou|em|k[ąa]|ów)|prac[ęe] (?:magistersk\w+|dyplomow\w+|licencjack\w+)|"
        r"(?:diplomov|bakal[áa][řr]sk)\w+ pr[áa]c\w*)\b",
        re.I,
    ),
    "job_seeker": re.compile(
        r"\b(looking for (?:a |an )?(?:[\w-]+ ){0,3}?(?:job|role|position|work|opportunit\w+)|open (?:positions?|roles?)|"
        r"(?:is|are) (?:any ?one|you|your (?:team|company)) (?:still )?hiring|"
        r"(?:my|attached) (?:cv|resume|résumé)|apply(?:ing)? for|job application|hire me|"
        r"career opportunit\w+|internship|Bewerbung|Stelle|candidature|emploi|empleo|vaga|lavoro|"
        r"sollicitatie|vacature|praca|pr[áa]ce|zam[ěe]stn[áa]n[íi])\b",
        re.I,
    ),
    "partner": re.compile(
        r"\b(on behalf of (?:our|my|a) (?:clients?|customers?)|for (?:\w+ ){0,3}?(?:of )?(?:our|my) (?:\w+ )?"
        r"(?:clients?|customers?)|"
        r"(?:a|à|aos|ai|para|per|pour|f[üu]r|voor|dla|pro|en|bei|chez|presso|bij|nos|u) (?:nuestros|nossos|mis|meus|nos|mes|unsere|unseren|meinen|nostri|miei|onze|mijn|"
        r"naszych|moich|na[šs]e|na[šs]im) (?:\w+ )?(?:clientes|clients|clienti|Kunden|Mandanten|klanten|klient\w*)|"
        r"we(?:'re| are) (?:an? )?(?:agency|consultancy|consultants?|reseller|msp|integrator|partner|bureau|"
        r"accounting firm|payroll bureau|audit firm)|resell\w*|white[- ]label|referral partner|"
        # reselling, and "to our clients", in the other languages
        r"revend\w*|rivend\w*|weiterverkauf\w*|wiederverk[äa]uf\w*|doorverko\w*|odsprzeda\w*|p[řr]eprod\w*|"
        r"(?:naszym|moim) klientom|(?:na[šs]im|m[ýy]m) klient[ůu]m|a (?:nuestros|mis) clientes|aos (?:nossos|meus) clientes|"
        r"ai (?:nostri|miei) clienti|[àa] (?:nos|mes) clients|(?:unseren|meinen) Kunden|aan (?:onze|mijn) klanten|"
        r"(?:our|my) clients|für (?:unsere|meine) (?:kunden|mandanten)|pour (?:nos|mes) clients|"
        r"para (?:nuestros|nossos|mis|meus) clientes|per i (?:nostri|miei) clienti|voor (?:onze|mijn) klanten|"
        r"dla (?:naszych|moich) klient\w+|pro (?:na[šs]e|m[ée]) klienty|Steuerberat\w*|Mandanten|"
        # asking what a partner earns: "partner commission", "¿Tenéis comisión para partners?", "Partnerprovision"
        r"(?:partner|reseller|referral|affiliate)[- ]?(?:commission|program\w*|scheme|margin|discount)|"
        r"comisi[óo]n (?:para|de) (?:partners|socios|distribuidores|revendedores)|commissions? (?:pour les |de )?"
        r"(?:partenaires?|revendeurs?)|partnerprovision\w*|provision f[üu]r (?:partner|wiederverk[äa]ufer)|"
        r"comiss[ãa]o (?:para|de) (?:parceiros|revendedores)|commission[ei]? (?:per i )?partner|"
        r"partnerprogramma|program(?:u|ie)? partnersk\w*|partnersk\w+ program\w*)\b",
        re.I,
    ),
    "vendor_pitch": re.compile(
        r"\b(we (?:offer|provide|help companies|specialize|build|sell)|"
        r"we help (?:[\w-]+ ){0,4}?(?:companies|businesses|teams|brands|firms|agencies|startups)(?: like yours)?|"
        r"(?:companies|businesses|teams) like yours|done[- ]for[- ]you|"
        r"(?:would love|love to get|can i get|grab) (?:\d+|a few|fifteen|ten|twenty) (?:min\w*|mins) to (?:show|walk|tell|share)|"
        r"our (?:agency|services|"
        r"team can|company offers|platform helps)|partnership (?:opportunit\w+|proposal)|"
        r"would love to (?:show|offer|discuss how)|lead lists?|outsourc\w+|seo services|"
        r"can help you (?:grow|get|increase)|wir bieten|nous proposons|ofrecemos|oferecemos|offriamo|"
        r"wij bieden|oferujemy|nab[íi]z[íi]me|(?:to |wants? to |wanted to )?pitch(?:ing)? (?:us|you)|sell(?:ing)? us)\b",
        re.I,
    ),
}

# "Not buying for Northgate itself", "not for his own business", "nicht für das eigene Team": the lead says in so many
# words that the purchase is not for its own organisation — someone asking for others (clients) or not buying at all.
_NOT_FOR_OWN = re.compile(
    r"\b(?:not|never|nicht|pas|no|non|niet|nie|ne)\s+(?:(?!only|just|solely|nur|seulement|solo|s[óo]|alleen|tylko)\w+\s+){0,2}?"
    r"(?:for|für|pour|para|per|voor|dla|pro)\s+"
    r"(?:(?:the|its|his|her|their|our|my|das|die|den|ihr\w*|sein\w*|unser\w*|son|sa|ses|leur|notre|su|sus|nuestr\w*|"
    r"seu|sua|il|la|suo|hun|zijn|haar|onze|swo\w*|sv\w*)\s+)?"
    r"(?:own|eigen\w*|propre|propi\w*|pr[óo]pri\w*|wlasn\w*|własn\w*|vlastn\w*|\w+ (?:itself|themselves|himself|herself))\b",
    re.I,
)


# Having worked with the seller, in the nine languages: only its negation is read ("never worked with"); a bare
# "worked with" may be long ago.
_NEVER_WORKED_WITH = re.compile(
    r"\b(?:work(?:ed|ing)? with|(?:zusammen)?gearbeitet|(?:samen)?gewerkt|travaill[ée]\w*|trabajad[oa]|trabalhad[oa]|"
    r"lavorat[oa]|collaborat\w*|wsp[óo][łl]pracow\w*|spolupracoval\w*)\b",
    re.I,
)


def decide_disqualifier(spec: QuestionSpec, ctx: Context) -> list[Finding]:
    kinds = [k for k in spec.values if k in _SELF_STATEMENTS or k in ("student", "competitor_employee", "partner")] or [
        spec.kind
    ]
    if len(kinds) > 1:
        # "a student, a job hunter or someone pitching us": any one of them is a yes, and what the other kinds found
        # ("not a student", "asks for its own business") does not argue against it
        per_kind = [decide_disqualifier(spec.model_copy(update={"kind": k, "values": []}), ctx) for k in kinds]
        yes_kinds = [found for found in per_kind if any(f.answer == "yes" for f in found)]
        if yes_kinds:
            return [f for found in yes_kinds for f in found]
        # any one of them: a no needs every kind to be a no ("works at a logistics company, not a vendor" says
        # nothing of whether the contact is a student)
        if all(any(f.answer == "no" for f in found) for found in per_kind):
            return [f for found in per_kind for f in found]
        return [f for found in per_kind for f in found if f.answer == "unknown"]
    out: list[Finding] = []
    kind = spec.kind
    if kind == "student":
        title = ctx.field("person.title")
        if (
            title is not None
            and seniority(str(title[0]))[0] == "student"
            and re.search(r"stud|estud|[ée]tud|phd|doktor", normalise_title(str(title[0])))
        ):
            out.append(_field_finding("yes", title[1], 0.85, f"title '{title[0]}' is a student"))
        email = ctx.lead.person.email or ""
        if re.search(r"@(?:[\w-]+\.)*(?:edu|ac\.[a-z]{2}|edu\.[a-z]{2})$|@(?:student|stud|uni)[\w.-]*\.", email, re.I):
            out.append(
                _field_finding(
                    "yes", SourceText("enrichment", "email.domain", email.split("@")[1]), 0.8, "academic email domain"
                )
            )
    if kind == "competitor_employee":
        domain = (ctx.lead.person.email or "").split("@")[-1].lower()
        for comp in ctx.competitors:
            if domain and any(domain == d or domain.endswith("." + d) for d in comp.domains):
                out.append(
                    _field_finding(
                        "yes",
                        SourceText("enrichment", "email.domain", domain),
                        0.9,
                        f"email domain belongs to {comp.name}",
                    )
                )
        for c in ctx.facts.clauses:
            for comp in ctx.competitors:
                for n in (comp.name, *comp.aliases):
                    if (
                        n
                        and re.search(
                            rf"\b(?:i|we) (?:work|am|'m) (?:at|for|with|on|in) (?:the )?{re.escape(n)}\b|\b{re.escape(n)} "
                            rf"(?:employee|staff)\b",
                            c.text,
                            re.I,
                        )
                        and not c.past
                    ):
                        out.append(_clause_finding("yes", c, 0.85, f"works at {comp.name}"))
                        break
                    at = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", c.text, re.I) if n else None
                    if at is not None and not c.past and _WORKS_AT.search(c.text[: at.start()]):
                        out.append(_clause_finding("yes", c, 0.82, f"works at {comp.name}"))
                        break
            own = c.unit.source in ("form", "notes")  # on a call, "we build …" is as likely the seller speaking
            if not c.past and not c.hedge and _works_for_category(c.text, ctx.seller.category or "", own):
                out.append(_clause_finding("yes", c, 0.75, "works for a vendor of the same kind of product"))
    if kind == "existing_customer":
        names = [ctx.seller.name, ctx.seller.product, *ctx.seller.products]
        for c in ctx.facts.clauses:
            said = _tool_mentions(names, c.text) or (
                re.search(
                    r"\b(your (?:platform|product|software|tool|app)|already (?:a )?customers?|renewal|our account "
                    r"with you)\b",
                    c.text,
                    re.I,
                )
                and [""]
            )
            if not said:
                continue
            if (
                re.search(
                    r"\b(customer|client|use|using|used|on|account|renew\w*|licen[cs]e|subscri\w+|contract|were|was|"
                    r"clientes?|clienti|Kund\w*|klant\w*|klient\w*|z[áa]kazn[íi]\w*|nutzen|usamos|utilizamos|"
                    r"usiamo|utilizziamo|gebruiken|u[żz]ywamy|pou[žz][íi]v[áa]me|utilisons|abonn\w*|Vertrag|contrato|"
                    r"contratto|umow\w*|smlouv\w*)\b",
                    c.text,
                    re.I,
                )
                is None
            ):
                if _NEVER_WORKED_WITH.search(c.text) and has_negation(c.text) and not c.past and not c.hedge:
                    # "We have never worked with Kelpie", "We hebben nog nooit met Kelpie gewerkt"
                    out.append(_clause_finding("no", c, 0.75, "says it has never worked with the seller"))
                continue
            negated = has_negation(c.text)
            if negated and not c.past:
                out.append(_clause_finding("no", c, 0.75, "says it has never been a customer"))
            elif c.past:
                out.append(
                    _clause_finding(
                        "yes" if spec.tense in ("past", "any") else "no", c, 0.8, "was a customer before, not now"
                    )
                )
            else:
                out.append(_clause_finding("yes", c, 0.82, "is a customer now"))
    if kind == "competitor_employee" and not out:
        industry = ctx.field("company.industry")
        if industry is not None and not _VENDORISH.search(str(industry[0])):
            out.append(_field_finding("no", industry[1], 0.7, f"works at a {industry[0]} company, not a vendor"))
        elif industry is not None and _category_words(str(industry[0])) & _category_words(ctx.seller.category or ""):
            out.append(
                _field_finding("yes", industry[1], 0.7, f"works at a {industry[0]} company: a vendor of the category")
            )
    pattern = _SELF_STATEMENTS.get(kind)
    if pattern is not None:
        for c in ctx.facts.clauses:
            m = pattern.search(c.text)
            if not m or c.unit.source in ("enrichment", "event"):
                continue
            if kind == "job_seeker" and re.search(r"\b(we(?:'re| are) hiring|our open|we have open)\b", c.text, re.I):
                continue
            if kind == "student" and (
                c.past
                or re.search(
                    r"\b(students|schools?(?: districts?)?|universities|colleges|for students)\b", c.text, re.I
                )
                and not re.search(r"\bi(?:'m| am)\b", c.text, re.I)
            ):
                continue
            if negated_near(c.text, m.start(), before=3):
                out.append(_clause_finding("no", c, 0.7, "says it is not the case"))
            elif not c.hedge:
                out.append(_clause_finding("yes", c, 0.8, "says so directly"))
    if kind in ("partner", "vendor_pitch") and not any(f.answer == "yes" for f in out):
        for c in ctx.facts.clauses:
            if c.unit.source in ("form", "notes", "transcript") and not c.hedge and _NOT_FOR_OWN.search(c.text):
                out.append(_clause_finding("yes", c, 0.8, "says it is not buying for its own organisation"))
                break
    if not any(f.answer == "yes" for f in out) and kind in ("student", "job_seeker", "vendor_pitch", "partner"):
        for c in ctx.facts.clauses:
            if c.unit.source in ("form", "notes", "transcript") and _OWN_NEED.search(c.text) and not c.hedge:
                out.append(_clause_finding("no", c, 0.65, "asks for its own business"))
                break
    return out


# "a partnerships manager at Gorgias", "I'm on the product team at X": the person's employer, just before the name.
_ROLE_NOUN = (
    r"(?:manager|director|engineer|rep|representative|executive|head|lead|vp|founder|consultant|analyst|specialist|"
    r"designer|developer|marketer|partner\w*|sdr|bdr|ae|employee|intern|officer|owner)"
)
_WORKS_AT = re.compile(
    r"\b(?:works?|working|worked|employed|job|role|position)\b[^.;]{0,30}?\b(?:at|for|with|bei|chez)\s+$|"
    rf"\b(?:i'm|i am|he's|he is|she's|she is|they're|they are)\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?{_ROLE_NOUN}s?"
    r"\s+(?:at|for|with)\s+$",
    re.I,
)
_VENDOR_WORDS = frozenset(
    {
        "softwa",
        "manage",
        "platfo",
        "tool",
        "tools",
        "system",
        "soluti",
        "app",
        "saas",
        "servic",
        "provid",
        "vendor",
        "and",
        "for",
        "automa",
        "cloud",
        "online",
        "digita",
        "the",
    }
)


def _category_words(text: str) -> set[str]:
    """The stems that say what a category is ('payroll', 'hr', 'cmms'), without the words every vendor shares."""
    return _stems(text, 2) - _VENDOR_WORDS


# "Software" as the languages the judge reads write it, for a product being sought or a company's own field.
_SOFTWARE = r"software\w*|softwaru|logiciels?|oprogramowani\w*|programov\w+"
# An industry field that can be a software vendor's: a software company is not ruled out by its field.
_VENDORISH = re.compile(
    rf"\b(?:{_SOFTWARE}|saas|technolog\w*|tech|it services|platform|app|[ée]diteur|informati\w+|tecnolog\w+)\b",
    re.I,
)
_WE_MAKE = re.compile(
    r"\b(?:we (?:build|make|sell|develop|offer)|wir (?:bauen|entwickeln|verkaufen)|nous (?:d[ée]veloppons|vendons|"
    r"[ée]ditons)|desarrollamos|vendemos|constru[íi]mos|sviluppiamo|vendiamo|ontwikkelen|tworzymy|sprzedajemy|"
    r"vyv[íi]j[íi]me|prod[áa]v[áa]me)\b(?P<what>[^.;]{0,60})",
    re.I,
)


def _works_for_category(text: str, category: str, own_words: bool = False) -> bool:
    """'works in product at a competing payroll tool', 'their company sells a CMMS': employed by a vendor of the
    seller's own category (buying one is not working for one)."""
    if not category:
        return False
    m = re.search(
        r"\b(?:(?:works?|working|employed)\b[^.;]{0,40}\b(?:at|for)\s+(?:a|an|another|one)\s+(?:competing|rival|competitor)|"
        r"(?:works?|working|employed) (?:at|for) (?:a |an )?competitor|"
        r"(?:their|his|her|my|our) (?:company|employer|firm|startup|business) (?:sells|makes|builds|develops|offers))\b"
        r"(?P<what>[^.;]{0,60})",
        text,
        re.I,
    )
    if m is None and own_words:
        # the lead writing about its own company: "We build AI claims triage for insurers"
        m = _WE_MAKE.search(text)
    if m is None:
        return False
    if re.search(r"competing|rival|competitor", m.group(0), re.I):
        return True
    return bool(_category_words(m.group("what")) & _category_words(category))


_OWN_NEED = re.compile(
    r"\bwe(?:'re| are) (?:a|an) [\w\- ]{0,40}?(?:company|business|firm|manufacturer|contractor|"
    r"brand|retailer|group|plant|carrier|shop|startup|operator)\b|"
    r"\b(?:need|needs|want|wants|looking for|interested in|replace|replacing|switch\w*|evaluat\w*)\b.*"
    r"\b(?:our|we|us|my|their own|for (?:our|their|the) (?:\w+ )?(?:team|company|plant|business|"
    r"platform|staff|techs|reps|agents|people|employees))\b|\bfor (?:our|their) own\b|"
    r"\b(?:our|my) (?:\d+|team|plant|techs|technicians|reps|agents|staff|employees)\b.*\b(?:need|want)|"
    r"\b(?:need|needs|want|wants|looking for)\b.*\bfor (?:\d+|all|every) \w+|"
    # "we are looking for / we need software (a tool, a system)" in the other languages the judge reads
    r"\b(?:buscamos|necesitamos|precisamos|procuramos|estamos buscando|cerchiamo|abbiamo bisogno|wir suchen|"
    r"wir brauchen|nous cherchons|nous avons besoin|on cherche|(?:wij|we) zoeken|(?:wij|we) hebben \w+ nodig|"
    rf"szukamy|potrzebujemy|hled[áa]me|pot[řr]ebujeme)\b.*\b(?:{_SOFTWARE}|tool|outil|herramienta|"
    r"ferramenta|strumento|programa|programu|program|sistema|syst[èe]me|system\w*|plataforma|plateforme|"
    r"piattaforma|platform\w*|L[öo]sung|Werkzeug|oplossing|[řr]e[šs]en[íi]|rozwi[ąa]zani\w*|narz[ęe]dzi\w*|"
    r"n[áa]stroj\w*|aplikac\w*|app)\b",
    re.I,
)


DECIDERS: dict[str, Callable[[QuestionSpec, Context], list[Finding]]] = {
    "company_size": decide_size,
    "named_count": decide_size,
    "revenue": decide_revenue,
    "location": decide_location,
    "language": decide_language,
    "technology": decide_technology,
    "competitor": decide_competitor,
    "authority": decide_authority,
    "budget": decide_budget,
    "timeline": decide_timeline,
    "pain": decide_pain,
    "intent": decide_intent,
    "industry": decide_industry,
    "student": decide_disqualifier,
    "competitor_employee": decide_disqualifier,
    "existing_customer": decide_disqualifier,
    "partner": decide_disqualifier,
    "job_seeker": decide_disqualifier,
    "vendor_pitch": decide_disqualifier,
    "text": lambda spec, ctx: _by_meaning(spec.topic or "", ctx),
}


def resolve(question_id: str, spec: QuestionSpec, findings: list[Finding]) -> QuestionAnswer:
    """Findings → one answer: agreement decides; a conflict goes to the most recent explicit statement."""
    flags: list[AnswerFlag] = []
    decided = [f for f in findings if f.answer != "unknown" and f.unit is not None]
    hedged = [f for f in findings if f.answer == "unknown" and f.unit is not None]
    reading = f"Read as: {spec.words}."
    if not decided:
        if hedged:
            flags.append("hedged")
            h = hedged[0]
            return QuestionAnswer(
                question_id=question_id,
                reasoning=f'{reading} Unknown: {h.reason}; closest text: "{h.quote[:160]}".',
                answer="unknown",
                confidence=0.6,
                flags=flags,
            )
        return QuestionAnswer(
            question_id=question_id,
            reasoning=f"{reading} Unknown: the lead's data does not say.",
            answer="unknown",
            confidence=0.6,
            flags=flags,
        )
    answers = {f.answer for f in decided}
    best = max(decided, key=lambda f: (f.order, f.confidence))
    confidence = best.confidence
    reason = best.reason
    if len(answers) > 1:
        flags.append("conflicting_evidence")
        others = [f for f in decided if f.answer != best.answer]
        if all(f.order == best.order for f in others):
            best = max(decided, key=lambda f: f.confidence)
            confidence = min(best.confidence, 0.6)
            reason = f"{best.reason} (signals conflict; the most explicit one is used)"
        else:
            confidence = min(confidence, 0.7)
            reason = f'{best.reason}; the most recent statement wins over an earlier "{others[0].quote[:80]}"'
    assert best.unit is not None
    evidence = [
        Evidence(
            source=best.unit.source,
            ref=best.unit.ref,
            quote=best.quote,
            timestamp=best.unit.timestamp,
            speaker=best.unit.speaker,
        )
    ]
    return QuestionAnswer(
        question_id=question_id,
        reasoning=f"{reading} {best.answer.capitalize()}: {reason}.",
        answer=best.answer,
        confidence=round(confidence, 3),
        evidence=evidence,
        flags=flags,
        value=best.value,
    )
