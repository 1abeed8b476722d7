"""The page layer itself: the ``Page`` dependency, ``page.submit`` and the HTML error pages,
through a small router of pages added to the app for the test."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.testclient import TestClient
from sqlalchemy import select

from devday.account.models import User
from devday.deps import IdPath
from devday.errors import Forbidden, Invalid
from devday.web.forms import FormStr, Refusal
from devday.web.page import Missing, Page, PageContext, PageDay, page_router
from tests.factories import Account, csrf_from, web_log_in


def _form(page: PageContext, refusal: Refusal | None = None) -> Response:
    context = {
        "title": "Rename",
        "message": refusal.message if refusal else None,
        "problems": sorted(refusal.errors.items()) if refusal else [],
    }
    return page.render("error.html", context, status=refusal.status if refusal else 200)


def _add_pages(app: FastAPI) -> None:
    router = page_router(Missing(title="Widget not found", back="/today"))

    @router.get("/widgets/{widget_id}")
    def widget(page: Page, widget_id: IdPath) -> Response:
        if widget_id == 404:
            raise Invalid("widgets are never 404", field="widget_id")
        return _form(page)

    @router.get("/widgets/{widget_id}/days/{day}")
    def widget_day(page: Page, widget_id: IdPath, day: PageDay) -> Response:
        return _form(page)

    @router.post("/rename")
    def rename(page: Page, name: FormStr = "") -> Response:
        def change() -> None:
            page.user.name = name  # written, flushed, and then refused below for "Mallory"
            page.session.flush()
            if name == "Mallory":
                raise Invalid("that name is taken", field="name")
            if name == "Root":
                raise Forbidden("only an owner may")

        return page.submit(change, then="/today", refused=lambda refusal: _form(page, refusal))

    app.include_router(router)


@pytest.fixture
def token(app: FastAPI, client: TestClient, alice: Account) -> str:
    """The test's pages added, Alice signed in; her form token."""
    _add_pages(app)
    web_log_in(client, alice.email)
    return csrf_from(client.get("/widgets/1").text)


def _name(app: FastAPI, account: Account) -> str:
    with app.state.devday.session_factory() as session:
        return str(session.scalar(select(User.name).where(User.id == account.id)))


def test_it_redirects_a_signed_out_visitor_before_reading_the_path(
    app: FastAPI, client: TestClient
) -> None:
    _add_pages(app)
    for path in ("/widgets/7", "/widgets/abc"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_it_answers_a_bad_path_id_or_day_with_the_routers_html_404(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    _add_pages(app)
    web_log_in(client, alice.email)
    assert client.get("/widgets/7").status_code == 200
    for path in ("/widgets/abc", "/widgets/0", "/widgets/99999999999", "/widgets/7/days/someday"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1>Widget not found</h1>" in response.text and "Alice" in response.text


def test_it_says_which_day_it_could_not_read(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    _add_pages(app)
    router = page_router()  # no 404 text of its own: the error's message is shown

    @router.get("/gadgets/{day}")
    def gadget(page: Page, day: PageDay) -> Response:
        return _form(page)

    app.include_router(router)
    web_log_in(client, alice.email)
    response = client.get("/gadgets/2026-13-01")
    assert response.status_code == 404
    assert "no such day: &#39;2026-13-01&#39;; use YYYY-MM-DD" in response.text


def test_it_answers_other_bad_input_and_escaped_errors_with_html(
    client: TestClient, token: str
) -> None:
    too_long = client.post("/rename", data={"name": "x" * 501, "csrf_token": token})
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("text/html")
    assert "name: String should have at most 500 characters" in too_long.text
    escaped = client.get("/widgets/404")
    assert escaped.status_code == 422 and "widgets are never 404" in escaped.text
    assert escaped.headers["content-type"].startswith("text/html")


def test_it_commits_a_change_and_redirects(
    app: FastAPI, client: TestClient, alice: Account, token: str
) -> None:
    response = client.post(
        "/rename", data={"name": "Alicia", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/today"
    assert _name(app, alice) == "Alicia"


def test_it_rolls_back_a_refused_change_and_shows_the_form_with_its_status(
    app: FastAPI, client: TestClient, alice: Account, token: str
) -> None:
    taken = client.post("/rename", data={"name": "Mallory", "csrf_token": token})
    assert taken.status_code == 422 and "that name is taken" in taken.text
    assert '<span class="who">Alice</span>' in taken.text  # the page shows what is stored
    forbidden = client.post("/rename", data={"name": "Root", "csrf_token": token})
    assert forbidden.status_code == 403 and "only an owner may" in forbidden.text
    assert _name(app, alice) == "Alice"


def test_it_changes_nothing_for_a_form_without_its_csrf_token(
    app: FastAPI, client: TestClient, alice: Account, token: str
) -> None:
    for sent in ("", "forged"):
        response = client.post("/rename", data={"name": "Eve", "csrf_token": sent})
        assert response.status_code == 403 and "Your form expired" in response.text
    assert _name(app, alice) == "Alice"
