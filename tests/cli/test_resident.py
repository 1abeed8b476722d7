"""The resident local server: the first local command answers in its own process and leaves a
server behind; the next ones are answered by it, importing none of the database stack, with the
same answers and errors; it exits when idle, and is named by the settings it serves."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devday.cli import resident
from devday.cli.client import CliError
from tests.cli.conftest import Run, create_user

DEVDAY = str(Path(sys.executable).parent / "devday")
# The CLI's entry point under `python -X importtime`, which lists every module imported.
ENTRY = "import sys; from devday.cli.quick import main; main()"
# A server as it starts: it holds the lock file named by argv[1] and has written only its pid.
HOLD_LOCK = (
    "import fcntl, os, sys, time; lock = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600); "
    "fcntl.flock(lock, fcntl.LOCK_EX); os.write(lock, str(os.getpid()).encode()); time.sleep(60)"
)


@pytest.fixture
def runtime(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private folder for the sockets (short: a socket's path may have 104 bytes), and the
    server turned on (the suite turns it off)."""
    folder = Path(tempfile.mkdtemp(prefix="dd-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("DEVDAY_RESIDENT_MINUTES", "5")
    yield folder / "devday"
    shutil.rmtree(folder, ignore_errors=True)


def devday(*args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DEVDAY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        input=input,
        timeout=60,
    )


def wait_for_server(path: Path) -> int:
    """The pid of the server listening at ``path``, once it answers connections."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(path))
            record = resident.lock_record(path)
            if record is not None:
                return record[0]
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"no server answered at {path}")


def stop(pid: int, path: Path) -> None:
    resident.stop(pid)
    deadline = time.monotonic() + 15
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not path.exists(), "the server left its socket behind"


def test_the_next_commands_are_answered_by_the_server_the_first_left(
    run: Run, runtime: Path, cli_env: Path
) -> None:
    create_user(run, "alex@example.com")
    first = devday("task", "add", "Fix login", "--estimate", "1h")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "added #1 P3 Fix login\n"
    path = resident.socket_path(cli_env)
    assert path is not None and path.parent == runtime
    pid = wait_for_server(path)
    try:
        assert oct(runtime.stat().st_mode & 0o777) == "0o700"
        # Answered by the server: the command imports neither SQLAlchemy nor pydantic.
        listed = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", ENTRY, "task", "list"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert "Fix login" in listed.stdout
        imported = {line.split("|")[-1].strip() for line in listed.stderr.splitlines()}
        assert "devday.cli.client" in imported
        assert not {m for m in imported if m.startswith(("sqlalchemy", "pydantic", "fastapi"))}
        # A change made through the server is in the database, as a command in process sees it.
        assert devday("task", "add", "Write the docs").stdout == "added #2 P3 Write the docs\n"
        alone = devday("task", "list", DEVDAY_RESIDENT_MINUTES="0")
        assert "Fix login" in alone.stdout and "Write the docs" in alone.stdout
        assert devday("task", "list").stdout == alone.stdout
        # Errors read as they do in process.
        nobody = devday("--user", "nobody@example.com", "task", "list")
        assert nobody.returncode == 1
        assert nobody.stderr == (
            "error: no account 'nobody@example.com' in the local database; "
            "create it with 'devday user create nobody@example.com'\n"
        )
        missing = devday("task", "show", "99")
        assert (missing.returncode, missing.stderr) == (1, "error: task 99 not found\n")
        assert wait_for_server(path) == pid  # one server served them all
    finally:
        stop(pid, path)


def test_a_socket_left_by_a_server_that_died_is_replaced(
    run: Run, runtime: Path, cli_env: Path
) -> None:
    create_user(run, "alex@example.com")
    path = resident.socket_path(cli_env)
    assert path is not None
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(path))  # a socket file nobody listens on
    done = devday("task", "add", "Fix login")
    assert done.returncode == 0 and done.stdout == "added #1 P3 Fix login\n", done.stderr
    pid = wait_for_server(path)
    try:
        assert "Fix login" in devday("task", "list").stdout
    finally:
        stop(pid, path)


def test_a_database_file_made_anew_is_not_served_by_the_server_of_the_old_one(
    run: Run, runtime: Path, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SQLite file in the data folder, whatever database the suite runs on: this is about files.
    monkeypatch.delenv("DEVDAY_DATABASE_URL")
    database = cli_env / "devday.sqlite3"
    made = devday("user", "create", "alex@example.com", "--timezone", "Europe/Berlin",
                  "--password-stdin", input="a long enough password\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert devday("task", "add", "Fix login").returncode == 0
    path = resident.socket_path(cli_env)
    assert path is not None
    old = wait_for_server(path)
    database.rename(cli_env / "old.sqlite3")  # the user starts over with a new database
    alone = devday("task", "list", DEVDAY_RESIDENT_MINUTES="0")
    assert alone.stderr.startswith("error: no account "), alone.stderr
    fresh = devday("task", "list")
    assert fresh.stderr == alone.stderr  # not the old file's tasks
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the old file's server was stopped
        try:
            os.kill(old, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the old file's server is still running")
    stop(wait_for_server(path), path)  # the next one, started for the new file


def test_the_server_exits_when_idle(runtime: Path, cli_env: Path, run: Run) -> None:
    create_user(run, "alex@example.com")
    path = resident.socket_path(cli_env)
    assert path is not None
    server = subprocess.Popen([sys.executable, "-m", "devday.cli.resident", str(path), "1"])
    try:
        wait_for_server(path)
        assert server.wait(timeout=30) == 0
        assert not path.exists()
    finally:
        server.kill()


def test_each_data_folder_and_setting_has_its_own_server(
    runtime: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = resident.socket_path(tmp_path / "a")
    assert first is not None and first.parent == runtime
    assert resident.socket_path(tmp_path / "b") != first
    monkeypatch.setenv("DEVDAY_USER", "sam@example.com")  # who asks, not what serves
    assert resident.socket_path(tmp_path / "a") == first
    monkeypatch.setenv("DEVDAY_OUTBOUND_ALLOW", "10.0.0.0/8")
    assert resident.socket_path(tmp_path / "a") not in (first, None)


def test_a_new_server_stops_the_ones_other_settings_started_for_its_data_folder(
    run: Run, runtime: Path, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One server a data folder: an edited source file or another setting would otherwise
    leave a server behind for its whole idle time."""
    create_user(run, "alex@example.com")
    old_path = resident.socket_path(cli_env)
    elsewhere = resident.socket_path(tmp_path / "another-folder")
    assert old_path is not None and elsewhere is not None
    servers = [
        subprocess.Popen([sys.executable, "-m", "devday.cli.resident", str(path), "300"])
        for path in (old_path, elsewhere)
    ]
    # A record left by a server that died names a pid that is someone else's now.
    stranger = subprocess.Popen(["sleep", "60"])
    folder_part = old_path.name.split("-", 1)[0]
    (runtime / f"{folder_part}-{'0' * 16}.sock.lock").write_text(f"{stranger.pid} -")
    # A server still starting holds its lock and has written only its pid.
    starting_lock = runtime / f"{folder_part}-{'1' * 16}.sock.lock"
    starting = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(starting_lock)])
    servers.append(starting)
    try:
        wait_for_server(old_path)
        wait_for_server(elsewhere)
        deadline = time.monotonic() + 30
        while not (starting_lock.exists() and starting_lock.read_text()):
            assert time.monotonic() < deadline, "the starting server never took its lock"
            time.sleep(0.05)
        monkeypatch.setenv("DEVDAY_OUTBOUND_ALLOW", "10.0.0.0/8")
        new_path = resident.socket_path(cli_env)
        assert new_path not in (old_path, None)
        assert devday("task", "add", "Fix login").returncode == 0
        new = wait_for_server(new_path)
        assert servers[0].wait(timeout=30) == 0  # the folder's older server stopped
        assert not old_path.exists()
        assert servers[1].poll() is None and elsewhere.exists()  # another folder's kept its own
        assert starting.wait(timeout=30) == -signal.SIGTERM
        assert stranger.poll() is None  # and no signal went to a pid a dead server named
        assert "Fix login" in devday("task", "list").stdout
        stop(new, new_path)
        stop(servers[1].pid, elsewhere)
    finally:
        for process in (*servers, stranger):
            process.kill()
            process.wait()


