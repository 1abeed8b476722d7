"""Security-header grading: each Observatory rule kept and broken, the two-round scoring, the
grade table, and whole responses (some served by real servers on loopback)."""

from __future__ import annotations

import httpx
import pytest

from devday.checks.observatory import (
    ObservedResponse,
    SecurityGrade,
    TestResult,
    grade,
    letter,
)
from tests.checks.servers import (
    STRONG_HEADERS,
    WEAK_HEADERS,
    CertificateAuthority,
    Route,
    http_server,
    https_server,
    strong_routes,
    weak_routes,
)

HTTPS = "https://app.example/"
GOOD_HSTS = ("Strict-Transport-Security", "max-age=31536000")


def observe(
    headers: list[tuple[str, str]],
    *,
    url: str = HTTPS,
    redirects: list[str] | None = None,
    http_redirects_to_https: bool | None = None,
    request_origin: str | None = None,
) -> ObservedResponse:
    return ObservedResponse(
        url=url,
        status=200,
        headers=headers,
        redirects=redirects if redirects is not None else [url],
        http_redirects_to_https=http_redirects_to_https,
        request_origin=request_origin,
    )


def run(name: str, headers: list[tuple[str, str]], **kwargs: object) -> TestResult:
    result = grade(observe(headers, **kwargs))  # type: ignore[arg-type]
    return next(test for test in result.tests if test.name == name)


def assert_outcome(test: TestResult, result: str, modifier: int, passed: bool) -> None:
    assert (test.result, test.modifier, test.passed) == (result, modifier, passed), test


# --- Content-Security-Policy ------------------------------------------------------------------


def csp(policy: str, *more: str) -> TestResult:
    headers = [("Content-Security-Policy", policy)] + [("Content-Security-Policy", p) for p in more]
    return run("content-security-policy", headers)


def test_csp_missing_broken() -> None:
    assert_outcome(run("content-security-policy", []), "csp-not-implemented", -25, False)


def test_csp_report_only_broken() -> None:
    test = run(
        "content-security-policy", [("Content-Security-Policy-Report-Only", "default-src 'none'")]
    )
    assert_outcome(test, "csp-not-implemented-but-reporting-enabled", -25, False)


def test_csp_default_src_none_kept() -> None:
    test = csp("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'")
    assert_outcome(test, "csp-implemented-with-no-unsafe-default-src-none", 10, True)


def test_csp_default_src_self_kept() -> None:
    assert_outcome(csp("default-src 'self'"), "csp-implemented-with-no-unsafe", 5, True)


def test_csp_unsafe_inline_script_broken() -> None:
    test = csp("default-src 'self'; script-src 'self' 'unsafe-inline'")
    assert_outcome(test, "csp-implemented-with-unsafe-inline", -20, False)


def test_csp_data_or_broad_script_source_broken() -> None:
    assert csp("default-src 'self'; script-src data:").modifier == -20
    assert csp("default-src 'self'; script-src https:").modifier == -20
    assert csp("default-src 'self'; object-src *").modifier == -20


def test_csp_without_script_or_default_src_broken() -> None:
    # Nothing restricts scripts, so every source is allowed.
    assert_outcome(csp("frame-ancestors 'none'"), "csp-implemented-with-unsafe-inline", -20, False)


def test_csp_unsafe_inline_beside_a_nonce_kept() -> None:
    test = csp("default-src 'self'; script-src 'nonce-r4nd0m' 'unsafe-inline'")
    assert_outcome(test, "csp-implemented-with-no-unsafe", 5, True)


def test_csp_strict_dynamic_without_nonce_broken() -> None:
    test = csp("default-src 'none'; script-src 'strict-dynamic'")
    assert_outcome(test, "csp-header-invalid", -25, False)


def test_csp_strict_dynamic_with_nonce_kept() -> None:
    test = csp("default-src 'none'; script-src 'strict-dynamic' 'nonce-abc' https: 'unsafe-inline'")
    assert_outcome(test, "csp-implemented-with-no-unsafe-default-src-none", 10, True)


