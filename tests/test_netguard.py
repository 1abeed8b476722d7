from __future__ import annotations

import asyncio
import ipaddress
import socket
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from devday import netguard
from devday.checks.probe import ProbeResult, ProbeSpec, probe
from devday.clock import MockClock
from devday.config import Settings
from devday.netguard import (
    ALLOW_ALL,
    STRICT,
    GuardedAsyncTransport,
    OutboundPolicy,
    Refused,
    parse_allow,
    private_target_reason,
    resolve,
)
from devday.notify.delivery import DeliveryError, Outgoing, WebhookSender
from devday.notify.models import ChannelKind
from tests.checks.servers import CertificateAuthority, http_server, https_server, strong_routes
from tests.factories import Account
from tests.inbox.test_poll_guard import RawServer

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_it_names_private_and_loopback_targets() -> None:
    for url in (
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "https://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/latest",
        "http://192.168.1.5",
        "http://[::ffff:127.0.0.1]/",
    ):
        assert private_target_reason(url), url
    assert private_target_reason("https://93.184.215.14/hook") is None


def test_it_refuses_a_private_webhook_unless_allowed(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    app.state.devday.settings.allow_private_urls = False
    refused = client.post(
        "/api/v1/channels",
        headers=alice.headers,
        json={"kind": "webhook", "name": "x", "target": "http://127.0.0.1:9/hook"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "target"
    assert "DEVDAY_ALLOW_PRIVATE_URLS" in refused.json()["detail"]
    email = client.post(
        "/api/v1/channels",
        headers=alice.headers,
        json={"kind": "email", "name": "me", "target": "alice@example.com"},
    )
    assert email.status_code == 201


def test_it_refuses_a_private_target_at_delivery_time() -> None:
    import pytest

    sender = WebhookSender(timeout=1, outbound=STRICT)
    message = Outgoing(
        delivery_id="0" * 32,
        kind=ChannelKind.webhook,
        target="http://127.0.0.1:9/hook",
        secret="s",
        subject="s",
        text="t",
        html=None,
        payload={},
    )
    with pytest.raises(DeliveryError, match="refused"):
        sender.deliver(message)
    sender.close()


# --- the ranges, the allow-list, one resolution ---------------------------------------------


def answers(monkeypatch: pytest.MonkeyPatch, *rounds: list[str]) -> list[str]:
    """Makes getaddrinfo answer ``rounds[0]`` the first time, ``rounds[1]`` the next...
    (the last one repeats); returns the list of names asked, one per call."""
    asked: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        try:  # an address is its own answer, as for the real resolver
            found = [str(ipaddress.ip_address(str(host)))]
        except ValueError:
            asked.append(str(host))
            found = rounds[min(len(asked), len(rounds)) - 1]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, int(port or 0)),
            )
            for a in found
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


@pytest.mark.parametrize(
    "address",
    [
        "100.64.0.1",  # shared (carrier-grade NAT)
        "100.127.255.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2001::1",  # Teredo
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "::ffff:10.0.0.1",
        "fe80::1",
        "fc00::1",
        "fec0::1",
        "0.0.0.0",
        "198.18.0.1",
        "224.0.0.1",
        "ff0e::1",
        "240.0.0.1",
        "169.254.169.254",
    ],
)
def test_it_refuses_special_ranges(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    assert private_target_reason(f"https://{host}/hook"), address


def test_it_refuses_a_name_with_any_internal_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    answers(monkeypatch, ["93.184.215.14", "100.64.1.2"])
    reason = private_target_reason("https://mixed.example/hook")
    assert reason is not None and "mixed.example is a shared" in reason
    assert "100.64.1.2" not in reason
    assert "DEVDAY_OUTBOUND_ALLOW" in reason


def test_it_allows_public_addresses() -> None:
    for url in ("https://93.184.215.14/hook", "https://[2606:4700:4700::1111]/"):
        assert private_target_reason(url) is None, url


def test_it_allows_what_the_administrator_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    answers(monkeypatch, ["10.0.0.7"])
    policy = OutboundPolicy.of(
        allow_private=False, allow="10.0.0.5, imap.internal:993, 10.1.0.0/16, 7=chat.internal"
    )
    assert resolve("10.0.0.5", 443, policy).address == "10.0.0.5"
    assert resolve("10.1.200.3", 80, policy).address == "10.1.200.3"
    with pytest.raises(Refused, match=r"10\.0\.0\.6 is a private address"):
        resolve("10.0.0.6", 443, policy)
    assert resolve("imap.internal", 993, policy).address == "10.0.0.7"
    with pytest.raises(Refused):  # the entry names port 993 only
        resolve("imap.internal", 143, policy)
    assert resolve("chat.internal", 443, policy, team_id=7).address == "10.0.0.7"
    with pytest.raises(Refused):  # that entry is for team 7 only
        resolve("chat.internal", 443, policy, team_id=8)
    with pytest.raises(Refused):
        resolve("other.internal", 443, policy)
    assert resolve("anything.internal", 1, OutboundPolicy.of(allow_private=True)).address


def test_it_reads_v6_entries_and_refuses_unreadable_ones() -> None:
    policy = OutboundPolicy.of(allow_private=False, allow="[fd00::1]:993, fd01::/16")
    assert resolve("fd00::1", 993, policy).address == "fd00::1"
    assert resolve("fd01::9", 5, policy).address == "fd01::9"
    with pytest.raises(Refused):
        resolve("fd00::1", 994, policy)
    for bad in ("host:port", "x=10.0.0.1", "a b", "10.0.0.1:70000", "bad/host"):
        with pytest.raises(ValueError, match="DEVDAY_OUTBOUND_ALLOW"):
            parse_allow(bad)
    with pytest.raises(ValidationError):
        Settings(outbound_allow="imap.internal:nope")


def test_it_connects_a_webhook_to_the_address_it_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with http_server({"/hook": (204, [], b"")}) as server:
        port = int(server.url.rsplit(":", 1)[1])
        # A second resolution would lead to 127.0.0.2, where nothing listens.
        asked = answers(monkeypatch, ["127.0.0.1"], ["127.0.0.2"])
        policy = OutboundPolicy.of(allow_private=False, allow="hook.test")
        sender = WebhookSender(timeout=5, outbound=policy)
        sender.deliver(message(f"http://hook.test:{port}/hook"))
        sender.close()
    assert asked == ["hook.test"]  # resolved once
    [request] = server.requests
    assert request.headers["Host"] == f"hook.test:{port}"


def test_it_tries_the_next_checked_address_when_the_first_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with http_server({"/hook": (204, [], b"")}) as server:
        port = int(server.url.rsplit(":", 1)[1])
        asked = answers(monkeypatch, ["127.0.0.2", "127.0.0.1"], ["127.0.0.3"])
        policy = OutboundPolicy.of(allow_private=False, allow="127.0.0.0/8")
        sender = WebhookSender(timeout=5, outbound=policy)
        sender.deliver(message(f"http://two.test:{port}/hook"))
        sender.close()
    assert asked == ["two.test"] and server.hits["/hook"] == 1


def test_it_refuses_a_name_rebound_to_an_internal_address_at_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with http_server({"/hook": (204, [], b"")}) as server:
        port = int(server.url.rsplit(":", 1)[1])
        answers(monkeypatch, ["127.0.0.1"])
        sender = WebhookSender(timeout=5, outbound=STRICT)
        with pytest.raises(DeliveryError, match=r"refused: rebound\.test is a loopback address"):
            sender.deliver(message(f"http://rebound.test:{port}/hook"))
        sender.close()
    assert server.hits["/hook"] == 0


def test_a_probe_speaks_tls_to_the_name_and_connects_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ca = CertificateAuthority()
    with https_server(strong_routes(), ca.issue(days=30, hosts=("app.test",))) as server:
        port = int(server.url.rsplit(":", 1)[1])
        asked = answers(monkeypatch, ["127.0.0.1"], ["127.0.0.2"])
        policy = OutboundPolicy.of(allow_private=False, allow="app.test")

        async def go() -> ProbeResult:
            transport = GuardedAsyncTransport(policy, verify=ca.client_context())
            async with httpx.AsyncClient(transport=transport) as client:
                spec = ProbeSpec(check_id=1, due_at=NOW, url=f"https://app.test:{port}/")
                return await probe(client, spec, MockClock(NOW))

        result = asyncio.run(go())
    assert result.error is None and result.status_code == 200  # certificate for app.test held
    assert result.cert_days_left is not None
    assert asked == ["app.test"]


def message(target: str) -> Outgoing:
    return Outgoing(
        delivery_id="1" * 32,
        kind=ChannelKind.webhook,
        target=target,
        secret="s",
        subject="s",
        text="t",
        html=None,
        payload={},
    )


def test_errors_never_repeat_what_a_non_http_server_sends() -> None:
    server = RawServer(b"SSH-2.0-OpenSSH_9.6 internal-bastion-7\r\n\r\n")
    try:
        target = f"http://127.0.0.1:{server.port}/hook"
        sender = WebhookSender(timeout=5, outbound=ALLOW_ALL)
        with pytest.raises(DeliveryError) as raised:
            sender.deliver(message(target))
        sender.close()

        async def go() -> ProbeResult:
            async with httpx.AsyncClient(transport=GuardedAsyncTransport(ALLOW_ALL)) as client:
                spec = ProbeSpec(check_id=1, due_at=NOW, url=target, timeout=5)
                return await probe(client, spec, MockClock(NOW))

        result = asyncio.run(go())
    finally:
        server.stop()
    for error in (str(raised.value), result.error or ""):
        assert "not HTTP" in error and "port" in error
        assert "SSH" not in error and "bastion" not in error


def test_a_refusal_of_a_name_does_not_tell_the_address_it_resolves_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *_args, **_kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 443))],
    )
    with pytest.raises(netguard.Refused) as refused:
        netguard.resolve("db.internal.example", 443, netguard.STRICT)
    assert "db.internal.example is a private address" in str(refused.value)
    assert "10.20.30.40" not in str(refused.value)
