"""Single sign-on with OpenID Connect, against a provider the test starts on 127.0.0.1: the
first sign-in makes the account, later ones find it by its link, an existing account is linked
only by a verified email, and every part of the answer that proves who signed in is checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from joserfc.jwk import RSAKey
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.account import reset
from devday.account import service as account_service
from devday.account.models import User
from devday.account.ratelimit import RateLimits
from devday.account.schemas import UserCreate
from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.account.oidc_provider import CLIENT_ID, CLIENT_SECRET, Person, Provider, running_provider
from tests.factories import PASSWORD, sign_up, web_log_in

SAM = Person(sub="sam-at-provider", email="sam@example.com", name="Sam Single")
MakeClient = Callable[..., TestClient]


@pytest.fixture
def provider(clock: MockClock) -> Iterator[Provider]:
    with running_provider(clock.now) as provider:
        provider.person = SAM
        yield provider


def sso_settings(settings: Settings, provider: Provider, **more: Any) -> Settings:
    return settings.model_copy(
        update={
            "oidc_issuer": provider.url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_label": "Example SSO",
            "public_url": "http://testserver",
            **more,
        }
    )


@pytest.fixture
def make_client(
    settings: Settings, engine: Engine, clock: MockClock, provider: Provider
) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(**more: Any) -> TestClient:
        app = create_app(sso_settings(settings, provider, **more), engine=engine, clock=clock)
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def sso_log_in(client: TestClient, next: str = "") -> httpx2.Response:
    """The SSO button clicked, the person approving at the provider, and devday's callback."""
    begun = client.get("/login/sso" + (f"?next={quote(next)}" if next else ""))
    assert begun.status_code == 303, begun.text
    assert "/authorize?" in begun.headers["location"]
    approved = httpx2.get(begun.headers["location"], follow_redirects=False)
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    assert back.path == "/login/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def users(engine: Engine) -> list[User]:
    with Session(engine) as session:
        return list(session.scalars(select(User).order_by(User.id)))


def me(client: TestClient) -> dict[str, Any]:
    """The signed-in user, as the API sees the browser's session cookie."""
    answer = client.get("/api/v1/me")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# --- the login page -----------------------------------------------------------------------------


def test_it_offers_the_sso_button_beside_the_password_form(client: TestClient) -> None:
    page = client.get("/login?next=/week")
    assert 'href="/login/sso?next=%2Fweek"' in page.text
    assert "Sign in with Example SSO" in page.text
    assert 'id="password"' in page.text


def test_it_has_no_sso_without_an_issuer(settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(settings, engine=engine), follow_redirects=False) as plain:
        assert "Sign in with" not in plain.get("/login").text
        assert plain.get("/login/sso").status_code == 404


# --- who signs in ------------------------------------------------------------------------------


def test_it_creates_the_account_on_the_first_sign_in(
    client: TestClient, provider: Provider, engine: Engine
) -> None:
    done = sso_log_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert {"devday_session", "devday_device"} <= set(done.cookies)
    profile = me(client)
    assert (profile["email"], profile["name"], profile["timezone"]) == (
        "sam@example.com",
        "Sam Single",
        "UTC",
    )
    (user,) = users(engine)
    assert (user.oidc_issuer, user.oidc_subject) == (provider.url, SAM.sub)
    assert "Sam Single" in client.get("/settings/profile").text


def test_it_signs_the_same_user_in_after_their_email_changed(
    make_client: MakeClient, provider: Provider, engine: Engine
) -> None:
    first = make_client()
    sso_log_in(first)
    first_id = me(first)["id"]
    provider.person = Person(sub=SAM.sub, email="sam.renamed@example.com")
    second = make_client()
    assert sso_log_in(second).status_code == 303
    assert me(second)["id"] == first_id
    assert me(second)["email"] == "sam@example.com"
    assert len(users(engine)) == 1


def test_it_links_an_existing_account_by_its_verified_email(
    make_client: MakeClient, client: TestClient, provider: Provider, engine: Engine
) -> None:
    alice = sign_up(client, "Alice")
    provider.person = Person(sub="alice-sub", email="Alice@Example.com", email_verified=True)
    assert sso_log_in(client).status_code == 303
    assert me(client)["id"] == alice.id
    (user,) = users(engine)
    assert user.oidc_subject == "alice-sub"
    # Her password still works too.
    assert web_log_in(make_client(), alice.email).status_code == 303


def test_it_never_links_an_unverified_email(
    client: TestClient, provider: Provider, engine: Engine
) -> None:
    sign_up(client, "Alice")
    provider.person = Person(sub="mallory", email="alice@example.com", email_verified=False)
    refused = sso_log_in(client)
    assert refused.status_code == 403
    assert "has not verified that address, so it is not linked" in refused.text
    assert "devday_session" not in refused.cookies
    assert client.get("/api/v1/me").status_code == 401
    assert [u.oidc_subject for u in users(engine)] == [None]


