"""Speaker roles from an explicit mapping, rep names, email domains and companies."""

from __future__ import annotations

from agent.transcripts import RoleHints, assign_roles, parse_transcript

TEXT = """Participants: Sam Patel <sam@ledgerly.io>; Dana Ortiz <dana@acme.com>; Lee (Acme)

[00:01] Sam Patel: Hi all.
[00:02] Dana Ortiz: Hello.
[00:03] Lee (Acme): Hi.
[00:04] Speaker 4: Sorry, joined late.
"""


def _roles(hints: RoleHints | None) -> dict[str, str]:
    t = assign_roles(parse_transcript(TEXT), hints)
    return {u.speaker: u.role for u in t.utterances}


def test_email_domains_decide_and_others_default_to_prospect() -> None:
    roles = _roles(RoleHints(seller_domains=["ledgerly.io"]))
    assert roles == {"Sam Patel": "seller", "Dana Ortiz": "prospect", "Lee": "prospect", "Speaker 4": "prospect"}


def test_without_a_known_seller_nobody_is_guessed() -> None:
    roles = _roles(RoleHints(others_are_prospects=True))
    # Emails alone say prospect (not the seller's domain), but an unlabelled speaker stays unknown with no rep known.
    assert roles["Speaker 4"] == "unknown" and roles["Lee"] == "unknown"


def test_explicit_mapping_wins_and_is_case_insensitive() -> None:
    roles = _roles(RoleHints(seller_domains=["ledgerly.io"], mapping={"dana ortiz": "seller", "speaker 4": "unknown"}))
    assert roles["Dana Ortiz"] == "seller" and roles["Speaker 4"] == "unknown"


def test_rep_first_name_and_seller_company() -> None:
    t = parse_transcript("[00:01] Sam: Hi.\n[00:02] Dana (Acme): Hello.\n[00:03] Priya (Ledgerly): Hi.\n")
    roles = {
        u.speaker: u.role
        for u in assign_roles(
            t, RoleHints(seller_names=["Sam Patel"], seller_company="Ledgerly", others_are_prospects=False)
        ).utterances
    }
    assert roles == {"Sam": "seller", "Dana": "prospect", "Priya": "seller"}


def test_participant_roles_follow() -> None:
    t = assign_roles(parse_transcript(TEXT), RoleHints(seller_names=["Sam Patel"]))
    assert {p.name: p.role for p in t.participants}["Sam Patel"] == "seller"
