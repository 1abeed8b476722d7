from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.factories import Account, sign_up


def test_it_documents_every_endpoint_with_a_description_and_an_example(
    client: TestClient, app: FastAPI
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def has_example(ref: dict[str, Any]) -> bool:
        if ref.get("examples") or ref.get("example"):
            return True
        if "$ref" in ref:
            schema = schemas[ref["$ref"].rsplit("/", 1)[1]]
            return bool(schema.get("examples"))
        if ref.get("type") == "array":
            return has_example(ref["items"])
        return False

    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            if not operation.get("description"):
                missing.append(f"{name}: description")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and not (body.get("examples") or has_example(body["schema"])):
                missing.append(f"{name}: request example")
            ok: dict[str, Any] = next(
                (r for code, r in operation["responses"].items() if code.startswith("2")), {}
            )
            content = ok.get("content", {}).get("application/json")
            if content and not (content.get("example") or has_example(content.get("schema", {}))):
                missing.append(f"{name}: response example")
    assert missing == []
    assert len(spec["paths"]) >= 10


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return dict(spec["paths"][path][method.lower()])


def _declared_body(spec: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    """The schema declared for ``status``, with the one reference it may be resolved."""
    answer = _operation(spec, method, path)["responses"][str(status)]
    schema = answer["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    return dict(spec["components"]["schemas"][name])


def _conforms(body: object, schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    """A small JSON Schema check: objects, arrays, strings and references, as Problem uses."""
    if "$ref" in schema:
        return _conforms(body, spec["components"]["schemas"][schema["$ref"].rsplit("/")[-1]], spec)
    kind = schema.get("type")
    if kind == "object":
        return (
            isinstance(body, dict)
            and set(schema.get("required", [])) <= set(body)
            and all(
                _conforms(body[k], s, spec) for k, s in schema["properties"].items() if k in body
            )
        )
    if kind == "array":
        return isinstance(body, list) and all(_conforms(i, schema["items"], spec) for i in body)
    if kind == "string":
        return isinstance(body, str)
    return True


def test_it_declares_the_error_body_every_error_answer_has(
    client: TestClient, alice: Account
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    answers = [
        (
            "POST",
            "/api/v1/tasks",
            client.post("/api/v1/tasks", json={"title": 5}, headers=alice.headers),
        ),
        ("GET", "/api/v1/tasks", client.get("/api/v1/tasks?limit=0", headers=alice.headers)),
        ("GET", "/api/v1/tasks/{task_id}", client.get("/api/v1/tasks/9", headers=alice.headers)),
        ("GET", "/api/v1/me", client.get("/api/v1/me")),
    ]
    assert [a.status_code for _, _, a in answers] == [422, 422, 404, 401]
    for method, path, answer in answers:
        schema = _declared_body(spec, method, path, answer.status_code)
        assert _conforms(answer.json(), schema, spec), (method, path, answer.json(), schema)
    # FastAPI's own validation body ({"detail": [...]}) is declared nowhere.
    assert "HTTPValidationError" not in str(spec)
    for operations in spec["paths"].values():
        for operation in operations.values():
            for code, answer in operation["responses"].items():
                if int(code) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Problem", (code, operation["operationId"])


def test_it_declares_each_status_an_operation_answers(client: TestClient, alice: Account) -> None:
    """Real answers, each of a status FastAPI leaves out, are in the operation's responses."""
    bob = sign_up(client, "Bob")
    team = client.post("/api/v1/teams", json={"name": "Core"}, headers=alice.headers).json()
    added = client.post(
        f"/api/v1/teams/{team['id']}/members", json={"email": bob.email}, headers=alice.headers
    )
    assert added.status_code == 201, added.text
    task = client.post("/api/v1/tasks", json={"title": "Write docs"}, headers=alice.headers).json()
    task_path = f"/api/v1/tasks/{task['id']}"
    patch = {"title": "Write the docs"}
    seen = [
        ("GET", "/api/v1/tasks", client.get("/api/v1/tasks"), 401),
        ("GET", "/api/v1/tasks/{task_id}", client.get(task_path, headers=bob.headers), 404),
        (
            "PATCH",
            "/api/v1/teams/{team_id}",
            client.patch(f"/api/v1/teams/{team['id']}", json={"name": "X"}, headers=bob.headers),
            403,
        ),
        (
            "PATCH",
            "/api/v1/tasks/{task_id}",
            client.patch(task_path, json=patch, headers=alice.headers),
            428,
        ),
        (
            "PATCH",
            "/api/v1/tasks/{task_id}",
            client.patch(task_path, json=patch, headers={**alice.headers, "If-Match": '"7"'}),
            409,
        ),
        (
            "POST",
            "/api/v1/auth/token",
            client.post(
                "/api/v1/auth/token",
                json={"email": alice.email, "password": "not the password", "name": "x"},
            ),
            401,
        ),
    ]
    spec = client.get("/api/v1/openapi.json").json()
    for method, path, answer, status in seen:
        assert answer.status_code == status, (method, path, answer.text)
        assert str(status) in _operation(spec, method, path)["responses"], (method, path, status)


def test_it_declares_the_limits_on_signing_in(
    settings: Settings, engine: Engine, clock: MockClock
) -> None:
    settings.login_limit_per_address = "2/minute"
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        login = {"email": "nobody@example.com", "password": "wrong password", "name": "x"}
        answers = [client.post("/api/v1/auth/token", json=login).status_code for _ in range(3)]
        assert answers[-1] == 429
        spec = client.get("/api/v1/openapi.json").json()
    responses = _operation(spec, "POST", "/api/v1/auth/token")["responses"]
    assert responses["429"]["headers"]["Retry-After"]["required"] is True
    assert responses["503"]["headers"]["Retry-After"]


def test_it_declares_how_to_sign_in(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerToken"]["description"],
    }
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["sessionCookie"]["name"] == "devday_session"
    signed_in: list[dict[str, list[str]]] = [{"bearerToken": []}, {"sessionCookie": []}]
    assert _operation(spec, "GET", "/api/v1/tasks")["security"] == signed_in
    assert (
        _operation(spec, "DELETE", "/api/v1/meetings/{meeting_id}/items/{meeting_item_id}")[
            "security"
        ]
        == signed_in
    )
    # Signing up and signing in need no credentials.
    assert "security" not in _operation(spec, "POST", "/api/v1/users")
    assert "security" not in _operation(spec, "POST", "/api/v1/auth/token")
    # Every operation that can answer 401 says how to sign in.
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "401" in operation["responses"] and path != "/api/v1/auth/token":
                assert operation.get("security") == signed_in, (method, path)


def test_it_names_every_allowed_method_when_one_is_not(client: TestClient, alice: Account) -> None:
    answer = client.put("/api/v1/tasks/1", headers=alice.headers)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, PATCH, DELETE"
    assert answer.json() == {
        "detail": "PUT is not allowed on /api/v1/tasks/1; use GET, PATCH, DELETE",
        "errors": [],
    }
    assert client.delete("/api/v1/tasks").headers["Allow"] == "GET, POST"
    assert client.post("/api/v1/me").headers["Allow"] == "GET, PATCH, DELETE"
    # What Starlette already named (a static file's GET and HEAD) is kept.
    assert client.put("/static/favicon.svg").headers["Allow"] == "GET, HEAD"
    # Each one named is served.
    spec = client.get("/api/v1/openapi.json").json()
    assert set(spec["paths"]["/api/v1/tasks/{task_id}"]) == {"get", "patch", "delete"}


def test_it_takes_no_number_for_a_day(client: TestClient, alice: Account) -> None:
    """Once, "0" (or 0) was read as 1 January 1970 wherever a day is taken."""
    team = client.post("/api/v1/teams", json={"name": "Core"}, headers=alice.headers).json()
    queries = [
        ("/api/v1/tasks?planned_date=0", "planned_date"),
        ("/api/v1/habits/0", "day"),
        ("/api/v1/plans/0", "plan_date"),
        ("/api/v1/wrapup/86400", "day"),
        ("/api/v1/reflections/0", "day"),
        ("/api/v1/leave?since=0", "since"),
        (f"/api/v1/teams/{team['id']}/standups?day=0", "day"),
    ]
    for path, field in queries:
        answer = client.get(path, headers=alice.headers)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["errors"][0]["field"] == field, (path, answer.json())
        assert "YYYY-MM-DD" in answer.json()["detail"]
    bodies = [
        ("POST", "/api/v1/tasks", {"title": "x", "planned_date": "0"}, "planned_date"),
        ("POST", "/api/v1/tasks", {"title": "x", "planned_date": 0}, "planned_date"),
        ("POST", "/api/v1/leave", {"start": "0", "end": "2026-12-02"}, "start"),
        ("PUT", f"/api/v1/teams/{team['id']}/standups/mine", {"day": 0}, "day"),
    ]
    for method, path, body, field in bodies:
        answer = client.request(method, path, json=body, headers=alice.headers)
        assert answer.status_code == 422, (path, body, answer.text)
        assert answer.json()["errors"][0]["field"] == field, (path, answer.json())
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []
    # Real days still are days.
    made = client.post(
        "/api/v1/tasks", json={"title": "x", "planned_date": "2026-12-01"}, headers=alice.headers
    )
    assert made.status_code == 201
    assert client.get("/api/v1/habits/2026-12-01", headers=alice.headers).status_code == 200
    assert client.get("/api/v1/habits/2026-02-30", headers=alice.headers).status_code == 422


def test_it_declares_unreadable_bodies_and_the_form_of_if_match(
    client: TestClient, alice: Account
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    unreadable = client.post(
        "/api/v1/tasks",
        content=b'{"title": "\xe9"}',  # Latin-1, not UTF-8
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert unreadable.status_code == 400
    assert "400" in _operation(spec, "POST", "/api/v1/tasks")["responses"]
    assert _conforms(unreadable.json(), _declared_body(spec, "POST", "/api/v1/tasks", 400), spec)
    (if_match,) = [
        p
        for p in _operation(spec, "PATCH", "/api/v1/tasks/{task_id}")["parameters"]
        if p["name"].lower() == "if-match"
    ]
    pattern = re.compile(if_match["schema"]["pattern"])
    task = client.post("/api/v1/tasks", json={"title": "x"}, headers=alice.headers)
    assert pattern.search(task.headers["ETag"])
    for refused in ("", "x", "99999999999"):
        assert not pattern.search(refused)
        answer = client.patch(
            f"/api/v1/tasks/{task.json()['id']}",
            json={"title": "y"},
            headers={**alice.headers, "If-Match": refused},
        )
        assert answer.status_code == 422, (refused, answer.text)


def test_it_refuses_what_the_document_says_is_another_type(
    client: TestClient, alice: Account
) -> None:
    """Found by the fuzz: a number for an instant was read as seconds since 1970, and a boolean
    and an integer stood in for each other."""
    refused = [
        ("/api/v1/tasks", {"title": "x", "earliest_start": 0}, "earliest_start"),
        ("/api/v1/tasks", {"title": "x", "deadline": 0}, "deadline"),
        ("/api/v1/tasks", {"title": "x", "splittable": 0}, "splittable"),
        (
            "/api/v1/teams",
            {"name": "x", "standup_reminder_minutes": False},
            "standup_reminder_minutes",
        ),
    ]
    for path, body, field in refused:
        answer = client.post(path, json=body, headers=alice.headers)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["errors"][0]["field"] == field, answer.json()
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []
    made = client.post(
        "/api/v1/tasks",
        json={"title": "x", "earliest_start": "2026-12-01T09:00:00Z", "splittable": False},
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
