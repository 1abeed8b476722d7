"""How fast the devday command answers, beside Python doing nothing and Taskwarrior.

    python -m bench.cli.run [--tasks 1000] [--rounds 15] [--database-url URL] [--no-server]
                            [--before GIT_REV] [--realtime]

Seeds one account with ``--tasks`` open tasks and today's plan (see ``bench.cli.seed``) in a
temporary data folder, gives Taskwarrior the same tasks, starts ``devday serve`` on a free
loopback port over the same database, and then times fresh processes: ``devday task list``,
``duty``, ``plan show --keep`` (the stored plan, not built again) and ``today``, each in local
mode (answered by the resident server the first local command leaves behind, as a user's are),
in local mode with that server turned off (each command in its own process, as the first local
command in a while is) and against the server, ``devday --help`` (shown from the screen the
first one kept, and drawn by Typer each time, as after an upgrade), ``python -c pass`` and
Taskwarrior's ``task list`` and ``task next``. Every round runs each command once, in a
shuffled order, so a busy machine slows all of them alike; the figures are medians of wall
time, and the ratios are of medians. Each command's output is checked once before timing (it
must succeed, and the task lists must list every task), so that a fast failure cannot pass for
a fast answer.

``--before REV`` times the same devday commands as of that git revision too (its ``src`` taken
with ``git archive`` and put first on PYTHONPATH), in the same rounds. ``--realtime`` runs the
server and every timed process under ``chrt -f 50`` (SCHED_FIFO; needs root), so that on a
machine others keep busy their load stays out of the figures; seeding runs at normal priority.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.cli import seed
from devday.cli import resident

LOCAL_TARGET_MS = 300.0
SERVER_TARGET_MS = 150.0
HELP_TARGET_MS = 150.0
PREFIX: list[str] = []  # ["chrt", "-f", "50"] with --realtime
COMMANDS = (
    ("task list", ("task", "list")),
    ("duty", ("duty",)),
    ("plan show", ("plan", "show", "--keep")),
    ("today", ("today",)),
)


@dataclass
class Command:
    name: str
    argv: list[str]
    env: dict[str, str]
    target_ms: float | None = None
    min_lines: int = 1
    times: list[float] = field(default_factory=list)

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv, env=self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )

    def time_once(self) -> None:
        started = time.perf_counter()
        subprocess.run(
            [*PREFIX, *self.argv],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        self.times.append((time.perf_counter() - started) * 1000)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"devday serve exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"devday serve did not listen on port {port} in {seconds:.0f} s")


def _base_env(data_dir: Path, database_url: str) -> dict[str, str]:
    # Without PYTHONDONTWRITEBYTECODE: the warm-up round writes the bytecode an installed
    # package has, so that no round times compiling the source.
    dropped = ("TASKRC", "TASKDATA", "COLUMNS", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVDAY_") and k not in dropped}
    env.update(
        DEVDAY_DATA_DIR=str(data_dir),
        DEVDAY_SECRET_KEY="bench-secret",
        DEVDAY_DEMO="false",
        COLUMNS="120",
    )
    if database_url:
        env["DEVDAY_DATABASE_URL"] = database_url
    return env


def _wait_for_resident(runtime: Path, seconds: float = 60) -> None:
    """Waits until the resident server the local commands started answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in runtime.glob("devday/*.sock"):
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(path))
                return
            except OSError:
                pass
        time.sleep(0.2)
    raise SystemExit(f"no resident server answered in {seconds:.0f} s")


def _stop_residents(runtime: Path) -> None:
    for socket_path in runtime.glob("devday/*.sock"):
        if (record := resident.lock_record(socket_path)) is not None:
            resident.stop(record[0])
    time.sleep(1)
    shutil.rmtree(runtime, ignore_errors=True)


def _check(commands: list[Command]) -> None:
    for command in commands:
        done = command.run()
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        if done.returncode != 0 or len(lines) < command.min_lines:
            raise SystemExit(
                f"{command.name}: exit {done.returncode}, {len(lines)} lines "
                f"(expected at least {command.min_lines})\n{done.stderr[-2000:]}"
            )


def _report(commands: list[Command], tasks: int, rounds: int) -> None:
    by_name = {c.name: c for c in commands}
    python = by_name["python -c pass"].median
    tw = by_name.get("task list (Taskwarrior)")
    print(
        f"\n{tasks} open tasks; median of {rounds} fresh processes, in ms; "
        "ratios of medians (x: times slower)" + (" [SCHED_FIFO]" if PREFIX else "")
    )
    head = f"{'command':<28} {'median':>8} {'vs python':>10} {'vs task list':>13}  target"
    print(head)
    print("-" * len(head))
    for command in commands:
        vs_tw = f"{command.median / tw.median:>12.1f}x" if tw else f"{'-':>13}"
        target = ""
        if command.target_ms is not None:
            verdict = "ok" if command.median <= command.target_ms else "MISSED"
            target = f"<= {command.target_ms:.0f} {verdict}"
        print(
            f"{command.name:<28} {command.median:>8.0f} {command.median / python:>9.1f}x "
            f"{vs_tw}  {target}"
        )


