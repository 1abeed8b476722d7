"""The Teams pages through the TestClient: create, rename and delete a team, members and their
roles, invitation links and the page a link opens."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from httpx2 import Response

from devday.clock import MockClock
from tests.factories import Account, api_team, csrf_from, sign_up, web_log_in
from tests.inbox.imap_server import ImapServer, Mailbox


def post(client: TestClient, page: str, url: str, **data: str) -> Response:
    token = csrf_from(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def roles(client: TestClient, owner: Account, team_id: int) -> dict[str, str]:
    members = client.get(f"/api/v1/teams/{team_id}/members", headers=owner.headers).json()
    return {m["email"]: m["role"] for m in members}


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    for path in ("/teams", "/teams/1", "/teams/1/delete"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_it_offers_the_form_instead_of_a_command_when_you_have_no_team(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    for path in ("/teams", "/team", "/apps"):
        html = client.get(path).text
        assert "devday team create" not in html, path
        assert 'href="/teams#create-team"' in html or 'id="create-team"' in html, path
    page = client.get("/teams").text
    # The timezone is picked from a list, the user's own preselected.
    assert re.search(r"<option selected>Europe/Berlin</option>", page)


def test_it_creates_renames_and_deletes_a_team(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    created = post(client, "/teams", "/teams", name=" Backend ", timezone="Asia/Tokyo")
    assert created.status_code == 303
    location = created.headers["location"]
    team_id = int(re.findall(r"/teams/(\d+)", location)[0])
    team = client.get(f"/api/v1/teams/{team_id}", headers=alice.headers).json()
    assert (team["name"], team["timezone"], team["my_role"]) == ("Backend", "Asia/Tokyo", "owner")
    assert "Team created." in client.get(location).text

    renamed = post(
        client,
        f"/teams/{team_id}",
        f"/teams/{team_id}",
        name="Platform",
        timezone="Asia/Tokyo",
        meeting_time="09:30",
        standup_reminder_minutes="15",
    )
    assert renamed.status_code == 303
    team = client.get(f"/api/v1/teams/{team_id}", headers=alice.headers).json()
    assert (team["name"], team["meeting_time"], team["standup_reminder_minutes"]) == (
        "Platform",
        "09:30",
        15,
    )

    confirm = client.get(f"/teams/{team_id}/delete")
    assert confirm.status_code == 200 and 'id="confirm-delete"' in confirm.text
    wrong = post(client, f"/teams/{team_id}/delete", f"/teams/{team_id}/delete", confirm="Backend")
    assert wrong.status_code == 422
    assert client.get(f"/api/v1/teams/{team_id}", headers=alice.headers).status_code == 200
    deleted = post(
        client, f"/teams/{team_id}/delete", f"/teams/{team_id}/delete", confirm="Platform"
    )
    assert deleted.status_code == 303
    assert client.get(f"/api/v1/teams/{team_id}", headers=alice.headers).status_code == 404


def test_it_shows_what_is_wrong_with_a_new_team_beside_its_field(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    refused = post(client, "/teams", "/teams", name="   ", timezone="Europe/Berlin")
    assert refused.status_code == 422
    assert 'id="name-error"' in refused.text
    bad_zone = post(client, "/teams", "/teams", name="Ops", timezone="Mars/Olympus")
    assert bad_zone.status_code == 422 and 'id="timezone-error"' in bad_zone.text
    assert client.get("/api/v1/teams", headers=alice.headers).json() == []


def test_it_lets_an_owner_manage_members_and_a_member_only_look(
    client: TestClient, alice: Account, bob: Account
) -> None:
    carol = sign_up(client, "Carol")
    team_id = api_team(client, alice, members=[(carol, "member")])
    page = f"/teams/{team_id}"
    web_log_in(client, alice.email)
    added = post(client, page, f"{page}/members", email=bob.email, role="manager")
    assert added.status_code == 303
    assert roles(client, alice, team_id)[bob.email] == "manager"
    unknown = post(client, page, f"{page}/members", email="nobody@example.com", role="member")
    assert unknown.status_code == 422 and "sign up first" in unknown.text

    changed = post(client, page, f"{page}/members/{bob.id}", role="member")
    assert changed.status_code == 303
    assert roles(client, alice, team_id)[bob.email] == "member"
    removed = post(client, page, f"{page}/members/{bob.id}/remove")
    assert removed.status_code == 303
    assert bob.email not in roles(client, alice, team_id)
    html = client.get(page).text
    assert "Carol" in html and 'id="add-member"' in html and 'id="delete-team"' in html

    client.cookies.clear()
    web_log_in(client, carol.email)
    as_member = client.get(page).text
    assert "Alice" in as_member
    for form in (
        'id="add-member"',
        'id="create-invitation"',
        'id="team-settings"',
        'id="delete-team"',
    ):
        assert form not in as_member
    refused = post(client, page, f"{page}/members", email=bob.email, role="member")
    assert refused.status_code == 403
    assert bob.email not in roles(client, alice, team_id)
    assert client.get(f"{page}/delete").status_code == 403


def test_it_hides_a_team_from_a_stranger(client: TestClient, alice: Account) -> None:
    team_id = api_team(client, alice)
    mallory = sign_up(client, "Mallory")
    web_log_in(client, mallory.email)
    assert client.get(f"/teams/{team_id}").status_code == 404
    own = post(client, "/teams", "/teams", name="Mine", timezone="UTC")
    assert own.status_code == 303
    refused = post(client, "/teams", f"/teams/{team_id}/members", email=mallory.email)
    assert refused.status_code == 404
    assert mallory.email not in roles(client, alice, team_id)


def test_it_makes_a_link_that_a_new_person_signs_up_through_and_joins(
    client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice)
    web_log_in(client, alice.email)
    made = post(client, f"/teams/{team_id}", f"/teams/{team_id}/invitations", role="manager")
    assert made.status_code == 201
    link = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', made.text)
    assert link, "the new link is on the page"
    path = "/join/" + link.group(1).split("/join/")[1]
    assert "manager, expires" in client.get(f"/teams/{team_id}").text

    client.cookies.clear()
    invited = client.get(path)
    assert invited.status_code == 200 and "Join Backend" in invited.text
    signed_up = client.post(
        f"{path}/signup",
        data={
            "csrf_token": csrf_from(invited.text),
            "name": "Dana",
            "email": "dana@example.com",
            "password": "correct horse battery staple",
            "timezone": "Europe/Lisbon",
        },
        follow_redirects=False,
    )
    assert signed_up.status_code == 303 and signed_up.headers["location"] == path
    confirm = client.get(path)
    assert 'id="accept-invitation"' in confirm.text
    joined = client.post(path, data={"csrf_token": csrf_from(confirm.text)}, follow_redirects=False)
    assert joined.status_code == 303 and joined.headers["location"] == f"/team/{team_id}"
    assert roles(client, alice, team_id)["dana@example.com"] == "manager"

    client.cookies.clear()
    used = client.get(path)
    assert used.status_code == 410 and "already been used" in used.text


def test_it_says_when_a_link_has_expired_or_never_was(
    client: TestClient, alice: Account, bob: Account, clock: MockClock
) -> None:
    team_id = api_team(client, alice)
    token = client.post(
        f"/api/v1/teams/{team_id}/invitations", json={}, headers=alice.headers
    ).json()["token"]
    clock.advance(timedelta(days=8))
    web_log_in(client, bob.email)
    expired = client.get(f"/join/{token}")
    assert expired.status_code == 410 and "expired" in expired.text
    assert client.get("/join/made-up").status_code == 404
    assert bob.email not in roles(client, alice, team_id)


def test_it_lets_an_existing_user_log_in_through_the_link(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice)
    token = client.post(
        f"/api/v1/teams/{team_id}/invitations", json={}, headers=alice.headers
    ).json()["token"]
    path = f"/join/{token}"
    page = client.get(path)
    logged_in = client.post(
        f"{path}/login",
        data={
            "csrf_token": csrf_from(page.text),
            "email": bob.email,
            "password": "correct horse battery staple",
        },
        follow_redirects=False,
    )
    assert logged_in.status_code == 303 and logged_in.headers["location"] == path
    joined = client.post(
        path, data={"csrf_token": csrf_from(client.get(path).text)}, follow_redirects=False
    )
    assert joined.status_code == 303
    assert roles(client, alice, team_id)[bob.email] == "member"


# --- the help form and the mailbox ---------------------------------------------------------------


def inbox_form(port: int, password: str = "secret-pass", **extra: str) -> dict[str, str]:
    return {
        "slug": "backend-help",
        "help_form": "1",
        "imap_enabled": "1",
        "imap_host": "127.0.0.1",
        "imap_port": str(port),
        "imap_user": "requests",
        "imap_password": password,
        "imap_folder": "INBOX",
        "poll_minutes": "5",
        **extra,
    }


def test_it_sets_up_the_help_form_and_tests_the_mailbox(client: TestClient, alice: Account) -> None:
    box = Mailbox(user="requests", password="secret-pass")
    box.deliver(
        b"From: Sam <sam@example.org>\r\nTo: backend@example.com\r\n"
        b"Subject: Please rotate the API key\r\nMessage-ID: <1@example.org>\r\n\r\nThanks!\r\n"
    )
    server = ImapServer(box).start()
    try:
        team_id = api_team(client, alice)
        page = f"/teams/{team_id}"
        web_log_in(client, alice.email)
        assert 'id="test-mailbox"' not in client.get(page).text
        saved = post(client, page, f"{page}/inbox", **inbox_form(server.port))
        assert saved.status_code == 303, saved.text
        setup = client.get(f"/api/v1/teams/{team_id}/inbox", headers=alice.headers).json()
        assert setup["help_form"] and setup["imap_enabled"] and setup["imap_password_set"]
        assert setup["help_url"] == "/help/backend-help" and setup["imap_tls"] is False
        html = client.get(page).text
        assert 'href="/help/backend-help"' in html and "secret-pass" not in html

        tested = post(client, page, f"{page}/inbox/poll")
        assert tested.status_code == 200
        result = re.search(r'id="poll-result".*?</div>', tested.text, re.S)
        assert result and "1 unread mail read, 1 new request" in result.group(0)
        inbox = client.get("/api/v1/inbox", headers=alice.headers)
        assert "Please rotate the API key" in inbox.text

        # Saved again without a password: the stored one stays, and a wrong one says so.
        version = str(setup["version"])
        kept = post(client, page, f"{page}/inbox", **inbox_form(server.port, "", version=version))
        assert kept.status_code == 303, kept.text
        wrong_version = version + "0"
        stale = post(
            client, page, f"{page}/inbox", **inbox_form(server.port, "", version=wrong_version)
        )
        assert stale.status_code == 409
        now = client.get(f"/api/v1/teams/{team_id}/inbox", headers=alice.headers).json()
        assert now["imap_password_set"]
        wrong = post(
            client,
            page,
            f"{page}/inbox",
            **inbox_form(server.port, "wrong-pass", version=str(now["version"])),
        )
        assert wrong.status_code == 303
        failed = post(client, page, f"{page}/inbox/poll")
        result = re.search(r'id="poll-result".*?</div>', failed.text, re.S)
        assert result and "The mailbox test failed" in result.group(0)
    finally:
        server.stop()


def test_it_refuses_a_mailbox_setup_from_a_member(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    page = f"/teams/{team_id}"
    web_log_in(client, bob.email)
    assert 'id="inbox-settings"' not in client.get(page).text
    refused = post(client, page, f"{page}/inbox", **inbox_form(993))
    assert refused.status_code == 403
    setup = client.get(f"/api/v1/teams/{team_id}/inbox", headers=alice.headers).json()
    assert setup["version"] is None and not setup["help_form"]


def test_it_keeps_the_invitee_on_the_link_when_sign_up_or_log_in_is_refused(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice)
    token = client.post(
        f"/api/v1/teams/{team_id}/invitations", json={}, headers=alice.headers
    ).json()["token"]
    path = f"/join/{token}"
    short = client.post(
        f"{path}/signup",
        data={
            "csrf_token": csrf_from(client.get(path).text),
            "name": "Dana",
            "email": "dana@example.com",
            "password": "short",
            "timezone": "Europe/Lisbon",
        },
    )
    assert short.status_code == 422 and 'id="password-error"' in short.text
    assert f'action="{path}/signup"' in short.text and 'value="dana@example.com"' in short.text
    taken = client.post(
        f"{path}/signup",
        data={
            "csrf_token": csrf_from(short.text),
            "name": "Bob again",
            "email": bob.email,
            "password": "correct horse battery staple",
        },
    )
    assert taken.status_code == 409 and "log in below" in taken.text
    wrong = client.post(
        f"{path}/login",
        data={"csrf_token": csrf_from(taken.text), "email": bob.email, "password": "not it at all"},
    )
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    assert f'action="{path}/login"' in wrong.text
    assert bob.email not in roles(client, alice, team_id)


def test_it_links_teams_projects_and_the_outbox_from_every_page_and_marks_the_current_one(
    client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice)
    web_log_in(client, alice.email)
    for path, current in (
        ("/today", "Today"),
        (f"/team/{team_id}", "Team"),
        ("/teams", "Teams"),
        (f"/teams/{team_id}", "Teams"),
        ("/projects", "Projects"),
        ("/outbox", "Outbox"),
        ("/settings/channels", "Settings"),
    ):
        html = client.get(path).text
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
        assert nav, path
        links = re.findall(r'<a href="(/[\w-]*)"[^>]*>', nav.group(1))
        assert {"/teams", "/projects", "/outbox"} <= set(links), path
        marked = re.findall(r'aria-current="page">([^<(]+)', nav.group(1))
        assert [m.strip() for m in marked] == [current], path
