"""Logging in goes back to the page that asked for it, and never to another site."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from devday.account.pages import local_path
from tests.factories import PASSWORD, Account, csrf_from


def test_it_goes_back_to_the_page_that_needed_a_sign_in(client: TestClient, alice: Account) -> None:
    asked = client.get("/tasks/new", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/login?next=/tasks/new"
    form = client.get(asked.headers["location"])
    assert 'name="next" value="/tasks/new"' in form.text
    done = client.post(
        "/login",
        data={
            "email": alice.email,
            "password": PASSWORD,
            "next": "/tasks/new",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/tasks/new"
    # Signed in already: the log-in page sends on at once.
    again = client.get("/login?next=/week", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/week"


def test_a_wrong_password_keeps_where_to_go(client: TestClient, alice: Account) -> None:
    form = client.get("/login?next=/inbox")
    wrong = client.post(
        "/login",
        data={
            "email": alice.email,
            "password": "not it",
            "next": "/inbox",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert wrong.status_code == 401
    assert 'name="next" value="/inbox"' in wrong.text


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/x", "javascript:x", ""],
)
def test_it_never_sends_a_log_in_to_another_site(
    client: TestClient, alice: Account, target: str
) -> None:
    assert local_path(target) == "/"
    form = client.get("/login")
    done = client.post(
        "/login",
        data={
            "email": alice.email,
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/"


def test_it_keeps_a_local_path_with_its_query() -> None:
    assert local_path("/tasks?status=open&mine=1") == "/tasks?status=open&mine=1"
