"""The long outputs written without Rich's pipeline are the bytes Rich writes for them.

Each output function runs twice on the same data, once through ``plain.Screen`` and once through
Rich itself (``plain.ENABLED`` off: ``richout``), at terminal widths from 20 to 200 columns,
with titles in any script (wide CJK, emoji, accents), too long ones, and ones Rich would treat
specially.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devday.cli import output, plain

TEXT = st.one_of(
    st.text(alphabet="abcdefghij klmnop XYZ 0123456789 #-_.:/()[]", max_size=90),
    st.text(
        alphabet=st.one_of(
            st.sampled_from("abcdefghij klmnop XYZ 0123456789 #-_.:/()[]"),
            st.sampled_from("äöüßéñ漢字テスト😀🚀"),
            st.characters(codec="utf-8"),
        ),
        max_size=70,
    ),
)
WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöé漢", min_size=1, max_size=25), max_size=30
).map(" ".join)
TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé漢-", min_size=1, max_size=12)
INSTANT = st.sampled_from([None, "2026-12-04T16:00:00Z", "2027-01-10T08:30:00+00:00"])
COLUMNS = st.integers(min_value=20, max_value=200)


@contextlib.contextmanager
def terminal(columns: int, *, color: bool, fast: bool) -> Iterator[io.StringIO]:
    saved = {k: os.environ.get(k) for k in ("COLUMNS", "FORCE_COLOR", "NO_COLOR", "TERM")}
    os.environ["COLUMNS"] = str(columns)
    os.environ["TERM"] = "xterm-256color"
    os.environ.pop("NO_COLOR", None)
    os.environ.pop("FORCE_COLOR", None)
    if color:
        os.environ["FORCE_COLOR"] = "1"
    was, plain.ENABLED = plain.ENABLED, fast
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            yield out
    finally:
        plain.ENABLED = was
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def printed(show: Callable[[], None], columns: int, *, color: bool = False) -> tuple[str, str]:
    """What ``show`` writes through the screen, and through Rich."""
    results = []
    for fast in (True, False):
        with terminal(columns, color=color, fast=fast) as out:
            show()
        results.append(out.getvalue())
    return results[0], results[1]


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def looks(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The visible text, and the style (bold, dim) of each character that is not a space."""
    visible: list[str] = []
    styles: list[tuple[int, str]] = []
    bold = dim = False
    position = 0
    for match in [*_SGR.finditer(text), None]:
        end = match.start() if match else len(text)
        for char in text[position:end]:
            if not char.isspace():
                styles.append((len(visible), ("b" if bold else "") + ("d" if dim else "")))
            visible.append(char)
        if match is None:
            break
        position = match.end()
        for code in (match.group(1) or "0").split(";"):
            if code in ("0", ""):
                bold = dim = False
            elif code == "1":
                bold = True
            elif code == "2":
                dim = True
            elif code == "22":
                bold = dim = False
    return "".join(visible), styles


def same(show: Callable[[], None], columns: int) -> None:
    fast, rich = printed(show, columns)
    assert fast == rich
    fast, rich = printed(show, columns, color=True)
    assert looks(fast) == looks(rich)


def task(n: int, title: str, deadline: str | None, tags: list[str]) -> dict[str, Any]:
    return {
        "id": n,
        "priority": f"P{1 + n % 4}",
        "title": title,
        "deadline": deadline,
        "estimate_minutes": [None, 30, 90, 600][n % 4],
        "project_id": [None, 1, 2][n % 3],
        "tags": tags,
        "status": ["todo", "doing"][n % 2],
    }


