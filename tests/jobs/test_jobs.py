"""Scheduled jobs: slots queued once, handlers run in one transaction, retried on failure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.db import make_session_factory, transaction
from devday.jobs import service
from devday.jobs.models import JobStatus, ScheduledJob
from devday.jobs.registry import JobRegistry
from devday.notify import jobs as notify_jobs
from devday.notify.delivery import MockDeliverer
from devday.notify.models import Channel, OutboxMessage
from devday.wiring import job_registry
from tests.conftest import START
from tests.jobs.support import alice_with_channel, enqueue_one, make_worker


def schedule(engine: Engine, kind: str, due_at: datetime, **options: Any) -> int | None:
    with transaction(make_session_factory(engine, writer=True)) as session:
        job = service.schedule(session=session, kind=kind, due_at=due_at, now=START, **options)
        return None if job is None else job.id


def load(engine: Engine, job_id: int) -> ScheduledJob:
    with Session(engine) as session:
        return session.get_one(ScheduledJob, job_id)


def count(engine: Engine, model: type[OutboxMessage] | type[ScheduledJob]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_queues_each_slot_once(engine: Engine) -> None:
    user_id, _ = alice_with_channel(engine, "https://hooks.example.com/x")
    assert schedule(engine, "day.wrapup", START, user_id=user_id) is not None
    assert schedule(engine, "day.wrapup", START, user_id=user_id) is None
    assert schedule(engine, "day.wrapup", START + timedelta(days=1), user_id=user_id) is not None
    # A slot without a user or team is still one slot (NULLs do not make it distinct).
    assert schedule(engine, "cleanup", START) is not None
    assert schedule(engine, "cleanup", START) is None
    assert count(engine, ScheduledJob) == 3


def test_it_retries_a_failing_job_and_rolls_back_what_it_wrote(
    engine: Engine, clock: MockClock
) -> None:
    _, channel_id = alice_with_channel(engine, "https://hooks.example.com/x")
    calls: list[datetime] = []

    def flaky(session: Session, job: ScheduledJob, now: datetime) -> None:
        calls.append(now)
        enqueue_one(session, session.get_one(Channel, channel_id), f"from job {job.id}")
        if len(calls) == 1:
            raise RuntimeError("the calendar server is down")
        # The next occurrence, scheduled in the same transaction.
        service.schedule(
            session=session, kind=job.kind, due_at=job.due_at + timedelta(days=1), now=now
        )

    registry = JobRegistry()
    registry.register("test.flaky", flaky)
    job_id = schedule(engine, "test.flaky", START)
    assert job_id is not None
    mock = MockDeliverer()
    worker = make_worker(engine, clock, mock, registry=registry)
    assert worker.run_job(job_id) is False  # not claimed yet
    assert worker.claim_due_jobs(START) == [job_id]
    assert worker.run_job(job_id)
    failed = load(engine, job_id)
    assert (failed.status, failed.attempts) == (JobStatus.pending, 1)
    assert failed.last_error == "the calendar server is down"
    assert failed.next_attempt_at == START + timedelta(seconds=30)
    assert count(engine, OutboxMessage) == 0  # the failed run's message was rolled back

    clock.advance(timedelta(seconds=30))
    assert worker.run_once()
    done = load(engine, job_id)
    assert (done.status, done.attempts, done.last_error) == (JobStatus.done, 2, None)
    assert done.finished_at == START + timedelta(seconds=30)
    assert count(engine, ScheduledJob) == 2  # tomorrow's is queued
    assert worker.run_once()  # the message the job enqueued
    assert [m.subject for m in mock.sent] == [f"from job {job_id}"]


def test_it_fails_a_job_of_an_unknown_kind_after_its_attempts(
    engine: Engine, clock: MockClock
) -> None:
    job_id = schedule(engine, "nobody.handles.this", START)
    assert job_id is not None
    worker = make_worker(engine, clock, MockDeliverer(), registry=JobRegistry())
    for _ in range(5):
        assert worker.run_once()
        clock.advance(timedelta(hours=6))
    job = load(engine, job_id)
    assert (job.status, job.attempts) == (JobStatus.failed, 5)
    assert job.last_error == "no handler for job kind 'nobody.handles.this' in this worker"
    assert not worker.run_once()


def test_it_sends_scheduled_notifications_to_the_users_channels(
    engine: Engine, clock: MockClock
) -> None:
    user_id, _ = alice_with_channel(engine, "https://hooks.example.com/x")
    job_id = schedule(
        engine,
        notify_jobs.SEND,
        START,
        user_id=user_id,
        payload={"subject": "Wrap-up at 17:00", "text": "Pending: 3 tasks."},
    )
    assert job_id is not None
    mock = MockDeliverer()
    worker = make_worker(engine, clock, mock)
    assert worker.run_once() and worker.run_once()
    assert [(m.subject, m.text) for m in mock.sent] == [("Wrap-up at 17:00", "Pending: 3 tasks.")]
    assert load(engine, job_id).status == JobStatus.done


def test_it_refuses_to_register_a_kind_twice() -> None:
    registry = job_registry()
    assert notify_jobs.SEND in registry.kinds()
    try:
        registry.register(notify_jobs.SEND, notify_jobs.send)
    except ValueError as exc:
        assert "already registered" in str(exc)
    else:
        raise AssertionError("registered twice")
    assert job_registry() is not registry  # no shared state between workers
