from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from devday.clock import MockClock
from devday.worklog import service
from devday.worklog.models import EntrySource, TimeEntry
from tests.factories import Account, api_task, api_team
from tests.worklog.conftest import log, start

# Sunday 29 November to Tuesday 1 December, midnight to midnight in Berlin.
TWO_DAYS = "start=2026-11-29T00:00:00%2B01:00&end=2026-12-01T00:00:00%2B01:00"


def report(client: TestClient, who: Account, query: str) -> list[tuple[str | None, str, int]]:
    response = client.get(f"/api/v1/time-report?{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    rows = [(row["key"], row["label"], row["minutes"]) for row in body["rows"]]
    assert body["total_minutes"] == sum(row[2] for row in rows)
    return rows


@pytest.fixture
def week(client: TestClient, alice: Account, clock: MockClock) -> dict[str, int]:
    """Alice (Berlin): 2h30 on "API" across Sunday midnight, 1h on "Docs", and Docs running."""
    api = client.post("/api/v1/projects", json={"name": "api"}, headers=alice.headers).json()
    code = api_task(client, alice, "API", kind="coding", project_id=api["id"])["id"]
    docs = api_task(client, alice, "Docs", kind="docs")["id"]
    # Sun 23:00 to Mon 01:30 in Berlin: 60 minutes on Sunday, 90 on Monday.
    log(client, alice, code, "2026-11-29T22:00:00Z", "2026-11-30T00:30:00Z")
    log(client, alice, docs, "2026-11-30T06:00:00Z", "2026-11-30T07:00:00Z")
    start(client, alice, docs)
    clock.advance(timedelta(minutes=45))  # the running entry counts up to now
    return {"project": api["id"], "code": code, "docs": docs}


def test_it_totals_by_local_day_splitting_at_midnight(
    client: TestClient, alice: Account, week: dict[str, int]
) -> None:
    assert report(client, alice, f"{TWO_DAYS}&group_by=day") == [
        ("2026-11-29", "Sun 29 Nov", 60),
        ("2026-11-30", "Mon 30 Nov", 90 + 60 + 45),
    ]


def test_it_totals_by_task_project_and_kind(
    client: TestClient, alice: Account, week: dict[str, int]
) -> None:
    code, docs = str(week["code"]), str(week["docs"])
    assert report(client, alice, f"{TWO_DAYS}&group_by=task") == [
        (code, "API", 150),
        (docs, "Docs", 105),
    ]
    assert report(client, alice, f"{TWO_DAYS}&group_by=project") == [
        (str(week["project"]), "api", 150),
        (None, "(no project)", 105),
    ]
    assert report(client, alice, f"{TWO_DAYS}&group_by=kind") == [
        ("coding", "coding", 150),
        ("docs", "docs", 105),
    ]
    # No window: Alice's local Monday, which clips the entry that began on Sunday.
    assert report(client, alice, "") == [(docs, "Docs", 105), (code, "API", 90)]


def test_it_reads_days_in_each_users_own_timezone(
    client: TestClient, bob: Account, clock: MockClock
) -> None:
    clock.advance(timedelta(hours=10))  # 14:00 in New York
    late = api_task(client, bob, "late")["id"]
    # 23:00 to 01:00 in New York, across its midnight (05:00 UTC).
    log(client, bob, late, "2026-11-30T04:00:00Z", "2026-11-30T06:00:00Z")
    window = "start=2026-11-29T00:00:00-05:00&end=2026-12-01T00:00:00-05:00"
    assert report(client, bob, f"{window}&group_by=day") == [
        ("2026-11-29", "Sun 29 Nov", 60),
        ("2026-11-30", "Mon 30 Nov", 60),
    ]


def test_it_counts_actual_minutes_of_everyone_on_a_task(
    client: TestClient, app: FastAPI, alice: Account, bob: Account, clock: MockClock
) -> None:
    team = api_team(client, alice)
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team}, headers=alice.headers
    ).json()
    shared = api_task(client, alice, "shared", project_id=project["id"], estimate_minutes=120)["id"]
    mine = api_task(client, alice, "mine")["id"]
    log(client, alice, shared, "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")
    log(client, alice, mine, "2026-11-30T08:00:00Z", "2026-11-30T08:20:00Z")
    start(client, bob, shared)
    clock.advance(timedelta(minutes=30, seconds=59))
    with app.state.devday.session_factory() as session:
        actual = service.actual_minutes(
            session=session, task_ids=[shared, mine, 999, shared], now=clock.now()
        )
        assert actual == {shared: 60 + 30, mine: 20, 999: 0}
        assert service.actual_minutes(session=session, task_ids=[], now=clock.now()) == {}


