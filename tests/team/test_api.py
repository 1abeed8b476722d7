from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, api_team, sign_up


def test_it_adds_members_by_email_with_a_role(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice)
    added = client.post(
        f"/api/v1/teams/{team}/members",
        json={"email": "BOB@example.com", "role": "manager"},
        headers=alice.headers,
    )
    assert added.status_code == 201 and added.json()["role"] == "manager"
    members = client.get(f"/api/v1/teams/{team}/members", headers=bob.headers).json()
    assert {(m["email"], m["role"]) for m in members} == {
        ("alice@example.com", "owner"),
        ("bob@example.com", "manager"),
    }


def test_it_lets_a_user_be_in_several_teams(
    client: TestClient, alice: Account, bob: Account
) -> None:
    first = api_team(client, alice, "Backend")
    second = api_team(client, bob, "Platform")
    client.post(f"/api/v1/teams/{second}/members", json={"email": alice.email}, headers=bob.headers)
    teams = client.get("/api/v1/teams", headers=alice.headers).json()
    assert {(t["id"], t["my_role"]) for t in teams} == {(first, "owner"), (second, "member")}


def test_it_names_an_unknown_email(client: TestClient, alice: Account) -> None:
    team = api_team(client, alice)
    response = client.post(
        f"/api/v1/teams/{team}/members", json={"email": "nobody@example.com"}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_it_refuses_a_duplicate_member(client: TestClient, alice: Account, bob: Account) -> None:
    team = api_team(client, alice)
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    again = client.post(
        f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers
    )
    assert again.status_code == 409


def test_it_lets_only_owners_and_managers_add_members(
    client: TestClient, alice: Account, bob: Account
) -> None:
    carol = sign_up(client, "Carol")
    team = api_team(client, alice)
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    refused = client.post(
        f"/api/v1/teams/{team}/members", json={"email": carol.email}, headers=bob.headers
    )
    assert refused.status_code == 403
    promote = client.patch(
        f"/api/v1/teams/{team}/members/{bob.id}", json={"role": "manager"}, headers=alice.headers
    )
    assert promote.status_code == 200
    make_owner = client.post(
        f"/api/v1/teams/{team}/members",
        json={"email": carol.email, "role": "owner"},
        headers=bob.headers,
    )
    assert make_owner.status_code == 403 and make_owner.json()["errors"][0]["field"] == "role"
    ok = client.post(
        f"/api/v1/teams/{team}/members", json={"email": carol.email}, headers=bob.headers
    )
    assert ok.status_code == 201


def test_it_keeps_at_least_one_owner(client: TestClient, alice: Account) -> None:
    team = api_team(client, alice)
    leave = client.delete(f"/api/v1/teams/{team}/members/{alice.id}", headers=alice.headers)
    assert leave.status_code == 409
    demote = client.patch(
        f"/api/v1/teams/{team}/members/{alice.id}", json={"role": "member"}, headers=alice.headers
    )
    assert demote.status_code == 409


def test_it_lets_a_member_leave(client: TestClient, alice: Account, bob: Account) -> None:
    team = api_team(client, alice)
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    assert (
        client.delete(f"/api/v1/teams/{team}/members/{bob.id}", headers=bob.headers).status_code
        == 204
    )
    assert client.get(f"/api/v1/teams/{team}", headers=bob.headers).status_code == 404


def test_it_renames_and_deletes_a_team(client: TestClient, alice: Account) -> None:
    team = api_team(client, alice)
    renamed = client.patch(f"/api/v1/teams/{team}", json={"name": "Core"}, headers=alice.headers)
    assert renamed.json()["name"] == "Core"
    assert client.delete(f"/api/v1/teams/{team}", headers=alice.headers).status_code == 204
    assert client.get("/api/v1/teams", headers=alice.headers).json() == []