def test_csp_unsafe_eval_broken() -> None:
    test = csp("default-src 'self'; script-src 'self' 'unsafe-eval'")
    assert_outcome(test, "csp-implemented-with-unsafe-eval", -10, False)


def test_csp_unsafe_inline_style_only_kept_without_bonus() -> None:
    test = csp("default-src 'none'; style-src 'self' 'unsafe-inline'")
    assert_outcome(test, "csp-implemented-with-unsafe-inline-in-style-src-only", 0, True)


def test_csp_insecure_scheme_on_https_broken() -> None:
    test = csp("default-src 'self'; script-src http://cdn.example")
    assert_outcome(test, "csp-implemented-with-insecure-scheme", -20, False)


def test_csp_insecure_images_on_https_broken_softly() -> None:
    test = csp("default-src 'self'; img-src http://img.example")
    assert_outcome(test, "csp-implemented-with-insecure-scheme-in-passive-content-only", -10, True)


def test_csp_insecure_scheme_on_http_is_not_counted() -> None:
    test = run(
        "content-security-policy",
        [("Content-Security-Policy", "default-src 'self'; img-src http://img.example")],
        url="http://app.example/",
    )
    assert test.result == "csp-implemented-with-no-unsafe"


def test_csp_unparsable_broken() -> None:
    assert_outcome(csp("abc"), "csp-header-invalid", -25, False)
    assert csp("default-src 'self'; default-src 'none'").result == "csp-header-invalid"


def test_csp_repeated_report_uri_loses_the_bonus() -> None:
    test = csp("default-src 'none'; report-uri /a; report-uri /b")
    assert_outcome(test, "csp-implemented-but-duplicate-directives", 0, True)


def test_csp_second_policy_narrows_the_first() -> None:
    # Alone, the first policy allows any https: script; with the second, only 'self' remains.
    assert csp("default-src 'self' https:").modifier == -20
    assert csp("default-src 'self' https:", "default-src 'self'").modifier == 5
    assert csp("default-src 'self' https:, default-src 'self'").modifier == 5


# --- cookies ----------------------------------------------------------------------------------


def cookies(*lines: str, hsts: bool = False) -> TestResult:
    headers = [("Set-Cookie", line) for line in lines] + ([GOOD_HSTS] if hsts else [])
    return run("cookies", headers)


def test_cookies_none_kept() -> None:
    assert_outcome(cookies(), "cookies-not-found", 0, True)


def test_cookies_all_flags_kept_with_bonus() -> None:
    test = cookies(
        "sessionid=x; Path=/; Secure; HttpOnly; SameSite=Lax", "theme=dark; Secure; SameSite=Strict"
    )
    assert_outcome(test, "cookies-secure-with-httponly-sessions-and-samesite", 5, True)


def test_cookies_without_samesite_kept_without_bonus() -> None:
    test = cookies("sessionid=x; Secure; HttpOnly; SameSite=Lax", "theme=dark; Secure")
    assert_outcome(test, "cookies-secure-with-httponly-sessions", 0, True)
    assert "'theme'" in test.explanation


def test_cookies_without_secure_broken() -> None:
    assert_outcome(cookies("theme=dark; SameSite=Lax"), "cookies-without-secure-flag", -20, False)


def test_cookies_without_secure_behind_hsts_broken_softly() -> None:
    test = cookies("theme=dark; SameSite=Lax", hsts=True)
    assert_outcome(test, "cookies-without-secure-flag-but-protected-by-hsts", -5, False)


def test_session_cookie_without_secure_broken() -> None:
    test = cookies("PHPSESSID=x; HttpOnly; SameSite=Lax")
    assert_outcome(test, "cookies-session-without-secure-flag", -40, False)
    test = cookies("login_token=x; HttpOnly; SameSite=Lax", hsts=True)
    assert_outcome(test, "cookies-session-without-secure-flag-but-protected-by-hsts", -10, False)


def test_session_cookie_without_httponly_broken() -> None:
    test = cookies("session=x; Secure; SameSite=Lax")
    assert_outcome(test, "cookies-session-without-httponly-flag", -30, False)


