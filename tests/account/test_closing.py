"""Exporting one's data and deleting the account, through the API and the profile page."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import (
    PASSWORD,
    Account,
    api_project,
    api_task,
    api_team,
    api_time_entry,
    csrf_from,
    web_log_in,
)


def some_work(client: TestClient, who: Account, title: str) -> dict[str, object]:
    first = api_task(client, who, f"{title} first", tags=["deep"])
    second = api_task(client, who, title, tags=["review", "deep"], depends_on=[first["id"]])
    api_time_entry(client, who, second["id"], "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")
    return second


def test_it_exports_what_the_user_owns_and_nothing_of_others(
    client: TestClient, alice: Account, bob: Account
) -> None:
    mine = some_work(client, alice, "Ship the export")
    some_work(client, bob, "Bob's secret plan")
    answer = client.get("/api/v1/me/export", headers=alice.headers)
    assert answer.status_code == 200
    document = answer.json()
    assert document["profile"]["email"] == alice.email
    titles = {task["title"]: task for task in document["tasks"]}
    assert set(titles) == {"Ship the export first", "Ship the export"}
    assert titles["Ship the export"]["tags"] == ["deep", "review"]
    assert titles["Ship the export"]["depends_on"] == [titles["Ship the export first"]["id"]]
    assert [entry["task_id"] for entry in document["time_entries"]] == [mine["id"]]
    assert {"habits", "reflections", "plans", "routine", "busy_events"} <= set(document)
    assert "Bob" not in answer.text
    assert "password" not in answer.text


def test_it_deletes_the_account_and_its_token_and_sessions_stop_working(
    client: TestClient, alice: Account, bob: Account, app: FastAPI
) -> None:
    some_work(client, alice, "Mine")
    bobs = some_work(client, bob, "Bob's")
    with TestClient(app) as browser:
        web_log_in(browser, alice.email)
        wrong = client.request(
            "DELETE", "/api/v1/me", json={"password": "nope"}, headers=alice.headers
        )
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["field"] == "password"
        assert client.get("/api/v1/me", headers=alice.headers).status_code == 200
        gone = client.request(
            "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=alice.headers
        )
        assert gone.status_code == 204
        assert client.get("/api/v1/me", headers=alice.headers).status_code == 401
        assert browser.get("/settings/profile", follow_redirects=False).status_code == 303
    assert web_log_in(client, alice.email).status_code == 401
    theirs = client.get("/api/v1/me/export", headers=bob.headers).json()
    assert {task["title"] for task in theirs["tasks"]} == {"Bob's first", "Bob's"}
    assert [entry["task_id"] for entry in theirs["time_entries"]] == [bobs["id"]]


def test_it_refuses_while_a_team_has_no_other_owner_naming_it(
    client: TestClient, alice: Account, bob: Account
) -> None:
    api_team(client, alice, "Platform", members=[bob])
    refused = client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=alice.headers
    )
    assert refused.status_code == 409
    assert "Platform" in refused.json()["detail"]
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200


def test_it_hands_team_tasks_to_another_owner(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice, "Platform", members=[(bob, "owner")])
    task = api_task(client, alice, "Team work", project_id=api_project(client, alice, team))
    personal = api_task(client, alice, "Only mine")
    gone = client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=alice.headers
    )
    assert gone.status_code == 204
    kept = client.get(f"/api/v1/tasks/{task['id']}", headers=bob.headers)
    assert kept.status_code == 200
    assert kept.json()["owner_id"] == bob.id
    assert kept.json()["version"] == task["version"] + 1
    assert client.get(f"/api/v1/tasks/{personal['id']}", headers=bob.headers).status_code == 404


def test_it_downloads_the_export_from_the_profile_page(client: TestClient, alice: Account) -> None:
    some_work(client, alice, "Ship it")
    web_log_in(client, alice.email)
    assert 'href="/settings/export" download' in client.get("/settings/profile").text
    download = client.get("/settings/export")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["cache-control"] == "no-store"
    assert "Ship it" in {task["title"] for task in json.loads(download.text)["tasks"]}


def delete_on_page(client: TestClient, password: str) -> tuple[int, str]:
    page = client.get("/settings/profile")
    answer = client.post(
        "/settings/delete",
        data={"password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return answer.status_code, answer.text


def test_it_deletes_the_account_from_the_profile_page(
    client: TestClient, alice: Account, bob: Account
) -> None:
    web_log_in(client, alice.email)
    status, html = delete_on_page(client, "not my password")
    assert status == 422
    assert "wrong password" in html
    assert 'id="delete-password-error"' in html
    api_team(client, alice, "Platform")
    status, html = delete_on_page(client, PASSWORD)
    assert status == 409
    assert "only owner of the team “Platform”" in html
    client.delete(f"/api/v1/teams/{client.get('/api/v1/teams').json()[0]['id']}")
    status, _ = delete_on_page(client, PASSWORD)
    assert status == 303
    assert client.get("/settings/profile", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 401
    assert client.get("/api/v1/me", headers=bob.headers).status_code == 200


def test_it_deletes_nothing_for_a_malformed_or_empty_body(
    client: TestClient, alice: Account
) -> None:
    for raw in (b"{not json", b"{}", b"null", b'{"password": ""}'):
        answer = client.request(
            "DELETE",
            "/api/v1/me",
            content=raw,
            headers={**alice.headers, "Content-Type": "application/json"},
        )
        assert 400 <= answer.status_code < 500, raw
        assert answer.json()["detail"]
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200
