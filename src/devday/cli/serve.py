"""devday serve: the web app and API over the configured database."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from devday.cli import output
from devday.cli.client import CliError
from devday.cli.state import state

# uvicorn's own limits: an idle kept-alive connection is closed after KEEP_ALIVE seconds, and
# Ctrl+C waits at most SHUTDOWN seconds for requests in flight. Bodies are limited by the app
# (devday.limits: DEVDAY_MAX_BODY_BYTES, DEVDAY_BODY_TIMEOUT_SECONDS), request heads by the
# protocol (devday.cli.serve_http: 10 seconds to send one).
KEEP_ALIVE_SECONDS = 5
SHUTDOWN_SECONDS = 10


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (DEVDAY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (DEVDAY_PORT).")] = None,
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="Do not seed the demo workspace.")
    ] = False,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="Run no embedded worker (run `devday worker` instead)."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, max=64, help="Server processes (DEVDAY_WORKERS; default 1)."
        ),
    ] = None,
) -> None:
    """Run devday: migrate the database, seed the demo on first start, serve HTTP."""
    import gc

    gc.enable()  # main() turns it off for one-shot commands; a server runs for days
    import uvicorn

    from devday import demo
    from devday.app import create_app, keep_out_of_collections
    from devday.cli.serve_http import HeadTimeoutProtocol
    from devday.config import Settings
    from devday.db import make_engine, make_session_factory, transaction
    from devday.migrate import upgrade

    cli = state(ctx)
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the default SQLite file lives there
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    settings.resolved_secret_key()  # made once here, before several processes could race for it
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
    except Exception as exc:  # the database is the user's to fix; no traceback
        engine.dispose()
        raise CliError(f"cannot migrate the database: {str(exc).splitlines()[0]}") from None
    if settings.demo and not no_demo:
        with transaction(make_session_factory(engine)) as session:
            seeded = demo.seed_if_empty(session=session, now=cli.now())
        if seeded:
            output.line(seeded)
    # Never trust_local_user here: a server names its users by token or session only. With
    # several processes each builds its own app (devday.app.served_app) from the environment.
    app = create_app(settings, engine=engine) if workers == 1 else None
    if workers > 1 and not settings.redis_url:
        output.warn(
            f"{workers} processes without DEVDAY_REDIS_URL: sign-in and rate limits are counted"
            " in each process apart; set DEVDAY_REDIS_URL to share them"
        )
    background = None
    if not no_worker:
        from devday.wiring import start_embedded

        try:  # one worker thread delivers notifications and runs jobs
            background = start_embedded(settings=settings, engine=engine)
        except ValueError as exc:
            engine.dispose()
            raise CliError(str(exc)) from None
    stop_smtp = None
    if settings.smtp_listen:  # mail to <team-slug>@<DEVDAY_INBOX_DOMAIN> lands in the inbox
        from devday.clock import SystemClock
        from devday.inbox.mail import start_receiver

        try:
            stop_smtp = start_receiver(
                factory=make_session_factory(engine, writer=True),
                clock=SystemClock(),
                listen=settings.smtp_listen,
                domain=settings.inbox_domain,
            )
        except (ValueError, OSError, RuntimeError) as exc:
            if background is not None:
                background.stop()
            engine.dispose()
            raise CliError(f"cannot receive mail on {settings.smtp_listen}: {exc}") from None
        output.line(f"receiving mail for team inboxes on {settings.smtp_listen}")
    shown = f"[{host}]" if ":" in host else host
    processes = f" in {workers} processes" if workers > 1 else ""
    output.line(
        f"devday is running at http://{shown}:{port}/{processes} (API docs at /docs);"
        " Ctrl+C stops it"
    )
    # X-Forwarded-Proto and -For are believed from these addresses only (a TLS proxy's).
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxies,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_graceful_shutdown": SHUTDOWN_SECONDS,
        "http": HeadTimeoutProtocol,
    }
    keep_out_of_collections()
    try:
        if app is not None:
            uvicorn.run(app, **common)
        else:  # each process imports the app afresh; this one supervises and runs the worker
            uvicorn.run("devday.app:served_app", factory=True, workers=workers, **common)
    finally:
        if stop_smtp is not None:
            stop_smtp()
        if background is not None:
            background.stop()  # after uvicorn's shutdown: the delivery in flight finishes
        engine.dispose()
