from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import PASSWORD, Account, csrf_from, web_log_in


def test_it_signs_up_on_the_web_and_lands_signed_in(client: TestClient) -> None:
    page = client.get("/signup")
    assert page.status_code == 200
    response = client.post(
        "/signup",
        data={
            "email": "dana@example.com",
            "name": "Dana",
            "password": PASSWORD,
            "timezone": "Europe/Paris",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    home = client.get("/")
    assert home.status_code == 200 and "Dana" in home.text


def test_it_shows_field_errors_next_to_the_field(client: TestClient) -> None:
    page = client.get("/signup")
    response = client.post(
        "/signup",
        data={
            "email": "dana@example.com",
            "name": "Dana",
            "password": "short",
            "timezone": "Nowhere/Land",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert 'id="timezone-error"' in response.text


def test_it_logs_in_with_a_hardened_session_cookie(client: TestClient, alice: Account) -> None:
    response = web_log_in(client, alice.email)
    assert response.status_code == 303
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("devday_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in this test


def test_it_marks_the_cookie_secure_over_https(app: FastAPI, alice: Account) -> None:
    with TestClient(app, base_url="https://testserver") as secure:
        response = web_log_in(secure, alice.email)
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("devday_session=")
    )
    assert "Secure" in cookie
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_it_refuses_a_form_post_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"email": alice.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    forged = client.post(
        "/login",
        data={"email": alice.email, "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "devday_session" not in client.cookies


def test_it_logs_out_and_the_old_cookie_stops_working(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    session_cookie = client.cookies.get("devday_session")
    home = client.get("/")
    assert home.status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_from(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert session_cookie is not None
    client.cookies.set("devday_session", session_cookie)
    again = client.get("/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_it_says_wrong_password_on_the_login_page(client: TestClient, alice: Account) -> None:
    response = web_log_in(client, alice.email, "wrong password")
    assert response.status_code == 401
    assert "wrong email or password" in response.text


def test_it_sends_a_strict_content_security_policy(client: TestClient) -> None:
    headers = client.get("/login").headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_it_serves_the_api_docs_without_internet(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset


def test_it_shows_the_signed_in_users_open_tasks(client: TestClient, alice: Account) -> None:
    client.post(
        "/api/v1/tasks",
        json={"title": "Write <b>docs</b>", "deadline": "2026-12-02", "estimate_minutes": 90},
        headers=alice.headers,
    )
    web_log_in(client, alice.email)
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/today"
    today = client.get("/today")
    assert "Write &lt;b&gt;docs&lt;/b&gt;" in today.text
    assert "Wed 02 Dec 18:00" in today.text
    assert "1h30" in today.text
