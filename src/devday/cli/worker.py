"""devday worker: delivers notifications and runs scheduled jobs from the configured database.

A process entry point like ``serve`` (not an API client): it works on the database directly.
Run as many as you like, on any hosts sharing one PostgreSQL; none does a row twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from devday.cli import output
from devday.cli.client import CliError
from devday.cli.state import state


class _CliClock:
    """The invocation's clock (tests pin it) as a devday Clock."""

    def __init__(self, ctx: typer.Context) -> None:
        self._state = state(ctx)

    def now(self) -> datetime:
        return self._state.now()


def worker(
    ctx: typer.Context,
    id_: Annotated[
        str | None,
        typer.Option("--id", help="This worker's name in claims; default: host:pid:worker."),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Process what is due now, then exit.")
    ] = False,
) -> None:
    """Deliver queued notifications and run due jobs until stopped (SIGTERM or Ctrl+C).

    On a stop signal the delivery in hand finishes and claimed, unstarted work is released.
    """
    import gc

    gc.enable()  # main() turns it off for one-shot commands; a worker runs for days
    import signal
    import threading

    from devday.config import Settings
    from devday.db import make_engine
    from devday.jobs.runner import default_worker_id
    from devday.migrate import upgrade
    from devday.wiring import build_worker

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the default SQLite file lives there
    engine = make_engine(settings.resolved_database_url())
    try:
        try:
            upgrade(engine)
        except Exception as exc:  # the database is the user's to fix; no traceback
            raise CliError(f"cannot migrate the database: {str(exc).splitlines()[0]}") from None
        try:
            runner = build_worker(
                settings=settings,
                engine=engine,
                clock=_CliClock(ctx),
                worker_id=id_ or default_worker_id(),
            )
        except ValueError as exc:
            raise CliError(str(exc)) from None
        try:
            if once:
                busy = runner.run_once()
                output.line(f"worker {runner.worker_id}: " + ("done" if busy else "nothing due"))
                return
            stop = threading.Event()
            previous = {
                sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)
            }
            output.line(f"worker {runner.worker_id} is running; Ctrl+C stops it")
            try:
                runner.run_forever(stop)
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
            output.line(f"worker {runner.worker_id} stopped")
        finally:
            runner.close()
    finally:
        engine.dispose()
