"""create_app(): the JSON API, the HTML pages and static files over one database."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine

from devday import __version__, errors_http
from devday.account import pages as account_pages
from devday.account import router as account_router
from devday.account.ratelimit import RateLimits
from devday.checks import pages as checks_pages
from devday.checks import router as checks_router
from devday.clock import Clock, SystemClock
from devday.config import Settings, get_settings
from devday.day import pages as day_pages
from devday.day import router as day_router
from devday.db import make_engine, make_session_factory
from devday.deps import AppState
from devday.figures import router as figures_router
from devday.inbox import pages as inbox_pages
from devday.inbox import router as inbox_router
from devday.inbox.views import open_count
from devday.meeting import pages as meeting_pages
from devday.meeting import router as meeting_router
from devday.notify import pages as notify_pages
from devday.notify import router as notify_router
from devday.planning import live
from devday.planning import pages as planning_pages
from devday.planning import router as planning_router
from devday.project import router as project_router
from devday.security_headers import SecurityHeaders
from devday.standup import pages as standup_pages
from devday.standup import router as standup_router
from devday.task import pages as task_pages
from devday.task import router as task_router
from devday.team import router as team_router
from devday.web.rendering import TEMPLATES
from devday.worklog import router as worklog_router

STATIC = Path(__file__).parent / "static"
# The JSON API (/api/v1/...), one router per domain, in the order its docs list them.
API_ROUTERS = (
    account_router,
    team_router,
    project_router,
    task_router,
    planning_router,
    notify_router,
    worklog_router,
    day_router,
    checks_router,
    standup_router,
    figures_router,
    inbox_router,
    meeting_router,
)
# The HTML pages, each domain's ``pages.router`` (see docs/architecture.md).
PAGE_ROUTERS = (
    account_pages,
    planning_pages,
    day_pages,
    task_pages,
    checks_pages,
    inbox_pages,
    meeting_pages,
    standup_pages,
    notify_pages,
)

DESCRIPTION = """
devday runs a developer's working day, and their team's.

Authenticate with a personal API token: `Authorization: Bearer dd_...` (create one with
`devday token create NAME`, on the settings page, or `POST /api/v1/auth/token`).

Errors are JSON: `{"detail": "<field>: <problem>", "errors": [{"field", "message"}]}`.
Updates need the version you read (the `ETag` as `If-Match`, or a `version` field); a stale
one gets 409 and nothing changes.
"""


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    trust_local_user: bool = False,
) -> FastAPI:
    """The devday ASGI app. The database must already be migrated (see devday.migrate)."""
    settings = settings or get_settings()
    engine = engine or make_engine(settings.resolved_database_url())
    app = FastAPI(
        title="devday",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    clock = clock or SystemClock()
    writer_sessions = make_session_factory(engine, writer=True)
    # Every committed change to what a plan is built from re-plans the plans it touches.
    live.install(writer_sessions, clock)
    app.state.devday = AppState(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        writer_session_factory=writer_sessions,
        clock=clock,
        rate_limits=RateLimits(settings.redis_url),
        signer=URLSafeSerializer(settings.resolved_secret_key()),
        trust_local_user=trust_local_user,
    )
    errors_http.install(app)
    for api in API_ROUTERS:
        app.include_router(api.router)
    for pages in PAGE_ROUTERS:
        app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _mount_docs(app)
    # The nav's count of waiting requests, on every page.
    TEMPLATES.env.globals["inbox_open_count"] = open_count
    app.add_middleware(SecurityHeaders)
    return app


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI served from the package, so the docs work with no internet."""
    import swagger_ui_bundle

    app.mount(
        "/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets"
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<title>devday API</title>"
            '<link rel=stylesheet href="/docs/assets/swagger-ui.css"></head>'
            '<body><div id="swagger-ui"></div>'
            '<script src="/docs/assets/swagger-ui-bundle.js"></script>'
            '<script src="/static/docs-init.js"></script></body></html>'
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> RedirectResponse:
        return RedirectResponse("/docs")
