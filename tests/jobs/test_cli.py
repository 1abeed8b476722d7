"""``devday worker`` and the worker embedded in ``devday serve``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from devday.notify.models import OutboxStatus
from tests.cli.conftest import Run
from tests.jobs.support import alice_with_channel, enqueue_many, load
from tests.notify.support import WebhookReceiver


def worker_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("devday-worker")]


def test_it_delivers_what_is_due_with_worker_once(
    run: Run, engine: Engine, receiver: WebhookReceiver
) -> None:
    _, channel_id = alice_with_channel(engine, f"{receiver.url}/hook")
    [message_id] = enqueue_many(engine, channel_id, 1)
    result = run("worker", "--once", "--id", "cli-1")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "worker cli-1: done"
    assert load(engine, message_id).status == OutboxStatus.delivered
    assert len(receiver.received) == 1
    assert run("worker", "--once", "--id", "cli-1").output.strip() == "worker cli-1: nothing due"


def test_it_refuses_a_malformed_smtp_url(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVDAY_SMTP_URL", "mail.example.com")
    for command in (("worker", "--once"), ("serve", "--no-demo")):
        result = run(*command)
        assert result.exit_code == 1, command
        assert "error: DEVDAY_SMTP_URL must look like smtp://" in result.stderr


def test_it_runs_one_worker_beside_the_server_and_stops_it(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    def fake_run(app: Any, **options: Any) -> None:
        seen.append(worker_threads())

    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert run("serve", "--no-demo").exit_code == 0
    assert run("serve", "--no-demo", "--no-worker").exit_code == 0
    assert [len(names) for names in seen] == [1, 0]
    assert seen[0][0].endswith(":serve")
    assert worker_threads() == []  # stopped and joined when the server stopped


def test_it_stops_a_worker_process_on_sigterm(cli_env: Path, engine: Engine) -> None:
    devday = Path(sys.executable).parent / "devday"
    with subprocess.Popen(
        [str(devday), "worker", "--id", "proc-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "worker proc-1 is running" in first
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "worker proc-1 stopped" in out
