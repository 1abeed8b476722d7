"""Standup reminders and blocker flags, run by a real worker by the clock and delivered to a
real webhook receiver on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.jobs.models import ScheduledJob
from devday.jobs.runner import Worker
from devday.notify.delivery import Deliverers, WebhookSender
from devday.standup import jobs as standup_jobs
from devday.standup.models import Blocker
from devday.team.models import Team
from devday.wiring import job_registry, writer_sessions
from tests.factories import Account, api_project, api_team, sign_up
from tests.notify.support import WebhookReceiver
from tests.standup.support import submit


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def worker(engine: Engine, clock: MockClock) -> Iterator[Worker]:
    worker = Worker(
        writer_sessions(engine, clock),
        Deliverers(web=WebhookSender(timeout=5)),
        job_registry(),
        clock,
        "test-worker",
    )
    yield worker
    worker.close()


def drain(worker: Worker) -> None:
    for _ in range(30):
        if not worker.run_once():
            return
    raise AssertionError("the worker never ran out of work")


def channel(client: TestClient, who: Account, receiver: WebhookReceiver, path: str) -> None:
    response = client.post(
        "/api/v1/channels",
        json={"kind": "webhook", "name": path, "target": f"{receiver.url}/{path}"},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text


def received(receiver: WebhookReceiver, path: str, kind: str) -> list[dict[str, Any]]:
    return [
        r.json()
        for r in receiver.received
        if r.path == f"/{path}" and r.json()["payload"].get("type") == kind
    ]


def test_it_reminds_each_member_in_their_timezone_and_skips_leave(
    client: TestClient,
    clock: MockClock,
    alice: Account,
    bob: Account,
    worker: Worker,
    receiver: WebhookReceiver,
    engine: Engine,
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    channel(client, alice, receiver, "alice")
    channel(client, bob, receiver, "bob")
    leave = client.post(
        "/api/v1/leave", json={"start": "2026-12-01", "end": "2026-12-01"}, headers=bob.headers
    )
    assert leave.status_code == 201, leave.text

    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    worker.start_up()
    drain(worker)
    with Session(engine) as session:
        due = {
            j.user_id: j.due_at
            for j in session.scalars(
                select(ScheduledJob).where(ScheduledJob.kind == standup_jobs.REMINDER)
            )
        }
    monday_reminder = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)  # 14:30 in Berlin
    assert due == {alice.id: monday_reminder, bob.id: monday_reminder}

    clock.set(monday_reminder)
    drain(worker)
    [to_alice] = received(receiver, "alice", standup_jobs.REMINDER)
    [to_bob] = received(receiver, "bob", standup_jobs.REMINDER)
    assert "starts at 15:00 your time (Mon 30 Nov, Europe/Berlin)" in to_alice["text"]
    assert "starts at 09:00 your time (Mon 30 Nov, America/New_York)" in to_bob["text"]
    assert to_bob["subject"] == "Standup for Backend at 09:00"

    # Tuesday: Bob is on leave, so only Alice is reminded; the team's day shows him away.
    clock.set(datetime(2026, 12, 1, 13, 30, tzinfo=UTC))
    drain(worker)
    assert len(received(receiver, "alice", standup_jobs.REMINDER)) == 2
    assert len(received(receiver, "bob", standup_jobs.REMINDER)) == 1
    day = client.get(f"/api/v1/teams/{team['id']}/standups", headers=alice.headers).json()
    assert {m["name"]: m["state"] for m in day["members"]} == {"Alice": "missing", "Bob": "away"}

    # Wednesday: Alice submitted before the reminder, so only Bob hears from devday.
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    submit(client, team["id"], alice, today="Docs")
    clock.set(datetime(2026, 12, 2, 13, 30, tzinfo=UTC))
    drain(worker)
    assert len(received(receiver, "alice", standup_jobs.REMINDER)) == 2
    assert len(received(receiver, "bob", standup_jobs.REMINDER)) == 2


def test_it_follows_a_changed_meeting_time(
    client: TestClient,
    clock: MockClock,
    alice: Account,
    worker: Worker,
    receiver: WebhookReceiver,
    engine: Engine,
) -> None:
    team_id = api_team(client, alice)
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    channel(client, alice, receiver, "alice")
    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    worker.start_up()
    drain(worker)
    changed = client.patch(
        f"/api/v1/teams/{team['id']}",
        json={"meeting_time": "16:00", "standup_reminder_minutes": 15},
        headers=alice.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["meeting_time"] == "16:00"
    clock.set(datetime(2026, 11, 30, 13, 30, tzinfo=UTC))  # the old reminder time
    drain(worker)
    assert received(receiver, "alice", standup_jobs.REMINDER) == []
    with Session(engine) as session:
        pending = session.scalars(
            select(ScheduledJob.due_at).where(
                ScheduledJob.kind == standup_jobs.REMINDER, ScheduledJob.status == "pending"
            )
        ).all()
    assert pending == [datetime(2026, 11, 30, 14, 45, tzinfo=UTC)]
    clock.set(datetime(2026, 11, 30, 14, 45, tzinfo=UTC))
    drain(worker)
    [message] = received(receiver, "alice", standup_jobs.REMINDER)
    assert "starts at 16:00 your time" in message["text"]


def test_it_flags_a_blocker_open_over_two_days_to_the_managers_once(
    client: TestClient,
    clock: MockClock,
    alice: Account,
    bob: Account,
    worker: Worker,
    receiver: WebhookReceiver,
    engine: Engine,
) -> None:
    sam = sign_up(client, "Sam")
    team_id = api_team(client, alice, members=[(sam, "manager"), (bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    for who, path in ((alice, "alice"), (sam, "sam"), (bob, "bob")):
        channel(client, who, receiver, path)
    submit(client, team["id"], bob, blockers="Waiting for the staging database")
    worker.start_up()
    drain(worker)

    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # Wednesday: two days old
    drain(worker)
    assert received(receiver, "sam", "standup.blocker_flagged") == []

    clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))  # Thursday: older than two days
    drain(worker)
    [to_sam] = received(receiver, "sam", "standup.blocker_flagged")
    assert len(received(receiver, "alice", "standup.blocker_flagged")) == 1  # the owner too
    assert received(receiver, "bob", "standup.blocker_flagged") == []  # a member is not told
    assert "Bob's blocker in Backend has been open for 3 days" in to_sam["text"]
    assert "Waiting for the staging database" in to_sam["text"]
    with Session(engine) as session:
        blocker = session.scalars(select(Blocker)).one()
    assert blocker.flagged_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    listed = client.get(f"/api/v1/teams/{team['id']}/blockers", headers=bob.headers).json()
    assert listed[0]["flagged_at"] == "2026-12-03T10:00:00Z"

    clock.set(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    drain(worker)
    assert len(received(receiver, "sam", "standup.blocker_flagged")) == 1  # once per blocker


def test_it_finds_the_next_reminder_on_weekdays_only() -> None:
    team = Team(name="t", timezone="Asia/Tokyo", meeting_time="09:00", standup_reminder_minutes=60)
    friday_night = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # Fri 21:00 in Tokyo
    when, day = standup_jobs.next_reminder(team, friday_night)
    assert day.isoformat() == "2026-12-07"
    assert when == datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # Mon 08:00 in Tokyo
