from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Run, create_user
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("task", "add", "x", "--project", "nope"),
            "error: no project 'nope'; see 'devday project list' or 'devday project add'\n",
        ),
        (
            ("task", "add", "x", "--deadline", "someday"),
            "error: --deadline: cannot read 'someday'; use today, tomorrow 10:00, fri, "
            "friday 17:00, fri 5pm, next mon, 2026-12-01, 2026-12-01 14:30, in 3 days, "
            "in 2 weeks, in 4 hours, eod, or an RFC 3339 instant\n",
        ),
        (
            ("task", "add", "x", "--estimate", "2d"),
            "error: --estimate: cannot read '2d': a day is ambiguous (24 hours or a working "
            "day); give hours instead, such as 16h\n",
        ),
        (("task", "show", "99"), "error: task 99 not found\n"),
        (("task", "done", "99"), "error: task 99 not found\n"),
        (
            ("task", "add", "x", "--importance", "5"),
            "error: --importance: use 1-4 (4 is critical) or P1-P4 (P1 is critical), not '5'\n",
        ),
        (
            ("task", "edit", "1"),
            "error: nothing to change; give an option such as --deadline or --title\n",
        ),
        (
            ("team", "members", "nope"),
            "error: no team 'nope' among yours; see 'devday team list'\n",
        ),
        (
            ("task", "add", "x", "--kind", "nap"),
            "error: kind: Input should be 'coding', "
            "'testing', 'docs', 'meeting', 'review', 'support', 'learning', 'admin' or 'other'\n",
        ),
    ],
)
def test_it_prints_one_error_line_and_exits_1(run: Run, args: tuple[str, ...], line: str) -> None:
    create_user(run, "alex@example.com")
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == line
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "DEVDAY_SIGNUP_LIMIT_PER_ADDRESS",
            "20 an hour",
            "DEVDAY_SIGNUP_LIMIT_PER_ADDRESS='20 an hour': not a rate such as 20/hour or "
            "10/15 minutes",
        ),
        (
            "DEVDAY_INVITATION_EMAIL_LIMIT_PER_USER",
            "",
            "DEVDAY_INVITATION_EMAIL_LIMIT_PER_USER='': not a rate such as 20/hour or "
            "10/15 minutes",
        ),
        (
            "DEVDAY_PORT",
            "http",
            "DEVDAY_PORT='http': input should be a valid integer, unable to parse string as an "
            "integer",
        ),
        (
            "DEVDAY_OIDC_ISSUER",
            "keycloak.example.com",
            "DEVDAY_OIDC_ISSUER='keycloak.example.com': not the provider's issuer URL, https://...",
        ),
        (
            "DEVDAY_PASSWORD_LOGIN",
            "false",
            "DEVDAY_PASSWORD_LOGIN=false needs single sign-on: set DEVDAY_OIDC_ISSUER and "
            "DEVDAY_OIDC_CLIENT_ID, or nobody can sign in",
        ),
    ],
)
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_setting_the_server_cannot_start_with_is_named_in_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, command: str, variable: str, value: str, line: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = run(command)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: the settings cannot be used: {line}\n"


def test_it_keeps_the_api_detail_for_refused_input(run: Run) -> None:
    create_user(run, "alex@example.com")
    result = run("task", "add", "x", "--tag", "no spaces")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: tags: ")
    assert "letters, digits" in result.stderr


def test_it_exits_2_on_usage_errors(run: Run) -> None:
    result = run("task", "add")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
    assert run("task", "show", "one").exit_code == 2


def test_it_says_how_to_start_when_there_is_no_account(run: Run) -> None:
    result = run("task", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no account in the local database yet; create one with 'devday user create EMAIL'\n"
    )


def test_it_says_how_to_choose_among_several_accounts(run: Run, cli_env: Path) -> None:
    create_user(run, "alex@example.com")
    create_user(run, "sam@example.com", "America/New_York")  # the CLI now acts as sam
    assert "sam@example.com" in run("me").output
    assert "alex@example.com" in run("--user", "alex@example.com", "me").output
    assert run("use", "alex@example.com").output == (
        "now acting as Alex <alex@example.com> in the local database\n"
    )
    assert "alex@example.com" in run("me").output
    (cli_env / "cli.json").unlink()
    several = run("me")
    assert several.exit_code == 1
    assert several.stderr == (
        "error: the local database has several accounts; choose one with 'devday use EMAIL', "
        "--user EMAIL or DEVDAY_USER\n"
    )
    unknown = run("use", "nobody@example.com")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "error: no account 'nobody@example.com' in the local database; "
        "create it with 'devday user create nobody@example.com'\n"
    )


def test_it_refuses_a_short_password_and_a_duplicate_email(run: Run) -> None:
    short = run("user", "create", "a@example.com", "--password-stdin", input="short\n")
    assert short.exit_code == 1
    assert short.stderr == "error: password: String should have at least 10 characters\n"
    create_user(run, "a@example.com")
    again = run("user", "create", "a@example.com", "--password-stdin", input=PASSWORD + "\n")
    assert again.stderr == "error: email: an account with this email already exists\n"


def test_it_asks_for_the_password_twice(run: Run) -> None:
    mismatch = run("user", "create", "a@example.com", input=f"{PASSWORD}\nother one!!\n")
    assert mismatch.exit_code != 0
    matched = run("user", "create", "a@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert matched.exit_code == 0, matched.output
    assert "created a@example.com" in matched.stdout


def test_it_keeps_the_app_out_of_the_start_up_path() -> None:
    code = (
        "import sys; from devday.cli.main import app; "
        "heavy = {'fastapi', 'sqlalchemy', 'devday.app', 'httpx2', 'uvicorn'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "[]"
