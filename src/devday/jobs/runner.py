"""The worker: claims due outbox messages and jobs from the database and processes them.

The database is the queue. A worker claims rows with a conditional UPDATE (after a
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL), setting a lease (``claimed_until``);
any number of workers in any number of processes can run at once without doing a row twice.
A row whose lease ran out (its worker died) is claimed again by another.

Delivery happens outside the transaction that claimed it: claim, commit, send, commit the
result. So a worker that dies between sending and committing leaves a message that is sent
again once its lease expires: delivery is at least once, with the same ``delivery_id`` on every
attempt (the ``X-Devday-Delivery`` header, the email's Message-ID). Receivers dedupe on it to
get exactly once. Jobs run inside one transaction with their effects, so they run exactly once.

Each step is small, returns what it did and can be called alone (tests do).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.orm import Session, sessionmaker

from devday.clock import Clock
from devday.db import transaction
from devday.jobs import claims
from devday.jobs.claims import NO_SYNC, QueueModel
from devday.jobs.models import JobStatus, ScheduledJob
from devday.jobs.registry import JobRegistry
from devday.notify.delivery import Deliverers, Outgoing
from devday.notify.models import OutboxMessage, OutboxStatus

log = logging.getLogger("devday.jobs")


class BackgroundLoop(Protocol):
    """Work with its own loop beside the worker's rounds (the app checks' runner)."""

    def run_once(self, now: datetime | None = None) -> bool: ...

    def run_forever(self, stop: threading.Event) -> None: ...

    def close(self) -> None: ...


# Waits after the 1st, 2nd, ... failed attempt; the last one repeats.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = 8
JOB_MAX_ATTEMPTS = 5
ERROR_MAX = 2000


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def default_worker_id(label: str = "worker") -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{label}"


class Worker:
    """Processes due work. ``session_factory`` should be a writer one on SQLite
    (``make_session_factory(engine, writer=True)``) so that claims take the lock at BEGIN.

    The worker owns ``deliverers``: ``close()`` closes them.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        deliverers: Deliverers,
        registry: JobRegistry,
        clock: Clock,
        worker_id: str,
        lease_seconds: int = 60,
        batch: int = 20,
        loops: Sequence[BackgroundLoop] = (),
    ) -> None:
        self.session_factory = session_factory
        self.deliverers = deliverers
        self.registry = registry
        self.clock = clock
        self.worker_id = worker_id
        self.lease = timedelta(seconds=lease_seconds)
        self.batch = batch
        self.loops = list(loops)
        self._looping = False

    # -- outbox messages ----------------------------------------------------------------------

    def claim_due_messages(self, now: datetime) -> list[int]:
        """Claims up to ``batch`` due messages (pending and due, or sending with an expired
        lease) for this worker, counting an attempt for each; returns their ids."""
        due = or_(
            and_(
                OutboxMessage.status == OutboxStatus.pending,
                OutboxMessage.next_attempt_at <= now,
            ),
            and_(OutboxMessage.status == OutboxStatus.sending, OutboxMessage.claimed_until <= now),
        )
        values = {
            "status": OutboxStatus.sending,
            "claimed_by": self.worker_id,
            "claimed_until": now + self.lease,
            "attempts": OutboxMessage.attempts + 1,
        }
        order = (OutboxMessage.next_attempt_at, OutboxMessage.id)
        return self._claim(OutboxMessage, due, order, values)

    def deliver_one(self, message_id: int) -> bool:
        """Sends one message this worker claimed and records the outcome.

        Success marks it delivered; a failure keeps the error and schedules the next attempt
        (30 s, 2 min, 10 min, 1 h, then every 6 h), or marks it failed after the 8th attempt.
        False when the message is no longer this worker's to send.
        """
        with transaction(self.session_factory) as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or not self._holds(message.status, message.claimed_by):
                return False
            attempts = message.attempts
            if attempts > MAX_ATTEMPTS:
                # Claimed again and again because workers died while sending it: give up.
                message.status = OutboxStatus.failed
                message.claimed_by = message.claimed_until = None
                message.last_error = "gave up: workers stopped in the middle of sending it"
                return True
            outgoing = Outgoing.of(message)
        error: str | None = None
        try:
            self.deliverers.for_kind(outgoing.kind).deliver(outgoing)
        except Exception as exc:  # any failure of the outside system is one failed attempt
            error = (str(exc) or type(exc).__name__)[:ERROR_MAX]
            log.warning(
                "delivery %s failed (attempt %d): %s", outgoing.delivery_id, attempts, error
            )
        now = self.clock.now()
        values: dict[str, Any] = {"claimed_by": None, "claimed_until": None, "last_error": error}
        if error is None:
            values.update(status=OutboxStatus.delivered, delivered_at=now)
        elif attempts >= MAX_ATTEMPTS:
            values.update(status=OutboxStatus.failed)
        else:
            values.update(status=OutboxStatus.pending, next_attempt_at=now + backoff(attempts))
        with transaction(self.session_factory) as session:
            # Conditional: if the lease ran out and another worker took the message over,
            # that worker records the outcome, not this one.
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.status == OutboxStatus.sending,
                    OutboxMessage.claimed_by == self.worker_id,
                )
                .values(**values)
                .execution_options(**NO_SYNC)
            )
        return True

    def release_messages(self, message_ids: Sequence[int]) -> None:
        """Hands claimed but unsent messages back (on shutdown), uncounting their attempt."""
        self._release(OutboxMessage, OutboxStatus.sending, OutboxStatus.pending, message_ids)

    # -- scheduled jobs -----------------------------------------------------------------------

    def claim_due_jobs(self, now: datetime) -> list[int]:
        """Claims up to ``batch`` due jobs (pending and due, or running with an expired lease)."""
        due = or_(
            and_(ScheduledJob.status == JobStatus.pending, ScheduledJob.next_attempt_at <= now),
            and_(ScheduledJob.status == JobStatus.running, ScheduledJob.claimed_until <= now),
        )
        values = {
            "status": JobStatus.running,
            "claimed_by": self.worker_id,
            "claimed_until": now + self.lease,
            "attempts": ScheduledJob.attempts + 1,
        }
        order = (ScheduledJob.next_attempt_at, ScheduledJob.id)
        return self._claim(ScheduledJob, due, order, values)

    def run_job(self, job_id: int) -> bool:
        """Runs the handler of one job this worker claimed, in one transaction with marking
        it done; a network job (``registry.NetworkJob``) in two, with the far end spoken to in
        between, outside any transaction. A failure is retried with backoff, up to 5 attempts.
        False when the job is no longer this worker's to run."""
        now = self.clock.now()
        try:
            with transaction(self.session_factory) as session:
                job = self._renew(session, job_id, now)
                if job is None:
                    return False
                network = self.registry.network_job(job.kind)
                if network is None:
                    handler = self.registry.handler(job.kind)
                    if handler is None:
                        raise LookupError(f"no handler for job kind {job.kind!r} in this worker")
                    handler(session, job, now)
                    self._done(job, now)
                    return True
                prepared = network.prepare(session, job, now)
            # Nothing is held while the far end is slow: the lock (SQLite) or the connection
            # (PostgreSQL) went back with the commit above.
            outcome = None if prepared is None else network.exchange(prepared, self.session_factory)
            with transaction(self.session_factory) as session:
                now = self.clock.now()
                job = self._renew(session, job_id, now)
                if job is None:
                    return False
                if prepared is not None:
                    network.record(session, job, prepared, outcome, now)
                self._done(job, now)
        except Exception as exc:  # the handler's transaction is rolled back; retry later
            log.warning("job %d failed: %s", job_id, exc, exc_info=True)
            self._job_failed(job_id, (str(exc) or type(exc).__name__)[:ERROR_MAX])
        return True

    def _renew(self, session: Session, job_id: int, now: datetime) -> ScheduledJob | None:
        # Renewing the lease first locks the row (PostgreSQL) or the database (SQLite) until
        # commit: a worker whose lease ran out can no longer commit a second run.
        held = session.scalar(
            update(ScheduledJob)
            .where(
                ScheduledJob.id == job_id,
                ScheduledJob.status == JobStatus.running,
                ScheduledJob.claimed_by == self.worker_id,
            )
            .values(claimed_until=now + self.lease)
            .returning(ScheduledJob.id)
            .execution_options(**NO_SYNC)
        )
        return None if held is None else session.get_one(ScheduledJob, job_id)

    @staticmethod
    def _done(job: ScheduledJob, now: datetime) -> None:
        job.status = JobStatus.done
        job.finished_at = now
        job.claimed_by = job.claimed_until = job.last_error = None

    def release_jobs(self, job_ids: Sequence[int]) -> None:
        """Hands claimed but unstarted jobs back (on shutdown), uncounting their attempt."""
        self._release(ScheduledJob, JobStatus.running, JobStatus.pending, job_ids)

    # -- the loop -----------------------------------------------------------------------------

    def run_once(self, stop: threading.Event | None = None) -> bool:
        """One round: claim and deliver due messages, then claim and run due jobs.

        True if anything was due. When ``stop`` is set, what was claimed but not started is
        released, and the round ends after the item in hand.
        """
        now = self.clock.now()
        message_ids = self.claim_due_messages(now)
        for index, message_id in enumerate(message_ids):
            if stop is not None and stop.is_set():
                self.release_messages(message_ids[index:])
                return True
            self.deliver_one(message_id)
        if stop is not None and stop.is_set():
            return bool(message_ids)
        job_ids = self.claim_due_jobs(now)
        for index, job_id in enumerate(job_ids):
            if stop is not None and stop.is_set():
                self.release_jobs(job_ids[index:])
                return True
            self.run_job(job_id)
        busy = bool(message_ids or job_ids)
        if self.loops and not self._looping:
            for loop in self.loops:
                busy = loop.run_once(now) or busy
        return busy

    def start_up(self) -> bool:
        """Runs the registry's startup hooks (queueing each domain's first periodic job)."""
        hooks = self.registry.startup_hooks()
        if hooks:
            with transaction(self.session_factory) as session:
                now = self.clock.now()
                for hook in hooks:
                    hook(session, now)
        return bool(hooks)

    def run_forever(self, stop: threading.Event, idle_sleep: float = 1.0) -> None:
        """Runs rounds until ``stop`` is set, sleeping ``idle_sleep`` when nothing was due.

        Returns soon after ``stop`` is set; a delivery in flight finishes first. A failing
        round (the database away) is logged and retried after a pause.
        """
        log.info("worker %s started", self.worker_id)
        # Each loop runs in its own thread until ``stop``; rounds below then leave it alone.
        threads = [
            threading.Thread(target=loop.run_forever, args=(stop,), daemon=True)
            for loop in self.loops
        ]
        self._looping = bool(threads)
        for thread in threads:
            thread.start()
        try:
            self.start_up()
        except Exception:
            log.exception("worker %s: startup hooks failed; the next start retries", self.worker_id)
        while not stop.is_set():
            try:
                busy = self.run_once(stop)
            except Exception:
                log.exception("worker %s: a round failed; retrying", self.worker_id)
                busy = False
            if not busy:
                stop.wait(idle_sleep)
        for thread in threads:
            thread.join()
        self._looping = False
        log.info("worker %s stopped", self.worker_id)

    def close(self) -> None:
        self.deliverers.close()
        for loop in self.loops:
            loop.close()

    # -- shared -------------------------------------------------------------------------------

    def _holds(self, status: str, claimed_by: str | None) -> bool:
        active = status in (OutboxStatus.sending, JobStatus.running)
        return active and claimed_by == self.worker_id

    def _claim(
        self,
        model: QueueModel,
        due: ColumnElement[bool],
        order: tuple[Any, ...],
        values: dict[str, Any],
    ) -> list[int]:
        with transaction(self.session_factory) as session:
            return claims.claim(session, model, due, order, values, self.batch)

    def _release(self, model: QueueModel, claimed: str, released: str, ids: Sequence[int]) -> None:
        if ids:
            with transaction(self.session_factory) as session:
                claims.release(
                    session,
                    model,
                    ids,
                    worker_id=self.worker_id,
                    claimed=claimed,
                    released=released,
                )

    def _job_failed(self, job_id: int, error: str) -> None:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            job = session.get(ScheduledJob, job_id)
            if job is None or not self._holds(job.status, job.claimed_by):
                return
            job.claimed_by = job.claimed_until = None
            job.last_error = error
            if job.attempts >= JOB_MAX_ATTEMPTS:
                job.status = JobStatus.failed
                job.finished_at = now
            else:
                job.status = JobStatus.pending
                job.next_attempt_at = now + backoff(job.attempts)
