"""A connection kept alive for a team that the administrator allows more than others is
never reused for another team (or for no team): the check runner and the webhook sender keep
such a team's connections in pools of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from devday.checks.probe import ProbeResult, ProbeSpec, probe
from devday.checks.runner import Clients
from devday.clock import MockClock
from devday.netguard import OutboundPolicy
from devday.notify.delivery import DeliveryError, Outgoing, WebhookSender
from devday.notify.models import ChannelKind

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TEAM, OTHER = 1, 2


class KeepAliveServer:
    """HTTP/1.1 on 127.0.0.1 that keeps connections open and counts them."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with lock:
                    outer.connections += 1

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with lock:
                    outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def policy(self) -> OutboundPolicy:
        port = self._server.server_address[1]
        return OutboundPolicy.of(allow_private=False, allow=f"{TEAM}=127.0.0.1:{port}")


@pytest.fixture
def server() -> Iterator[KeepAliveServer]:
    running = KeepAliveServer()
    running._thread.start()
    yield running
    running._server.shutdown()
    running._server.server_close()


def test_a_checks_kept_connection_is_its_teams_only(server: KeepAliveServer) -> None:
    clock = MockClock(NOW)

    async def go() -> list[ProbeResult]:
        # concurrency 4: one shared client, so every check of a team without entries shares it
        async with Clients(4, False, server.policy) as clients:
            found = []
            for check_id, team_id in ((1, TEAM), (1, TEAM), (2, OTHER), (3, None)):
                spec = ProbeSpec(check_id=check_id, due_at=NOW, url=server.url, team_id=team_id)
                found.append(await probe(clients.for_check(check_id, team_id), spec, clock))
            return found

    first, again, other, nobody = asyncio.run(go())
    assert (first.status_code, again.status_code) == (200, 200)
    assert server.connections == 1  # the team's connection was kept and used again
    for refused in (other, nobody):
        assert refused.status_code is None and refused.error is not None
        assert refused.error.startswith("refused: 127.0.0.1 is a loopback address")
    assert server.requests == 2


def outgoing(url: str, team_id: int | None) -> Outgoing:
    return Outgoing(
        delivery_id="0" * 32,
        kind=ChannelKind.webhook,
        target=url,
        secret="s",
        subject="s",
        text="t",
        html=None,
        payload={},
        team_id=team_id,
    )


def test_a_webhooks_kept_connection_is_its_teams_only(server: KeepAliveServer) -> None:
    sender = WebhookSender(timeout=5, outbound=server.policy)
    try:
        sender.deliver(outgoing(server.url, TEAM))
        sender.deliver(outgoing(server.url, TEAM))
        assert server.connections == 1  # kept and used again
        for team_id in (OTHER, None):
            with pytest.raises(DeliveryError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
                sender.deliver(outgoing(server.url, team_id))
    finally:
        sender.close()
    assert server.requests == 2
