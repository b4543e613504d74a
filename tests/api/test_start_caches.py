"""A runtime started from the data folder's caches (the index's vector copy, the place index) qualifies every lead
exactly as one started without them, and a changed library is re-indexed rather than read from a stale copy."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from agent.pipeline import qualify_lead
from agent.schemas import ScorecardDraft
from api.leads.io import read_leads
from api.runtime import Runtime, build_runtime
from api.settings import DEFAULT_LIBRARY, ROOT, Settings
from library import geo

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _drafts(rt: Runtime) -> list[dict[str, object]]:
    deps = replace(rt.deps, clock=lambda: NOW)
    leads = [r.lead for r in read_leads(ROOT / "samples" / "ledgerly" / "leads.csv") if r.lead][:12]
    drafts: list[ScorecardDraft] = [
        asyncio.run(qualify_lead(lead, deps, lead_id=f"lead-{i}")) for i, lead in enumerate(leads)
    ]
    return [d.model_dump(mode="json", exclude={"usage"}) for d in drafts]  # usage: the judge's latency


def test_a_start_from_the_caches_qualifies_as_a_start_without_them(tmp_path: Path) -> None:
    library_dir = tmp_path / "library"
    shutil.copytree(DEFAULT_LIBRARY, library_dir)
    settings = Settings(data_dir=tmp_path / "data", library_dir=library_dir)  # type: ignore[call-arg]
    uncached_geo = geo.build_tables()
    geo._tables.cache_clear()  # as in a new process: no place index in memory yet

    first = build_runtime(settings)  # an empty data folder: indexes the library, writes the caches
    assert first.sync_report is not None and first.sync_report.added > 0
    assert (settings.cache_dir / geo.CACHE_FILE).exists()
    assert geo.load_tables(settings.cache_dir) == uncached_geo  # the place index read back is the one built
    again = build_runtime(settings)  # the next process: no Chroma at all
    assert again.sync_report is None
    assert again.deps.snapshot_id == first.deps.snapshot_id
    assert _drafts(again) == _drafts(first)
    for rt in (first, again):
        rt.engine.dispose()

    segments = library_dir / "segments.yaml"
    segments.write_text(segments.read_text(encoding="utf-8").replace("description:", "description: B2B.", 1))
    edited = build_runtime(settings)  # files changed: the old copy does not fit, so the index is synced again
    assert edited.sync_report is not None and edited.sync_report.updated >= 1
    assert edited.deps.snapshot_id != first.deps.snapshot_id
    after = build_runtime(settings)
    assert after.sync_report is None and after.deps.snapshot_id == edited.deps.snapshot_id
    for rt in (edited, after):
        rt.engine.dispose()
    geo.use_cache_folder(None)
    geo._tables.cache_clear()
