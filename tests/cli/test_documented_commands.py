"""Every ``devday`` command line the README and the docs show is one the CLI takes: each
command and option it names exists. The lines are read from the documents' code blocks and run
with ``--help`` added, which names an unknown command or option as an error and otherwise
shows the command's help without running it."""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

from devday.cli.main import app
from tests.documents import DOCUMENTS, ROOT

FENCE = re.compile(r"^\s*```")
# Where a shell line stops being the command's own words.
SHELL = {">", ">>", "<", "|", "&&", ";", "2>&1"}


def command_lines(text: str) -> list[str]:
    """The ``devday ...`` lines of the text's code blocks (a ``$`` prompt dropped, lines ending
    in a backslash joined to the next)."""
    found: list[str] = []
    inside = False
    pending = ""
    for raw in text.splitlines():
        if FENCE.match(raw):
            inside, pending = not inside, ""
            continue
        if not inside:
            continue
        line = pending + raw.strip().removeprefix("$ ")
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line.startswith("devday "):
            found.append(line)
    return found


def documented() -> list[tuple[str, str]]:
    return [
        (document.relative_to(ROOT).as_posix(), line)
        for document in DOCUMENTS
        for line in command_lines(document.read_text(encoding="utf-8"))
    ]


def words(line: str) -> list[str]:
    """The command's arguments: the shell's comment and redirections cut off."""
    argv = shlex.split(line, comments=True)[1:]
    for index, word in enumerate(argv):
        if word in SHELL:
            return argv[:index]
    return argv


def test_the_documents_show_the_cli() -> None:
    # The reader below finds the lines it is meant to: the README's quick tour among them.
    lines = [line for _, line in documented()]
    assert len(lines) > 50
    assert any(line.startswith("devday login --server ") for line in lines)


@pytest.mark.parametrize(("document", "line"), documented())
def test_a_documented_command_line_is_one_the_cli_takes(document: str, line: str) -> None:
    result = CliRunner().invoke(app, [*words(line), "--help"])
    assert result.exit_code == 0, f"{document}: {line}\n{result.output}"
    assert "Usage: devday" in result.output, f"{document}: {line}\n{result.output}"
