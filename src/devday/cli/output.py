"""Everything the CLI prints goes through here: plain lines, errors, JSON and Rich tables.

Times arrive from the API in UTC and are shown in the caller's timezone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from devday.dateparse import format_duration


def _console() -> Console:
    # Made per call: the console must write to the sys.stdout of the moment (tests swap it).
    return Console(highlight=False, soft_wrap=False)


def line(text: str) -> None:
    typer.echo(text)


def error(text: str) -> None:
    typer.echo(f"error: {text}", err=True)


def warn(text: str) -> None:
    typer.echo(f"warning: {text}", err=True)


def raw_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def when(value: str | None, timezone: str, *, empty: str = "") -> str:
    """An API instant as "Fri 04 Dec 17:00" in ``timezone``."""
    if not value:
        return empty
    instant = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone))
    return instant.strftime("%a %d %b %H:%M")


def estimate(minutes: int | None) -> str:
    return format_duration(minutes) if minutes else ""


def task_line(verb: str, task: dict[str, Any], timezone: str) -> None:
    due = when(task["deadline"], timezone)
    suffix = f", due {due}" if due else ""
    line(f"{verb} #{task['id']} {task['priority']} {task['title']}{suffix}")


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
    console = _console()
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(TASK_COLUMNS)]
    title = TASK_COLUMNS.index("title")
    # One line per task: the title gets the room the other columns leave (two spaces between
    # columns) and is cut short when it must; "task show" has all of it.
    room = console.width - (sum(widths) - widths[title]) - 2 * (len(TASK_COLUMNS) - 1)
    widths[title] = max(12, min(widths[title], room))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, width in zip(TASK_COLUMNS, widths, strict=True):
        table.add_column(
            name,
            width=width,
            no_wrap=True,
            overflow="ellipsis",
            justify="right" if name == "id" else "left",
        )
    for row in rows:
        # Text, not markup: a title like "Fix [auth]" must print as typed.
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


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


def _fit(cell: str, width: int, *, right: bool = False) -> Text:
    """``cell`` cut to ``width`` cells with an ellipsis and padded to it; Text, so no markup."""
    text = Text(cell)
    text.truncate(width, overflow="ellipsis")
    pad = " " * (width - text.cell_len)
    return Text.assemble(pad, text) if right else Text.assemble(text, pad)


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
    console = _console()
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(DUTY_COLUMNS)]
    title = DUTY_COLUMNS.index("title")
    room = console.width - (sum(widths) - widths[title]) - 2 * (len(DUTY_COLUMNS) - 1)
    widths[title] = max(12, min(widths[title], room))
    indent = sum(widths[:title]) + 2 * title

    def cells(row: tuple[str, ...], style: str = "") -> Text:
        parts = [
            _fit(cell, width, right=name in _DUTY_RIGHT)
            for name, cell, width in zip(DUTY_COLUMNS, row, widths, strict=True)
        ]
        joined = Text("  ").join(parts)
        joined.rstrip()
        joined.stylize(style)
        return joined

    console.print(cells(DUTY_COLUMNS, "bold"))
    for row, item in zip(rows, items, strict=True):
        console.print(cells(row))
        for term in item["terms"]:
            _indented(console, Text(str(term["explanation"]), style="dim"), indent)


def timeline(heading: str, rows: Iterable[tuple[str, str, str, bool]]) -> None:
    """A bold ``heading``, then per row (span, what, note, quiet) "span  what  note", the notes
    lined up; ``what`` is cut short so that the line fits the terminal, and quiet rows (routine,
    done work) are dim."""
    console = _console()
    console.print(Text(heading, style="bold"))
    items = [(f"{' ' * _INDENT}{span}  ", what, note, quiet) for span, what, note, quiet in rows]
    if not items:
        return
    room = console.width - max(len(head) + len(note) + 2 for head, _w, note, _q in items)
    width = min(max(Text(what).cell_len for _h, what, _n, _q in items), max(12, room))
    for head, what, note, quiet in items:
        text = Text.assemble(head, _fit(what, width), f"  {note}")
        text.rstrip()
        if quiet:
            text.stylize("dim")
        console.print(text)


def heading(text: str) -> None:
    _console().print(Text(text, style="bold"))


def explained(head: str, reason: str) -> None:
    """``head`` indented, then ``reason`` dim and wrapped, indented under it."""
    console = _console()
    _indented(console, Text(head), _INDENT)
    _indented(console, Text(reason, style="dim"), 3 * _INDENT)


def _indented(console: Console, text: Text, indent: int) -> None:
    """``text`` wrapped to the terminal, every line ``indent`` cells in."""
    for piece in text.wrap(console, max(20, console.width - indent)):
        console.print(Text.assemble(" " * indent, piece))


# --- the working day: the morning review, the wrap-up, the reflection ---------------------------


def aligned(rows: Iterable[Iterable[str]], *, cut: int | None = None) -> None:
    """``rows`` indented, their columns two spaces apart and lined up; column ``cut`` (a title)
    is cut short with an ellipsis so that each line fits the terminal. Text, so no markup."""
    table = [list(row) for row in rows]
    if not table:
        return
    console = _console()
    count = max(len(row) for row in table)
    table = [row + [""] * (count - len(row)) for row in table]
    widths = [max(Text(row[i]).cell_len for row in table) for i in range(count)]
    if cut is not None:
        room = console.width - _INDENT - (sum(widths) - widths[cut]) - 2 * (count - 1)
        widths[cut] = min(widths[cut], max(12, room))
    for row in table:
        text = Text.assemble(
            " " * _INDENT,
            Text("  ").join(_fit(cell, w) for cell, w in zip(row, widths, strict=True)),
        )
        text.rstrip()
        console.print(text)


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
    typer.echo(text.rstrip("\n"))
