"""TLS facts against real HTTPS servers on loopback: certificate expiry and its warnings, and
what each kind of broken certificate looks like, through fetch_cert and through httpx."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from devday.checks.tls import CertInfo, classify_error, expiry_warning, fetch_cert
from tests.checks.servers import (
    CertificateAuthority,
    ServerCert,
    TestServer,
    http_server,
    https_server,
    self_signed,
    strong_routes,
)


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority()


Serve = Callable[[ServerCert], TestServer]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(cert)`` starts an HTTPS server with that certificate for the test's length."""
    with ExitStack() as stack:
        yield lambda cert: stack.enter_context(https_server(strong_routes(), cert))


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fetch(port: int, context: ssl.SSLContext | None, *, now: datetime | None = None) -> CertInfo:
    return asyncio.run(
        fetch_cert(
            "127.0.0.1",
            port,
            server_hostname="127.0.0.1",
            timeout=5,
            context=context,
            now=now or datetime.now(UTC),
        )
    )


async def _get(url: str, context: ssl.SSLContext) -> httpx.Response:
    async with httpx.AsyncClient(verify=context, timeout=5) as client:
        return await client.get(url)


def get(url: str, context: ssl.SSLContext) -> httpx.Response:
    return asyncio.run(_get(url, context))


# --- expiry -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "warning"), [(5, 7), (10, 14), (20, 21), (30, None)])
def test_it_warns_about_a_certificate_about_to_expire(
    ca: CertificateAuthority, serve: Serve, days: int, warning: int | None
) -> None:
    cert = ca.issue(days=days)
    server = serve(cert)
    info = fetch(server.port, ca.client_context())
    assert info.not_after == cert.not_after
    assert days - 0.01 < info.days_left < days
    assert info.subject == "CN=127.0.0.1" and info.issuer == "CN=devday test CA"
    assert expiry_warning(info.days_left) == warning
    # The same server answers a real request: the certificate is valid, only near its end.
    assert get(server.url + "/", ca.client_context()).status_code == 200


def test_it_counts_days_from_the_given_now(ca: CertificateAuthority, serve: Serve) -> None:
    cert = ca.issue(days=30)
    server = serve(cert)
    info = fetch(server.port, ca.client_context(), now=cert.not_after - timedelta(days=3))
    assert info.days_left == pytest.approx(3.0)
    assert expiry_warning(info.days_left) == 7


def test_it_warns_for_a_self_signed_certificate_about_to_expire(serve: Serve) -> None:
    cert = self_signed(days=6)
    server = serve(cert)
    info = fetch(server.port, unverified())
    assert info.subject == info.issuer == "CN=127.0.0.1"
    assert expiry_warning(info.days_left) == 7


def test_it_reads_an_unverified_certificate_from_its_der_form(
    ca: CertificateAuthority, serve: Serve
) -> None:
    cert = ca.issue(days=-2)
    server = serve(cert)
    info = fetch(server.port, unverified())
    assert info.not_after == cert.not_after
    assert -2.01 < info.days_left < -1.99
    assert info.issuer == "CN=devday test CA"


def test_it_reads_the_same_facts_verified_or_not(ca: CertificateAuthority, serve: Serve) -> None:
    server = serve(ca.issue(days=40))
    now = datetime.now(UTC)
    verified = fetch(server.port, ca.client_context(), now=now)
    assert verified == fetch(server.port, unverified(), now=now)


@pytest.mark.parametrize(
    ("days_left", "warning"),
    [(90, None), (21.01, None), (21, 21), (15, 21), (14, 14), (7.5, 14), (7, 7), (0.5, 7), (-3, 7)],
)
def test_expiry_warning_thresholds(days_left: float, warning: int | None) -> None:
    assert expiry_warning(days_left) == warning


# --- broken certificates ----------------------------------------------------------------------


def broken_certs(ca: CertificateAuthority) -> dict[str, ServerCert]:
    return {
        "expired": ca.issue(days=-1),
        "hostname_mismatch": ca.issue(hosts=("wrong.example",)),
        "untrusted": self_signed(),
    }


@pytest.mark.parametrize("kind", ["expired", "hostname_mismatch", "untrusted"])
def test_it_classifies_a_broken_certificate_from_fetch_cert(
    ca: CertificateAuthority, serve: Serve, kind: str
) -> None:
    server = serve(broken_certs(ca)[kind])
    with pytest.raises(ssl.SSLCertVerificationError) as error:
        fetch(server.port, ca.client_context())
    assert classify_error(error.value) == kind


@pytest.mark.parametrize("kind", ["expired", "hostname_mismatch", "untrusted"])
def test_it_classifies_a_broken_certificate_from_httpx(
    ca: CertificateAuthority, serve: Serve, kind: str
) -> None:
    server = serve(broken_certs(ca)[kind])
    with pytest.raises(httpx.ConnectError) as error:
        get(server.url + "/", ca.client_context())
    assert not isinstance(error.value, ssl.SSLError)  # httpx wraps it; the chain holds it
    assert classify_error(error.value) == kind


def test_it_calls_a_certificate_from_an_unknown_ca_untrusted(
    ca: CertificateAuthority, serve: Serve
) -> None:
    stranger = CertificateAuthority("another CA")
    server = serve(stranger.issue())
    with pytest.raises(httpx.ConnectError) as error:
        get(server.url + "/", ca.client_context())
    assert classify_error(error.value) == "untrusted"


def test_it_calls_a_server_that_speaks_no_tls_a_handshake_failure(ca: CertificateAuthority) -> None:
    with http_server(strong_routes()) as server:
        with pytest.raises(ssl.SSLError) as direct:
            fetch(server.port, ca.client_context())
        with pytest.raises(httpx.ConnectError) as wrapped:
            get(f"https://127.0.0.1:{server.port}/", ca.client_context())
    assert classify_error(direct.value) == "handshake"
    assert classify_error(wrapped.value) == "handshake"


def test_it_says_none_for_errors_that_are_not_tls() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(httpx.ConnectError) as refused:
            get(f"https://127.0.0.1:{closed_port}/", ssl.create_default_context())
    assert classify_error(refused.value) is None
    assert classify_error(TimeoutError()) is None
    assert classify_error(ValueError("bad")) is None


def test_it_follows_cycles_in_the_exception_chain() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__context__, second.__context__ = second, first
    assert classify_error(first) is None
    inner = ssl.SSLError("tls")
    outer = RuntimeError("wrapped")
    outer.__cause__ = inner
    inner.__context__ = outer
    assert classify_error(outer) == "handshake"
