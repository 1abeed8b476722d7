"""The GitHub & GitLab section of Settings: connect a repository, see its last sync and
error, sync now, remove; and the task page's link to its issue."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, csrf_from, web_log_in
from tests.forge.fake_forge import TOKEN, FakeForge
from tests.forge.support import connect, sync, tasks


def test_it_connects_a_repository_and_shows_its_sync_and_error(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    forge.add(1, "Fix login")
    web_log_in(client, alice.email)
    page = client.get("/settings/forges").text
    assert "No repositories connected" in page

    added = client.post(
        "/settings/forges",
        data={
            "csrf_token": csrf_from(page),
            "kind": "gitlab",
            "repo": "acme/api",
            "token": "wrong-token-wxyz1234",
            "base_url": forge.url,
            "on_finish": "close",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    [connection] = client.get("/api/v1/forges", headers=alice.headers).json()
    assert connection["kind"] == "gitlab" and connection["on_finish"] == "close"

    page = client.get("/settings/forges").text
    synced = client.post(
        f"/settings/forges/{connection['id']}/sync",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "GitLab refused the token (401" in synced.text  # the connection's last error
    assert "<code>…1234</code>" in synced.text and "wrong-token" not in synced.text

    client.patch(f"/api/v1/forges/{connection['id']}", json={"token": TOKEN}, headers=alice.headers)
    synced = client.post(
        f"/settings/forges/{connection['id']}/sync",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "Synced." in synced.text and "refused the token" not in synced.text
    assert list(tasks(client, alice)) == ["Fix login"]

    removed = client.post(
        f"/settings/forges/{connection['id']}/delete",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "Connection removed" in removed.text
    assert client.get("/api/v1/forges", headers=alice.headers).json() == []


def test_it_shows_the_form_again_with_the_problem_by_its_field(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    web_log_in(client, alice.email)
    page = client.get("/settings/forges").text
    client.app.state.devday.settings.allow_private_urls = False  # type: ignore[attr-defined]

    refused = client.post(
        "/settings/forges",
        data={
            "csrf_token": csrf_from(page),
            "kind": "github",
            "repo": "acme/api",
            "token": TOKEN,
            "base_url": forge.url,
        },
    )

    assert refused.status_code == 422
    assert 'id="forge-base_url-error"' in refused.text and "loopback" in refused.text
    assert 'value="acme/api"' in refused.text  # what was typed stays
    assert TOKEN not in refused.text
    assert client.get("/api/v1/forges", headers=alice.headers).json() == []


def test_the_task_page_links_to_its_issue(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    forge.add(7, "Fix login")
    connection = connect(client, alice, forge, "github")
    sync(client, alice, connection["id"])
    task = tasks(client, alice)["Fix login"]
    web_log_in(client, alice.email)

    page = client.get(f"/tasks/{task['id']}").text

    assert 'href="https://github.example/acme/api/issues/7"' in page
