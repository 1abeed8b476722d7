"""Keeps outbound requests (webhooks, later app checks) away from the server's own network.

A URL whose host is, or resolves to, a loopback, private, link-local or otherwise reserved
address is refused unless the server is configured to allow it (DEVDAY_ALLOW_PRIVATE_URLS), so a
user cannot turn devday against the machines around it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def _blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def private_target_reason(url: str) -> str | None:
    """Why ``url`` points inside the server's network, or None when it does not.

    A host that does not resolve now is not refused here: delivery fails later with a clear
    error instead, and a name that later resolves inside is checked again at delivery.
    """
    host = urlsplit(url).hostname or ""
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return f"{host} is this server itself"
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return f"{host} is a private or loopback address" if _blocked(literal) else None
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if _blocked(address):
            return f"{host} resolves to the private or loopback address {address}"
    return None
