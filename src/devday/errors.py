"""Domain errors. Services raise these; the API and pages turn them into HTTP answers."""

from __future__ import annotations


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