def test_csrf_cookie_without_samesite_broken() -> None:
    test = cookies("csrftoken=x; Secure")
    assert_outcome(test, "cookies-anticsrf-without-samesite-flag", -20, False)


def test_cookie_samesite_invalid_broken() -> None:
    assert_outcome(
        cookies("a=b; Secure; SameSite=Bogus"), "cookies-samesite-flag-invalid", -20, False
    )
    assert cookies("a=b; Secure; SameSite").result == "cookies-samesite-flag-invalid"
    # SameSite=None needs Secure; that outranks the plain missing Secure.
    assert cookies("a=b; SameSite=None").result == "cookies-samesite-flag-invalid"
    assert cookies("a=b; Secure; SameSite=None").result == (
        "cookies-secure-with-httponly-sessions-and-samesite"
    )


def test_cookies_the_worst_finding_wins_across_set_cookie_lines() -> None:
    test = cookies(
        "theme=dark",  # -20
        "sessionid=x; HttpOnly",  # -40
        "sessionid2=y; Secure",  # -30
    )
    assert_outcome(test, "cookies-session-without-secure-flag", -40, False)
    assert "'sessionid'" in test.explanation


def test_cookies_ignores_a_load_balancer_cookie() -> None:
    assert cookies("heroku-session-affinity=abc").result == "cookies-not-found"


# --- CORS -------------------------------------------------------------------------------------


def test_cors_none_kept() -> None:
    test = run("cross-origin-resource-sharing", [])
    assert_outcome(test, "cross-origin-resource-sharing-not-implemented", 0, True)


def test_cors_public_kept() -> None:
    test = run("cross-origin-resource-sharing", [("Access-Control-Allow-Origin", "*")])
    assert_outcome(test, "cross-origin-resource-sharing-implemented-with-public-access", 0, True)


def test_cors_wildcard_with_credentials_broken() -> None:
    headers = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]
    test = run("cross-origin-resource-sharing", headers)
    assert_outcome(
        test, "cross-origin-resource-sharing-implemented-with-universal-access", -50, False
    )


def test_cors_reflected_origin_with_credentials_broken() -> None:
    headers = [
        ("Access-Control-Allow-Origin", "https://evil.example"),
        ("Access-Control-Allow-Credentials", "true"),
    ]
    test = run("cross-origin-resource-sharing", headers, request_origin="https://evil.example")
    assert test.modifier == -50 and not test.passed
    # The same answer to a different Origin is a fixed allow-list: restricted, fine.
    test = run("cross-origin-resource-sharing", headers, request_origin="https://other.example")
    assert_outcome(
        test, "cross-origin-resource-sharing-implemented-with-restricted-access", 0, True
    )


# --- redirection ------------------------------------------------------------------------------


def redirection(chain: list[str], **kwargs: object) -> TestResult:
    return run("redirection", [], url=chain[-1], redirects=chain, **kwargs)


def test_redirection_to_https_kept() -> None:
    test = redirection(["http://app.example/", "https://app.example/"])
    assert_outcome(test, "redirection-to-https", 0, True)
    test = redirection(["https://app.example/"], http_redirects_to_https=True)
    assert_outcome(test, "redirection-to-https", 0, True)


def test_redirection_missing_broken() -> None:
    assert_outcome(redirection(["http://app.example/"]), "redirection-missing", -20, False)
    test = redirection(["https://app.example/"], http_redirects_to_https=False)
    assert_outcome(test, "redirection-missing", -20, False)


def test_redirection_not_tried_is_not_scored() -> None:
    test = redirection(["https://app.example/"], http_redirects_to_https=None)
    assert_outcome(test, "redirection-not-tested", 0, True)


def test_redirection_not_to_https_broken() -> None:
    test = redirection(["http://app.example/", "http://app.example/home"])
    assert_outcome(test, "redirection-not-to-https", -20, False)


def test_redirection_through_http_first_broken() -> None:
    test = redirection(
        ["http://app.example/", "http://www.app.example/", "https://www.app.example/"]
    )
    assert_outcome(test, "redirection-not-to-https-on-initial-redirection", -10, False)


