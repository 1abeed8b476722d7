"""create_app(): the JSON API, the HTML pages and static files over one database."""

from __future__ import annotations

import importlib
from collections.abc import Collection
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware

from devday import __version__, errors_http, openapi, wiring
from devday.account import passwords
from devday.account.ratelimit import RateLimits
from devday.clock import Clock, SystemClock
from devday.config import Settings, get_settings
from devday.db import make_engine, make_session_factory
from devday.deps import AppState
from devday.limits import BodyLimits
from devday.security_headers import SecurityHeaders

STATIC = Path(__file__).parent / "static"

# The JSON routers in the order they are included, each with the first segments of the paths it
# serves under /api/v1, so that a client in this process (the CLI) can build an app with only
# the routers a request needs. tests/test_app.py checks the table against the routes.
ROUTERS: dict[str, tuple[str, ...]] = {
    "devday.account.router": ("auth", "me", "tokens", "users"),
    "devday.team.router": ("invitations", "teams"),
    "devday.project.router": ("projects",),
    "devday.task.router": ("tasks",),
    "devday.recurrence.router": ("series",),
    "devday.planning.router": (
        "busy-events",
        "duty-list",
        "forecast",
        "planner",
        "plans",
        "routine",
    ),
    "devday.notify.router": ("channels", "outbox"),
    "devday.worklog.router": ("time-entries", "time-report", "timer"),
    "devday.day.router": ("habits", "reflections", "today", "wrapup"),
    "devday.checks.router": ("apps", "checks", "incidents", "maintenance"),
    "devday.standup.router": ("blockers", "leave", "teams"),
    "devday.figures.router": ("teams",),
    "devday.inbox.router": ("inbox", "teams"),
    "devday.meeting.router": ("meetings", "teams"),
    "devday.calendars.router": ("calendar-feed", "calendars"),
    "devday.forge.router": ("forges",),
    "devday.transfer.router": ("export", "import"),
    "devday.learning.router": ("feeds", "learning"),
}

# The HTML pages, each domain's ``pages.router`` (see docs/architecture.md).
PAGE_ROUTERS = (
    "devday.account.pages",
    "devday.planning.pages",
    "devday.day.pages",
    "devday.task.pages",
    "devday.recurrence.pages",
    "devday.checks.pages",
    "devday.inbox.pages",
    "devday.meeting.pages",
    "devday.standup.pages",
    "devday.notify.pages",
    "devday.team.pages",
    "devday.project.pages",
    "devday.calendars.pages",
    "devday.forge.pages",
    "devday.learning.pages",
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
    pages: bool = True,
    routers: Collection[str] | None = None,
) -> FastAPI:
    """The devday ASGI app. The database must already be migrated (see devday.migrate).

    ``pages=False`` leaves out the HTML pages, static files and API docs: the JSON API alone,
    which is all the CLI's in-process client asks; ``routers`` (names from ``ROUTERS``) keeps
    only those JSON routers.
    """
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
    app.state.devday = AppState(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        # Wired in devday.wiring: a committed change re-plans the plans it touches, and every
        # domain event (a finished task tells its requester) is heard, whatever route caused it.
        writer_session_factory=wiring.writer_sessions(engine, clock),
        reader_session_factory=make_session_factory(engine, reader=True),
        clock=clock,
        rate_limits=RateLimits(settings.redis_url),
        signer=URLSafeSerializer(settings.resolved_secret_key()),
        trust_local_user=trust_local_user,
    )
    errors_http.install(app)
    openapi.install(app)
    for name in ROUTERS:
        if routers is None or name in routers:
            _include(app, name)
    if pages:
        from devday.inbox.views import open_count
        from devday.web.rendering import TEMPLATES

        for name in PAGE_ROUTERS:
            _include(app, name)
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
        _mount_docs(app)
        # The nav's count of waiting requests, on every page.
        TEMPLATES.env.globals["inbox_open_count"] = open_count
    if not trust_local_user:
        passwords.prepare()  # a server refuses its first login as slowly as the next ones
    app.add_middleware(
        BodyLimits,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_seconds=settings.body_timeout_seconds,
        larger={"/api/v1/import": settings.max_import_bytes},
    )
    if settings.https_redirect:
        # Behind a TLS proxy: what the proxy reports as plain HTTP goes to https first.
        app.add_middleware(HTTPSRedirectMiddleware)
    app.add_middleware(SecurityHeaders)  # added last, so it runs first: every answer has them
    return app


def _include(app: FastAPI, name: str) -> None:
    """Serves the routes of the router in module ``name`` from ``app``: its route objects
    themselves, built once when the module was imported, as ``include_router`` with no options
    would serve them (the routers carry their prefixes, tags and route classes, and no
    lifespan). ``include_router`` instead makes FastAPI build every route's dependencies again
    for each app, on the app's first request: about 0.4 s a new app, which every test and
    every in-process CLI call that builds one paid."""
    app.router.routes.extend(importlib.import_module(name).router.routes)


def served_app() -> FastAPI:
    """The app of each process of ``devday serve --workers N``, from the environment's settings.

    The parent process has migrated the database and seeded the demo before starting these, and
    runs the job worker itself, so that it runs once however many processes serve.
    """
    app = create_app(get_settings())
    keep_out_of_collections()
    return app


def keep_out_of_collections() -> None:
    """Moves every object alive now (the modules, routes and caches a server loaded to start)
    out of the cyclic garbage collector's reach, as a server does just before serving. They
    live as long as the process; left in, each full collection walks them all again, about
    40 ms with the app loaded, in whichever request happens to trigger it: with 1,000 tasks
    one duty-list answer in three took 110 ms instead of 65."""
    import gc

    gc.collect()
    gc.freeze()


def routers_for(path: str) -> tuple[str, ...]:
    """The routers (names from ``ROUTERS``) serving ``path``; all of them for any other path."""
    parts = path.split("/")
    if len(parts) > 3 and parts[1:3] == ["api", "v1"]:
        found = tuple(name for name, firsts in ROUTERS.items() if parts[3] in firsts)
        if found:
            return found
    return tuple(ROUTERS)


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI (5.x, which reads the OpenAPI 3.1 document FastAPI writes) served from the
    package, so the docs work with no internet."""
    from importlib.resources import files

    assets = files("fastapi_swagger") / "resources"
    app.mount("/docs/assets", StaticFiles(directory=str(assets)), name="docs-assets")

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
