"""The signed-out pages (sign up, log in); the home page sends a signed-in user to /today."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from devday.account import service as account_service
from devday.account.ratelimit import check_login_limits
from devday.account.schemas import UserCreate
from devday.deps import SESSION_COOKIE, OptionalUser, SessionDep, StateDep, session_key_from_cookie
from devday.errors import DomainError
from devday.web import csrf
from devday.web._legacy import login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import render

router = APIRouter(include_in_schema=False)


def _bad_csrf(request: Request, state: StateDep, name: str, context: dict[str, Any]) -> Response:
    context = {**context, "error": "Your form expired; please try again."}
    return render(request, state, name, context, status=403)


def _signed_in(request: Request, state: StateDep, key: str) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        state.signer.dumps(key, salt="session"),
        max_age=state.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, state: StateDep) -> Response:
    return render(request, state, "web/signup.html", {"values": {}, "errors": {}})


@router.post("/signup", response_class=HTMLResponse)
def signup(
    request: Request,
    state: StateDep,
    session: SessionDep,
    email: FormStr,
    name: FormStr,
    password: FormStr,
    timezone: FormStr = "UTC",
    csrf_token: FormStr = "",
) -> Response:
    values = {"email": email, "name": name, "timezone": timezone}
    if not csrf.verify(state, request, csrf_token):
        return _bad_csrf(request, state, "web/signup.html", {"values": values, "errors": {}})
    errors: dict[str, str] = {}
    try:
        data = UserCreate(email=email, name=name, password=password, timezone=timezone)
        state.rate_limits.hit(
            state.settings.signup_limit_per_address,
            "signup",
            _address(request),
            message="too many sign-ups from this address; try again later",
        )
        user = account_service.create_user(session=session, data=data)
        key = account_service.start_session(
            session=session, user=user, now=state.clock.now(), days=state.settings.session_days
        )
        session.commit()
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, str(error["msg"]).removeprefix("Value error, "))
    except DomainError as exc:
        errors[exc.field or "form"] = exc.message
    if errors:
        context = {"values": values, "errors": errors}
        return render(request, state, "web/signup.html", context, status=422)
    return _signed_in(request, state, key)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, state: StateDep, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, state, "web/login.html", {"email": "", "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    state: StateDep,
    session: SessionDep,
    email: FormStr,
    password: FormStr,
    csrf_token: FormStr = "",
) -> Response:
    context: dict[str, Any] = {"email": email, "error": None}
    if not csrf.verify(state, request, csrf_token):
        return _bad_csrf(request, state, "web/login.html", context)
    try:
        check_login_limits(state.rate_limits, state.settings, email, _address(request))
        user = account_service.authenticate(session=session, email=email, password=password)
        key = account_service.start_session(
            session=session, user=user, now=state.clock.now(), days=state.settings.session_days
        )
        session.commit()
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, state, "web/login.html", context, status=exc.status_code)
    return _signed_in(request, state, key)


@router.post("/logout")
def logout(
    request: Request, state: StateDep, session: SessionDep, csrf_token: FormStr = ""
) -> Response:
    if not csrf.verify(state, request, csrf_token):
        return RedirectResponse("/", status_code=303)
    key = session_key_from_cookie(state, request)
    if key:
        account_service.end_session(session=session, key=key)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    return RedirectResponse("/today", status_code=303)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