def test_redirection_off_host_broken() -> None:
    test = redirection(["http://app.example/", "https://www.app.example/"])
    assert_outcome(test, "redirection-off-host-from-http", -5, False)


# --- Referrer-Policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "result", "modifier", "passed"),
    [
        (None, "referrer-policy-not-implemented", 0, True),
        ("no-referrer", "referrer-policy-private", 5, True),
        ("strict-origin-when-cross-origin", "referrer-policy-private", 5, True),
        ("unsafe-url", "referrer-policy-unsafe", -5, False),
        ("no-referrer-when-downgrade", "referrer-policy-unsafe", -5, False),
        ("whatever", "referrer-policy-header-invalid", -5, False),
        ("unsafe-url, bogus, same-origin", "referrer-policy-private", 5, True),  # last known wins
        ("same-origin, origin", "referrer-policy-unsafe", -5, False),
    ],
)
def test_referrer_policy(value: str | None, result: str, modifier: int, passed: bool) -> None:
    headers = [("Referrer-Policy", value)] if value is not None else []
    assert_outcome(run("referrer-policy", headers), result, modifier, passed)


# --- Strict-Transport-Security ----------------------------------------------------------------


def hsts(*values: str, url: str = HTTPS) -> TestResult:
    return run(
        "strict-transport-security", [("Strict-Transport-Security", v) for v in values], url=url
    )


def test_hsts_six_months_kept() -> None:
    assert_outcome(
        hsts("max-age=15552000"), "hsts-implemented-max-age-at-least-six-months", 0, True
    )
    assert hsts('max-age="63072000"; includeSubDomains').modifier == 0


def test_hsts_preload_kept_with_bonus() -> None:
    assert_outcome(hsts("max-age=63072000; includeSubDomains; preload"), "hsts-preloaded", 5, True)
    # The preload list wants all three; without includeSubDomains there is no bonus.
    assert hsts("max-age=63072000; preload").result == (
        "hsts-implemented-max-age-at-least-six-months"
    )
    assert hsts("max-age=20000000; includeSubDomains; preload").modifier == 0


def test_hsts_short_max_age_broken() -> None:
    test = hsts("max-age=15551999")
    assert_outcome(test, "hsts-implemented-max-age-less-than-six-months", -10, False)


def test_hsts_missing_broken() -> None:
    assert_outcome(hsts(), "hsts-not-implemented", -20, False)


def test_hsts_over_plain_http_broken() -> None:
    test = hsts("max-age=63072000", url="http://app.example/")
    assert_outcome(test, "hsts-not-implemented-no-https", -20, False)


def test_hsts_unrecognised_broken() -> None:
    assert_outcome(hsts("includeSubDomains"), "hsts-header-invalid", -20, False)
    assert hsts("max-age=soon").result == "hsts-header-invalid"
    assert hsts("max-age=63072000", "max-age=63072000").result == "hsts-header-invalid"


# --- X-Content-Type-Options, X-Frame-Options, CORP, COOP, COEP ----------------------------------


def test_x_content_type_options() -> None:
    name = "x-content-type-options"
    assert_outcome(
        run(name, [("X-Content-Type-Options", "nosniff")]),
        "x-content-type-options-nosniff",
        0,
        True,
    )
    assert_outcome(run(name, []), "x-content-type-options-not-implemented", -5, False)
    assert_outcome(
        run(name, [("X-Content-Type-Options", "sniff")]),
        "x-content-type-options-header-invalid",
        -5,
        False,
    )


def test_x_frame_options_header_kept() -> None:
    for value in ("DENY", "sameorigin"):
        test = run("x-frame-options", [("X-Frame-Options", value)])
        assert_outcome(test, "x-frame-options-sameorigin-or-deny", 0, True)
    test = run("x-frame-options", [("X-Frame-Options", "ALLOW-FROM https://a.example")])
    assert_outcome(test, "x-frame-options-allow-from-origin", 0, True)


def test_x_frame_options_via_frame_ancestors_kept_with_bonus() -> None:
    headers = [("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")]
    assert_outcome(run("x-frame-options", headers), "x-frame-options-implemented-via-csp", 5, True)


