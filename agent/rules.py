"""Hard rules: instant disqualifiers, checked before any model runs.

Each rule is a pure function `(lead, enrichment, library) -> Disqualification | None`. Unknown data never disqualifies:
a rule fires only on a value the lead states or enrichment supplies with at least `MIN_CONFIDENCE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from agent.enrichment.countries import country_code
from agent.enrichment.domains import email_domain, registrable_domain
from agent.schemas import Disqualification, EnrichedScalar, Enrichment, Lead
from library.schemas import Library, Persona

MIN_CONFIDENCE = 0.7  # a guess (a loose fuzzy match, a fallback rule) must not throw a lead away

Rule = Callable[[Lead, Enrichment, Library], Disqualification | None]


def _enriched(enrichment: Enrichment, key: str) -> EnrichedScalar | list[str]:
    found = enrichment.fields.get(key)
    return None if found is None or found.confidence < MIN_CONFIDENCE else found.value


def _domains(lead: Lead, enrichment: Enrichment) -> list[tuple[str, str]]:
    """(field, domain) pairs the lead is known by: the company domain and the email's host."""
    out: list[tuple[str, str]] = []
    enriched = _enriched(enrichment, "company.domain")
    for field, domain in (
        ("company.domain", enriched if isinstance(enriched, str) else None),
        ("company.domain", registrable_domain(lead.company.domain)),
        ("person.email", email_domain(lead.person.email)),
    ):
        if domain and (field, domain.lower()) not in out:
            out.append((field, domain.lower()))
    return out


def _clean_domain(listed: str) -> str:
    listed = listed.strip().lower().lstrip("@")
    return (registrable_domain(listed) or listed) if "://" in listed else listed.removeprefix("www.")


def _under(domain: str, listed: str) -> bool:
    listed = _clean_domain(listed)
    return bool(listed) and (domain == listed or domain.endswith("." + listed))


def _domain_hit(lead: Lead, enrichment: Enrichment, listed: list[str]) -> tuple[str, str, str] | None:
    for field, domain in _domains(lead, enrichment):
        for entry in listed:
            if _under(domain, entry):
                value = lead.person.email or domain if field == "person.email" else domain
                return field, value, _clean_domain(entry)
    return None


@lru_cache(maxsize=512)
def _pattern(phrase: str) -> re.Pattern[str]:
    """A library phrase as a case-insensitive pattern on word boundaries, any white space between its words."""
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _excerpt(text: str, match: re.Match[str], width: int = 60) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


# --- the rules ------------------------------------------------------------------------------------------------------


