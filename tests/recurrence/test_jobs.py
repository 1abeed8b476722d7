"""The worker's sweep: instances on their day with nobody online, one after downtime, once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from devday.clock import MockClock
from devday.db import transaction
from devday.jobs.runner import Worker
from devday.notify.delivery import Deliverers, MockDeliverer
from devday.recurrence import service
from devday.recurrence.jobs import SWEEP
from devday.recurrence.models import Series, SeriesInstance
from devday.task.models import Task
from devday.wiring import job_registry, writer_sessions
from tests.factories import Account
from tests.recurrence.support import all_tasks, finish, open_tasks, sweep


def _daily(client: TestClient, alice: Account, title: str, repeat: str) -> dict[str, object]:
    first = client.post(
        "/api/v1/tasks", json={"title": title, "repeat": repeat}, headers=alice.headers
    ).json()
    finish(client, alice, first)  # Monday's is done; then nobody is online
    return dict(first)


def test_it_makes_each_day_s_instance_at_its_local_midnight_with_nobody_online(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    _daily(client, alice, "Triage", "every weekday")
    made_at: list[datetime] = []
    # A week of the worker's sweeps, every quarter of an hour; nobody finishes anything.
    end = clock.now() + timedelta(days=7)
    while clock.now() < end:
        if sweep(engine, clock):
            made_at.append(clock.now())
        clock.advance(timedelta(minutes=15))
    # Tuesday's instance, at the first sweep of Tuesday in Berlin (23:00 UTC on Monday); it
    # stays open all week, so no other weekday adds a second one.
    assert made_at == [datetime(2026, 11, 30, 23, 0, tzinfo=UTC)]
    tasks = all_tasks(client, alice, "Triage")
    assert [(t["status"], t["planned_date"]) for t in tasks] == [
        ("done", "2026-11-30"),
        ("todo", "2026-12-01"),
    ]


def test_it_runs_as_a_registered_job_of_the_worker(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    _daily(client, alice, "Triage", "every day")
    clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    worker = Worker(
        writer_sessions(engine, clock), Deliverers(web=MockDeliverer()), job_registry(), clock, "w"
    )
    assert SWEEP in job_registry().kinds()
    worker.start_up()
    worker.run_once()
    (made,) = open_tasks(client, alice, "Triage")
    assert made["planned_date"] == "2026-12-01"
    worker.close()


def test_it_makes_one_instance_after_a_week_of_downtime_not_seven(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    _daily(client, alice, "Check backups", "every day")
    clock.advance(timedelta(days=7))  # the worker was down from Monday to Monday
    assert sweep(engine, clock) == 1
    assert sweep(engine, clock) == 0
    (made,) = open_tasks(client, alice, "Check backups")
    assert made["planned_date"] == "2026-12-07"  # the one due now, not the missed ones
    assert len(all_tasks(client, alice, "Check backups")) == 2


def test_it_never_duplicates_an_overdue_instance(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    client.post(
        "/api/v1/tasks", json={"title": "Review PRs", "repeat": "every day"}, headers=alice.headers
    )
    for _ in range(5):
        clock.advance(timedelta(days=1))
        assert sweep(engine, clock) == 0
    assert len(all_tasks(client, alice, "Review PRs")) == 1


def test_it_makes_an_occurrence_once_when_two_sweeps_race(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    _daily(client, alice, "Rotate logs", "every day")
    clock.advance(timedelta(days=1))
    barrier, made = threading.Barrier(2), []

    def run() -> None:
        barrier.wait()
        made.append(sweep(engine, clock))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [0, 1]
    assert len(open_tasks(client, alice, "Rotate logs")) == 1


def test_it_keeps_one_task_per_occurrence_whoever_makes_it(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    first = _daily(client, alice, "Rotate keys", "every day")
    with transaction(writer_sessions(engine, clock)) as session:
        series = session.get_one(Series, first["repeat"]["series_id"])  # type: ignore[index]
        # The occurrence of 30 November already has its task: a second maker adds nothing.
        assert service._make(session, series, date(2026, 11, 30), clock.now()) is None
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SeriesInstance)) == 1
        assert conn.scalar(select(func.count()).select_from(Task)) == 1


def test_it_goes_on_with_an_every_bang_series_whose_open_one_was_deleted(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    first = client.post(
        "/api/v1/tasks",
        json={"title": "Water plants", "repeat": "every! 3 days"},
        headers=alice.headers,
    ).json()
    assert sweep(engine, clock) == 0  # waiting for the open one to be done
    assert client.delete(f"/api/v1/tasks/{first['id']}", headers=alice.headers).status_code == 204
    clock.advance(timedelta(hours=1))
    assert sweep(engine, clock) == 1
    (made,) = open_tasks(client, alice, "Water plants")
    assert made["planned_date"] == "2026-11-30"
    assert sweep(engine, clock) == 0


def test_a_worker_stopped_for_three_days_makes_one_instance_per_series_on_restart(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    titles = ("Stand-up notes", "Check alerts", "Water plants")
    _daily(client, alice, titles[0], "every day")
    _daily(client, alice, titles[1], "every day at 08:00")
    _daily(client, alice, titles[2], "every! day")

    def worker() -> Worker:
        return Worker(
            writer_sessions(engine, clock),
            Deliverers(web=MockDeliverer()),
            job_registry(),
            clock,
            "w",
        )

    first = worker()
    first.start_up()
    first.run_once()
    first.close()  # stopped on Monday; nothing runs until Thursday
    clock.advance(timedelta(days=3))
    again = worker()
    again.start_up()
    again.run_once()
    again.run_once()
    again.close()
    for title in titles:
        (made,) = open_tasks(client, alice, title)
        # Thursday's (the every! one: a day after Monday's was done, made late on Thursday).
        assert made["planned_date"] == "2026-12-03", title
        assert len(all_tasks(client, alice, title)) == 2, title
