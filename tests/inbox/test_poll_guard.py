"""The team mailbox's poll goes through the outbound guard, never repeats what the far end
sent, and holds no database transaction while it talks to the mail server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.inbox import imap
from devday.netguard import OutboundPolicy
from devday.wiring import job_registry
from tests.factories import Account, api_team
from tests.inbox.imap_server import ImapServer, Mailbox
from tests.inbox.support import inbox
from tests.inbox.test_mail import a_mail, set_up
from tests.jobs.support import make_worker


class RawServer:
    """A TCP server on loopback that sends ``greeting`` to whoever connects (nothing when
    empty) and keeps the connection open until stopped."""

    def __init__(self, greeting: bytes = b"") -> None:
        self.greeting = greeting
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self._open.append(conn)
            if self.greeting:
                conn.sendall(self.greeting)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self._open:
            conn.close()
        self._listener.close()


@pytest.fixture
def strict(app: FastAPI) -> Any:
    """The app's server settings with no internal address allowed (the default)."""
    settings = app.state.devday.settings
    settings.allow_private_urls = False
    settings.outbound_allow = ""
    return settings


def mailbox_team(
    client: TestClient, alice: Account, bob: Account, port: int, team: int | None = None
) -> int:
    team = team or api_team(client, alice, members=[bob])
    set_up(
        client,
        alice,
        team,
        imap_enabled=True,
        imap_host="127.0.0.1",
        imap_port=port,
        imap_tls=False,
        imap_user="requests",
        imap_password="secret",
    )
    return team


def poll(client: TestClient, who: Account, team: int) -> Response:
    return client.post(f"/api/v1/teams/{team}/inbox/poll", headers=who.headers)


BANNER = b"J\x00\x00\x00\n5.7.33-MySQL-internal-db-7\x00secret-salt\x00"


def test_it_refuses_a_mailbox_on_loopback_when_it_is_saved(
    client: TestClient, strict: Any, alice: Account
) -> None:
    team = api_team(client, alice)
    for host in ("127.0.0.1", "localhost", "10.0.0.5", "100.64.0.1", "2002:7f00:1::", "::1"):
        answer = client.patch(
            f"/api/v1/teams/{team}/inbox",
            json={"imap_host": host, "imap_port": 3306, "imap_tls": False},
            headers=alice.headers,
        )
        assert answer.status_code == 422, (host, answer.text)
        assert answer.json()["errors"][0]["field"] == "imap_host"
        assert "DEVDAY_OUTBOUND_ALLOW" in answer.json()["detail"]


def test_a_plain_member_cannot_make_the_server_look_a_mailbox_host_up(
    client: TestClient, strict: Any, alice: Account, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = api_team(client, alice, members=[bob])
    looked_up: list[str] = []

    def resolver(host: str, *_args: Any, **_kwargs: Any) -> list[Any]:
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 993))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    answer = client.patch(
        f"/api/v1/teams/{team}/inbox",
        json={"imap_host": "db.internal.example", "imap_port": 993},
        headers=bob.headers,
    )
    assert answer.status_code == 403, answer.text
    assert looked_up == []


def test_it_refuses_a_mailbox_on_loopback_at_poll_time_without_connecting(
    client: TestClient, strict: Any, alice: Account, bob: Account
) -> None:
    server = RawServer(BANNER)
    try:
        # Allowed when it was saved; the administrator has taken that back since.
        strict.outbound_allow = "127.0.0.1"
        team = mailbox_team(client, alice, bob, server.port)
        strict.outbound_allow = ""
        answer = poll(client, bob, team)
    finally:
        server.stop()
    assert answer.status_code == 200
    error = answer.json()["error"]
    assert "loopback" in error and "DEVDAY_OUTBOUND_ALLOW" in error
    assert server.connections == 0


@pytest.mark.parametrize(
    "greeting", [BANNER, b"HTTP/1.1 400 Bad Request\r\nServer: internal-admin\r\n\r\n"]
)
def test_it_never_repeats_what_a_non_imap_server_sends(
    client: TestClient, strict: Any, alice: Account, bob: Account, greeting: bytes
) -> None:
    server = RawServer(greeting)
    try:
        strict.outbound_allow = f"127.0.0.1:{server.port}"
        team = mailbox_team(client, alice, bob, server.port)
        error = poll(client, bob, team).json()["error"]
    finally:
        server.stop()
    assert server.connections == 1
    assert "does not answer as an IMAP server" in error and "imap_port" in error
    for leaked in ("MySQL", "secret", "HTTP/1.1", "Bad Request", "internal"):
        assert leaked not in error
    setup = client.get(f"/api/v1/teams/{team}/inbox", headers=bob.headers).json()
    assert setup["last_error"] == error


