"""The resident local server: local mode's API kept running between commands.

A local command (no server named) spends most of its time on Python importing SQLAlchemy,
pydantic and devday's domains before it reads a row. So a local command that finds no resident
server answers in its own process as before (``devday.cli.local``) and then starts one: a
process that serves the same JSON API over a Unix socket, built as the in-process API is
(``create_app(trust_local_user=True, pages=False)`` over the same database). The next commands
send their requests there over a socket (``devday.cli.wire``) and import none of that.

- The server exits after ``DEVDAY_RESIDENT_MINUTES`` (default 180, as Gradle's and Bazel's
  servers wait three hours) without a request; ``DEVDAY_RESIDENT_MINUTES=0`` turns it off, and
  every command answers in its own process.
- Its socket is named by the data folder, the ``DEVDAY_*`` settings and a fingerprint of
  devday's code, so that another setting, an upgrade or an edited source file gets a server of
  its own. A data folder has one server at a time: a new one stops the servers of the same
  folder that other settings or older code started, so none of them lingers for its idle time.
  A server records the SQLite file it opened; a command that finds another file at the
  database's path (deleted and made anew) stops that server and answers in its own process.
- The sockets live in ``$XDG_RUNTIME_DIR/devday`` (else ``/tmp/devday-<uid>``), a folder only
  its owner may open: a request there acts as any account of the database, as opening the
  database file itself would. A folder another user made, or one others may open, is not used,
  nor one whose path is too long for a socket.
- A command whose clock is pinned (the tests') or that keeps its backend across commands never
  uses one.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devday.account.localuser import LOCAL_USER_HEADER
from devday.cli import runtime
from devday.cli.client import ApiClient, CliError, StdlibTransport
from devday.cli.local import WHERE

if TYPE_CHECKING:
    from devday.cli.envsettings import EnvSettings
    from devday.config import Settings

MINUTES_VARIABLE = "DEVDAY_RESIDENT_MINUTES"
DEFAULT_MINUTES = 180
USER_PATH = "/resident/user"
MAX_SOCKET_PATH = 104  # bytes a Unix socket's path may have (108 on Linux, 104 elsewhere)
# Variables that change what a command asks, not what the server is: not in the socket's name.
_CLIENT_ONLY = frozenset({"DEVDAY_USER", "DEVDAY_SERVER", "DEVDAY_TOKEN", "DEVDAY_DEBUG"})


def minutes() -> int:
    """How long a resident server waits for a request before it exits; 0 is off."""
    text = os.environ.get(MINUTES_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MINUTES
    try:
        value = int(text)
    except ValueError:
        raise CliError(f"{MINUTES_VARIABLE}: {text!r} is not a whole number of minutes") from None
    if value < 0:
        raise CliError(f"{MINUTES_VARIABLE}: {value} is below 0 (0 turns it off)")
    return value


def socket_path(data_dir: Path) -> Path | None:
    """The socket of the resident server for ``data_dir`` and these settings and code, or None
    when no folder only this user may open is at hand."""
    folder = runtime.private_folder()
    if folder is None:
        return None
    settings = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.upper().startswith("DEVDAY_")
        and name.upper() not in _CLIENT_ONLY
        and name.upper() != MINUTES_VARIABLE
    )
    served = str(data_dir.resolve())
    key = repr((served, settings, runtime.code_stamp(), sys.executable))
    path = folder / f"{runtime.digest(served)}-{runtime.digest(key)}.sock"
    return path if len(os.fsencode(path)) < MAX_SOCKET_PATH else None


def client(data_dir: Path, user: str | None) -> ApiClient | None:
    """A client of the resident server for ``data_dir``, or None when none is running (or it
    is turned off)."""
    if minutes() == 0:
        return None
    path = socket_path(data_dir)
    if path is None or not path.exists():
        return None
    if not _same_database(path):
        return None
    transport = StdlibTransport(
        "http://localhost", f"{WHERE} (its resident server)", unix_socket=str(path)
    )
    try:
        transport.connect()
    except CliError:  # a server that exited: its socket was left behind
        _unlink(path)
        return None
    chosen: list[str] = []

    def auth_headers() -> dict[str, str]:
        if not chosen:
            params = {"named": user} if user else None
            reply = transport.send("GET", USER_PATH, params=params, body=None, headers={})
            data = reply.data if isinstance(reply.data, dict) else {}
            if reply.status_code != 200:
                raise CliError(str(data.get("detail") or f"HTTP {reply.status_code}"))
            chosen.append(str(data["email"]))
        return {LOCAL_USER_HEADER: chosen[0]}

    return ApiClient(transport, where=WHERE, auth_headers=auth_headers)


def start(data_dir: Path) -> None:
    """Starts a resident server for ``data_dir`` in the background, unless turned off or one
    is running; it outlives this command. Quiet: a server that cannot start changes nothing."""
    idle = minutes()
    if idle == 0:
        return
    path = socket_path(data_dir)
    if path is None or path.exists():
        return
    try:
        null = os.open(os.devnull, os.O_RDWR)
        try:
            os.posix_spawn(
                sys.executable,
                [sys.executable, "-m", "devday.cli.resident", str(path), str(idle * 60)],
                os.environ,
                file_actions=[(os.POSIX_SPAWN_DUP2, null, fd) for fd in (0, 1, 2)],
                setsid=True,
            )
        finally:
            os.close(null)
    except OSError:
        return


def _same_database(path: Path) -> bool:
    """Whether the server at ``path`` has the SQLite file now at the database's path open
    (always, for PostgreSQL); a server that has another is stopped."""
    from devday.cli import envsettings

    record = lock_record(path)
    if record is None:  # a server writes its record before it makes its socket
        _unlink(path)  # so this one was left by a server that is gone
        return False
    if record[1] == _file_identity(envsettings.sqlite_path()):
        return True
    if (pid := _running_server(path)) is not None:
        stop(pid)
    _unlink(path)
    return False


def lock_record(path: Path) -> tuple[int, str] | None:
    """What the server of the socket ``path`` wrote in its lock file: its pid and the identity
    of the SQLite file it opened ("-" for none); None when there is no complete record."""
    try:
        pid, opened = Path(f"{path}.lock").read_text().split(" ", 1)
        return int(pid), opened
    except (OSError, ValueError):
        return None


def stop(pid: int) -> None:
    """Asks the resident server ``pid`` to exit (it removes its socket on the way out)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