@pytest.mark.parametrize(
    ("email", "admitted"),
    [("sam@example.org", True), ("sam@sub.example.org", False), ("sam@example.com", False)],
)
def test_it_lets_in_only_the_allowed_domains(
    make_client: MakeClient, provider: Provider, engine: Engine, email: str, admitted: bool
) -> None:
    client = make_client(oidc_allowed_domains="example.org, @Example.net")
    provider.person = Person(sub="someone", email=email)
    answer = sso_log_in(client)
    if admitted:
        assert answer.status_code == 303 and me(client)["email"] == email
        return
    assert answer.status_code == 403
    assert f"{email} may not sign in here" in answer.text
    assert "example.net, example.org" in answer.text
    assert "Sign in with Example SSO" in answer.text  # the login page, with the message
    assert users(engine) == []


def test_it_refuses_a_second_identity_for_a_linked_account(
    make_client: MakeClient, provider: Provider, engine: Engine
) -> None:
    sso_log_in(make_client())
    provider.person = Person(sub="someone-else", email=SAM.email, email_verified=True)
    refused = sso_log_in(make_client())
    assert refused.status_code == 403
    assert "is linked to another single sign-on identity" in refused.text
    assert [u.oidc_subject for u in users(engine)] == [SAM.sub]


def test_it_counts_sign_ins_from_an_address(make_client: MakeClient) -> None:
    client = make_client(login_limit_per_address="1/minute")
    assert sso_log_in(client).status_code == 303
    again = client.get("/login/sso")
    assert again.status_code == 429
    assert "too many sign-in attempts from this address" in again.text


def test_it_goes_on_to_the_local_page_that_asked(client: TestClient) -> None:
    assert sso_log_in(client, next="/week?day=2026-12-01").headers["location"] == (
        "/week?day=2026-12-01"
    )


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_it_never_goes_on_to_another_site(client: TestClient, target: str) -> None:
    assert sso_log_in(client, next=target).headers["location"] == "/"


def test_it_says_so_when_the_person_declines(client: TestClient, provider: Provider) -> None:
    provider.person = None
    refused = sso_log_in(client)
    assert refused.status_code == 403
    assert "the sign-on provider did not sign you in: access_denied" in refused.text


# --- what proves who signed in ------------------------------------------------------------------


def test_it_refuses_a_state_this_browser_was_not_given(
    client: TestClient, provider: Provider, engine: Engine
) -> None:
    begun = client.get("/login/sso")
    approved = httpx2.get(begun.headers["location"], follow_redirects=False)
    back = urlsplit(approved.headers["location"])
    forged = back.query.replace("state=", "state=x")
    refused = client.get(f"{back.path}?{forged}")
    assert refused.status_code == 403
    assert "this sign-in was not started here or has expired" in refused.text
    assert provider.exchanged == 0 and users(engine) == []


def test_it_refuses_a_callback_in_another_browser(
    make_client: MakeClient, provider: Provider
) -> None:
    # An attacker's own code and state, planted in a victim's browser (login CSRF).
    attacker = make_client()
    begun = attacker.get("/login/sso")
    approved = httpx2.get(begun.headers["location"], follow_redirects=False)
    back = urlsplit(approved.headers["location"])
    victim = make_client()
    refused = victim.get(f"{back.path}?{back.query}")
    assert refused.status_code == 403 and provider.exchanged == 0
    assert victim.get("/api/v1/me").status_code == 401


def test_it_refuses_a_sign_in_begun_too_long_ago(client: TestClient, clock: MockClock) -> None:
    begun = client.get("/login/sso")
    approved = httpx2.get(begun.headers["location"], follow_redirects=False)
    back = urlsplit(approved.headers["location"])
    clock.advance(timedelta(minutes=11))
    refused = client.get(f"{back.path}?{back.query}")
    assert refused.status_code == 403 and "has expired" in refused.text


def test_the_provider_checks_the_pkce_verifier(
    client: TestClient, provider: Provider, settings: Settings
) -> None:
    begun = client.get("/login/sso")
    approved = httpx2.get(begun.headers["location"], follow_redirects=False)
    back = urlsplit(approved.headers["location"])
    carried = URLSafeSerializer(settings.secret_key).loads(begun.cookies["devday_sso"], salt="sso")
    carried[2] = "not-the-verifier-" + "x" * 40
    forged = URLSafeSerializer(settings.secret_key).dumps(carried, salt="sso")
    client.cookies.clear()
    client.cookies.set("devday_sso", forged, domain="testserver.local", path="/login/sso")
    refused = client.get(f"{back.path}?{back.query}")
    assert refused.status_code == 403
    assert provider.refusals == ["PKCE verifier does not match"]
    assert "PKCE verifier does not match" in refused.text


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"nonce": "another-sign-in"}, "nonce"),
        ({"iss": "https://impostor.example"}, "iss"),
        ({"aud": "another-client"}, "aud"),
        ({"exp": 1_700_000_000}, "exp"),
        ({"aud": [CLIENT_ID, "another-client"]}, "azp"),
    ],
)
def test_it_refuses_an_id_token_with_a_wrong_claim(
    client: TestClient, provider: Provider, engine: Engine, tamper: dict[str, Any], reason: str
) -> None:
    provider.tamper = tamper
    refused = sso_log_in(client)
    assert refused.status_code == 403
    assert reason in refused.text
    assert "devday_session" not in refused.cookies and users(engine) == []


