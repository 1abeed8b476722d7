"""Security-header grading with the MDN HTTP Observatory's published scoring.

The rules follow the MDN HTTP Observatory (mdn/mdn-http-observatory, release 1.5 of October
2025, scoring algorithm version 4) and its "Tests & Scoring" page:

- every site starts at 100; the penalties (negative modifiers) are taken first, and only when
  what is left is 90 or more are the bonuses (positive modifiers) added; the score is never
  below 0 and has no maximum;
- grades: A+ from 100, A 90, A- 85, B+ 80, B 70, B- 65, C+ 60, C 50, C- 45, D+ 40, D 30,
  D- 25, F below.

Graded tests and their results (modifier in brackets): Content-Security-Policy, cookies,
CORS, redirection, Referrer-Policy, Strict-Transport-Security, X-Content-Type-Options,
X-Frame-Options and Cross-Origin-Resource-Policy. Cross-Origin-Opener-Policy and
Cross-Origin-Embedder-Policy are reported too, but the current rules give them no score
(modifier 0 whatever they say); an unrecognisable value is shown as not passed.

Where devday must differ, because it grades one response without the Observatory's extra
requests:
- Subresource Integrity needs the HTML body, which is not observed: it is not graded (as the
  Observatory does for a response that is not HTML).
- The Observatory checks the HSTS preload list; devday has no copy of it, so a header that
  meets the list's entry rules (``preload``, ``includeSubDomains``, ``max-age`` of a year or
  more) earns the preload bonus.
- CORS: the Observatory sends a foreign ``Origin`` and penalises its reflection together with
  ``Access-Control-Allow-Credentials: true``. devday does the same when the probe tells which
  ``Origin`` it sent (``request_origin``), and also penalises ``*`` with credentials, which
  is what a server that reflects any origin usually sends when no ``Origin`` is given.
- Redirection: when the URL checked is http://, the redirect chain is graded as the
  Observatory grades its http:// request; when it is https://, ``http_route`` is the route
  the http:// form of the address took, graded the same way (empty: nothing answers on plain
  HTTP, which needs no redirect). ``http_redirects_to_https`` says the same in one bool, for
  a caller that only knows that much; with neither, redirection is not tested (no score).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

# --- what goes in and comes out -------------------------------------------------------------


@dataclass(frozen=True)
class ObservedResponse:
    url: str  # the final URL, after redirects
    status: int
    headers: list[tuple[str, str]]  # as received, Set-Cookie repeated
    redirects: list[str]  # URLs followed, the first is the one requested
    http_redirects_to_https: bool | None  # what the http:// form did; None when not tried
    request_origin: str | None = None  # the Origin header the probe sent, if any
    # The URLs the http:// form of an https:// address went through, the first the one
    # requested; () when nothing answered on plain HTTP; None when it was not tried.
    http_route: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    name: str
    passed: bool
    modifier: int
    result: str
    explanation: str


@dataclass(frozen=True)
class SecurityGrade:
    score: int
    grade: str
    tests: list[TestResult]

    def failing(self) -> list[TestResult]:
        return [test for test in self.tests if not test.passed]


GRADES = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
)
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15_552_000  # the Observatory accepts 180 days for its "six months"
ONE_YEAR = 31_536_000

# The published results: a result and its modifier, then what it means on indented lines.
_TABLE = """
csp-implemented-with-no-unsafe-default-src-none +10
    CSP implemented with default-src 'none' and without 'unsafe-inline' or 'unsafe-eval'
csp-implemented-with-no-unsafe +5
    CSP implemented without 'unsafe-inline' or 'unsafe-eval'
csp-implemented-with-unsafe-inline-in-style-src-only 0
    CSP implemented with unsafe sources ('unsafe-inline', data: or broad) in style-src
csp-implemented-but-duplicate-directives 0
    CSP implemented, but it repeats report-uri or report-to
