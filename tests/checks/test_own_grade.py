"""devday's own pages pass its own security check with grade A or better.

devday runs behind TLS, so the pages are requested as https://: that is how the security
headers middleware and the cookies see a real visitor (HSTS is sent, cookies are Secure).
Redirecting http:// to https:// is the TLS front's job, not the app's, so the redirection
test is graded as not tried."""

from __future__ import annotations

import re

import httpx2
from fastapi.testclient import TestClient

from devday.checks.observatory import ObservedResponse, SecurityGrade, grade
from tests.factories import PASSWORD, Account


def observed(response: httpx2.Response) -> ObservedResponse:
    url = str(response.url)
    return ObservedResponse(
        url=url,
        status=response.status_code,
        headers=response.headers.multi_items(),
        redirects=[str(r.url) for r in response.history] + [url],
        http_redirects_to_https=None,
    )


def explain(page: str, result: SecurityGrade) -> str:
    lines = [f"{page}: {result.score} {result.grade}"]
    lines += [
        f"  {t.name}: {t.result} ({t.modifier:+d}) {t.explanation}"
        for t in result.tests
        if not t.passed or t.modifier < 0
    ]
    return "\n".join(lines)


def test_it_grades_devdays_own_pages_a_or_better(client: TestClient, alice: Account) -> None:
    client.base_url = "https://testserver"
    pages: dict[str, httpx2.Response] = {}
    pages["GET /login"] = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', pages["GET /login"].text)
    assert token, "the login form carries a CSRF token"
    pages["POST /login"] = client.post(
        "/login",
        data={"email": alice.email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert pages["POST /login"].status_code == 303
    pages["GET /today"] = client.get("/today")
    pages["GET /docs"] = client.get("/docs")
    pages["GET /api/v1/me"] = client.get("/api/v1/me", headers=alice.headers)
    pages["GET /api/v1/nothing-here"] = client.get("/api/v1/nothing-here")

    assert pages["GET /today"].status_code == 200 and "Alice" in pages["GET /today"].text
    assert pages["GET /api/v1/me"].json()["email"] == alice.email
    assert pages["GET /api/v1/nothing-here"].status_code == 404
    # The sign-in answer carries both cookies the grading looks at: session and CSRF.
    set_cookies = [v for k, v in pages["POST /login"].headers.multi_items() if k == "set-cookie"]
    assert any(v.startswith("devday_session=") for v in set_cookies)

    results = {page: grade(observed(response)) for page, response in pages.items()}
    report = "\n".join(explain(page, result) for page, result in results.items())
    assert all(result.grade in ("A+", "A") for result in results.values()), report
    # Not just A: devday earns the bonuses (default-src 'none', frame-ancestors,
    # Referrer-Policy, CORP, SameSite cookies) with no penalty anywhere.
    assert all(result.score >= 100 for result in results.values()), report
    assert not any(t.modifier < 0 for r in results.values() for t in r.tests), report


def test_it_would_fail_without_the_security_headers(client: TestClient) -> None:
    # The same grading with the headers stripped: the check can tell a bad page from a good one.
    client.base_url = "https://testserver"
    response = client.get("/login")
    kept = {"content-type", "set-cookie"}
    stripped = ObservedResponse(
        url=str(response.url),
        status=response.status_code,
        headers=[(k, v) for k, v in response.headers.multi_items() if k in kept],
        redirects=[str(response.url)],
        http_redirects_to_https=None,
    )
    assert grade(stripped).grade in ("D", "D-", "F")
