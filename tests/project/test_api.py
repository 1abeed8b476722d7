from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, api_team


def test_it_creates_personal_and_team_projects(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice)
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    mine = client.post("/api/v1/projects", json={"name": "learning"}, headers=alice.headers)
    shared = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team}, headers=alice.headers
    )
    assert mine.status_code == shared.status_code == 201
    bobs = {p["name"] for p in client.get("/api/v1/projects", headers=bob.headers).json()}
    assert bobs == {"api"}
    by_name = client.get("/api/v1/projects?name=API", headers=bob.headers).json()
    assert [p["id"] for p in by_name] == [shared.json()["id"]]


def test_it_refuses_a_duplicate_name_in_one_space(client: TestClient, alice: Account) -> None:
    client.post("/api/v1/projects", json={"name": "api"}, headers=alice.headers)
    again = client.post("/api/v1/projects", json={"name": "API"}, headers=alice.headers)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "name"


def test_it_refuses_a_team_the_caller_is_not_in(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, bob)
    response = client.post(
        "/api/v1/projects", json={"name": "x", "team_id": team}, headers=alice.headers
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "team_id"


def test_it_updates_with_the_version_read(client: TestClient, alice: Account) -> None:
    created = client.post("/api/v1/projects", json={"name": "api"}, headers=alice.headers)
    pid, etag = created.json()["id"], created.headers["etag"]
    ok = client.patch(
        f"/api/v1/projects/{pid}",
        json={"archived": True},
        headers={**alice.headers, "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/projects/{pid}",
        json={"name": "other"},
        headers={**alice.headers, "If-Match": etag},
    )
    assert stale.status_code == 409
    assert client.get(f"/api/v1/projects/{pid}", headers=alice.headers).json()["name"] == "api"
    listed = client.get("/api/v1/projects", headers=alice.headers).json()
    assert listed == []  # archived projects are hidden by default
    assert (
        len(client.get("/api/v1/projects?include_archived=true", headers=alice.headers).json()) == 1
    )


def test_it_keeps_tasks_when_a_project_is_deleted(client: TestClient, alice: Account) -> None:
    pid = client.post("/api/v1/projects", json={"name": "api"}, headers=alice.headers).json()["id"]
    task = client.post(
        "/api/v1/tasks", json={"title": "t", "project_id": pid}, headers=alice.headers
    ).json()
    assert client.delete(f"/api/v1/projects/{pid}", headers=alice.headers).status_code == 204
    kept = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()
    assert kept["project_id"] is None