csp-implemented-with-insecure-scheme-in-passive-content-only -10
    CSP implemented, but the HTTPS site allows images or media over HTTP
csp-implemented-with-unsafe-eval -10
    CSP implemented, but allows 'unsafe-eval'
csp-implemented-with-unsafe-inline -20
    CSP implemented unsafely: 'unsafe-inline' or data: in script-src, broad sources such as
    https: or * in script-src or object-src, or neither of them restricted
csp-implemented-with-insecure-scheme -20
    CSP implemented, but the HTTPS site allows resources over HTTP
csp-header-invalid -25
    Content-Security-Policy header cannot be parsed
csp-not-implemented -25
    Content-Security-Policy header not implemented
csp-not-implemented-but-reporting-enabled -25
    only Content-Security-Policy-Report-Only is set; no policy is enforced
cookies-secure-with-httponly-sessions-and-samesite +5
    all cookies are Secure, session cookies HttpOnly, and all use SameSite
cookies-secure-with-httponly-sessions 0
    all cookies are Secure and session cookies HttpOnly, but not all use SameSite
cookies-not-found 0
    no cookies set
cookies-without-secure-flag-but-protected-by-hsts -5
    cookies set without Secure, but HSTS keeps them off plain HTTP
cookies-session-without-secure-flag-but-protected-by-hsts -10
    a session cookie set without Secure, but HSTS keeps it off plain HTTP
cookies-without-secure-flag -20
    cookies set without the Secure flag
cookies-samesite-flag-invalid -20
    a cookie's SameSite is not Strict, Lax or None, or is None without Secure
cookies-anticsrf-without-samesite-flag -20
    an anti-CSRF cookie set without SameSite
cookies-session-without-httponly-flag -30
    a session cookie set without HttpOnly
cookies-session-without-secure-flag -40
    a session cookie set without Secure
cross-origin-resource-sharing-not-implemented 0
    no CORS headers
cross-origin-resource-sharing-implemented-with-public-access 0
    public content shared with any origin (Access-Control-Allow-Origin: *)
cross-origin-resource-sharing-implemented-with-restricted-access 0
    content shared through CORS with specific origins only
cross-origin-resource-sharing-implemented-with-universal-access -50
    content shared with any origin and credentials allowed: open to CSRF
redirection-to-https 0
    the http:// address redirects to https:// on the same host
redirection-not-needed-no-http 0
    no plain HTTP to redirect from
redirection-not-tested 0
    the http:// address was not tried
redirection-off-host-from-http -5
    the first redirect from http:// goes to another host, so HSTS cannot be set
redirection-not-to-https-on-initial-redirection -10
    ends on https://, but the first redirect goes to another http:// URL
redirection-not-to-https -20
    redirects, but the final address is not https://
redirection-missing -20
    the http:// address does not redirect to https://
referrer-policy-private +5
    Referrer-Policy is no-referrer, same-origin, strict-origin or strict-origin-when-cross-origin
referrer-policy-not-implemented 0
    Referrer-Policy not set
referrer-policy-unsafe -5
    Referrer-Policy is origin, origin-when-cross-origin, unsafe-url or no-referrer-when-downgrade
referrer-policy-header-invalid -5
    Referrer-Policy cannot be recognised
hsts-preloaded +5
    Strict-Transport-Security meets the preload list's rules (preload, includeSubDomains,
    max-age of a year or more)
hsts-implemented-max-age-at-least-six-months 0
    Strict-Transport-Security max-age is at least six months
hsts-implemented-max-age-less-than-six-months -10
    Strict-Transport-Security max-age is less than six months (15552000)
hsts-not-implemented -20
    Strict-Transport-Security not set
hsts-header-invalid -20
    Strict-Transport-Security cannot be recognised
hsts-not-implemented-no-https -20
    served over plain HTTP, where Strict-Transport-Security cannot apply
x-content-type-options-nosniff 0
    X-Content-Type-Options is nosniff
