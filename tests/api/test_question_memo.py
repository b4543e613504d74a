"""`qualify library sync` leaves the embedded judge's question embeddings in the embedding memo: a lead qualified as a
new process would (empty in-memory caches, memo on) then runs the model only on its own texts, and every scorecard is
the one qualified without any memo."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from agent.judges.local import LocalJudge
from agent.pipeline import qualify_lead
from api.leads.io import read_leads
from api.runtime import build_runtime, warm_question_memo
from api.settings import ROOT, Settings
from library import geo
from library.embeddings import get_embedder, get_multilingual

pytestmark = pytest.mark.slow
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _memo_calls(folder: Path) -> dict[str, list[str]]:
    calls = {}
    for path in folder.glob("*.npz"):
        with np.load(path, allow_pickle=False) as data:
            calls[path.name] = data["texts"].tolist()
    return calls


def test_after_the_warm_up_a_lead_embeds_only_its_own_texts_and_qualifies_the_same(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")  # type: ignore[call-arg]
    rt = build_runtime(settings)
    library = rt.deps.library
    folder = tmp_path / "memo"
    asked_with_examples = [q for q in library.questions if q.check is None and q.yes_examples and q.no_examples]
    assert warm_question_memo(library, folder) > len(asked_with_examples)  # one each, more for shared examples
    warmed = _memo_calls(folder)
    question_texts = {t for q in library.questions for t in (q.text, *q.yes_examples, *q.no_examples)}
    assert question_texts & {t for texts in warmed.values() for t in texts}

    leads = [r.lead for r in read_leads(ROOT / "samples" / "ledgerly" / "leads.csv") if r.lead][:12]

    def qualify_each(memo: Path | None) -> list[dict[str, object]]:
        drafts = []
        for i, lead in enumerate(leads):
            for embedder in (get_embedder(), get_multilingual()):
                embedder.remember_calls(memo)
            get_embedder().forget()  # each lead as in a new process: nothing in memory
            deps = replace(rt.deps, clock=lambda: NOW, judge=LocalJudge(get_embedder(), meaning=get_multilingual()))
            try:
                draft = asyncio.run(qualify_lead(lead, deps, lead_id=f"lead-{i}"))
            finally:
                for embedder in (get_embedder(), get_multilingual()):
                    embedder.remember_calls(None)
            drafts.append(draft.model_dump(mode="json", exclude={"usage"}))
        return drafts

    with_memo = qualify_each(folder)
    new_calls = {name: texts for name, texts in _memo_calls(folder).items() if name not in warmed}
    assert new_calls  # the leads' own texts were embedded and remembered
    said = [str(lead.model_dump()) for lead in leads]
    full = {q.id: {q.text, *q.yes_examples, *q.no_examples} for q in asked_with_examples}
    for texts in new_calls.values():
        if set(texts) <= question_texts:  # a question's call that was not warmed: only when the lead itself said
            # one of its examples (a form answered "NetSuite"), which the lead's own call embedded first
            [question] = [q for q in asked_with_examples if q.text == texts[0]]
            absent = full[question.id] - set(texts)
            assert absent and all(any(text in lead for lead in said) for text in absent), texts

    assert qualify_each(None) == with_memo  # the memo changes no answer, score or quote
    assert qualify_each(folder) == with_memo  # nor does a second run that reads every call from it
    rt.engine.dispose()
    geo.use_cache_folder(None)
    geo._tables.cache_clear()