def test_x_frame_options_missing_or_invalid_broken() -> None:
    assert_outcome(run("x-frame-options", []), "x-frame-options-not-implemented", -20, False)
    test = run("x-frame-options", [("X-Frame-Options", "maybe")])
    assert_outcome(test, "x-frame-options-header-invalid", -20, False)
    # An unparsable CSP does not count as frame-ancestors.
    headers = [("Content-Security-Policy", "frame-ancestors 'none'; frame-ancestors 'none'")]
    assert run("x-frame-options", headers).result == "x-frame-options-not-implemented"


@pytest.mark.parametrize(
    ("value", "result", "modifier", "passed"),
    [
        (None, "corp-not-implemented", 0, True),
        ("same-origin", "corp-implemented-with-same-origin", 10, True),
        ("same-site", "corp-implemented-with-same-site", 10, True),
        ("cross-origin", "corp-implemented-with-cross-origin", 0, True),
        ("everyone", "corp-header-invalid", -5, False),
    ],
)
def test_cross_origin_resource_policy(
    value: str | None, result: str, modifier: int, passed: bool
) -> None:
    headers = [("Cross-Origin-Resource-Policy", value)] if value else []
    assert_outcome(run("cross-origin-resource-policy", headers), result, modifier, passed)


def test_coop_and_coep_are_reported_but_not_scored() -> None:
    coop = "cross-origin-opener-policy"
    coep = "cross-origin-embedder-policy"
    assert_outcome(run(coop, []), "coop-not-implemented", 0, True)
    kept = run(coop, [("Cross-Origin-Opener-Policy", 'same-origin; report-to="coop"')])
    assert_outcome(kept, "coop-implemented", 0, True)
    assert_outcome(
        run(coop, [("Cross-Origin-Opener-Policy", "nope")]), "coop-header-invalid", 0, False
    )
    assert_outcome(
        run(coep, [("Cross-Origin-Embedder-Policy", "require-corp")]), "coep-implemented", 0, True
    )
    assert_outcome(
        run(coep, [("Cross-Origin-Embedder-Policy", "nope")]), "coep-header-invalid", 0, False
    )


# --- scoring ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (140, "A+"),
        (100, "A+"),
        (99, "A"),
        (90, "A"),
        (89, "A-"),
        (85, "A-"),
        (84, "B+"),
        (80, "B+"),
        (79, "B"),
        (70, "B"),
        (69, "B-"),
        (65, "B-"),
        (64, "C+"),
        (60, "C+"),
        (59, "C"),
        (50, "C"),
        (49, "C-"),
        (45, "C-"),
        (44, "D+"),
        (40, "D+"),
        (39, "D"),
        (30, "D"),
        (29, "D-"),
        (25, "D-"),
        (24, "F"),
        (0, "F"),
    ],
)
def test_it_maps_scores_to_grades(score: int, expected: str) -> None:
    assert letter(score) == expected


