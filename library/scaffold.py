"""A new library to start from: `qualify library new DIR`. Every file is written with comments saying what to change,
and the result syncs as written: plain-word questions of every kind RevOps teams write, and a segment whose SQL
definition uses them, so a new seller edits working files instead of copying the sample library."""

from __future__ import annotations

from pathlib import Path

import yaml

from library.errors import LibraryError
from library.geo import region_codes

CATEGORIES = "fit, authority, need, timeline, budget, competition, disqualifier, intent"


def _dump(value: object) -> str:
    """One YAML value on one line (the seller's words are quoted as YAML needs, never pasted raw)."""
    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
        .strip()
        .removesuffix("...")
        .strip()
    )


def _countries_rule(regions: list[str]) -> str:
    """The unsupported-country hard rule, from the seller's regions (nothing when every country is served)."""
    codes = sorted(region_codes(regions)) if regions else []
    if not codes:
        return ""
    return (
        "  # A lead whose company.country is none of these is disqualified before any question. Written from the\n"
        "  # regions in seller.yaml; delete it if a company based elsewhere can still buy (its team or site in a region\n"
        "  # you serve): your questions about where the team or site is then decide.\n"
        f"  countries:\n    supported: {_dump(codes)}\n"
    )


def write_library(
    folder: Path,
    *,
    name: str,
    product: str,
    description: str,
    category: str,
    regions: list[str],
    languages: list[str],
    min_employees: int = 20,
    max_employees: int = 2000,
) -> list[Path]:
    """Write the files of a new library into `folder` (created; it must not hold a library already)."""
    if folder.exists() and any(folder.iterdir()):
        raise LibraryError(f"{folder}: the folder is not empty; `qualify library new` never overwrites a library")
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "seller.yaml": f"""# Who you are. The judge reads your questions against this: the regions you serve, the languages you offer,
# the size band and the category a budget or a pain must be about.
seller:
  name: {_dump(name)}
  product: {_dump(product)}
  description: {_dump(description)}
  category: {_dump(category)}  # what you sell, in words: "a budget for <category>" is a budget for you
  products: []  # your product names, so a lead naming them is not read as a competitor
  regions: {_dump(regions)}  # countries (ISO codes or names) and groups such as EU, EEA, DACH, North America
  languages: {_dump(languages)}  # the languages your product and support are offered in
  min_employees: {min_employees}  # your size band (from `library new --min-employees/--max-employees`): scores fit
  max_employees: {max_employees}
""",
        "questions.yaml": f"""# Qualifying questions in plain words, one per thing a salesperson must know. Write your own: no example
# phrasings or keywords are needed. `qualify library show` prints how each one is read.
# category: one of {CATEGORIES}.
# fit_type: good (a yes is good news) or bad (a yes counts against the lead). instant_disqualifier: a yes with a
# direct quote disqualifies the lead.
questions:
  - id: company_size
    text: Does the company have between {min_employees:,} and {max_employees:,} employees?
    category: fit
    weight: 6
  - id: served_region
    text: Is the company based in a country we serve?
    category: fit
    weight: 8
  - id: decision_maker
    text: Can the contact sign off the purchase, for example as owner, CEO, COO or head of the department?
    category: authority
    weight: 7
  - id: pain_today
    text: {_dump(f"Do they describe a problem today that {category} would solve, such as manual work, errors or delays?")}
    category: need
    weight: 8
  - id: timeline_6_months
    text: Do they want to buy or go live within the next 6 months?
    category: timeline
    weight: 6
  - id: budget_set_aside
    text: {_dump(f"Have they set aside budget for {category}?")}
    category: budget
    weight: 5
  - id: uses_competitor
    text: Are they currently using one of our competitors?
    category: competition
    weight: 3
  - id: not_a_buyer
    text: Is the contact a student, a job seeker, or someone pitching their own services to us rather than a potential customer?
    category: disqualifier
    weight: 10
    fit_type: bad
    instant_disqualifier: true
  - id: recent_intent
    text: In the 30 days before the lead came in, did they request a demo or start a trial?
    category: intent
    weight: 5
""",
        "segments.yaml": """# Segments, and what a Sales Qualified Lead is in each: must-haves (every one yes → sql_ready; one no → nurture,
# with its reason), fast-track rules and nice-to-haves that rank. See docs/sql-definitions.md.
segments:
  - id: core
    name: Core market
    description: Companies in the size band and regions we serve.
    min_employees: __MIN_EMPLOYEES__
    max_employees: __MAX_EMPLOYEES__
    thresholds: {sql_ready: 70, needs_discovery: 40}
    sql:
      disqualify:
        - id: not_a_buyer
          label: A student, a job seeker or a vendor pitching us
          when: not_a_buyer
      must_have:
        - id: fit
          label: In the size band, in a country we serve
          when: &fit {all: [company_size, served_region]}
          nurture_reason: fit
          nurture_note: Not in the ideal customer profile — recycle if that changes.
        - id: need
          label: A problem today that we solve
          when: pain_today
          nurture_reason: need
          nurture_note: No pain today — nurture with content, re-qualify when it shows.
        - id: authority
          label: The contact can sign off
          when: decision_maker
          nurture_reason: authority
          nurture_note: Find the person who signs; keep this contact warm.
        - id: timing
          label: Buying or going live within 6 months
          when: timeline_6_months
          nurture_reason: timing
          nurture_note: Future pipeline — revisit when the window opens.
      fast_track:
        - id: demo_from_fit
          label: A fit company that asked for a demo or started a trial
          when: {all: [*fit, recent_intent]}
      nice_to_have:
        - {id: budget, label: Budget set aside, when: budget_set_aside, points: 5}
        - {id: competitor, label: On a competitor (a switch), when: uses_competitor, points: 3}
""",
        "competitors.yaml": """# Your competitors: a lead naming them (or writing from their domains) is read as such.
competitors:
  - {id: example_rival, name: Example Rival, domains: [example-rival.com], aliases: []}
""",
        "personas.yaml": """# Who buys: titles (in any language) are matched to these.
personas:
  - id: executive
    name: Owner or executive
    role: decision_maker
    fit: good
    description: Signs for the purchase.
    titles: [Owner, Founder, CEO, COO, Managing Director]
  - id: student
    name: Student or intern
    role: bad_fit
    fit: bad
    description: Not a buyer.
    titles: [Student, Intern]
""",
        "use_cases.yaml": """# What your product is used for. `pains` (optional) lists ways a lead might say it; the description alone
# is enough to match a lead to the use case.
use_cases:
  - id: main
    name: Main use case
    description: Replace manual work and spreadsheets with the product.
    pains: ["we do it all by hand", "the spreadsheet is always out of date"]
""",
        "disqualifiers.yaml": """# Hard rules, checked before any question is answered.
# seller.yaml's size band only scores fit; to disqualify companies that are too small, uncomment min_employees.
disqualifiers:
  # min_employees: 10
  student_title_patterns: [student, intern]
  student_email_suffixes: [.edu, .ac.uk]
  job_seeker_patterns: [looking for a job, open to work, my cv, my resume]
"""
        + _countries_rule(regions),
    }
    if not 0 < min_employees < max_employees:
        raise LibraryError(f"the size band {min_employees}-{max_employees} is empty: min_employees must be below max")
    written = []
    for file, text in files.items():
        path = folder / file
        text = text.replace("__MIN_EMPLOYEES__", str(min_employees)).replace("__MAX_EMPLOYEES__", str(max_employees))
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
