"""Building a worker from the settings, and running one in a thread beside the web server."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from devday.checks.runner import CheckRunner
from devday.clock import Clock, SystemClock
from devday.config import Settings
from devday.db import make_session_factory
from devday.jobs.registry import default_registry
from devday.jobs.runner import Worker, default_worker_id
from devday.notify.delivery import Deliverers
from devday.planning import live


def build_worker(*, settings: Settings, engine: Engine, clock: Clock, worker_id: str) -> Worker:
    """A worker with the real deliverers and every domain's job kinds.

    Raises ValueError when ``DEVDAY_SMTP_URL`` is malformed.
    """
    deliverers = Deliverers.from_settings(
        smtp_url=settings.smtp_url,
        smtp_timeout=settings.smtp_timeout_seconds,
        webhook_timeout=settings.webhook_timeout_seconds,
        outbound=settings.outbound_policy(),
    )
    sessions, check_sessions = (make_session_factory(engine, writer=True) for _ in range(2))
    # Jobs change tasks too (incidents, meeting actions, the morning's wrap-up): plans stay live.
    live.install(sessions, clock)
    live.install(check_sessions, clock)
    return Worker(
        sessions,
        deliverers,
        default_registry(outbound=settings.outbound_policy()),
        clock,
        worker_id,
        lease_seconds=settings.worker_lease_seconds,
        loops=[
            CheckRunner(
                check_sessions,
                clock,
                worker_id,
                outbound=settings.outbound_policy(),
                concurrency=settings.check_concurrency,
            )
        ],
    )


class WorkerThread:
    """Runs ``worker.run_forever`` in a thread until ``stop()``; stop waits for the delivery
    in flight, then closes the worker's deliverers."""

    def __init__(self, worker: Worker, *, idle_sleep: float = 1.0) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=worker.run_forever,
            args=(self._stop, idle_sleep),
            name=f"devday-worker {worker.worker_id}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.worker.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def start_embedded(*, settings: Settings, engine: Engine) -> WorkerThread:
    """The one worker ``devday serve`` runs beside the web server, already started.

    Raises ValueError (before starting anything) when ``DEVDAY_SMTP_URL`` is malformed.
    """
    worker = build_worker(
        settings=settings, engine=engine, clock=SystemClock(), worker_id=default_worker_id("serve")
    )
    thread = WorkerThread(worker)
    thread.start()
    return thread
