"""Batch qualification of a lead file: every good row is persisted and qualified once; bad rows are reported."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from agent.schemas import Lead, ScorecardDraft
from api.errors import ApiError
from api.leads import service
from api.leads.io import Row, RowError
from api.leads.models import LeadRow, ScorecardRow
from api.runtime import Runtime


@dataclass
class BatchResult:
    drafts: list[tuple[int, str, ScorecardDraft]] = field(default_factory=list)  # (row, scorecard id, draft)
    errors: list[RowError] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (row, lead id, status)
    reused: int = 0  # drafts an earlier run had already made (the lead was not qualified again)
    stale: int = 0  # of those, drafts made with another library snapshot than the one loaded now
    requalified: int = 0  # stale drafts replaced by a new revision (`requalify=True`)
    external_ids: dict[int, str | None] = field(default_factory=dict)  # row → the CSV's external_id, for joins


def latest_scorecard(rt: Runtime, lead_id: str) -> tuple[str, ScorecardDraft] | None:
    with rt.sessions() as s:
        row = s.scalars(
            select(ScorecardRow).where(ScorecardRow.lead_id == lead_id).order_by(ScorecardRow.revision.desc()).limit(1)
        ).first()
        return (row.id, ScorecardDraft.model_validate(row.payload)) if row else None


def lead_status(rt: Runtime, lead_id: str) -> str:
    with rt.sessions() as s:
        row = s.get(LeadRow, lead_id)
        return row.status if row else "missing"


async def _one(rt: Runtime, row: Row, result: BatchResult, gate: asyncio.Semaphore, requalify: bool) -> None:
    assert row.lead is not None
    try:
        intake = service.intake(rt.sessions, row.lead, rt.deps.clock())
    except ApiError as exc:
        result.errors.append(RowError(row.row, "external_id" if exc.status == 409 else "lead", exc.detail))
        return
    again = False
    async with gate:
        made = await service.qualify_stored(rt.sessions, rt.deps, intake.lead_id, rt.settings.lead_lease)
        found = latest_scorecard(rt, intake.lead_id)
        stale = made is None and found is not None and made_with_older_library(rt, found[1])
        if stale and requalify:
            again = await asyncio.to_thread(requalify_stale, rt, intake.lead_id)
            found = latest_scorecard(rt, intake.lead_id) if again else found
    if found is None:
        result.failed.append((row.row, intake.lead_id, lead_status(rt, intake.lead_id)))
        return
    result.drafts.append((row.row, *found))
    result.external_ids[row.row] = row.lead.external_id
    result.reused += made is None and not again
    result.stale += stale and not again
    result.requalified += again


def made_with_older_library(rt: Runtime, draft: ScorecardDraft) -> bool:
    """Whether a scorecard was made with another library snapshot than the one loaded now."""
    return draft.provenance.library_snapshot != rt.deps.snapshot_id


def requalify_stale(rt: Runtime, lead_id: str) -> bool:
    """A new revision with the library loaded now for a lead drafted with another one. False when the lead is past a
    person's decision (an SQL, an accepted opportunity stands, as it does when a CRM update changes the lead), also
    if that decision is made while the run is under way, or when the run failed (the earlier revision stands)."""
    with rt.sessions() as s:
        row = s.get(LeadRow, lead_id)
        if row is None or row.status not in service.REQUALIFY_FROM:
            return False
        lead = Lead.model_validate(row.payload)
    made = service.requalify(
        rt.sessions,
        rt.deps,
        lead_id,
        lead,
        keep_status=False,
        cause="library_changed",
        only_from=service.REQUALIFY_FROM,
    )
    return made is not None


async def run_batch(
    rt: Runtime,
    rows: Iterable[Row],
    concurrency: int = 4,
    advance: Callable[[], None] = lambda: None,
    *,
    requalify: bool = False,
) -> BatchResult:
    """Qualify rows with bounded concurrency; re-running the same file reuses the leads and scorecards it made.
    `requalify`: a reused scorecard made with another library snapshot is replaced by a new revision (leads still
    before a person's decision); without it such scorecards are kept and counted in `stale`."""
    result = BatchResult()
    if rt.spend is not None:
        rt.spend.start_run()  # the per-run spend cap counts from here
    gate = asyncio.Semaphore(concurrency)
    pending: set[asyncio.Task[None]] = set()
    for row in rows:
        if row.error is not None:
            result.errors.append(row.error)
            advance()
            continue
        task = asyncio.create_task(_one(rt, row, result, gate, requalify))
        task.add_done_callback(lambda _t: advance())
        pending.add(task)
        if len(pending) >= concurrency * 2:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    if pending:
        await asyncio.gather(*pending)
    result.drafts.sort(key=lambda d: d[0])
    result.errors.sort(key=lambda e: e.row)
    return result


def write_jsonl(path: Path, result: BatchResult) -> None:
    """Write scorecards atomically: a reader never sees a half-written file. A folder in the path that does not exist
    yet is made (`--out out/scorecards.jsonl` on a fresh checkout)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row, scorecard_id, draft in result.drafts:
            # the CSV's external_id beside the row, so the file joins back to the CRM export it came from
            line = {
                "row": row,
                "external_id": result.external_ids.get(row),
                "scorecard_id": scorecard_id,
                **draft.model_dump(mode="json"),
            }
            fh.write(json.dumps(line) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
