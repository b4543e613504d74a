"""Firmographics import: column mappings, revenue parsing, bad rows, upsert by domain, and the directory it feeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.db import Base, make_engine, session_factory
from api.enrichment.models import FirmographicRow
from api.enrichment.parsing import parse_employees, parse_revenue
from api.enrichment.service import DEFAULT_MAPPING, MappingError, import_companies, load_directory, load_mapping

MAPPINGS = Path(__file__).resolve().parents[2] / "samples" / "mappings"

INC_STYLE = """_ - rank,name,url,state,_ - revenue,_ - industry,_ - workers,city
1,Freestar,http://freestar.com,AZ,36.9 Million,Advertising & Marketing,40,Phoenix
2,FreightWise,http://www.freightwisellc.com/about,TN,$1.2B,Logistics & Transportation,"1,390",Brentwood
3,Broken Site,http://nodomain,TX,24.9 Million,Food & Beverage,190,Austin
4,Bad Workers,http://badworkers.com,NM,32.4 Million,Retail,many,Albuquerque
5,Bad Revenue,http://badrevenue.com,PA,lots of money,Retail,25,Philadelphia
6,,http://noname.com,FL,2 Million,Health,7,Miami
7,Unknown Size,http://unknownsize.com,NJ,20.5 Million,Consumer Products & Services,,Hoboken
"""


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    Base.metadata.create_all(engine)
    yield session_factory(engine)
    engine.dispose()


def write(tmp_path: Path, text: str, name: str = "companies.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(FirmographicRow)) or 0


@pytest.mark.parametrize(
    ("text", "unit", "usd"),
    [
        ("36.9 Million", 1, 36_900_000),
        ("$1.2B", 1, 1_200_000_000),
        ("1.5 bn", 1, 1_500_000_000),
        ("$750K", 1, 750_000),
        ("1,234,567", 1, 1_234_567),
        ("523964", 10**6, 523_964_000_000),
        ("179589.1", 10**6, 179_589_100_000),
        ("", 1, None),
        ("n/a", 1, None),
    ],
)
def test_revenue_text_is_parsed(text: str, unit: int, usd: int | None) -> None:
    assert parse_revenue(text, unit) == usd


@pytest.mark.parametrize("text", ["lots of money", "12 apples", "1.2.3M"])
def test_bad_revenue_raises(text: str) -> None:
    with pytest.raises(ValueError):
        parse_revenue(text)


@pytest.mark.parametrize(
    ("text", "count_"),
    [("40", 40), ("1,390", 1390), ("40.0", 40), ("1.2k", 1200), ("10,001+", 10001), ("51-200", 125), ("", None)],
)
def test_head_counts_are_parsed(text: str, count_: int | None) -> None:
    assert parse_employees(text) == count_


def test_inc_style_file_imports_good_rows_and_reports_bad_ones(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    csv_path = write(tmp_path, INC_STYLE)
    with sessions() as s:
        report = import_companies(s, csv_path, load_mapping(MAPPINGS / "inc5000.yaml"))
    assert (report.rows, report.inserted, report.updated) == (7, 3, 0)
    assert [(e.row, e.field) for e in report.errors] == [(4, "website"), (5, "employees"), (6, "revenue"), (7, "name")]
    assert "not a head count" in str(report.errors[1]) and str(report.errors[1]).startswith("row 5, field employees")
    with sessions() as s:
        rows = {r.domain: r for r in s.scalars(select(FirmographicRow))}
    assert set(rows) == {"freestar.com", "freightwisellc.com", "unknownsize.com"}
    freight = rows["freightwisellc.com"]
    assert (freight.employees, freight.revenue_usd, freight.country, freight.state) == (1390, 1_200_000_000, "US", "TN")
    assert rows["unknownsize.com"].employees is None
    assert rows["freestar.com"].created_at.tzinfo is not None


def test_reimport_updates_and_never_duplicates(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    mapping = load_mapping(MAPPINGS / "inc5000.yaml")
    with sessions() as s:
        import_companies(s, write(tmp_path, INC_STYLE), mapping)
    changed = INC_STYLE.replace(
        "Freestar,http://freestar.com,AZ,36.9 Million,Advertising & Marketing,40",
        "Freestar Inc,https://www.freestar.com,AZ,40 Million,Advertising & Marketing,55",
    )
    with sessions() as s:
        report = import_companies(s, write(tmp_path, changed, "again.csv"), mapping)
    assert (report.inserted, report.updated) == (0, 3)
    assert count(sessions) == 3
    with sessions() as s:
        row = s.scalars(select(FirmographicRow).where(FirmographicRow.domain == "freestar.com")).one()
    assert (row.name, row.employees, row.revenue_usd, row.source) == ("Freestar Inc", 55, 40_000_000, "again.csv")


def test_a_domain_twice_in_one_file_keeps_the_later_row(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    text = "name,domain,employees\nAcme,acme.com,10\nAcme Corp,https://acme.com,20\n"
    with sessions() as s:
        report = import_companies(s, write(tmp_path, text), None)
    assert (report.inserted, report.duplicates) == (1, 1)
    with sessions() as s:
        assert s.scalars(select(FirmographicRow.employees)).one() == 20


def test_a_mapping_naming_a_missing_column_writes_nothing(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    csv_path = write(tmp_path, INC_STYLE)
    with sessions() as s, pytest.raises(MappingError, match="num. of employees"):
        import_companies(s, csv_path, load_mapping(MAPPINGS / "fortune1000.yaml"))
    assert count(sessions) == 0


def test_a_non_utf8_file_writes_nothing(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,domain\nMüller GmbH,mueller.de\n".encode("latin-1"))
    with sessions() as s, pytest.raises(MappingError, match="not UTF-8"):
        import_companies(s, path, None)
    assert count(sessions) == 0


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("columns: {domain: d}", "name"),
        ("columns: {name: n}", "domain"),
        ("columns: {name: n, domain: d, colour: c}", "colour"),
        ("columns: {name: n, domain: d}\ndefaults: {country: Atlantis}", "Atlantis"),
        ("columns: [unclosed", "cannot read"),
    ],
)
def test_bad_mappings_are_rejected_with_a_named_problem(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        load_mapping(path)


def test_the_shipped_mappings_load() -> None:
    assert load_mapping(None) is DEFAULT_MAPPING
    assert load_mapping(MAPPINGS / "default.yaml") == DEFAULT_MAPPING
    fortune = load_mapping(MAPPINGS / "fortune1000.yaml")
    assert (fortune.columns["employees"], fortune.revenue_unit, fortune.defaults["country"]) == (
        "num. of employees",
        10**6,
        "US",
    )


def test_default_mapping_and_the_directory_it_feeds(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    text = (
        "name,domain,employees,industry,country,city,revenue_usd\n"
        "Acme Manufacturing Inc.,acme-mfg.com,480,Manufacturing,USA,Dayton,90000000\n"
        "Globex GmbH,www.globex.de,1200,Software,Deutschland,Berlin,$250M\n"
        "Nowhere Ltd,nowhere.co.uk,30,Retail,Atlantis,London,\n"
    )
    with sessions() as s:
        report = import_companies(s, write(tmp_path, text), None)
    assert report.inserted == 2 and [(e.row, e.field) for e in report.errors] == [(4, "country")]
    with sessions() as s:
        directory = load_directory(s)
    assert len(directory) == 2 and directory.name == "firmographics"
    globex = directory.by_domain("globex.de")
    assert globex is not None and (globex.country, globex.revenue_usd) == ("DE", 250_000_000)
    hit = directory.by_name("Acme Manufacturing")
    assert hit is not None and hit[0].domain == "acme-mfg.com"


def test_the_default_mapping_tolerates_missing_optional_columns_but_not_a_missing_domain(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    with sessions() as s:
        report = import_companies(s, write(tmp_path, "name,domain\nAcme,acme.com\n"), None)
    assert report.inserted == 1
    with sessions() as s, pytest.raises(MappingError, match="domain"):
        import_companies(s, write(tmp_path, "name,employees\nBeta,40\n", "nodomain.csv"), None)
    assert count(sessions) == 1