def _running_server(path: Path) -> int | None:
    """The pid of the server that holds the lock of the socket ``path`` now; None when no
    server does (a record left by one that died names a pid that may be anyone's since)."""
    import fcntl

    try:
        lock = os.open(f"{path}.lock", os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:  # held: a server is running (one still starting has written its pid only)
        try:
            return int(Path(f"{path}.lock").read_text().split(" ", 1)[0])
        except (OSError, ValueError):
            return None
    else:
        fcntl.flock(lock, fcntl.LOCK_UN)
        return None
    finally:
        os.close(lock)


def _stop_older_servers(path: Path) -> None:
    """Stops the servers of the data folder ``path`` serves that other settings or older code
    started (their sockets share its first part): one server a folder."""
    folder_part = path.name.split("-", 1)[0]
    for other in path.parent.glob(f"{folder_part}-*.sock.lock"):
        socket_of = other.with_suffix("")
        if socket_of != path and (pid := _running_server(socket_of)) is not None:
            stop(pid)


def _file_identity(file: Path | None) -> str:
    """The device and inode of ``file`` ("-" for none, or no such file)."""
    if file is None:
        return "-"
    try:
        found = file.stat()
    except OSError:
        return "-"
    return f"{found.st_dev}:{found.st_ino}"


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


# --- the server ----------------------------------------------------------------------------


def serve(path: Path, idle_seconds: float) -> None:
    """Serves the JSON API over the local database at ``path`` until ``idle_seconds`` pass
    without a request. Exits at once when another server holds the socket's lock."""
    import fcntl

    os.umask(0o077)  # the socket and its lock are this user's alone, as their folder is
    lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        return  # another command started one first
    os.ftruncate(lock, 0)
    os.write(lock, str(os.getpid()).encode())  # whom to stop
    _stop_older_servers(path)
    try:
        _serve(path, idle_seconds, lock)
    finally:
        _unlink(path)
        os.close(lock)


def _serve(path: Path, idle_seconds: float, lock: int) -> None:
    import uvicorn
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from devday.app import create_app, keep_out_of_collections
    from devday.cli import envsettings
    from devday.cli.local import LocalBackend, local_user_email
    from devday.clock import SystemClock
    from devday.errors import body

    settings: EnvSettings | Settings = envsettings.read()
    backend = LocalBackend(settings)  # migrates the database when its schema is behind
    # Which SQLite file this server opened: a command finding another at that path (the file
    # deleted and made again, or replaced) stops this server rather than write to the old one.
    opened = _file_identity(envsettings.sqlite_path())
    os.pwrite(lock, f"{os.getpid()} {opened}".encode(), 0)
    app: FastAPI = create_app(
        backend.settings,
        engine=backend.engine,
        clock=SystemClock(),
        trust_local_user=True,
        pages=False,
    )

    def local_user(named: str | None = None) -> JSONResponse:
        try:
            return JSONResponse({"email": local_user_email(backend.engine, named)})
        except CliError as exc:
            return JSONResponse(body(str(exc), []), status_code=404)

    app.add_api_route(USER_PATH, local_user, methods=["GET"], include_in_schema=False)
    last = [time.monotonic()]

    @app.middleware("http")
    async def seen(request: Request, call_next: Any) -> Any:
        last[0] = time.monotonic()
        return await call_next(request)

    _unlink(path)  # a socket left by a server that died
    config = uvicorn.Config(app, uds=str(path), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    keep_out_of_collections()

    # uvicorn raises a stop signal again once it has shut down: leave by SystemExit then, so
    # that the socket is removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def watch() -> None:
        while not server.should_exit:
            time.sleep(min(5.0, idle_seconds / 4))
            if time.monotonic() - last[0] > idle_seconds:
                server.should_exit = True

    threading.Thread(target=watch, daemon=True).start()
    try:
        server.run()
    finally:
        backend.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), float(sys.argv[2]))
