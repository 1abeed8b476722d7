"""Assertions on a JSON response body, with paths in RFC 9535 JSONPath (python-jsonpath, strict).

Forms (whitespace around operators is free):

    <path> <op> <literal>       $.status == "ok"      $.uptime >= 99.5
    len(<path>) <op> <number>   len($.items) > 0
    exists(<path>)              exists($.data.id)
    not exists(<path>)          not exists($.error)
    <path> contains <literal>   $.tags contains "prod"     $.message contains "ready"

``<op>`` is one of ``==  !=  <  <=  >  >=``; a literal is a JSON string, number, ``true``,
``false`` or ``null``.

Meaning:
- A comparison holds when the path matches at least one value and every matched value
  satisfies it; a path that matches nothing fails. Equality is JSON equality (``1 == 1.0``,
  ``true`` is not ``1``); ``<`` and friends compare numbers with numbers and strings with
  strings, anything else fails.
- ``len`` of a singular path (names and indexes only, e.g. ``$.items``) is the length of the
  value it names (a string, array or object); of any other path (``$.items[*]``,
  ``$..id``) it is the number of values the path matches.
- ``contains``: a matched string contains the literal string, a matched array holds an
  element equal to the literal, a matched object has the literal as a key.

``parse`` raises only ``ValueError``, with a message that says what is wrong and where;
``Assertion.evaluate`` never raises.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import jsonpath

Kind = Literal["compare", "len", "exists", "not_exists", "contains"]
OPERATORS = ("==", "!=", "<=", ">=", "<", ">")  # two-character ones first, for the scanner

_ENV = jsonpath.JSONPathEnvironment(strict=True)
_SHOWN = 80  # characters of a value quoted in an explanation


@dataclass(frozen=True)
class Assertion:
    source: str
    kind: Kind
    path: str
    op: str = ""
    expected: object = None
    _query: jsonpath.JSONPath | jsonpath.CompoundJSONPath | None = field(
        default=None, compare=False, repr=False
    )

    def evaluate(self, document: object) -> tuple[bool, str]:
        """(holds, explanation), e.g. ``(False, '$.status is "down", expected == "ok"')``."""
        try:
            values = self._values(document)
        except (jsonpath.JSONPathError, RecursionError) as exc:
            return False, f"{self.path} could not be evaluated: {_first_line(exc)}"
        if self.kind == "exists":
            if values:
                return True, f"{self.path} exists ({_show(values[0])})"
            return False, f"{self.path} matched nothing, expected it to exist"
        if self.kind == "not_exists":
            if values:
                return False, f"{self.path} is {_show(values[0])}, expected it not to exist"
            return True, f"{self.path} does not exist"
        if not values:
            return False, f"{self.path} matched nothing, expected {self._wanted()}"
        if self.kind == "len":
            return self._evaluate_len(values)
        for value in values:
            ok, why = self._check(value)
            if not ok:
                return False, why
        shown = _show(values[0]) if len(values) == 1 else f"{len(values)} values"
        return True, f"{self.path} is {shown}, {self._rule()} holds"

    def _values(self, document: object) -> list[object]:
        query = self._query
        assert query is not None
        if isinstance(document, str):
            # python-jsonpath reads a str as JSON text to parse; a document that is itself a
            # string is wrapped in an array and the query rooted at its one element.
            query = _ENV.compile("$[0]" + self.path[1:])
            return list(query.findall([document]))
        return list(query.findall(cast(Any, document)))

    def _rule(self) -> str:
        return f"{self.op} {_show(self.expected)}"

    def _wanted(self) -> str:
        if self.kind == "contains":
            return f"it to contain {_show(self.expected)}"
        return f"{self.op} {_show(self.expected)}"

    def _evaluate_len(self, values: list[object]) -> tuple[bool, str]:
        singular = isinstance(self._query, jsonpath.JSONPath) and self._query.singular_query()
        if singular:
            value = values[0]
            if not isinstance(value, str | list | dict):
                return False, f"{self.path} is {_type(value)} {_show(value)}, which has no length"
            length, what = len(value), f"len({self.path})"
        else:
            length, what = len(values), f"len({self.path}) (matches)"
        if _compare(length, self.op, self.expected):
            return True, f"{what} is {length}, {self._rule()} holds"
        return False, f"{what} is {length}, expected {self._wanted()}"

    def _check(self, value: object) -> tuple[bool, str]:
        if self.kind == "contains":
            return self._check_contains(value)
        outcome = _compare(value, self.op, self.expected)
        if outcome is None:
            return False, (
                f"{self.path} is {_type(value)} {_show(value)}, "
                f"which cannot be compared with {_show(self.expected)} by {self.op}"
            )
        if not outcome:
            return False, f"{self.path} is {_show(value)}, expected {self._wanted()}"
        return True, ""

    def _check_contains(self, value: object) -> tuple[bool, str]:
        if isinstance(value, str):
            if not isinstance(self.expected, str):
                return False, f"{self.path} is a string; only a string can be found in it"
            ok = self.expected in value
        elif isinstance(value, list):
            ok = any(_json_equal(item, self.expected) for item in value)
        elif isinstance(value, dict):
            ok = self.expected in value if isinstance(self.expected, str) else False
        else:
            return False, (
                f"{self.path} is {_type(value)} {_show(value)}; "
                "contains needs a string, an array or an object"
            )
        if not ok:
            return False, f"{self.path} is {_show(value)}, expected {self._wanted()}"
        return True, ""


def parse(expr: str) -> Assertion:
    """The assertion ``expr`` states; ``ValueError`` naming the problem and its column if not."""
    source = expr.strip()
    if not source:
        raise ValueError('the assertion is empty; write e.g. $.status == "ok"')
    offset = len(expr) - len(expr.lstrip())
    call = _CALL.match(source)
    if call and call.group(2).lower() == "exists":
        kind: Kind = "not_exists" if call.group(1) else "exists"
        inner, rest = _call_argument(source, offset)
        if rest.strip():
            raise ValueError(
                f"unexpected {rest.strip()[:20]!r} after the closing parenthesis of "
                f"{call.group(0).rstrip('( ')}(...)"
            )
        return Assertion(expr, kind, inner, _query=_compile(inner))
    if call and call.group(2).lower() == "len" and not call.group(1):
        inner, rest = _call_argument(source, offset)
        op, _, literal_text, at = _operator(rest, offset + len(source) - len(rest))
        if op == "contains":
            raise ValueError("len(...) takes a comparison (== != < <= > >=), not contains")
        number = _literal(literal_text, at)
        if not _is_number(number):
            raise ValueError(
                f"len(...) is compared with a number, but got {_show(number)} at column {at + 1}"
            )
        return Assertion(expr, "len", inner, op, number, _compile(inner))
    op, op_index, literal_text, at = _operator(source, offset)
    path = source[:op_index].strip()
    if not path:
        raise ValueError(f"missing the JSONPath before {op!r} (a path starts with $)")
    expected = _literal(literal_text, at)
    if op in ("<", "<=", ">", ">=") and not (_is_number(expected) or isinstance(expected, str)):
        raise ValueError(f"{op} compares with a number or a string, not {_show(expected)}")
    kind = "contains" if op == "contains" else "compare"
    return Assertion(expr, kind, path, op, expected, _compile(path))


# --- parsing helpers ------------------------------------------------------------------------

_CALL = re.compile(r"(not\s+)?(exists|len)\s*\(", re.IGNORECASE)


def _outside(text: str) -> tuple[list[int], int | None]:
    """Indexes of the characters that stand outside quotes, brackets and parentheses, and
    the index of a quote or bracket left open at the end (None when all are closed)."""
    outside: list[int] = []
    openers: list[int] = []
    quote, quote_at, escaped = "", 0, False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote, quote_at = char, index
        elif char in "[(":
            openers.append(index)
        elif char in "])":
            if openers:
                openers.pop()
        elif not openers:
            outside.append(index)
    unclosed = quote_at if quote else (openers[0] if openers else None)
    return outside, unclosed


def _call_argument(text: str, offset: int) -> tuple[str, str]:
    """The argument of ``name(...)`` at the start of ``text``, and what follows it."""
    start = text.index("(")
    depth, quote, escaped = 0, "", False
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                if char != ")":
                    break
                inner = text[start + 1 : index].strip()
                if not inner:
                    raise ValueError(f"empty parentheses at column {offset + start + 1}")
                return inner, text[index + 1 :]
    raise ValueError(
        f"the parenthesis opened at column {offset + start + 1} is not closed "
        "(or the brackets and quotes inside it do not match)"
    )


def _operator(text: str, offset: int) -> tuple[str, int, str, int]:
    """The first operator outside quotes and brackets: (op, its index, the text after it,
    the column where that text starts)."""
    outside, unclosed = _outside(text)
    for index in outside:
        char = text[index]
        if char in "=!<>":
            op = next((op for op in OPERATORS if text.startswith(op, index)), "")
            if not op:
                raise ValueError(
                    f"unknown operator {text[index : index + 2]!r} at column "
                    f"{offset + index + 1}; use one of {', '.join(OPERATORS)} or contains"
                )
        elif _is_contains(text, index):
            op = "contains"
        else:
            continue
        after = index + len(op)
        rest = text[after:]
        return op, index, rest.strip(), offset + after + len(rest) - len(rest.lstrip())
    if unclosed is not None:
        raise ValueError(
            f"the {text[unclosed]!r} at column {offset + unclosed + 1} is never closed"
        )
    raise ValueError(
        "missing an operator: write <path> <op> <value> with one of "
        f"{', '.join(OPERATORS)} or contains, or exists(<path>), not exists(<path>), "
        "len(<path>) <op> <number>"
    )


def _is_contains(text: str, index: int) -> bool:
    end = index + len("contains")
    return (
        text[index:end].lower() == "contains"
        and (index == 0 or text[index - 1].isspace() or text[index - 1] in "])")
        and (end == len(text) or not (text[end].isalnum() or text[end] == "_"))
    )


def _literal(text: str, column: int) -> object:
    if not text:
        raise ValueError(f"missing the value to compare with after column {column}")
    if text[0] in "[{":
        raise ValueError(
            f"the value at column {column + 1} must be a JSON string, number, true, false "
            "or null, not an array or object"
        )
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the value {text[:40]!r} at column {column + 1} is not valid JSON "
            f"({exc.msg}); strings need double quotes"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"the value {text[:40]!r} at column {column + 1}: {exc}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"the number {text[:40]!r} at column {column + 1} is too large")
    return value


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _compile(path: str) -> jsonpath.JSONPath | jsonpath.CompoundJSONPath:
    if not path.startswith("$"):
        raise ValueError(f"the path {path[:40]!r} must start with $ (the document's root)")
    try:
        return _ENV.compile(path)
    except jsonpath.JSONPathError as exc:
        token = getattr(exc, "token", None)
        index = getattr(token, "index", -1)
        where = (
            f" at column {index + 1} of the path" if isinstance(index, int) and index >= 0 else ""
        )
        raise ValueError(f"invalid JSONPath {path[:60]!r}{where}: {_first_line(exc)}") from None
    except (RecursionError, ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"invalid JSONPath {path[:60]!r}: {_first_line(exc)}") from None


# --- evaluation helpers ---------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_equal(left: object, right: object) -> bool:
    if _is_number(left) and _is_number(right):
        return left == right
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def _compare(value: object, op: str, expected: object) -> bool | None:
    """The comparison's truth, or None when the two cannot be ordered."""
    if op == "==":
        return _json_equal(value, expected)
    if op == "!=":
        return not _json_equal(value, expected)
    if _is_number(value) and _is_number(expected):
        a, b = float(value), float(expected)  # type: ignore[arg-type]
    elif isinstance(value, str) and isinstance(expected, str):
        a, b = value, expected  # type: ignore[assignment]
    else:
        return None
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
