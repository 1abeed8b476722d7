"""devday export / import (your whole account, or Taskwarrior and Todoist), backup, restore."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from devday.cli import output
from devday.cli.client import CliError
from devday.cli.state import state


class FileOrCommand(TyperGroup):
    """A group whose callback takes a FILE unless the first word names one of its commands:
    ``devday import data.json`` and ``devday import taskwarrior tasks.json`` both work."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] in self.commands:
            params = self.params
            self.params = [p for p in params if p.name != "file"]
            try:
                rest = super().parse_args(ctx, args)
            finally:
                self.params = params
            ctx.params["file"] = None
            return rest
        return list(super().parse_args(ctx, args))


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
]
FileArgument = Annotated[str, typer.Argument(help="The file to read, or - for standard input.")]

export_app = typer.Typer(
    cls=FileOrCommand,
    help="Export your data: all of it (devday export), or your tasks for Taskwarrior.",
    invoke_without_command=True,
)
import_app = typer.Typer(
    cls=FileOrCommand,
    help="Import data: a devday export (devday import FILE), or from Taskwarrior or Todoist.",
    invoke_without_command=True,
)


# A file at least this big shows a progress bar on standard error, when that is a terminal.
PROGRESS_BYTES = 1_000_000
CHUNK = 256 * 1024


def _progress_wanted(size: int) -> bool:
    return size >= PROGRESS_BYTES and sys.stderr.isatty()


