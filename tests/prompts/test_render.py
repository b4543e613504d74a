"""Every prompt template renders against its typed context; missing values fail loudly; hashes follow the files."""

from __future__ import annotations

import hashlib

import pytest
from jinja2 import UndefinedError
from pydantic import BaseModel

from library.schemas import Persona, QualifyingQuestion, Seller, Threshold
from prompts import names, render, template_hash
from prompts.contexts import DataItem, JudgeSystemContext, JudgeUserContext, RepairContext
from prompts.loader import PROMPTS_DIR

QUESTION = QualifyingQuestion(
    id="budget",
    text="Is there a budget of at least $15,000?",
    category="budget",
    weight=5,
    fit_type="good",
    threshold=Threshold(kind="money", operator="gte", value=15000),
    yes_examples=["$20k set aside"],
    no_examples=["no budget"],
)
PAIN = QualifyingQuestion(
    id="manual_ap",
    text="Is the AP process mostly manual today?",
    category="need",
    weight=3,
    fit_type="good",
    yes_examples=["We key every invoice by hand"],
    no_examples=["Fully automated already"],
)
CONTEXTS: dict[str, BaseModel] = {
    "judge_system": JudgeSystemContext(
        seller=Seller(name="Ledgerly", product="AP automation", description="Automates payables."),
        personas=[
            Persona(id="cfo", name="CFO", role="decision_maker", fit="good", description="Owns budget.", titles=["CFO"])
        ],
        questions=[QUESTION, PAIN],
        examples={"manual_ap": "yes e.g. We key every invoice by hand; no e.g. Fully automated already"},
        today="2026-11-20",
    ),
    "judge_user": JudgeUserContext(
        boundary="abc123", question_ids=["budget"], items=[DataItem(source="notes", ref="notes", text="We have $20k.")]
    ),
    "judge_repair": RepairContext(
        boundary="def456", errors=["answers[0] is invalid"], previous_output="{}", question_ids=["budget"]
    ),
}


def test_every_template_has_a_sample_context() -> None:
    assert sorted(CONTEXTS) == names()


@pytest.mark.parametrize("name", names())
def test_every_prompt_renders(name: str) -> None:
    rendered = render(name, CONTEXTS[name])
    assert rendered.text.strip() and "{{" not in rendered.text and "{%" not in rendered.text
    assert rendered.hash == hashlib.sha256((PROMPTS_DIR / f"{name}.j2").read_bytes()).hexdigest()[:16]


def test_system_prompt_carries_the_library_content() -> None:
    text = render("judge_system", CONTEXTS["judge_system"]).text
    assert "Automates payables." in text and "budget: Is there a budget" in text and "money at least 15000" in text
    assert "CFO (decision_maker, good fit: CFO)" in text and "Today is 2026-11-20" in text
    # A question with a typed comparison is read by it; one read from free text gets its examples instead.
    assert "$20k set aside" not in text
    assert "manual_ap: Is the AP process mostly manual today? [yes e.g. We key every invoice by hand; no e.g." in text


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render("judge_user", CONTEXTS["judge_repair"])  # has no `items`


def test_the_hash_does_not_depend_on_the_lead() -> None:
    other = JudgeUserContext(boundary="zzz", question_ids=["x"], items=[])
    assert (
        render("judge_user", other).hash
        == render("judge_user", CONTEXTS["judge_user"]).hash
        == template_hash("judge_user")
    )