def competitor_domain(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """The company or email domain belongs to a competitor."""
    for competitor in library.competitors:
        hit = _domain_hit(lead, enrichment, competitor.domains)
        if hit:
            return Disqualification(
                rule_id="competitor_domain",
                reason=f"Works at a competitor ({competitor.name})",
                field=hit[0],
                value=hit[1],
            )
    return None


def existing_customer(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """The company is already a customer: account management, not new business."""
    hit = _domain_hit(lead, enrichment, library.disqualifiers.existing_customer_domains)
    if hit:
        return Disqualification(
            rule_id="existing_customer", reason=f"Already a customer ({hit[2]})", field=hit[0], value=hit[1]
        )
    return None


def blocked_domain(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """The company or email domain is on the blocked list."""
    hit = _domain_hit(lead, enrichment, library.disqualifiers.blocked_domains)
    if hit:
        return Disqualification(
            rule_id="blocked_domain", reason=f"Blocked domain ({hit[2]})", field=hit[0], value=hit[1]
        )
    return None


def student(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """A student or intern: by title pattern, by a matched student persona, or by a school email suffix."""
    rules = library.disqualifiers
    title = lead.person.title or _enriched(enrichment, "person.title")
    if isinstance(title, str):
        for text in filter(str.strip, rules.student_title_patterns):
            if _pattern(text).search(title):
                return Disqualification(
                    rule_id="student", reason="Job title says student or intern", field="person.title", value=title
                )
    persona_id = _enriched(enrichment, "person.persona")
    persona = next((p for p in library.personas if p.id == persona_id), None)
    if persona is not None and _student_persona(persona):
        return Disqualification(
            rule_id="student",
            reason=f"Matches the bad-fit persona {persona.name}",
            field="person.persona",
            value=persona.id,
        )
    domain = email_domain(lead.person.email)
    if domain:
        for suffix in rules.student_email_suffixes:
            clean = suffix.strip().lower().lstrip("@")
            if clean and (domain.endswith(clean) if clean.startswith(".") else _under(domain, clean)):
                return Disqualification(
                    rule_id="student",
                    reason=f"School email address ({suffix.strip()})",
                    field="person.email",
                    value=lead.person.email or domain,
                )
    return None


def _student_persona(persona: Persona) -> bool:
    return persona.fit == "bad" and bool(re.search(r"student|intern\b", f"{persona.id} {persona.name}", re.I))


# What a job seeker writes, in the languages the judge reads, added to a library's own phrases whenever it has any (a
# library without phrases has turned the rule off). First person and specific on purpose: a hard rule throws the lead
# away, so "Stelle" or "praca" alone (a place, work) is never enough.
JOB_SEEKING = re.compile(
    r"(?<!\w)(?:"
    r"ich suche (?:eine |einen )?(?:neue |neuen )?(?:stelle|job|arbeit|anstellung)|mein(?:en)? lebenslauf|"
    r"je (?:suis )?(?:cherche|à la recherche d') ?(?:un |d'un )?(?:nouvel |nouveau )?(?:emploi|poste|travail|stage)|"
    r"mon (?:cv|curriculum)|"
    r"(?:busco|estoy buscando) (?:un )?(?:nuevo )?(?:trabajo|empleo|puesto)|mi (?:cv|curr[íi]culum)|"
    r"(?:procuro|estou (?:procurando|à procura de)) (?:um )?(?:novo )?(?:emprego|trabalho)|meu (?:cv|curr[íi]culo)|"
    r"(?:cerco|sto cercando) (?:un )?(?:nuovo )?(?:lavoro|impiego)|il mio (?:cv|curriculum)|"
    r"(?:ik ben |ben )?op zoek naar een (?:nieuwe )?(?:baan|job|functie)|mijn cv|tussen twee banen|"
    r"szukam (?:nowej )?pracy|moje cv|hled[áa]m (?:novou )?pr[áa]ci|m[ůu]j [žz]ivotopis"
    r")(?!\w)",
    re.IGNORECASE,
)


def job_seeker(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """Someone looking for a job, not to buy: the library's phrases (and `JOB_SEEKING`) in the title, notes or form
    answers."""
    patterns = [_pattern(p) for p in library.disqualifiers.job_seeker_patterns if p.strip()]
    if patterns:
        patterns.append(JOB_SEEKING)
    texts = [("person.title", lead.person.title), ("notes", lead.notes)]
    texts += [(f"form_answers.{question}", answer) for question, answer in lead.form_answers.items()]
    for field, text in texts:
        if not text:
            continue
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                return Disqualification(
                    rule_id="job_seeker",
                    reason="Looking for a job, not to buy",
                    field=field,
                    value=_excerpt(text, match),
                )
    return None


def unsupported_country(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """The company is in a country the seller does not serve (only when the country is known)."""
    supported = {c.upper() for c in library.disqualifiers.countries.supported}
    enriched = _enriched(enrichment, "company.country")
    code = enriched if isinstance(enriched, str) else country_code(lead.company.country)
    if not supported or code is None or code.upper() in supported:
        return None
    return Disqualification(
        rule_id="unsupported_country", reason=f"Country {code} is not served", field="company.country", value=code
    )


def below_min_employees(lead: Lead, enrichment: Enrichment, library: Library) -> Disqualification | None:
    """The company is smaller than the minimum size (only when the size is known)."""
    minimum = library.disqualifiers.min_employees
    enriched = _enriched(enrichment, "company.employees")
    employees = enriched if isinstance(enriched, int) and not isinstance(enriched, bool) else lead.company.employees
    if minimum is None or employees is None or employees >= minimum:
        return None
    return Disqualification(
        rule_id="below_min_employees",
        reason=f"{employees} employees, below the minimum of {minimum}",
        field="company.employees",
        value=str(employees),
    )


# A rule reading a new library setting must be named in `rules_configured` too (the batch eval path relies on it).
RULES: tuple[Rule, ...] = (
    competitor_domain,
    existing_customer,
    blocked_domain,
    student,
    job_seeker,
    unsupported_country,
    below_min_employees,
)


def check_hard_rules(lead: Lead, enrichment: Enrichment, library: Library) -> list[Disqualification]:
    """Every hard rule the lead breaks, in rule order (empty when it may proceed)."""
    return [found for rule in RULES if (found := rule(lead, enrichment, library)) is not None]


def rules_configured(library: Library) -> bool:
    """Whether any rule can fire for some lead: each compares the lead with a list or a limit the library sets (or, for
    students, a bad-fit student persona), so a library that sets none disqualifies no lead whatever it says."""
    d = library.disqualifiers
    return bool(
        any(c.domains for c in library.competitors)
        or d.existing_customer_domains
        or d.blocked_domains
        or d.student_title_patterns
        or d.student_email_suffixes
        or d.job_seeker_patterns
        or d.countries.supported
        or d.min_employees is not None
        or any(_student_persona(p) for p in library.personas)
    )
