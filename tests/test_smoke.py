from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.app import create_app
from devday.config import Settings
from tests.factories import Account


def test_it_creates_and_lists_a_task(client: TestClient, alice: Account) -> None:
    r = client.post(
        "/api/v1/tasks",
        json={"title": "Fix login", "deadline": "2026-12-04"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["deadline"] == "2026-12-04T17:00:00Z"
    page = client.get("/api/v1/tasks", headers=alice.headers).json()
    assert [t["title"] for t in page["items"]] == ["Fix login"]


def test_it_builds_the_json_api_alone_for_the_cli(settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(settings, engine=engine, pages=False)) as api:
        assert api.get("/api/v1/openapi.json").status_code == 200
        assert api.post("/api/v1/users", json={}).status_code == 422
        for page in ("/", "/login", "/static/favicon.svg", "/docs"):
            assert api.get(page).status_code == 404, page
