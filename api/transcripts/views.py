"""HTTP routes for call transcripts: upload (multipart or JSON), list, and the diff each one produced."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from agent.transcripts import RoleHints
from api.errors import NotFound, Unprocessable
from api.responses import TranscriptResult, TranscriptSummary
from api.transcripts import service
from api.transcripts.models import TranscriptRow

router = APIRouter(tags=["transcripts"])


class TranscriptIn(BaseModel):
    """A transcript sent as JSON: the export's text, its format (detected when omitted), the call date, who is who."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(
        min_length=1, description="The export as text: WebVTT, SRT, a JSON utterance list or plain text"
    )
    format: Literal["vtt", "srt", "json", "text"] | None = None
    filename: str | None = Field(default=None, max_length=255)
    call_date: date | None = None
    roles: RoleHints | None = None


def _caller(request: Request) -> dict[str, Any]:
    return {"who": request.state.principal, "request_id": getattr(request.state, "request_id", None)}


def _result(found: service.Ingested, response: Response) -> dict[str, Any]:
    response.status_code = 201 if found.created else 200
    if not found.created:
        response.headers["Idempotent-Replayed"] = "true"
    return {
        "transcript_id": found.transcript_id,
        "scorecard_id": found.scorecard_id,
        "revision": found.revision,
        "diff": found.diff,
    }


@router.post(
    "/leads/{lead_id}/transcripts",
    status_code=201,
    summary="Ingest a call transcript into a new revision",
    response_model=TranscriptResult,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": TranscriptIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "format": {"type": "string"},
                            "call_date": {"type": "string", "format": "date"},
                            "roles": {"type": "string", "description": "RoleHints as JSON"},
                        },
                    }
                },
            }
        }
    },
)
async def ingest_transcript(lead_id: str, request: Request, response: Response) -> dict[str, Any]:
    """Upload a file (multipart field `file`) or send JSON; the answers from the call go back to review."""
    rt = request.app.state.runtime
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Unprocessable("send the transcript as a multipart file field named 'file'", field="file")
        data = await upload.read()
        try:
            roles = RoleHints.model_validate_json(str(form["roles"])) if form.get("roles") else None
            call_date = date.fromisoformat(str(form["call_date"])) if form.get("call_date") else None
        except (ValidationError, ValueError) as exc:
            raise Unprocessable(f"invalid roles or call_date: {exc}", field="roles") from exc
        fmt = str(form["format"]) if form.get("format") else None
        found = await service.ingest(
            rt,
            lead_id,
            data,
            filename=upload.filename,
            format=fmt,
            call_date=call_date,
            roles=roles,
            **_caller(request),
        )
        return _result(found, response)
    try:
        body = TranscriptIn.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise Unprocessable(f"{field}: {first.get('msg')}", field=field) from exc
    found = await service.ingest(
        rt,
        lead_id,
        body.content.encode(),
        filename=body.filename,
        format=body.format,
        call_date=body.call_date,
        roles=body.roles,
        **_caller(request),
    )
    return _result(found, response)


@router.get(
    "/leads/{lead_id}/transcripts",
    summary="A lead's transcripts and the changes each produced",
    response_model=list[TranscriptSummary],
)
def list_transcripts(lead_id: str, request: Request) -> list[dict[str, Any]]:
    rt = request.app.state.runtime
    with rt.sessions() as s:
        rows = s.scalars(
            select(TranscriptRow).where(TranscriptRow.lead_id == lead_id).order_by(TranscriptRow.created_at)
        ).all()
        return [_summary(r) for r in rows]


@router.get(
    "/transcripts/{transcript_id}",
    summary="One transcript: parsed utterances and its diff",
    response_model=TranscriptSummary,
)
def get_transcript(transcript_id: str, request: Request) -> dict[str, Any]:
    rt = request.app.state.runtime
    with rt.sessions() as s:
        row = s.get(TranscriptRow, transcript_id)
        if row is None:
            raise NotFound("transcript", transcript_id)
        return {**_summary(row), "transcript": row.parsed}


def _summary(row: TranscriptRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "lead_id": row.lead_id,
        "filename": row.filename,
        "format": row.format,
        "call_date": row.call_date,
        "scorecard_id": row.scorecard_id,
        "created_at": row.created_at,
        "diff": row.diff,
        "changed": [c["question_id"] for c in row.diff.get("changes", []) if c["needs_review"]],
    }
