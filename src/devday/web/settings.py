"""The Settings pages: profile, routine, API tokens and notification channels, one page each
(``/settings/<section>``; ``/settings`` is the profile), linked by a section nav.

A thin adapter over the account, planning and notify services. Every POST checks the CSRF
token (a 403 page when it fails), shows a refusal next to its field or at the top with a 4xx
status, and answers success with 303 back to its section's page, except creating a token: its
secret is shown once, in the answer itself, so that it never travels in a URL or is stored
anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from devday.account import service as account_service
from devday.account.models import User
from devday.account.schemas import TokenCreate, UserUpdate
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import Conflict, DomainError, NotFound
from devday.ids import MAX_ID
from devday.notify import service as notify_service
from devday.notify.models import ChannelKind
from devday.notify.schemas import ChannelCreate, masked
from devday.planning import service as planning_service
from devday.planning.routine import WEEKDAYS
from devday.planning.schemas import RoutineWrite
from devday.web._legacy import form_ok, login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import render

router = APIRouter(include_in_schema=False)
# Unbounded here, bounded by the schemas: a too-long value is an error next to its field, where
# FormStr's limit would answer JSON.
AnyFormStr = Annotated[str, Form()]

PAGE = "web/settings.html"
EXPIRED = "Your form expired; please try again."
EMPTY_BLOCK_ROWS = 3
MAX_BLOCK_ROWS = 60
# The sections in nav order: (path segment, nav label, what it is for).
SECTIONS = [
    ("profile", "Profile & timezone", "Your name, and the timezone every page and plan uses."),
    ("routine", "Routine", "The planner fills your working hours around these blocks."),
    ("tokens", "API tokens", "Tokens let the CLI and scripts use the API as you."),
    ("channels", "Notification channels", "Where reports and reminders go."),
]
# What a ``saved=`` key says, and the section it belongs to.
SAVED = {
    "profile": ("profile", "Profile saved."),
    "routine": ("routine", "Routine saved."),
    "revoked": ("tokens", "Token revoked."),
    "channel": ("channels", "Channel added."),
    "deleted": ("channels", "Channel deleted."),
    "tested": ("channels", "Test message queued; it goes out within a minute."),
}


@lru_cache(maxsize=1)
def timezones() -> list[str]:
    return sorted(available_timezones())


def _show(
    request: Request, state: StateDep, session: Session, user: User | None, section: str
) -> Response:
    if user is None:
        return login_redirect(request)
    saved = SAVED.get(request.query_params.get("saved", ""))
    notice = saved[1] if saved and saved[0] == section else None
    return _page(request, state, session, user, section, notice=notice)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    return _show(request, state, session, user, "profile")


@router.get("/settings/profile", response_class=HTMLResponse)
def profile_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    return _show(request, state, session, user, "profile")


@router.get("/settings/routine", response_class=HTMLResponse)
def routine_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    return _show(request, state, session, user, "routine")


@router.get("/settings/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    return _show(request, state, session, user, "tokens")


@router.get("/settings/channels", response_class=HTMLResponse)
def channels_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    return _show(request, state, session, user, "channels")


def _page(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    section: str,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    """One section's page; ``extra`` carries what a refused form sent back (``errors`` per
    field, ``error`` at the top, the form's ``values``). Only that section's data is read."""
    context: dict[str, Any] = {
        "user": user,
        "section": section,
        "sections": SECTIONS,
        "errors": {},
        "values": {},
        "error": None,
        "notice": None,
        "new_token": None,
    }
    if section == "profile":
        context["timezones"] = timezones()
    elif section == "routine":
        context["weekdays"] = WEEKDAYS
        if "routine_form" not in extra:
            routine, version = planning_service.get_routine(session=session, user=user)
            context["routine_form"] = _routine_form(routine, version)
    elif section == "tokens":
        context["tokens"] = account_service.list_tokens(session=session, user=user)
    else:
        context["channels"] = [
            (c, masked(c.kind, c.target))
            for c in notify_service.list_channels(session=session, user=user)
        ]
        context["channel_kinds"] = [k.value for k in ChannelKind]
    context.update(extra)
    response = render(request, state, PAGE, context, status=status)
    if context["new_token"]:
        response.headers["Cache-Control"] = "no-store"
    return response


def _start(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    csrf_token: str,
    section: str,
) -> Response | None:
    """A response that ends the request before any change (signed out, bad token), or None."""
    if user is None:
        return login_redirect(request)
    if not form_ok(request, state, csrf_token):
        return _page(request, state, session, user, section, error=EXPIRED, status=403)
    return None


def _back(saved: str) -> RedirectResponse:
    section = SAVED[saved][0]
    return RedirectResponse(f"/settings/{section}?saved={saved}", status_code=303)


def _errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        errors.setdefault(prefix + field, str(item["msg"]).removeprefix("Value error, "))
    return errors


def _id(text: str) -> int:
    if not text.isdigit() or not text.isascii() or not 1 <= int(text[:12]) <= MAX_ID:
        raise NotFound("not found")
    return int(text)


# --- profile -------------------------------------------------------------------------------------


@router.post("/settings/profile")
def save_profile(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    name: FormStr = "",
    timezone: FormStr = "",
    csrf_token: FormStr = "",
) -> Response:
    if (refused := _start(request, state, session, user, csrf_token, "profile")) is not None:
        return refused
    assert user is not None
    values = {"name": name, "timezone": timezone}
    try:
        account_service.update_user(
            session=session, user=user, data=UserUpdate(name=name.strip(), timezone=timezone)
        )
        session.commit()
    except ValidationError as exc:
        session.rollback()
        errors = _errors(exc, "profile-")
        return _page(
            request, state, session, user, "profile", errors=errors, values=values, status=422
        )
    return _back("profile")


# --- routine -------------------------------------------------------------------------------------


def _routine_form(routine: dict[str, Any], version: int) -> dict[str, Any]:
    """What the routine editor shows: one start/end pair per working window (an empty pair
    for a day off), the blocks plus a few empty rows, and the boosts as key=value lines."""
    hours = {
        day: [list(w) for w in routine["working_hours"].get(day, [])] or [["", ""]]
        for day in WEEKDAYS
    }
    blocks = [dict(b) for b in routine["blocks"]]
    blocks += [
        {"title": "", "days": [], "start": "", "end": "", "personal": False}
        for _ in range(EMPTY_BLOCK_ROWS)
    ]
    boosts = "\n".join(f"{key}={_number(value)}" for key, value in routine["boosts"].items())
    return {
        "hours": hours,
        "blocks": blocks,
        "boosts": boosts,
        "version": version,
        "kind_windows": routine["kind_windows"],
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _read_routine(
    form: FormData, kind_windows: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The RoutineWrite fields the form describes, and a message per field it could not read.

    The kind windows are not edited here; they are kept as stored."""
    errors: dict[str, str] = {}
    hours: dict[str, list[list[str]]] = {}
    form_hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        starts = [str(v).strip() for v in form.getlist(f"hours-{day}-start")]
        ends = [str(v).strip() for v in form.getlist(f"hours-{day}-end")]
        pairs = [[a[:5], b[:5]] for a, b in zip(starts, ends, strict=False)][:12]
        form_hours[day] = pairs or [["", ""]]
        hours[day] = [p for p in pairs if p[0] or p[1]]
        if any(not (a and b) for a, b in hours[day]):
            errors[f"hours-{day}"] = "give both a start and an end, or neither for a day off"
    blocks: list[dict[str, Any]] = []
    form_blocks: list[dict[str, Any]] = []
    count_text = str(form.get("block_count", ""))
    count = min(int(count_text), MAX_BLOCK_ROWS) if count_text.isdigit() else 0
    for i in range(count):
        block = {
            "title": str(form.get(f"block-{i}-title", "")).strip()[:200],
            "days": [str(d) for d in form.getlist(f"block-{i}-days")][:7],
            "start": str(form.get(f"block-{i}-start", "")).strip()[:5],
            "end": str(form.get(f"block-{i}-end", "")).strip()[:5],
            "personal": form.get(f"block-{i}-personal") == "on",
        }
        form_blocks.append(block)
        if form.get(f"block-{i}-remove") == "on":
            continue
        if block["title"] or block["start"] or block["end"]:
            blocks.append({**block, "_row": i})
    boost_text = str(form.get("boosts", ""))[:10_000]
    boosts: dict[str, float] = {}
    for line in boost_text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        try:
            if not sep:
                raise ValueError
            boosts[key.strip()] = float(value)
        except ValueError:
            errors["boosts"] = f"{line.strip()!r}: write one boost a line, as tag:urgent=2"
            break
    fields = {"working_hours": hours, "blocks": blocks, "boosts": boosts}
    shown = {
        "hours": form_hours,
        "blocks": form_blocks,
        "boosts": boost_text,
        "version": str(form.get("version", "")),
        "kind_windows": kind_windows,
    }
    return {"fields": fields, "shown": shown}, errors


