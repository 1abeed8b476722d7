"""One HTTP probe of one check: the request, its timing, the certificate and the headers' grade.

``probe`` never raises for a failure of the probed app (refused, timed out, a bad certificate):
those become the result's ``error``. It takes a shared ``httpx.AsyncClient`` so that many probes
reuse connections, and a ``clock`` for the recorded start (the latency is measured with a
monotonic timer).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from devday import netguard
from devday.checks import observatory, tls
from devday.clock import Clock

BODY_LIMIT = 1_000_000  # bytes of the body kept for keywords and assertions
ERROR_MAX = 500
MAX_REDIRECTS = 5  # hops the security grade follows, as the Observatory's own scan does


@dataclass(frozen=True)
class ProbeSpec:
    """What a probe needs of a check: a snapshot taken when it was claimed."""

    check_id: int
    due_at: datetime
    url: str
    # The check's team: what DEVDAY_OUTBOUND_ALLOW allows for that team, it may reach.
    team_id: int | None = None
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    timeout: float = 10.0
    tls: bool = True
    security: bool = False
    # Where the security grade asks whether plain HTTP redirects to HTTPS: the http:// form of
    # an https:// URL (see ``http_form``); None to leave redirection ungraded.
    http_url: str | None = None


def http_form(url: str) -> str | None:
    """The http:// address on port 80 that should redirect to ``url``, an https:// URL on the
    default port; None for any other URL, whose plain-HTTP port cannot be known."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.port is not None or not parts.hostname:
        return None
    return urlunsplit(("http", parts.netloc, parts.path or "/", parts.query, ""))


@dataclass
class ProbeResult:
    check_id: int
    due_at: datetime
    started_at: datetime
    latency_ms: float | None = None
    status_code: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None
    tls_error: str | None = None
    cert_not_after: datetime | None = None
    cert_days_left: float | None = None
    grade: str | None = None
    score: int | None = None
    grade_tests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status_code is not None


def _classify_tls(exc: BaseException) -> str | None:
    """The certificate problem behind a connection failure, walking the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = tls.classify_error(current)
        if kind is not None:
            return kind
        current = current.__cause__ or current.__context__
    return None


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, netguard.Refused):
        return f"refused: {exc}"[:ERROR_MAX]
    if isinstance(exc, netguard.Unresolvable):
        return str(exc)[:ERROR_MAX]
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, httpx.ProtocolError):
        # h11 quotes the bytes it could not read: whatever answered is not repeated.
        return "the answer is not HTTP; check the URL's port and scheme"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:ERROR_MAX]


async def probe(
    client: httpx.AsyncClient,
    spec: ProbeSpec,
    clock: Clock,
) -> ProbeResult:
    """Runs ``spec`` once and returns what happened. The outbound guard is ``client``'s (see
    ``netguard.GuardedAsyncTransport``): a refused address is a result with a "refused: " error."""
    result = ProbeResult(check_id=spec.check_id, due_at=spec.due_at, started_at=clock.now())
    begun = time.perf_counter()
    try:
        async with asyncio.timeout(spec.timeout):
            async with client.stream(
                spec.method,
                spec.url,
                headers=spec.headers,
                content=spec.body.encode() if spec.body is not None else None,
                timeout=spec.timeout,
            ) as response:
                ssl_object = _ssl_object(response)
                if ssl_object is not None and spec.tls:
                    info = tls.cert_info(ssl_object, result.started_at)
                    result.cert_not_after = info.not_after
                    result.cert_days_left = info.days_left
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    if size < BODY_LIMIT:
                        chunks.append(chunk)
                    size += len(chunk)
                result.latency_ms = (time.perf_counter() - begun) * 1000
                result.status_code = response.status_code
                result.headers = list(response.headers.multi_items())
                result.body = b"".join(chunks)[:BODY_LIMIT]
    except Exception as exc:  # every failure of the probed app is a result, not a crash
        result.latency_ms = None
        result.tls_error = _classify_tls(exc) if spec.url.startswith("https:") else None
        result.error = _describe(exc, spec.timeout)
        return result
    if spec.security:
        await _grade(client, spec, result)
    return result


async def _grade(client: httpx.AsyncClient, spec: ProbeSpec, result: ProbeResult) -> None:
    """Grades the response's headers. A redirect from an http:// check is followed and the
    answer at its end graded, as the Observatory does; for an https:// one, the http:// form is
    asked whether it redirects."""
    url, status, headers = spec.url, result.status_code or 0, result.headers
    redirects: list[str] = []
    http_route: tuple[str, ...] | None = None
    location = dict((k.lower(), v) for k, v in headers).get("location")
    if spec.url.startswith("http:") and 300 <= status < 400 and location:
        followed = await follow(client, urljoin(spec.url, location), spec.timeout)
        if followed is not None:
            route, status, headers = followed
            redirects, url = [spec.url, *route], route[-1]
    elif spec.http_url is not None:
        followed = await follow(client, spec.http_url, spec.timeout)
        http_route = tuple(followed[0]) if followed is not None else ()
    graded = observatory.grade(
        observatory.ObservedResponse(
            url=url,
            status=status,
            headers=headers,
            redirects=redirects,
            http_redirects_to_https=None,
            http_route=http_route,
        )
    )
    result.grade = graded.grade
    result.score = graded.score
    result.grade_tests = [
        {
            "name": t.name,
            "passed": t.passed,
            "modifier": t.modifier,
            "explanation": t.explanation,
        }
        for t in graded.tests
    ]


async def follow(
    client: httpx.AsyncClient, url: str, timeout: float
) -> tuple[list[str], int, list[tuple[str, str]]] | None:
    """GETs ``url`` and follows its redirects, at most ``MAX_REDIRECTS``: the URLs visited and
    the last answer's status and headers; None when a hop does not answer or is refused (a
    redirect must not lead the server into its own network: ``client``'s guard refuses it)."""
    route = [url]
    while True:
        try:
            async with asyncio.timeout(timeout):
                async with client.stream("GET", url, timeout=timeout) as response:
                    status = response.status_code
                    headers = list(response.headers.multi_items())
                    location = response.headers.get("location")
        except Exception:  # an unreachable hop ends the route; it is not the check's failure
            return None
        if not (300 <= status < 400 and location) or len(route) > MAX_REDIRECTS:
            return route, status, headers
        url = urljoin(url, location)
        route.append(url)


def _ssl_object(response: httpx.Response) -> ssl.SSLObject | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    found = stream.get_extra_info("ssl_object")
    return found if isinstance(found, ssl.SSLObject) else None
