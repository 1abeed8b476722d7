"""Which handler runs which kind of scheduled job.

A handler is ``handler(session, job, now)``: it runs inside the one transaction that also marks
the job done, so its writes (the next occurrence, notifications to enqueue) commit with it or
not at all. It must not commit. Raising fails this attempt; the job is retried with backoff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from devday.checks import jobs as checks_jobs
from devday.day import jobs as day_jobs
from devday.inbox import jobs as inbox_jobs
from devday.jobs.models import ScheduledJob
from devday.notify import jobs as notify_jobs
from devday.planning import jobs as planning_jobs
from devday.standup import jobs as standup_jobs

JobHandler = Callable[[Session, ScheduledJob, datetime], None]
StartupHook = Callable[[Session, datetime], None]
KIND_MAX = 64


class JobRegistry:
    """Job kinds and their handlers; one per worker, built by ``default_registry()``."""

    def __init__(self) -> None:
        self._handlers: dict[str, JobHandler] = {}
        self._startup: list[StartupHook] = []

    def register(self, kind: str, handler: JobHandler) -> None:
        """Adds a kind; registering a kind twice is a programming error (ValueError)."""
        if not kind or len(kind) > KIND_MAX:
            raise ValueError(f"a job kind needs 1 to {KIND_MAX} characters: {kind!r}")
        if kind in self._handlers:
            raise ValueError(f"job kind {kind!r} is already registered")
        self._handlers[kind] = handler

    def handler(self, kind: str) -> JobHandler | None:
        return self._handlers.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._handlers)

    def on_start(self, hook: StartupHook) -> None:
        """Runs ``hook(session, now)`` when a worker starts, in one transaction: the place to
        queue a domain's first periodic job (scheduling is idempotent, so every worker may)."""
        self._startup.append(hook)

    def startup_hooks(self) -> list[StartupHook]:
        return list(self._startup)


# Each domain with scheduled work adds its ``register(registry)`` here.
REGISTRARS: tuple[Callable[[JobRegistry], None], ...] = (
    notify_jobs.register,
    day_jobs.register,
    inbox_jobs.register,
    standup_jobs.register,
    checks_jobs.register,
    planning_jobs.register,
)


def default_registry() -> JobRegistry:
    """A fresh registry with every domain's job kinds."""
    registry = JobRegistry()
    for register in REGISTRARS:
        register(registry)
    return registry
