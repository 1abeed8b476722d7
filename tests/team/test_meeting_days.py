"""The team's meeting days: Monday to Friday unless a lead ticks others on the team's page or
sets them through the API; standup reminders go out only before a meeting that happens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.jobs.runner import Worker
from devday.notify.delivery import Deliverers, WebhookSender
from devday.standup import jobs as standup_jobs
from devday.team.models import Team
from devday.wiring import job_registry, writer_sessions
from tests.factories import Account, api_team, web_log_in
from tests.notify.support import WebhookReceiver
from tests.team.test_pages import post


def team_of(client: TestClient, who: Account, team_id: int) -> dict[str, object]:
    return dict(client.get(f"/api/v1/teams/{team_id}", headers=who.headers).json())


def test_it_meets_on_weekdays_unless_told_otherwise(client: TestClient, alice: Account) -> None:
    team_id = api_team(client, alice)
    assert team_of(client, alice, team_id)["meeting_days"] == ["mon", "tue", "wed", "thu", "fri"]
    created = client.post(
        "/api/v1/teams",
        json={"name": "Ops", "meeting_days": ["sun", "mon", "mon"]},
        headers=alice.headers,
    )
    assert created.status_code == 201 and created.json()["meeting_days"] == ["mon", "sun"]


def test_it_sets_the_meeting_days_with_checkboxes_on_the_team_page(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    page = f"/teams/{team_id}"
    web_log_in(client, alice.email)
    html = client.get(page).text
    boxes = re.findall(r'<input type="checkbox" name="meeting_days" value="(\w+)"( checked)?', html)
    assert boxes == [
        ("mon", " checked"),
        ("tue", " checked"),
        ("wed", " checked"),
        ("thu", " checked"),
        ("fri", " checked"),
        ("sat", ""),
        ("sun", ""),
    ]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    fields = {
        "csrf_token": token.group(1),
        "name": "Backend",
        "meeting_time": "09:30",
        "meeting_days_shown": "1",
        "meeting_days": ["tue", "thu"],
    }
    saved = client.post(page, data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    team = team_of(client, alice, team_id)
    assert (team["meeting_days"], team["meeting_time"]) == (["tue", "thu"], "09:30")
    shown = client.get(page).text
    assert 'value="tue" checked' in shown and 'value="mon" checked' not in shown

    none = post(client, page, page, name="Backend", meeting_days_shown="1")
    assert none.status_code == 422
    problem = re.search(r'id="settings-meeting_days-error">([^<]+)<', none.text)
    assert problem and "at least one day" in problem.group(1)
    assert team_of(client, alice, team_id)["meeting_days"] == ["tue", "thu"]

    client.cookies.clear()
    web_log_in(client, bob.email)
    as_member = client.get(page).text
    summary = re.search(r'id="meeting-summary">([^<]+)<', as_member)
    assert summary and "09:30 on Tuesday and Thursday" in summary.group(1)


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


def test_it_reminds_members_only_before_a_meeting_that_happens(
    client: TestClient, alice: Account, clock: MockClock, worker: Worker
) -> None:
    receiver = WebhookReceiver().start()
    try:
        hook = client.post(
            "/api/v1/channels",
            json={"kind": "webhook", "name": "me", "target": f"{receiver.url}/alice"},
            headers=alice.headers,
        )
        assert hook.status_code == 201, hook.text
        clock.set(datetime(2026, 12, 3, 7, 0, tzinfo=UTC))
        team_id = api_team(client, alice)
        client.patch(
            f"/api/v1/teams/{team_id}",
            json={"meeting_days": ["mon", "tue", "wed", "thu"]},
            headers=alice.headers,
        )
        worker.start_up()
        drain(worker)  # the sweep queues each member's next reminder
        days = []
        for day in range(3, 8):  # Thursday 3 December to Monday 7 December, 14:40 in Berlin
            clock.set(datetime(2026, 12, day, 13, 40, tzinfo=UTC))
            drain(worker)
            days += [
                r.json()["payload"]["date"]
                for r in receiver.received
                if r.json()["payload"].get("type") == standup_jobs.REMINDER
            ]
        assert sorted(set(days)) == ["2026-12-03", "2026-12-07"]  # not Friday, nor the weekend
    finally:
        receiver.stop()


def test_it_finds_the_next_reminder_on_a_meeting_day() -> None:
    team = Team(name="t", timezone="Europe/Berlin", meeting_time="15:00", meeting_days="tue,fri")
    team.standup_reminder_minutes = 30
    wednesday = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    when, day = standup_jobs.next_reminder(team, wednesday)
    assert day.isoformat() == "2026-12-04"
    assert when == datetime(2026, 12, 4, 13, 30, tzinfo=UTC)  # Friday 14:30 in Berlin
