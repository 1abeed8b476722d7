"""The composition root: what reacts to what, and which jobs a worker runs, wired in one place.

Everything that makes sessions which may write goes through here: ``create_app``, the job
worker (``build_worker``), the CLI's in-process paths and the tests. A session factory from
``writer_sessions`` (or one passed to ``wire``) keeps stored plans live (``planning.live``:
a finished task re-plans its assignee's plans at commit) and hears every domain event
(``events()``). The job registry is built here too, so that ``devday.jobs`` knows no domain.

Domain modules are imported inside the functions that need them: the CLI's quick reads import
this module and must not pay for the whole application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from devday.events import Events
from devday.netguard import STRICT, OutboundPolicy

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from devday.clock import Clock
    from devday.config import Settings
    from devday.jobs.embedded import WorkerThread
    from devday.jobs.registry import JobRegistry
    from devday.jobs.runner import Worker


def events() -> Events:
    """Every domain event and who hears it. A new event adds its ``on(...)`` line here."""
    from devday.forge import service as forge_service
    from devday.inbox import notices
    from devday.recurrence import service as recurrence
    from devday.task.service import TaskDropped, TaskFinished

    wired = Events()
    # The inbox tells a requester that the task made from their request is done.
    wired.on(TaskFinished, notices.task_done)
    # A task imported from a GitHub or GitLab issue closes it, or comments, as its
    # connection says.
    wired.on(TaskFinished, forge_service.task_finished)
    # A repeating task done or dropped: its series makes the next one if its day has come.
    wired.on(TaskFinished, recurrence.task_closed)
    wired.on(TaskDropped, recurrence.task_closed)
    return wired


def wire(
    factory: sessionmaker[Session], clock: Clock, *, wired: Events | None = None
) -> sessionmaker[Session]:
    """Makes ``factory``'s sessions keep plans live (with ``clock`` as now) and raise their
    events to ``wired`` (default: a fresh ``events()``); returns ``factory``."""
    from devday.planning import live

    live.install(factory, clock)
    (wired or events()).attach(factory)
    return factory


def writer_sessions(
    engine: Engine, clock: Clock, *, wired: Events | None = None
) -> sessionmaker[Session]:
    """A writer session factory (see ``db.make_session_factory``), wired as ``wire`` says."""
    from devday.db import make_session_factory

    return wire(make_session_factory(engine, writer=True), clock, wired=wired)


def job_registry(
    *, outbound: OutboundPolicy = STRICT, settings: Settings | None = None
) -> JobRegistry:
    """A fresh registry with every domain's job kinds. A domain with scheduled work adds its
    ``register(registry)`` here. ``settings`` gives the feeds' limits (default: the defaults)."""
    from devday.calendars import jobs as calendars_jobs
    from devday.checks import jobs as checks_jobs
    from devday.day import jobs as day_jobs
    from devday.forge import jobs as forge_jobs
    from devday.inbox import jobs as inbox_jobs
    from devday.jobs.registry import JobRegistry
    from devday.learning import jobs as learning_jobs
    from devday.notify import jobs as notify_jobs
    from devday.planning import jobs as planning_jobs
    from devday.recurrence import jobs as recurrence_jobs
    from devday.standup import jobs as standup_jobs

    registry = JobRegistry(outbound=outbound)
    for register in (
        notify_jobs.register,
        day_jobs.register,
        inbox_jobs.register,
        standup_jobs.register,
        checks_jobs.register,
        planning_jobs.register,
        calendars_jobs.register,
        forge_jobs.register,
        recurrence_jobs.register,
    ):
        register(registry)
    learning_jobs.register(registry, learning_jobs.feed_settings(settings))
    return registry


def build_worker(*, settings: Settings, engine: Engine, clock: Clock, worker_id: str) -> Worker:
    """A worker with the real deliverers, every domain's job kinds and the app checks' runner.

    Raises ValueError when ``DEVDAY_SMTP_URL`` is malformed.
    """
    from devday.checks.runner import CheckRunner
    from devday.jobs.runner import Worker
    from devday.notify.delivery import Deliverers

    deliverers = Deliverers.from_settings(
        smtp_url=settings.smtp_url,
        smtp_timeout=settings.smtp_timeout_seconds,
        webhook_timeout=settings.webhook_timeout_seconds,
        outbound=settings.outbound_policy(),
    )
    # Jobs change tasks too (incidents, meeting actions, the morning's wrap-up): plans stay
    # live and a finished task's requester hears of it, as from the app.
    wired = events()
    sessions, check_sessions = (writer_sessions(engine, clock, wired=wired) for _ in range(2))
    return Worker(
        sessions,
        deliverers,
        job_registry(outbound=settings.outbound_policy(), settings=settings),
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


def start_embedded(*, settings: Settings, engine: Engine) -> WorkerThread:
    """The one worker ``devday serve`` runs beside the web server, already started.

    Raises ValueError (before starting anything) when ``DEVDAY_SMTP_URL`` is malformed.
    """
    from devday.clock import SystemClock
    from devday.jobs.embedded import WorkerThread
    from devday.jobs.runner import default_worker_id

    worker = build_worker(
        settings=settings, engine=engine, clock=SystemClock(), worker_id=default_worker_id("serve")
    )
    thread = WorkerThread(worker)
    thread.start()
    return thread
