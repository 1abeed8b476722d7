"""CSRF tokens are bound to the browser's session: a cookie-and-token pair made for another
session (or for a signed-out visitor) and planted beside the victim's session is refused."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from devday.web.csrf import CSRF_COOKIE
from tests.factories import Account, csrf_from, sign_up, web_log_in


def rename(client: TestClient, token: str, name: str) -> int:
    response = client.post(
        "/settings/profile",
        data={"name": name, "timezone": "Europe/Berlin", "csrf_token": token},
        follow_redirects=False,
    )
    return response.status_code


def planted_pair(app: FastAPI, account: Account | None) -> tuple[str, str]:
    """The CSRF cookie and form token another browser got (signed in as ``account``, or not)."""
    with TestClient(app) as other:
        if account is None:
            page = other.get("/login")
        else:
            assert web_log_in(other, account.email).status_code == 303
            page = other.get("/settings/profile")
        return other.cookies[CSRF_COOKIE], csrf_from(page.text)


def test_it_refuses_a_csrf_pair_planted_from_another_session(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    mallory = sign_up(client, "Mallory")
    assert web_log_in(client, alice.email).status_code == 303
    for source in (mallory, None):
        cookie, token = planted_pair(app, source)
        client.cookies.set(CSRF_COOKIE, cookie, domain="testserver.local")
        assert rename(client, token, "Owned") == 403
    assert client.get("/api/v1/me", headers=alice.headers).json()["name"] == "Alice"


def test_it_accepts_the_sessions_own_token_and_renews_it_on_sign_in(
    client: TestClient, alice: Account
) -> None:
    before = csrf_from(client.get("/login").text)
    assert web_log_in(client, alice.email).status_code == 303
    assert rename(client, before, "Alicia") == 403  # the signed-out token is no longer good
    own = csrf_from(client.get("/settings/profile").text)
    assert own != before
    assert rename(client, own, "Alicia") == 303
    assert client.get("/api/v1/me", headers=alice.headers).json()["name"] == "Alicia"