def test_it_polls_a_mailbox_the_administrator_allows(
    client: TestClient, strict: Any, alice: Account, bob: Account
) -> None:
    box = Mailbox(user="requests", password="secret")
    server = ImapServer(box).start()
    try:
        box.deliver(a_mail())
        team, other = (
            api_team(client, alice, members=[bob]),
            api_team(client, alice, "Other", members=[bob]),
        )
        # For this team only: the other team may not save it, nor poll it.
        strict.outbound_allow = f"{team}=127.0.0.1:{server.port}"
        mailbox_team(client, alice, bob, server.port, team)
        refused = client.patch(
            f"/api/v1/teams/{other}/inbox",
            json={"imap_host": "127.0.0.1", "imap_port": server.port},
            headers=alice.headers,
        )
        assert refused.status_code == 422
        assert poll(client, bob, team).json() == {"fetched": 1, "new": 1, "error": None}
    finally:
        server.stop()
    assert [i["subject"] for i in inbox(client, alice)] == ["Export to CSV times out"]


@pytest.fixture
def silent() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.stop()


def test_a_poll_to_a_silent_host_holds_up_nobody(
    client: TestClient,
    strict: Any,
    alice: Account,
    bob: Account,
    silent: RawServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap, "IMAP_TIMEOUT", 4.0)
    strict.outbound_allow = f"127.0.0.1:{silent.port}"
    team = mailbox_team(client, alice, bob, silent.port)
    answers: list[Response] = []
    polling = threading.Thread(target=lambda: answers.append(poll(client, bob, team)))
    polling.start()
    deadline = time.monotonic() + 3
    while silent.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert silent.connections == 1  # the poll is now waiting on the silent host

    begun = time.monotonic()
    written = client.post(
        "/api/v1/tasks", json={"title": "Write while polling"}, headers=alice.headers
    )
    took = time.monotonic() - begun
    assert written.status_code == 201, written.text
    assert took < 2.0 and polling.is_alive()  # the write did not wait for the poll

    again = poll(client, alice, team)  # one poll of a mailbox at a time
    assert again.status_code == 409, again.text
    assert polling.is_alive()

    polling.join(timeout=15)
    [answer] = answers
    assert answer.status_code == 200
    assert "did not answer within 4 s" in answer.json()["error"]
    # The mailbox was given back: the next poll takes it (a held one is answered 409 first),
    # then is refused by the guard at once rather than wait on the silent host again.
    strict.outbound_allow = ""
    after = poll(client, bob, team)
    assert after.status_code == 200, after.text
    assert after.json()["error"]


def test_poll_now_is_rate_limited_per_team(
    client: TestClient, strict: Any, alice: Account, bob: Account
) -> None:
    strict.inbox_poll_limit_per_team = "2/minute"
    strict.outbound_allow = "127.0.0.1:9"
    team = mailbox_team(client, alice, bob, 9)
    strict.outbound_allow = ""  # refused by the guard from now on: quick answers
    assert [poll(client, bob, team).status_code for _ in range(2)] == [200, 200]
    limited = poll(client, alice, team)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def test_a_scheduled_poll_to_a_silent_host_holds_up_nobody(
    client: TestClient,
    strict: Any,
    alice: Account,
    bob: Account,
    silent: RawServer,
    engine: Engine,
    clock: MockClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap, "IMAP_TIMEOUT", 4.0)
    strict.outbound_allow = f"127.0.0.1:{silent.port}"
    team = mailbox_team(client, alice, bob, silent.port)
    allowed = OutboundPolicy.of(allow_private=False, allow=f"127.0.0.1:{silent.port}")
    worker = make_worker(engine, clock, web=None, registry=job_registry(outbound=allowed))  # type: ignore[arg-type]
    worker.start_up()
    worker.run_once()  # the sweep queues the team's poll; the next round runs it
    polling = threading.Thread(target=worker.run_once)
    polling.start()
    deadline = time.monotonic() + 3
    while silent.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert silent.connections == 1

    begun = time.monotonic()
    written = client.post(
        "/api/v1/tasks", json={"title": "Write while polling"}, headers=alice.headers
    )
    assert written.status_code == 201, written.text
    assert time.monotonic() - begun < 2.0 and polling.is_alive()
    assert poll(client, bob, team).status_code == 409  # the job holds the mailbox

    polling.join(timeout=15)
    setup = client.get(f"/api/v1/teams/{team}/inbox", headers=bob.headers).json()
    assert "did not answer within 4 s" in setup["last_error"]
