"""TitleProvider: job title → seniority and department by rules, and → library persona by fuzzy match."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from agent.schemas import EnrichedValue, Lead
from library.schemas import Library, Persona

Seniority = Literal["c_level", "vp", "director", "manager", "individual", "student", "unknown"]
Department = Literal[
    "finance", "it", "procurement", "operations", "maintenance", "sales", "marketing", "hr", "engineering", "other"
]

# Case-sensitive abbreviations first ("AP", "IT" are words only in capitals), then case-insensitive ones.
_CASED = [
    (re.compile(r"\bAP\b"), "accounts payable"),
    (re.compile(r"\bAR\b"), "accounts receivable"),
    (re.compile(r"\bIT\b"), "information technology"),
    (re.compile(r"\bDAF\b"), "directeur administratif et financier"),
    (re.compile(r"\bPDG\b"), "president directeur general"),
]
_ABBREVIATIONS = {
    "ceo": "chief executive officer", "cfo": "chief financial officer", "coo": "chief operating officer",
    "cto": "chief technology officer", "cio": "chief information officer", "cmo": "chief marketing officer",
    "cro": "chief revenue officer", "chro": "chief human resources officer",
    "ciso": "chief information security officer", "cao": "chief accounting officer", "cpo": "chief procurement officer",
    "vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
    "avp": "assistant vice president", "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager",
    "dir": "director", "hr": "human resources", "fp&a": "financial planning and analysis",
    "fpa": "financial planning and analysis", "asst": "assistant", "acct": "accountant", "ops": "operations",
    "bizdev": "business development", "ar/ap": "accounts receivable accounts payable", "rep": "representative",
    "reps": "representatives", "exec": "executive", "coord": "coordinator",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9&/]+")


def normalise_title(title: str) -> str:
    """Lowercase, accent-folded title, abbreviations spelled out ("Sr. AP Mgr" → "senior accounts payable manager")."""
    for pattern, full in _CASED:
        title = pattern.sub(full, title)
    folded = unicodedata.normalize("NFKD", title)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold().translate(_UNFOLDED)
    return " ".join(_ABBREVIATIONS.get(w, w) for w in _WORD.findall(folded))


# Letters NFKD does not take apart: "zakład" → "zaklad", not "zak ad".
_UNFOLDED = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "ı": "i"})


def _rx(*alternatives: str) -> re.Pattern[str]:
    """Whole-word alternatives; each argument is itself a "|"-separated list (kept short for reading)."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


# "Product Owner", "Process Owner": owns a thing, not the company (a manager's title, never the founder's).
_OWNED_THINGS = ("product", "process", "project", "service", "data", "platform")
_THING_OWNER = rf"(?:{'|'.join(_OWNED_THINGS)}) owner"
THING_OWNER = re.compile(rf"\b{_THING_OWNER}\b")
_NOT_A_THING = "".join(f"(?<!{t} )" for t in _OWNED_THINGS)