def test_it_uses_no_folder_that_others_may_open_or_too_long_a_path(
    runtime: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = runtime.parent / "shared"
    (shared / "devday").mkdir(parents=True)
    (shared / "devday").chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert resident.socket_path(tmp_path) is None
    assert resident.client(tmp_path, None) is None
    deep = runtime.parent / ("x" * 80)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert resident.socket_path(tmp_path) is None


def test_it_is_turned_off_by_zero_minutes_and_refuses_a_bad_value(
    runtime: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(os, "posix_spawn", lambda path, argv, env, **kw: started.append(argv))
    resident.start(tmp_path)
    assert len(started) == 1 and started[0][-1] == "300"  # 5 minutes, in seconds
    monkeypatch.delenv("DEVDAY_RESIDENT_MINUTES")
    resident.start(tmp_path)
    assert len(started) == 2 and started[1][-1] == "10800"  # three hours unless told
    monkeypatch.setenv("DEVDAY_RESIDENT_MINUTES", "0")
    resident.start(tmp_path)
    assert len(started) == 2
    monkeypatch.setenv("DEVDAY_RESIDENT_MINUTES", "soon")
    with pytest.raises(CliError, match="DEVDAY_RESIDENT_MINUTES: 'soon' is not a whole number"):
        resident.start(tmp_path)
