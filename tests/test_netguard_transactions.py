"""No name is looked up while a database transaction is open: saving an app, a check or a
channel looks its host up first (on SQLite a writer's transaction holds the write lock, so a
slow resolver would hold up every other write), with the same answers as before."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, update
from sqlalchemy.exc import OperationalError

from devday import netguard
from devday.account.models import User
from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import brief_transaction
from devday.errors import Conflict
from tests.conftest import Account, sign_up
from tests.factories import api_team, csrf_from, web_log_in

PUBLIC = "93.184.215.14"


@dataclass
class Lookups:
    """What the fake resolver was asked, and which of those came with a transaction open."""

    answers: dict[str, str] = field(
        default_factory=lambda: {
            "app.test": PUBLIC,
            "hooks.test": PUBLIC,
            "inside.test": "10.0.0.5",
        }
    )
    names: list[str] = field(default_factory=list)
    in_transaction: list[str] = field(default_factory=list)
    # Run while a name is being looked up, as a slow resolver would let others do.
    during: Callable[[], None] | None = None


@pytest.fixture
def lookups(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lookups]:
    """Replaces the guard's resolver with one that notes whether any connection of the
    test's engine had a transaction open when it was asked."""
    seen = Lookups()
    open_: set[Connection] = set()

    def begin(conn: Connection) -> None:
        open_.add(conn)

    def end(conn: Connection) -> None:
        open_.discard(conn)

    listeners = (("begin", begin), ("commit", end), ("rollback", end))
    for name, listener in listeners:
        event.listen(engine, name, listener)

    def resolve(name: str, port: int) -> list[Any]:
        try:  # an address is its own answer, as for the real resolver: nothing is asked
            return [ipaddress.ip_address(name)]
        except ValueError:
            pass
        seen.names.append(name)
        if open_:
            seen.in_transaction.append(name)
        if seen.during is not None:
            seen.during()
        if name not in seen.answers:
            raise netguard.Unresolvable(f"{name} does not resolve; check the host name")
        return [ipaddress.ip_address(seen.answers[name])]

    monkeypatch.setattr(netguard, "_addresses", resolve)
    yield seen
    for name, listener in listeners:
        event.remove(engine, name, listener)


@pytest.fixture
def strict(
    tmp_path: Path, engine: Engine, clock: MockClock, database_url: str
) -> Iterator[TestClient]:
    """The app as served by default: nothing internal allowed."""
    settings = Settings(
        data_dir=tmp_path, secret_key="t", database_url=database_url, allow_private_urls=False
    )
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        yield client


def field_errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def assert_refused(response: Any, field_name: str) -> None:
    assert response.status_code == 422, response.text
    message = field_errors(response)[field_name]
    # It names the host, never the address it resolved to (that would map internal names).
    assert "a private address" in message and "10.0.0.5" not in message, message
    assert "DEVDAY_OUTBOUND_ALLOW" in message


