"""The local fast routes answer exactly as the API app does, errors included, or leave it to it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from devday.account.localuser import LOCAL_USER_HEADER
from devday.cli import fastpath
from devday.cli.local import BackendPool, LocalBackend
from devday.clock import MockClock
from devday.config import Settings
from tests.factories import Account

Request = tuple[str, str, dict[str, Any] | None]

# Every fast route, well formed and not: filters, pages, other people's and missing things.
ANSWERED: list[Request] = [
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/tasks", None),
    ("GET", "/api/v1/tasks", {"status": "open", "limit": 1000, "offset": 0}),
    ("GET", "/api/v1/tasks", {"status": ["todo", "done"], "limit": 2, "offset": 1}),
    ("GET", "/api/v1/tasks", {"status": "open,dropped", "tag": "security", "q": "login"}),
    ("GET", "/api/v1/tasks", {"deadline_before": "2026-12-02T00:00:00+01:00", "limit": 5}),
    ("GET", "/api/v1/tasks", {"deadline_after": "2026-12-01T00:00:00Z"}),
    ("GET", "/api/v1/tasks", {"planned_date": "2026-11-30", "status": [], "q": []}),
    ("GET", "/api/v1/tasks", {"status": "bogus"}),  # the view's own Invalid, a 422
    ("GET", "/api/v1/tasks/1", None),
    ("GET", "/api/v1/tasks/999999", None),  # 404
    ("GET", "/api/v1/projects", None),
    ("GET", "/api/v1/projects", {"name": "API", "include_archived": True}),
    ("GET", "/api/v1/projects", {"include_archived": "false"}),
    ("GET", "/api/v1/projects/1", None),
    ("GET", "/api/v1/projects/424242", None),
    ("GET", "/api/v1/duty-list", None),
    ("GET", "/api/v1/plans/2026-11-30", None),
    ("GET", "/api/v1/plans/2026-12-24", None),  # no plan: 404
    ("GET", "/api/v1/today", None),
]
# Requests a fast route must leave to the app, which answers them as a server would.
DEFERRED: list[Request] = [
    ("GET", "/api/v1/tasks", {"limit": 5000}),
    ("GET", "/api/v1/tasks", {"tag": "x" * 60}),
    ("GET", "/api/v1/tasks", {"project_id": 0}),
    ("GET", "/api/v1/tasks", {"deadline_before": "tomorrow"}),
    ("GET", "/api/v1/tasks", {"sort": "title"}),
    ("GET", "/api/v1/tasks/0", None),
    ("GET", "/api/v1/tasks/99999999999", None),
    ("GET", "/api/v1/me", {"x": 1}),
    ("GET", "/api/v1/plans/2026-02-30", None),
    ("POST", "/api/v1/tasks", None),
    ("GET", "/api/v1/teams", None),
]


@pytest.fixture
def backend(settings: Settings, clock: MockClock, cli_pool: BackendPool) -> LocalBackend:
    """The session's local backend for these settings, its apps built once, on this test's
    clock; the database is emptied after each test as for any other."""
    local = cli_pool.get(settings)
    local.begin()
    local.clock.source = clock.now
    return local


@pytest.fixture
def world(client: TestClient, alice: Account, bob: Account) -> Account:
    """Alice's tasks (one in a project, tagged, one done), Bob's task, and today's plan."""
    project = client.post("/api/v1/projects", json={"name": "api"}, headers=alice.headers)
    assert project.status_code == 201, project.text
    tasks = [
        {"title": "Fix login", "deadline": "2026-12-01T17:00:00+01:00", "importance": 4,
         "estimate_minutes": 120, "tags": ["security"], "project_id": project.json()["id"]},
        {"title": "Docs", "deadline": "2026-12-03", "estimate_minutes": 60, "kind": "docs",
         "notes": "See **#12**", "planned_date": "2026-11-30"},
        {"title": "Old", "status": "done"},
        {"title": "Someday"},
    ]  # fmt: skip
    for body in tasks:
        made = client.post("/api/v1/tasks", json=body, headers=alice.headers)
        assert made.status_code == 201, made.text
    assert client.post("/api/v1/tasks", json={"title": "Bob's"}, headers=bob.headers).is_success
    built = client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    assert built.status_code == 200, built.text
    return alice


def _both(backend: LocalBackend, clock: MockClock, request: Request, email: str) -> Any:
    method, path, params = request
    headers = {LOCAL_USER_HEADER: email}
    fast = fastpath.answer(backend, method, path, params=params, headers=headers, now=clock.now)
    app = backend.app(path).request(method, path, params=params, headers=headers)
    return fast, app


@pytest.mark.parametrize("request_", ANSWERED, ids=lambda r: f"{r[0]} {r[1]} {r[2]}")
def test_it_answers_as_the_app_does(
    backend: LocalBackend, clock: MockClock, world: Account, request_: Request
) -> None:
    fast, app = _both(backend, clock, request_, world.email)
    assert fast is not None, "a fast route should answer this"
    assert (fast.status_code, fast.data) == (app.status_code, app.json())


@pytest.mark.parametrize("request_", DEFERRED, ids=lambda r: f"{r[0]} {r[1]} {r[2]}")
def test_it_leaves_what_it_does_not_know_to_be_well_formed_to_the_app(
    backend: LocalBackend, clock: MockClock, world: Account, request_: Request
) -> None:
    fast, _app = _both(backend, clock, request_, world.email)
    assert fast is None


def test_it_refuses_an_unknown_local_user_as_the_app_does(
    backend: LocalBackend, clock: MockClock, world: Account
) -> None:
    fast, app = _both(backend, clock, ("GET", "/api/v1/tasks", None), "nobody@example.com")
    assert fast is not None and fast.status_code == 401
    assert fast.data == app.json()
    assert "no local account uses nobody@example.com" in fast.data["detail"]


def test_it_leaves_a_request_without_a_user_to_the_app(
    backend: LocalBackend, clock: MockClock
) -> None:
    answer = fastpath.answer(backend, "GET", "/api/v1/me", params=None, headers={}, now=clock.now)
    assert answer is None


def test_it_answers_a_server_error_as_the_app_does(
    backend: LocalBackend,
    clock: MockClock,
    world: Account,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from devday.planning import service

    def broken(**_: Any) -> Any:
        raise RuntimeError("the planner broke")

    monkeypatch.setattr(service, "duty_list", broken)
    fast, app = _both(backend, clock, ("GET", "/api/v1/duty-list", None), world.email)
    assert fast is not None
    assert (
        (fast.status_code, fast.data)
        == (app.status_code, app.json())
        == (
            500,
            {"detail": "internal error; it has been logged", "errors": []},
        )
    )
    assert "unhandled error on GET /api/v1/duty-list" in caplog.text
