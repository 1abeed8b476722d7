"""Which handler runs which kind of scheduled job.

A handler is ``handler(session, job, now)``: it runs inside the one transaction that also marks
the job done, so its writes (the next occurrence, notifications to enqueue) commit with it or
not at all. It must not commit. Raising fails this attempt; the job is retried with backoff.

A job that talks to the network (polling a mailbox) is a ``NetworkJob`` instead: no
transaction may stay open while it waits on the far end, so it runs in three steps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from devday.jobs.models import ScheduledJob
from devday.netguard import STRICT, OutboundPolicy

JobHandler = Callable[[Session, ScheduledJob, datetime], None]
StartupHook = Callable[[Session, datetime], None]
KIND_MAX = 64


class NetworkJob(Protocol):
    """``prepare`` runs in the transaction that renews the job's lease and returns what the
    exchange needs (None: nothing to do); ``exchange`` runs with no transaction open (it may
    open short ones of its own with ``sessions``) and must not raise for a failure of the far
    end; ``record`` writes the outcome in a new transaction, which also marks the job done."""

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> Any: ...

    def exchange(self, prepared: Any, sessions: sessionmaker[Session]) -> Any: ...

    def record(
        self, session: Session, job: ScheduledJob, prepared: Any, outcome: Any, now: datetime
    ) -> None: ...


class JobRegistry:
    """Job kinds and their handlers; one per worker, filled by each domain's
    ``register(registry)`` in ``devday.wiring.job_registry()`` (this package knows no domain)."""

    def __init__(self, *, outbound: OutboundPolicy = STRICT) -> None:
        self._handlers: dict[str, JobHandler] = {}
        self._network: dict[str, NetworkJob] = {}
        self._startup: list[StartupHook] = []
        # What the administrator allows beyond public addresses, for jobs that connect out.
        self.outbound = outbound

    def register(self, kind: str, handler: JobHandler) -> None:
        """Adds a kind; registering a kind twice is a programming error (ValueError)."""
        if not kind or len(kind) > KIND_MAX:
            raise ValueError(f"a job kind needs 1 to {KIND_MAX} characters: {kind!r}")
        if kind in self._handlers or kind in self._network:
            raise ValueError(f"job kind {kind!r} is already registered")
        self._handlers[kind] = handler

    def register_network(self, kind: str, job: NetworkJob) -> None:
        """Adds a kind that talks to the network (see ``NetworkJob``)."""
        if not kind or len(kind) > KIND_MAX:
            raise ValueError(f"a job kind needs 1 to {KIND_MAX} characters: {kind!r}")
        if kind in self._handlers or kind in self._network:
            raise ValueError(f"job kind {kind!r} is already registered")
        self._network[kind] = job

    def handler(self, kind: str) -> JobHandler | None:
        return self._handlers.get(kind)

    def network_job(self, kind: str) -> NetworkJob | None:
        return self._network.get(kind)

    def kinds(self) -> list[str]:
        return sorted([*self._handlers, *self._network])

    def on_start(self, hook: StartupHook) -> None:
        """Runs ``hook(session, now)`` when a worker starts, in one transaction: the place to
        queue a domain's first periodic job (scheduling is idempotent, so every worker may)."""
        self._startup.append(hook)

    def startup_hooks(self) -> list[StartupHook]:
        return list(self._startup)
