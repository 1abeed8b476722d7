"""The API document: what every operation really answers, read from the routes themselves.

FastAPI declares its own 422 body and nothing else that can go wrong. ``install`` replaces the
app's ``openapi()`` with one that declares the error body every answer really has (``Problem``,
built by ``devday.errors``), every error status an operation can answer, and how to sign in.
The statuses follow from each route's metadata, so a new route is described without a line here:

- 401: the route reads the caller (bearer token or session cookie); a bad token is refused.
- 404: it takes an id or another path parameter (missing, or not yours: the two look alike).
- 403: it takes an id and changes something (your role in the team may not allow it).
- 409: it changes something (a stale version, a duplicate name).
- 422: it takes input, or changes something (the field is named).
- 428: it reads ``If-Match`` (a change must name the version it read).
- 400 and 413: it takes a body (unreadable, or too large).
- 429: its code counts attempts (``rate_limits``, login limits); 401 too if it checks a
  password.
- 503: every operation (the database is unavailable; retry later).

A status a route declares itself (``responses=``) is kept and gets the ``Problem`` body too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import BaseRoute

from devday.deps import SESSION_COOKIE, current_user, optional_user

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Names in an endpoint's own code that bring a status with them: it counts attempts (429), or
#: checks a password (401) without needing a signed-in caller; ``log_in`` does both.
CALLED_NAMES: dict[str, tuple[int, ...]] = {
    "rate_limits": (429,),
    "check_login_limits": (429,),
    "authenticate": (401,),
    "log_in": (401, 429),
}

#: What ``devday.concurrency.expected_version`` takes as If-Match: a version, maybe quoted or weak.
IF_MATCH_PATTERN = r'^\s*(W/)?"?[0-9]{1,10}"?\s*$'

BEARER = "bearerToken"
COOKIE = "sessionCookie"

SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token, `dd_...` (`devday token create`, the settings "
        "page, or POST /api/v1/auth/token).",
    },
    COOKIE: {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The web sign-in's session cookie, for pages calling the API.",
    },
}

_RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}

#: What each error status means here, and the headers that come with it.
STATUSES: dict[int, tuple[str, dict[str, Any]]] = {
    401: (
        "Not signed in: no token, or an unknown or revoked one",
        {
            "WWW-Authenticate": {
                "description": "Always `Bearer`",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    ),
    403: ("Your role in the team does not allow this change", {}),
    404: ("No such thing, or not one you may see (the two are not told apart)", {}),
    409: ("Clashes with what is stored: a stale version, or a duplicate", {}),
    400: ("The body could not be read as JSON at all (not UTF-8)", {}),
    413: ("The request body is larger than the server accepts", {}),
    422: ("Bad input; `errors` names each field and what is wrong with it", {}),
    428: ("Send the version you read (`If-Match`, or a `version` field)", {}),
    429: ("Too many attempts; wait and retry", {"Retry-After": {**_RETRY_AFTER, "required": True}}),
    503: ("The database is unavailable; retry later", {"Retry-After": _RETRY_AFTER}),
}


class FieldProblem(BaseModel):
    field: str = Field(description="The field, parameter or header at fault, dotted for nesting")
    message: str = Field(description="What is wrong with it")


class Problem(BaseModel):
    """The body of every error answer (see ``devday.errors.body``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "deadline: use an RFC 3339 instant with an offset",
                    "errors": [
                        {
                            "field": "deadline",
                            "message": "use an RFC 3339 instant with an offset",
                        }
                    ],
                }
            ]
        }
    )

    detail: str = Field(description="One line for people: the first problem, field first")
    errors: list[FieldProblem] = Field(description="Each field at fault; empty when none is")


def install(app: FastAPI) -> None:
    """Makes ``app.openapi()`` (and so the served document) declare what the API answers."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI's own, made again only when the routes change
        if "securitySchemes" not in schema.get("components", {}):
            document(schema, app.routes)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Adds the error answers and security of each route's operations to ``schema``, in place."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        calls = set(_calls(route.dependant))
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            codes = statuses(operation, method, calls, route.endpoint, schemas)
            _declare(operation, codes)
            _describe_if_match(operation)
            if current_user in calls:
                operation["security"] = [{BEARER: []}, {COOKIE: []}]
            elif optional_user in calls:
                operation["security"] = [{BEARER: []}, {COOKIE: []}, {}]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.update(_model_schemas())
    components["securitySchemes"] = SECURITY_SCHEMES


def statuses(
    operation: dict[str, Any],
    method: str,
    calls: set[Callable[..., Any]],
    endpoint: Callable[..., Any] | None,
    schemas: dict[str, Any],
) -> set[int]:
    """The error statuses an operation can answer (see the module's list), from FastAPI's
    description of it, the dependencies it calls and its endpoint."""
    params = operation.get("parameters", [])
    body = operation.get("requestBody")
    writes = method in WRITES
    found = {503}
    if optional_user in calls:
        found.add(401)
    if params or body or writes:
        found.add(422)
    if body:
        found |= {400, 413}
    if writes:
        found.add(409)
    names = [p["name"] for p in params] + _body_fields(body, schemas)
    if any(p["in"] == "path" for p in params) or any(_names_an_id(n) for n in names):
        found.add(404)
        if writes:
            found.add(403)
    if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in params):
        found.add(428)
    code = getattr(endpoint, "__code__", None)
    names_used = set(code.co_names) if code is not None else set()
    for name, codes in CALLED_NAMES.items():
        if name in names_used:
            found.update(codes)
    return found


def _declare(operation: dict[str, Any], codes: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for code in sorted(codes | declared):
        description, headers = STATUSES.get(code, ("Error", {}))
        answer = responses.setdefault(str(code), {})
        if not answer.get("description") or code == 422:
            answer["description"] = description
        answer["content"] = problem
        if headers:
            answer["headers"] = headers
    operation["responses"] = dict(sorted(responses.items()))


def _describe_if_match(operation: dict[str, Any]) -> None:
    """``If-Match`` takes the ``ETag`` of a read (``devday.concurrency.expected_version``)."""
    for param in operation.get("parameters", []):
        if param["in"] == "header" and param["name"].lower() == "if-match":
            param["description"] = 'The ETag of your read, like "3": the version you change'
            param["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN}


def _model_schemas() -> dict[str, Any]:
    """``Problem`` and ``FieldProblem`` as component schemas, referring to each other there."""
    found = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = found.pop("$defs", {})
    return {**defs, "Problem": found}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _body_fields(body: dict[str, Any] | None, schemas: dict[str, Any]) -> list[str]:
    """The top-level field names of a JSON request body."""
    if not body:
        return []
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = schemas.get(ref.rsplit("/", 1)[-1], {})
    return list(schema.get("properties", {}))


def _names_an_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))
