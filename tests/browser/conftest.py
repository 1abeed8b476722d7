"""Real-browser fixtures: one uvicorn server in a thread on 127.0.0.1 over the test database,
one headless Chromium (Debian's, at /usr/bin/chromium), and a fresh browser context and page
per test that records console errors, uncaught page errors and CSP violations.

Every test here needs Chromium; without it they are skipped with the reason and the fix.
The database is emptied after every test (tests/conftest.py does it for each test that uses
``engine``), and the server's clock is put back to START before every test.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from sqlalchemy import Engine

from devday import demo
from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import make_session_factory
from tests.conftest import START

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No name but the loopback ones resolves, so nothing a page asks for leaves the machine;
    # Browsing reports any request to another address as a problem of the test.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
SKIP_REASON = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The documentation's pictures are taken in the SQLite run. The PostgreSQL run checks the same
# pages, each fitting both screen sizes included, without taking them again: a full-page PNG of
# each size was about a sixth of the browser tests' time.
PICTURES = not os.environ.get("DEVDAY_TEST_DATABASE_URL", "").startswith("postgresql")
PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 5_000

# Reported to the page's console by a script Playwright adds before any of the page's own
# (DevTools-injected, so the page's CSP does not block it); Chromium also logs each violation.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests, with the reason and the fix, where Chromium is missing."""
    if CHROMIUM.exists():
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


# --- the server ----------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    clock: MockClock
    engine: Engine
    #: The running app's settings: a test that changes one (an SMTP server) puts it back.
    settings: Settings

    def seed_demo(self) -> None:
        """The demo workspace (team Backend, three people, two weeks of work) as of START."""
        with make_session_factory(self.engine)() as session:
            demo.seed(session=session, now=self.clock.now())
            session.commit()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, engine: Engine
) -> Iterator[LiveServer]:
    clock = MockClock(START)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("browser-data"),
        secret_key="browser-test-secret",
        database_url=database_url,
        redis_url="",
        allow_private_urls=True,
        # Every browser test signs up or logs in from 127.0.0.1 against one long-lived app.
        signup_limit_per_address="1000/minute",
        login_limit_per_address="1000/minute",
        login_limit_per_account="1000/minute",
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
    sock = _free_socket()
    port = sock.getsockname()[1]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="browser-uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{port}", clock=clock, engine=engine, settings=settings
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The live server with its clock back at START (Monday 10:00 in Berlin)."""
    live_server.clock.set(START)
    return live_server


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class Problems:
    """What went wrong in the browser during a test: console errors (CSP violations among
    them), uncaught script errors, failed requests and answers of 400 or more."""

    items: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def add(self, text: str) -> None:
        if not any(pattern.search(text) for pattern in self.expected):
            self.items.append(text)

    def expect_status(self, status: int, path: str) -> None:
        """Lets an answer through that the test provokes on purpose (e.g. a wrong password's
        401): both the response and the console line Chromium logs for it."""
        url = re.escape(path) + r"(\?.*)?"
        self.expected.append(re.compile(rf"^HTTP {status}: \w+ \S*{url}$"))
        self.expected.append(re.compile(rf"status of {status} \(.*\) \(\S*{url}\)$"))

    def take(self) -> list[str]:
        found, self.items = self.items, []
        return found


class Browsing:
    """Opens contexts on the live server that only talk to it, and records their problems."""

    def __init__(self, browser: Browser, server: LiveServer) -> None:
        self.browser = browser
        self.server = server
        self.problems = Problems()
        self.contexts: list[BrowserContext] = []
        #: Where pages may send requests: the server, and what a test adds (an SSO provider).
        self.allowed = [server.url + "/"]

    def new_page(
        self,
        *,
        viewport: dict[str, int] | None = None,
        dark: bool = False,
        timezone: str = "Europe/Berlin",
    ) -> Page:
        context = self.browser.new_context(
            base_url=self.server.url,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            color_scheme="dark" if dark else "light",
            locale="en-GB",
            timezone_id=timezone,
            service_workers="block",
            reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        # Watched, not intercepted: routing every request through Playwright to let it go on
        # cost about a tenth of the browser tests' time. The resolver rules above keep any
        # other name from resolving.
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.add(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        return page

    def _request(self, request: Any) -> None:
        url = request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and not url.startswith(
            tuple(self.allowed)
        ):
            self.problems.add(f"request outside the test server: {url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.add(f"console error: {message.text} ({message.location.get('url')})")

    def _request_failed(self, request: Any) -> None:
        # A navigation that replaces a pending one cancels it; that is no fault of the page.
        if request.failure != "net::ERR_ABORTED":
            self.problems.add(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.add(f"HTTP {response.status}: {response.request.method} {response.url}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Browser, server: LiveServer) -> Iterator[Browsing]:
    browsing = Browsing(browser, server)
    yield browsing
    browsing.close()
    problems = browsing.problems.take()
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(browsing: Browsing) -> Page:
    """A fresh desktop-sized page (1280x800) in its own context: no cookies, no storage."""
    return browsing.new_page()