def without(headers: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    drop = {name.lower() for name in names}
    return [(k, v) for k, v in headers if k.lower() not in drop]


def test_it_adds_bonuses_only_from_90_up() -> None:
    # 100 - 5 (no nosniff) - 10 (short HSTS) = 85: below 90, so the 35 bonus points are lost.
    headers = without(STRONG_HEADERS, "X-Content-Type-Options", "Strict-Transport-Security")
    headers.append(("Strict-Transport-Security", "max-age=300"))
    result = grade(observe(headers))
    assert (result.score, result.grade) == (85, "A-")
    # 100 - 10 = 90 reaches an A, so the bonuses count: 90 + 10 + 5 + 5 + 10 + 5 = 125.
    headers = without(STRONG_HEADERS, "Strict-Transport-Security")
    headers.append(("Strict-Transport-Security", "max-age=300"))
    result = grade(observe(headers))
    assert (result.score, result.grade) == (125, "A+")


def test_it_never_scores_below_zero() -> None:
    result = grade(observe(WEAK_HEADERS, url="http://app.example/"))
    assert (result.score, result.grade) == (0, "F")


def summary(result: SecurityGrade) -> dict[str, int]:
    return {test.name: test.modifier for test in result.tests if test.modifier}


def test_example_a_bare_https_server_is_a_d() -> None:
    result = grade(observe([("Content-Type", "text/html")]))
    assert summary(result) == {
        "content-security-policy": -25,
        "strict-transport-security": -20,
        "x-content-type-options": -5,
        "x-frame-options": -20,
    }
    assert (result.score, result.grade) == (30, "D")


def test_example_hsts_nosniff_and_deny_without_csp_is_a_c_plus() -> None:
    headers = [GOOD_HSTS, ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]
    result = grade(observe(headers, http_redirects_to_https=True))
    assert (result.score, result.grade) == (75, "B")
    assert [t.name for t in result.failing()] == ["content-security-policy"]


def test_example_a_typical_spa_with_inline_styles_is_an_a() -> None:
    headers = [
        (
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
        GOOD_HSTS,
        ("X-Content-Type-Options", "nosniff"),
        ("Set-Cookie", "sid=1; Secure; HttpOnly"),
    ]
    result = grade(observe(headers))
    # No penalty, so bonuses count: frame-ancestors +5; the CSP earns 0 (inline styles).
    assert (result.score, result.grade) == (105, "A+")
    headers.append(("Referrer-Policy", "unsafe-url"))
    result = grade(observe(headers))
    assert (result.score, result.grade) == (100, "A+")  # 95 is still an A, so +5 counts
    headers = without(headers, "X-Content-Type-Options")
    result = grade(observe(headers))
    assert (result.score, result.grade) == (95, "A")  # 90, plus the 5


# --- served by real servers -------------------------------------------------------------------


def observed_from(response: httpx.Response) -> ObservedResponse:
    return ObservedResponse(
        url=str(response.url),
        status=response.status_code,
        headers=response.headers.multi_items(),
        redirects=[str(r.url) for r in response.history] + [str(response.url)],
        http_redirects_to_https=None,
    )


def test_it_grades_the_weak_server_f() -> None:
    with http_server(weak_routes()) as server:
        response = httpx.get(server.url + "/")
    result = grade(observed_from(response))
    assert result.grade == "F"
    failing = {t.name for t in result.failing()}
    assert {"content-security-policy", "cookies", "cross-origin-resource-sharing"} <= failing
    assert {"redirection", "strict-transport-security", "x-frame-options"} <= failing


def test_it_grades_the_strong_server_a_plus_over_https() -> None:
    ca = CertificateAuthority()
    with https_server(strong_routes(), ca.issue()) as server:
        with httpx.Client(verify=ca.client_context()) as client:
            response = client.get(server.url + "/")
    result = grade(observed_from(response))
    assert result.failing() == []
    assert (result.score, result.grade) == (140, "A+")


def test_it_reads_each_set_cookie_line_of_a_real_response() -> None:
    routes: dict[str, Route] = {
        "/": (
            200,
            [
                ("Set-Cookie", "theme=dark; Secure; SameSite=Lax"),
                ("Set-Cookie", "session=1; Secure; SameSite=Lax"),  # no HttpOnly
            ],
            b"{}",
        )
    }
    with http_server(routes) as server:
        response = httpx.get(server.url + "/")
    cookie_test = next(t for t in grade(observed_from(response)).tests if t.name == "cookies")
    assert cookie_test.result == "cookies-session-without-httponly-flag"


def test_it_drops_the_grade_when_a_server_changes_its_headers() -> None:
    ca = CertificateAuthority()
    routes = strong_routes()
    with https_server(routes, ca.issue()) as server:
        with httpx.Client(verify=ca.client_context()) as client:
            before = grade(observed_from(client.get(server.url + "/")))
            routes["/"] = (200, without(STRONG_HEADERS, "Content-Security-Policy"), b"")
            after = grade(observed_from(client.get(server.url + "/")))
    assert before.grade == "A+"
    # -25 for the CSP leaves 75: below 90, so every bonus is lost too (X-Frame-Options: DENY
    # still covers framing, for 0 instead of frame-ancestors' +5).
    assert (before.score, after.score, after.grade) == (140, 75, "B")
