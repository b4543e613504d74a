"""The FastAPI application: routes, problem+json errors, body limit, and background recovery at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import text

from agent import __version__
from api import docs, errors
from api.audit.context import RequestId
from api.auth.policy import PUBLIC, api
from api.crm.views import admin as crm_admin_router, router as crm_router
from api.review.views import router as review_router
from api.users.service import Role
from api.users.views import router as users_router
from api.web import views as web
from api.events.delivery import DeliveryWorker
from api.events.views import router as events_router
from api.events.web import router as events_ui_router
from api.forms.views import router as forms_router
from api.leads.views import router as leads_router
from api.leads.worker import EmbeddedWorker
from api.library.views import router as library_router
from api.transcripts.views import router as transcripts_router
from api.limits import BodyLimit
from api.responses import Health
from api.runtime import Runtime, build_runtime
from api.settings import Settings, get_settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; tests pass a prepared runtime."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or build_runtime(settings)
        app.state.runtime = rt
        worker = None
        if rt.settings.embedded_worker and not rt.settings.queue_url:  # also takes over expired leases
            worker = EmbeddedWorker(rt, rt.settings.worker_poll_seconds)
            worker.start()
        events = None
        if rt.settings.event_worker:  # webhooks and internal consumers; several processes may run one (leases)
            events = DeliveryWorker(
                rt.sessions, rt.deps.clock, rt.settings.delivery_policy(), rt.settings.worker_poll_seconds
            )
            events.start()
        yield
        if worker is not None:
            await asyncio.to_thread(worker.close)
        if events is not None:
            await asyncio.to_thread(events.close)

    app = FastAPI(
        title="Qualify",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Which leads deserve a salesperson's time, and why. Every error is problem+json "
        "(RFC 9457) naming the field or state; authorize with an API key.",
    )
    errors.install(app)
    docs.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestId)
    app.include_router(leads_router)
    app.include_router(library_router, dependencies=[Depends(api())])
    # Transcripts come from call recorders (service) or from the people working the lead.
    app.include_router(transcripts_router, dependencies=[Depends(api(Role.service, Role.admin, Role.sdr, Role.ae))])
    app.include_router(review_router)
    app.include_router(users_router)
    app.include_router(events_router)
    app.include_router(events_ui_router)
    app.include_router(forms_router)
    app.include_router(crm_router)
    app.include_router(crm_admin_router)
    web.install(app)

    @app.get(
        "/healthz",
        tags=["ops"],
        summary="Liveness and readiness",
        dependencies=[Depends(PUBLIC)],
        response_model=Health,
    )
    def healthz(request: Request) -> dict[str, Any]:
        rt: Runtime = request.app.state.runtime
        with rt.sessions() as s:
            s.execute(text("SELECT 1"))
        return {
            "status": "ok",
            "version": __version__,
            "library": rt.deps.library.name,
            "library_snapshot": rt.deps.snapshot_id,
            "judge": rt.deps.judge.name,
        }

    return app
