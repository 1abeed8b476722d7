"""Invitations by link through the API: an owner or manager makes one, anyone holding it joins
once, before it expires; a stranger without it learns nothing."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from devday.clock import MockClock
from devday.team.models import Invitation
from tests.factories import Account, api_team, sign_up


def invite(client: TestClient, owner: Account, team_id: int, role: str = "member") -> str:
    response = client.post(
        f"/api/v1/teams/{team_id}/invitations", json={"role": role}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["link"] == f"/join/{body['token']}" and body["role"] == role
    return str(body["token"])


def roles(client: TestClient, owner: Account, team_id: int) -> dict[str, str]:
    members = client.get(f"/api/v1/teams/{team_id}/members", headers=owner.headers).json()
    return {m["email"]: m["role"] for m in members}


def test_it_lets_whoever_holds_the_link_join_once_with_its_role(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice)
    token = invite(client, alice, team_id, role="manager")
    joined = client.post(f"/api/v1/invitations/{token}/accept", headers=bob.headers)
    assert joined.status_code == 200, joined.text
    assert joined.json()["id"] == team_id and joined.json()["my_role"] == "manager"
    assert roles(client, alice, team_id)[bob.email] == "manager"

    carol = sign_up(client, "Carol")
    again = client.post(f"/api/v1/invitations/{token}/accept", headers=carol.headers)
    assert again.status_code == 410 and "already been used" in again.text
    assert carol.email not in roles(client, alice, team_id)


def test_it_refuses_an_expired_link(
    client: TestClient, alice: Account, bob: Account, clock: MockClock
) -> None:
    team_id = api_team(client, alice)
    token = invite(client, alice, team_id)
    clock.advance(timedelta(days=7, seconds=1))
    late = client.post(f"/api/v1/invitations/{token}/accept", headers=bob.headers)
    assert late.status_code == 410 and "expired" in late.text
    assert bob.email not in roles(client, alice, team_id)


def test_it_stores_only_a_hash_of_the_link(
    client: TestClient, engine: Engine, alice: Account
) -> None:
    token = invite(client, alice, api_team(client, alice))
    with engine.connect() as conn:
        stored = conn.execute(select(Invitation.__table__)).one()
    assert token not in [str(value) for value in stored]


def test_it_lets_only_owners_and_managers_invite_and_only_owners_invite_owners(
    client: TestClient, alice: Account, bob: Account
) -> None:
    carol = sign_up(client, "Carol")
    team_id = api_team(client, alice, members=[(bob, "manager"), (carol, "member")])
    assert invite(client, bob, team_id)
    by_member = client.post(f"/api/v1/teams/{team_id}/invitations", json={}, headers=carol.headers)
    assert by_member.status_code == 403 and "owners and managers" in by_member.text
    owner_by_manager = client.post(
        f"/api/v1/teams/{team_id}/invitations", json={"role": "owner"}, headers=bob.headers
    )
    assert owner_by_manager.status_code == 403


def test_it_hides_a_team_from_a_stranger_and_an_unknown_link(
    client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice)
    mallory = sign_up(client, "Mallory")
    response = client.post(f"/api/v1/teams/{team_id}/invitations", json={}, headers=mallory.headers)
    assert response.status_code == 404
    made_up = client.post("/api/v1/invitations/not-a-real-link/accept", headers=mallory.headers)
    assert made_up.status_code == 404
    assert client.get("/api/v1/teams", headers=mallory.headers).json() == []


def test_it_keeps_the_link_for_someone_else_when_a_member_opens_it(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    token = invite(client, alice, team_id, role="manager")
    member = client.post(f"/api/v1/invitations/{token}/accept", headers=bob.headers)
    assert member.status_code == 200 and member.json()["my_role"] == "member"
    carol = sign_up(client, "Carol")
    joined = client.post(f"/api/v1/invitations/{token}/accept", headers=carol.headers)
    assert joined.status_code == 200 and joined.json()["my_role"] == "manager"


def test_it_asks_for_a_login_to_accept(client: TestClient, alice: Account) -> None:
    token = invite(client, alice, api_team(client, alice))
    assert client.post(f"/api/v1/invitations/{token}/accept").status_code == 401
