"""The devday command: a client of the devday API, remote or in-process.

With no server named it works on the local database in this process and acts for the local
user; with ``--server URL`` (or after ``devday login``) it talks HTTP to that server.
Every failure prints one ``error: ...`` line: expected ones exit with 1, usage errors with 2.

The console script (``devday.cli.quick``) answers the everyday reads itself, without importing
this module, and hands every other command line to ``app`` here. Commands are loaded lazily:
``COMMANDS`` and ``GROUPS`` name where each lives, and only the command typed is imported and
turned into a click command (Typer reads every parameter's type hints for that, the slowest
part of starting up). ``devday --help`` lists them from their docstrings without building any
(and ``devday.cli.helpcache`` keeps the screen it draws).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Annotated, Any

import typer
from typer._click import exceptions as click_errors
from typer.core import TyperCommand, TyperGroup

from devday.cli import coerce, quick
from devday.cli.client import CliError
from devday.cli.state import CliState

coerce.install()  # option values become their types without a pydantic adapter each

# name -> (module in devday.cli, attribute): a function is a command, a Typer a group of them.
# Commands first, then groups, as the help lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("serve", "serve"),
    "worker": ("worker", "worker"),
    "login": ("account", "login"),
    "logout": ("account", "logout"),
    "use": ("account", "use"),
    "me": ("account", "me"),
    "start": ("timer", "start"),
    "stop": ("timer", "stop"),
    "status": ("timer", "status"),
    "time": ("timer", "time_"),
    "duty": ("duty", "duty"),
    "forecast": ("duty", "forecast"),
    "today": ("day", "today"),
    "wrapup": ("day", "wrapup"),
    "reflect": ("day", "reflect"),
    "outbox": ("channel", "outbox"),
    "checks": ("checks", "checks"),
    "incidents": ("checks", "incidents"),
    "ask": ("inbox", "ask"),
    "backup": ("transfer", "backup"),
    "restore": ("transfer", "restore"),
    "move-database": ("transfer", "move_database"),
}
GROUPS: dict[str, tuple[str, str]] = {
    "user": ("account", "user_app"),
    "token": ("token", "app"),
    "team": ("team", "app"),
    "project": ("project", "app"),
    "task": ("task", "app"),
    "series": ("series", "app"),
    "log": ("timer", "log_app"),
    "plan": ("plan", "app"),
    "busy": ("duty", "busy_app"),
    "habit": ("day", "habit_app"),
    "channel": ("channel", "app"),
    "app": ("checks", "app_app"),
    "check": ("checks", "check_app"),
    "meeting": ("meeting", "app"),
    "inbox": ("inbox", "app"),
    "standup": ("standup", "app"),
    "leave": ("standup", "leave_app"),
    "calendar": ("calendar", "app"),
    "forge": ("forge", "app"),
    "export": ("transfer", "export_app"),
    "import": ("transfer", "import_app"),
    "learn": ("learning", "learn_app"),
    "feed": ("learning", "feed_app"),
}


def _target(name: str) -> Any:
    module, attribute = COMMANDS.get(name) or GROUPS[name]
    return getattr(importlib.import_module(f"devday.cli.{module}"), attribute)


# Click commands hold no state: one build serves every invocation in this process.
_BUILT: dict[str, Any] = {}


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands, each built on first use by ``make(name)``.

    While ``listing`` (the root's help), lookups give ``summary(name)`` instead: a command with
    only the name and help text Typer would give it, which costs no type hints."""

    def __init__(
        self,
        names: list[str],
        make: Callable[[str], Any],
        *,
        summary: Callable[[str], str] | None = None,
        cache: dict[str, Any] | None = None,
    ) -> None:
        self.names = names
        self.listing = False
        self._make = make
        self._summary = summary
        self._built = {} if cache is None else cache
        self._added: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._added:
            return self._added[name]
        if name not in self.names:
            raise KeyError(name)
        if self.listing and self._summary is not None:
            return TyperCommand(name=name, help=self._summary(name))
        if name not in self._built:
            self._built[name] = self._make(name)
        return self._built[name]

    def __contains__(self, name: object) -> bool:  # without building it
        return name in self.names or name in self._added

    def __setitem__(self, name: str, command: Any) -> None:
        self._added[name] = command

    def __delitem__(self, name: str) -> None:
        del self._added[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.names
        yield from (name for name in self._added if name not in self.names)

    def __len__(self) -> int:
        return len(set(self.names) | set(self._added))


def summary(name: str) -> str:
    """The help text Typer gives the command or group ``name`` (its first paragraph is listed)."""
    import inspect

    from typer.main import solve_typer_info_help
    from typer.models import TyperInfo

    target = _target(name)
    if isinstance(target, typer.Typer):
        return solve_typer_info_help(TyperInfo(target, name=name))
    return inspect.getdoc(target) or ""


def build(name: str) -> Any:
    """The click command for ``name``, as ``app.command``/``app.add_typer`` would have made it;
    a group's own commands are built when one of them is asked for."""
    import copy

    from typer.main import get_command_from_info, get_command_name, get_group_from_info
    from typer.models import CommandInfo, TyperInfo

    def command(info: CommandInfo) -> Any:
        return get_command_from_info(
            info,
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )

    target = _target(name)
    if not isinstance(target, typer.Typer):
        return command(CommandInfo(name=name, callback=target))
    shell = copy.copy(target)
    shell.registered_commands = []
    group = get_group_from_info(
        TyperInfo(shell, name=name),
        pretty_exceptions_short=app.pretty_exceptions_short,
        suggest_commands=app.suggest_commands,
        rich_markup_mode=app.rich_markup_mode,
    )
    infos = {
        info.name or get_command_name(info.callback.__name__): info
        for info in target.registered_commands
        if info.callback is not None
    }
    group.commands = LazyCommands(list(infos), lambda sub: command(infos[sub]))
    return group


class OneLineErrors(TyperGroup):
    """A root group whose every failure is one ``error: ...`` line on stderr, as docs/api.md
    promises: usage errors (exit 2), an argument that is not UTF-8 text (exit 2), and anything
    unexpected (exit 1; the traceback only when ``DEVDAY_DEBUG`` is set)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        del windows_expand_args  # the arguments are used as the shell passed them
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        sys.exit(self._run(argv, prog_name, complete_var, **extra))

    def _run(
        self, argv: list[str], prog_name: str | None, complete_var: str | None, **extra: Any
    ) -> int:
        from devday.cli import output

        for position, arg in enumerate(argv, start=1):
            if not quick.is_text(arg):
                output.error(f"argument {position} is not valid UTF-8 text")
                return 2
        if not argv or "--help" in argv or "-h" in argv:
            _light_help()
        try:
            result = super().main(argv, prog_name, complete_var, False, **extra)
        except click_errors.NoArgsIsHelpError:
            return 2  # the help has been shown
        except click_errors.ClickException as exc:
            output.error(_one_line(exc))
            return exc.exit_code
        except typer.Abort:
            output.error("aborted")
            return 1
        except Exception as exc:
            if os.environ.get("DEVDAY_DEBUG"):
                raise
            if (settings := _settings_problems(exc)) is not None:
                output.error(settings)
                return 1
            output.error(quick.unexpected(exc))
            return 1
        return result if isinstance(result, int) else 0


def _settings_problems(exc: Exception) -> str | None:
    """The line for ``DEVDAY_*`` settings the server cannot start with; None for another error."""
    if type(exc).__name__ != "ValidationError":  # pydantic is imported for one only
        return None
    from pydantic import ValidationError

    from devday.config import problems

    if not isinstance(exc, ValidationError) or exc.title != "Settings":
        return None
    return f"the settings cannot be used: {problems(exc)}"


class DevdayGroup(OneLineErrors):
    """The root: commands loaded lazily, and CliError from any of them turned into one stderr
    line and exit code 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = LazyCommands([*COMMANDS, *GROUPS], build, summary=summary, cache=_BUILT)
        self.commands = self.lazy

    # Typed Any: the context and formatter classes live in typer's private vendored click.
    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.lazy.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.lazy.listing = False

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as exc:
            from devday.cli import output

            output.error(str(exc))
            raise typer.Exit(1) from None


class _Markdown:
    """Rich's ``Markdown``, imported when one is made (only in Typer's markdown mode)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown

        return Markdown(*args, **kwargs)


class _Traceback:
    """Rich's ``Traceback``, imported when one is made (pretty exceptions are off here)."""

    @staticmethod
    def from_exception(*args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback

        return Traceback.from_exception(*args, **kwargs)


def _light_help() -> None:
    """Imports Typer's help formatter without Rich's Markdown and Traceback modules, which it
    imports up front (with markdown-it, Pygments and attrs) but a help in Rich markup never
    uses: stand-ins that import the real ones when used take their place while it loads."""
    import types

    if "typer.rich_utils" in sys.modules:
        return
    stand_ins = {}
    for name, attribute, stand_in in (
        ("rich.markdown", "Markdown", _Markdown),
        ("rich.traceback", "Traceback", _Traceback),
    ):
        if name not in sys.modules:
            module = types.ModuleType(name)
            setattr(module, attribute, stand_in)
            stand_ins[name] = module
    sys.modules.update(stand_ins)
    try:
        import typer.rich_utils  # noqa: F401 - loaded now, with the stand-ins
    except ImportError:  # pragma: no cover - without Rich, Typer formats help itself
        pass
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _one_line(exc: click_errors.ClickException) -> str:
    message = quick.flat(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click_errors.UsageError) and ctx is not None:
        return f"{message} (see '{ctx.command_path} --help')"
    return message


app = typer.Typer(
    cls=DevdayGroup,
    name="devday",
    help="devday runs your working day: tasks, projects, teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    server: Annotated[
        str | None,
        typer.Option(envvar="DEVDAY_SERVER", help="A devday server URL; default: local database."),
    ] = None,
    token_: Annotated[
        str | None,
        typer.Option("--token", envvar="DEVDAY_TOKEN", help="API token for --server."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(envvar="DEVDAY_USER", help="Local mode: act as this account's email."),
    ] = None,
) -> None:
    cli = ctx.ensure_object(CliState)
    cli.server = server or cli.server
    cli.token = token_ or cli.token
    cli.user = user or cli.user
    ctx.call_on_close(cli.close)
