"""Checks on an upload before any parser sees it: a known format, and JSON that is shallow and finite.

The parsers in agent/transcripts trust `json.loads`, which recurses once per nesting level (50,000 nested arrays
raise RecursionError) and accepts NaN and Infinity; both are refused here with the field named.
"""

from __future__ import annotations

import json
import re
from typing import Any, get_args

from agent.errors import TranscriptError
from agent.transcripts.models import Format
from agent.transcripts.parse import decode
from api.errors import Unprocessable

FORMATS: tuple[str, ...] = get_args(Format)
MAX_JSON_DEPTH = 64
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise Unprocessable(f"unknown transcript format {fmt!r}; use one of {', '.join(FORMATS)}", field="format")


def _depth(text: str) -> int:
    """The deepest bracket nesting outside strings, counted without recursion."""
    deepest = depth = 0
    for m in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


class _NotFinite:
    def __init__(self, word: str):
        self.word = word


def check_json(data: bytes, fmt: str | None, filename: str | None) -> None:
    """Refuse JSON (declared, named .json, or starting with a bracket) nested too deep or holding NaN/Infinity."""
    try:
        text = decode(data)
    except TranscriptError:
        return  # the parser names the encoding problem
    head = text.lstrip()[:1]
    named = bool(filename and filename.lower().endswith(".json"))
    if not (fmt == "json" or named or (fmt is None and head in ("[", "{"))):
        return
    if _depth(text) > MAX_JSON_DEPTH:
        raise Unprocessable(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels", field="transcript")
    bad: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        bad.extend(k for k, v in items if isinstance(v, _NotFinite))
        return dict(items)

    try:
        json.loads(text, parse_constant=_NotFinite, object_pairs_hook=pairs)
    except ValueError:
        return  # not JSON after all (or broken JSON): the parser reports it with the line
    if bad:
        raise Unprocessable(f"{bad[0]}: NaN and Infinity are not numbers a transcript can use", field=bad[0])
