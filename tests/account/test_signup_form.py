"""The sign-up and profile forms: the timezone list, unknown zones and blank names, each refused
with a message beside its field (never the API's JSON)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import PASSWORD, Account, csrf_from, web_log_in


def sign_up_form(client: TestClient, **fields: str) -> tuple[int, str]:
    page = client.get("/signup")
    data = {"email": "dana@example.com", "name": "Dana", "password": PASSWORD, "timezone": "UTC"}
    answer = client.post(
        "/signup",
        data=data | fields | {"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return answer.status_code, answer.text


def test_it_offers_every_iana_zone_to_search_and_a_script_to_pick_the_browsers(
    client: TestClient,
) -> None:
    html = client.get("/signup").text
    assert 'list="timezone-list"' in html
    assert '<datalist id="timezone-list">' in html
    for zone in ("Europe/Berlin", "America/Argentina/Buenos_Aires", "Pacific/Auckland"):
        assert f'<option value="{zone}">' in html
    assert '<script src="/static/signup.js" defer></script>' in html
    assert "data-from-browser" in html
    assert "Intl.DateTimeFormat" in client.get("/static/signup.js").text


def test_it_stores_the_zone_chosen_on_the_form(client: TestClient) -> None:
    status, _ = sign_up_form(client, timezone="Asia/Kolkata")
    assert status == 303
    assert client.get("/api/v1/me").json()["timezone"] == "Asia/Kolkata"


def test_it_reshows_the_form_for_an_unknown_zone_keeping_the_choice(client: TestClient) -> None:
    status, html = sign_up_form(client, timezone="Mars/Olympus")
    assert status == 422
    assert 'id="timezone-error"' in html
    assert "unknown timezone" in html
    assert 'value="Mars/Olympus"' in html
    assert "data-from-browser" not in html  # the script leaves a re-shown choice alone
    assert client.get("/api/v1/me").status_code == 401


def test_it_refuses_a_name_of_only_spaces_on_the_sign_up_form(client: TestClient) -> None:
    status, html = sign_up_form(client, name="   ")
    assert status == 422
    assert html.lstrip().startswith("<!")
    assert '<p class="field-error" id="name-error">name must not be blank</p>' in html
    assert client.get("/api/v1/me").status_code == 401


def test_it_refuses_a_name_of_only_spaces_on_the_profile_form(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    page = client.get("/settings/profile")
    answer = client.post(
        "/settings/profile",
        data={"name": " \t ", "timezone": "Europe/Berlin", "csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 422
    assert "text/html" in answer.headers["content-type"]
    assert 'id="profile-name-error">name must not be blank</p>' in answer.text
    assert client.get("/api/v1/me", headers=alice.headers).json()["name"] == "Alice"


def test_it_refuses_a_name_of_only_spaces_through_the_api(
    client: TestClient, alice: Account
) -> None:
    patched = client.patch("/api/v1/me", json={"name": "   "}, headers=alice.headers)
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == "name"
    created = client.post(
        "/api/v1/users", json={"email": "e@example.com", "name": " ", "password": PASSWORD}
    )
    assert created.status_code == 422
    assert created.json()["errors"][0]["field"] == "name"
    named = client.patch("/api/v1/me", json={"name": "  Alice B.  "}, headers=alice.headers)
    assert named.json()["name"] == "Alice B."
