"""The CLI against a real devday server over HTTP: uvicorn on 127.0.0.1, in a thread."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tests.cli.conftest import Run, create_user
from tests.factories import PASSWORD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none"
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def test_it_logs_in_and_works_with_tasks_over_http(run: Run, server: str, cli_env: Path) -> None:
    created = create_user(run, "alex@example.com", "Europe/Berlin", "--server", server)
    assert f"created alex@example.com on {server}; now run 'devday login'" in created.output

    bad = run("--server", server, "login", "--email", "alex@example.com", "--password-stdin",
              input="wrong password\n")  # fmt: skip
    assert bad.exit_code == 1
    assert bad.stderr == "error: wrong email or password\n"

    # The server named after the command, as the README writes it (before it works too).
    login = run("login", "--server", server + "/", "--email", "alex@example.com",
                "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert login.exit_code == 0, login.output
    assert login.output.startswith(f"logged in to {server} as alex@example.com")
    saved = json.loads((cli_env / "cli.json").read_text())
    assert saved["server"] == server
    assert saved["tokens"][server].startswith("dd_")

    # The saved server is used from now on, with no --server.
    added = run("task", "add", "Ship the CLI", "-d", "fri 17:00", "-e", "1h", "-t", "cli")
    assert added.exit_code == 0, added.output
    assert added.output == "added #1 P3 Ship the CLI, due Fri 04 Dec 17:00\n"
    listed = run("task", "list")
    assert listed.exit_code == 0, listed.output
    assert "Ship the CLI" in listed.output
    assert f"via:       {server}" in run("me").output
    tokens = json.loads(run("token", "list", "--json").output)
    assert tokens[0]["last_used_at"] is not None

    assert (
        run("logout").output
        == f"logged out of {server} (the token stays valid until revoked there)\n"
    )
    # Back to the local database (here the server's own, so alex is its only account).
    assert "via:       the local database" in run("me").output


def test_login_asks_for_a_server_and_refuses_one_that_is_not_a_url(run: Run) -> None:
    nowhere = run("login", "--email", "alex@example.com", "--password-stdin", input="pw\n")
    assert nowhere.exit_code == 1
    assert nowhere.stderr == (
        "error: name the server: devday login --server https://devday.example.com\n"
    )
    bad = run("login", "--server", "devday.example.com", "--email", "a@example.com")
    assert bad.exit_code == 1
    assert bad.stderr == "error: --server: 'devday.example.com' is not an http:// or https:// URL\n"


def test_it_names_a_server_it_cannot_reach(run: Run) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    result = run("--server", closed, "--token", "dd_x", "task", "list")
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot reach {closed}: connection refused\n"


def test_it_tells_how_to_log_in_when_the_token_is_refused(run: Run, server: str) -> None:
    result = run("--server", server, "--token", "dd_not-a-token", "me")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: unknown or revoked API token (run 'devday --server {server} login')\n"
    )
    no_token = run("--server", server, "me")
    assert no_token.stderr == (
        f"error: not logged in to {server}; run 'devday --server {server} login' "
        "or set DEVDAY_TOKEN\n"
    )


def test_it_refuses_a_server_that_is_not_a_url(run: Run) -> None:
    result = run("--server", "devday.example.com", "me")
    assert result.exit_code == 1
    assert (
        result.stderr == "error: --server: 'devday.example.com' is not an http:// or https:// URL\n"
    )