x-content-type-options-not-implemented -5
    X-Content-Type-Options not set
x-content-type-options-header-invalid -5
    X-Content-Type-Options is not nosniff
x-frame-options-implemented-via-csp +5
    framing is restricted by CSP frame-ancestors
x-frame-options-sameorigin-or-deny 0
    X-Frame-Options is DENY or SAMEORIGIN
x-frame-options-allow-from-origin 0
    X-Frame-Options uses ALLOW-FROM
x-frame-options-not-implemented -20
    neither X-Frame-Options nor CSP frame-ancestors is set
x-frame-options-header-invalid -20
    X-Frame-Options cannot be recognised
corp-not-implemented 0
    Cross-Origin-Resource-Policy not set (cross-origin)
corp-implemented-with-same-origin +10
    Cross-Origin-Resource-Policy is same-origin
corp-implemented-with-same-site +10
    Cross-Origin-Resource-Policy is same-site
corp-implemented-with-cross-origin 0
    Cross-Origin-Resource-Policy is cross-origin
corp-header-invalid -5
    Cross-Origin-Resource-Policy cannot be recognised
coop-not-implemented 0
    Cross-Origin-Opener-Policy not set (not scored)
coop-implemented 0
    Cross-Origin-Opener-Policy set (not scored)
coop-header-invalid 0
    Cross-Origin-Opener-Policy cannot be recognised (not scored)
coep-not-implemented 0
    Cross-Origin-Embedder-Policy not set (not scored)
coep-implemented 0
    Cross-Origin-Embedder-Policy set (not scored)
coep-header-invalid 0
    Cross-Origin-Embedder-Policy cannot be recognised (not scored)
"""


def _score_table(text: str) -> dict[str, tuple[int, str]]:
    scores: dict[str, tuple[int, str]] = {}
    last = ""
    for line in text.strip("\n").splitlines():
        if line.startswith(" "):
            modifier, description = scores[last]
            scores[last] = (modifier, f"{description} {line.strip()}".strip())
        else:
            last, modifier_text = line.split()
            scores[last] = (int(modifier_text), "")
    return scores


SCORES = _score_table(_TABLE)  # result -> (modifier, explanation)


def grade(observed: ObservedResponse) -> SecurityGrade:
    """The Observatory score, grade and per-test results for one observed response."""
    headers = _Headers(observed.headers)
    csp = _csp_test(observed, headers)
    hsts = _hsts_test(observed, headers)
    tests = [
        csp.result,
        _cookies_test(headers, hsts_passed=hsts.passed),
        _cors_test(observed, headers),
        _redirection_test(observed),
        _referrer_test(headers),
        hsts,
        _xcto_test(headers),
        _xfo_test(headers, csp.policy),
        _corp_test(headers),
        _coop_test(headers),
        _coep_test(headers),
    ]
    penalties = sum(test.modifier for test in tests if test.modifier < 0)
    bonuses = sum(test.modifier for test in tests if test.modifier > 0)
    score = 100 + penalties
    if score >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
        score += bonuses
    score = max(score, 0)
    return SecurityGrade(score=score, grade=letter(score), tests=tests)


def letter(score: int) -> str:
    return next((letter for floor, letter in GRADES if score >= floor), "F")


def _result(name: str, result: str, passed: bool, detail: str = "") -> TestResult:
    modifier, text = SCORES[result]
    return TestResult(name, passed, modifier, result, f"{text}{': ' + detail if detail else ''}")


class _Headers:
    """Case-insensitive access; repeated headers joined with ", " as an HTTP client does."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in pairs:
            self._values.setdefault(name.strip().lower(), []).append(value)

    def all(self, name: str) -> list[str]:
        return self._values.get(name, [])

    def joined(self, name: str) -> str | None:
        values = self._values.get(name)
        return ", ".join(values) if values else None


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


# --- Content-Security-Policy ----------------------------------------------------------------

