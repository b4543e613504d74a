"""Country names, codes and aliases → ISO 3166-1 alpha-2, from the shipped table."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

_PUNCT = re.compile(r"[.'’`()\[\],]")
_SPACE = re.compile(r"[\s\-_/]+")


def _key(text: str) -> str:
    # Fold accents, case, "&", dots and brackets so "U.S.A.", "usa" and "Côte d’Ivoire" find their rows.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    text = _SPACE.sub(" ", _PUNCT.sub("", text)).strip()
    return text[4:] if text.startswith("the ") else text


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    by_key: dict[str, str] = {}
    names: dict[str, str] = {}
    with resources.files("agent.enrichment").joinpath("data", "countries.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            names[code] = row["name"]
            for text in (code, row["alpha3"], row["name"], *filter(None, row["aliases"].split("|"))):
                by_key.setdefault(_key(text), code)
    return by_key, names


def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name, alias ("USA", "UK", "Deutschland") or code; None if unknown."""
    if not text or not text.strip():
        return None
    return _table()[0].get(_key(text))


def country_name(code: str) -> str:
    """English short name of an alpha-2 code (the code itself when unknown)."""
    return _table()[1].get(code.upper(), code)