def test_it_looks_up_an_apps_address_with_no_transaction_open(
    strict: TestClient, lookups: Lookups
) -> None:
    alice = sign_up(strict, "Alice")
    team = api_team(strict, alice)
    body = {"team_id": team, "name": "orders", "base_url": "http://app.test"}
    created = strict.post("/api/v1/apps", json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    refused = strict.post(
        "/api/v1/apps", json={**body, "base_url": "http://inside.test"}, headers=alice.headers
    )
    assert_refused(refused, "base_url")
    app = created.json()
    moved = strict.patch(
        f"/api/v1/apps/{app['id']}",
        json={"base_url": "http://inside.test:8080", "version": app["version"]},
        headers=alice.headers,
    )
    assert_refused(moved, "base_url")
    renamed = strict.patch(
        f"/api/v1/apps/{app['id']}",
        json={"base_url": "http://hooks.test", "name": "orders-api", "version": app["version"]},
        headers=alice.headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["base_url"]) == (
        "orders-api",
        "http://hooks.test",
    )
    assert lookups.names == ["app.test", "inside.test", "inside.test", "hooks.test"]
    assert lookups.in_transaction == []


def test_it_looks_up_a_checks_address_with_no_transaction_open(
    strict: TestClient, lookups: Lookups
) -> None:
    alice = sign_up(strict, "Alice")
    team = api_team(strict, alice)
    body = {"team_id": team, "name": "orders", "base_url": "http://app.test"}
    app = strict.post("/api/v1/apps", json=body, headers=alice.headers).json()
    check = strict.post(
        f"/api/v1/apps/{app['id']}/checks",
        json={"name": "health", "path": "/health"},
        headers=alice.headers,
    )
    assert check.status_code == 201, check.text
    # The name now points inside: a new check, or a new path, is refused, naming the path.
    lookups.answers["app.test"] = "10.0.0.5"
    refused = strict.post(
        f"/api/v1/apps/{app['id']}/checks",
        json={"name": "ready", "path": "/ready"},
        headers=alice.headers,
    )
    assert_refused(refused, "path")
    moved = strict.patch(
        f"/api/v1/checks/{check.json()['id']}",
        json={"path": "/live", "version": check.json()["version"]},
        headers=alice.headers,
    )
    assert_refused(moved, "path")
    listed = strict.get("/api/v1/checks", headers=alice.headers).json()
    assert [(c["name"], c["url"]) for c in listed] == [("health", "http://app.test/health")]
    assert lookups.names == ["app.test"] * 4
    assert lookups.in_transaction == []


def test_it_looks_up_a_webhooks_address_with_no_transaction_open(
    strict: TestClient, lookups: Lookups
) -> None:
    alice = sign_up(strict, "Alice")
    team = api_team(strict, alice)
    for team_id in (None, team):
        body: dict[str, object] = {
            "kind": "webhook",
            "name": "ci",
            "target": "https://hooks.test/x",
        }
        body |= {"team_id": team_id}
        created = strict.post("/api/v1/channels", json=body, headers=alice.headers)
        assert created.status_code == 201, created.text
        refused = strict.post(
            "/api/v1/channels",
            json={**body, "target": "https://inside.test/x"},
            headers=alice.headers,
        )
        assert_refused(refused, "target")
    assert len(strict.get("/api/v1/channels", headers=alice.headers).json()) == 2
    assert lookups.names == ["hooks.test", "inside.test"] * 2
    assert lookups.in_transaction == []


def test_it_looks_up_addresses_sent_from_the_pages_with_no_transaction_open(
    strict: TestClient, lookups: Lookups
) -> None:
    alice = sign_up(strict, "Alice")
    team = api_team(strict, alice)
    web_log_in(strict, alice.email)
    token = csrf_from(strict.get("/apps").text)
    form = {"team_id": str(team), "name": "orders", "csrf_token": token}
    refused = strict.post("/apps", data={**form, "base_url": "http://inside.test"})
    assert refused.status_code == 422 and "a private address" in refused.text
    added = strict.post(
        "/apps", data={**form, "base_url": "http://app.test"}, follow_redirects=False
    )
    assert added.status_code == 303, added.text
    [app] = strict.get("/api/v1/apps", headers=alice.headers).json()
    check_form = {"name": "home", "method": "GET", "path": "/", "csrf_token": token}
    check_form |= {"interval_seconds": "300", "statuses": "200"}
    check = strict.post(f"/apps/{app['id']}/checks", data=check_form, follow_redirects=False)
    assert check.status_code == 303, check.text
    channel = {"kind": "webhook", "name": "ci", "csrf_token": token}
    hook = strict.post(
        "/settings/channels",
        data={**channel, "target": "https://hooks.test/x"},
        follow_redirects=False,
    )
    assert hook.status_code == 303, hook.text
    inside = strict.post("/settings/channels", data={**channel, "target": "https://inside.test/x"})
    assert inside.status_code == 422 and "a private address" in inside.text
    assert lookups.names == ["inside.test", "app.test", "app.test", "hooks.test", "inside.test"]
    assert lookups.in_transaction == []


def test_it_lets_other_writes_through_while_a_name_is_looked_up(
    strict: TestClient, lookups: Lookups, engine: Engine
) -> None:
    # On SQLite a request that may write holds the write lock from its first query: a lookup
    # inside its transaction made every other write wait for the resolver.
    alice = sign_up(strict, "Alice")
    team = api_team(strict, alice)
    writes: list[str] = []

    def write() -> None:
        try:
            with brief_transaction(engine, wait_seconds=0.5) as conn:
                conn.execute(update(User).where(User.id == alice.id).values(name="Alice B."))
        except OperationalError as exc:
            writes.append(f"waited in vain: {exc}")
        else:
            writes.append("written")

    lookups.during = write
    body = {"team_id": team, "name": "orders", "base_url": "http://app.test"}
    assert strict.post("/api/v1/apps", json=body, headers=alice.headers).status_code == 201
    assert writes == ["written"]


def test_it_looks_nothing_up_for_someone_who_may_not_save_there(
    strict: TestClient, lookups: Lookups
) -> None:
    alice, bob = sign_up(strict, "Alice"), sign_up(strict, "Bob")
    team = api_team(strict, alice)
    body = {"team_id": team, "name": "orders", "base_url": "http://app.test"}
    app = strict.post("/api/v1/apps", json=body, headers=alice.headers).json()
    lookups.names.clear()
    stranger = strict.post(
        f"/api/v1/apps/{app['id']}/checks",
        json={"name": "x", "path": "/x"},
        headers=bob.headers,
    )
    assert stranger.status_code == 404
    foreign = strict.post("/api/v1/apps", json={**body, "name": "mine"}, headers=bob.headers)
    assert "team_id" in field_errors(foreign)
    channel = {"kind": "webhook", "name": "x", "target": "https://inside.test/", "team_id": team}
    assert "team_id" in field_errors(
        strict.post("/api/v1/channels", json=channel, headers=bob.headers)
    )
    assert lookups.names == []


def test_it_needs_no_lookup_for_an_address_or_when_everything_is_allowed(
    client: TestClient, alice: Account, lookups: Lookups
) -> None:
    team = api_team(client, alice)  # the shared client allows private addresses
    body = {"team_id": team, "name": "orders", "base_url": "http://inside.test"}
    assert client.post("/api/v1/apps", json=body, headers=alice.headers).status_code == 201
    assert lookups.names == []
    assert netguard.Vetted(netguard.STRICT).reason("http://10.0.0.5/x") is not None
    assert netguard.Vetted(netguard.STRICT).reason("http://93.184.215.14/x") is None
    assert lookups.names == []


class FakeSession:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def commit(self) -> None:
        self.calls.append("commit")

    def rollback(self) -> None:
        self.calls.append("rollback")


def test_it_rolls_back_looks_up_and_runs_the_work_again(lookups: Lookups) -> None:
    session = FakeSession()
    rounds: list[str | None] = []

    def work(vetted: netguard.Vetted) -> str | None:
        session.calls.append("work")
        reason = vetted.reason("http://inside.test/x", team_id=3)
        rounds.append(reason)
        return reason

    reason = netguard.with_lookups(session, netguard.STRICT, work)  # type: ignore[arg-type]
    assert reason is not None and "inside.test is a private address" in reason
    assert session.calls == ["commit", "work", "rollback", "work"]
    assert lookups.names == ["inside.test"]


def test_it_gives_up_on_a_target_that_changes_at_every_round(lookups: Lookups) -> None:
    session = FakeSession()
    names = iter(f"n{i}.test" for i in range(10))

    def work(vetted: netguard.Vetted) -> str | None:
        return vetted.reason(f"http://{next(names)}/")

    with pytest.raises(Conflict, match="try again"):
        netguard.with_lookups(session, netguard.STRICT, work)  # type: ignore[arg-type]
    assert session.calls == ["commit", "rollback", "rollback", "rollback"]
    assert len(lookups.names) == netguard.LOOKUP_ROUNDS - 1
