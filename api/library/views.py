"""HTTP routes for the qualification library."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.responses import LibraryOut

router = APIRouter(tags=["library"])


@router.get("/library", summary="The active library and its snapshot id", response_model=LibraryOut)
def get_library(request: Request) -> dict[str, Any]:
    rt = request.app.state.runtime
    return {"snapshot_id": rt.deps.snapshot_id, **rt.deps.library.model_dump(mode="json")}
