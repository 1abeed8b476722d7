"""The Projects pages through the TestClient: create a personal or a team's project, rename
and archive it; only a team's owners and managers are offered the forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx2 import Response

from tests.factories import Account, api_project, api_team, csrf_from, sign_up, web_log_in


def post(client: TestClient, page: str, url: str, **data: str) -> Response:
    token = csrf_from(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def project(client: TestClient, owner: Account, project_id: int) -> dict[str, object]:
    response = client.get(f"/api/v1/projects/{project_id}", headers=owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    for path in ("/projects", "/projects/1"):
        response = client.get(path, follow_redirects=False)
        assert response.headers["location"] == f"/login?next={path}"


def test_it_creates_a_personal_and_a_team_project(client: TestClient, alice: Account) -> None:
    team_id = api_team(client, alice)
    web_log_in(client, alice.email)
    assert 'id="no-projects"' in client.get("/projects").text
    personal = post(client, "/projects", "/projects", name="notes", team_id="")
    assert personal.status_code == 303
    personal_id = int(re.findall(r"/projects/(\d+)", personal.headers["location"])[0])
    assert project(client, alice, personal_id)["owner_id"] == alice.id
    teams = post(client, "/projects", "/projects", name="api", team_id=str(team_id))
    assert teams.status_code == 303
    team_project = int(re.findall(r"/projects/(\d+)", teams.headers["location"])[0])
    assert project(client, alice, team_project)["team_id"] == team_id
    listed = client.get("/projects").text
    assert re.findall(r'<a href="/projects/\d+">([^<]+)</a>', listed) == ["api", "notes"]

    again = post(client, "/projects", "/projects", name="API", team_id=str(team_id))
    assert again.status_code == 409 and 'id="name-error"' in again.text
    blank = post(client, "/projects", "/projects", name="  ", team_id="")
    assert blank.status_code == 422 and 'id="name-error"' in blank.text


def test_it_renames_and_archives_a_project(client: TestClient, alice: Account) -> None:
    project_id = api_project(client, alice, api_team(client, alice))
    page = f"/projects/{project_id}"
    web_log_in(client, alice.email)
    renamed = post(client, page, page, name="api-v2", description="Public API", version="1")
    assert renamed.status_code == 303
    assert project(client, alice, project_id)["name"] == "api-v2"
    archived = post(client, page, f"{page}/archive", archived="1", version="2")
    assert archived.status_code == 303
    assert project(client, alice, project_id)["archived"] is True
    assert "api-v2" not in client.get("/projects").text
    assert "api-v2" in client.get("/projects?archived=1").text
    stale = post(client, page, page, name="stale", version="1")
    assert stale.status_code == 409
    assert project(client, alice, project_id)["name"] == "api-v2"


def test_it_offers_a_member_no_forms_and_a_stranger_nothing(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    project_id = api_project(client, alice, team_id)
    page = f"/projects/{project_id}"
    web_log_in(client, bob.email)
    html = client.get(page).text
    assert 'id="edit-project"' not in html and 'id="archive-project"' not in html
    assert f'<option value="{team_id}"' not in client.get("/projects").text
    refused = post(client, page, page, name="mine", version="1")
    assert refused.status_code == 403
    assert project(client, alice, project_id)["name"] == "api"

    client.cookies.clear()
    mallory = sign_up(client, "Mallory")
    web_log_in(client, mallory.email)
    assert client.get(page).status_code == 404
    sneaky = post(client, "/projects", "/projects", name="x", team_id=str(team_id))
    assert sneaky.status_code == 422
    assert client.get("/api/v1/projects", headers=mallory.headers).json() == []