def test_it_refuses_an_id_token_not_signed_by_the_providers_keys(
    client: TestClient, provider: Provider, engine: Engine
) -> None:
    provider.signing_key = RSAKey.generate_key(2048, {"kid": "one"})
    refused = sso_log_in(client)
    assert refused.status_code == 403
    assert "signature is not valid" in refused.text
    assert users(engine) == []


def test_it_says_when_the_provider_cannot_be_reached(
    settings: Settings, engine: Engine, clock: MockClock
) -> None:
    gone = settings.model_copy(
        update={"oidc_issuer": "http://127.0.0.1:9", "oidc_client_id": "x", "oidc_label": "Gone"}
    )
    with TestClient(create_app(gone, engine=engine, clock=clock)) as client:
        answer = client.get("/login/sso")
    assert answer.status_code == 502
    assert "discovery at http://127.0.0.1:9/.well-known/openid-configuration failed" in answer.text


# --- password sign-in turned off ----------------------------------------------------------------


def test_it_turns_password_sign_in_off(
    make_client: MakeClient, settings: Settings, engine: Engine, clock: MockClock
) -> None:
    with Session(engine) as session:
        data = UserCreate(email="alice@example.com", name="Alice", password=PASSWORD)
        alice = account_service.create_user(session=session, data=data)
        _, secret = account_service.create_token(session=session, user=alice, name="cli")
        session.commit()
    client = make_client(password_login=False)

    page = client.get("/login")
    assert "Sign in with Example SSO" in page.text
    assert 'id="password"' not in page.text and "/signup" not in page.text

    off = "password sign-in is turned off on this server"
    csrf = client.cookies["devday_csrf"]  # the form's token is the cookie's (double submit)
    login = client.post(
        "/login", data={"email": "alice@example.com", "password": PASSWORD, "csrf_token": csrf}
    )
    assert login.status_code == 403 and off in login.text
    assert "devday_session" not in login.cookies
    for path in ("/signup", "/reset-password", "/reset-password/some-token"):
        answer = client.get(path)
        assert answer.status_code == 403 and off in answer.text
    reset_request = client.post("/api/v1/auth/password-reset", json={"email": "alice@example.com"})
    assert reset_request.status_code == 403 and off in reset_request.json()["detail"]
    body = {"email": "bob@example.com", "name": "Bob", "password": PASSWORD}
    signup = client.post("/api/v1/users", json=body)
    assert signup.status_code == 403 and off in signup.json()["detail"]
    token = client.post("/api/v1/auth/token", json={**body, "email": "alice@example.com"})
    assert token.status_code == 403 and off in token.json()["detail"]
    # An API token made in Settings keeps working, and single sign-on signs in.
    me_by_token = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me_by_token.json()["email"] == "alice@example.com"
    assert sso_log_in(client).status_code == 303 and me(client)["email"] == SAM.email

    # The CLI on the server (in-process) can still make accounts and set passwords.
    local_settings = sso_settings(settings, Provider(now=clock.now), password_login=False)
    local = TestClient(create_app(local_settings, engine=engine, trust_local_user=True))
    assert local.post("/api/v1/users", json=body).status_code == 201
    with Session(engine) as session:
        user = reset.set_password(
            session=session,
            limits=RateLimits(""),
            settings=local_settings,
            email="alice@example.com",
            password="a brand new password",
        )
        session.commit()
        assert account_service.authenticate(
            session=session, email=user.email, password="a brand new password"
        )


def test_it_refuses_password_login_off_without_single_sign_on() -> None:
    with pytest.raises(ValidationError, match="DEVDAY_PASSWORD_LOGIN=false needs single sign-on"):
        Settings(password_login=False)


def test_it_shows_the_providers_error_only_for_a_sign_in_begun_here(client: TestClient) -> None:
    planted = client.get(
        "/login/sso/callback?error=access_denied&error_description=Call+0800+to+unlock&state=x"
    )
    assert planted.status_code == 403
    assert "Call 0800" not in planted.text
    assert "this sign-in was not started here" in planted.text
