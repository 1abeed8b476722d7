"""Retries, incidents, their tasks and the stakeholders' messages, end to end: a real app on
loopback, the runner, the worker delivering to a real webhook receiver and SMTP server."""

from __future__ import annotations

import email as email_lib
from datetime import timedelta
from email import policy
from typing import Any

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.jobs.runner import Worker
from devday.notify.delivery import SmtpConfig, SmtpMailer, WebhookSender
from tests.checks.servers import TestServer
from tests.checks.support import check_row, incidents, make_runner, results, run_next
from tests.factories import Account, api_app, api_channel, api_check, api_team
from tests.jobs.support import make_worker
from tests.notify.support import SmtpRecorder, WebhookReceiver, free_port

DOWN = (503, [("Content-Type", "text/plain")], b"maintenance in progress")
UP = (200, [("Content-Type", "application/json")], b'{"status": "ok", "items": [1]}')


def world(
    client: TestClient, alice: Account, target: TestServer, receiver: WebhookReceiver
) -> tuple[dict[str, Any], dict[str, Any]]:
    team = api_team(client, alice, timezone=None)
    channel = api_channel(client, alice, f"{receiver.url}/qa", team_id=team)
    app = api_app(
        client,
        alice,
        team,
        target.url,
        response_target_minutes=240,
        reminder_minutes=60,
        stakeholders=[{"name": "QA", "role": "qa", "channel_id": channel}],
    )
    return app, api_check(client, alice, app["id"])


def deliver(worker: Worker) -> None:
    while worker.run_once():
        pass


def events(receiver: WebhookReceiver) -> list[str]:
    return [r.json()["payload"]["event"] for r in receiver.received]


def test_it_opens_one_incident_after_three_failures_and_resolves_it_after_two_successes(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    alice: Account,
    target: TestServer,
    receiver: WebhookReceiver,
) -> None:
    _, check = world(client, alice, target, receiver)
    runner = make_runner(engine, clock)
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    run_next(engine, clock, runner, check["id"])
    target.routes["/health"] = DOWN
    for _ in range(2):
        run_next(engine, clock, runner, check["id"])
    assert incidents(engine, check["id"]) == []
    assert check_row(engine, check["id"]).state == "up"  # two failures are not down yet
    run_next(engine, clock, runner, check["id"])
    opened_at = clock.now()
    [incident] = incidents(engine, check["id"])
    assert incident.status == "open" and incident.problem == "down" and incident.severity == 4
    assert incident.evidence["status_code"] == 503
    assert incident.evidence["body_start"] == "maintenance in progress"
    assert check_row(engine, check["id"]).state == "down"

    # The incident is a task on the owner's list, placed by the planner like any other.
    task = client.get(f"/api/v1/tasks/{incident.task_id}", headers=alice.headers).json()
    assert task["kind"] == "testing" and task["source"] == "check"
    assert task["importance"] == 4 and task["assignee_id"] == alice.id
    assert task["deadline"] == (opened_at + timedelta(minutes=240)).isoformat().replace(
        "+00:00", "Z"
    )
    assert f"check #{check['id']}" in task["notes"] and "orders-api" in task["title"]

    deliver(worker)
    assert events(receiver) == ["incident.opened"]
    assert receiver.received[0].json()["payload"]["incident_id"] == incident.id

    # A repeat is the same incident, with newer evidence, and no new message.
    run_next(engine, clock, runner, check["id"])
    [same] = incidents(engine, check["id"])
    assert same.id == incident.id and same.failures == 4
    deliver(worker)
    assert events(receiver) == ["incident.opened"]

    target.routes["/health"] = UP
    run_next(engine, clock, runner, check["id"])
    assert incidents(engine, check["id"])[0].status == "open"  # one success is not recovery
    run_next(engine, clock, runner, check["id"])
    [resolved] = incidents(engine, check["id"])
    assert resolved.status == "resolved" and resolved.resolved_at == clock.now()
    assert check_row(engine, check["id"]).state == "up"
    task = client.get(f"/api/v1/tasks/{incident.task_id}", headers=alice.headers).json()
    assert task["status"] == "done"
    assert "Resolved at" in task["notes"] and "passed 2 times in a row" in task["notes"]
    deliver(worker)
    assert events(receiver) == ["incident.opened", "incident.resolved"]

    # Failing again after recovery is a new incident.
    target.routes["/health"] = DOWN
    for _ in range(3):
        run_next(engine, clock, runner, check["id"])
    assert [i.status for i in incidents(engine, check["id"])] == ["resolved", "open"]
    assert len(results(engine, check["id"])) == 10
    listed = client.get("/api/v1/incidents?status=open", headers=alice.headers).json()
    assert [i["problem"] for i in listed] == ["down"]
    worker.close()


