"""Everything the CLI prints goes through here: plain lines, errors, JSON and Rich tables.

Times arrive from the API in UTC and are shown in the caller's timezone. The long outputs (the
task table, the duty list, timelines, risks) go through ``plain.Screen``, which writes what Rich
would for plain text at a fraction of the cost; Rich itself prints them when the text holds
anything the screen does not handle, and prints the short ones.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from devday import timetext
from devday.cli import richout
from devday.dateparse import format_duration

if TYPE_CHECKING:
    from rich.console import Console

    from devday.cli.plain import Plain


def _console() -> Console:
    from devday.cli.plain import console

    return console()


def _measure() -> Console | Plain:
    """The console, or what the screen needs of it when the output is no terminal."""
    from devday.cli.plain import measure

    return measure()


def _rich(of: Console | Plain) -> Console:
    from devday.cli.plain import rich_console

    return rich_console(of)


def _echo(text: str, stream: TextIO) -> None:
    """A line written and flushed, as ``typer.echo`` writes one (without importing Typer)."""
    stream.write(f"{text}\n")
    stream.flush()


def line(text: str) -> None:
    _echo(text, sys.stdout)


def error(text: str) -> None:
    _echo(f"error: {text}", sys.stderr)


def warn(text: str) -> None:
    _echo(f"warning: {text}", sys.stderr)


def raw_json(data: Any) -> None:
    line(json.dumps(data, indent=2, ensure_ascii=False))


#: The clock of a command run without Typer (``devday.cli.quick``), while it runs.
_clocks: list[Callable[[], datetime]] = []


@contextmanager
def clock(now: Callable[[], datetime]) -> Iterator[None]:
    """Times are shown against ``now`` while this lasts (a read that ``quick`` runs)."""
    _clocks.append(now)
    try:
        yield
    finally:
        _clocks.pop()


def _now() -> datetime:
    """The command's clock (``CliState.now``, which tests pin), else the machine's: the one
    ``clock`` set, or the one in Typer's context (its vendored click's, looked for only when
    Typer runs the command)."""
    from devday.cli.state import CliState

    if _clocks:
        return _clocks[-1]()
    globals_ = sys.modules.get("typer._click.globals")
    context = globals_.get_current_context(silent=True) if globals_ is not None else None
    found = context.find_object(CliState) if context is not None else None
    return found.now() if found is not None else datetime.now(UTC)


def when(value: str | None, timezone: str, *, empty: str = "") -> str:
    """An API instant as "Fri 04 Dec 17:00" in ``timezone``, "Mon 04 Jan 2027 17:00" when it
    is not in the current year there."""
    if not value:
        return empty
    return timetext.moment(datetime.fromisoformat(value), timezone, _now())


def estimate(minutes: int | None) -> str:
    return format_duration(minutes) if minutes else ""


def task_line(verb: str, task: dict[str, Any], timezone: str) -> None:
    """The task saved, and on stderr a ``warning:`` line for each of its ``warnings`` (a
    deadline in the past or on a day off, as the API says it)."""
    due = when(task["deadline"], timezone)
    suffix = f", due {due}" if due else ""
    line(f"{verb} #{task['id']} {task['priority']} {task['title']}{suffix}")
    for text in task.get("warnings", []):
        warn(str(text))


TASK_COLUMNS = ("id", "P", "title", "deadline", "est", "project", "tags", "status")


def tasks_table(tasks: Iterable[dict[str, Any]], projects: dict[int, str], timezone: str) -> None:
    rows = [
        (
            str(task["id"]),
            task["priority"],
            task["title"],
            when(task["deadline"], timezone),
            estimate(task["estimate_minutes"]),
            projects.get(task["project_id"], "") if task["project_id"] else "",
            " ".join(f"#{t}" for t in task["tags"]),
            task["status"],
        )
        for task in tasks
    ]
    if not rows:
        line("no tasks")
        return
    from devday.cli.plain import Screen, fit

    console = _measure()
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(TASK_COLUMNS)]
    title = TASK_COLUMNS.index("title")
    # One line per task: the title gets the room the other columns leave (two spaces between
    # columns) and is cut short when it must; "task show" has all of it.
    room = console.width - (sum(widths) - widths[title]) - 2 * (len(TASK_COLUMNS) - 1)
    widths[title] = max(12, min(widths[title], room))
    screen = Screen(console)
    fits = sum(widths) + 2 * (len(TASK_COLUMNS) - 1) <= screen.width
    if fits and screen.takes(cell for row in rows for cell in row):
        right = [name == "id" for name in TASK_COLUMNS]
        for cells, style in [(TASK_COLUMNS, "bold"), *((row, "") for row in rows)]:
            text = "  ".join(
                fit(c, w, right=r) for c, w, r in zip(cells, widths, right, strict=True)
            )
            screen.line("", text, "bold" if style else "")
        screen.flush()
        return
    richout.tasks_table(_rich(console), TASK_COLUMNS, widths, rows)


def task_detail(
    task: dict[str, Any],
    *,
    timezone: str,
    project: str,
    assignee: str,
    dependencies: list[tuple[int, str, str]],
) -> None:
    rows = [
        ("status", task["status"]),
        ("priority", f"{task['priority']} (importance {task['importance']})"),
        ("deadline", when(task["deadline"], timezone, empty="-")),
        ("planned", task["planned_date"] or "-"),
        ("estimate", estimate(task["estimate_minutes"]) or "-"),
        ("earliest start", when(task["earliest_start"], timezone, empty="-")),
        ("splittable", "yes" if task["splittable"] else "no"),
        ("kind", task["kind"]),
        ("project", project or "-"),
        ("tags", " ".join(f"#{t}" for t in task["tags"]) or "-"),
        ("assignee", assignee or "-"),
        ("source", task["source"]),
        ("created", when(task["created_at"], timezone)),
        ("updated", when(task["updated_at"], timezone)),
        ("completed", when(task["completed_at"], timezone, empty="-")),
        ("version", str(task["version"])),
    ]
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, Text(str(value)))
    console = _console()
    console.print(f"#{task['id']} {task['title']}", markup=False, style="bold")
    console.print(table)
    if dependencies:
        console.print("depends on:", style="bold")
        for dep_id, title, status in dependencies:
            console.print(f"  #{dep_id} {title} [{status}]", markup=False)
    if task["notes"]:
        console.print("notes:", style="bold")
        console.print(task["notes"], markup=False)


def simple_table(columns: list[str], rows: Iterable[Iterable[object]], *, empty: str) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in columns:
        table.add_column(name)
    count = 0
    for row in rows:
        count += 1
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    if not count:
        line(empty)
        return
    _console().print(table)


def fields(pairs: Iterable[tuple[str, object]]) -> None:
    for key, value in pairs:
        line(f"{key + ':':<10} {value}")


# --- the planner: the duty list, a day's timeline, risks with their reasons ---------------------

DUTY_COLUMNS = ("#", "id", "P", "title", "deadline", "score")
_DUTY_RIGHT = {"#", "id", "score"}
_INDENT = 2


def duty_table(items: list[dict[str, Any]], timezone: str) -> None:
    """The duty list in rank order, one line per task, each term of its score dim under the title.

    The title is cut short so that a task's line fits the terminal; the terms wrap, indented.
    """
    if not items:
        line("no open tasks")
        return
    rows = [
        (
            str(rank),
            str(item["task_id"]),
            str(item["priority"]),
            str(item["title"]),
            when(item["deadline"], timezone, empty="-"),
            f"{float(item['score']):.1f}",
        )
        for rank, item in enumerate(items, start=1)
    ]
    terms = [[str(term["explanation"]) for term in item["terms"]] for item in items]
    console = _measure()
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(DUTY_COLUMNS)]
    title = DUTY_COLUMNS.index("title")
    room = console.width - (sum(widths) - widths[title]) - 2 * (len(DUTY_COLUMNS) - 1)
    widths[title] = max(12, min(widths[title], room))
    indent = sum(widths[:title]) + 2 * title
    right = [name in _DUTY_RIGHT for name in DUTY_COLUMNS]

    from devday.cli.plain import Screen, fit, wrap

    screen = Screen(console)
    if screen.takes([*(c for row in rows for c in row), *(t for ts in terms for t in ts)]):

        def joined(row: tuple[str, ...]) -> str:
            cells = zip(row, widths, right, strict=True)
            return "  ".join(fit(c, w, right=r) for c, w, r in cells).rstrip()

        screen.line("", joined(DUTY_COLUMNS), "bold")
        for row, explanations in zip(rows, terms, strict=True):
            screen.line("", joined(row))
            for explanation in explanations:
                for piece in wrap(explanation, max(20, screen.width - indent)):
                    screen.line(" " * indent, piece, "dim")
        screen.flush()
        return
    richout.duty_table(_rich(console), DUTY_COLUMNS, widths, right, rows, terms, indent)


def timeline(heading: str, rows: Iterable[tuple[str, str, str, bool]]) -> None:
    """A bold ``heading``, then per row (span, what, note, quiet) "span  what  note", the notes
    lined up; ``what`` is cut short so that the line fits the terminal, and quiet rows (routine,
    done work) are dim."""
    from devday.cli.plain import Screen, cells, fit

    console = _measure()
    items = [(f"{' ' * _INDENT}{span}  ", what, note, quiet) for span, what, note, quiet in rows]
    screen = Screen(console)
    if screen.takes([heading, *(part for item in items for part in item[:3])]):
        screen.line("", heading, "bold")
        if items:
            room = screen.width - max(len(head) + len(note) + 2 for head, _w, note, _q in items)
            width = min(max(cells(what) for _h, what, _n, _q in items), max(12, room))
            for head, what, note, quiet in items:
                text = f"{head}{fit(what, width)}  {note}".rstrip()
                screen.line("", text, "dim" if quiet else "")
        screen.flush()
        return
    richout.timeline(_rich(console), heading, items)


def heading(text: str) -> None:
    from devday.cli.plain import Screen

    console = _measure()
    screen = Screen(console)
    if screen.takes([text]):
        screen.line("", text, "bold")
        screen.flush()
        return
    from rich.text import Text

    _rich(console).print(Text(text, style="bold"))


def explained(head: str, reason: str) -> None:
    """``head`` indented, then ``reason`` dim and wrapped, indented under it."""
    explained_all([(head, reason)])


def explained_all(items: Iterable[tuple[str, str]]) -> None:
    """``explained`` for each (head, reason), in one go."""
    from devday.cli.plain import Screen, wrap

    pairs = list(items)
    console = _measure()
    screen = Screen(console)
    if screen.takes(text for pair in pairs for text in pair):
        for head, reason in pairs:
            for text, indent, style in ((head, _INDENT, ""), (reason, 3 * _INDENT, "dim")):
                for piece in wrap(text, max(20, screen.width - indent)):
                    screen.line(" " * indent, piece, "dim" if style else "")
        screen.flush()
        return
    richout.explained(_rich(console), pairs, _INDENT)


# --- the working day: the morning review, the wrap-up, the reflection ---------------------------


def aligned(rows: Iterable[Iterable[str]], *, cut: int | None = None) -> None:
    """``rows`` indented, their columns two spaces apart and lined up; column ``cut`` (a title)
    is cut short with an ellipsis so that each line fits the terminal. Text, so no markup."""
    from devday.cli.plain import Screen, cells, fit

    table = [list(row) for row in rows]
    if not table:
        return
    console = _measure()
    count = max(len(row) for row in table)
    table = [row + [""] * (count - len(row)) for row in table]
    screen = Screen(console)
    if screen.takes(cell for row in table for cell in row):
        widths = [max(cells(row[i]) for row in table) for i in range(count)]
        if cut is not None:
            room = screen.width - _INDENT - (sum(widths) - widths[cut]) - 2 * (count - 1)
            widths[cut] = min(widths[cut], max(12, room))
        for row in table:
            text = "  ".join(fit(cell, w) for cell, w in zip(row, widths, strict=True))
            screen.line("", (" " * _INDENT + text).rstrip())
        screen.flush()
        return
    richout.aligned(_rich(console), table, cut, _INDENT)


def spent(minutes: int) -> str:
    """Time spent as the end-of-day report writes it: "45 min", "2 h", "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def markdown(text: str) -> None:
    """Markdown as written (a report to paste into chat), not rendered."""
    line(text.rstrip("\n"))