DANGEROUSLY_BROAD = frozenset(
    {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
)
UNSAFE_INLINE = frozenset({"'unsafe-inline'", "data:"})
BROAD_OR_INLINE = DANGEROUSLY_BROAD | UNSAFE_INLINE
PASSIVE_DIRECTIVES = ("img-src", "media-src")
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
ALLOWED_DUPLICATES = frozenset({"report-uri", "report-to"})
SHORTEST_POLICY = len("img-src") - 1


class _InvalidPolicy(ValueError):
    pass


@dataclass(frozen=True)
class _CspOutcome:
    result: TestResult
    policy: dict[str, set[str]] | None  # the parsed policy, when there is one


def _parse_csp(policies: list[str]) -> tuple[dict[str, set[str]], bool]:
    """Directive -> sources of the policies together (a source counts only if every policy
    that has the directive allows it), and whether report-uri/report-to was repeated."""
    combined: dict[str, set[str]] = {}
    duplicates = False
    for index, raw in enumerate(policies):
        policy = raw.replace("\r", "").replace("\n", "").strip()
        if len(policy) < SHORTEST_POLICY:
            raise _InvalidPolicy(f"policy {policy!r} is too short")
        seen: set[str] = set()
        for entry in policy.split(";"):
            parts = entry.split()
            if not parts:
                continue
            directive = parts[0].lower()
            if directive in seen:
                if directive not in ALLOWED_DUPLICATES:
                    raise _InvalidPolicy(f"directive {directive} repeated")
                duplicates = True
                continue
            seen.add(directive)
            sources = {source.lower() for source in parts[1:]}
            if not sources and directive.endswith("-src"):
                sources = {"'none'"}
            if index == 0:
                combined[directive] = sources
            else:
                # A later policy can only narrow what the first allowed.
                combined[directive] = combined.get(directive, set()) & sources
    return {d: (s or {"'none'"}) for d, s in combined.items()}, duplicates


def _csp_test(observed: ObservedResponse, headers: _Headers) -> _CspOutcome:
    name = "content-security-policy"
    raw = headers.all("content-security-policy")
    if not raw:
        result = (
            "csp-not-implemented-but-reporting-enabled"
            if headers.all("content-security-policy-report-only")
            else "csp-not-implemented"
        )
        return _CspOutcome(_result(name, result, False), None)
    policies = [part.strip() for value in raw for part in value.split(",")]
    try:
        csp, duplicates = _parse_csp(policies)
    except _InvalidPolicy as exc:
        return _CspOutcome(_result(name, "csp-header-invalid", False, str(exc)), None)

    def sources(*directives: str) -> set[str]:
        for directive in directives:
            if directive in csp:
                return set(csp[directive])
        return {"*"}

    object_src = sources("object-src", "default-src")
    script_src = sources("script-src", "default-src")
    style_src = sources("style-src", "default-src")
    for source_list in (script_src, style_src):
        # With a nonce or hash, browsers ignore 'unsafe-inline'.
        if any(s.startswith(NONCES_HASHES) for s in source_list):
            source_list.discard("'unsafe-inline'")
    result = ""
    if "'strict-dynamic'" in script_src:
        if any(s.startswith(NONCES_HASHES) for s in script_src):
            script_src = {
                s
                for s in script_src
                if not (
                    s in ("'self'", "'unsafe-inline'")
                    or any(s.startswith(b) for b in DANGEROUSLY_BROAD)
                )
            }
        else:
            result = "csp-header-invalid"
    https = _scheme(observed.url) == "https"
    active = [
        s
        for directive, values in csp.items()
        if directive not in PASSIVE_DIRECTIVES and directive != "script-src"
        for s in values
    ] + list(script_src)
    passive = [s for d in PASSIVE_DIRECTIVES for s in csp.get(d, csp.get("default-src", set()))]

    def insecure(values: list[str]) -> bool:
        return any(s.startswith(("http:", "ftp:")) for s in values)

    checks = (
        (
            bool(script_src & BROAD_OR_INLINE) or bool(object_src & DANGEROUSLY_BROAD),
            "csp-implemented-with-unsafe-inline",
        ),
        (https and insecure(active), "csp-implemented-with-insecure-scheme"),
        ("'unsafe-eval'" in script_src | style_src, "csp-implemented-with-unsafe-eval"),
        (
            https and insecure(passive),
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
        ),
        (bool(style_src & BROAD_OR_INLINE), "csp-implemented-with-unsafe-inline-in-style-src-only"),
    )
    for failed, outcome in checks:
        if not result and failed:
            result = outcome
    if not result:
        default_none = csp.get("default-src") == {"'none'"}
        result = (
            "csp-implemented-with-no-unsafe-default-src-none"
            if default_none
            else "csp-implemented-with-no-unsafe"
        )
    passed = result in (
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    )
    if passed and duplicates:
        result = "csp-implemented-but-duplicate-directives"
    return _CspOutcome(_result(name, result, passed), csp)


# --- cookies --------------------------------------------------------------------------------

# Worst last: a later finding replaces an earlier one only if it is worse.
_COOKIE_BADNESS = (
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
)
_IGNORED_COOKIES = frozenset({"heroku-session-affinity"})


@dataclass(frozen=True)
class _Cookie:
    name: str
    secure: bool
    http_only: bool
    same_site: str | None  # lowercased value; "" when the attribute has no value
    line: str


def _parse_cookie(line: str) -> _Cookie | None:
    first, *attributes = line.split(";")
    if "=" not in first or not first.split("=", 1)[0].strip():
        return None
    secure = http_only = False
    same_site: str | None = None
    for attribute in attributes:
        key, _, value = attribute.strip().partition("=")
        key = key.strip().lower()
        if key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = value.strip().lower()
    return _Cookie(first.split("=", 1)[0].strip(), secure, http_only, same_site, line)


def _cookies_test(headers: _Headers, *, hsts_passed: bool) -> TestResult:
    name = "cookies"
    cookies = [
        cookie
        for line in headers.all("set-cookie")
        if (cookie := _parse_cookie(line)) and cookie.name.lower() not in _IGNORED_COOKIES
    ]
    if not cookies:
        return _result(name, "cookies-not-found", True)
    result = ""
    culprit = ""

    def worse(found: str, cookie: _Cookie) -> None:
        nonlocal result, culprit
        if not result or _COOKIE_BADNESS.index(found) > _COOKIE_BADNESS.index(result):
            result, culprit = found, cookie.name

    for cookie in cookies:
        lowered = cookie.name.lower()
        session = "login" in lowered or "sess" in lowered
        anti_csrf = "csrf" in lowered
        if cookie.same_site is not None and cookie.same_site not in ("lax", "strict", "none"):
            worse("cookies-samesite-flag-invalid", cookie)
        if cookie.same_site == "none" and not cookie.secure:
            worse("cookies-samesite-flag-invalid", cookie)
        if not cookie.secure:
            worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts_passed
                else "cookies-without-secure-flag",
                cookie,
            )
        if anti_csrf and not cookie.same_site:
            worse("cookies-anticsrf-without-samesite-flag", cookie)
        if session and not cookie.secure:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts_passed
                else "cookies-session-without-secure-flag",
                cookie,
            )
        if session and not cookie.http_only:
            worse("cookies-session-without-httponly-flag", cookie)
    if result:
        return _result(name, result, False, f"cookie {culprit!r}")
    if all(cookie.same_site for cookie in cookies):
        return _result(name, "cookies-secure-with-httponly-sessions-and-samesite", True)
    missing = next(cookie.name for cookie in cookies if not cookie.same_site)
    return _result(name, "cookies-secure-with-httponly-sessions", True, f"cookie {missing!r}")


