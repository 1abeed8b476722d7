"""The everyday reads without Typer (``devday.cli.quick``): the same options as the Typer
commands, the same output for every command line it answers, and Typer's for every other."""

from __future__ import annotations

from typing import Any

import pytest
from typer.main import get_command

from devday.cli import main, plan, quick
from devday.cli.local import BackendPool
from devday.cli.state import CliState
from tests.cli.conftest import Run, create_user, ok
from tests.conftest import START


def typer_command(words: tuple[str, ...]) -> Any:
    """The click command Typer builds for ``words``, as ``devday`` runs it."""
    command: Any = get_command(main.app)
    for word in words:
        command = command.commands[word]
    return command


def described(read: quick.Read) -> set[tuple[Any, ...]]:
    """The read's options as click would describe them."""
    options: set[tuple[Any, ...]] = {
        (frozenset(o.names), o.dest, o.flag, o.many, o.smallest is not None, o.smallest)
        for o in read.options
    }
    if read.argument is not None:
        options.add(("argument", read.argument))
    return options


def typer_described(command: Any) -> set[tuple[Any, ...]]:
    described: set[tuple[Any, ...]] = set()
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.required is False, param.name  # one optional argument at most
            described.add(("argument", param.name))
            continue
        annotation = param.type_descriptor.annotation
        assert annotation in (str, int, bool, list[str]), (param.name, annotation)
        number = annotation is int
        assert param.is_flag is (annotation is bool), param.name
        described.add(
            (
                frozenset([*param.opts, *param.secondary_opts]),
                param.name,
                param.is_flag,
                param.multiple,
                number,
                param.min if number else None,
            )
        )
    return described


@pytest.mark.parametrize("read", quick.READS, ids=lambda read: " ".join(read.words))
def test_its_table_is_the_typer_commands_options(read: quick.Read) -> None:
    assert described(read) == typer_described(typer_command(read.words))


def test_it_knows_every_plan_subcommand_and_every_root_option() -> None:
    assert set(quick.PLAN_COMMANDS) == set(typer_command(("plan",)).commands)
    assert plan.app.registered_commands  # the group is Typer's, not one built here
    # Typer's own --install-completion and --show-completion are left to it.
    root: list[Any] = [p for p in get_command(main.app).params if "completion" not in str(p.name)]
    assert {p.opts[0]: p.envvar for p in root} == {
        option: quick.ROOT_ENV[name] for option, name in quick.ROOT_OPTIONS.items()
    }
    assert all(len(p.opts) == 1 and not p.is_flag for p in root)


ANSWERED = [
    ["task", "list"],
    ["task", "list", "--all"],
    ["task", "list", "-a", "--json"],
    ["task", "list", "-t", "#Security"],
    ["task", "list", "--tag=auth"],
    ["task", "list", "--status", "todo", "--status", "done"],
    ["task", "list", "--project", "api"],
    ["task", "list", "-p", "nope"],
    ["task", "list", "--before", "fri", "--after=today"],
    ["task", "list", "--before", "someday"],
    ["task", "list", "--planned", "today"],
    ["task", "list", "-s", "login"],
    ["duty"],
    ["duty", "-n", "1"],
    ["duty", "--limit=2", "--json"],
    ["today"],
    ["today", "--json"],
    ["plan"],
    ["plan", "--keep"],
    ["plan", "show"],
    ["plan", "show", "today", "--keep", "--json"],
    ["plan", "2026-11-30"],
    ["plan", "tomorrow", "--keep"],
    ["plan", "12:00"],
    ["--user", "alex@example.com", "duty"],
    ["--user=nobody@example.com", "today"],
]


@pytest.fixture
def day_of_work(run: Run) -> None:
    create_user(run, "alex@example.com")
    ok(run("project", "add", "api"))
    ok(run("task", "add", "Fix login", "-d", "fri 17:00", "-i", "3", "-e", "2h", "-p", "api",
           "-t", "security", "-t", "auth", "--planned", "today"))  # fmt: skip
    ok(run("task", "add", "Answer Sam", "-d", "tomorrow 10:00", "-i", "P1", "-e", "1h30"))
    ok(run("task", "add", "Wr\u00eete the d\u00f6cs", "-e", "45", "-t", "docs"))
    ok(run("task", "done", "2"))
    ok(run("plan"))


@pytest.mark.usefixtures("day_of_work")
@pytest.mark.parametrize("argv", ANSWERED, ids=" ".join)
def test_it_answers_as_the_typer_command_does(
    argv: list[str], run: Run, cli_pool: BackendPool, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = run(*argv)
    capsys.readouterr()
    code = quick.run(argv, CliState(now=lambda: START, pool=cli_pool))
    answered = capsys.readouterr()
    assert (code, answered.out, answered.err) == (typed.exit_code, typed.stdout, typed.stderr)
    assert answered.out or answered.err.startswith("error: ")


@pytest.mark.usefixtures("day_of_work")
def test_it_answers_a_mistake_with_the_same_error_line(
    run: Run, cli_pool: BackendPool, capsys: pytest.CaptureFixture[str]
) -> None:
    code = quick.run(["plan", "12:00"], CliState(now=lambda: START, pool=cli_pool))
    assert code == 1
    assert capsys.readouterr().err.startswith("error: DAY: '12:00' is a time; give a day")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["task", "list", "--help"],
        ["task", "list", "-h"],
        ["plan", "--help"],
        ["task", "list", "-tbug"],  # an attached short value: click's to read
        ["task", "list", "--tag"],  # a value missing
        ["task", "list", "--tag", "--json"],  # an option where the value goes
        ["task", "list", "--nope"],
        ["task", "list", "extra"],
        ["task", "list", "--json=yes"],
        ["task", "list", "--", "--all"],
        ["duty", "-n", "0"],
        ["duty", "-n", "x"],
        ["today", "tomorrow"],
        ["plan", "build"],
        ["plan", "show", "mon", "tue"],
        ["task", "show", "1"],
        ["task"],
        ["--server"],
        ["--verbose", "today"],
        ["task", "list", "--search", "\udcff"],  # not UTF-8: Typer says so
    ],
    ids=repr,
)
def test_it_leaves_every_other_command_line_to_typer(argv: list[str]) -> None:
    assert quick.parse(argv) is None
    assert quick.run(argv) is None


def test_it_reads_the_root_options_and_their_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVDAY_SERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("DEVDAY_TOKEN", "")  # empty: as if unset, as click reads it
    monkeypatch.delenv("DEVDAY_USER", raising=False)
    parsed = quick.parse(["--token", "dd_x", "task", "list", "-t", "bug", "-t", "docs"])
    assert parsed is not None
    assert parsed.root == {"token": "dd_x", "server": "http://127.0.0.1:9", "user": None}
    assert parsed.values == {"tag": "docs"}  # the last one counts, as in click
    given = quick.parse(["--server=http://example.com", "plan", "fri", "--keep"])
    assert given is not None and given.root["server"] == "http://example.com"
    assert (given.read.function, given.values) == ("plan_show", {"day": "fri", "keep": True})


def test_the_shell_completion_is_typers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_DEVDAY_COMPLETE", "bash_complete")
    assert quick.run(["today"]) is None
