"""The rules for what the API, the web forms and the CLI accept as dates, instants and text.

Standard library only, so that the CLI's date reader can apply them without loading pydantic;
``devday.inputs`` turns them into the schemas' types.

- A date or an instant lies in the years ``MIN_YEAR`` to ``MAX_YEAR``. Outside them a local time
  turns into an offset no real zone had (Berlin's year-1 offset is +00:53:28), or a day after a
  deadline overflows ``date.max``.
- Text holds no control characters: PostgreSQL cannot store NUL, SQLite would store it raw, and
  none of the others mean anything in a title. Tab, line feed and carriage return are kept,
  except in a single line (a name or a search).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

MIN_YEAR = 1970
MAX_YEAR = 2200
RANGE = f"{MIN_YEAR}-01-01 to {MAX_YEAR}-12-31"

# Lone surrogates too: no database can store them as UTF-8.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def day_in_range(value: date) -> date:
    """``value`` if its year is within range; else ValueError saying the range (a date or an
    instant, whose own year counts, before any conversion to UTC)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        kind = "an instant" if isinstance(value, datetime) else "a date"
        raise ValueError(f"use {kind} from {RANGE}, not {value.isoformat()}")
    return value


def moment_in_range(value: datetime) -> datetime:
    day_in_range(value)
    return value


def text_clean(value: str) -> str:
    """``value`` if it holds no control character but tab, line feed or carriage return."""
    found = _CONTROL.search(value)
    if found:
        raise ValueError(_control_message(found.group()))
    return value


def line_clean(value: str) -> str:
    """``value`` if it holds no control character at all (line breaks and tabs included)."""
    found = _LINE_CONTROL.search(value)
    if found:
        raise ValueError(_control_message(found.group()))
    return value


def _control_message(char: str) -> str:
    name = "NUL" if char == "\x00" else f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"not valid text: a lone surrogate {name}"
    return f"control characters such as {name} are not allowed"


def without_controls(value: str, *, lines: bool = True) -> str:
    """``value`` with the characters ``Text`` (or, with ``lines=False``, ``Line``) refuses taken
    out: for what a page reads from its address or form, where a refusal helps nobody."""
    return (_CONTROL if lines else _LINE_CONTROL).sub("", value)


def checked(value: Any) -> Any:
    """``value`` with every date, instant and string in it checked as ``Day``, ``Moment`` and
    ``Text`` are; nested input models have checked their own fields."""
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, date):  # a datetime too
        return day_in_range(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            checked(key)
            checked(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            checked(item)
    return value
