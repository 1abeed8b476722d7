"""Fast routes: the API's answers to the CLI's everyday reads, without the web app.

Each route does what the API's route of the same method and path does, through the same code:
the caller named as the app names the local user (``account.service.local_user``), a reader
session, the query validated by the route's own query model, the domain service and the view
or schema that builds the route's answer, and domain errors turned into the same JSON bodies.
A route answers only requests it knows to be well formed; anything else (a bad id or date, a
query its model refuses, a missing user header) returns ``None`` and goes to the API app,
which answers it, errors included, as a server would. Modules are imported by the route that
needs them, so reading tasks never imports the planner.
"""

from __future__ import annotations

import logging
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from devday.cli.client import Reply

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.orm import Session

    from devday.account.models import User
    from devday.cli.local import LocalBackend

log = logging.getLogger("devday")


class Defer(Exception):
    """The request is not one this route answers; the API app will."""


@dataclass
class Call:
    session: Session
    user: User
    now: datetime
    path: tuple[str, ...]
    params: dict[str, Any]

    def query(self, model: type[BaseModel]) -> Any:
        """The query string as the route's query model reads it; Defer if it refuses it."""
        from pydantic import ValidationError

        values: dict[str, Any] = {}
        for key, value in self.params.items():
            field = model.model_fields.get(key)
            if field is None:
                raise Defer
            many = value if isinstance(value, list | tuple) else [value]
            if not many:  # httpx leaves an empty list out of the query string
                continue
            texts = [_as_text(v) for v in many]
            values[key] = texts if _is_list(field.annotation) else texts[-1]
        try:
            return model.model_validate(values)
        except ValidationError:
            raise Defer from None

    def no_query(self) -> None:
        if self.params:
            raise Defer

    def id(self, index: int = 0) -> int:
        from devday.ids import MAX_ID

        value = int(self.path[index])
        if not 1 <= value <= MAX_ID:
            raise Defer
        return value

    def day(self, index: int = 0) -> date:
        try:
            return date.fromisoformat(self.path[index])
        except ValueError:
            raise Defer from None


Handler = Callable[[Call], Any]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^/api/v1{pattern}$"), handler))
        return handler

    return register


def answer(
    backend: LocalBackend,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None,
    headers: dict[str, str],
    now: Callable[[], datetime],
) -> Reply | None:
    """The route's answer to the request, or None when no fast route answers it."""
    for route_method, pattern, handler in ROUTES:
        found = pattern.match(path)
        if route_method == method and found:
            return _run(backend, handler, method, path, found.groups(), params, headers, now)
    return None


def _run(
    backend: LocalBackend,
    handler: Handler,
    method: str,
    path: str,
    groups: tuple[str, ...],
    params: dict[str, Any] | None,
    headers: dict[str, str],
    now: Callable[[], datetime],
) -> Reply | None:
    from devday.account.localuser import LOCAL_USER_HEADER
    from devday.account.service import local_user
    from devday.errors import DomainError, body, error_body

    email = headers.get(LOCAL_USER_HEADER)
    if not email:
        return None
    with backend.reader() as session:
        try:
            user = local_user(session=session, email=email)
            result = handler(Call(session, user, now(), groups, dict(params or {})))
        except Defer:
            return None
        except DomainError as exc:
            return Reply(exc.status_code, error_body(exc))
        except Exception:
            log.exception("unhandled error on %s %s", method, path)
            return Reply(500, body("internal error; it has been logged", []))
        return Reply(200, _json(result))


def _json(result: Any) -> Any:
    """The answer as the API sends it: the response model dumped as JSON, by alias."""
    if isinstance(result, list):
        return [_json(item) for item in result]
    return result.model_dump(mode="json", by_alias=True)


def _as_text(value: Any) -> str:
    """A query value as httpx writes it in a URL."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(annotation))
    return get_origin(annotation) is list


# --- the routes --------------------------------------------------------------------------------


@route("GET", "/me")
def me(call: Call) -> Any:
    from devday.account.schemas import UserRead

    call.no_query()
    return UserRead.model_validate(call.user)


@route("GET", "/tasks")
def tasks(call: Call) -> Any:
    from devday.task import views
    from devday.task.schemas import TaskListQuery

    query = call.query(TaskListQuery)
    return views.task_page(session=call.session, user=call.user, query=query, now=call.now)


@route("GET", r"/tasks/(\d+)")
def task(call: Call) -> Any:
    from devday.task import service, views
    from devday.task.schemas import TaskRead

    call.no_query()
    found = service.get_task(session=call.session, user=call.user, task_id=call.id())
    return TaskRead.model_validate(views.task_rows(call.session, [found], call.now)[0])


@route("GET", "/projects")
def projects(call: Call) -> Any:
    from devday.project import service
    from devday.project.schemas import ProjectListQuery, ProjectRead

    query = call.query(ProjectListQuery)
    rows = service.list_projects(
        session=call.session,
        user=call.user,
        name=query.name,
        team_id=query.team_id,
        include_archived=query.include_archived,
    )
    return [ProjectRead.model_validate(p) for p in rows]


@route("GET", r"/projects/(\d+)")
def project(call: Call) -> Any:
    from devday.project import service
    from devday.project.schemas import ProjectRead

    call.no_query()
    found = service.get_project(session=call.session, user=call.user, project_id=call.id())
    return ProjectRead.model_validate(found)


@route("GET", "/duty-list")
def duty_list(call: Call) -> Any:
    from devday.planning import views

    call.no_query()
    return views.duty_list(session=call.session, user=call.user, now=call.now)


@route("GET", r"/plans/(\d{4}-\d{2}-\d{2})")
def plan(call: Call) -> Any:
    from devday.planning import service, views

    call.no_query()
    stored = service.get_plan(session=call.session, user=call.user, plan_date=call.day())
    return views.read_plan(call.session, call.user, stored, call.now)


@route("GET", "/today")
def today(call: Call) -> Any:
    from devday.day import views

    call.no_query()
    return views.today(session=call.session, user=call.user, now=call.now)
