"""Changing the password, from the profile page and the API: the current one is checked, other
browsers are signed out, the asking one stays."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import PASSWORD, Account, csrf_from, web_log_in

NEW = "a brand new passphrase"


def change_on_page(client: TestClient, current: str, new: str, again: str | None = None) -> str:
    page = client.get("/settings/profile")
    response = client.post(
        "/settings/password",
        data={
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
            "csrf_token": csrf_from(page.text),
        },
    )
    return response.text


def signed_in(client: TestClient) -> bool:
    return client.get("/settings/profile", follow_redirects=False).status_code == 200


def test_it_changes_the_password_and_signs_out_only_the_other_browsers(
    client: TestClient, alice: Account, app: FastAPI
) -> None:
    with TestClient(app) as other:
        assert web_log_in(other, alice.email).status_code == 303
        assert web_log_in(client, alice.email).status_code == 303
        html = change_on_page(client, PASSWORD, NEW)
        assert "Password changed" in html
        assert signed_in(client)
        assert not signed_in(other)
    assert web_log_in(client, alice.email, PASSWORD).status_code == 401
    assert web_log_in(client, alice.email, NEW).status_code == 303
    # API tokens are not browser sessions: they stay until revoked.
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200


def test_it_reshows_the_form_with_a_message_for_a_wrong_current_password(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    html = change_on_page(client, "not my password", NEW)
    assert "the current password is wrong" in html
    assert 'id="password-current_password-error"' in html
    assert web_log_in(client, alice.email, PASSWORD).status_code == 303


def test_it_refuses_two_different_new_passwords_on_the_form(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    html = change_on_page(client, PASSWORD, NEW, again=NEW + "!")
    assert "the two new passwords differ" in html
    short = change_on_page(client, PASSWORD, "short")
    assert 'id="password-new_password-error"' in short
    assert "{" not in short.split('id="password-new_password-error"')[1][:200]
    assert web_log_in(client, alice.email, PASSWORD).status_code == 303


def test_it_changes_the_password_through_the_api(
    client: TestClient, alice: Account, app: FastAPI
) -> None:
    with TestClient(app) as browser:
        web_log_in(browser, alice.email)
        wrong = client.post(
            "/api/v1/me/password",
            json={"current_password": "nope", "new_password": NEW},
            headers=alice.headers,
        )
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["field"] == "current_password"
        assert signed_in(browser)
        done = client.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": NEW},
            headers=alice.headers,
        )
        assert done.status_code == 204
        assert not signed_in(browser)
    login = client.post("/api/v1/auth/token", json={"email": alice.email, "password": NEW})
    assert login.status_code == 201
    old = client.post("/api/v1/auth/token", json={"email": alice.email, "password": PASSWORD})
    assert old.status_code == 401


def test_it_needs_a_signed_in_user_to_change_a_password(client: TestClient) -> None:
    response = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert response.status_code == 401


def test_it_stops_a_token_from_guessing_the_password_on(
    client: TestClient, alice: Account, app: FastAPI
) -> None:
    limit = int(app.state.devday.settings.login_limit_per_account_address.split("/")[0])
    for _ in range(limit):
        wrong = client.post(
            "/api/v1/me/password",
            json={"current_password": "a guess", "new_password": NEW},
            headers=alice.headers,
        )
        assert wrong.status_code == 422
    right = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers=alice.headers,
    )
    assert right.status_code == 429
    gone = client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=alice.headers
    )
    assert gone.status_code == 429
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200
