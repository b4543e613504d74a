"""The one typed transcript every parser produces, whatever the export format."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["seller", "prospect", "unknown"]
Format = Literal["vtt", "srt", "json", "text"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Utterance(_Model):
    """One speaker turn; `id` is the evidence ref quotes point at."""

    id: Annotated[str, Field(pattern=r"^u[0-9]+$")]
    speaker: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role = "unknown"
    start: float | None = Field(
        ge=0, description="Seconds from the start of the call; None when the format has no times"
    )
    end: float | None = Field(default=None, ge=0)
    text: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Utterance:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"utterance {self.id}: end {self.end} is before start {self.start}")
        return self


class Participant(_Model):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: str | None = None
    company: str | None = None
    title: str | None = None
    role: Role = "unknown"


class Transcript(_Model):
    """A parsed call: who spoke, when and what, plus the call date that relative dates are read against."""

    format: Format
    call_date: date | None = None
    participants: list[Participant] = Field(default_factory=list)
    utterances: list[Utterance] = Field(min_length=1)

    def speakers(self) -> list[str]:
        """Distinct speaker names in order of first appearance."""
        return list(dict.fromkeys(u.speaker for u in self.utterances))

    def word_count(self) -> int:
        return sum(len(u.text.split()) for u in self.utterances)
