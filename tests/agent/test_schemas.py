"""The Lead contract: what a CRM or form really sends."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent.schemas import Lead


def test_null_objects_and_lists_mean_empty() -> None:
    lead = Lead.model_validate(
        {"person": None, "company": None, "form_answers": None, "events": None, "notes": "Wants a demo."}
    )
    assert lead.person.email is None and lead.company.name is None and lead.form_answers == {} and lead.events == []


def test_a_lead_of_nothing_but_nulls_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="a lead needs at least"):
        Lead.model_validate({"person": None, "company": None, "form_answers": None, "events": None})


def test_a_wrong_type_is_still_refused_by_field() -> None:
    with pytest.raises(ValidationError) as info:
        Lead.model_validate({"company": "Acme", "notes": "x"})
    assert info.value.errors()[0]["loc"] == ("company",)
