"""Single sign-on in a real browser: the login page's button, the provider (started by the test
on 127.0.0.1) approving at once, and Today signed in."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.account.oidc_provider import CLIENT_ID, CLIENT_SECRET, Person, Provider, running_provider
from tests.browser.conftest import Browsing, LiveServer, _free_socket
from tests.browser.helpers import check_page
from tests.conftest import START

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sso_server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, engine: Engine
) -> Iterator[tuple[LiveServer, Provider]]:
    """A devday server whose login page offers single sign-on at the test's provider, and only
    that (password sign-in off)."""
    clock = MockClock(START)
    sock = _free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with running_provider(clock.now) as provider:
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("sso-data"),
            secret_key="browser-sso-secret",
            database_url=database_url,
            redis_url="",
            public_url=url,
            oidc_issuer=provider.url,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_label="Example SSO",
            password_login=False,
        )
        app = create_app(settings, engine=engine, clock=clock)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            loop="asyncio",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        try:
            _warm_up(url, provider)
            yield LiveServer(url=url, clock=clock, engine=engine, settings=settings), provider
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


def _warm_up(url: str, provider: Provider) -> None:
    """One sign-in and the login page's files, before any browser: a new server's first answers
    load modules and compile templates, which on a busy machine takes longer than the browser
    tests' 5 seconds per step (the shared server of the other browser tests is warm by then)."""
    provider.person = Person(sub="warm-up", email="warm-up@example.com")
    with httpx2.Client(base_url=url, timeout=60) as client:
        for path in ("/login", "/static/app.css", "/static/account.css"):
            assert client.get(path).status_code == 200
        begun = client.get("/login/sso")
        approved = httpx2.get(begun.headers["location"], timeout=60)
        back = urlsplit(approved.headers["location"])
        signed_in = client.get(f"{back.path}?{back.query}")
        assert signed_in.status_code == 303, signed_in.text
        assert client.get("/today").status_code == 200


@pytest.fixture
def sso_browsing(browser: Browser, sso_server: tuple[LiveServer, Provider]) -> Iterator[Browsing]:
    server, provider = sso_server
    server.clock.set(START)
    provider.person = Person(sub="sam-at-provider", email="sam@example.com", name="Sam Single")
    browsing = Browsing(browser, server)
    browsing.allowed.append(provider.url + "/")  # the browser reaches the provider too
    yield browsing
    browsing.close()
    problems = browsing.problems.take()
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


def test_the_sso_button_signs_in_and_lands_on_today(sso_browsing: Browsing) -> None:
    page: Page = sso_browsing.new_page()
    page.goto("/login")
    expect(page.locator("#password")).to_have_count(0)  # password sign-in is off here
    check_page(page)
    page.get_by_role("link", name="Sign in with Example SSO").click()
    page.wait_for_url(re.compile(r"/today$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    expect(page.locator(".who")).to_have_text("Sam Single")


def test_it_goes_back_to_the_page_that_asked(sso_browsing: Browsing) -> None:
    page: Page = sso_browsing.new_page()
    page.goto("/week")
    page.wait_for_url(re.compile(r"/login\?next=/week$"))
    page.get_by_role("link", name="Sign in with Example SSO").click()
    page.wait_for_url(re.compile(r"/week$"))
    expect(page.locator(".who")).to_have_text("Sam Single")


def test_a_refused_sign_in_says_why_on_the_login_page(
    sso_browsing: Browsing, sso_server: tuple[LiveServer, Provider]
) -> None:
    _, provider = sso_server
    provider.person = None  # the person declines at the provider
    sso_browsing.problems.expect_status(403, "/login/sso/callback")
    page: Page = sso_browsing.new_page()
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Example SSO").click()
    page.wait_for_url(re.compile(r"/login/sso/callback\?"))
    expect(page.get_by_role("alert")).to_contain_text("did not sign you in: access_denied")
