"""The Team page through the TestClient: pick a team, the standup form prefilled with the
draft, who submitted and who is away, blockers, leave and the figures charts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Account, api_project, api_task, api_team, csrf_from, sign_up, web_log_in
from tests.standup.support import mine, submit


def section(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</(ul|table|form|section|p)>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(0)


@pytest.fixture
def team(client: TestClient, alice: Account, bob: Account) -> dict[str, Any]:
    team_id = api_team(client, alice, members=[(bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    api_task(
        client,
        alice,
        "Fix <login>",
        project_id=team["project_id"],
        estimate_minutes=60,
        deadline="2026-11-30",
    )
    return team


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    for path in ("/team", "/team/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_it_lets_you_pick_a_team_or_goes_straight_to_your_only_one(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    empty = client.get("/team")
    assert empty.status_code == 200 and 'id="no-teams"' in empty.text
    first = client.post("/api/v1/teams", json={"name": "Backend"}, headers=alice.headers).json()
    only = client.get("/team", follow_redirects=False)
    assert only.status_code == 303 and only.headers["location"] == f"/team/{first['id']}"
    client.post("/api/v1/teams", json={"name": "Ops"}, headers=alice.headers)
    picker = client.get("/team")
    assert re.findall(r'<a href="/team/\d+">([^<]+)</a>', section(picker.text, "team-list")) == [
        "Backend",
        "Ops",
    ]
    assert 'aria-current="page">Team</a>' in picker.text


def test_it_prefills_the_form_with_the_draft_and_shows_the_team(
    client: TestClient, alice: Account, bob: Account, team: dict[str, Any]
) -> None:
    leave = client.post(
        "/api/v1/leave", json={"start": "2026-11-30", "end": "2026-12-02"}, headers=bob.headers
    )
    assert leave.status_code == 201
    web_log_in(client, alice.email)

    page = client.get(f"/team/{team['id']}")

    assert page.status_code == 200
    assert "style=" not in page.text and "<script" not in page.text
    form = section(page.text, "today-part")
    assert "Fix &lt;login&gt; (1h, due Mon 30 Nov 18:00)" in form
    members = section(page.text, "team-members")
    assert re.search(r"Bob</strong>\s*<span class=\"state away\">away \(on leave\)", members)
    assert re.search(r"Alice</strong>\s*<span class=\"state missing\">not started", members)
    assert 'id="no-blockers"' in page.text
    for chart in ("chart-time", "chart-tasks", "chart-ratio", "chart-requests"):
        assert f'<title id="{chart}-title">' in page.text
    assert "Mon 30 Nov 15:00" in section(page.text, "meeting")


def test_it_submits_the_standup_and_resolves_its_blocker(
    client: TestClient, alice: Account, bob: Account, team: dict[str, Any]
) -> None:
    web_log_in(client, alice.email)
    page = client.get(f"/team/{team['id']}")
    form = {
        "csrf_token": csrf_from(page.text),
        "day": "2026-11-30",
        "yesterday": "Reviewed PRs",
        "today": "Fix login",
        "blockers": "Waiting on the VPN",
        "version": "0",
        "action": "submit",
    }
    saved = client.post(f"/team/{team['id']}/standup", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/team/{team['id']}?day=2026-11-30"

    stored = mine(client, team["id"], alice)
    assert stored["status"] == "submitted" and stored["yesterday"] == "Reviewed PRs"
    page = client.get(f"/team/{team['id']}")
    assert "Submitted" in section(page.text, "standup-state")
    blockers = section(page.text, "open-blockers")
    assert "Waiting on the VPN" in blockers
    blocker_id = re.search(r'data-blocker-id="(\d+)"', blockers)
    assert blocker_id
    resolved = client.post(
        f"/team/{team['id']}/blockers/{blocker_id.group(1)}/resolve",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert resolved.status_code == 303
    assert 'id="no-blockers"' in client.get(f"/team/{team['id']}").text


def test_it_refuses_a_form_without_its_token_or_with_a_bad_field(
    client: TestClient, alice: Account, team: dict[str, Any]
) -> None:
    web_log_in(client, alice.email)
    page = client.get(f"/team/{team['id']}")
    base = {"day": "2026-11-30", "today": "x", "version": "0", "action": "submit"}
    expired = client.post(f"/team/{team['id']}/standup", data=base)
    assert expired.status_code == 403 and "Your form expired" in expired.text
    too_long = client.post(
        f"/team/{team['id']}/standup",
        data={**base, "csrf_token": csrf_from(page.text), "blockers": "x" * 5001},
    )
    assert too_long.status_code == 422
    assert 'id="blockers-error"' in too_long.text
    assert re.search(r'id="blockers"[^>]*aria-invalid="true"', too_long.text)
    assert mine(client, team["id"], alice)["stored"] is False  # nothing was saved

    stale = client.post(
        f"/team/{team['id']}/standup",
        data={**base, "csrf_token": csrf_from(page.text), "action": "save"},
    )
    assert stale.status_code == 200  # a redirect followed: saved as version 1
    again = client.post(
        f"/team/{team['id']}/standup",
        data={**base, "csrf_token": csrf_from(page.text), "today": "mine"},
    )
    assert again.status_code == 409 and 'id="version-error"' in again.text
    assert 'value="mine"' not in again.text and ">mine</textarea>" in again.text


def test_it_adds_and_removes_leave_with_errors_next_to_the_field(
    client: TestClient, alice: Account, team: dict[str, Any]
) -> None:
    web_log_in(client, alice.email)
    token = csrf_from(client.get(f"/team/{team['id']}").text)
    url = f"/team/{team['id']}/leave"
    backwards = client.post(
        url, data={"csrf_token": token, "start": "2026-12-10", "end": "2026-12-01"}
    )
    assert backwards.status_code == 422
    assert "must end on or after its first day" in section(backwards.text, "end-error")
    assert 'value="2026-12-10"' in backwards.text  # what was typed comes back
    added = client.post(
        url,
        data={"csrf_token": token, "start": "2026-12-21", "end": "2026-12-31", "note": "Holidays"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(f"/team/{team['id']}")
    listed = section(page.text, "my-leave")
    assert "Mon 21 Dec 2026 to Thu 31 Dec 2026" in listed and "Holidays" in listed
    leave_id = re.search(r'data-leave-id="(\d+)"', listed)
    assert leave_id
    removed = client.post(
        f"/team/{team['id']}/leave/{leave_id.group(1)}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert 'id="no-leave"' in client.get(f"/team/{team['id']}").text


def test_it_shows_figures_per_member_only_to_managers(
    client: TestClient, alice: Account, bob: Account, team: dict[str, Any]
) -> None:
    web_log_in(client, bob.email)
    as_member = section(client.get(f"/team/{team['id']}").text, "figures-members")
    assert re.findall(r'<th scope="row">([^<]+)</th>', as_member) == ["Bob"]
    client.cookies.clear()
    web_log_in(client, alice.email)
    as_owner = section(client.get(f"/team/{team['id']}").text, "figures-members")
    assert re.findall(r'<th scope="row">([^<]+)</th>', as_owner) == ["Alice", "Bob"]


def test_it_hides_another_teams_page_and_forms(
    client: TestClient, alice: Account, team: dict[str, Any]
) -> None:
    submit(client, team["id"], alice, blockers="Alice's blocker")
    carol = sign_up(client, "Carol")
    web_log_in(client, carol.email)
    page = client.get(f"/team/{team['id']}")
    assert page.status_code == 404 and "Alice" not in page.text
    for path in ("/team/0", "/team/99999999999", "/team/x"):
        assert client.get(path).status_code == 404, path
    token = csrf_from(client.get("/team").text)
    posted = client.post(
        f"/team/{team['id']}/standup",
        data={"csrf_token": token, "today": "mine now", "version": "0", "action": "submit"},
    )
    assert posted.status_code == 404
    blockers = client.get(f"/api/v1/teams/{team['id']}/blockers", headers=alice.headers).json()
    resolve = client.post(
        f"/team/{team['id']}/blockers/{blockers[0]['id']}/resolve", data={"csrf_token": token}
    )
    assert resolve.status_code == 404
    assert client.get(f"/api/v1/teams/{team['id']}/blockers", headers=alice.headers).json()
