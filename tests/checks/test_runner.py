"""The runner against real HTTP servers on loopback: claims, slots, results."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.checks.models import CheckResult
from devday.checks.slots import next_slot_after, phase_ms
from devday.clock import MockClock
from devday.db import make_engine
from devday.netguard import STRICT
from tests.checks.servers import Reply, Route, TestServer
from tests.checks.support import check_row, make_runner, next_run_at, results, run_next
from tests.conftest import START
from tests.factories import Account, api_app, api_check, api_team


def test_it_probes_a_check_and_records_the_result(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account, target: TestServer
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    check = api_check(
        client, alice, app["id"], assertions=['$.status == "ok"'], must_contain="items"
    )
    slot = next_run_at(engine, check["id"])
    assert START < slot <= START + timedelta(seconds=60)
    runner = make_runner(engine, clock)
    assert runner.run_once() is False  # not due yet
    assert run_next(engine, clock, runner, check["id"]) is True
    [result] = results(engine, check["id"])
    assert result.ok and result.status_code == 200 and result.problems == []
    assert result.due_at == slot and result.started_at == slot
    assert result.latency_ms is not None and result.latency_ms > 0
    assert target.hits["/health"] == 1
    row = check_row(engine, check["id"])
    assert row.state == "up" and row.last_status_code == 200
    assert row.next_run_at == slot + timedelta(seconds=60)


def test_it_finds_a_wrong_status_a_missing_keyword_and_a_failed_assertion(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account, target: TestServer
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    check = api_check(
        client, alice, app["id"], assertions=["len($.items) > 2"], must_not_contain="error"
    )
    runner = make_runner(engine, clock)
    answers: list[Route] = [
        (503, [], b"busy"),
        (200, [], b'{"status": "ok", "items": [], "error": "db"}'),
        (200, [], b'{"status": "ok", "items": [1]}'),
        (200, [], b"<html>not json</html>"),
        (200, [], b'{"items": [1, 2, 3]}'),
    ]
    for answer in answers:
        target.routes["/health"] = answer
        run_next(engine, clock, runner, check["id"])
    errors = [r.error for r in results(engine, check["id"])]
    assert errors[0] == "HTTP 503 is not one of 2xx, 3xx"
    assert errors[1] == "the body contains 'error'"
    assert errors[2] is not None and errors[2].startswith("len($.items) > 2")
    assert errors[3] == "the body is not JSON, so its assertions cannot hold"
    assert errors[4] is None
    assert [r.problems for r in results(engine, check["id"])] == [["down"]] * 4 + [[]]


def test_it_times_out_and_measures_slowness_against_the_budget(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account, target: TestServer
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    check = api_check(client, alice, app["id"], timeout_seconds=0.5, latency_budget_ms=100)
    runner = make_runner(engine, clock)
    target.routes["/health"] = Reply(200, [], b"late", delay=0.25)
    run_next(engine, clock, runner, check["id"])
    target.routes["/health"] = Reply(200, [], b"too late", delay=2)
    run_next(engine, clock, runner, check["id"])
    slow, timed_out = results(engine, check["id"])
    assert slow.problems == ["slow"] and slow.status_code == 200
    assert slow.error is not None and "over the 100 ms budget" in slow.error
    assert timed_out.problems == ["down"] and timed_out.error == "no answer within 0.5 s"
    assert timed_out.latency_ms is None


def test_it_runs_a_missed_slot_once_after_downtime(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account, target: TestServer
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    check = api_check(client, alice, app["id"], interval_seconds=10, timeout_seconds=5)
    runner = make_runner(engine, clock)
    first = next_run_at(engine, check["id"])
    clock.set(first + timedelta(minutes=30, seconds=3))  # 180 slots went by unrun
    assert runner.run_once() is True
    assert runner.run_once() is False
    [result] = results(engine, check["id"])
    assert result.due_at == first
    upcoming = next_run_at(engine, check["id"])
    assert clock.now() < upcoming <= clock.now() + timedelta(seconds=10)
    assert upcoming == next_slot_after(check["id"], 10, clock.now())
    assert target.hits["/health"] == 1


def test_it_spreads_a_thousand_checks_over_their_interval() -> None:
    per_second = Counter(next_slot_after(i, 60, START).second for i in range(1, 1001))
    assert len(per_second) == 60  # every second of the minute has some
    assert max(per_second.values()) <= 30  # and none has more than about twice its share
    assert all(0 <= phase_ms(i, 60) < 60_000 for i in range(1, 1001))


def test_it_never_runs_a_slot_twice_with_two_workers(
    client: TestClient,
    engine: Engine,
    database_url: str,
    clock: MockClock,
    alice: Account,
    target: TestServer,
) -> None:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    ids = [
        api_check(client, alice, app["id"], name=f"c{n}", interval_seconds=10, timeout_seconds=5)[
            "id"
        ]
        for n in range(30)
    ]
    engines = [make_engine(database_url) for _ in range(2)]
    runners = [make_runner(own, clock, f"w{n}", batch=7) for n, own in enumerate(engines)]
    ran: Counter[str] = Counter()
    try:
        for _ in range(60):
            clock.advance(timedelta(seconds=1))
            start = threading.Barrier(2)

            def work(index: int, start: threading.Barrier) -> None:
                start.wait()  # both claim at once
                while runners[index].run_once():
                    ran[runners[index].worker_id] += 1

            threads = [threading.Thread(target=work, args=(n, start)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        for own in engines:
            own.dispose()
    with Session(engine) as session:
        rows = session.execute(select(CheckResult.check_id, CheckResult.due_at)).all()
    per_slot = Counter((check_id, due_at) for check_id, due_at in rows)
    assert set(per_slot.values()) == {1}  # no (check, slot) twice
    assert len(rows) == 30 * 6  # every check ran each of its six slots in the minute
    assert {check_id for check_id, _ in rows} == set(ids)
    assert target.hits["/health"] == 30 * 6
    assert ran["w0"] > 0 and ran["w1"] > 0  # both took their share


def test_it_refuses_a_private_address_at_probe_time(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account, target: TestServer
) -> None:
    # The API allowed loopback when the check was made; this runner's server does not.
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    check = api_check(client, alice, app["id"])
    runner = make_runner(engine, clock, outbound=STRICT)
    run_next(engine, clock, runner, check["id"])
    [result] = results(engine, check["id"])
    assert result.error is not None and result.error.startswith("refused: 127.0.0.1")
    assert result.problems == ["down"]
    assert target.hits["/health"] == 0
