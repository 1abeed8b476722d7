from fastapi.testclient import TestClient

from tests.conftest import Account


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