def _before(rev: str, root: Path, commands: list[Command]) -> list[Command]:
    """The devday commands again, run on the source tree of ``rev``, over a copy of the data
    folder: a data folder has one resident server at a time, and the two versions' servers
    would stop each other."""
    tree = root / "before"
    tree.mkdir()
    data_dir = root / "before-data"
    shutil.copytree(root / "data", data_dir)
    archive = subprocess.run(["git", "archive", rev, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    # The console script of that revision: the installed one may name a module it lacks.
    project = subprocess.run(
        ["git", "show", f"{rev}:pyproject.toml"], capture_output=True, check=True, text=True
    )
    module, function = tomllib.loads(project.stdout)["project"]["scripts"]["devday"].split(":")
    entry = [sys.executable, "-c", f"import sys; from {module} import {function}; {function}()"]
    return [
        Command(
            f"{c.name} @{rev[:7]}",
            [*entry, *c.argv[1:]] if c.argv[0].endswith("devday") else c.argv,
            {**c.env, "PYTHONPATH": str(tree / "src"), "DEVDAY_DATA_DIR": str(data_dir)},
            None,
            c.min_lines,
        )
        for c in commands
        if c.name.startswith(("devday", "task list (", "duty", "plan", "today"))
        and "Taskwarrior" not in c.name
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--no-server", action="store_true", help="time local mode only")
    parser.add_argument("--before", metavar="REV", help="also time devday as of this revision")
    parser.add_argument("--realtime", action="store_true", help="time under chrt -f 50")
    args = parser.parse_args()
    if args.realtime:
        PREFIX[:] = ["chrt", "-f", "50"]

    devday = str(Path(sys.executable).parent / "devday")
    with tempfile.TemporaryDirectory(prefix="devday-bench-cli-") as tmp:
        root = Path(tmp)
        data_dir = root / "data"
        data_dir.mkdir()
        env = _base_env(data_dir, args.database_url)
        # The resident server's socket folder: private, and short (a socket's path is short).
        runtime = Path(tempfile.mkdtemp(prefix="dd-bench-"))
        env["XDG_RUNTIME_DIR"] = str(runtime)
        env.pop("DEVDAY_RESIDENT_MINUTES", None)
        database_url = args.database_url or f"sqlite:///{data_dir / 'devday.sqlite3'}"
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        now = datetime.now(UTC)
        tasks = seed.draw(args.tasks, now=now)
        print(f"seeding {args.tasks} tasks and today's plan ...", flush=True)
        token = seed.seed_devday(database_url, tasks, now=now)

        commands = [Command("python -c pass", [sys.executable, "-c", "pass"], env, min_lines=0)]
        if shutil.which("task"):
            taskrc = root / "taskrc"
            seed.seed_taskwarrior(taskrc, root / "taskwarrior", tasks, now=now)
            tw_env = {**env, "TASKRC": str(taskrc)}
            commands.append(Command("task list (Taskwarrior)", ["task", "list"], tw_env, None))
            commands.append(Command("task next (Taskwarrior)", ["task", "next"], tw_env, None))
        else:
            print("Taskwarrior not found (apt-get install taskwarrior): no baseline for it")
        commands.append(Command("devday --help", [devday, "--help"], env, HELP_TARGET_MS, 5))
        # The help as Typer draws it, what the first --help after an upgrade or a resize pays:
        # a runtime folder others may open keeps no screen (devday.cli.helpcache).
        shared = root / "shared-runtime"
        (shared / "devday").mkdir(parents=True)
        (shared / "devday").chmod(0o755)
        drawn = {**env, "XDG_RUNTIME_DIR": str(shared)}
        commands.append(Command("devday --help (drawn)", [devday, "--help"], drawn, None, 5))
        # Local mode as a user meets it: answered by the resident server the first local
        # command left (devday.cli.resident), and with it turned off, in each command's process
        # (what the first local command in DEVDAY_RESIDENT_MINUTES pays).
        alone = {**env, "DEVDAY_RESIDENT_MINUTES": "0"}
        for name, argv in COMMANDS:
            lines = args.tasks if name == "task list" else 2
            commands.append(
                Command(f"{name} (local)", [devday, *argv], env, LOCAL_TARGET_MS, lines)
            )
            commands.append(
                Command(f"{name} (in process)", [devday, *argv], alone, LOCAL_TARGET_MS, lines)
            )

        server = None
        if not args.no_server:
            port = _free_port()
            server = subprocess.Popen(
                [*PREFIX, devday, "serve", "--port", str(port), "--no-worker", "--no-demo"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_for(port, server)
            remote = {**env, "DEVDAY_SERVER": f"http://127.0.0.1:{port}", "DEVDAY_TOKEN": token}
            for name, argv in COMMANDS:
                lines = args.tasks if name == "task list" else 2
                commands.append(
                    Command(f"{name} (server)", [devday, *argv], remote, SERVER_TARGET_MS, lines)
                )
        if args.before:
            commands += _before(args.before, root, commands)
        try:
            _check(commands)
            _wait_for_resident(runtime)
            order = list(commands)
            shuffle = random.Random(7)
            for round_ in range(args.rounds + 1):
                shuffle.shuffle(order)
                for command in order:
                    command.time_once()
                if round_ == 0:  # a warm-up round: page cache, the server's first requests
                    for command in commands:
                        command.times.clear()
                print(f"round {round_}/{args.rounds}", end="\r", flush=True)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            _stop_residents(runtime)
        _report(commands, args.tasks, args.rounds)


if __name__ == "__main__":
    main()
