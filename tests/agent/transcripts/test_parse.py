"""Each parser on good input and on the malformed input the issue names."""

from __future__ import annotations

import json
from datetime import date

import pytest

from agent.errors import TranscriptError
from agent.transcripts import parse_transcript
from agent.transcripts.parse import detect

VTT = """WEBVTT - Kickoff

NOTE
Date: 2026-11-12
Participants: Sam Patel <sam@ledgerly.io> (Ledgerly); Dana Ortiz <dana@acme.com>

STYLE
::cue { color: white }

intro-1
00:00:01.000 --> 00:00:04.000 align:start
<v Sam Patel>Hi Dana, how are invoices paid today?</v>

00:00:04.500 --> 00:00:09.250
<v.loud Dana Ortiz>We key them &amp; approve by <b>email</b>.
<v Sam Patel>Got it.

3
00:00:09.500 --> 00:00:12.000
and that continues Sam's turn
"""


def test_vtt_voice_tags_cue_ids_notes_and_styles() -> None:
    t = parse_transcript(VTT.encode())
    assert t.format == "vtt"
    assert t.call_date == date(2026, 11, 12)
    assert [(u.id, u.speaker, u.start) for u in t.utterances] == [
        ("u1", "Sam Patel", 1.0),
        ("u2", "Dana Ortiz", 4.5),
        ("u3", "Sam Patel", 4.5),
    ]
    assert t.utterances[1].text == "We key them & approve by email."
    assert (
        t.utterances[2].text == "Got it. and that continues Sam's turn"
    )  # an unlabelled cue carries the last speaker on
    assert t.utterances[2].end == 12.0
    assert {p.name: p.email for p in t.participants} == {"Sam Patel": "sam@ledgerly.io", "Dana Ortiz": "dana@acme.com"}