@settings(max_examples=150, deadline=None)
@given(
    titles=st.lists(st.tuples(TEXT, INSTANT, st.lists(TAG, max_size=2)), min_size=1, max_size=6),
    columns=COLUMNS,
)
def test_it_writes_the_task_table_as_rich_does(
    titles: list[tuple[str, str | None, list[str]]], columns: int
) -> None:
    tasks = [task(n, t, d, tags) for n, (t, d, tags) in enumerate(titles, start=1)]
    same(lambda: output.tasks_table(tasks, {1: "api", 2: "vérité"}, "Europe/Berlin"), columns)


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(
        st.tuples(TEXT, INSTANT, st.floats(0, 500), st.lists(WORDS, max_size=3)), max_size=5
    ),
    columns=COLUMNS,
)
def test_it_writes_the_duty_list_as_rich_does(
    items: list[tuple[str, str | None, float, list[str]]], columns: int
) -> None:
    duty = [
        {
            "task_id": n,
            "priority": "P2",
            "title": title,
            "deadline": deadline,
            "score": score,
            "terms": [{"explanation": e} for e in terms],
        }
        for n, (title, deadline, score, terms) in enumerate(items, start=1)
    ]
    same(lambda: output.duty_table(duty, "Europe/Berlin"), columns)


@settings(max_examples=150, deadline=None)
@given(
    heading=TEXT,
    rows=st.lists(st.tuples(st.sampled_from(["10:00\u201312:30", "Tue 01 Dec 09:00\u201310:00"]),
                            TEXT, TEXT, st.booleans()), max_size=6),
    columns=COLUMNS,
)  # fmt: skip
def test_it_writes_a_timeline_as_rich_does(
    heading: str, rows: list[tuple[str, str, str, bool]], columns: int
) -> None:
    same(lambda: output.timeline(heading, rows), columns)


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(st.one_of(TEXT, WORDS), WORDS), max_size=4), columns=COLUMNS)
def test_it_writes_explained_risks_as_rich_does(pairs: list[tuple[str, str]], columns: int) -> None:
    same(lambda: output.explained_all(pairs), columns)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(TEXT, min_size=1, max_size=5), max_size=5),
    cut=st.one_of(st.none(), st.just(0)),
    columns=COLUMNS,
)
def test_it_writes_aligned_rows_as_rich_does(
    rows: list[list[str]], cut: int | None, columns: int
) -> None:
    same(lambda: output.aligned(rows, cut=cut), columns)


@pytest.mark.parametrize(
    "title", ["x" * 95, "Fix the login rate limit " * 4, "漢字" * 40, "é" * 90]
)
@pytest.mark.parametrize("columns", [80, 100, 119])
def test_it_cuts_a_long_title_as_rich_does(title: str, columns: int) -> None:
    tasks = [task(1, title, "2026-12-04T16:00:00Z", ["security"]), task(2, "Short", None, [])]
    same(lambda: output.tasks_table(tasks, {1: "api"}, "Europe/Berlin"), columns)
    duty = [{"task_id": 1, "priority": "P1", "title": title, "deadline": None, "score": 9.5,
             "terms": [{"explanation": title}]}]  # fmt: skip
    same(lambda: output.duty_table(duty, "Europe/Berlin"), columns)
    same(lambda: output.timeline("Mon", [("10:00\u201312:00", title, "[coding]", False)]), columns)
    same(lambda: output.aligned([["#1", "P1", title, "due Fri"]], cut=2), columns)
    same(lambda: output.heading(title), columns)


def test_it_uses_the_screen_for_plain_text_and_rich_for_the_rest() -> None:
    tasks = [task(1, "Fix login", None, []), task(2, "Fix\tthe tab", None, [])]
    with terminal(100, color=False, fast=True) as out:
        screen = plain.Screen(plain.console())
        assert screen.takes(["Fix login", "漢字 😀 äö"])
        assert not screen.takes(["Fix\tthe tab"])
        assert not screen.takes(["two\nlines"])
        output.tasks_table(tasks, {}, "UTC")
    assert "Fix the tab" not in out.getvalue()  # Rich expands the tab; it is no plain text


@pytest.mark.parametrize(
    "env",
    [{}, {"COLUMNS": "97"}, {"COLUMNS": "wide"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "0"},
     {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, {"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}],
)  # fmt: skip
def test_it_sizes_output_that_is_no_terminal_as_rich_does(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with contextlib.redirect_stdout(io.StringIO()):
        measured, rich = plain.measure(), plain.console()
        assert measured.width == rich.width
        assert (measured.color_system is None) == (rich.color_system is None)
        # Rich itself is asked whenever the output may be a terminal.
        assert isinstance(measured, plain.Plain) == (rich.color_system is None)
