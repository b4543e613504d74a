"""Transcript ingestion: parse, extract the lead's questions, merge into a new scorecard revision — one transaction."""

from __future__ import annotations

import hashlib
import inspect
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from agent.errors import TranscriptError
from agent.scorecard import rescore
from agent.schemas import Lead, ScorecardDraft
from agent.transcripts import MAX_TRANSCRIPT_BYTES, RoleHints, TranscriptMeta, merge_transcript, read_transcript
from api.audit import service as audit
from api.db import transaction
from api.events import outbox
from api.errors import ApiError, Conflict, NotFound, Unprocessable
from api.leads.flows import REVIEW_AFTER_TRANSCRIPT, LeadStatus
from api.leads.models import LeadRow, ScorecardRow, segment_of
from api.runtime import Runtime
from api.transcripts.checks import check_format, check_json
from api.transcripts.models import TranscriptRow
from api.users.service import Principal, Role
from library.schemas import Library


class TranscriptTooLarge(ApiError):
    def __init__(self, size: int):
        super().__init__(
            413, "Transcript too large", f"the transcript is {size} bytes; the limit is {MAX_TRANSCRIPT_BYTES}"
        )


@dataclass(frozen=True)
class Ingested:
    transcript_id: str
    scorecard_id: str
    revision: int
    diff: dict[str, Any]
    created: bool


def _latest(s: Any, lead_id: str) -> ScorecardRow | None:
    return s.scalars(
        select(ScorecardRow).where(ScorecardRow.lead_id == lead_id).order_by(ScorecardRow.revision.desc()).limit(1)
    ).first()


def _replay(rt: Runtime, lead_id: str, digest: str) -> Ingested | None:
    with rt.sessions() as s:
        row = s.scalar(select(TranscriptRow).where(TranscriptRow.lead_id == lead_id, TranscriptRow.sha256 == digest))
        if row is None:
            return None
        card = s.get(ScorecardRow, row.scorecard_id)
        return Ingested(row.id, row.scorecard_id, card.revision if card else 0, row.diff, created=False)


