"""Optimistic concurrency: every update names the version it read (If-Match or ``version``)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from devday.errors import Conflict, Invalid, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None, body_version: int | None) -> int:
    """The version the client read; a stale or missing one is refused before anything changes."""
    if if_match is not None:
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not re.fullmatch(r"[0-9]{1,10}", raw):
            raise Invalid(
                'If-Match must be an ETag from a previous read, like "3"', field="If-Match"
            )
        header_version = int(raw)
        if body_version is not None and body_version != header_version:
            raise Invalid("If-Match and version disagree", field="version")
        return header_version
    if body_version is None:
        raise PreconditionRequired(
            "send the version you read (If-Match header or 'version' field), "
            "so that no one else's change is overwritten",
            field="version",
        )
    return body_version


def check_version(current: int, expected: int, what: str) -> None:
    if current != expected:
        raise Conflict(
            f"{what} was changed by someone else (now version {current}, you sent {expected}); "
            "read it again and retry",
            field="version",
        )


def flush_versioned(session: Session, what: str) -> None:
    """Flushes a versioned change; a concurrent writer that got there first is a 409."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            f"{what} was changed by someone else; read it again and retry", field="version"
        ) from None
