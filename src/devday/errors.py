"""Domain errors. Services raise these; the API and pages turn them into HTTP answers.

``error_body`` and ``validation_body`` are the API's JSON error bodies, free of FastAPI so that
the CLI's local fast path answers with the very same ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the caller may not see it (the two are not told apart)."""

    status_code = 404


class Invalid(DomainError):
    """The input is well-formed but not acceptable; ``field`` names the culprit."""

    status_code = 422


class Conflict(DomainError):
    """The change clashes with the stored state (a stale version, a duplicate name)."""

    status_code = 409


class PreconditionRequired(DomainError):
    status_code = 428


class Forbidden(DomainError):
    """The caller can see the thing but their role does not allow this change."""

    status_code = 403


class RateLimited(DomainError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(DomainError):
    status_code = 401


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return "malformed JSON: " + str(error.get("ctx", {}).get("error", "cannot parse"))
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def body(detail: str, errors: list[dict[str, str]]) -> dict[str, Any]:
    """The shape of every error answer: a one-line ``detail`` and the ``errors`` by field."""
    return {"detail": detail, "errors": errors}


def error_body(exc: DomainError) -> dict[str, Any]:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return body(f"{exc.field}: {exc.message}" if exc.field else exc.message, errors)


def validation_body(errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The 422 body for pydantic's (or FastAPI's) validation errors, the first one as detail."""
    named = [{"field": _field(e.get("loc", ())), "message": _message(e)} for e in errors]
    first = named[0] if named else {"field": "body", "message": "invalid request"}
    return body(f"{first['field']}: {first['message']}", named)