async def ingest(
    rt: Runtime,
    lead_id: str,
    data: bytes,
    *,
    filename: str | None = None,
    format: str | None = None,
    call_date: date | None = None,
    roles: RoleHints | None = None,
    who: Principal | None = None,
    request_id: str | None = None,
) -> Ingested:
    """Store a call and the scorecard revision extracted from it; the same file again returns the same result.

    `who` is the API caller (None from the CLI); people may only add calls to leads assigned to them, like reviews.
    """
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptTooLarge(len(data))
    check_format(format)
    digest = hashlib.sha256(data).hexdigest()
    with rt.sessions() as s:
        lead_row = s.get(LeadRow, lead_id)
        if lead_row is None:
            raise NotFound("lead", lead_id)
        if who is not None:
            may_add_call(s, lead_row, who)
        latest = _latest(s, lead_id)
        if latest is None:
            raise Conflict(
                f"lead {lead_id} has no scorecard yet (it is {lead_row.status}); qualify it first",
                state=lead_row.status,
            )
        lead = Lead.model_validate(lead_row.payload)
        draft = ScorecardDraft.model_validate(latest.payload)
    if (done := _replay(rt, lead_id, digest)) is not None:
        return done
    check_json(data, format, filename)
    try:
        # `format` is the caller's string: read_transcript refuses an unknown one with a TranscriptError (422).
        transcript = read_transcript(
            data,
            filename=filename,
            format=format,  # type: ignore[arg-type]
            call_date=call_date,
            roles=roles or RoleHints(seller_company=rt.deps.library.seller.name),
        )
    except (TranscriptError, ValidationError) as exc:
        raise Unprocessable(str(exc), field="transcript") from exc

    library = rt.deps.library
    segment_id = next((x.match.entity_id for x in draft.sections if x.section == "segment" and x.match), None)
    answers = rt.extractor.extract(transcript, library.questions_for(segment_id), contact=lead.person.name)
    if inspect.isawaitable(answers):  # the LLM extractor calls an endpoint; the embedded one answers at once
        answers = await answers
    transcript_id = uuid.uuid4().hex
    meta = TranscriptMeta(
        transcript_id=transcript_id,
        call_date=transcript.call_date,
        extractor=rt.extractor.name,
        extractor_version=rt.extractor.version,
    )
    as_of = rt.deps.clock()
    new, diff = merge_transcript(
        draft, answers, meta, now=rt.deps.clock, rescore=lambda d: rescore(d, lead, library, as_of)
    )
    scorecard_id = uuid.uuid4().hex
    try:
        with transaction(rt.sessions) as s:
            row = s.get(LeadRow, lead_id, with_for_update=True)
            assert row is not None
            s.add(
                ScorecardRow(
                    id=scorecard_id,
                    lead_id=lead_id,
                    revision=new.revision,
                    tier=new.tier,
                    route=new.route,
                    score=new.score,
                    payload=(doc := new.model_dump(mode="json")),
                    segment=segment_of(doc),
                    created_at=new.created_at,
                )
            )
            s.flush()  # the transcript row references the new scorecard
            s.add(
                TranscriptRow(
                    id=transcript_id,
                    lead_id=lead_id,
                    sha256=digest,
                    filename=filename,
                    format=transcript.format,
                    call_date=transcript.call_date,
                    raw=_text(data),
                    parsed=transcript.model_dump(mode="json"),
                    scorecard_id=scorecard_id,
                    diff=diff.model_dump(mode="json"),
                    created_at=as_of,
                )
            )
            old = row.status
            if row.status in REVIEW_AFTER_TRANSCRIPT:
                row.status = LeadStatus.in_review
            row.updated_at = as_of
            outbox.emit(
                s,
                "scorecard.drafted",
                lead_id,
                outbox.scorecard_data(scorecard_id, new.model_dump(mode="json"), row.status, "transcript"),
                as_of,
            )
            audit.record(
                s,
                who,
                "transcript",
                "transcript",
                transcript_id,
                at=as_of,
                lead_id=lead_id,
                request_id=request_id,
                old={"status": old, "revision": draft.revision},
                new={
                    "status": row.status,
                    "revision": new.revision,
                    "scorecard_id": scorecard_id,
                    "filename": filename,
                },
            )
    except (IntegrityError, StaleDataError) as exc:  # the same file, another revision or a decision landed first
        if (done := _replay(rt, lead_id, digest)) is not None:
            return done
        raise Conflict("the lead changed at the same time (another revision or a review decision); retry") from exc
    return Ingested(transcript_id, scorecard_id, new.revision, diff.model_dump(mode="json"), created=True)


def may_add_call(s: Any, lead: LeadRow, who: Principal) -> None:
    """The review assignment policy for calls: service and admin keys any lead; an SDR or AE only their own."""
    from api.review.models import AssignmentRow
    from api.review.service import Forbidden

    if who.role in (Role.admin, Role.service):
        return
    assigned = s.get(AssignmentRow, lead.id)
    owners = {assigned.sdr_id, assigned.ae_id} - {None} if assigned else set()
    if who.user_id not in owners:
        raise Forbidden("this lead is assigned to someone else")


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unprocessable("the transcript is not UTF-8 or UTF-16 text", field="transcript")


def call_changes(s: Any, lead_id: str, library: Library) -> list[dict[str, Any]]:
    """Per ingested call, the answers it changed (before → after, with who said what and when), newest call first."""
    rows = s.scalars(
        select(TranscriptRow).where(TranscriptRow.lead_id == lead_id).order_by(TranscriptRow.created_at.desc())
    ).all()
    texts = {q.id: q.text for q in library.questions}
    calls = []
    for row in rows:
        changes = []
        for c in row.diff.get("changes", []):
            if not c["needs_review"]:
                continue
            quote = next((e for e in c["after"]["evidence"] if e["source"] == "transcript"), None)
            changes.append(
                {
                    "question": texts.get(c["question_id"], c["question_id"].replace("call.", "Call: ")),
                    "before": (c["before"] or {}).get("answer", "—"),
                    "after": c["after"]["answer"],
                    "value": c["after"].get("value"),
                    "kind": c["kind"].replace("_", " "),
                    "quote": quote,
                }
            )
        calls.append(
            {
                "id": row.id,
                "filename": row.filename,
                "call_date": row.call_date,
                "format": row.format,
                "revision": row.diff.get("to_revision"),
                "changes": changes,
            }
        )
    return calls
