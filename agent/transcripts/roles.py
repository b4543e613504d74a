"""Who is the seller and who the prospect: from an explicit mapping, known rep names, email domains or companies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agent.transcripts.models import Participant, Role, Transcript


class RoleHints(BaseModel):
    """What ingestion knows about the call's people; the explicit mapping wins over everything else."""

    model_config = ConfigDict(extra="forbid")

    mapping: dict[str, Role] = Field(default_factory=dict, description="Speaker name → role, given at ingestion")
    seller_names: list[str] = Field(default_factory=list, description="Known reps (full names or unique first names)")
    seller_domains: list[str] = Field(default_factory=list, description="Email domains of the selling company")
    seller_company: str | None = Field(default=None, description="The seller's company name, e.g. 'Ledgerly'")
    # On a sales call everyone who is not a rep is, in practice, on the buying side.
    others_are_prospects: bool = True


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


def _domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1].casefold() if email and "@" in email else None


def role_of(participant: Participant, hints: RoleHints) -> Role:
    """The role of one participant from the hints alone (unknown when nothing says)."""
    name = _fold(participant.name)
    mapping = {_fold(k): v for k, v in hints.mapping.items()}
    if name in mapping:
        return mapping[name]
    if participant.role != "unknown":
        return participant.role
    reps = [_fold(n) for n in hints.seller_names]
    first = name.split(" ")[0]
    if name in reps or (first and [r.split(" ")[0] for r in reps].count(first) == 1 and " " not in name):
        return "seller"
    domain = _domain(participant.email)
    seller_domains = {d.casefold().lstrip("@") for d in hints.seller_domains}
    if domain:
        return (
            "seller"
            if domain in seller_domains or any(domain.endswith("." + d) for d in seller_domains)
            else "prospect"
        )
    if participant.company and hints.seller_company:
        return "seller" if _fold(participant.company) == _fold(hints.seller_company) else "prospect"
    return "unknown"


def assign_roles(transcript: Transcript, hints: RoleHints | None = None) -> Transcript:
    """A copy of the transcript with every participant's and utterance's role filled in from the hints."""
    hints = hints or RoleHints()
    people = [p.model_copy(update={"role": role_of(p, hints)}) for p in transcript.participants]
    if hints.others_are_prospects and any(p.role == "seller" for p in people):
        explicit = {_fold(k) for k in hints.mapping}
        people = [
            p.model_copy(update={"role": "prospect"}) if p.role == "unknown" and _fold(p.name) not in explicit else p
            for p in people
        ]
    roles = {_fold(p.name): p.role for p in people}
    utterances = [u.model_copy(update={"role": roles.get(_fold(u.speaker), "unknown")}) for u in transcript.utterances]
    return transcript.model_copy(update={"participants": people, "utterances": utterances})
