"""Two workers, each with its own engine, on one database at once (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.db import make_engine, make_session_factory, transaction
from devday.jobs import service as jobs_service
from devday.jobs.models import JobStatus, ScheduledJob
from devday.jobs.registry import JobRegistry
from devday.jobs.runner import Worker
from devday.notify.delivery import WebhookSender
from devday.notify.models import Channel, OutboxMessage, OutboxStatus
from tests.conftest import START
from tests.jobs.support import alice_with_channel, enqueue_many, enqueue_one, make_worker
from tests.notify.support import WebhookReceiver

MESSAGES = 200
JOBS = 50


def outstanding(engine: Engine) -> int:
    with Session(engine) as session:
        messages = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.delivered)
        )
        jobs = session.scalar(
            select(func.count())
            .select_from(ScheduledJob)
            .where(ScheduledJob.status != JobStatus.done)
        )
    return (messages or 0) + (jobs or 0)


def test_it_delivers_every_message_and_runs_every_job_exactly_once_with_two_workers(
    engine: Engine, database_url: str, clock: MockClock, receiver: WebhookReceiver
) -> None:
    _, channel_id = alice_with_channel(engine, f"{receiver.url}/hook")
    enqueue_many(engine, channel_id, MESSAGES)
    with transaction(make_session_factory(engine, writer=True)) as session:
        for n in range(JOBS):
            due = START - timedelta(minutes=n)
            jobs_service.schedule(session=session, kind="test.count", due_at=due, now=START)

    ran: list[int] = []
    lock = threading.Lock()

    def count(session: Session, job: ScheduledJob, now: datetime) -> None:
        with lock:
            ran.append(job.id)
        # Every job also notifies: its message must be delivered once like the others.
        enqueue_one(session, session.get_one(Channel, channel_id), f"job {job.id}")

    registry = JobRegistry()
    registry.register("test.count", count)
    engines = [make_engine(database_url) for _ in range(2)]
    workers: list[Worker] = [
        make_worker(own, clock, WebhookSender(timeout=10), f"w{n}", registry=registry, batch=10)
        for n, own in enumerate(engines)
    ]
    stop = threading.Event()
    threads = [
        threading.Thread(target=w.run_forever, args=(stop,), kwargs={"idle_sleep": 0.02})
        for w in workers
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while outstanding(engine) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for worker in workers:
            worker.close()
        for own in engines:
            own.dispose()
    assert not any(t.is_alive() for t in threads)

    assert outstanding(engine) == 0
    seen = receiver.delivery_ids()
    assert len(seen) == MESSAGES + JOBS
    assert set(seen.values()) == {1}  # no delivery id twice
    assert len(ran) == JOBS and len(set(ran)) == JOBS
    with Session(engine) as session:
        attempts = set(session.scalars(select(OutboxMessage.attempts)))
        job_attempts = set(session.scalars(select(ScheduledJob.attempts)))
        delivered_ids = set(session.scalars(select(OutboxMessage.delivery_id)))
    assert attempts == {1} and job_attempts == {1}
    assert delivered_ids == set(seen)
