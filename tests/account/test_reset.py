"""A password reset link by email sets a new password, works once and for an hour, and lifts
a sign-in lockout (devday.account.reset)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.account.login import LOCKED
from devday.clock import MockClock
from devday.notify.models import OutboxMessage
from tests.account.test_login_limits import browser, token_login
from tests.factories import PASSWORD, Account, csrf_from, web_log_in

NEW_PASSWORD = "a brand new passphrase"


def reset_links(engine: Engine, email: str) -> list[str]:
    with Session(engine) as session:
        texts = session.scalars(select(OutboxMessage.text).where(OutboxMessage.target == email))
        return [m.group(0) for text in texts if (m := re.search(r"https?://\S+", text))]


def test_it_emails_a_link_that_lifts_a_lockout_and_works_once(
    app: FastAPI, engine: Engine, alice: Account
) -> None:
    settings = app.state.devday.settings
    settings.login_limit_per_account = "5/hour"
    settings.public_url = "https://devday.example.com/"
    with browser(app, "203.0.113.9") as attacker:
        assert {token_login(attacker, alice.email, "guess") for _ in range(5)} == {401}
    with browser(app, "198.51.100.7") as owner:
        locked = owner.post("/api/v1/auth/token", json={"email": alice.email, "password": PASSWORD})
        assert locked.status_code == 429 and locked.json()["detail"] == LOCKED
        asked = owner.post(
            "/api/v1/auth/password-reset",
            json={"email": alice.email},
            headers={"Host": "evil.example"},
        )
        unknown = owner.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
        assert asked.status_code == unknown.status_code == 202
        assert asked.json() == unknown.json()
        assert reset_links(engine, "nobody@example.com") == []
        [link] = reset_links(engine, alice.email)
        assert link.startswith("https://devday.example.com/reset-password/")  # not the Host's
        path = link.removeprefix("https://devday.example.com")
        form = owner.get(path)
        assert form.status_code == 200
        done = owner.post(
            path,
            data={"password": NEW_PASSWORD, "csrf_token": csrf_from(form.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == "/"
        assert owner.get("/today").status_code == 200  # signed in
        assert owner.get(path).status_code == 404  # used: the password it was made for is gone
    with browser(app, "198.51.100.8") as elsewhere:  # the lock is lifted for new devices too
        assert token_login(elsewhere, alice.email, PASSWORD) == 401
        assert token_login(elsewhere, alice.email, NEW_PASSWORD) == 201


def test_it_refuses_an_expired_or_forged_link(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    assert (
        client.post("/api/v1/auth/password-reset", json={"email": alice.email}).status_code == 202
    )
    [link] = reset_links(engine, alice.email)
    token = link.rsplit("/", 1)[1]
    for sent, advance in ((token + "x", timedelta(0)), (token, timedelta(hours=1, minutes=1))):
        clock.advance(advance)
        body = {"token": sent, "password": NEW_PASSWORD}
        refused = client.post("/api/v1/auth/password-reset/confirm", json=body)
        assert refused.status_code == 422 and "expired" in refused.json()["detail"]
    assert web_log_in(client, alice.email).status_code == 303  # the old password still works


def test_the_reset_page_says_when_the_server_sends_no_email(app: FastAPI) -> None:
    with TestClient(app) as visitor:
        silent = visitor.get("/reset-password")
        assert silent.status_code == 200
        assert "This server sends no email" in silent.text
        assert "devday user reset-password" in silent.text
        app.state.devday.settings.smtp_url = "smtp://mail.example.com:587"
        assert "This server sends no email" not in visitor.get("/reset-password").text
