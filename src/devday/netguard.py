"""The one guard for everything devday connects out to on a user's say-so: app checks (and the
redirects their grade follows), webhooks and chat channels, the host of an Apprise channel's
service (checked before Apprise connects by itself), subscribed calendars (ICS and CalDAV),
and the team mailbox's IMAP poll.
What only the administrator names is not guarded: the database, Redis and the SMTP relay
(``DEVDAY_SMTP_URL``), which is often on the server's own network by design.

A host is resolved once; every address it resolves to must be a public one unless the
administrator allows it, and the connection then goes to the address that was checked (no
second resolution, so a name cannot be re-pointed between the check and the connection).
Refused: loopback, private, link-local, shared (100.64.0.0/10), 6to4, Teredo, NAT64, multicast
and every other address that is not globally reachable.

The administrator allows addresses with ``DEVDAY_ALLOW_PRIVATE_URLS`` (all of them) or
``DEVDAY_OUTBOUND_ALLOW``: a comma-separated list of hosts, addresses or networks, each with an
optional port, and optionally for one team only (``7=imap.internal:993``). Whatever connects out
for a team (its apps' checks, its channels, its mailbox) passes the team's id; a user's own
channels pass none, so only the entries without a team apply to them.

No name is looked up while a database transaction is open: a slow resolver would hold the
transaction (on SQLite, the write lock) for as long as it takes. Saving a target runs its unit
of work through ``with_lookups``, whose ``Vetted`` has the answers looked up beforehand.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from devday.errors import Conflict

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_HINT = (
    "an administrator can allow it with DEVDAY_OUTBOUND_ALLOW "
    "(or every internal address with DEVDAY_ALLOW_PRIVATE_URLS=true)"
)

# Ranges that ``is_global`` lets through on some Python versions but that lead back into
# private networks (6to4, Teredo and NAT64 embed an IPv4 address) or are not meant for hosts.
_SPECIAL: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(net), what)
    for net, what in (
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        ("192.88.99.0/24", "a 6to4 relay address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("2002::/16", "a 6to4 address"),
        ("2001::/32", "a Teredo address"),
        ("64:ff9b::/96", "a NAT64 address"),
        ("64:ff9b:1::/48", "a NAT64 address"),
        ("fec0::/10", "a site-local address"),
        ("100::/64", "a discard address"),
    )
)


def refusal(address: IPAddress) -> str | None:
    """What kind of non-public address ``address`` is ("a loopback address" ...), or None for
    a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    for network, what in _SPECIAL:
        if address.version == network.version and address in network:
            return what
    if address.is_private:
        return "a private address"
    if not address.is_global or address.is_reserved:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class AllowRule:
    """One entry of DEVDAY_OUTBOUND_ALLOW: a host name or a network, an optional port, an
    optional team."""

    host: str | None = None
    network: IPNetwork | None = None
    port: int | None = None
    team_id: int | None = None

    def matches(self, host: str, address: IPAddress, port: int, team_id: int | None) -> bool:
        if self.team_id is not None and self.team_id != team_id:
            return False
        if self.port is not None and self.port != port:
            return False
        if self.host is not None:
            return self.host == host
        assert self.network is not None
        return address.version == self.network.version and address in self.network


def parse_allow(text: str) -> tuple[AllowRule, ...]:
    """The rules of ``text`` ("10.0.0.5, imap.internal:993, 7=10.1.0.0/16, [fd00::1]:993");
    ValueError naming the bad entry."""
    return tuple(_rule(entry.strip()) for entry in text.split(",") if entry.strip())


