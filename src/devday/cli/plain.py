"""Rich's output for lines of plain text, without Rich's rendering pipeline.

Printing 1,000 rows through Rich's Table or one ``console.print`` per line costs hundreds of
milliseconds; the rows are plain text in one style, so ``Screen`` writes what Rich would have
written: the same width (from a Rich ``Console``), the same word wrapping and ellipsis (Rich's
own ``divide_line``, ``cell_len`` and ``set_cell_size``), bold and dim as the same SGR codes
when Rich would colour. Text Rich would treat specially (control characters, tabs, newlines:
anything not printable) is not handled here: ``Screen.takes`` says no, and the caller prints
through Rich instead. tests/cli/test_plain.py holds the two ways to the same bytes.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Screen", "cells", "console", "fit", "measure", "pieces", "wrap"]

Style = Literal["", "bold", "dim"]
_SGR = {"bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"
_TRAILING_SPACE = re.compile(r"\s+$")
ENABLED = True  # tests turn it off to get Rich's own output for the same calls


def console() -> Console:
    # Made per call: the console must write to the sys.stdout of the moment (tests swap it).
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


class Plain:
    """What ``Screen`` reads from a Rich ``Console`` (its width, whether it colours), for output
    that goes to no terminal (a pipe, a file), worked out as Rich works it out, without
    importing Rich."""

    color_system = None
    legacy_windows = False
    is_jupyter = False

    def __init__(self, width: int) -> None:
        self.width = width


def measure() -> Console | Plain:
    """``console()``, or a ``Plain`` where Rich's console would see no terminal: not on
    Windows, not in IPython, neither ``TTY_COMPATIBLE=1`` nor ``FORCE_COLOR`` set, and
    standard output no TTY."""
    plain = _plain_width()
    return console() if plain is None else Plain(plain)


def rich_console(of: Console | Plain) -> Console:
    """``of`` if it is Rich's, else the Rich console it stands for."""
    return console() if isinstance(of, Plain) else of


def _plain_width() -> int | None:
    """The width Rich's console gives output that is no terminal, or None when that is not
    certain (then Rich itself is asked)."""
    import builtins

    environ = os.environ
    if sys.platform == "win32" or hasattr(builtins, "get_ipython"):
        return None
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible == "1" or (compatible != "0" and environ.get("FORCE_COLOR")):
        return None
    if compatible != "0" and environ.get("FORCE_COLOR") is None:
        out = getattr(sys.stdout, "rich_proxied_file", sys.stdout)
        isatty = getattr(out, "isatty", None)
        try:
            if isatty is None or isatty():
                return None
        except ValueError:  # a closed stream: Rich sees no terminal either
            pass
        stdin = getattr(sys.stdin, "__module__", "")
        if isinstance(stdin, str) and stdin.startswith("idlelib"):
            return None
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for default, stream in enumerate((sys.__stdin__, sys.__stdout__, sys.__stderr__)):
        try:
            width = os.get_terminal_size(_fileno(stream, default=default)).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


def _fileno(stream: object, *, default: int) -> int:
    try:
        return int(stream.fileno())  # type: ignore[attr-defined]
    except Exception:
        return default


class Screen:
    """Lines for the terminal of the moment, written together by ``flush``."""

    def __init__(self, of: Console | Plain) -> None:
        self.width = of.width
        self._styled = of.color_system is not None
        self._usable = ENABLED and not of.legacy_windows and not of.is_jupyter
        self._out: list[str] = []

    def takes(self, texts: Iterable[str]) -> bool:
        """Whether every text is one this screen writes exactly as Rich would."""
        return self._usable and all(text.isprintable() for text in texts)

    def line(self, prefix: str, body: str = "", style: Style = "") -> None:
        """``console.print(Text.assemble(prefix, Text(body, style=style)))``."""
        for start, piece in pieces(prefix + body, self.width):
            self._out.append(self._paint(piece, max(0, len(prefix) - start), style))

    def flush(self) -> None:
        if self._out:
            sys.stdout.write("".join(line + "\n" for line in self._out))
            sys.stdout.flush()
            self._out.clear()

    def _paint(self, text: str, plain: int, style: Style) -> str:
        if not style or not self._styled or plain >= len(text):
            return text
        return f"{text[:plain]}{_SGR[style]}{text[plain:]}{_RESET}"


def wrap(text: str, width: int) -> list[str]:
    """``Text(text).wrap(console, width)`` as strings: words folded onto new lines, a word
    longer than the line folded across lines, whitespace beyond the width dropped."""
    return [piece for _start, piece in pieces(text, width)]


def pieces(text: str, width: int) -> list[tuple[int, str]]:
    """``wrap`` with where in ``text`` each line starts."""
    if cells(text) <= width:  # what divide_line finds for a line that fits, without its work
        return [(0, text)]
    from rich._wrap import divide_line

    offsets = divide_line(text, width, fold=True)
    bounds = [0, *offsets, len(text)]
    lines = []
    for start, end in itertools.pairwise(bounds):
        line = text[start:end]
        if len(line) > width and (space := _TRAILING_SPACE.search(line)) is not None:
            line = line[: len(line) - min(len(space.group(0)), len(line) - width)]
        if cells(line) > width:
            from rich.cells import set_cell_size

            line = set_cell_size(line, width)
        lines.append((start, line))
    return lines


def cells(text: str) -> int:
    """Rich's ``cell_len``; printable ASCII takes one cell a character, counted at once."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def fit(cell: str, width: int, *, right: bool = False) -> str:
    """``cell`` cut to ``width`` cells with an ellipsis and padded to it, as Rich's
    ``Text.truncate(width, overflow="ellipsis")`` and a pad."""
    size = cells(cell)
    if size > width:
        if cell.isascii():
            cut = cell[: width - 1]
        else:
            from rich.cells import set_cell_size

            cut = set_cell_size(cell, width - 1)
        cell = cut + "\u2026"
        size = width
    pad = " " * (width - size)
    return pad + cell if right else cell + pad