# --- CORS, redirection, Referrer-Policy -----------------------------------------------------


def _cors_test(observed: ObservedResponse, headers: _Headers) -> TestResult:
    name = "cross-origin-resource-sharing"
    allow_origin = headers.joined("access-control-allow-origin")
    if not allow_origin:
        return _result(name, "cross-origin-resource-sharing-not-implemented", True)
    origin = allow_origin[:256].strip().lower()
    credentials = (headers.joined("access-control-allow-credentials") or "").strip().lower()
    with_credentials = credentials == "true"
    reflected = (
        observed.request_origin is not None and origin == observed.request_origin.strip().lower()
    )
    if with_credentials and (origin == "*" or reflected):
        detail = f"Access-Control-Allow-Origin: {origin} with Access-Control-Allow-Credentials"
        return _result(
            name, "cross-origin-resource-sharing-implemented-with-universal-access", False, detail
        )
    if origin == "*":
        return _result(name, "cross-origin-resource-sharing-implemented-with-public-access", True)
    return _result(
        name, "cross-origin-resource-sharing-implemented-with-restricted-access", True, origin
    )


def _redirection_test(observed: ObservedResponse) -> TestResult:
    name = "redirection"
    chain = list(observed.redirects) or [observed.url]
    if chain[-1] != observed.url:
        chain.append(observed.url)
    if _scheme(chain[0]) == "http":
        return _route_result(name, chain)
    if observed.http_route is not None:
        if not observed.http_route:
            return _result(name, "redirection-not-needed-no-http", True)
        return _route_result(name, list(observed.http_route))
    if observed.http_redirects_to_https is None:
        return _result(name, "redirection-not-tested", True)
    if observed.http_redirects_to_https:
        return _result(name, "redirection-to-https", True)
    return _result(name, "redirection-missing", False)


