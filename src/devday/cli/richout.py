"""Rich's own rendering of the long outputs, for text ``plain.Screen`` does not take.

``output`` lays each output out (which rows, which widths) and writes it through the screen
when it can; these print the same layout through Rich: Text, never markup, so that a title
like "Fix [auth]" prints as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def fit(cell: str, width: int, *, right: bool = False) -> Text:
    """``cell`` cut to ``width`` cells with an ellipsis and padded to it."""
    from rich.text import Text

    text = Text(cell)
    text.truncate(width, overflow="ellipsis")
    pad = " " * (width - text.cell_len)
    return Text.assemble(pad, text) if right else Text.assemble(text, pad)


def indented(console: Console, text: Text, indent: int) -> None:
    """``text`` wrapped to the terminal, every line ``indent`` cells in."""
    from rich.text import Text

    for piece in text.wrap(console, max(20, console.width - indent)):
        console.print(Text.assemble(" " * indent, piece))


def tasks_table(
    console: Console, columns: Sequence[str], widths: list[int], rows: Sequence[Sequence[str]]
) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, width in zip(columns, widths, strict=True):
        table.add_column(
            name,
            width=width,
            no_wrap=True,
            overflow="ellipsis",
            justify="right" if name == "id" else "left",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def duty_table(
    console: Console,
    columns: tuple[str, ...],
    widths: list[int],
    right: list[bool],
    rows: Sequence[tuple[str, ...]],
    terms: list[list[str]],
    indent: int,
) -> None:
    from rich.text import Text

    def cells(row: tuple[str, ...], style: str = "") -> Text:
        parts = [fit(c, w, right=r) for c, w, r in zip(row, widths, right, strict=True)]
        joined = Text("  ").join(parts)
        joined.rstrip()
        joined.stylize(style)
        return joined

    console.print(cells(columns, "bold"))
    for row, explanations in zip(rows, terms, strict=True):
        console.print(cells(row))
        for explanation in explanations:
            indented(console, Text(explanation, style="dim"), indent)


def timeline(console: Console, heading: str, items: list[tuple[str, str, str, bool]]) -> None:
    from rich.text import Text

    console.print(Text(heading, style="bold"))
    if not items:
        return
    room = console.width - max(len(head) + len(note) + 2 for head, _w, note, _q in items)
    width = min(max(Text(what).cell_len for _h, what, _n, _q in items), max(12, room))
    for head, what, note, quiet in items:
        shown = Text.assemble(head, fit(what, width), f"  {note}")
        shown.rstrip()
        if quiet:
            shown.stylize("dim")
        console.print(shown)


def explained(console: Console, pairs: list[tuple[str, str]], indent: int) -> None:
    from rich.text import Text

    for head, reason in pairs:
        indented(console, Text(head), indent)
        indented(console, Text(reason, style="dim"), 3 * indent)


def aligned(console: Console, table: list[list[str]], cut: int | None, indent: int) -> None:
    from rich.text import Text

    count = len(table[0])
    widths = [max(Text(row[i]).cell_len for row in table) for i in range(count)]
    if cut is not None:
        room = console.width - indent - (sum(widths) - widths[cut]) - 2 * (count - 1)
        widths[cut] = min(widths[cut], max(12, room))
    for row in table:
        shown = Text.assemble(
            " " * indent,
            Text("  ").join(fit(cell, w) for cell, w in zip(row, widths, strict=True)),
        )
        shown.rstrip()
        console.print(shown)