# Ordered: the first rule that matches decides. Student and "assistant to" come first: "Intern to the CFO" is no CFO.
_SENIORITY: list[tuple[Seniority, re.Pattern[str]]] = [
    (
        "student",
        _rx(
            r"interns?|internship|students?|trainee|apprentice|werkstudent\w*|praktikant\w*|stagiaire|etudiant\w*",
            r"estudiante|becari[oa]|studente|tirocinante|azubi|auszubildende\w*|phd candidate|undergrad\w*",
            "graduate student|working student|stagist[ae]|estagiari[oa]|stazyst\\w*|stagiair\\w*",
        ),
    ),
    ("individual", _rx(r"(?:executive |personal )?assistant to|office of the")),
    (
        "c_level",
        re.compile(
            r"\bchief\b(?! of staff).*\bofficer\b|"
            + _rx(
                rf"founder|co ?founder|{_NOT_A_THING}owner",
                r"(?<!vice )president|managing director|managing partner|general partner",
                r"geschaftsfuhrer\w*|geschaeftsfuehrer\w*|inhaber\w*|vorstand\w*|directeur general",
                "directeur administratif et financier|directeur financier|director general|director financiero",
                "director ejecutivo|gerente general|amministratore delegato|direttore generale|direttore finanziario",
                "president directeur general|diretor geral|diretora geral|dyrektor generalny|generalni reditel\\w*",
                r"algemeen directeur|prezes\w*|wlasciciel\w*|jednatel\w*|majitel\w*|eigenaar|proprietari[oa]|dono|duen[oa]",
                r"fundador\w*|fondat\w*|grunder\w*|zakladatel\w*|zalozyciel\w*|oprichter|socio fundador|socio gerente",
                r"copropri[ée]taire|co-?owner|coproprietari[oa]",
            ).pattern
        ),
    ),
    ("vp", _rx(r"vice president|vizeprasident\w*|vicepresidente|vice presidente|head of global")),
    (
        "director",
        _rx(
            r"directors?|directeur|directrice|direktor\w*|directora?|direttore|direttrice|diretora?|dyrektor\w*",
            r"reditel\w*|head of|head|chief of staff|hoofd|kierownik\w*|vedouci|jef[ea] de|chef de|capo|responsabile di",
            r"(?!team|gruppen|schicht)\w*leiter\w*|leitung|bereichsleiter\w*|abteilungsleiter\w*|hauptabteilungsleiter\w*",
        ),
    ),
    (
        "manager",
        _rx(
            r"\w*managers?|\w*managerin|manazer\w*|menedzer\w*|gerente|responsable|supervisor\w*|team lead|team leader",
            r"teamleiter\w*",
            _THING_OWNER,
            r"gruppenleiter\w*|jef[ea]|controller\w*|comptroller|superintendent|coordinatrice|foreman|encargad[oa]",
        ),
    ),
]
_INDIVIDUAL = _rx(
    r"specialists?|analysts?|accountants?|clerks?|associates?|coordinators?|engineers?|developers?|consultants?",
    r"assistant|representatives?|administrators?|officers?|buchhalter\w*|sachbearbeiter\w*|comptable|contador\w*",
    r"contable|bookkeepers?|executives?|agents?|technicians?|designers?|recruiters?|buyers?|planners?",
    r"mitarbeiter\w*|referent\w*|staff",
)

# Ordered too: "IT Procurement Manager" buys, "Revenue Accountant" counts, "Sales Operations" sells.
_DEPARTMENTS: list[tuple[Department, re.Pattern[str]]] = [
    (
        "procurement",
        _rx(
            r"procurement|purchas\w*|buyers?|sourcing|\w*einkauf\w*|achats|acheteur\w*|compras|acquisti",
            "vendor management|strategic sourcing",
        ),
    ),
    (
        "finance",
        _rx(
            r"financ\w*|accounting|accountants?|accounts payable|accounts receivable|controller\w*|comptroller",
            r"controlling|treasur\w*|financial planning and analysis|bookkeep\w*|payroll|tax|audit\w*|billing",
            r"invoic\w*|credit|collections|\w*buchhalt\w*|kreditor\w*|debitor\w*|finanz\w*|rechnungswesen|comptab\w*",
            r"contab\w*|contador\w*|tesorer\w*|tresorerie|financier|financiero|finanziario|expense|procure to pay|p2p",
        ),
    ),
    (
        "it",
        _rx(
            r"information technology|information systems|information security|information officer|sysadmin\w*",
            "system administrator|systems administrator|network|infrastructure|helpdesk|help desk|service desk",
            "erp|edv|informatique|informatica|desktop support|tech support",
        ),
    ),
    (
        "engineering",
        _rx(
            r"engineer\w*|developers?|software|devops|programmer\w*|architect|technology|r&d",
            r"research and development|entwickl\w*|ingenieur\w*|data scien\w*|qa|sre|platform",
        ),
    ),
    (
        "hr",
        _rx(
            r"human resources|people operations|people|talent|recruit\w*|personalleit\w*|personalabteilung",
            "personalwesen|rrhh|ressources humaines|recursos humanos",
        ),
    ),
    (
        "sales",
        _rx(
            "sales|account executive|account manager|business development|bdr|sdr|revenue",
            r"vertrieb\w*|ventas|commercial\w*|comercial|commerciale|vendas|vendite|verkoop|sprzedaz\w*|handlow\w*",
            r"obchod\w*|prodej\w*|key account|channel|partnerships|customer success",
        ),
    ),
    (
        "maintenance",
        _rx(
            r"maintenance|reliability|instandhaltung|wartung|mantenimiento|manutencao|manutenzione|onderhoud",
            r"utrzymani\w* ruchu|utrzymania|udrzb\w*|technical services|asset management",
        ),
    ),
    ("marketing", _rx(r"marketing|growth|brand|demand gen\w*|content|communications|pr|seo|social media|events")),
    (
        "operations",
        _rx(
            "operations|operating|logistics|supply chain|facilities|office manager",
            r"betrieb\w*|operaciones|administration|general manager|fulfillment|warehouse",
        ),
    ),
]