def _rule(entry: str) -> AllowRule:
    bad = ValueError(
        f"DEVDAY_OUTBOUND_ALLOW: cannot read {entry!r}; use host, host:port, an address, "
        "a network such as 10.0.0.0/8, or team-id=any of these"
    )
    team_id: int | None = None
    rest = entry
    if "=" in entry:
        team, _, rest = entry.partition("=")
        if not team.strip().isdigit():
            raise bad
        team_id = int(team)
    rest = rest.strip()
    port: int | None = None
    if rest.startswith("["):  # [v6]:port
        inside, _, tail = rest[1:].partition("]")
        if tail and not (tail.startswith(":") and tail[1:].isdigit()):
            raise bad
        rest, port = inside, int(tail[1:]) if tail else None
    elif rest.count(":") == 1:
        rest, _, number = rest.partition(":")
        if not number.isdigit():
            raise bad
        port = int(number)
    if (port is not None and not 0 < port < 65536) or not rest:
        raise bad
    try:
        return AllowRule(
            network=ipaddress.ip_network(rest, strict=False), port=port, team_id=team_id
        )
    except ValueError:
        pass
    if not all(part.isalnum() or part.replace("-", "").isalnum() for part in rest.split(".")):
        raise bad
    return AllowRule(host=rest.lower().rstrip("."), port=port, team_id=team_id)


@dataclass(frozen=True)
class OutboundPolicy:
    """What the administrator allows beyond public addresses."""

    allow_all: bool = False
    rules: tuple[AllowRule, ...] = ()

    @classmethod
    def of(cls, *, allow_private: bool, allow: str = "") -> OutboundPolicy:
        return cls(allow_all=allow_private, rules=parse_allow(allow))

    @property
    def teams(self) -> frozenset[int]:
        """The teams some entry is for: any other team gets the same answers as no team, so
        connections for it may share a pool with those made for no team."""
        if self.allow_all:
            return frozenset()
        return frozenset(rule.team_id for rule in self.rules if rule.team_id is not None)

    def refusal(
        self, host: str, address: IPAddress, port: int, team_id: int | None = None
    ) -> str | None:
        """Why connecting to ``address`` (for ``host``) is refused, or None when allowed."""
        if self.allow_all:
            return None
        reason = refusal(address)
        if reason is None:
            return None
        if any(rule.matches(host, address, port, team_id) for rule in self.rules):
            return None
        return reason


STRICT = OutboundPolicy()
ALLOW_ALL = OutboundPolicy(allow_all=True)


class Refused(Exception):
    """A connection the guard will not make; the message says why and what to do about it."""


class Unresolvable(OSError):
    """The host name does not resolve."""


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``addresses`` (in order, the first that answers),
    speak to ``host`` (SNI, Host header)."""

    host: str
    port: int
    addresses: tuple[str, ...]

    @property
    def address(self) -> str:
        return self.addresses[0]


def resolve(host: str, port: int, policy: OutboundPolicy, *, team_id: int | None = None) -> Target:
    """Resolves ``host`` once and checks every address it resolves to; the first of them is
    the one to connect to. Raises Refused or Unresolvable."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if not name:
        raise Unresolvable("no host given")
    addresses = _addresses(name, port)
    for address in addresses:
        reason = policy.refusal(name, address, port, team_id)
        if reason is not None:
            # The name alone, never the address it resolves to: that would let anyone with an
            # account map the server's internal names.
            raise Refused(
                f"{name} is {reason}; devday does not connect to the server's own network "
                f"or other non-public addresses; {ALLOW_HINT}"
            )
    return Target(host=name, port=port, addresses=tuple(str(a) for a in addresses))


def _addresses(name: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(name)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"{name} does not resolve; check the host name") from exc
    found = list(dict.fromkeys(_address(info[4][0]) for info in infos))
    if not found:
        raise Unresolvable(f"{name} does not resolve; check the host name")
    return found


def _address(text: object) -> IPAddress:
    return ipaddress.ip_address(str(text).split("%")[0])


def connect(target: Target, timeout: float | None) -> socket.socket:
    """A TCP connection to one of the checked addresses (TLS, if any, is the caller's, with
    ``server_hostname=target.host``)."""
    for address in target.addresses[:-1]:
        try:
            return socket.create_connection((address, target.port), timeout=timeout)
        except OSError:
            continue  # as create_connection does with a name: the next address
    return socket.create_connection((target.addresses[-1], target.port), timeout=timeout)


