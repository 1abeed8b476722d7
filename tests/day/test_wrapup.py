"""Wrap-up and the end-of-day report, delivered by a real worker to a real SMTP server and a
real webhook receiver on loopback; the rituals run by the clock, not by sleeping."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.day import rituals
from devday.jobs.models import ScheduledJob
from devday.jobs.runner import Worker
from devday.notify.delivery import Deliverers, SmtpConfig, SmtpMailer, WebhookSender
from devday.notify.models import OutboxMessage
from devday.wiring import job_registry, writer_sessions
from tests.factories import Account, api_task
from tests.notify.support import SMTP_PASSWORD, SMTP_USER, SmtpRecorder, WebhookReceiver, free_port

DAY = "2026-11-30"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, SmtpRecorder]]:
    recorder = SmtpRecorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=recorder.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.fixture
def worker(
    engine: Engine, clock: MockClock, smtp: tuple[Controller, SmtpRecorder]
) -> Iterator[Worker]:
    controller, _ = smtp
    url = (
        f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace(' ', '%20')}@127.0.0.1:{controller.port}"
        "?from=devday@example.com"
    )
    deliverers = Deliverers(
        web=WebhookSender(timeout=5), email=SmtpMailer(SmtpConfig.from_url(url, timeout=5))
    )
    worker = Worker(
        writer_sessions(engine, clock),
        deliverers,
        job_registry(),
        clock,
        "test-worker",
    )
    yield worker
    worker.close()


def drain(worker: Worker) -> None:
    for _ in range(20):
        if not worker.run_once():
            return
    raise AssertionError("the worker never ran out of work")


def channels(client: TestClient, who: Account, receiver: WebhookReceiver) -> None:
    for kind, target in (("webhook", receiver.url + "/hook"), ("email", "lead@example.com")):
        response = client.post(
            "/api/v1/channels",
            json={"kind": kind, "name": kind, "target": target},
            headers=who.headers,
        )
        assert response.status_code == 201, response.text


def test_it_wraps_up_the_day_and_sends_the_report(
    client: TestClient,
    alice: Account,
    clock: MockClock,
    worker: Worker,
    receiver: WebhookReceiver,
    smtp: tuple[Controller, SmtpRecorder],
) -> None:
    channels(client, alice, receiver)
    done = api_task(client, alice, title="Fix login rate limit", kind="coding", estimate_minutes=60)
    pending = api_task(
        client,
        alice,
        title="Write API docs",
        kind="docs",
        estimate_minutes=60,
        deadline="2026-12-04",
    )
    dropped = api_task(client, alice, title="Old spike", estimate_minutes=30)
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    client.post("/api/v1/timer/start", json={"task_id": done["id"]}, headers=alice.headers)
    clock.advance(timedelta(minutes=90))
    client.post("/api/v1/timer/stop", headers=alice.headers)
    client.patch(
        f"/api/v1/tasks/{done['id']}",
        json={"status": "done"},
        headers={**alice.headers, "If-Match": '"2"'},
    )

    view = client.get(f"/api/v1/wrapup/{DAY}", headers=alice.headers).json()
    assert [(d["title"], d["minutes"]) for d in view["done"]] == [("Fix login rate limit", 90)]
    assert {p["title"] for p in view["pending"]} == {"Write API docs", "Old spike"}
    assert view["time_by_kind"] == {"coding": 90} and view["next_day"] == "2026-12-01"

    closed = client.post(
        f"/api/v1/wrapup/{DAY}",
        headers=alice.headers,
        json={
            "decisions": [{"task_id": dropped["id"], "decision": "drop"}],
            "blockers": "Waiting for the staging database",
        },
    )
    assert closed.status_code == 200, closed.text
    report = closed.json()["report_markdown"]
    assert closed.json()["sent_to"] == 2
    assert "#1 Fix login rate limit (1 h 30 min)" in report
    assert "Write API docs: moved to 2026-12-01" in report and "Old spike: dropped" in report
    assert "Blockers: Waiting for the staging database" in report
    assert "<strong>End of day: Alice" in closed.json()["report_html"]
    moved = client.get(f"/api/v1/tasks/{pending['id']}", headers=alice.headers).json()
    assert moved["planned_date"] == "2026-12-01" and moved["deadline"] == "2026-12-04T17:00:00Z"
    assert (
        client.get(f"/api/v1/tasks/{dropped['id']}", headers=alice.headers).json()["status"]
        == "dropped"
    )
    again = client.post(f"/api/v1/wrapup/{DAY}", headers=alice.headers, json={})
    assert again.status_code == 409

    drain(worker)
    [hook] = [r for r in receiver.received if r.path == "/hook"]
    assert hook.json()["payload"]["type"] == "day.report"
    assert "Fix login rate limit" in hook.json()["text"]
    _controller, recorder = smtp
    [(_sender, recipients, raw)] = recorder.messages
    assert recipients == ["lead@example.com"]
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == "End of day: Alice, Mon 30 Nov"
    html = mail.get_body(preferencelist=("html",))
    assert html is not None and "Fix login rate limit" in html.get_content()


def test_it_refuses_a_decision_for_a_task_that_is_not_pending(
    client: TestClient, alice: Account
) -> None:
    other = api_task(client, alice, title="Not planned today")
    response = client.post(
        f"/api/v1/wrapup/{DAY}",
        headers=alice.headers,
        json={"decisions": [{"task_id": other["id"], "decision": "drop"}]},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "decisions"
    bad = client.post(
        f"/api/v1/wrapup/{DAY}",
        headers=alice.headers,
        json={"decisions": [{"task_id": other["id"], "decision": "date"}]},
    )
    assert bad.status_code == 422


def test_it_runs_the_rituals_in_the_users_timezone(
    client: TestClient,
    alice: Account,
    clock: MockClock,
    worker: Worker,
    receiver: WebhookReceiver,
    engine: Engine,
) -> None:
    channels(client, alice, receiver)
    api_task(client, alice, title="Worked on", estimate_minutes=60)
    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # 08:00 in Berlin
    worker.start_up()
    drain(worker)  # the sweep queues each ritual's next occurrence
    with Session(engine) as session:
        due = {
            j.kind: j.due_at
            for j in session.scalars(
                select(ScheduledJob).where(ScheduledJob.kind.in_(rituals.RITUALS))
            )
        }
    assert due == {
        rituals.MORNING_PLAN: datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        rituals.WRAPUP_REMINDER: datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
        rituals.REFLECTION_PROMPT: datetime(2026, 11, 30, 20, 0, tzinfo=UTC),
    }
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    drain(worker)
    plan = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers)
    assert plan.status_code == 200 and plan.json()["blocks"]  # the morning built today's plan
    clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    drain(worker)
    assert any(r.json()["subject"] == "Time to wrap up" for r in receiver.received)
    clock.set(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
    drain(worker)
    assert any(r.json()["subject"] == "Evening reflection" for r in receiver.received)
    # The day was never wrapped up: Tuesday's morning closes it, and the report goes out.
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    drain(worker)
    closed = client.get(f"/api/v1/wrapup/{DAY}", headers=alice.headers).json()
    assert closed["closed"] is True and "Worked on" in closed["report_markdown"]
    reports = [r for r in receiver.received if r.json()["payload"].get("type") == "day.report"]
    assert len(reports) == 1
    with Session(engine) as session:
        sent = session.scalars(select(OutboxMessage.subject)).all()
    # One message per channel (a webhook and an email), each ritual once.
    assert sent.count("Time to wrap up") == sent.count("Evening reflection") == 2


def test_it_finds_the_next_ritual_on_working_days() -> None:
    from devday.planning.routine import DEFAULT

    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    assert rituals.next_occurrence(
        rituals.MORNING_PLAN, DEFAULT, "Europe/Berlin", friday_evening
    ) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    before_dst = datetime(2027, 3, 26, 20, 30, tzinfo=UTC)  # Fri; clocks go forward on Sunday
    monday = rituals.next_occurrence(rituals.MORNING_PLAN, DEFAULT, "Europe/Berlin", before_dst)
    assert monday == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST
    tokyo = rituals.next_occurrence(
        rituals.REFLECTION_PROMPT, DEFAULT, "Asia/Tokyo", datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
    )
    assert tokyo == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tue 21:00 in Tokyo
