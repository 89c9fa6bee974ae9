"""Assemble the review app: session cookie, error handler, routers, static files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from omr.store.db import Store
from review_ui import fieldwork, fieldwork_forms, fieldwork_status, fieldwork_verify, handlers
from review_ui.config import Settings
from review_ui.doubles import DoubleEntry
from review_ui.leases import LEASE_SECONDS
from review_ui.middleware import Guard, SecurityHeaders
from review_ui.routes import answers, auth, bulk, forms, images, pages, progress, queue
from review_ui.security import session_secret
from review_ui.tables import ensure_tables
from review_ui.templates_index import TemplateIndex

ROUTERS = tuple(m.router for m in (auth, queue, bulk, pages, forms, answers, progress, images))
"""Every router of the app, one per resource."""
STATIC = Path(__file__).parent / "static"
COOKIE = "sipas_review"


def create_app(
    store: Store,
    *,
    templates: Sequence[Path] = (),
    secret: str | None = None,
    lease_seconds: int = LEASE_SECONDS,
    https_only: bool = False,
    idle_minutes: float = 60.0,
    double_entry: DoubleEntry | None = None,
) -> FastAPI:
    """The review app over ``store`` (extra template files by path; the secret from the workspace by default)."""
    settings = Settings(
        store=store,
        secret=secret or session_secret(store.workspace),
        templates=TemplateIndex(templates),
        lease_seconds=lease_seconds,
        https_only=https_only,
        idle_seconds=max(60, int(idle_minutes * 60)),
        doubles=double_entry or DoubleEntry(),
    )
    ensure_tables(store.engine)  # sessions, skips, login failures (added to an older workspace)
    app = FastAPI(title="SIPAS review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.add_middleware(Guard)  # inside the session layer: a refusal page still has its chrome
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie=COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=https_only,
    )
    app.add_middleware(SecurityHeaders)  # outermost: every response, errors included
    handlers.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(fieldwork.router)  # identities: role fieldwork only (not in ROUTERS' review contract)
    app.include_router(fieldwork_verify.router)  # re-verification calls: role monitor only
    app.include_router(fieldwork_status.router)  # progress counts: roles fieldwork and monitor, no identities
    app.include_router(fieldwork_forms.router)  # form states and post returns: role fieldwork, no identities
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
