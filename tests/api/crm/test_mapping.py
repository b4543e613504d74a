"""Mapping files: the shipped ones load; bad files and bad values are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.crm.mapping import MappingError, MappingFileError, load_mapping, to_lead
from api.crm.sync import DATA, _load
from api.settings import Settings


def test_the_shipped_mappings_load_and_map_a_record() -> None:
    spec = load_mapping(DATA / "hubspot_mapping.yaml")
    lead = to_lead(
        spec,
        "17",
        {"email": "ann@acme.example", "firstname": "Ann", "lastname": "Lee", "website": "https://www.acme.example/"},
        "hubspot",
        {"numberofemployees": "1,200", "name": "Acme Inc"},
    )
    assert (lead.external_id, lead.source, lead.person.name) == ("17", "hubspot", "Ann Lee")
    assert lead.company.employees == 1200 and lead.company.name == "Acme Inc"
    assert (
        load_mapping(DATA / "salesforce_mapping.yaml").writeback["fields"]["qualified_at"] == "Qualify_Qualified_At__c"
    )


def test_every_bad_property_of_a_record_is_named_with_the_record(tmp_path: Path) -> None:
    spec = load_mapping(DATA / "salesforce_mapping.yaml")
    with pytest.raises(MappingError) as caught:
        to_lead(spec, "00Q1", {"Email": "ann@acme.example", "NumberOfEmployees": "-3"}, "salesforce")
    assert [(p.record_id, p.property) for p in caught.value.problems] == [("00Q1", "NumberOfEmployees")]
    with pytest.raises(MappingError) as caught:
        to_lead(spec, "00Q2", {"Email": "ann at acme", "Company": "x" * 600}, "salesforce")
    assert {p.property for p in caught.value.problems} == {"Email", "Company"}
    with pytest.raises(MappingError, match="record 00Q3"):
        to_lead(spec, "00Q3", {"Phone": ""}, "salesforce")  # nothing to make a lead of


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("fields: {}\n", "fields"),
        ("fields:\n  person.shoe_size: shoe\n", "person.shoe_size"),
        ("fields: [unclosed\n", "hubspot"),
    ],
)
def test_a_bad_mapping_file_is_named(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "hubspot.yaml"
    path.write_text(text)
    with pytest.raises(MappingFileError, match=str(path)) as caught:
        load_mapping(path)
    assert words in str(caught.value)


def test_writeback_for_an_event_qualify_never_sends_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hubspot.yaml"
    path.write_text("fields: {person.email: email}\nwriteback:\n  lifecyclestage: {lead.won: customer}\n")
    with pytest.raises(MappingFileError, match="lead.won"):
        _load(path, path.stat().st_mtime)
    assert Settings(hubspot_mapping_file=path).hubspot_mapping_file == path