def _route_result(name: str, chain: list[str]) -> TestResult:
    """Grades the route a plain-HTTP request took, ``chain[0]`` being the http:// URL."""
    route = " -> ".join(chain)
    if len(chain) == 1:
        return _result(name, "redirection-missing", False, route)
    if _scheme(chain[-1]) != "https":
        return _result(name, "redirection-not-to-https", False, route)
    if _scheme(chain[1]) == "http":
        return _result(name, "redirection-not-to-https-on-initial-redirection", False, route)
    if urlsplit(chain[0]).hostname != urlsplit(chain[1]).hostname:
        return _result(name, "redirection-off-host-from-http", False, route)
    return _result(name, "redirection-to-https", True, route)


_PRIVATE_REFERRERS = (
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
)
_UNSAFE_REFERRERS = (
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
)


def _referrer_test(headers: _Headers) -> TestResult:
    name = "referrer-policy"
    value = headers.joined("referrer-policy")
    if value is None:
        return _result(name, "referrer-policy-not-implemented", True)
    # The last policy a browser recognises is the one it applies.
    known = [
        token.strip().lower()
        for token in value.split(",")
        if token.strip().lower() in _PRIVATE_REFERRERS + _UNSAFE_REFERRERS
    ]
    if known and known[-1] in _PRIVATE_REFERRERS:
        return _result(name, "referrer-policy-private", True, known[-1])
    if known:
        return _result(name, "referrer-policy-unsafe", False, known[-1])
    return _result(name, "referrer-policy-header-invalid", False, value[:80])


# --- Strict-Transport-Security --------------------------------------------------------------


