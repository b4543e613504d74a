"""The four accepted export formats, each turned into speech segments plus call metadata (see docs/transcripts.md)."""

from __future__ import annotations

import html
import json as _json
import re
from datetime import date
from typing import Any

from agent.errors import TranscriptError
from agent.transcripts.models import Participant
from agent.transcripts.models import Format, Transcript
from agent.transcripts.parse import (
    SPEAKER,
    Meta,
    Segment,
    build,
    decode,
    detect,
    parse_date,
    parse_participants,
    read_meta_line,
    seconds,
)

_TIMING = re.compile(r"^(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_PREFIX = re.compile(rf"^(?P<speaker>{SPEAKER})(?:\s*\((?P<company>[^)]{{1,80}})\))?:\s+(?P<text>.*)$")
_BRACKETED = re.compile(r"^\[(?P<speaker>[^\]\d][^\]]{0,60})\]:?\s+(?P<text>.*)$")


def _caption_speech(lines: list[str], start: float, end: float, where: str) -> list[Segment]:
    """Cue text → segments: `<v Name>` voice spans, else a 'Name: text' or '[Name] text' prefix, else no speaker."""
    text = " ".join(line.strip() for line in lines)
    if _VOICE.search(text):
        parts = _VOICE.split(text)  # [before, name1, text1, name2, text2, ...]
        out = [Segment(None, _clean(parts[0]), start, end, where)] if _clean(parts[0]) else []
        out += [Segment(parts[i].strip(), _clean(parts[i + 1]), start, end, where) for i in range(1, len(parts), 2)]
        return out
    text = _clean(text)
    m = _PREFIX.match(text) or _BRACKETED.match(text)
    if m:
        return [Segment(m["speaker"].strip(), m["text"], start, end, where, m.groupdict().get("company"))]
    return [Segment(None, text, start, end, where)]


def _clean(text: str) -> str:
    return html.unescape(_TAG.sub("", text)).replace("\u00a0", " ").strip()


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _timing(line: str, where: str) -> tuple[float, float]:
    m = _TIMING.match(line.strip())
    if not m:
        raise TranscriptError(f"{where}: broken cue timing {line.strip()!r} (expected 'hh:mm:ss.mmm --> hh:mm:ss.mmm')")
    start, end = seconds(m["start"], where), seconds(m["end"], where)
    if end < start:
        raise TranscriptError(f"{where}: broken cue timing, the cue ends ({m['end']}) before it starts ({m['start']})")
    return start, end


def vtt(text: str) -> tuple[list[Segment], Meta]:
    """WebVTT: header, NOTE blocks (may carry 'Date:'/'Participants:'), STYLE/REGION skipped, cue ids optional."""
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
        raise TranscriptError("line 1: a WebVTT file must start with 'WEBVTT'")
    meta, segments = Meta(), []
    header_line, header = blocks[0]
    for line in header[1:]:
        if "-->" in line:
            raise TranscriptError(
                f"line {header_line}: a blank line must separate the WEBVTT header from the first cue"
            )
        read_meta_line(line, meta)
    cue = 0
    for line_no, lines in blocks[1:]:
        if lines[0].startswith("NOTE"):
            for note in [lines[0][4:], *lines[1:]]:
                read_meta_line(note.strip(), meta)
            continue
        if lines[0].startswith(("STYLE", "REGION")):
            continue
        cue += 1
        timing_at = 0 if "-->" in lines[0] else 1
        where = f"cue {cue} (line {line_no + timing_at})"
        if timing_at >= len(lines):
            raise TranscriptError(f"{where}: cue {lines[0]!r} has no timing line")
        start, end = _timing(lines[timing_at], where)
        segments += _caption_speech(lines[timing_at + 1 :], start, end, where)
    return segments, meta


def srt(text: str) -> tuple[list[Segment], Meta]:
    """SubRip: numbered blocks of 'hh:mm:ss,mmm --> hh:mm:ss,mmm' and text; speakers as 'Name:' or '[Name]' prefixes.

    Some recorders put a header block of metadata lines ('Date: …', 'Participants: …') before the first cue: it is read
    as call metadata when every line of it is one."""
    segments, meta = [], Meta()
    blocks = _blocks(text)
    if blocks and not any("-->" in line for line in blocks[0][1][:2]):
        probe = Meta()
        if all(read_meta_line(line, probe) for line in blocks[0][1]):
            meta, blocks = probe, blocks[1:]
    for block, (line_no, lines) in enumerate(blocks, 1):
        timing_at = 1 if lines[0].strip().isdigit() else 0
        where = f"block {block} (line {line_no + timing_at})"
        if timing_at >= len(lines) or "-->" not in lines[timing_at]:
            raise TranscriptError(f"{where}: expected a timing line 'hh:mm:ss,mmm --> hh:mm:ss,mmm'")
        start, end = _timing(lines[timing_at], where)
        segments += _caption_speech(lines[timing_at + 1 :], start, end, where)
    return segments, meta


_TEXT_LINE = re.compile(
    rf"^\[?(?P<ts>\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:[.,]\d{{1,3}})?)\]?\s+(?P<speaker>{SPEAKER})"
    r"(?:\s*\((?P<company>[^)]{1,80})\))?\s*:\s*(?P<text>.*)$"
)
_OTTER_HEAD = re.compile(rf"^(?P<speaker>{SPEAKER})\s{{2,}}(?P<ts>\d{{1,2}}:\d{{2}}(?::\d{{2}})?)\s*$")


