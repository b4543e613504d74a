"""TitleProvider: job title → seniority and department by rules, and → library persona by fuzzy match."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from rapidfuzz import fuzz

from agent.schemas import EnrichedValue, Lead
from library.schemas import Library, Persona

Seniority = Literal["c_level", "vp", "director", "manager", "individual", "student", "unknown"]
Department = Literal["finance", "it", "procurement", "operations", "sales", "marketing", "hr", "engineering", "other"]

# Case-sensitive abbreviations first ("AP", "IT" are words only in capitals), then case-insensitive ones.
_CASED = [(re.compile(r"\bAP\b"), "accounts payable"), (re.compile(r"\bAR\b"), "accounts receivable"),
          (re.compile(r"\bIT\b"), "information technology"), (re.compile(r"\bDAF\b"), "directeur administratif et financier"),
          (re.compile(r"\bPDG\b"), "president directeur general")]
_ABBREVIATIONS = {
    "ceo": "chief executive officer", "cfo": "chief financial officer", "coo": "chief operating officer",
    "cto": "chief technology officer", "cio": "chief information officer", "cmo": "chief marketing officer",
    "cro": "chief revenue officer", "chro": "chief human resources officer", "ciso": "chief information security officer",
    "cao": "chief accounting officer", "cpo": "chief procurement officer", "vp": "vice president",
    "svp": "senior vice president", "evp": "executive vice president", "avp": "assistant vice president",
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "dir": "director", "hr": "human resources",
    "fp&a": "financial planning and analysis", "fpa": "financial planning and analysis", "asst": "assistant",
    "acct": "accountant", "ops": "operations", "bizdev": "business development", "ar/ap": "accounts receivable accounts payable",
}
_WORD = re.compile(r"[a-z0-9&/]+")


def normalise_title(title: str) -> str:
    """Lowercase, accent-folded title with abbreviations spelled out ("Sr. AP Mgr" → "senior accounts payable manager")."""
    for pattern, full in _CASED:
        title = pattern.sub(full, title)
    folded = unicodedata.normalize("NFKD", title)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold().replace("ß", "ss")
    return " ".join(_ABBREVIATIONS.get(w, w) for w in _WORD.findall(folded))


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b")


# Ordered: the first rule that matches decides. Student and "assistant to" come first so "Intern to the CFO" is no CFO.
_SENIORITY: list[tuple[Seniority, re.Pattern[str]]] = [
    ("student", _rx(r"interns?", "internship", r"students?", "trainee", "apprentice", r"werkstudent\w*", r"praktikant\w*",
                    r"stagiaire", r"etudiant\w*", r"estudiante", r"becari[oa]", "studente", r"tirocinante", r"azubi",
                    r"auszubildende\w*", "phd candidate", r"undergrad\w*", "graduate student", "working student")),
    ("individual", _rx(r"(?:executive |personal )?assistant to", r"office of the")),
    ("c_level", re.compile(r"\bchief\b(?! of staff).*\bofficer\b|" + _rx(
        r"founder", r"co ?founder", "owner", r"(?<!vice )president", "managing director", "managing partner",
        "general partner", r"geschaftsfuhrer\w*", r"geschaeftsfuehrer\w*", r"inhaber\w*", r"vorstand\w*", "directeur general",
        "directeur administratif et financier", "directeur financier", "director general", "director financiero",
        "director ejecutivo", "gerente general", "amministratore delegato", "direttore generale", "direttore finanziario",
        "president directeur general").pattern)),
    ("vp", _rx("vice president", r"vizeprasident\w*", "vicepresidente", "vice presidente", "head of global")),
    ("director", _rx(r"directors?", "directeur", "directrice", r"direktor\w*", r"directora?", "direttore", "head of", "head",
                     "chief of staff", r"leiter\w*", r"leitung", r"bereichsleiter\w*", r"abteilungsleiter\w*",
                     r"hauptabteilungsleiter\w*")),
    ("manager", _rx(r"managers?", r"managerin", "gerente", "responsable", r"supervisor\w*", "team lead", "team leader",
                    r"teamleiter\w*", r"gruppenleiter\w*", r"jef[ea]", "capo", "chef de", r"controller\w*",
                    "comptroller", "superintendent", "coordinatrice", "foreman")),
]
_INDIVIDUAL = _rx(r"specialists?", r"analysts?", r"accountants?", r"clerks?", r"associates?", r"coordinators?", r"engineers?",
                  r"developers?", r"consultants?", "assistant", r"representatives?", r"administrators?", r"officers?",
                  r"buchhalter\w*", r"sachbearbeiter\w*", r"comptable", r"contador\w*", r"contable", r"bookkeepers?",
                  r"executives?", r"agents?", r"technicians?", r"designers?", r"recruiters?", r"buyers?", r"planners?",
                  r"mitarbeiter\w*", r"referent\w*", r"staff")

_DEPARTMENTS: list[tuple[Department, re.Pattern[str]]] = [
    ("procurement", _rx("procurement", r"purchas\w*", r"buyers?", "sourcing", r"\w*einkauf\w*", "achats",
                        r"acheteur\w*", "compras", "acquisti", "vendor management", "strategic sourcing")),
    ("finance", _rx(r"financ\w*", "accounting", r"accountants?", "accounts payable", "accounts receivable", r"controller\w*",
                    "comptroller", r"controlling", r"treasur\w*", "financial planning and analysis", r"bookkeep\w*",
                    "payroll", "tax", r"audit\w*", "billing", r"invoic\w*", "credit", "collections", r"\w*buchhalt\w*", r"kreditor\w*", r"debitor\w*",
                    r"finanz\w*", "rechnungswesen", r"comptab\w*", r"contab\w*", r"contador\w*", r"tesorer\w*", "tresorerie",
                    "financier", "financiero", "finanziario", "expense", r"procure to pay", "p2p")),
    ("it", _rx("information technology", "information systems", "information security", "information officer",
               r"sysadmin\w*", "system administrator", "systems administrator", "network", "infrastructure", "helpdesk",
               "help desk", "service desk", "erp", "edv", "informatique", r"informatica", "desktop support",
               "tech support", "it")),
    ("engineering", _rx(r"engineer\w*", r"developers?", "software", "devops", r"programmer\w*", "architect", "technology",
                        "r&d", "research and development", r"entwickl\w*", r"ingenieur\w*", r"data scien\w*", "qa", "sre",
                        "platform")),
    ("hr", _rx("human resources", "people operations", "people", "talent", r"recruit\w*", r"personalleit\w*",
               "personalabteilung", "personalwesen", "rrhh", "ressources humaines", "recursos humanos")),
    ("sales", _rx("sales", "account executive", "account manager", "business development", "bdr", "sdr", "revenue",
                  r"vertrieb\w*", "ventas", "commercial", "key account", "channel", "partnerships", "customer success")),
    ("marketing", _rx("marketing", "growth", "brand", r"demand gen\w*", "content", "communications", "pr", "seo",
                      "social media", "events")),
    ("operations", _rx("operations", "operating", "logistics", "supply chain", "facilities", "office manager",
                       r"betrieb\w*", "operaciones", "administration", "general manager", "fulfillment", "warehouse")),
]

_STOPWORDS = frozenset({"of", "the", "and", "&", "for", "at", "de", "der", "des", "du", "la", "le", "y", "und", "et", "to",
                        "in", "a", "an", "senior", "junior", "/"})

RULE_CONFIDENCE = 0.85
FALLBACK_CONFIDENCE = 0.6  # a title with no seniority cue is most likely an individual contributor
PERSONA_THRESHOLD = 75.0


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


def _words(text: str) -> list[str]:
    return [w for w in normalise_title(text).split() if w not in _STOPWORDS]


def title_similarity(title: str, example: str) -> float:
    """0-100: token_set_ratio, damped when the title covers few of the example's words ("Manager" ≠ "AP Manager")."""
    a, b = _words(title), _words(example)
    if not a or not b:
        return 0.0
    base = fuzz.token_set_ratio(" ".join(a), " ".join(b))
    covered = sum(1 for w in set(b) if any(fuzz.ratio(w, v) >= 85 for v in a))
    return base * (0.5 + 0.5 * covered / len(set(b)))


def match_persona(title: str, personas: list[Persona], threshold: float = PERSONA_THRESHOLD) -> tuple[Persona, float] | None:
    """The persona whose example titles best match, with its 0-100 score; None below the threshold."""
    best: tuple[Persona, float] | None = None
    for persona in personas:
        score = max(title_similarity(title, example) for example in persona.titles)
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
            out["person.persona"] = EnrichedValue(value=persona.id, source=self.name, fetched_at=now,
                                                  confidence=round(score / 100, 3))
        return out