def _hsts_test(observed: ObservedResponse, headers: _Headers) -> TestResult:
    name = "strict-transport-security"
    if _scheme(observed.url) != "https":
        return _result(name, "hsts-not-implemented-no-https", False)
    value = headers.joined("strict-transport-security")
    if value is None:
        return _result(name, "hsts-not-implemented", False)
    value = value[:1024]
    if "," in value:
        return _result(name, "hsts-header-invalid", False, "the header is set more than once")
    max_age: float | None = None
    include_subdomains = preload = False
    for parameter in value.split(";"):
        key, _, argument = parameter.strip().lower().partition("=")
        if key == "max-age":
            digits = argument.strip().strip('"')
            max_age = int(digits) if digits.isdigit() else math.nan
        elif key == "includesubdomains":
            include_subdomains = True
        elif key == "preload":
            preload = True
    if max_age is None or math.isnan(max_age):
        return _result(name, "hsts-header-invalid", False, value[:80])
    if max_age < SIX_MONTHS:
        return _result(name, "hsts-implemented-max-age-less-than-six-months", False, value[:80])
    if preload and include_subdomains and max_age >= ONE_YEAR:
        return _result(name, "hsts-preloaded", True, value[:80])
    return _result(name, "hsts-implemented-max-age-at-least-six-months", True, value[:80])


# --- X-Content-Type-Options, X-Frame-Options, CORP, COOP, COEP --------------------------------


def _xcto_test(headers: _Headers) -> TestResult:
    name = "x-content-type-options"
    value = headers.joined("x-content-type-options")
    if value is None:
        return _result(name, "x-content-type-options-not-implemented", False)
    if value[:256].strip().lower() == "nosniff":
        return _result(name, "x-content-type-options-nosniff", True)
    return _result(name, "x-content-type-options-header-invalid", False, value[:80])


def _xfo_test(headers: _Headers, csp: dict[str, set[str]] | None) -> TestResult:
    name = "x-frame-options"
    if csp is not None and "frame-ancestors" in csp:
        detail = "frame-ancestors " + " ".join(sorted(csp["frame-ancestors"]))
        return _result(name, "x-frame-options-implemented-via-csp", True, detail)
    value = headers.joined("x-frame-options")
    if value is None:
        return _result(name, "x-frame-options-not-implemented", False)
    xfo = value[:1024].strip().lower()
    if xfo in ("deny", "sameorigin"):
        return _result(name, "x-frame-options-sameorigin-or-deny", True)
    if xfo.startswith("allow-from"):
        return _result(name, "x-frame-options-allow-from-origin", True)
    return _result(name, "x-frame-options-header-invalid", False, value[:80])


def _corp_test(headers: _Headers) -> TestResult:
    name = "cross-origin-resource-policy"
    value = headers.all("cross-origin-resource-policy")
    if not value:
        return _result(name, "corp-not-implemented", True)
    policy = value[0][:256].strip().lower()
    results = {
        "same-origin": "corp-implemented-with-same-origin",
        "same-site": "corp-implemented-with-same-site",
        "cross-origin": "corp-implemented-with-cross-origin",
    }
    if policy in results:
        return _result(name, results[policy], True)
    return _result(name, "corp-header-invalid", False, policy[:80])


def _structured_token(value: str) -> str:
    """The token of a structured-field item such as ``same-origin; report-to="x"``."""
    return value.split(";", 1)[0].strip().lower()


def _coop_test(headers: _Headers) -> TestResult:
    name = "cross-origin-opener-policy"
    values = headers.all("cross-origin-opener-policy")
    if not values:
        return _result(name, "coop-not-implemented", True)
    known = ("same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none")
    policy = _structured_token(values[0][:1024])
    if len(values) == 1 and policy in known:
        return _result(name, "coop-implemented", True, policy)
    return _result(name, "coop-header-invalid", False, ", ".join(values)[:80])


def _coep_test(headers: _Headers) -> TestResult:
    name = "cross-origin-embedder-policy"
    values = headers.all("cross-origin-embedder-policy")
    if not values:
        return _result(name, "coep-not-implemented", True)
    policy = _structured_token(values[0][:1024])
    if len(values) == 1 and policy in ("require-corp", "credentialless", "unsafe-none"):
        return _result(name, "coep-implemented", True, policy)
    return _result(name, "coep-header-invalid", False, ", ".join(values)[:80])