@router.post("/settings/routine")
async def save_routine(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    form = await request.form()
    refused = _start(request, state, session, user, str(form.get("csrf_token", "")), "routine")
    if refused is not None:
        return refused
    assert user is not None
    stored, _ = planning_service.get_routine(session=session, user=user)
    read, errors = _read_routine(form, stored["kind_windows"])
    fields, shown = read["fields"], read["shown"]
    rows = [b.pop("_row") for b in fields["blocks"]]
    version_text = shown["version"]
    if not errors:
        try:
            data = RoutineWrite(**fields, kind_windows=stored["kind_windows"])
            version = int(version_text) if version_text.isdigit() else -1
            planning_service.put_routine(
                session=session, user=user, data=data, version=version, now=state.clock.now()
            )
            session.commit()
            return _back("routine")
        except ValidationError as exc:
            session.rollback()
            errors = _routine_errors(exc, rows)
        except Conflict:
            session.rollback()
            message = (
                "Your routine was changed elsewhere; here is the stored one. "
                "Make your change again."
            )
            return _page(request, state, session, user, "routine", error=message, status=409)
    return _page(
        request, state, session, user, "routine", errors=errors, routine_form=shown, status=422
    )


def _routine_errors(exc: ValidationError, rows: list[int]) -> dict[str, str]:
    """Pydantic's error locations as the editor's field ids: ``hours-mon``, ``block-2``,
    ``boosts``."""
    errors: dict[str, str] = {}
    for item in exc.errors():
        loc = item["loc"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if loc and loc[0] == "working_hours":
            key = f"hours-{loc[1]}" if len(loc) > 1 else "hours-mon"
        elif loc and loc[0] == "blocks" and len(loc) > 1 and isinstance(loc[1], int):
            field = f"{loc[2]}: " if len(loc) > 2 else ""
            key, message = f"block-{rows[loc[1]]}", field + message
        elif loc and loc[0] == "blocks":
            key = "blocks"
        else:
            key = "boosts"
        errors.setdefault(key, message)
    return errors


# --- API tokens ----------------------------------------------------------------------------------


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    name: FormStr = "",
    csrf_token: FormStr = "",
) -> Response:
    if (refused := _start(request, state, session, user, csrf_token, "tokens")) is not None:
        return refused
    assert user is not None
    try:
        data = TokenCreate(name=name.strip())
    except ValidationError as exc:
        errors = _errors(exc, "token-")
        return _page(
            request,
            state,
            session,
            user,
            "tokens",
            errors=errors,
            values={"token-name": name},
            status=422,
        )
    token, secret = account_service.create_token(session=session, user=user, name=data.name)
    session.commit()
    return _page(
        request,
        state,
        session,
        user,
        "tokens",
        new_token={"name": token.name, "secret": secret},
        status=201,
    )


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    token_id: str,
    csrf_token: FormStr = "",
) -> Response:
    if (refused := _start(request, state, session, user, csrf_token, "tokens")) is not None:
        return refused
    assert user is not None
    try:
        account_service.revoke_token(
            session=session, user=user, token_id=_id(token_id), now=state.clock.now()
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _page(
            request,
            state,
            session,
            user,
            "tokens",
            error=f"Token {exc.message}",
            status=exc.status_code,
        )
    return _back("revoked")


# --- notification channels -----------------------------------------------------------------------


@router.post("/settings/channels")
def add_channel(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    kind: AnyFormStr = "",
    name: AnyFormStr = "",
    target: AnyFormStr = "",
    csrf_token: AnyFormStr = "",
) -> Response:
    if (refused := _start(request, state, session, user, csrf_token, "channels")) is not None:
        return refused
    assert user is not None
    values = {"channel-kind": kind, "channel-name": name, "channel-target": target}
    try:
        data = ChannelCreate(kind=kind, name=name, target=target)
        notify_service.create_channel(
            session=session,
            user=user,
            data=data,
            now=state.clock.now(),
            allow_private=state.settings.allow_private_urls,
        )
        session.commit()
    except ValidationError as exc:
        session.rollback()
        errors = _errors(exc, "channel-")
        return _page(
            request, state, session, user, "channels", errors=errors, values=values, status=422
        )
    except DomainError as exc:
        session.rollback()
        errors = {f"channel-{exc.field or 'target'}": exc.message}
        return _page(
            request,
            state,
            session,
            user,
            "channels",
            errors=errors,
            values=values,
            status=exc.status_code,
        )
    return _back("channel")


@router.post("/settings/channels/{channel_id}/delete")
def delete_channel(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    channel_id: str,
    csrf_token: FormStr = "",
) -> Response:
    def action(user: User) -> None:
        notify_service.delete_channel(session=session, user=user, channel_id=_id(channel_id))

    return _channel_action(request, state, session, user, csrf_token, action, "deleted")


@router.post("/settings/channels/{channel_id}/test")
def test_channel(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    channel_id: str,
    csrf_token: FormStr = "",
) -> Response:
    def action(user: User) -> None:
        notify_service.send_test(
            session=session, user=user, channel_id=_id(channel_id), text=None, now=state.clock.now()
        )

    return _channel_action(request, state, session, user, csrf_token, action, "tested")


def _channel_action(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    csrf_token: str,
    action: Callable[[User], None],
    saved: str,
) -> Response:
    if (refused := _start(request, state, session, user, csrf_token, "channels")) is not None:
        return refused
    assert user is not None
    try:
        action(user)
        session.commit()
    except DomainError as exc:
        session.rollback()
        message = f"Channel: {exc.message}"
        return _page(
            request, state, session, user, "channels", error=message, status=exc.status_code
        )
    return _back(saved)
