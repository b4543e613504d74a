"""Bytes in, one `Transcript` out: decoding, format detection, and the shared segment → utterance step.

The four formats live in `formats.py`; this module holds what they share. Every failure is a `TranscriptError`
naming the problem and, where there is one, the line or cue.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import dateparser

from agent.errors import TranscriptError
from agent.text import strip_hidden
from agent.transcripts.models import Format, Participant, Transcript, Utterance

MAX_TRANSCRIPT_BYTES = 2_000_000  # the API answers 413 above this; parsing itself has no limit
_MERGE_MAX_CHARS = 1_500  # consecutive cues of one speaker are joined into one utterance up to this size
_MERGE_MAX_GAP_S = 5.0

_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")
_EXTENSIONS: dict[str, Format] = {
    "vtt": "vtt",
    "webvtt": "vtt",
    "srt": "srt",
    "json": "json",
    "txt": "text",
    "text": "text",
    "md": "text",
}
# A speaker label: capitalised words ("Dana Reyes", "Dr. O'Neil"), or a diarisation label ("Speaker 2", "SPEAKER_01").
SPEAKER = r"(?:[A-Z][\w.'\-]*(?: [\w.'\-]+){0,3}|[Ss]peaker[ _]?\d+|SPEAKER_\d+)"
DATE_KEYS = {"date", "call date", "call_date", "meeting date", "recorded", "recorded at", "created", "created_at"}
PARTICIPANT_KEYS = {"participants", "attendees"}


@dataclass
class Segment:
    """A piece of speech as a format yields it, before joining into utterances."""

    speaker: str | None
    text: str
    start: float | None
    end: float | None
    where: str  # "cue 3 (line 12)": used in error messages
    company: str | None = None


@dataclass
class Meta:
    call_date: date | None = None
    participants: list[Participant] | None = None


def decode(data: bytes | str) -> str:
    """UTF-8 (or BOM-marked UTF-16) text; empty, binary or undecodable input raises."""
    if isinstance(data, str):
        text = data
    else:
        if not data.strip():
            raise TranscriptError("the transcript is empty")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError as exc:
                raise TranscriptError(f"the transcript is not valid UTF-16 (byte {exc.start})") from exc
        else:
            if b"\x00" in data[:8192]:
                raise TranscriptError("the transcript looks binary (it contains NUL bytes), not a text export")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise TranscriptError(
                    f"the transcript is not UTF-8 text: undecodable byte at line {line} "
                    f"(byte offset {exc.start}); re-export it as UTF-8"
                ) from exc
    text = strip_hidden(text.lstrip("\ufeff"))[0].replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TranscriptError("the transcript is empty")
    if "\x00" in text:
        raise TranscriptError("the transcript looks binary (it contains NUL characters), not a text export")
    return text


def detect(text: str, filename: str | None = None) -> Format:
    """The format, from the file extension when it names one, else from the content."""
    if filename and "." in filename:
        found = _EXTENSIONS.get(filename.rsplit(".", 1)[1].lower())
        if found:
            return found
    head = text.lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if head[:1] in "{[":
        try:
            json.loads(head)
            return "json"
        except ValueError:
            if head.startswith("{"):
                return "json"  # let the JSON parser name the syntax error
    lines = [line.strip() for line in head.split("\n")[:3]]
    if len(lines) >= 2 and lines[0].isdigit() and "-->" in lines[1]:
        return "srt"
    return "text"


def seconds(value: str, where: str) -> float:
    """'01:02:03.500', '02:03', '02:03,5' → seconds."""
    m = _TIME.match(value.strip())
    if not m:
        raise TranscriptError(f"{where}: {value!r} is not a timestamp (expected hh:mm:ss.mmm or mm:ss)")
    hours, minutes, secs, frac = m.groups()
    if int(secs) >= 60 or (hours is not None and int(minutes) >= 60):
        raise TranscriptError(f"{where}: {value!r} is not a valid timestamp")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)


def parse_date(value: str) -> date | None:
    """An absolute date as written in metadata ('2025-03-14', 'March 14, 2025'); None when unreadable."""
    found = dateparser.parse(value.strip(), languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    return found.date() if found else None


_PARTICIPANT = re.compile(r"^\s*(?P<name>[^<(]+?)\s*(?:<(?P<email>[^>]+)>)?\s*(?:\((?P<company>[^)]+)\))?\s*$")


def parse_participants(value: str) -> list[Participant]:
    """'Dana Reyes <dana@acme.com> (Acme); Sam Lee (Ledgerly)' → participants."""
    out = []
    for part in re.split(r"[;,]\s*(?![^<(]*[>)])", value):
        m = _PARTICIPANT.match(part)
        if m and m["name"].strip():
            out.append(Participant(name=m["name"].strip(), email=m["email"], company=m["company"]))
    return out


def read_meta_line(line: str, meta: Meta) -> bool:
    """Fill `meta` from a 'Key: value' line when the key is a known metadata key; say whether it was one."""
    key, sep, value = line.partition(":")
    key = key.strip().lower()
    if not sep or not value.strip():
        return False
    if key in DATE_KEYS:
        meta.call_date = parse_date(value) or meta.call_date
        return True
    if key in PARTICIPANT_KEYS:
        meta.participants = parse_participants(value)
        return True
    return False


def build(fmt: Format, segments: list[Segment], meta: Meta, call_date: date | None) -> Transcript:
    """Join consecutive segments of one speaker into utterances, carry speakers over unlabelled cues, add participants."""
    if not segments:
        raise TranscriptError(f"the {fmt} transcript has no speech in it")
    if all(s.speaker is None for s in segments):
        raise TranscriptError(
            f"{segments[0].where}: no speaker names found; the {fmt} transcript must say who speaks "
            "(voice tags, 'Name: text' or a speaker field)"
        )
    utterances: list[dict[str, Any]] = []  # joined segments, made Utterances once complete
    companies: dict[str, str] = {}
    current: dict[str, Any] | None = None
    speaker: str | None = None
    for seg in segments:
        speaker = seg.speaker or speaker
        if speaker is None:
            raise TranscriptError(f"{seg.where}: no speaker for the first cue, so who said it is unknown")
        if seg.company:
            companies.setdefault(speaker, seg.company)
        text = seg.text.strip()
        if not text:
            continue
        joinable = (
            current is not None
            and current["speaker"] == speaker
            and len(current["text"]) + len(text) < _MERGE_MAX_CHARS
            and (seg.start is None or current["end"] is None or seg.start - current["end"] <= _MERGE_MAX_GAP_S)
        )
        if joinable and current is not None:  # joinable already implies a current utterance
            current["text"] += " " + text
            current["end"] = seg.end if seg.end is not None else current["end"]
        else:
            current = {"speaker": speaker, "start": seg.start, "end": seg.end, "text": text}
            utterances.append(current)
    built = [Utterance(id=f"u{i}", **u) for i, u in enumerate(utterances, 1)]
    if not built:
        raise TranscriptError(f"the {fmt} transcript has no speech in it")
    return Transcript(
        format=fmt,
        call_date=call_date or meta.call_date,
        participants=_participants(built, meta.participants or [], companies),
        utterances=built,
    )


def _participants(
    utterances: list[Utterance], listed: list[Participant], companies: dict[str, str]
) -> list[Participant]:
    by_name = {p.name.casefold(): p for p in listed}
    out = list(listed)
    for name in dict.fromkeys(u.speaker for u in utterances):
        known = by_name.get(name.casefold())
        if known is None:
            out.append(Participant(name=name, company=companies.get(name)))
        elif known.company is None and name in companies:
            out[out.index(known)] = known.model_copy(update={"company": companies[name]})
    return out
