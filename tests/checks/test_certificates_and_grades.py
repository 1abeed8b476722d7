"""Certificates and security headers through the runner, against real HTTPS servers."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from tests.checks.servers import (
    PAGE,
    STRONG_HEADERS,
    CertificateAuthority,
    https_server,
    self_signed,
    strong_routes,
    weak_routes,
)
from tests.checks.support import check_row, incidents, make_runner, results, run_next
from tests.factories import Account, api_app, api_check, api_team


def test_it_warns_of_a_certificate_about_to_expire(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    # The certificate's dates are the real ones (TLS checks them by the real clock), so the
    # test clock starts at the real now: nine days left, whatever day the suite runs.
    clock.set(datetime.now(UTC))
    ca = CertificateAuthority()
    cert = ca.issue(days=9)
    with https_server(strong_routes(), cert) as server:
        app = api_app(client, alice, api_team(client, alice, timezone=None), server.url)
        check = api_check(client, alice, app["id"], path="/", fail_after=1)
        runner = make_runner(engine, clock, verify=ca.client_context())
        run_next(engine, clock, runner, check["id"])
    [result] = results(engine, check["id"])
    assert result.status_code == 200 and result.problems == ["certificate"]
    assert result.cert_expires_at is not None
    assert abs((result.cert_expires_at - cert.not_after).total_seconds()) < 1
    [incident] = incidents(engine, check["id"])
    assert incident.problem == "certificate" and "expires in" in incident.summary
    assert incident.severity == 3  # within 14 days, not within 7
    assert check_row(engine, check["id"]).state == "degraded"  # it answers, but


def test_it_fails_an_untrusted_or_misnamed_certificate(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    ca = CertificateAuthority()
    team = api_team(client, alice, timezone=None)
    for cert, kind in (
        (self_signed(), "untrusted"),
        (ca.issue(hosts=("wrong.example",)), "hostname mismatch"),
    ):
        with https_server(strong_routes(), cert) as server:
            app = api_app(client, alice, team, server.url, name=kind)
            check = api_check(client, alice, app["id"], path="/", fail_after=1)
            runner = make_runner(engine, clock, verify=ca.client_context())
            run_next(engine, clock, runner, check["id"])
            assert server.hits["/"] == 0  # the request never got past the handshake
        [result] = results(engine, check["id"])
        assert result.problems == ["certificate"] and result.status_code is None
        assert result.error is not None and f"TLS failed ({kind})" in result.error
        assert check_row(engine, check["id"]).state == "down"
        [incident] = incidents(engine, check["id"])
        assert incident.severity == 4 and incident.evidence["tls_error"] == kind.replace(" ", "_")


def test_it_grades_the_headers_and_opens_an_incident_when_the_grade_drops(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    ca = CertificateAuthority()
    with https_server(strong_routes(), ca.issue(days=300)) as server:
        app = api_app(client, alice, api_team(client, alice, timezone=None), server.url)
        check = api_check(client, alice, app["id"], path="/", security=True, fail_after=1)
        runner = make_runner(engine, clock, verify=ca.client_context())
        run_next(engine, clock, runner, check["id"])
        assert check_row(engine, check["id"]).baseline_grade == "A+"
        server.routes.update(weak_routes())
        run_next(engine, clock, runner, check["id"])
        server.routes["/"] = (200, list(STRONG_HEADERS), PAGE)
        for _ in range(2):
            run_next(engine, clock, runner, check["id"])
    grades = [r.grade for r in results(engine, check["id"])]
    assert grades == ["A+", "F", "A+", "A+"]
    [incident] = incidents(engine, check["id"])
    assert incident.problem == "security" and incident.status == "resolved"
    assert "dropped from A+ to F" in incident.summary
    assert "cookies" in " ".join(incident.evidence["failed_tests"]).lower()


def test_it_keeps_the_first_grade_as_the_baseline(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    ca = CertificateAuthority()
    with https_server(weak_routes(), ca.issue(days=300)) as server:
        app = api_app(client, alice, api_team(client, alice, timezone=None), server.url)
        check = api_check(client, alice, app["id"], path="/", security=True, fail_after=1)
        runner = make_runner(engine, clock, verify=ca.client_context())
        for _ in range(2):
            run_next(engine, clock, runner, check["id"])
    assert [r.grade for r in results(engine, check["id"])] == ["F", "F"]
    assert incidents(engine, check["id"]) == []  # F from the start is not a drop
    assert check_row(engine, check["id"]).last_grade == "F"
