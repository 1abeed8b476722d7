"""The checks run inside the ordinary worker (the one `devday serve` embeds), in its loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.checks.runner import CheckRunner
from devday.clock import MockClock
from devday.config import Settings
from devday.wiring import build_worker
from tests.checks.servers import TestServer
from tests.checks.support import next_run_at, results
from tests.factories import Account, api_app, api_check, api_team


def test_it_runs_due_checks_in_a_worker_round(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    settings: Settings,
    alice: Account,
    target: TestServer,
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    check = api_check(client, alice, app["id"])
    worker = build_worker(settings=settings, engine=engine, clock=clock, worker_id="w")
    assert [type(loop) for loop in worker.loops] == [CheckRunner]
    clock.set(next_run_at(engine, check["id"]))
    assert worker.run_once() is True
    assert [r.status_code for r in results(engine, check["id"])] == [200]
    worker.close()


def test_it_runs_checks_continuously_beside_the_worker_loop_and_stops_cleanly(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    tmp_path: Path,
    database_url: str,
    alice: Account,
    target: TestServer,
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    ids = [api_check(client, alice, app["id"], name=f"c{n}")["id"] for n in range(5)]
    settings = Settings(
        data_dir=tmp_path, secret_key="t", database_url=database_url, allow_private_urls=True
    )
    worker = build_worker(settings=settings, engine=engine, clock=clock, worker_id="w")
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.05))
    clock.set(max(next_run_at(engine, i) for i in ids))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(len(results(engine, i)) for i in ids) < 5:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
        worker.close()
    assert not thread.is_alive()
    assert [len(results(engine, i)) for i in ids] == [1] * 5
    assert target.hits["/health"] == 5
