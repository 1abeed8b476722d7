"""An administrator's allowance for one team (``DEVDAY_OUTBOUND_ALLOW=<team id>=host``) lets
that team's apps and checks reach the host, when they are saved and when the worker runs them,
redirects included; any other team gets the usual refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.checks.servers import Route, TestServer, http_server, strong_routes
from tests.checks.support import make_runner, next_run_at, results, run_next
from tests.conftest import Account, sign_up
from tests.factories import api_app, api_check, api_team


@pytest.fixture
def strict_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path, secret_key="t", database_url=database_url, allow_private_urls=False
    )


@pytest.fixture
def strict(strict_settings: Settings, engine: Engine, clock: MockClock) -> Iterator[TestClient]:
    with TestClient(create_app(strict_settings, engine=engine, clock=clock)) as client:
        yield client


def two_teams(client: TestClient) -> tuple[Account, int, Account, int]:
    alice, bob = sign_up(client, "Alice"), sign_up(client, "Bob")
    return alice, api_team(client, alice), bob, api_team(client, bob, "Frontend")


def test_it_saves_and_runs_a_check_of_the_team_allowed_and_refuses_another_teams(
    strict: TestClient,
    strict_settings: Settings,
    engine: Engine,
    clock: MockClock,
    target: TestServer,
) -> None:
    alice, team_a, bob, team_b = two_teams(strict)
    strict_settings.outbound_allow = f"{team_a}=127.0.0.1"
    app = api_app(strict, alice, team_a, target.url)
    check = api_check(strict, alice, app["id"])
    refused = strict.post(
        "/api/v1/apps",
        json={"team_id": team_b, "name": "orders-api", "base_url": target.url},
        headers=bob.headers,
    )
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "base_url"
    assert "127.0.0.1 is a loopback address" in error["message"]
    assert "DEVDAY_OUTBOUND_ALLOW" in error["message"]
    runner = make_runner(engine, clock, outbound=strict_settings.outbound_policy())
    assert run_next(engine, clock, runner, check["id"])
    [result] = results(engine, check["id"])
    assert (result.status_code, result.error) == (200, None)
    assert target.hits["/health"] == 1


def test_it_refuses_another_teams_check_when_it_runs(
    strict: TestClient,
    strict_settings: Settings,
    engine: Engine,
    clock: MockClock,
    target: TestServer,
) -> None:
    alice, team_a, bob, team_b = two_teams(strict)
    strict_settings.outbound_allow = "127.0.0.1"  # for everyone while the checks are made
    check_a = api_check(strict, alice, api_app(strict, alice, team_a, target.url)["id"])
    check_b = api_check(strict, bob, api_app(strict, bob, team_b, target.url)["id"])
    strict_settings.outbound_allow = f"{team_a}=127.0.0.1"
    runner = make_runner(engine, clock, outbound=strict_settings.outbound_policy())
    clock.set(max(next_run_at(engine, c["id"]) for c in (check_a, check_b)))
    assert runner.run_once()
    [ran] = results(engine, check_a["id"])
    [stopped] = results(engine, check_b["id"])
    assert (ran.status_code, ran.error) == (200, None)
    assert stopped.status_code is None and stopped.error is not None
    assert stopped.error.startswith("refused: 127.0.0.1 is a loopback address"), stopped.error
    assert target.hits["/health"] == 1


def test_it_follows_a_redirect_only_where_the_team_is_allowed(
    strict: TestClient, strict_settings: Settings, engine: Engine, clock: MockClock
) -> None:
    alice, team_a, _bob, _team_b = two_teams(strict)
    with http_server(strong_routes()) as end:
        hop: dict[str, Route] = {
            "/": (301, [("Location", end.url + "/"), ("Content-Length", "0")], b"")
        }
        with http_server(hop) as start:
            strict_settings.outbound_allow = f"{team_a}=127.0.0.1:{start.port}"
            app = api_app(strict, alice, team_a, start.url)
            check = api_check(strict, alice, app["id"], path="/", security=True)
            hits = []
            for allow in (f"{team_a}=127.0.0.1:{start.port}", f"{team_a}=127.0.0.1"):
                strict_settings.outbound_allow = allow
                runner = make_runner(engine, clock, outbound=strict_settings.outbound_policy())
                run_next(engine, clock, runner, check["id"])
                hits.append(end.hits["/"])
    # The security grade follows the redirect: to the end only once the team may go there.
    assert hits == [0, 1]
    assert [r.status_code for r in results(engine, check["id"])] == [301, 301]
