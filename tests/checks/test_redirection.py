"""The security grade's redirection test, against real HTTP and HTTPS servers on loopback."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.checks.probe import ProbeResult, ProbeSpec, follow, http_form, probe
from devday.clock import MockClock
from devday.netguard import STRICT, GuardedAsyncTransport
from tests.checks.servers import (
    PAGE,
    STRONG_HEADERS,
    CertificateAuthority,
    Route,
    http_server,
    https_server,
    strong_routes,
)
from tests.checks.support import make_runner, results, run_next
from tests.factories import Account, api_app, api_check, api_team

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def redirect_to(url: str) -> dict[str, Route]:
    return {"/": (301, [("Location", url), ("Content-Length", "0")], b"")}


def run_probe(ca: CertificateAuthority, **spec: Any) -> ProbeResult:
    async def go() -> ProbeResult:
        async with httpx.AsyncClient(verify=ca.client_context(), follow_redirects=False) as c:
            return await probe(
                c, ProbeSpec(check_id=1, due_at=NOW, security=True, **spec), MockClock(NOW)
            )

    return asyncio.run(go())


def redirection(result: ProbeResult) -> dict[str, Any]:
    [test] = [t for t in result.grade_tests if t["name"] == "redirection"]
    return test


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_http_form_of_an_address() -> None:
    assert http_form("https://app.example/health?deep=1") == "http://app.example/health?deep=1"
    assert http_form("https://app.example") == "http://app.example/"
    assert http_form("https://app.example:8443/") is None  # its plain-HTTP port is unknown
    assert http_form("http://app.example/") is None


def test_an_https_check_asks_whether_plain_http_redirects() -> None:
    ca = CertificateAuthority()
    with https_server(strong_routes(), ca.issue(days=300)) as secure:
        with http_server(redirect_to(secure.url + "/")) as plain:
            kept = run_probe(ca, url=secure.url + "/", http_url=plain.url + "/")
            assert plain.hits["/"] == 1
        with http_server(strong_routes()) as plain:
            missing = run_probe(ca, url=secure.url + "/", http_url=plain.url + "/")
        silent = run_probe(ca, url=secure.url + "/", http_url=f"http://127.0.0.1:{closed_port()}/")
        untried = run_probe(ca, url=secure.url + "/")
    assert redirection(kept)["passed"] and redirection(kept)["modifier"] == 0
    assert kept.grade == "A+"
    assert not redirection(missing)["passed"] and redirection(missing)["modifier"] == -20
    assert missing.score == 80  # 100 - 20; below 90 the Observatory grants no bonus
    assert redirection(silent)["passed"]  # nothing on plain HTTP: no redirect needed
    assert "no plain HTTP" in redirection(silent)["explanation"]
    assert "not tried" in redirection(untried)["explanation"]


def test_an_http_check_follows_its_redirect_and_grades_where_it_ends() -> None:
    ca = CertificateAuthority()
    with https_server(strong_routes(), ca.issue(days=300)) as secure:
        with http_server(redirect_to(secure.url + "/")) as plain:
            followed = run_probe(ca, url=plain.url + "/")
        with http_server({"/": (200, list(STRONG_HEADERS), PAGE)}) as plain:
            stays = run_probe(ca, url=plain.url + "/")
        with http_server(redirect_to("http://localhost/elsewhere")) as plain:
            to_http = run_probe(ca, url=plain.url + "/")
    assert followed.status_code == 301  # the check itself judges the redirect it got
    assert redirection(followed)["passed"] and followed.grade == "A+"
    assert secure.hits["/"] == 1
    assert not redirection(stays)["passed"] and redirection(stays)["modifier"] == -20
    assert not redirection(to_http)["passed"]  # the hop to localhost did not answer


def test_a_redirect_into_a_private_network_is_not_followed() -> None:
    with http_server(redirect_to("http://10.0.0.1/admin")) as plain:
        # Only the hop is checked here: the first URL is the check's own, refused earlier.
        followed = asyncio.run(hop(plain.url + "/"))
    assert followed is None  # refused before any connection, not timed out
    assert plain.hits["/"] == 1


async def hop(url: str) -> object:
    async with httpx.AsyncClient(follow_redirects=False) as c:
        response = await c.get(url)
    target = response.headers["location"]
    guarded = GuardedAsyncTransport(STRICT)
    async with httpx.AsyncClient(transport=guarded, follow_redirects=False) as c:
        return await follow(c, target, 10.0)


def test_the_runner_grades_redirection_of_an_http_check(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    ca = CertificateAuthority()
    team = api_team(client, alice, timezone=None)
    grades = {}
    with https_server(strong_routes(), ca.issue(days=300)) as secure:
        for name, routes in (
            ("redirects", redirect_to(secure.url + "/")),
            ("stays", strong_routes()),
        ):
            with http_server(routes) as plain:
                app = api_app(client, alice, team, plain.url, name=name)
                check = api_check(client, alice, app["id"], path="/", security=True, fail_after=1)
                runner = make_runner(engine, clock, verify=ca.client_context())
                run_next(engine, clock, runner, check["id"])
            [result] = results(engine, check["id"])
            grades[name] = (result.status_code, result.grade)
    assert grades["redirects"] == (301, "A+")
    assert grades["stays"][0] == 200 and grades["stays"][1] != "A+"
