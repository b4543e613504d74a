"""HTTP errors in one place: every error leaves as RFC 9457 problem+json naming what was wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.errors import LibraryError, QualifyError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

# FastAPI is imported only by the functions that answer HTTP: the CLI raises and catches these errors too
# (`qualify lead` runs the same intake), and importing FastAPI costs it about half a second.

PROBLEM = "application/problem+json"


class ApiError(Exception):
    """An error the API returns on purpose, with its status and optional extra members."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any):
        self.status, self.title, self.detail, self.extra = status, title, detail, extra
        super().__init__(detail)


class NotFound(ApiError):
    def __init__(self, what: str, ident: str):
        super().__init__(404, "Not found", f"{what} {ident!r} does not exist")


class Conflict(ApiError):
    def __init__(self, detail: str, **extra: Any):
        super().__init__(409, "Conflict", detail, **extra)


class Unprocessable(ApiError):
    def __init__(self, detail: str, *, field: str | None = None, **extra: Any):
        errors = [{"field": field, "message": detail}] if field else []
        super().__init__(422, "Invalid request", detail, errors=errors, **extra)


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    from fastapi.responses import JSONResponse

    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem+json."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(LibraryError)
    async def _library(_: Request, exc: LibraryError) -> JSONResponse:
        return problem(500, "Library invalid", str(exc))

    @app.exception_handler(QualifyError)
    async def _qualify(_: Request, exc: QualifyError) -> JSONResponse:
        return problem(500, "Qualification error", str(exc))
