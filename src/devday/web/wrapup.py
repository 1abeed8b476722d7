"""The Wrap-up and Reflection pages: a thin adapter over ``day.wrapup`` (build, close) and
``day.reflection`` (get, save).

Each form POST answers 303 back to its page (Post/Redirect/Get); a refused one re-renders the
page with the message and a 4xx status, never JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day import reflection as reflection_service
from devday.day import wrapup as wrapup_service
from devday.day.calendar_days import local_today
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import DomainError, Invalid, NotFound
from devday.web._legacy import form_ok, login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import render

router = APIRouter(include_in_schema=False)

WRAPUP_PAGE = "web/wrapup.html"
REFLECT_PAGE = "web/reflect.html"
EXPIRED = "Your form expired; please try again."
MAX_TEXT = 5000
MAX_GOAL = 300
GOAL_INPUTS = 3
DECISION_LABELS = {
    "tomorrow": "Next working day",
    "date": "On the date below",
    "backlog": "Back to the list",
    "drop": "Drop it",
}
# Long text fields are checked in the page (with a message) below this hard request limit.
LongText = Annotated[str, Form(max_length=4 * MAX_TEXT)]
FormList = Annotated[list[str], Form(max_length=500)]


def _day(text: str | None, user: User, now: datetime) -> date:
    if text is None:
        return local_today(user, now)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound(f"no such day: {text!r}; use YYYY-MM-DD") from None


def _show(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    day_text: str | None,
    build: Callable[[Session, User, date, datetime], dict[str, Any]],
    page: str,
    *,
    error: str | None = None,
    status: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    now = state.clock.now()
    try:
        day = _day(day_text, user, now)
    except DomainError as exc:
        return render(
            request, state, page, {"user": user, "error": exc.message}, status=exc.status_code
        )
    context = build(session, user, day, now)
    if values:
        # The visitor's text comes back; the version stays the stored one, so that sending the
        # form again after a conflict is a choice made with the message in view.
        kept = {k: v for k, v in values.items() if k != "version"}
        context["values"] = {**context["values"], **kept}
    context["error"] = error
    return render(request, state, page, context, status=status)


def _post(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    day_text: str,
    csrf_token: str,
    build: Callable[[Session, User, date, datetime], dict[str, Any]],
    page: str,
    action: Callable[[User, date, datetime], object],
    values: dict[str, Any] | None = None,
) -> Response:
    """Checks the sign-in and the CSRF token, runs ``action``, commits and goes back to the
    page; a domain error shows the page again with its message."""
    if user is None:
        return login_redirect(request)
    if not form_ok(request, state, csrf_token):
        return _show(
            request, state, session, user, day_text, build, page, error=EXPIRED, status=403
        )
    now = state.clock.now()
    try:
        day = _day(day_text, user, now)
        action(user, day, now)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _show(
            request,
            state,
            session,
            user,
            day_text,
            build,
            page,
            error=exc.message,
            status=exc.status_code,
            values=values,
        )
    prefix = "/wrapup/" if page == WRAPUP_PAGE else "/reflect/"
    return RedirectResponse(prefix + day.isoformat(), status_code=303)


# --- wrap-up -------------------------------------------------------------------------------------


def wrapup_context(session: Session, user: User, day: date, now: datetime) -> dict[str, Any]:
    view = wrapup_service.build(session=session, user=user, day=day, now=now)
    closed = view.closed
    return {
        "user": user,
        "day": day,
        "today": local_today(user, now),
        "view": view,
        "min_date": (day + timedelta(days=1)).isoformat(),
        "done_minutes": sum(item.minutes for item in view.done),
        "decisions": DECISION_LABELS,
        # Sanitised by devday.markdown (markdown-it without raw HTML, then nh3) when stored.
        "report": Markup(closed.report_html) if closed else None,  # noqa: S704
        "values": {"blockers": "", "choices": {}},
    }


@router.get("/wrapup", response_class=HTMLResponse)
def wrapup_today(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _show(request, state, session, user, None, wrapup_context, WRAPUP_PAGE)


@router.get("/wrapup/{day}", response_class=HTMLResponse)
def wrapup_day(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, day: str
) -> Response:
    if user is None:
        return login_redirect(request)
    return _show(request, state, session, user, day, wrapup_context, WRAPUP_PAGE)


def decisions_from(
    task_ids: list[str], choices: list[str], dates: list[str]
) -> list[dict[str, Any]]:
    """The form's rows (a task id, a decision and a date each, in page order) as the service's
    decisions. A date given with the default decision means "on that date"."""
    if not len(task_ids) == len(choices) == len(dates):
        raise Invalid("the decisions came back incomplete; reload the page", field="decisions")
    out: list[dict[str, Any]] = []
    for raw_id, choice, raw_date in zip(task_ids, choices, dates, strict=True):
        if not raw_id.strip().isdigit():
            raise Invalid("the decisions name an unknown task; reload the page", field="decisions")
        if choice not in DECISION_LABELS:
            raise Invalid(f"unknown decision {choice!r}", field="decisions")
        decision: dict[str, Any] = {"task_id": int(raw_id), "decision": choice}
        if raw_date.strip() and choice in ("tomorrow", "date"):
            try:
                decision.update(decision="date", date=date.fromisoformat(raw_date.strip()))
            except ValueError:
                raise Invalid(f"{raw_date!r} is not a date (YYYY-MM-DD)", field="date") from None
        elif choice == "date":
            raise Invalid("pick the date to move the task to", field="date")
        out.append(decision)
    return out


@router.post("/wrapup/{day}")
def close_day(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    day: str,
    csrf_token: FormStr = "",
    blockers: LongText = "",
    task_id: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    decision: FormList = [],  # noqa: B006
    move_date: FormList = [],  # noqa: B006
) -> Response:
    def action(user: User, day: date, now: datetime) -> None:
        if len(blockers) > MAX_TEXT:
            raise Invalid(f"keep the blockers under {MAX_TEXT} characters", field="blockers")
        wrapup_service.close(
            session=session,
            user=user,
            day=day,
            decisions=decisions_from(task_id, decision, move_date),
            blockers=blockers.strip(),
            now=now,
        )

    values = {"blockers": blockers, "choices": dict(zip(task_id, decision, strict=False))}
    return _post(
        request,
        state,
        session,
        user,
        day,
        csrf_token,
        wrapup_context,
        WRAPUP_PAGE,
        action,
        values,
    )


# --- reflection ----------------------------------------------------------------------------------


def reflect_context(session: Session, user: User, day: date, now: datetime) -> dict[str, Any]:
    view = reflection_service.get(session=session, user=user, day=day)
    row = view.reflection
    goals = [task.title for task in view.goals]
    return {
        "user": user,
        "day": day,
        "today": local_today(user, now),
        "view": view,
        "values": {
            "went_well": row.went_well if row else "",
            "improve": row.improve if row else "",
            "energy": str(row.energy) if row and row.energy else "",
            "note": row.note if row else "",
            "goals": goals + [""] * max(0, GOAL_INPUTS - len(goals)),
            "version": str(row.version) if row else "",
        },
    }


@router.get("/reflect", response_class=HTMLResponse)
def reflect_today(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _show(request, state, session, user, None, reflect_context, REFLECT_PAGE)


@router.get("/reflect/{day}", response_class=HTMLResponse)
def reflect_day(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, day: str
) -> Response:
    if user is None:
        return login_redirect(request)
    return _show(request, state, session, user, day, reflect_context, REFLECT_PAGE)


def _energy(text: str) -> int | None:
    if not text.strip():
        return None
    if text.strip() not in ("1", "2", "3"):
        raise Invalid("energy is 1 (low), 2 (ok) or 3 (high)", field="energy")
    return int(text)


def _goals(goals: list[str]) -> list[str]:
    cleaned: list[str] = []
    for goal in (g.strip() for g in goals):
        if len(goal) > MAX_GOAL:
            raise Invalid(f"keep each goal under {MAX_GOAL} characters", field="goal")
        if goal and goal not in cleaned:
            cleaned.append(goal)
    if len(cleaned) > 10:
        raise Invalid("ten goals at most", field="goal")
    return cleaned


@router.post("/reflect/{day}")
def save_reflection(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    day: str,
    csrf_token: FormStr = "",
    went_well: LongText = "",
    improve: LongText = "",
    energy: FormStr = "",
    note: LongText = "",
    goal: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    version: FormStr = "",
) -> Response:
    def action(user: User, day: date, now: datetime) -> None:
        for name, text in (("went_well", went_well), ("improve", improve), ("note", note)):
            if len(text) > MAX_TEXT:
                raise Invalid(f"keep it under {MAX_TEXT} characters", field=name)
        reflection_service.save(
            session=session,
            user=user,
            day=day,
            went_well=went_well.strip(),
            improve=improve.strip(),
            energy=_energy(energy),
            note=note.strip(),
            goals=_goals(goal),
            version=int(version) if version.strip().isdigit() else None,
            now=now,
        )

    values = {
        "went_well": went_well,
        "improve": improve,
        "energy": energy,
        "note": note,
        "goals": [*goal, *[""] * max(0, GOAL_INPUTS - len(goal))],
        "version": version,
    }
    return _post(
        request,
        state,
        session,
        user,
        day,
        csrf_token,
        reflect_context,
        REFLECT_PAGE,
        action,
        values,
    )
