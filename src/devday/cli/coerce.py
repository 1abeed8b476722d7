"""Typer's parameter coercion for the everyday values, without its pydantic machinery.

Typer turns each value a command receives into the parameter's type through a pydantic
``TypeAdapter`` it builds for that parameter on first use; importing pydantic and building an
adapter for every option of the command typed (most of them not given) is a large part of a
command's start-up. ``install()`` gives each parameter a coercion that answers the cases
whose result is plain, with the same result Typer's adapter gives: no value (None, or an empty
tuple for a repeated option), a text for a ``str``, decimal digits within the bounds for an
``int``, an ``int``, ``float`` or ``bool`` default as it is, and lists of these. Anything else
(an enum, a value out of range, a number written otherwise, text that is not valid Unicode)
goes to the adapter Typer builds, which answers it, errors included, as it always has.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import _TyperParameter

_DIGITS = re.compile(r"-?[0-9]{1,18}")
_NO = object()


class QuickParam:
    """A parameter's coercion: the plain cases here, the rest by Typer's own, built when
    first needed."""

    def __init__(self, param: _TyperParameter) -> None:
        self._descriptor = param.type_descriptor
        self._full: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        many = param.multiple or param.nargs == -1
        if value is None:
            return () if many else None
        descriptor = self._descriptor
        if descriptor.file_annotation is None and descriptor.parameter_info.parser is None:
            found = _plain(descriptor.annotation, value, many, descriptor.parameter_info)
            if found is not _NO:
                return found
        return self.full().coerce(value, param=param, ctx=ctx)

    def full(self) -> Any:
        if self._full is None:
            from typer._coercion import build_runtime_param

            self._full = build_runtime_param(self._descriptor)
        return self._full


def _plain(annotation: Any, value: Any, many: bool, info: Any) -> Any:
    if many:
        args: tuple[Any, ...] = getattr(annotation, "__args__", ())
        if getattr(annotation, "__origin__", None) is not list or len(args) != 1:
            return _NO
        if not isinstance(value, list | tuple):
            return _NO
        items = [_one(args[0], item, info) for item in value]
        return _NO if any(item is _NO for item in items) else items
    return _one(annotation, value, info)


def _one(annotation: Any, value: Any, info: Any) -> Any:
    kind = type(value)
    if annotation is str and kind is str:
        return value if _is_text(value) else _NO
    if annotation is int and kind is str and _DIGITS.fullmatch(value):
        return _bounded(int(value), info)
    if annotation is int and kind is int:
        return _bounded(value, info)
    if annotation is float and kind is float and info.min is None and info.max is None:
        return value
    if annotation is bool and kind is bool:
        return value
    return _NO


def _bounded(number: int, info: Any) -> Any:
    if info.clamp:
        return _NO
    if info.min is not None and number < info.min:
        return _NO
    if info.max is not None and number > info.max:
        return _NO
    return number


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _runtime_param(self: _TyperParameter) -> Any:
    if self._runtime_param is None:
        self._runtime_param = QuickParam(self)  # type: ignore[assignment]
    return self._runtime_param


def install() -> None:
    """Every Typer parameter in this process coerces through ``QuickParam``: Typer builds a
    parameter's coercion on first use through this one method (``get_runtime_param``)."""
    _TyperParameter.get_runtime_param = _runtime_param  # type: ignore[method-assign]