def plain(text: str) -> tuple[list[Segment], Meta]:
    """Plain text: '[mm:ss] Name (Company): text', '[hh:mm:ss] Name: text', 'Name: text', or Otter's 'Name  0:03' heads.

    Metadata lines ('Date: …', 'Participants: …') are read before the first speech line. Once a file shows timestamps,
    only timestamped lines open a turn, so 'Note: …' inside speech stays speech.
    """
    meta, segments = Meta(), []
    timed: bool | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        where = f"line {number}"
        m = _TEXT_LINE.match(line) or _OTTER_HEAD.match(line)
        if m and timed is not False:
            timed = True
            segments.append(
                Segment(
                    m["speaker"].strip(),
                    m.groupdict().get("text") or "",
                    seconds(m["ts"], where),
                    None,
                    where,
                    m.groupdict().get("company"),
                )
            )
            continue
        if not segments and read_meta_line(line, meta):
            continue
        m = _PREFIX.match(line) if timed is not True else None
        if m:
            timed = False
            segments.append(Segment(m["speaker"].strip(), m["text"], None, None, where, m["company"]))
        elif segments:
            segments[-1].text += " " + line  # a wrapped line continues the turn
    if not segments:
        raise TranscriptError("line 1: no speech lines found; expected '[mm:ss] Name: text' or 'Name: text' lines")
    return segments, meta


# --- JSON ------------------------------------------------------------------------------------------------------------

_LIST_KEYS = ("utterances", "segments", "transcript", "monologues", "entries")
_SPEAKER_KEYS = ("speaker", "speaker_name", "speakerName", "name")
_TEXT_KEYS = ("text", "transcript", "content")
_START_KEYS = ("start", "start_time", "startTime", "offset")
_END_KEYS = ("end", "end_time", "endTime")


def json_utterances(text: str) -> tuple[list[Segment], Meta]:
    """A list of {speaker, start, end, text}, bare or under 'utterances' (also 'segments', Deepgram's 'results')."""
    try:
        doc = _json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise TranscriptError(f"line {line}: invalid JSON ({getattr(exc, 'msg', exc)})") from exc
    meta, scale = Meta(), 1.0
    items: Any = doc
    if isinstance(doc, dict):
        metadata = doc.get("metadata")
        meta = _json_meta(metadata if isinstance(metadata, dict) else doc)
        # AssemblyAI reports milliseconds; so does anyone who says so with "time_unit": "ms".
        if doc.get("time_unit") == "ms" or "audio_duration" in doc or "audio_url" in doc:
            scale = 0.001
        if isinstance(doc.get("results"), dict):  # Deepgram
            doc = doc["results"]
        items = next((doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        if items is None:
            raise TranscriptError(f"the JSON object has no utterance list (expected one of: {', '.join(_LIST_KEYS)})")
    if not isinstance(items, list):
        raise TranscriptError("the JSON must be a list of utterances or an object with an 'utterances' list")
    return [_json_item(item, i, scale) for i, item in enumerate(items)], meta


def _json_item(item: Any, index: int, scale: float) -> Segment:
    where = f"utterance {index + 1} (index {index})"
    if not isinstance(item, dict):
        raise TranscriptError(f"{where}: expected an object with speaker, start, end and text")
    speaker = next((item[k] for k in _SPEAKER_KEYS if item.get(k) not in (None, "")), None)
    if speaker is None:
        raise TranscriptError(f"{where}: missing speaker (expected one of: {', '.join(_SPEAKER_KEYS)})")
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        speaker = f"Speaker {speaker}"  # Deepgram numbers its speakers
    text = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str)), None)
    if text is None:
        raise TranscriptError(f"{where}: missing text (expected one of: {', '.join(_TEXT_KEYS)})")
    return Segment(
        str(speaker).strip(),
        text,
        _json_time(item, _START_KEYS, scale, where, "start"),
        _json_time(item, _END_KEYS, scale, where, "end"),
        where,
    )


def _json_time(item: dict, keys: tuple[str, ...], scale: float, where: str, what: str) -> float | None:
    ms_key = f"{what}_ms"
    if isinstance(item.get(ms_key), (int, float)):
        return float(item[ms_key]) / 1000
    value = next((item[k] for k in keys if item.get(k) is not None), None)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TranscriptError(f"{where}: {what} must be seconds or 'hh:mm:ss.mmm', not {value!r}")
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return seconds(value, where)
    if value < 0:
        raise TranscriptError(f"{where}: {what} is negative ({value})")
    return float(value) * scale


def _json_meta(doc: dict) -> Meta:
    meta = Meta()
    for key in ("call_date", "date", "meeting_date", "recorded_at", "created_at", "created"):
        if isinstance(doc.get(key), str):
            meta.call_date = parse_date(doc[key])
            break
    people = doc.get("participants") or doc.get("attendees")
    if isinstance(people, str):
        meta.participants = parse_participants(people)
    elif isinstance(people, list):
        meta.participants = []
        for p in people:
            if isinstance(p, str):
                meta.participants += parse_participants(p)
            elif isinstance(p, dict) and p.get("name"):
                try:
                    meta.participants.append(
                        Participant(**{k: v for k, v in p.items() if k in Participant.model_fields})
                    )
                except ValueError as exc:
                    raise TranscriptError(f"participant {p.get('name')!r}: {exc}") from exc
    return meta


def parse_transcript(
    data: bytes | str, *, filename: str | None = None, format: Format | None = None, call_date: date | None = None
) -> Transcript:
    """Parse any supported export into a `Transcript` (roles still unknown; see roles.assign_roles)."""
    text = decode(data)
    fmt = format or detect(text, filename)
    segments, meta = {"vtt": vtt, "srt": srt, "json": json_utterances, "text": plain}[fmt](text)
    return build(fmt, segments, meta, call_date)
