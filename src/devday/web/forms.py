"""What forms share: why a form was refused, messages per field, and reading typed fields.

``PageContext.submit`` (in ``web.page``) runs a form's action; when it is refused it hands the
page a ``Refusal`` to show beside the form.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated

from fastapi import Form
from pydantic import AfterValidator, ValidationError

from devday.errors import DomainError, Invalid
from devday.ids import MAX_ID
from devday.input_rules import without_controls

EXPIRED = "Your form expired; please try again."

# Every form field drops control characters but tab and line breaks (devday.input_rules):
# nothing a person types holds them, and PostgreSQL could not store a NUL.
Clean = AfterValidator(without_controls)
_CleanList = AfterValidator(lambda values: [without_controls(v) for v in values])

#: A form field of ordinary length; longer input is refused before the handler runs.
FormStr = Annotated[str, Form(max_length=500), Clean]
#: A form field checked by the schema it feeds, so that too long is a message by its field.
AnyFormStr = Annotated[str, Form(), Clean]
#: Repeated fields (checkboxes, rows of a table).
FormList = Annotated[list[str], Form(max_length=500), _CleanList]


class FormInvalid(Invalid):
    """Several fields refused at once: ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


@dataclass(frozen=True)
class Refusal:
    """Why a form was turned down: one message for the top of the form, a message per field
    (the schema's names, or ``field`` when a domain error named one), and the HTTP status."""

    @classmethod
    def form_expired(cls) -> Refusal:
        return cls(message=EXPIRED, status=403, expired=True)

    message: str
    status: int
    field: str | None = None
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The form came without this browser's CSRF token (an old tab, or another site).
    expired: bool = False

    @classmethod
    def of(cls, exc: DomainError | ValidationError) -> Refusal:
        if isinstance(exc, ValidationError):
            errors = field_errors(exc)
            name, message = next(iter(errors.items()))
            return cls(message=f"{name}: {message}", status=422, field=name, errors=errors)
        if isinstance(exc, FormInvalid):
            errors = dict(exc.errors)
        else:
            errors = {exc.field: exc.message} if exc.field else {}
        return cls(message=exc.message, status=exc.status_code, field=exc.field, errors=errors)

    def prefixed(self, prefix: str, default: str = "form") -> dict[str, str]:
        """The per-field messages under the page's element ids (``channel-name``); a refusal
        that names no field goes under ``prefix + default``."""
        if not self.errors:
            return {prefix + default: self.message}
        return {prefix + name: message for name, message in self.errors.items()}


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """A schema's complaints as one message per top-level field, the first of each kept."""
    errors: dict[str, str] = {}
    for item in exc.errors():
        name = str(item["loc"][0]) if item["loc"] else "form"
        errors.setdefault(prefix + name, str(item["msg"]).removeprefix("Value error, "))
    return errors


def optional_id(text: str) -> int | None:
    """An id as people type it (``12``, `` #12 ``), or None when ``text`` is not one."""
    text = text.strip().lstrip("#")
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def form_id(text: str, *, field: str, message: str) -> int:
    """An id a form sent; anything else is refused as ``Invalid`` with ``message``."""
    value = optional_id(text)
    if value is None:
        raise Invalid(message, field=field)
    return value


def form_version(text: str) -> int | None:
    """The ``version`` a form carried, or None when it sent none."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None