def host_refusal(
    host: str, port: int, policy: OutboundPolicy, *, team_id: int | None = None
) -> str | None:
    """Why connecting to ``host`` would be refused, or None when it would not. A host that
    does not resolve now is not refused: the connection fails later with a clear error.
    It resolves the name (unless everything is allowed): call it with no transaction open."""
    if policy.allow_all:
        return None
    try:
        resolve(host, port, policy, team_id=team_id)
    except Refused as exc:
        return str(exc)
    except Unresolvable:
        return None
    return None


def private_target_reason(
    url: str, policy: OutboundPolicy = STRICT, *, team_id: int | None = None
) -> str | None:
    """Why ``url`` would be refused (for ``team_id``'s things, or for no team's), or None
    when it would not. Checked when a check or a channel is saved; the connection is checked
    again when it is made. It resolves the host: call it with no transaction open.

    A host that does not resolve now is not refused here: delivery fails later with a clear
    error instead."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "the URL's port is not a number"
    return host_refusal(parts.hostname or "", port, policy, team_id=team_id)


def _needs_lookup(url: str) -> bool:
    """Whether ``private_target_reason(url)`` would ask the resolver (a host name, not an
    address, an empty host or a bad port)."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a bad port is answered without a look-up
    except ValueError:
        return False
    host = (parts.hostname or "").strip().strip("[]")
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


class Unvetted(Exception):
    """A unit of work asked about a URL whose host was not looked up before it began; the
    caller (``with_lookups``) rolls back, looks it up, and runs the work again."""

    def __init__(self, url: str, team_id: int | None) -> None:
        super().__init__(f"{url} (team {team_id}) was not looked up before the transaction began")
        self.url = url
        self.team_id = team_id


@dataclass
class Vetted:
    """The guard's answers for the URLs a unit of work saves, looked up before it began.

    ``reason`` answers at once what needs no look-up (everything allowed, an address written
    out, a bad port); for a host name it gives the answer found beforehand, or raises
    ``Unvetted`` so that ``with_lookups`` finds it with no transaction open."""

    policy: OutboundPolicy = STRICT
    answers: dict[tuple[str, int | None], str | None] = field(default_factory=dict)

    def reason(self, url: str, *, team_id: int | None = None) -> str | None:
        """As ``private_target_reason(url, policy, team_id=team_id)``, without I/O."""
        if self.policy.allow_all:
            return None
        key = (url, team_id)
        if key in self.answers:
            return self.answers[key]
        if _needs_lookup(url):
            raise Unvetted(url, team_id)
        return private_target_reason(url, self.policy, team_id=team_id)

    def look_up(self, url: str, *, team_id: int | None = None) -> None:
        """Finds the answer for ``url``; it resolves the host, so no transaction may be open."""
        self.answers[(url, team_id)] = private_target_reason(url, self.policy, team_id=team_id)


def vetted(outbound: OutboundPolicy | Vetted) -> Vetted:
    """``outbound`` as a ``Vetted``: a bare policy knows no looked-up answers (enough where
    everything is allowed or the targets are addresses)."""
    return outbound if isinstance(outbound, Vetted) else Vetted(outbound)


LOOKUP_ROUNDS = 3


def with_lookups(session: Session, policy: OutboundPolicy, work: Callable[[Vetted], T]) -> T:
    """Runs ``work`` (one unit of work on ``session``, which the caller commits) with the
    guard's answers it asks for, every name looked up while no transaction is open.

    What the request did so far is committed first. When ``work`` asks about a name not looked
    up yet (``Unvetted``), its transaction is rolled back, the name looked up, and ``work`` run
    again from the start: it reads the current rows again, so what it checks is what it saves.
    A target that changes under it at every round (someone else editing the same app) ends in
    Conflict."""
    session.commit()
    answers = Vetted(policy)
    for round_ in range(LOOKUP_ROUNDS):
        try:
            return work(answers)
        except Unvetted as missing:
            session.rollback()
            if round_ == LOOKUP_ROUNDS - 1:
                break
            answers.look_up(missing.url, team_id=missing.team_id)
    raise Conflict("the address changed while it was being checked; try again")