def test_it_reminds_the_stakeholders_while_an_incident_stays_open(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    alice: Account,
    target: TestServer,
    receiver: WebhookReceiver,
) -> None:
    _, check = world(client, alice, target, receiver)
    runner = make_runner(engine, clock)
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    target.routes["/health"] = DOWN
    for _ in range(3):
        run_next(engine, clock, runner, check["id"])
    worker.start_up()  # queues the checks' minute tick
    deliver(worker)
    assert events(receiver) == ["incident.opened"]
    clock.advance(timedelta(minutes=30))
    deliver(worker)
    assert events(receiver) == ["incident.opened"]  # not yet: reminders come hourly
    clock.advance(timedelta(minutes=31))
    deliver(worker)
    assert events(receiver) == ["incident.opened", "incident.reminder1"]
    assert receiver.received[-1].json()["subject"].startswith("Still open after 1.0 h")
    clock.advance(timedelta(minutes=61))
    deliver(worker)
    assert events(receiver)[-1] == "incident.reminder2"
    assert incidents(engine, check["id"])[0].reminders_sent == 2
    worker.close()


def test_it_mutes_alerts_in_a_maintenance_window_but_keeps_running_and_recording(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    alice: Account,
    target: TestServer,
    receiver: WebhookReceiver,
) -> None:
    app, check = world(client, alice, target, receiver)
    window = client.post(
        f"/api/v1/apps/{app['id']}/maintenance",
        json={"starts_at": "2026-11-30T08:55:00Z", "duration_minutes": 30, "reason": "deploy"},
        headers=alice.headers,
    )
    assert window.status_code == 201 and window.json()["active"] is True
    runner = make_runner(engine, clock)
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    target.routes["/health"] = DOWN
    for _ in range(5):
        run_next(engine, clock, runner, check["id"])
    assert len(results(engine, check["id"])) == 5  # the checks still ran and recorded
    assert check_row(engine, check["id"]).state == "down"
    assert incidents(engine, check["id"]) == []
    deliver(worker)
    assert receiver.received == []
    clock.set(clock.now().replace(hour=9, minute=26))  # the window is over
    assert runner.run_once()  # the missed slots run once
    [incident] = incidents(engine, check["id"])
    assert incident.status == "open"
    deliver(worker)
    assert events(receiver) == ["incident.opened"]
    worker.close()


def test_it_tells_an_email_stakeholder_through_a_real_smtp_server(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    alice: Account,
    target: TestServer,
    receiver: WebhookReceiver,
) -> None:
    recorder = SmtpRecorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        team = api_team(client, alice, timezone=None)
        webhook = api_channel(client, alice, f"{receiver.url}/qa", team_id=team)
        email = client.post(
            "/api/v1/channels",
            json={"kind": "email", "name": "pm", "target": "pm@example.com", "team_id": team},
            headers=alice.headers,
        )
        assert email.status_code == 201, email.text
        app = api_app(
            client,
            alice,
            team,
            target.url,
            stakeholders=[
                {"name": "QA", "role": "qa", "channel_id": webhook},
                {"name": "Priya", "role": "project manager", "channel_id": email.json()["id"]},
            ],
        )
        check = api_check(client, alice, app["id"])
        runner = make_runner(engine, clock)
        mailer = SmtpMailer(
            SmtpConfig.from_url(f"smtp://127.0.0.1:{smtp.port}?from=devday@example.com", timeout=5)
        )
        worker = make_worker(engine, clock, WebhookSender(timeout=5), email=mailer)
        target.routes["/health"] = DOWN
        for _ in range(3):
            run_next(engine, clock, runner, check["id"])
        target.routes["/health"] = UP
        for _ in range(2):
            run_next(engine, clock, runner, check["id"])
        deliver(worker)
        worker.close()
    finally:
        smtp.stop()
    assert events(receiver) == ["incident.opened", "incident.resolved"]
    mails = [
        email_lib.message_from_bytes(raw, policy=policy.default) for _, _, raw in recorder.messages
    ]
    assert [m["To"] for m in mails] == ["pm@example.com", "pm@example.com"]
    subjects = [str(m["Subject"]) for m in mails]
    assert "orders-api" in subjects[0] and "health" in subjects[0]
    assert subjects[1].startswith("Resolved")
