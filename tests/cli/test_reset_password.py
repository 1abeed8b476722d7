"""``devday user reset-password``: an operator's reset for a server without email."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from devday.account.models import User
from devday.account.passwords import verify_password
from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.cli.conftest import Run, create_user, ok
from tests.conftest import START
from tests.factories import PASSWORD, csrf_from, web_log_in

NEW = "a brand new passphrase"


def stored_hash(engine: Engine, email: str) -> str:
    with engine.connect() as connection:
        found = connection.execute(select(User.password_hash).where(User.email == email))
        return found.scalar_one()


def server(engine: Engine, clock: MockClock) -> TestClient:
    """The web app a server would run on the same database and key (the CLI test's settings)."""
    return TestClient(create_app(Settings(), engine=engine, clock=clock))


def test_it_sets_a_new_password_asked_for_twice(run: Run, engine: Engine) -> None:
    create_user(run, "ada@example.com")
    answer = ok(run("user", "reset-password", "ada@example.com", input=f"{NEW}\n{NEW}\n"))
    assert "set a new password for ada@example.com" in answer
    assert verify_password(stored_hash(engine, "ada@example.com"), NEW)
    assert not verify_password(stored_hash(engine, "ada@example.com"), PASSWORD)


def test_it_signs_out_the_browsers_of_the_account(run: Run, engine: Engine) -> None:
    create_user(run, "ada@example.com")
    with server(engine, MockClock(START)) as browser:
        assert web_log_in(browser, "ada@example.com").status_code == 303
        assert browser.get("/settings/profile", follow_redirects=False).status_code == 200
        ok(run("user", "reset-password", "ada@example.com", "--password-stdin", input=NEW + "\n"))
        assert browser.get("/settings/profile", follow_redirects=False).status_code == 303


def test_it_refuses_a_short_password_or_an_unknown_account(run: Run, engine: Engine) -> None:
    create_user(run, "ada@example.com")
    short = run("user", "reset-password", "ada@example.com", "--password-stdin", input="short\n")
    assert short.exit_code == 1
    assert "10 to 200 characters" in short.output
    assert verify_password(stored_hash(engine, "ada@example.com"), PASSWORD)
    unknown = run("user", "reset-password", "who@example.com", "--link")
    assert unknown.exit_code == 1
    assert "no account uses who@example.com" in unknown.output


def test_it_prints_a_reset_link_that_works_once(run: Run, engine: Engine) -> None:
    create_user(run, "ada@example.com")
    answer = ok(run("user", "reset-password", "ada@example.com", "--link"))
    found = re.search(r"https?://\S+/reset-password/(\S+)", answer)
    assert found, answer
    path = f"/reset-password/{found.group(1)}"
    assert verify_password(stored_hash(engine, "ada@example.com"), PASSWORD)  # nothing changed yet
    with server(engine, MockClock(START + timedelta(minutes=10))) as browser:
        form = browser.get(path)
        assert form.status_code == 200
        done = browser.post(
            path, data={"password": NEW, "csrf_token": csrf_from(form.text)}, follow_redirects=False
        )
        assert done.status_code == 303
        assert browser.get(path).status_code == 404  # used: the password it was made for is gone
    assert verify_password(stored_hash(engine, "ada@example.com"), NEW)


def test_it_makes_a_link_that_expires_after_an_hour(run: Run, engine: Engine) -> None:
    create_user(run, "ada@example.com")
    answer = ok(run("user", "reset-password", "ada@example.com", "--link"))
    found = re.search(r"/reset-password/(\S+)", answer)
    assert found
    with server(engine, MockClock(START + timedelta(hours=2))) as browser:
        assert browser.get(f"/reset-password/{found.group(1)}").status_code == 404


def test_it_refuses_to_reset_through_a_server(run: Run) -> None:
    answer = run("--server", "http://127.0.0.1:9", "user", "reset-password", "a@example.com")
    assert answer.exit_code == 1
    assert "run it on the server" in answer.output
