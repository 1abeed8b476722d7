"""TLS facts for the checks: a peer certificate's expiry, what a TLS failure means, and when
an expiry deserves a warning.

``classify_error`` reads both the stdlib's ssl exceptions and the ones httpx raises (an
``httpx.ConnectError`` whose ``__cause__``/``__context__`` chain holds the ssl exception).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from cryptography import x509

TlsError = Literal["expired", "hostname_mismatch", "untrusted", "handshake"]
WARNING_DAYS = (7, 14, 21)  # smallest first

# OpenSSL's X509_V_ERR_* codes, as ssl.SSLCertVerificationError.verify_code carries them.
_EXPIRED_CODES = frozenset({10})  # CERT_HAS_EXPIRED
_HOSTNAME_CODES = frozenset({62, 63, 64})  # HOSTNAME_MISMATCH, EMAIL_MISMATCH, IP_ADDRESS_MISMATCH

_SHORT_NAMES = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
    "emailAddress": "E",
    "domainComponent": "DC",
}


@dataclass(frozen=True)
class CertInfo:
    not_after: datetime  # aware, UTC
    days_left: float  # negative once expired
    subject: str  # e.g. "CN=example.com, O=Example"
    issuer: str


def cert_info(ssl_object: ssl.SSLObject | ssl.SSLSocket, now: datetime) -> CertInfo:
    """The peer certificate of an established TLS connection, seen at ``now``.

    A connection made without verification has an empty ``getpeercert()``; the certificate is
    then read from its DER form."""
    peer = ssl_object.getpeercert()
    if peer and "notAfter" in peer:
        not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(peer["notAfter"])), UTC)
        subject = _dict_name(peer.get("subject", ()))
        issuer = _dict_name(peer.get("issuer", ()))
    else:
        der = ssl_object.getpeercert(binary_form=True)
        if not der:
            raise ValueError("the peer sent no certificate")
        certificate = x509.load_der_x509_certificate(der)
        not_after = certificate.not_valid_after_utc
        subject = _x509_name(certificate.subject)
        issuer = _x509_name(certificate.issuer)
    days_left = (not_after - now).total_seconds() / 86400
    return CertInfo(not_after=not_after, days_left=days_left, subject=subject, issuer=issuer)


def _dict_name(rdns: object) -> str:
    parts: list[str] = []
    if isinstance(rdns, tuple):
        for rdn in rdns:
            for attribute in rdn:
                name, value = attribute
                parts.append(f"{_SHORT_NAMES.get(name, name)}={value}")
    return ", ".join(parts)


def _x509_name(name: x509.Name) -> str:
    parts: list[str] = []
    for rdn in name.rdns:
        for attribute in rdn:
            value = attribute.value
            text = value.decode(errors="replace") if isinstance(value, bytes) else value
            parts.append(f"{attribute.rfc4514_attribute_name}={text}")
    return ", ".join(parts)


def classify_error(exc: BaseException) -> TlsError | None:
    """What a failed connection's TLS error means, or None when it was not a TLS error.

    "expired": the certificate's validity has ended; "hostname_mismatch": it names other
    hosts; "untrusted": self-signed, an unknown CA or a broken chain; "handshake": any other
    TLS failure (protocol, cipher, the peer hanging up mid-handshake)."""
    chain = _chain(exc)
    for error in chain:
        if isinstance(error, ssl.SSLCertVerificationError):
            return _verification(error)
    for error in chain:
        if isinstance(error, ssl.SSLError):
            return "handshake"
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending:
        error = pending.pop(0)
        if any(error is known for known in seen):
            continue
        seen.append(error)
        pending.extend(e for e in (error.__cause__, error.__context__) if e is not None)
    return seen


def _verification(error: ssl.SSLCertVerificationError) -> TlsError:
    code = getattr(error, "verify_code", None)
    message = f"{getattr(error, 'verify_message', '')} {error}".lower()
    if code in _EXPIRED_CODES or "has expired" in message:
        return "expired"
    if code in _HOSTNAME_CODES or "mismatch" in message or "doesn't match" in message:
        return "hostname_mismatch"
    return "untrusted"


def expiry_warning(days_left: float) -> int | None:
    """The warning a certificate with ``days_left`` has reached: 7, 14 or 21 (the smallest
    threshold at or above ``days_left``), or None while more than 21 days remain."""
    return next((days for days in WARNING_DAYS if days_left <= days), None)


async def fetch_cert(
    host: str,
    port: int,
    *,
    server_hostname: str,
    timeout: float,
    context: ssl.SSLContext | None,
    now: datetime,
) -> CertInfo:
    """Open a TLS connection to ``host:port`` and read the certificate it presents.

    ``context`` None means the system's trust store with hostname checking. A verification
    failure raises ``ssl.SSLCertVerificationError`` (see ``classify_error``); a context with
    ``verify_mode = CERT_NONE`` reads any certificate, expired or not. Raises ``TimeoutError``
    after ``timeout`` seconds.

    Not behind the outbound guard, and not on any path the server takes (the runner reads the
    certificate off its probe's own guarded connection): a tool for tests and diagnosis."""
    tls = context if context is not None else ssl.create_default_context()
    async with asyncio.timeout(timeout):
        _, writer = await asyncio.open_connection(
            host, port, ssl=tls, server_hostname=server_hostname, ssl_handshake_timeout=timeout
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
            raise ssl.SSLError("the connection has no TLS session")
        return cert_info(ssl_object, now)
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(timeout):
                await writer.wait_closed()
