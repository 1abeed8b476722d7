"""Schemathesis against the served API document, with every check on.

Each operation of /api/v1/openapi.json is called with generated requests, valid and invalid,
as a signed-in user who owns a small world of objects (ids start at 1 in every test, so the
generator's favourite small ids find them). Any 5xx, any answer the document does not declare
(status, body, headers, content type), any valid request refused or invalid one accepted fails.
The number of fuzzed examples is bounded so that a run takes a minute or two per database; the
documented examples and the boundary values ("coverage": each limit, each wrong type) all run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import get_client

from devday.account import service as account_service
from devday.account.models import User
from devday.db import transaction
from devday.deps import AppState
from tests.factories import Account, sign_up

# Examples per operation and generation phase; about a minute per database on a shared machine.
MAX_EXAMPLES = 4

# What a request that fits the document may answer. Schemathesis expects it to be accepted; here
# it may also be refused for what a JSON Schema cannot say: 422 naming the field (an unknown
# timezone, an end before its start, an id that is not yours) and 428 for an update that names
# no version. That is the API's contract (see docs/api.md); every other check is as shipped.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "428", "429"]
# What a request that breaks the document may answer: Schemathesis's default list, and 413 for
# a body over DEVDAY_MAX_BODY_BYTES (a generated string far over a field's maximum length is).
# 5xx is in that default too: a server error fails the server-error check instead.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
REJECTED += ["5xx"]


@dataclass
class World:
    alice: Account
    token_id: int


def build_world(client: TestClient) -> World:
    """Alice, her team with Bob, and one of most things, each with id 1."""
    alice = sign_up(client, "Alice")
    bob = sign_up(client, "Bob")
    h = alice.headers

    def made(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = client.request(method, path, json=body, headers=h)
        assert answer.status_code in (200, 201), (path, answer.text)
        result: dict[str, Any] = answer.json()
        return result

    team = made("POST", "/api/v1/teams", {"name": "Backend"})
    made("POST", f"/api/v1/teams/{team['id']}/members", {"email": bob.email})
    project = made("POST", "/api/v1/projects", {"name": "api", "team_id": team["id"]})
    task = made(
        "POST",
        "/api/v1/tasks",
        {"title": "Ship it", "project_id": project["id"], "estimate_minutes": 60},
    )
    made("POST", "/api/v1/tasks", {"title": "Due", "deadline": "2026-12-01"})
    made(
        "POST",
        "/api/v1/busy-events",
        {"title": "Dentist", "start": "2026-11-30T14:00:00Z", "end": "2026-11-30T15:00:00Z"},
    )
    made(
        "POST",
        "/api/v1/time-entries",
        {"task_id": task["id"], "start": "2026-11-30T07:00:00Z", "end": "2026-11-30T08:00:00Z"},
    )
    # Outbound targets are closed loopback ports: refused at once, never the internet.
    channel = made(
        "POST",
        "/api/v1/channels",
        {"kind": "webhook", "name": "ops", "target": "http://127.0.0.1:9/h", "team_id": team["id"]},
    )
    app = made(
        "POST",
        "/api/v1/apps",
        {
            "team_id": team["id"],
            "name": "orders",
            "base_url": "http://127.0.0.1:9",
            "stakeholders": [{"name": "QA", "channel_id": channel["id"]}],
        },
    )
    made("POST", f"/api/v1/apps/{app['id']}/checks", {"name": "health"})
    made(
        "POST",
        f"/api/v1/apps/{app['id']}/maintenance",
        {"starts_at": "2026-12-06T02:00:00", "duration_minutes": 60},
    )
    made(
        "PATCH", f"/api/v1/teams/{team['id']}/inbox", {"slug": "backend", "imap_host": "127.0.0.1"}
    )
    asked = client.post(
        "/api/v1/inbox", json={"recipient_id": alice.id, "subject": "Review"}, headers=bob.headers
    )
    assert asked.status_code == 201, asked.text
    made(
        "PUT",
        f"/api/v1/teams/{team['id']}/standups/mine",
        {"today": "docs", "blockers": "CI is red", "submit": True, "version": 0},
    )
    made("POST", "/api/v1/leave", {"start": "2026-12-21", "end": "2026-12-31"})
    meeting = made("POST", f"/api/v1/teams/{team['id']}/meetings/today")
    made("POST", f"/api/v1/meetings/{meeting['id']}/items", {"kind": "note", "text": "hello"})
    made("PUT", "/api/v1/reflections/2026-11-30", {"went_well": "tests", "goals": ["docs"]})
    made("POST", "/api/v1/plans/2026-11-30")
    tokens = client.get("/api/v1/tokens", headers=h).json()
    return World(alice=alice, token_id=tokens[-1]["id"])


def renew_token(app: FastAPI, world: World) -> None:
    """A new token for Alice, when a generated request revoked hers."""
    state: AppState = app.state.devday
    with transaction(state.writer_session_factory) as session:
        user = session.get(User, world.alice.id)
        assert user is not None
        token, secret = account_service.create_token(session=session, user=user, name="fuzz")
        session.flush()
        world.alice.token, world.token_id = secret, token.id


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client)


@pytest.fixture
def api_schema(app: FastAPI, world: World) -> Iterator[Any]:
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                "negative_data_rejection": {"expected-statuses": REJECTED},
            },
        }
    )
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=config)


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis names each operation's subtest through pytest's private ``_nodeid``, which
    pytest 9.2 no longer has; give it one to rename."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def asgi_session(app: FastAPI) -> Iterator[Any]:
    """One in-process session for every call, with the environment's proxy settings unread:
    a new one per call, reading them each time, was a tenth of this test's time."""
    asgi_app: Any = app  # schemathesis types an ASGI app more narrowly than Starlette does
    with get_client(asgi_app) as session:
        session.trust_env = False
        yield session


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_it_answers_as_the_document_says(
    case: Any, app: FastAPI, client: TestClient, world: World, asgi_session: Any
) -> None:
    response = case.call_and_validate(session=asgi_session, headers=world.alice.headers)
    if (
        case.method == "DELETE"
        and case.operation.path == "/api/v1/tokens/{token_id}"
        and response.status_code == 200
    ):
        renew_token(app, world)