def test_it_gives_one_users_minutes_by_task_in_a_window(
    client: TestClient, app: FastAPI, alice: Account, week: dict[str, int], clock: MockClock
) -> None:
    monday = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # midnight in Berlin
    with app.state.devday.session_factory() as session:
        minutes = service.minutes_by_task(
            session=session,
            user_id=alice.id,
            start=monday,
            end=monday + timedelta(days=1),
            now=clock.now(),
        )
        assert minutes == {week["code"]: 90, week["docs"]: 105}
        early = service.minutes_by_task(
            session=session,
            user_id=alice.id,
            start=monday,
            end=monday + timedelta(hours=8),  # 07:00 UTC: the Docs hour ends then
            now=clock.now(),
        )
        assert early == {week["code"]: 90, week["docs"]: 60}


def test_it_allows_one_running_entry_per_user_in_the_database(
    client: TestClient, app: FastAPI, alice: Account, bob: Account
) -> None:
    """The partial unique index holds even for a writer that skips the service."""
    theirs, ours = api_task(client, alice)["id"], api_task(client, bob)["id"]
    start(client, alice, theirs)
    now = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    with app.state.devday.session_factory() as session:
        session.add(TimeEntry(user_id=bob.id, task_id=ours, start_at=now))  # another user: fine
        session.add(TimeEntry(user_id=alice.id, task_id=theirs, start_at=now, end_at=now))
        session.commit()
        session.add(TimeEntry(user_id=alice.id, task_id=theirs, start_at=now))
        with pytest.raises(IntegrityError):
            session.commit()


def test_it_makes_a_second_writer_of_the_same_user_wait(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    """Two starts of one user cannot both pass the checks: the second waits for the first."""
    if app.state.devday.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the PostgreSQL run covers it")
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from devday.account.models import User

    first_task, second_task = api_task(client, alice)["id"], api_task(client, alice)["id"]
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    factory = app.state.devday.session_factory
    with factory() as first, factory() as second:
        service.start_timer(
            session=first, user=first.get(User, alice.id), task_id=first_task, now=now
        )
        user = second.get(User, alice.id)
        second.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock"):
            service.start_timer(session=second, user=user, task_id=second_task, now=now)
        second.rollback()
        first.commit()
        started = service.start_timer(session=second, user=user, task_id=second_task, now=now)
        second.commit()
        assert started.task_id == second_task
    assert len(client.get("/api/v1/time-entries", headers=alice.headers).json()) == 2


def test_the_task_list_sums_logged_time_in_the_database_to_the_microsecond(
    client: TestClient, app: FastAPI, alice: Account, clock: MockClock
) -> None:
    # The list reads logged time in its one query; a task alone sums it in Python. Durations
    # that only reach a whole minute together (and one that ends before it starts) must come
    # out the same both ways, on both databases.
    exact = api_task(client, alice, "exact")["id"]
    short = api_task(client, alice, "short by a microsecond")["id"]
    running = api_task(client, alice, "running")["id"]
    base = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    third = timedelta(minutes=6, seconds=40)  # three of them: 20 minutes exactly
    entries = [
        (exact, base, base + third),
        (
            exact,
            base + timedelta(hours=1, microseconds=1),
            base + timedelta(hours=1) + third + timedelta(microseconds=1),
        ),
        (
            exact,
            base + timedelta(hours=2, microseconds=999_999),
            base + timedelta(hours=2, microseconds=999_999) + third,
        ),
        (short, base, base + timedelta(minutes=20, microseconds=-1)),
        (short, base + timedelta(hours=3), base + timedelta(hours=2)),  # ends first: counts 0
        (running, clock.now() - timedelta(minutes=7, microseconds=1), None),
    ]
    with app.state.devday.writer_session_factory() as session:
        owner = client.get("/api/v1/me", headers=alice.headers).json()["id"]
        session.add_all(
            TimeEntry(user_id=owner, task_id=t, start_at=s, end_at=e, source=EntrySource.manual)
            for t, s, e in entries
        )
        session.commit()
    listed = client.get("/api/v1/tasks?limit=50", headers=alice.headers).json()["items"]
    by_id = {item["id"]: item["actual_minutes"] for item in listed}
    assert by_id == {exact: 20, short: 19, running: 7}
    for task_id, minutes in by_id.items():
        alone = client.get(f"/api/v1/tasks/{task_id}", headers=alice.headers).json()
        assert alone["actual_minutes"] == minutes