def test_vtt_zoom_style_name_prefix() -> None:
    t = parse_transcript("WEBVTT\n\n1\n00:01.000 --> 00:03.000\nAlex Romero: Hello there.\n", filename="z.vtt")
    assert (t.utterances[0].speaker, t.utterances[0].text, t.utterances[0].start) == (
        "Alex Romero",
        "Hello there.",
        1.0,
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ("WEBVTT\n\n1\n00:00:01.000 -> 00:00:02.000\n<v A>hi\n", "cue 1 (line 4): broken cue timing"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\n<v A>hi\n", "ends (00:00:02.000) before it starts"),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>hi\n\n00:00:03.000 --> 00:61:00.000\n<v A>x\n",
            "cue 2 (line 6)",
        ),
        ("NOT A VTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n", "must start with 'WEBVTT'"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\njust words, nobody named\n", "no speaker names found"),
    ],
)
def test_vtt_malformed(body: str, message: str) -> None:
    with pytest.raises(TranscriptError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_transcript(body.encode(), filename="call.vtt")


def test_srt_with_name_and_bracket_speakers() -> None:
    body = (
        "1\n00:00:01,000 --> 00:00:03,500\nPriya Nair: Hello Greg.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n[Greg Hanley] We use TallyForge.\n"
    )
    t = parse_transcript(body.encode())
    assert t.format == "srt"
    assert [(u.speaker, u.text, u.start, u.end) for u in t.utterances] == [
        ("Priya Nair", "Hello Greg.", 1.0, 3.5),
        ("Greg Hanley", "We use TallyForge.", 4.0, 6.0),
    ]


def test_srt_header_block_is_read_as_call_metadata() -> None:
    body = (
        "Date: 2026-11-17\nParticipants: Nicole Harper <nicole@uptimo.example> (Uptimo); Rick Delgado\n\n"
        "1\n00:00:02,000 --> 00:00:05,400\nNicole Harper: Hi Rick.\n\n"
        "2\n00:00:06,000 --> 00:00:08,000\nRick Delgado: Hi.\n"
    )
    t = parse_transcript(body.encode(), filename="call.srt")
    assert t.call_date == date(2026, 11, 17)
    assert [u.speaker for u in t.utterances] == ["Nicole Harper", "Rick Delgado"]
    assert any(p.email == "nicole@uptimo.example" for p in t.participants)


def test_srt_header_that_is_not_metadata_is_still_an_error() -> None:
    body = "Some title\n\n1\n00:00:01,000 --> 00:00:03,500\nA: hi\n"
    with pytest.raises(TranscriptError, match=r"block 1 \(line 1\): expected a timing line"):
        parse_transcript(body.encode(), filename="x.srt")


def test_srt_block_without_timing_names_the_block() -> None:
    body = "1\n00:00:01,000 --> 00:00:03,500\nA: hi\n\n2\nB: no timing here\n"
    with pytest.raises(TranscriptError, match=r"block 2 \(line 6\): expected a timing line"):
        parse_transcript(body.encode(), filename="x.srt")


@pytest.mark.parametrize(
    "doc",
    [
        [
            {"speaker": "Dana", "start": 1.5, "end": 3, "text": "Hi."},
            {"speaker_name": "Sam", "start": "00:00:04.250", "text": "Yo."},
        ],
        {
            "call_date": "2026-11-12",
            "utterances": [
                {"speaker": "Dana", "start": 1.5, "end": 3, "text": "Hi."},
                {"speaker": "Sam", "start": "00:04.250", "text": "Yo."},
            ],
        },
        {
            "results": {
                "utterances": [
                    {"speaker": "Dana", "start": 1.5, "end": 3.0, "transcript": "Hi."},
                    {"speaker": "Sam", "start": 4.25, "transcript": "Yo."},
                ]
            }
        },
        {
            "audio_duration": 9,
            "utterances": [
                {"speaker": "Dana", "start": 1500, "end": 3000, "text": "Hi."},
                {"speaker": "Sam", "start": 4250, "text": "Yo."},
            ],
        },
    ],
)
def test_json_variants(doc: object) -> None:
    t = parse_transcript(json.dumps(doc).encode())
    assert t.format == "json"
    assert [(u.speaker, u.start, u.text) for u in t.utterances] == [("Dana", 1.5, "Hi."), ("Sam", 4.25, "Yo.")]


def test_json_numbered_speakers() -> None:
    t = parse_transcript(json.dumps({"results": {"utterances": [{"speaker": 0, "start": 0, "transcript": "Hi"}]}}))
    assert t.utterances[0].speaker == "Speaker 0"


@pytest.mark.parametrize(
    "doc, message",
    [
        ([{"start": 1, "text": "who said this?"}], r"utterance 1 \(index 0\): missing speaker"),
        (
            [{"speaker": "A", "start": 1, "text": "ok"}, {"speaker": "B", "start": 2}],
            r"utterance 2 \(index 1\): missing text",
        ),
        ({"words": []}, "no utterance list"),
        ([{"speaker": "A", "start": "soon", "text": "x"}], "'soon' is not a timestamp"),
        ([{"speaker": "A", "start": -3, "text": "x"}], "start is negative"),
    ],
)
def test_json_malformed(doc: object, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(json.dumps(doc).encode(), filename="t.json")


def test_json_syntax_error_names_the_line() -> None:
    with pytest.raises(TranscriptError, match=r"line 2: invalid JSON"):
        parse_transcript(b'[{"speaker": "A",\n "text": }]', filename="t.json")


def test_plain_text_timestamps_company_and_wrapped_lines() -> None:
    body = (
        "Date: 2026-11-19\n\n[00:05] Sam Patel (Ledgerly): Budget?\n[01:02:03] Rosa Delgado: About forty grand.\n"
        "Note: it is approved.\n"
    )
    t = parse_transcript(body)
    assert t.call_date == date(2026, 11, 19)
    assert [(u.speaker, u.start, u.text) for u in t.utterances] == [
        ("Sam Patel", 5.0, "Budget?"),
        ("Rosa Delgado", 3723.0, "About forty grand. Note: it is approved."),
    ]
    assert next(p for p in t.participants if p.name == "Sam Patel").company == "Ledgerly"


def test_plain_text_without_times_and_otter_heads() -> None:
    t = parse_transcript("Sam: Hi.\nDana: Hello.\nStill Dana here\n")
    assert [(u.speaker, u.start, u.text) for u in t.utterances] == [
        ("Sam", None, "Hi."),
        ("Dana", None, "Hello. Still Dana here"),
    ]
    otter = parse_transcript("Chris Owens  0:00\nHi there.\n\nRafael Costa  1:06\nHello.\n")
    assert [(u.speaker, u.start, u.text) for u in otter.utterances] == [
        ("Chris Owens", 0.0, "Hi there."),
        ("Rafael Costa", 66.0, "Hello."),
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("[00:01] Dana: caf\u00e9".encode("latin-1"), r"not UTF-8 text: undecodable byte at line 1"),
        (b"just some prose without any speaker lines at all", "no speech lines found"),
    ],
)
def test_bad_bytes(data: bytes, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(data)


def test_utf16_with_bom_and_utf8_bom_are_read() -> None:
    assert parse_transcript("Dana: hi".encode("utf-16")).utterances[0].text == "hi"
    assert parse_transcript(b"\xef\xbb\xbfWEBVTT\n\n00:01.000 --> 00:02.000\n<v A>hi\n").format == "vtt"


@pytest.mark.parametrize(
    "text, filename, expected",
    [
        ("anything", "call.VTT", "vtt"),
        ("anything", "call.srt", "srt"),
        ("x", "a.json", "json"),
        ("WEBVTT\n", None, "vtt"),
        ('[{"speaker": "a"}]', None, "json"),
        ("[00:01] A: hi", None, "text"),
        ("1\n00:00:01,000 --> 00:00:02,000\nA: hi", None, "srt"),
        ("A: hi", "notes.txt", "text"),
    ],
)
def test_detect(text: str, filename: str | None, expected: str) -> None:
    assert detect(text, filename) == expected


def test_consecutive_cues_of_one_speaker_join_but_long_gaps_split() -> None:
    body = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>one\n\n00:02.500 --> 00:03.000\n<v A>two\n\n00:30.000 --> 00:31.000\n<v A>three\n"
    t = parse_transcript(body)
    assert [u.text for u in t.utterances] == ["one two", "three"]


def test_call_date_from_request_wins_over_metadata() -> None:
    assert parse_transcript(VTT, call_date=date(2027, 1, 2)).call_date == date(2027, 1, 2)