def explain(exc: BaseException, where: str, timeout: float) -> str:
    """A connection failure in words the user can act on, without anything the far end sent."""
    if isinstance(exc, Refused | Unresolvable):
        return str(exc)
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"{where} did not answer within {timeout:g} s; check the host and the port"
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing accepts connections on {where}; check the host and the port"
    if isinstance(exc, ConnectionError):
        return f"{where} closed the connection; check the port and whether it expects TLS"
    if isinstance(exc, OSError):
        return f"cannot reach {where} ({exc.strerror or type(exc).__name__}); check the host"
    return f"the connection to {where} failed ({type(exc).__name__})"


# --- HTTP: httpx transports that resolve through the guard and connect to the checked address ---


class _GuardedAsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: OutboundPolicy, team_id: int | None) -> None:
        self._policy = policy
        self._team_id = team_id
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # httpcore sends SNI and the Host header from the URL; only the socket uses the address.
        target = await anyio.to_thread.run_sync(
            partial(resolve, host, port, self._policy, team_id=self._team_id)
        )
        for address in target.addresses[:-1]:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError:
                continue
        return await self._inner.connect_tcp(
            target.addresses[-1], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise Refused("devday does not connect to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, policy: OutboundPolicy, team_id: int | None) -> None:
        self._policy = policy
        self._team_id = team_id
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        target = resolve(host, port, self._policy, team_id=self._team_id)
        for address in target.addresses[:-1]:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError:
                continue
        return self._inner.connect_tcp(
            target.addresses[-1], port, timeout, local_address, socket_options
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise Refused("devday does not connect to local sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    return verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)


class GuardedAsyncTransport(httpx.AsyncHTTPTransport):
    """An httpx transport whose every connection (redirect hops included) goes through
    ``resolve``: refused targets raise Refused, allowed ones are connected to by the address
    that was checked."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(),
        team_id: int | None = None,
    ) -> None:
        context = _ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedAsyncBackend(policy, team_id),
        )


class GuardedTransport(httpx.HTTPTransport):
    """The synchronous twin of ``GuardedAsyncTransport``."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(),
        team_id: int | None = None,
    ) -> None:
        context = _ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(policy, team_id),
        )


# --- libraries that open their own sockets ------------------------------------------------------
# Apprise talks HTTP through requests and urllib3, which resolve a name again and follow
# redirects on their own. Inside ``guarding_urllib3`` every connection urllib3 opens (redirects
# included) goes through ``resolve`` with the block's policy and team, to the address checked;
# TLS still verifies the certificate for the name. Elsewhere urllib3 is left as it was.

_URLLIB3_GUARD: ContextVar[tuple[OutboundPolicy, int | None] | None] = ContextVar(
    "devday_urllib3_guard", default=None
)


@contextmanager
def guarding_urllib3(policy: OutboundPolicy, *, team_id: int | None = None) -> Iterator[None]:
    """Within the block, urllib3 (requests) connects only where ``policy`` allows for
    ``team_id``; a refused connection raises Refused from inside the library."""
    _install_urllib3_guard()
    token = _URLLIB3_GUARD.set((policy, team_id))
    try:
        yield
    finally:
        _URLLIB3_GUARD.reset(token)


def _install_urllib3_guard() -> None:
    from urllib3.util import connection

    original = connection.create_connection
    if getattr(original, "devday_guarded", False):
        return

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        guard = _URLLIB3_GUARD.get()
        if guard is None:
            return original(address, *args, **kwargs)
        host, port = address
        target = resolve(host, port, guard[0], team_id=guard[1])
        return original((target.address, port), *args, **kwargs)

    create_connection.devday_guarded = True  # type: ignore[attr-defined]
    connection.create_connection = create_connection
