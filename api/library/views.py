"""HTTP routes for the qualification library."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.responses import LibraryOut
from library.sql_rules import definition_lines

router = APIRouter(tags=["library"])


@router.get("/library", summary="The active library and its snapshot id", response_model=LibraryOut)
def get_library(request: Request) -> dict[str, Any]:
    rt = request.app.state.runtime
    library = rt.deps.library
    body = library.model_dump(mode="json", by_alias=True)  # the SQL definitions as written in segments.yaml
    body["sql_definitions"] = {
        s.id: [
            {"kind": kind, "id": cid, "label": label, "when": when}
            for kind, cid, label, when in definition_lines(s.sql)
        ]
        if s.sql
        else None
        for s in library.segments
    }
    return {"snapshot_id": rt.deps.snapshot_id, **body}
