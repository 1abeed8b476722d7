"""Turns domain and validation errors into JSON answers that name the field.

Every error body has the same shape: ``{"detail": "<one line>", "errors": [{"field", "message"}]}``.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from devday import db
from devday.errors import Conflict, DomainError, RateLimited, body, error_body, validation_body

log = logging.getLogger("devday")


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content=validation_body(exc.errors()))


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(status_code=exc.status_code, content=error_body(exc), headers=headers)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail) if exc.detail else "error"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such endpoint: {request.method} {request.url.path}"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        named = {m.strip() for m in headers.get("Allow", "").split(",") if m.strip()}
        headers["Allow"] = ", ".join(allowed_methods(request, named))
        if detail == "Method Not Allowed":
            detail = (
                f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}"
            )
    return JSONResponse(status_code=exc.status_code, content=body(detail, []), headers=headers)


_METHOD_ORDER = {m: i for i, m in enumerate(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"))}


def allowed_methods(request: Request, named: set[str]) -> list[str]:
    """Every method some route serves at the request's path, with those already ``named``:
    Starlette names only the first route's, and each method of a path is a route here."""
    found = set(named)
    for route in iter_route_contexts(request.app.routes):
        methods = route.methods
        if methods and route.matches(request.scope)[0] is not Match.NONE:
            found |= methods
    return sorted(found, key=lambda m: (_METHOD_ORDER.get(m, len(_METHOD_ORDER)), m))


# SQLite: "UNIQUE constraint failed: team_inbox.slug"; PostgreSQL (SQLSTATE 23505), in the
# detail: "Key (slug)=(help) already exists."
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")
_POSTGRES_KEY = re.compile(r"Key \(([\w, ]+)\)=")


def unique_field(exc: IntegrityError) -> str | None:
    """The column a unique constraint refused (the last of several), or None when ``exc`` is
    some other integrity error (a missing reference, a null)."""
    text = str(exc.orig)
    if getattr(exc.orig, "sqlstate", None) == "23505":
        found = _POSTGRES_KEY.search(text)
        columns = found.group(1) if found else ""
    else:
        found = _SQLITE_UNIQUE.search(text)
        if found is None:
            return None
        columns = ", ".join(name.rsplit(".", 1)[-1] for name in found.group(1).split(", "))
    return columns.split(", ")[-1].strip() or "body"


async def integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """A unique constraint that a service's own check missed (a race between two requests, a
    case nobody foresaw) is a 409 naming the field, not a 500."""
    assert isinstance(exc, IntegrityError)
    field = unique_field(exc)
    if field is None:
        raise exc  # a defect: logged and answered by ``unexpected_error``
    log.warning("unique conflict on %s %s: %s", request.method, request.url.path, field)
    return await domain_error(request, Conflict("already taken; choose another", field=field))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=500, content=body("internal error; it has been logged", []))


async def database_error(request: Request, exc: Exception) -> Response:
    """503 with Retry-After while the database is unavailable (a JSON body for the API, a page
    for a browser); handled here rather than as a 500 so that the connection is kept."""
    if not db.unavailable(exc):
        raise exc  # a wrong statement: the 500 of unexpected_error, logged
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    headers = {
        "Retry-After": str(request.app.state.devday.settings.unavailable_retry_after_seconds)
    }
    if request.url.path.startswith("/api/"):
        detail = "the database is unavailable; try again shortly"
        return JSONResponse(status_code=503, content=body(detail, []), headers=headers)
    from devday.web.rendering import TEMPLATES  # pages only; the API alone does not load them

    return TEMPLATES.TemplateResponse(
        request, "unavailable.html", {"user": None}, status_code=503, headers=headers
    )


def install(app: FastAPI) -> None:
    for database_failure in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.add_exception_handler(database_failure, database_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(Exception, unexpected_error)
