from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, sign_up

HOOK = "https://hooks.slack.com/services/T000/B000/SECRET"


def add_member(client: TestClient, owner: Account, team_id: int, who: Account, role: str) -> None:
    response = client.post(
        f"/api/v1/teams/{team_id}/members",
        json={"email": who.email, "role": role},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text


def test_it_creates_lists_and_deletes_personal_channels(client: TestClient, alice: Account) -> None:
    created = client.post(
        "/api/v1/channels",
        json={"kind": "webhook", "name": "ops bridge", "target": "http://127.0.0.1:9/hook"},
        headers=alice.headers,
    )
    assert created.status_code == 201, created.text
    channel = created.json()
    assert (channel["user_id"], channel["team_id"]) == (alice.id, None)
    assert len(channel["secret"]) == 64  # shown once, here
    email = client.post(
        "/api/v1/channels",
        json={"kind": "email", "name": "inbox", "target": " Alice@Example.com "},
        headers=alice.headers,
    ).json()
    assert email["target"] == "Alice@example.com"
    listed = client.get("/api/v1/channels", headers=alice.headers).json()
    assert [c["id"] for c in listed] == [channel["id"], email["id"]]
    assert "secret" not in listed[0]
    assert listed[0]["target"] == "http://127.0.0.1:9/…"  # URLs are credentials: origin only
    deleted = client.delete(f"/api/v1/channels/{channel['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    assert [c["id"] for c in client.get("/api/v1/channels", headers=alice.headers).json()] == [
        email["id"]
    ]
    again = client.delete(f"/api/v1/channels/{channel['id']}", headers=alice.headers)
    assert again.status_code == 404


def test_it_lets_only_owners_and_managers_manage_team_channels(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = client.post("/api/v1/teams", json={"name": "Backend"}, headers=alice.headers).json()
    carol = sign_up(client, "Carol")
    mallory = sign_up(client, "Mallory")
    add_member(client, alice, team["id"], bob, "member")
    add_member(client, alice, team["id"], carol, "manager")
    body = {"kind": "slack", "name": "#backend", "target": HOOK, "team_id": team["id"]}

    refused = client.post("/api/v1/channels", json=body, headers=bob.headers)
    assert refused.status_code == 403, refused.text
    stranger = client.post("/api/v1/channels", json=body, headers=mallory.headers)
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "team_id"
    created = client.post("/api/v1/channels", json=body, headers=carol.headers)
    assert created.status_code == 201, created.text
    channel_id = created.json()["id"]

    # Every member sees it; a stranger sees nothing and gets 404 for it.
    assert [c["id"] for c in client.get("/api/v1/channels", headers=bob.headers).json()] == [
        channel_id
    ]
    assert client.get("/api/v1/channels", headers=mallory.headers).json() == []
    for method, url in (
        ("POST", f"/api/v1/channels/{channel_id}/test"),
        ("DELETE", f"/api/v1/channels/{channel_id}"),
    ):
        assert client.request(method, url, headers=mallory.headers).status_code == 404
        assert client.request(method, url, headers=bob.headers).status_code == 403
    assert client.delete(f"/api/v1/channels/{channel_id}", headers=carol.headers).status_code == 204


def test_it_queues_a_test_message_and_shows_it_in_the_outbox(
    client: TestClient, alice: Account, bob: Account
) -> None:
    channel = client.post(
        "/api/v1/channels",
        json={"kind": "mattermost", "name": "town square", "target": "https://mm.example.com/h"},
        headers=alice.headers,
    ).json()
    default = client.post(f"/api/v1/channels/{channel['id']}/test", headers=alice.headers)
    assert default.status_code == 202, default.text
    custom = client.post(
        f"/api/v1/channels/{channel['id']}/test",
        json={"text": "Deploys go here now."},
        headers=alice.headers,
    ).json()
    assert custom["status"] == "pending" and custom["attempts"] == 0
    assert custom["subject"] == "devday test: town square"
    outbox = client.get("/api/v1/outbox", headers=alice.headers).json()
    assert {m["id"] for m in outbox} == {default.json()["id"], custom["id"]}
    assert client.get("/api/v1/outbox?status=delivered", headers=alice.headers).json() == []
    assert len(client.get("/api/v1/outbox?status=pending", headers=alice.headers).json()) == 2
    assert client.get("/api/v1/outbox", headers=bob.headers).json() == []


def test_it_names_the_field_of_bad_channel_input(client: TestClient, alice: Account) -> None:
    cases = {
        "kind": {"kind": "pigeon", "name": "x", "target": "https://example.com"},
        "target": {"kind": "email", "name": "x", "target": "not an address"},
        "name": {"kind": "slack", "name": "", "target": HOOK},
        "team_id": {"kind": "slack", "name": "x", "target": HOOK, "team_id": 0},
        "colour": {"kind": "slack", "name": "x", "target": HOOK, "colour": "red"},
    }
    for field, body in cases.items():
        response = client.post("/api/v1/channels", json=body, headers=alice.headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field, (field, response.json())
    for target in ("ftp://example.com/x", "javascript:alert(1)", "https://", "hooks.example.com"):
        response = client.post(
            "/api/v1/channels",
            json={"kind": "webhook", "name": "x", "target": target},
            headers=alice.headers,
        )
        assert response.status_code == 422, target
        assert response.json()["errors"][0]["field"] == "target"
    for url in ("/api/v1/outbox?status=lost", "/api/v1/outbox?limit=0", "/api/v1/channels/0/test"):
        method = "POST" if url.endswith("/test") else "GET"
        response = client.request(method, url, headers=alice.headers)
        assert 400 <= response.status_code < 500 and response.json()["detail"], url
    assert client.get("/api/v1/channels", headers=alice.headers).json() == []
