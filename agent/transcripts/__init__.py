"""Call transcripts: parse any export, assign speaker roles, extract answers, merge them into a new scorecard revision."""

from __future__ import annotations

from datetime import date

from agent.transcripts.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, EmbeddedExtractor
from agent.transcripts.calls import CALL_FIELDS, CALL_PREFIX
from agent.transcripts.merge import AnswerChange, TranscriptMeta, merge_transcript
from agent.transcripts.models import Format, Participant, Role, Transcript, Utterance
from agent.transcripts.formats import parse_transcript
from agent.transcripts.parse import MAX_TRANSCRIPT_BYTES
from agent.transcripts.roles import RoleHints, assign_roles

__all__ = [
    "CALL_FIELDS",
    "CALL_PREFIX",
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "MAX_TRANSCRIPT_BYTES",
    "AnswerChange",
    "EmbeddedExtractor",
    "Format",
    "Participant",
    "Role",
    "RoleHints",
    "Transcript",
    "TranscriptMeta",
    "Utterance",
    "assign_roles",
    "merge_transcript",
    "parse_transcript",
    "read_transcript",
]


def read_transcript(
    data: bytes | str,
    *,
    filename: str | None = None,
    format: Format | None = None,
    call_date: date | None = None,
    roles: RoleHints | None = None,
) -> Transcript:
    """Parse an export and assign speaker roles: what ingestion calls."""
    return assign_roles(parse_transcript(data, filename=filename, format=format, call_date=call_date), roles)