_STOPWORDS = frozenset({
    "of", "the", "and", "&", "for", "at", "de", "der", "des", "du", "la", "le", "y", "und", "et", "to", "in", "a", "an",
    "senior", "junior", "/",
})  # fmt: skip

RULE_CONFIDENCE = 0.85
FALLBACK_CONFIDENCE = 0.6  # a title with no seniority cue is most likely an individual contributor
PERSONA_THRESHOLD = 80.0


def seniority(title: str) -> tuple[Seniority, float]:
    """Seniority of a job title and how sure the rules are."""
    text = normalise_title(title)
    if not text:
        return "unknown", 0.0
    for level, pattern in _SENIORITY:
        if pattern.search(text):
            return level, RULE_CONFIDENCE
    return "individual", RULE_CONFIDENCE if _INDIVIDUAL.search(text) else FALLBACK_CONFIDENCE


def department(title: str) -> tuple[Department, float]:
    """Department of a job title ("other" when no function word is in it)."""
    text = normalise_title(title)
    for name, pattern in _DEPARTMENTS:
        if pattern.search(text):
            return name, RULE_CONFIDENCE
    return "other", FALLBACK_CONFIDENCE


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    # Cached: persona example titles are compared against every lead.
    return tuple(w for w in normalise_title(text).split() if w not in _STOPWORDS)


def _similarity(a: tuple[str, ...], b: tuple[str, ...], floor: float = 0.0) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    base = fuzz.token_set_ratio(" ".join(a), " ".join(b))
    if base < floor:  # the damping below only lowers the score: no need to compute it
        return base
    recall = sum(1 for w in set(b) if any(fuzz.ratio(w, v) >= 85 for v in a)) / len(set(b))
    precision = sum(1 for w in set(a) if any(fuzz.ratio(w, v) >= 85 for v in b)) / len(set(a))
    return base * (0.5 + 0.5 * recall) * (0.85 + 0.15 * precision)


def title_similarity(title: str, example: str) -> float:
    """0-100 title likeness: token_set_ratio damped by word coverage both ways.

    Missing example words cost most ("Manager" is not "AP Manager"); extra title words cost a little
    ("AP Team Manager" is close to, not equal to, "AP Manager").
    """
    return _similarity(_words(title), _words(example))


def match_persona(
    title: str, personas: list[Persona], threshold: float = PERSONA_THRESHOLD
) -> tuple[Persona, float] | None:
    """The persona whose example titles best match, with its 0-100 score; None below the threshold."""
    words = _words(title)
    best: tuple[Persona, float] | None = None
    for persona in personas:
        score = max(_similarity(words, _words(example), threshold) for example in persona.titles)
        if score >= threshold and (best is None or score > best[1]):
            best = (persona, score)
    return best


class TitleProvider:
    """Seniority, department and persona from the job title (the enriched one when present)."""

    name = "title"

    def __init__(self, library: Library, threshold: float = PERSONA_THRESHOLD):
        self.personas = list(library.personas)
        self.threshold = threshold

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        """Return person.seniority, person.department and, when a persona matches, person.persona."""
        enriched = known.get("person.title")
        title = enriched.value if enriched is not None and isinstance(enriched.value, str) else lead.person.title
        if not title or not normalise_title(title):
            return {}
        level, level_conf = seniority(title)
        dept, dept_conf = department(title)
        out = {
            "person.seniority": EnrichedValue(value=level, source=self.name, fetched_at=now, confidence=level_conf),
            "person.department": EnrichedValue(value=dept, source=self.name, fetched_at=now, confidence=dept_conf),
        }
        found = match_persona(title, self.personas, self.threshold)
        if found is not None:
            persona, score = found
            out["person.persona"] = EnrichedValue(
                value=persona.id, source=self.name, fetched_at=now, confidence=round(score / 100, 3)
            )
        return out
