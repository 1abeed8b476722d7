from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Account, csrf_from, web_log_in


def open_settings(
    client: TestClient, account: Account, section: str = "profile"
) -> tuple[str, str]:
    web_log_in(client, account.email)
    page = client.get(f"/settings/{section}")
    assert page.status_code == 200, page.text
    return page.text, csrf_from(page.text)


def routine_form(html: str) -> dict[str, Any]:
    """The routine editor's fields as the browser would send them, unchanged."""
    form = re.search(r'<form method="post" action="/settings/routine".*?</form>', html, re.S)
    assert form
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" not in tag:
                continue
            text = value.group(1) if value else "on"
        else:
            text = value.group(1) if value else ""
        data.setdefault(name.group(1), []).append(text)
    boosts = re.search(
        r'<textarea id="boosts" name="boosts"[^>]*>(.*?)</textarea>', form.group(0), re.S
    )
    data["boosts"] = [boosts.group(1) if boosts else ""]
    return data


SECTIONS = {
    "profile": "Profile &amp; timezone",
    "routine": "Routine",
    "tokens": "API tokens",
    "channels": "Notification channels",
    "calendar": "Calendars",
    "forges": "GitHub &amp; GitLab issues",
}


def test_it_shows_each_section_on_its_own_page_with_a_nav_to_the_others(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    for section, heading in SECTIONS.items():
        html = client.get(f"/settings/{section}").text
        assert f">{heading}</h2>" in html
        assert html.count("</h2>") == 1, f"/settings/{section} shows more than its section"
        nav = html[html.index('<nav aria-label="Settings sections"') :]
        nav = nav[: nav.index("</nav>")]
        assert re.findall(r'href="(/settings/\w+)"', nav) == [f"/settings/{s}" for s in SECTIONS]
        current = re.findall(r'href="/settings/(\w+)" aria-current="page"', nav)
        assert current == [section]
    assert "<option selected>Europe/Berlin</option>" in client.get("/settings/profile").text
    assert "No channels yet" in client.get("/settings/channels").text
    assert ">tests</td>" in client.get("/settings/tokens").text  # the fixture's token
    assert 'name="hours-mon-start"' in client.get("/settings/routine").text


def test_it_shows_the_profile_at_settings(client: TestClient, alice: Account) -> None:
    html, _ = open_settings(client, alice)
    landing = client.get("/settings").text
    assert ">Profile &amp; timezone</h2>" in landing
    assert 'href="/settings/profile" aria-current="page"' in landing
    assert 'id="profile-timezone"' in html and 'id="profile-timezone"' in landing


def test_it_saves_the_profile(client: TestClient, alice: Account) -> None:
    _, token = open_settings(client, alice)
    response = client.post(
        "/settings/profile",
        data={"name": "Alice B.", "timezone": "Asia/Tokyo", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Profile saved." in client.get(response.headers["location"]).text
    me = client.get("/api/v1/me", headers=alice.headers).json()
    assert (me["name"], me["timezone"]) == ("Alice B.", "Asia/Tokyo")


def test_it_shows_profile_errors_next_to_the_field(client: TestClient, alice: Account) -> None:
    _, token = open_settings(client, alice)
    response = client.post(
        "/settings/profile",
        data={"name": "", "timezone": "Mars/Olympus", "csrf_token": token},
    )
    assert response.status_code == 422
    assert 'id="profile-name-error"' in response.text
    assert 'id="profile-timezone-error"' in response.text
    assert "unknown timezone" in response.text


def test_it_saves_the_routine_as_edited(client: TestClient, alice: Account) -> None:
    html, token = open_settings(client, alice, "routine")
    form = routine_form(html)
    form["hours-mon-start"], form["hours-mon-end"] = ["08:00"], ["16:00"]
    form["hours-fri-start"], form["hours-fri-end"] = [""], [""]  # Friday off
    new_row = form["block_count"][0]  # the first empty row
    new = int(new_row) - 3
    form[f"block-{new}-title"] = ["Gym"]
    form[f"block-{new}-days"] = ["tue", "thu"]
    form[f"block-{new}-start"], form[f"block-{new}-end"] = ["18:30"], ["19:30"]
    form[f"block-{new}-personal"] = ["on"]
    form["block-0-remove"] = ["on"]  # the morning routine
    form["boosts"] = ["tag:urgent=2\nproject:web = -1.5"]
    response = client.post(
        "/settings/routine", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/settings/routine?saved=routine"
    assert "Routine saved." in client.get(response.headers["location"]).text
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    assert routine["working_hours"]["mon"] == [["08:00", "16:00"]]
    assert routine["working_hours"]["fri"] == []
    titles = [b["title"] for b in routine["blocks"]]
    assert "Gym" in titles and not any(t.startswith("Morning") for t in titles)
    gym = next(b for b in routine["blocks"] if b["title"] == "Gym")
    assert gym == {
        "title": "Gym",
        "days": ["tue", "thu"],
        "start": "18:30",
        "end": "19:30",
        "personal": True,
    }
    assert routine["boosts"] == {"tag:urgent": 2, "project:web": -1.5}
    assert routine["kind_windows"]["coding"] == [["10:30", "12:30"]]  # kept as it was
    again = client.get("/settings/routine").text
    assert 'value="Gym"' in again and "tag:urgent=2" in again


def test_it_shows_routine_errors(client: TestClient, alice: Account) -> None:
    html, token = open_settings(client, alice, "routine")
    form = routine_form(html)
    form["hours-tue-start"], form["hours-tue-end"] = ["17:00"], ["09:00"]
    form["hours-wed-start"], form["hours-wed-end"] = ["09:00"], [""]
    form["block-1-days"] = []
    form["boosts"] = ["weather:sunny=3"]
    response = client.post("/settings/routine", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert 'id="hours-wed-error"' in response.text
    assert "give both a start and an end" in response.text
    # The form's own checks come first; fix them and the schema's show.
    form["hours-wed-end"] = ["17:00"]
    response = client.post("/settings/routine", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert 'id="hours-tue-error"' in response.text and "ends before it starts" in response.text
    assert 'id="block-1-error"' in response.text
    assert 'id="boosts-error"' in response.text
    assert 'value="17:00"' in response.text  # the edits survive for a retry
    assert client.get("/api/v1/routine", headers=alice.headers).json()["version"] == 0


def test_it_creates_a_token_shows_its_secret_once_and_revokes_it(
    client: TestClient, alice: Account
) -> None:
    _, token = open_settings(client, alice)
    created = client.post("/settings/tokens", data={"name": "laptop", "csrf_token": token})
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', created.text)
    assert secret and "shown only this once" in created.text
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    page = client.get("/settings/tokens").text
    assert secret.group(1) not in page
    token_id = max(int(i) for i in re.findall(r"/settings/tokens/(\d+)/revoke", page))
    revoked = client.post(
        f"/settings/tokens/{token_id}/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert "Token revoked." in client.get(revoked.headers["location"]).text
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_it_refuses_an_empty_token_name_and_anothers_token(
    client: TestClient, alice: Account, bob: Account
) -> None:
    _, token = open_settings(client, alice)
    empty = client.post("/settings/tokens", data={"name": " ", "csrf_token": token})
    assert empty.status_code == 422 and 'id="token-name-error"' in empty.text
    bob_token_id = client.get("/api/v1/tokens", headers=bob.headers).json()[0]["id"]
    other = client.post(f"/settings/tokens/{bob_token_id}/revoke", data={"csrf_token": token})
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("text/html")
    assert client.get("/api/v1/me", headers=bob.headers).status_code == 200


def test_it_says_no_tokens_yet(client: TestClient) -> None:
    page = client.get("/signup")
    client.post(
        "/signup",
        data={
            "email": "dana@example.com",
            "name": "Dana",
            "password": "correct horse battery staple",
            "timezone": "Europe/Paris",
            "csrf_token": csrf_from(page.text),
        },
    )
    html = client.get("/settings/tokens").text
    assert "No tokens yet." in html
    assert "/revoke" not in html


def test_it_adds_tests_and_deletes_a_channel(client: TestClient, alice: Account) -> None:
    _, token = open_settings(client, alice)
    added = client.post(
        "/settings/channels",
        data={
            "kind": "slack",
            "name": "#me",
            "target": "https://hooks.slack.example/services/T0/B0/SECRET",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(added.headers["location"]).text
    assert "Channel added." in page
    assert "https://hooks.slack.example/…" in page and "SECRET" not in page  # masked
    channel_id = re.search(r"/settings/channels/(\d+)/test", page)
    assert channel_id
    tested = client.post(
        f"/settings/channels/{channel_id.group(1)}/test",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert tested.status_code == 303
    assert "Test message queued" in client.get(tested.headers["location"]).text
    outbox = client.get("/api/v1/outbox", headers=alice.headers).json()
    assert [m["subject"] for m in outbox] == ["devday test: #me"]
    deleted = client.post(
        f"/settings/channels/{channel_id.group(1)}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert "No channels yet" in client.get("/settings/channels").text


def test_it_shows_channel_errors_next_to_the_field(client: TestClient, alice: Account) -> None:
    _, token = open_settings(client, alice)
    response = client.post(
        "/settings/channels",
        data={"kind": "email", "name": "inbox", "target": "not an address", "csrf_token": token},
    )
    assert response.status_code == 422
    assert 'id="channel-target-error"' in response.text
    assert 'value="not an address"' in response.text
    bad_kind = client.post(
        "/settings/channels",
        data={"kind": "pigeon", "name": "x", "target": "a@example.com", "csrf_token": token},
    )
    assert bad_kind.status_code == 422 and 'id="channel-kind-error"' in bad_kind.text
    missing = client.post("/settings/channels/999/delete", data={"csrf_token": token})
    assert missing.status_code == 404 and "Channel: channel not found" in missing.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/settings/profile", {"name": "Mallory", "timezone": "UTC"}),
        ("/settings/routine", {"block_count": "0", "boosts": ""}),
        ("/settings/tokens", {"name": "stolen"}),
        ("/settings/tokens/1/revoke", {}),
        ("/settings/channels", {"kind": "email", "name": "x", "target": "m@example.com"}),
        ("/settings/channels/1/delete", {}),
        ("/settings/channels/1/test", {}),
    ],
)
def test_it_refuses_every_settings_form_without_the_csrf_token(
    client: TestClient, alice: Account, path: str, data: dict[str, str]
) -> None:
    open_settings(client, alice)
    response = client.post(path, data={**data, "csrf_token": "forged"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Your form expired" in response.text
    me = client.get("/api/v1/me", headers=alice.headers).json()
    assert me["name"] == "Alice"
    assert "stolen" not in response.text


def test_it_sends_a_signed_out_post_to_the_login_page(client: TestClient) -> None:
    response = client.post("/settings/profile", data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