class Steps:
    """The progress of an import: the file read, then the server's work. Shows a bar on
    standard error for a big file on a terminal, and nothing otherwise."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            if exc[0] is None and self.task is not None:
                self.bar.update(self.task, completed=1, total=1)
            self.bar.stop()

    def _start(self) -> Any:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr, force_terminal=True),
            transient=False,
        )
        self.bar.start()
        return self.bar

    def read(self) -> str:
        """The file's text (standard input for -), read with a bar when it is big."""
        if self.file == "-":
            return sys.stdin.read()
        path = Path(self.file)
        try:
            size = path.stat().st_size
            if not _progress_wanted(size):
                return path.read_text(encoding="utf-8")
            bar = self._start()
            reading = bar.add_task(f"reading {path.name}", total=size)
            chunks = []
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    chunks.append(chunk)
                    bar.advance(reading, len(chunk))
            return b"".join(chunks).decode("utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {self.file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CliError(f"{self.file} is not UTF-8 text") from None

    def read_json(self) -> Any:
        text = self.read()
        try:
            return json.loads(text)
        except ValueError as exc:
            where = "standard input" if self.file == "-" else self.file
            raise CliError(f"{where} is not JSON: {exc}") from None

    def sending(self, what: str) -> None:
        """The server's turn: a bar that moves until it answers."""
        if self.bar is not None:
            self.task = self.bar.add_task(f"importing {what}", total=None)


def _write(data: Any, target: Path | None) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if target is None:
        typer.echo(text, nl=False)
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None


SHOWN_REASONS = 20


def _report(report: dict[str, Any], what: str = "tasks") -> None:
    total = report["created"] + report["updated"] + report["unchanged"]
    output.line(
        f"imported {total} {what}: {report['created']} new, {report['updated']} updated, "
        f"{report['unchanged']} unchanged"
    )
    if report["skipped"]:
        output.line(f"skipped {report['skipped']}:")
        reasons = report.get("skipped_reasons") or []
        for reason in reasons[:SHOWN_REASONS]:
            output.line(f"  {reason}")
        if len(reasons) > SHOWN_REASONS:
            output.line(f"  ... and {len(reasons) - SHOWN_REASONS} more")
    if report["projects_created"]:
        output.line("new projects: " + ", ".join(report["projects_created"]))
    for note in report["notes"]:
        output.warn(note)


@export_app.callback()
def export_all(
    ctx: typer.Context,
    file: Annotated[str | None, typer.Argument(hidden=True)] = None,
    to: OutputOption = None,
) -> None:
    """Everything your account holds, as one JSON document that devday import reads."""
    if ctx.invoked_subcommand is not None:
        return
    if file is not None:
        raise typer.BadParameter(f"no such export {file!r}: use -o FILE to write to a file")
    _write(state(ctx).client().get("/api/v1/export"), to)


@export_app.command("taskwarrior")
def export_taskwarrior(ctx: typer.Context, to: OutputOption = None) -> None:
    """Your tasks as JSON that `task import` reads."""
    _write(state(ctx).client().get("/api/v1/export/taskwarrior"), to)


@import_app.callback()
def import_all(
    ctx: typer.Context,
    file: Annotated[
        str | None, typer.Argument(help="A devday export, or - for standard input.")
    ] = None,
) -> None:
    """Import a devday export (FILE, or - for standard input) into your account."""
    if ctx.invoked_subcommand is not None:
        return
    if file is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    with Steps(file) as steps:
        data = steps.read_json()
        steps.sending("your account")
        counts = state(ctx).client().post("/api/v1/import", data)
    output.line(
        "imported " + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
    )


@import_app.command("taskwarrior")
def import_taskwarrior(ctx: typer.Context, file: FileArgument) -> None:
    """Tasks from `task export` (FILE, or - for standard input); importing again updates them."""
    with Steps(file) as steps:
        records = steps.read_json()
        steps.sending(f"{len(records)} tasks" if isinstance(records, list) else "tasks")
        report = state(ctx).client().post("/api/v1/import/taskwarrior", records)
    _report(report)


@import_app.command("todoist")
def import_todoist(
    ctx: typer.Context,
    file: FileArgument,
    project: Annotated[
        str | None,
        typer.Option(
            "--project", "-p", help="The project for the tasks; default: the file's name."
        ),
    ] = None,
) -> None:
    """Tasks from a Todoist CSV export (FILE, or - for standard input) into one project."""
    name = project or ("Todoist" if file == "-" else Path(file).stem)
    with Steps(file) as steps:
        body = {"csv": steps.read(), "project": name}
        steps.sending(f"into {name}")
        report = state(ctx).client().post("/api/v1/import/todoist", body)
    _report(report)


def _database_url() -> str:
    from devday.config import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.resolved_database_url()


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
) -> None:
    """Back up the server's whole database to FILE, consistently, while it runs."""
    from devday.transfer.backup import BackupError
    from devday.transfer.backup import backup as run_backup

    try:
        what = run_backup(_database_url(), file)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    output.line(f"backed up the {what} to {file}")


def restore(
    file: Annotated[Path, typer.Argument(help="A file devday backup wrote.")],
) -> None:
    """Restore a backup into the server's database, which must be empty (stop the server first)."""
    from devday.transfer.backup import BackupError
    from devday.transfer.backup import restore as run_restore

    try:
        where = run_restore(_database_url(), file)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    output.line(f"restored {file} into {where}")


def move_database(
    target: Annotated[
        str, typer.Argument(help="The empty PostgreSQL database: postgresql://user:pw@host/name")
    ],
) -> None:
    """Copy the SQLite database into an empty PostgreSQL one (stop the server first)."""
    from devday.transfer.move import MoveError, describe, move

    source = _database_url()

    def progress(table: str, done: int, total: int) -> None:
        if done == total:
            typer.echo(f"{table}: {total} rows", err=True)

    try:
        moved = move(source, target, progress)
    except MoveError as exc:
        raise CliError(str(exc)) from None
    output.line(f"moved {describe(source)} to {describe(target)}:")
    for each in moved:
        output.line(f"  {each.table}: {each.rows} rows")
    output.line(
        f"{sum(each.rows for each in moved)} rows in {len(moved)} tables, counts checked; "
        "set DEVDAY_DATABASE_URL to the new database and start devday"
    )
