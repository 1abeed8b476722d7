"""The console script: the everyday reads answered without Typer, everything else through it.

Importing Typer (and the click it vendors) is about half of a read against a server. The reads
typed all day (``task list``, ``duty``, ``plan [show]`` and ``today``) are parsed here instead,
from a table of their options, and run by ``devday.cli.reads``, as their Typer commands run
them. Only a command line this parser reads exactly is answered here: anything else (``--help``,
an option it does not know, a value it cannot read, shell completion, an argument that is not
UTF-8 text) goes to ``devday.cli.main.app``, which answers it, usage errors included, as it
always has. ``tests/cli/test_quick.py`` holds this table to the Typer commands' options.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from devday.cli.state import CliState


class Option(NamedTuple):
    """One option of a read: its names, the parameter it fills, and what it takes."""

    names: tuple[str, ...]
    dest: str
    flag: bool = False  # takes no value
    many: bool = False  # may be repeated; the values are kept in order
    smallest: int | None = None  # an integer option: the least value allowed


class Read(NamedTuple):
    """A read's command words, its function in ``devday.cli.reads``, its options and the
    name of its one optional argument (the day of ``plan show``)."""

    words: tuple[str, ...]
    function: str
    options: tuple[Option, ...]
    argument: str | None = None

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if name in o.names), None)


AS_JSON = Option(("--json",), "as_json", flag=True)
READS = (
    Read(
        ("task", "list"),
        "task_list",
        (
            Option(("--status",), "status", many=True),
            Option(("--project", "-p"), "project"),
            Option(("--tag", "-t"), "tag"),
            Option(("--before",), "before"),
            Option(("--after",), "after"),
            Option(("--planned",), "planned"),
            Option(("--search", "-s"), "search"),
            Option(("--all", "-a"), "all_", flag=True),
            AS_JSON,
        ),
    ),
    Read(("duty",), "duty", (Option(("--limit", "-n"), "limit", smallest=1), AS_JSON)),
    Read(("today",), "today", (AS_JSON,)),
    Read(
        ("plan", "show"),
        "plan_show",
        (Option(("--keep",), "keep", flag=True), AS_JSON),
        argument="day",
    ),
)
# ``devday plan [DAY]`` is ``plan show [DAY]`` unless its first word names one of these.
PLAN_COMMANDS = ("show", "build", "replan", "done", "pin", "move", "solve", "check")
ROOT_OPTIONS = {"--server": "server", "--token": "token", "--user": "user"}
ROOT_ENV = {"server": "DEVDAY_SERVER", "token": "DEVDAY_TOKEN", "user": "DEVDAY_USER"}


class Parsed(NamedTuple):
    read: Read
    values: dict[str, Any]
    root: dict[str, str | None]


def parse(argv: Sequence[str]) -> Parsed | None:
    """``argv`` as one of the reads, or None when it is anything else."""
    if not all(is_text(arg) for arg in argv):
        return None
    args = list(argv)
    root: dict[str, str | None] = {}
    while args and args[0].startswith("-"):
        taken = _value(args, ROOT_OPTIONS)
        if taken is None:
            return None
        root[taken[0]] = taken[1]
    for name, variable in ROOT_ENV.items():
        if root.get(name) is None:
            root[name] = os.environ.get(variable) or None
    read, rest = _command(args)
    if read is None:
        return None
    values = _options(read, rest)
    return None if values is None else Parsed(read, values, root)


def _command(args: list[str]) -> tuple[Read | None, list[str]]:
    for read in READS:
        if tuple(args[: len(read.words)]) == read.words:
            return read, args[len(read.words) :]
    if args[:1] == ["plan"] and (len(args) == 1 or args[1] not in PLAN_COMMANDS):
        return READS[-1], args[1:]  # ``plan [DAY]`` (a help option falls to Typer below)
    return None, []


def _options(read: Read, args: list[str]) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    names = {name: option.dest for option in read.options for name in option.names}
    while args:
        if not args[0].startswith("-") or args[0] == "-":
            if read.argument is None or read.argument in values:
                return None
            values[read.argument] = args.pop(0)
            continue
        option = read.option(args[0].split("=", 1)[0])
        if option is None:
            return None
        if option.flag:
            if "=" in args.pop(0):
                return None
            values[option.dest] = True
            continue
        taken = _value(args, names)
        if taken is None:
            return None
        value: Any = taken[1]
        if option.smallest is not None:
            try:
                value = int(value)
            except ValueError:
                return None
            if value < option.smallest:
                return None
        if option.many:
            values.setdefault(option.dest, []).append(value)
        else:
            values[option.dest] = value
    return values


def _value(args: list[str], names: dict[str, str]) -> tuple[str, str] | None:
    """Takes ``--name VALUE`` or ``--name=VALUE`` off the front of ``args``: the parameter's
    name and the value, or None when there is no such option or no plain value for it."""
    head = args.pop(0)
    name, equals, attached = head.partition("=")
    if name not in names or (equals and not name.startswith("--")):
        return None
    if equals:
        value = attached
    elif args and not (args[0].startswith("-") and args[0] != "-"):
        value = args.pop(0)
    else:
        return None
    return names[name], value


def run(argv: Sequence[str], cli: CliState | None = None) -> int | None:
    """Runs ``argv`` when it is one of the reads and returns its exit code; None otherwise.
    ``cli`` is the invocation's state (tests pass one with their clock and database)."""
    if os.environ.get("_DEVDAY_COMPLETE"):  # shell completion is Typer's
        return None
    parsed = parse(argv)
    if parsed is None:
        return None
    from devday.cli import output, reads
    from devday.cli.client import CliError
    from devday.cli.state import CliState

    cli = cli or CliState()
    # As the root callback (devday.cli.main.root) reads the global options.
    cli.server = parsed.root["server"] or cli.server
    cli.token = parsed.root["token"] or cli.token
    cli.user = parsed.root["user"] or cli.user
    function: Callable[..., None] = getattr(reads, parsed.read.function)
    try:
        with output.clock(cli.now):
            function(cli, **parsed.values)
    except CliError as exc:
        output.error(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130  # as Typer answers Ctrl-C
    except BrokenPipeError:
        return 1  # the reader left (devday task list | head), as click exits then
    except Exception as exc:
        if os.environ.get("DEVDAY_DEBUG"):
            raise
        output.error(unexpected(exc))
        return 1
    finally:
        cli.close()
    return 0


def unexpected(exc: Exception) -> str:
    """The one line an unexpected failure prints (its traceback only with DEVDAY_DEBUG)."""
    return f"unexpected {type(exc).__name__}: {flat(str(exc))}"


def flat(text: str) -> str:
    return " ".join(text.split())


def is_text(arg: str) -> bool:
    """Whether ``arg`` came in as UTF-8 (Python keeps undecodable bytes as lone surrogates)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _typer(argv: list[str]) -> Any:
    """Runs ``argv`` through Typer and returns its exit code; a help screen is shown from the
    kept ones when it can be (``helpcache``), and else kept once Typer has drawn it."""
    from devday.cli import helpcache

    kept = helpcache.kept_path(argv)
    if kept is None:
        return _app(argv)
    shown = helpcache.show(kept)
    if shown is not None:
        return shown
    recorder = helpcache.Recorder(sys.stdout)  # it writes through to the real stream
    sys.stdout = recorder
    try:
        code = _app(argv)
    finally:
        sys.stdout = recorder.stream
    if code == 0:
        helpcache.keep(kept, recorder)
    return code


def _app(argv: list[str]) -> Any:
    from devday.cli.main import app

    try:
        app(argv)
    except SystemExit as exc:
        return exc.code
    return 0  # pragma: no cover - typer's standalone mode always exits


def main() -> None:
    """The console script. A one-shot command runs without the cyclic garbage collector and
    leaves without tearing the interpreter down (its objects die with the process); the
    long-running ones (``serve``, ``worker``) turn the collector back on and exit normally."""
    gc.disable()
    argv = sys.argv[1:]
    code: Any = run(argv)
    if code is None:
        code = _typer(argv)
    if gc.isenabled():
        sys.exit(code)
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (devday task list | head): nothing to add
            pass
    os._exit(code or 0)
