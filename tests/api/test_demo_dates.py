"""Demo data is dated relative to now: the newest sample lead arrived minutes ago, gaps between dates are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.leads.io import dated_to_now, read_leads
from api.settings import ROOT

SAMPLES = ROOT / "samples" / "ledgerly" / "leads.csv"


def test_sample_leads_are_moved_to_now_keeping_their_spacing(tmp_path: Path) -> None:
    now = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)
    target = dated_to_now(SAMPLES, tmp_path / "demo.jsonl", now)
    before = [r.lead for r in read_leads(SAMPLES)]
    after = [r.lead for r in read_leads(target)]
    assert len(after) == len(before) > 50
    newest = max(lead.received_at for lead in after if lead and lead.received_at)
    assert now - timedelta(minutes=3) <= newest <= now
    shift = after[0].received_at - before[0].received_at  # type: ignore[union-attr,operator]
    for old, new in zip(before, after, strict=True):
        assert new.received_at - old.received_at == shift  # type: ignore[union-attr,operator]
        assert [e.timestamp - o.timestamp for e, o in zip(new.events, old.events, strict=True)] == [shift] * len(
            old.events
        )  # type: ignore[union-attr]
        assert (new.notes, new.form_answers, new.external_id) == (old.notes, old.form_answers, old.external_id)  # type: ignore[union-attr]
    assert dated_to_now(SAMPLES, target, now + timedelta(days=3)).read_text() == target.read_text()  # written once
