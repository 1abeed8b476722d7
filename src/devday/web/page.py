"""The page layer: the one dependency a page handler takes, and how pages answer errors.

A handler asks for ``page: Page`` and gets the signed-in user, the request's session, the time,
``page.outbound`` (to save a target devday connects to) and ``page.render()``; a signed-out
visitor never reaches it, because the dependency *raises* ``SignInRequired`` and the page route
answers 303 to ``/login?next=<path>``. A form handler runs its change through ``page.submit()``:
CSRF checked, the change run and committed, then 303; a refused change is rolled back and the
form shown again with the message and the error's status.

Routers made by ``page_router()`` answer in HTML whatever goes wrong: a path id that does not
parse (``IdPath``, ``PageDay``) or a ``NotFound`` gives the router's 404 page, other bad input a
422 page, any other domain error a page with its message and status; never the API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import BeforeValidator, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from devday.account.models import User
from devday.deps import AppState, OptionalUser, Outbound, SessionDep, StateDep
from devday.errors import DomainError, NotFound
from devday.inputs import day_in_range, without_controls
from devday.web import csrf
from devday.web.forms import Refusal
from devday.web.rendering import render

T = TypeVar("T")


class SignInRequired(Exception):
    """Raised by the ``Page`` dependency for a signed-out visitor; answered with 303 to login."""


def _iso_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return day_in_range(date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"no such day: {value!r}; use YYYY-MM-DD") from None
    return value


#: A day in a page's path, ``YYYY-MM-DD``; anything else is the router's 404 page.
PageDay = Annotated[date, Path(), BeforeValidator(_iso_day)]


@dataclass
class Visit:
    """A request to a page that anyone may see: the visitor may be signed out."""

    request: Request
    state: AppState
    session: Session
    user: User | None
    form: FormData = field(default_factory=FormData)

    @cached_property
    def now(self) -> datetime:
        """The time of this request, read once from the clock."""
        return self.state.clock.now()

    @cached_property
    def outbound(self) -> Outbound:
        """The request's session and the server's outbound policy: ``page.outbound.run(work)``
        saves a target through ``netguard.with_lookups``."""
        return Outbound.of(self.state, self.session)

    def render(
        self, template: str, context: dict[str, Any] | None = None, *, status: int = 200
    ) -> HTMLResponse:
        """``template`` with ``context``, the visitor as ``user`` and a CSRF token for its forms."""
        return render(
            self.request, self.state, template, {"user": self.user, **(context or {})}, status
        )

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def query(self, name: str, default: str = "", *, max_length: int = 200) -> str:
        """A query parameter as text, cut to ``max_length``, without control characters."""
        value = self.request.query_params.get(name, default)
        return without_controls(value, lines=False)[:max_length]

    def form_value(self, name: str, *, max_length: int = 500) -> str:
        """A field of the submitted form as text, cut to ``max_length``, without control
        characters but tab and line breaks; "" when absent."""
        return without_controls(str(self.form.get(name, "")))[:max_length]

    def form_ok(self) -> bool:
        """Whether the form came with this browser's CSRF token."""
        sent = str(self.form.get(csrf.CSRF_FIELD, ""))[:500]
        return csrf.verify(self.state, self.request, sent)

    def address(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    def submit(
        self,
        change: Callable[[], T],
        *,
        then: str | Callable[[T], str | Response],
        refused: Callable[[Refusal], Response],
    ) -> Response:
        """Runs a form's ``change`` and answers 303 to ``then``: a URL, or a function of what
        ``change`` returned that gives the URL (or the whole answer). A form without this
        browser's CSRF token changes nothing and gets ``refused`` with 403; a domain error or a
        schema's ``ValidationError`` rolls back and gets ``refused`` with its message and
        status."""
        if not self.form_ok():
            return refused(Refusal.form_expired())
        try:
            result = change()
            self.session.commit()
        except (DomainError, ValidationError) as exc:
            self.session.rollback()
            return refused(Refusal.of(exc))
        target = then if isinstance(then, str) else then(result)
        return self.redirect(target) if isinstance(target, str) else target


@dataclass
class PageContext(Visit):
    """A request to a page of a signed-in user."""

    user: User = field(kw_only=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.user.timezone)

    @property
    def today(self) -> date:
        """The user's local date now."""
        return self.now.astimezone(self.zone).date()


async def _form(request: Request) -> FormData:
    if request.method != "POST":
        return FormData()
    return await request.form()  # already read (and kept) when the handler takes form fields


async def visit(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Visit:
    found = Visit(request, state, session, user, form=await _form(request))
    request.state.page = found
    return found


async def signed_in_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> PageContext:
    if user is None:
        raise SignInRequired
    page = PageContext(request, state, session, user=user, form=await _form(request))
    request.state.page = page
    return page


#: The dependency of every page of a signed-in user.
Page = Annotated[PageContext, Depends(signed_in_page)]
#: The dependency of pages anyone may open (sign-up, log-in, a team's help form).
VisitorPage = Annotated[Visit, Depends(visit)]


# --- errors as pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """What a router's 404 page says: a title, why (empty: what the error said), a way back."""

    title: str = "Not found"
    text: str = ""
    back: str = "/"
    back_label: str = "Back to your day"


class PageRoute(APIRoute):
    """A page's route: errors become HTML pages (see the module's docstring)."""

    missing: ClassVar[Missing] = Missing()

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        missing = self.missing

        async def page_handler(request: Request) -> Response:
            response = await _answer(request)
            # A signed-in user's page is private: never kept in a cache, so Back after logging
            # out (or another person at the same browser) shows nothing of it.
            visit = getattr(request.state, "page", None)
            if isinstance(visit, Visit) and visit.user is not None:
                response.headers["Cache-Control"] = "no-store"
            return response

        async def _answer(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return RedirectResponse("/login?next=" + quote(request.url.path), 303)
            except RequestValidationError as exc:
                return await run_in_threadpool(_invalid, request, missing, exc)
            except DomainError as exc:
                return await run_in_threadpool(_refused, request, missing, exc)

        return page_handler


def page_router(missing: Missing | None = None) -> APIRouter:
    """A router of HTML pages (left out of the API's schema); ``missing`` is its 404 page."""

    class Route(PageRoute):
        pass

    Route.missing = missing or Missing()
    return APIRouter(include_in_schema=False, route_class=Route)


def _visit_of(request: Request) -> Visit:
    found = getattr(request.state, "page", None)
    if isinstance(found, Visit):
        return found
    state: AppState = request.app.state.devday
    with state.session_factory() as session:  # the request failed before its page was made
        return Visit(request, state, session, None)


def _not_found(request: Request, missing: Missing, message: str) -> Response:
    context = {"missing": missing, "message": missing.text or message}
    return _visit_of(request).render("not_found.html", context, status=404)


def _invalid(request: Request, missing: Missing, exc: RequestValidationError) -> Response:
    errors = list(exc.errors())
    for error in errors:
        loc = error.get("loc", ())
        if loc and loc[0] == "path":
            return _not_found(request, missing, _path_message(str(loc[-1]), error))
    problems = [
        (
            ".".join(str(p) for p in error.get("loc", ())[1:]) or "form",
            str(error.get("msg", "invalid")).removeprefix("Value error, "),
        )
        for error in errors
    ]
    context = {"title": "That did not work", "message": None, "problems": problems}
    return _visit_of(request).render("error.html", context, status=422)


def _path_message(name: str, error: dict[str, Any]) -> str:
    if error.get("type") == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{name.removesuffix('_id').replace('_', ' ')} not found"


def _refused(request: Request, missing: Missing, exc: DomainError) -> Response:
    visit = _visit_of(request)
    visit.session.rollback()
    if isinstance(exc, NotFound):
        return _not_found(request, missing, exc.message)
    context = {"title": "That did not work", "message": exc.message, "problems": []}
    return visit.render("error.html", context, status=exc.status_code)
