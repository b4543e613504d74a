"""EmailProvider: free-mail and disposable-domain detection from the shipped lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.enrichment.domains import disposable_domains, free_mail_domains
from agent.enrichment.email import EmailProvider
from agent.schemas import Lead

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_the_shipped_lists_are_sizeable_and_disjoint() -> None:
    assert len(free_mail_domains()) >= 300
    assert len(disposable_domains()) >= 200
    assert not free_mail_domains() & disposable_domains()


@pytest.mark.parametrize(
    ("email", "free", "disposable"),
    [
        ("a@gmail.com", True, False),
        ("a@GoogleMail.com", True, False),
        ("a@outlook.de", True, False),
        ("a@yahoo.co.uk", True, False),
        ("a@web.de", True, False),
        ("a@qq.com", True, False),
        ("a@proton.me", True, False),
        ("a@mailinator.com", False, True),
        ("a@guerrillamail.com", False, True),
        ("a@10minutemail.com", False, True),
        ("a@yopmail.com", False, True),
        ("a@acme.com", False, False),
        ("a@eu.acme.co.uk", False, False),
    ],
)
async def test_email_flags(email: str, free: bool, disposable: bool) -> None:
    out = await EmailProvider().enrich(Lead(person={"email": email}), {}, NOW)
    assert out["email.free_mail"].value is free
    assert out["email.disposable"].value is disposable
    assert out["email.domain"].value == email.split("@")[1].lower()


async def test_a_listed_domain_is_certain_an_unlisted_one_is_not() -> None:
    listed = await EmailProvider().enrich(Lead(person={"email": "a@gmail.com"}), {}, NOW)
    unlisted = await EmailProvider().enrich(Lead(person={"email": "a@acme.com"}), {}, NOW)
    assert listed["email.free_mail"].confidence == 1.0
    assert 0.5 <= unlisted["email.free_mail"].confidence < 1.0


async def test_no_email_no_fields() -> None:
    assert await EmailProvider().enrich(Lead(company={"name": "Acme"}), {}, NOW) == {}
