"""Help screens kept: ``devday [COMMAND ...] --help`` is drawn by Typer once, then read back.

Drawing a help screen means importing Typer and Rich, most of its time. The screen depends only
on devday's code, the command line and the terminal it is drawn for, so the first one drawn is
kept under a digest of all of them: the words and help option typed, devday's code (the newest
source file's time and their number, as the resident server's name uses), the interpreter,
every environment variable but the shell's own bookkeeping (``COLUMNS``, ``TERM``,
``NO_COLOR``, ``FORCE_COLOR`` ... change what Rich draws), the terminal's size, which streams
are terminals, and their encoding. An upgrade, an edited source file, another width or another
colour setting is drawn anew. The screens live beside the resident servers' sockets, in the
folder only the user may open (``runtime.private_folder``), at most ``KEPT`` of them; where
there is no such folder, nothing is kept. The Azure CLI keeps its command index for the same
reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HELP_OPTIONS = ("--help", "-h")
KEPT = 16  # screens kept; the oldest goes first
# The shell's bookkeeping: it changes from one prompt to the next, the help screen does not.
_VOLATILE = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})


def kept_path(argv: Sequence[str]) -> Path | None:
    """Where the screen for ``argv`` is kept, or None when ``argv`` asks for no help screen
    (only command words, then one help option) or there is nowhere private to keep it."""
    *words, last = argv or [""]
    if last not in HELP_OPTIONS or len(words) > 2:
        return None
    if not all(_is_word(word) for word in words):
        return None
    from devday.cli import runtime

    folder = runtime.private_folder()
    if folder is None:
        return None
    environment = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE)
    key = repr(
        (
            list(argv),
            runtime.code_stamp(),
            sys.executable,
            sys.version,
            environment,
            _terminal(),
        )
    )
    return folder / f"help-{runtime.digest(key)}.txt"


def _is_word(word: str) -> bool:
    """A command's name: ASCII letters, digits and dashes, a letter first."""
    return word[:1].isalpha() and word.isascii() and all(c.isalnum() or c == "-" for c in word)


def _terminal() -> tuple[Any, ...]:
    """What Rich reads of the terminal: the first standard stream's size, which streams are
    terminals, and the output's encoding."""
    size = None
    for descriptor in (0, 1, 2):
        try:
            size = tuple(os.get_terminal_size(descriptor))
        except (AttributeError, ValueError, OSError):
            continue
        break
    ttys = tuple(_isatty(stream) for stream in (sys.stdin, sys.stdout, sys.stderr))
    return size, ttys, getattr(sys.stdout, "encoding", None)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def show(path: Path) -> int | None:
    """Writes the screen kept at ``path`` and returns the exit code (1 when the reader has
    gone, as Typer exits then); None when there is no such screen."""
    try:
        screen = path.read_bytes()
    except OSError:
        return None
    try:
        sys.stdout.buffer.write(screen)
        sys.stdout.flush()
    except OSError:
        return 1
    return 0


class Recorder:
    """Stands in for ``sys.stdout`` while Typer draws a screen: writes through, and keeps a
    copy of what was written. Everything else (``isatty``, ``fileno``, ``encoding``) is the
    real stream's, so that Rich draws for the real terminal."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        # Written first: click probes a stream with ``write(b"")``, which the real one refuses.
        written = int(self.stream.write(text))
        self.parts.append(text)
        return written

    def _encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def keep(path: Path, recorder: Recorder) -> None:
    """Keeps what ``recorder`` saw at ``path`` (written whole, then renamed into place), and
    removes the oldest screens beyond ``KEPT``."""
    try:
        screen = "".join(recorder.parts).encode(recorder._encoding())
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(screen)
        temporary.replace(path)
        screens = sorted(path.parent.glob("help-*.txt"), key=lambda p: p.stat().st_mtime_ns)
        for old in screens[:-KEPT]:
            old.unlink(missing_ok=True)
    except (OSError, UnicodeEncodeError):
        return  # kept next time, or never: the screen has been shown either way
