"""`devday serve` as an administrator runs it: several processes over one database, and behind a
TLS proxy. Each test starts the real command in a child process and talks to it over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devday.checks.observatory import ObservedResponse, grade
from tests.cli.test_remote import free_port
from tests.factories import PASSWORD

DEVDAY = str(Path(sys.executable).parent / "devday")


@dataclass
class Served:
    url: str
    pid: int
    log: str = ""  # what the command printed, once it has stopped


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``devday serve ARGS`` on a free port until the block ends, then stopped with Ctrl+C."""
    port = free_port()
    log = tempfile.TemporaryFile("w+")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(
        [DEVDAY, "serve", "--no-demo", "--port", str(port), *args],
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    served = Served(url, process.pid)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(f"the server stopped at start:\n{log.read()[-3000:]}")
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        served.log = log.read()
        log.close()


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent id follows it.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.fixture
def env(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DEVDAY_REDIS_URL", raising=False)
    for name in ("DEVDAY_WORKERS", "DEVDAY_TRUSTED_PROXIES", "DEVDAY_HTTPS_REDIRECT"):
        monkeypatch.delenv(name, raising=False)
    return cli_env


def sign_up(url: str) -> dict[str, str]:
    made = httpx.post(
        f"{url}/api/v1/users",
        json={"email": "ops@example.com", "name": "Ops", "password": PASSWORD},
    )
    assert made.status_code == 201, made.text
    token = httpx.post(
        f"{url}/api/v1/auth/token",
        json={"email": "ops@example.com", "password": PASSWORD, "name": "test"},
    )
    assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


def test_two_processes_serve_one_database_and_share_the_work(env: Path) -> None:
    with serving("--workers", "2") as served:
        url = served.url
        workers = children(served.pid)
        spawned = [
            pid
            for pid in workers
            if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        ]
        assert len(spawned) == 2, workers
        headers = sign_up(url)

        def add(n: int) -> int:
            # A connection of its own each time, so that either process may take it.
            with httpx.Client(base_url=url, headers=headers) as client:
                answer = client.post("/api/v1/tasks", json={"title": f"Task {n}"})
                return answer.status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(add, range(40)))
        assert statuses == [201] * 40
        listed = httpx.get(f"{url}/api/v1/tasks", params={"limit": 100}, headers=headers)
        assert sorted(t["title"] for t in listed.json()["items"]) == sorted(
            f"Task {n}" for n in range(40)
        )
    log = served.log
    assert "in 2 processes" in log
    # Limits kept in each process apart are a weakness the administrator is told about.
    assert "without DEVDAY_REDIS_URL" in log
    assert not [pid for pid in spawned if Path(f"/proc/{pid}").exists()]


def test_behind_a_tls_proxy_the_headers_earn_an_a(env: Path) -> None:
    proxy = {"DEVDAY_HTTPS_REDIRECT": "true", "DEVDAY_TRUSTED_PROXIES": "127.0.0.1"}
    with serving(env=proxy) as served:
        url = served.url
        public = {"Host": "devday.example"}
        plain = httpx.get(
            f"{url}/login", headers={**public, "X-Forwarded-Proto": "http"}, follow_redirects=False
        )
        assert plain.status_code in (301, 307, 308)
        assert plain.headers["location"] == "https://devday.example/login"
        secure = httpx.get(f"{url}/login", headers={**public, "X-Forwarded-Proto": "https"})
        assert secure.status_code == 200
        assert "max-age=" in secure.headers["strict-transport-security"]
        assert all("secure" in c.lower() for c in secure.headers.get_list("set-cookie"))
        observed = ObservedResponse(
            url="https://devday.example/login",
            status=secure.status_code,
            headers=list(secure.headers.multi_items()),
            redirects=["http://devday.example/login", "https://devday.example/login"],
            http_redirects_to_https=True,
        )
        result = grade(observed)
        assert result.grade == "A+", (result.score, [t for t in result.tests if not t.passed])


def test_a_forwarded_header_from_an_untrusted_address_is_not_believed(env: Path) -> None:
    proxy = {"DEVDAY_HTTPS_REDIRECT": "true", "DEVDAY_TRUSTED_PROXIES": "192.0.2.1"}
    with serving(env=proxy) as served:
        url = served.url
        forged = httpx.get(
            f"{url}/login",
            headers={"Host": "devday.example", "X-Forwarded-Proto": "https"},
            follow_redirects=False,
        )
        # Seen as the plain HTTP it is: sent to https, and no HSTS on plain HTTP.
        assert forged.status_code in (301, 307, 308)
        assert "strict-transport-security" not in forged.headers


def test_a_server_killed_mid_load_loses_no_acknowledged_write(env: Path) -> None:
    """kill -9 while eight clients add tasks: every task the server said it created (201) is
    there after a restart, on SQLite and on PostgreSQL."""
    acknowledged: list[int] = []
    with serving("--no-worker") as served:
        headers = sign_up(served.url)
        stop = time.monotonic() + 60

        def write(n: int) -> None:
            with httpx.Client(base_url=served.url, headers=headers, timeout=10) as client:
                for i in range(10_000):
                    if time.monotonic() > stop:
                        return
                    try:
                        answer = client.post("/api/v1/tasks", json={"title": f"w{n} {i}"})
                    except httpx.TransportError:
                        return  # the server is gone: what it acknowledged is counted
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["id"])

        with ThreadPoolExecutor(8) as pool:
            writers = [pool.submit(write, n) for n in range(8)]
            while len(acknowledged) < 100 and time.monotonic() < stop:
                time.sleep(0.05)
            os.kill(served.pid, signal.SIGKILL)
            for writer in writers:
                writer.result()
    assert len(acknowledged) >= 100
    with serving("--no-worker") as again:
        listed: set[int] = set()
        offset: int | None = 0
        while offset is not None:
            page = httpx.get(
                f"{again.url}/api/v1/tasks",
                params={"limit": 200, "offset": offset},
                headers=headers,
            ).json()
            listed |= {t["id"] for t in page["items"]}
            offset = page["next_offset"]
    assert set(acknowledged) <= listed, f"{len(set(acknowledged) - listed)} acknowledged lost"
