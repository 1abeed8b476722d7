"""The Team page: pick a team; your standup form (prefilled with the draft), who submitted and
who is away, the open blockers, your leave, and the team's figures drawn as charts. A thin
adapter over ``standup.service``, ``standup.leave`` and ``figures.service``.

Each form POST answers 303 back to the page (Post/Redirect/Get); a refused one shows the page
again with the message next to its field and a 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import DomainError, Invalid, NotFound
from devday.figures import service as figures_service
from devday.ids import MAX_ID
from devday.standup import leave as leave_service
from devday.standup import service as standup_service
from devday.team import service as team_service
from devday.web._legacy import form_ok, login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import render
from devday.web.team_figures import figure_context

router = APIRouter(include_in_schema=False)

PAGE = "web/team.html"
PICK = "web/team_pick.html"
EXPIRED = "Your form expired; please try again."
FIGURE_WEEKS = 8
LongText = Annotated[str, Form(max_length=4 * standup_service.MAX_PART)]


@router.get("/team", response_class=HTMLResponse)
def pick_team(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    teams = team_service.list_teams(session=session, user=user)
    if len(teams) == 1:
        return RedirectResponse(f"/team/{teams[0][0].id}", status_code=303)
    return render(request, state, PICK, {"user": user, "teams": teams})


def _id(text: str) -> int:
    """A path id; anything that is not one is a page that does not exist."""
    value = int(text) if text.isdigit() and len(text) <= 10 else 0
    if not 1 <= value <= MAX_ID:
        raise NotFound("no such page")
    return value


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{text!r} is not a date; use YYYY-MM-DD", field="day") from None


def page_context(
    session: Session, user: User, team_id: int, day: date | None, now: datetime
) -> dict[str, Any]:
    view = standup_service.team_day(session=session, user=user, team_id=team_id, day=day, now=now)
    mine = standup_service.get_mine(
        session=session, user=user, team_id=team_id, day=view.day, now=now
    )
    figures = figures_service.team_figures(
        session=session, user=user, team_id=team_id, weeks=FIGURE_WEEKS, now=now
    )
    stored = mine.stored
    return {
        "user": user,
        "team": view.team,
        "role": view.role.value,
        "teams": team_service.list_teams(session=session, user=user),
        "view": view,
        "mine": mine,
        "today": standup_service.team_today(view.team, now),
        "names": {m.user.id: m.user.name for m in view.members},
        "leave": leave_service.list_leave(session=session, user=user, since=view.day),
        "values": {
            "yesterday": mine.yesterday,
            "today": mine.today,
            "blockers": mine.blockers,
            "version": str(stored.version if stored else 0),
            "start": "",
            "end": "",
            "note": "",
        },
        "errors": {},
        "error": None,
        **figure_context(figures),
    }


def _show(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    team_id: int,
    day: date | None,
    *,
    error: DomainError | None = None,
    message: str | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    now = state.clock.now()
    try:
        context = page_context(session, user, team_id, day, now)
    except NotFound as exc:
        return render(
            request, state, PAGE, {"user": user, "error": exc.message}, status=exc.status_code
        )
    if values:
        # What the visitor typed comes back; the version stays the stored one.
        context["values"].update({k: v for k, v in values.items() if k != "version"})
    if error is not None and error.field:
        context["errors"] = {error.field: error.message}
    elif error is not None:
        context["error"] = error.message
    if message:
        context["error"] = message
    return render(request, state, PAGE, context, status=status)


def _missing(request: Request, state: StateDep, user: User) -> Response:
    return render(request, state, PAGE, {"user": user, "error": "team not found"}, status=404)


@router.get("/team/{team_id}", response_class=HTMLResponse)
def team_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    day: str = "",
) -> Response:
    if user is None:
        return login_redirect(request)
    try:
        tid, the_day = _id(team_id), _day(day)
    except DomainError as exc:
        context = {"user": user, "error": exc.message}
        return render(request, state, PAGE, context, status=exc.status_code)
    return _show(request, state, session, user, tid, the_day)


def _act(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    team_id: str,
    csrf_token: str,
    day_text: str,
    action: Callable[[User, int, datetime], object],
    values: dict[str, str] | None = None,
) -> Response:
    """Checks the sign-in and the CSRF token, runs ``action(user, team id, now)``, commits and
    goes back to the team page; a domain error shows the page again with its message."""
    if user is None:
        return login_redirect(request)
    try:
        tid = _id(team_id)
    except NotFound:
        return _missing(request, state, user)
    try:
        day = _day(day_text)
    except Invalid:
        day = None
    if not form_ok(request, state, csrf_token):
        return _show(request, state, session, user, tid, day, message=EXPIRED, status=403)
    try:
        action(user, tid, state.clock.now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _show(
            request,
            state,
            session,
            user,
            tid,
            day,
            error=exc,
            status=exc.status_code,
            values=values,
        )
    suffix = f"?day={day.isoformat()}" if day is not None else ""
    return RedirectResponse(f"/team/{tid}{suffix}", status_code=303)


@router.post("/team/{team_id}/standup")
def save_standup(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    csrf_token: FormStr = "",
    day: FormStr = "",
    yesterday: LongText = "",
    today: LongText = "",
    blockers: LongText = "",
    version: FormStr = "0",
    action: FormStr = "save",
) -> Response:
    def run(user: User, tid: int, now: datetime) -> None:
        standup_service.save_mine(
            session=session,
            user=user,
            team_id=tid,
            day=_day(day),
            yesterday=yesterday,
            today=today,
            blockers=blockers,
            submit=action == "submit",
            version=int(version) if version.strip().isdigit() else 0,
            now=now,
        )

    values = {"yesterday": yesterday, "today": today, "blockers": blockers}
    return _act(request, state, session, user, team_id, csrf_token, day, run, values)


@router.post("/team/{team_id}/blockers/{blocker_id}/resolve")
def resolve_blocker(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    blocker_id: str,
    csrf_token: FormStr = "",
    day: FormStr = "",
) -> Response:
    def run(user: User, tid: int, now: datetime) -> None:
        bid = _id(blocker_id)
        blocker = standup_service.get_blocker(session=session, user=user, blocker_id=bid)
        if blocker.team_id != tid:
            raise NotFound(f"blocker {bid} not found")
        standup_service.resolve_blocker(session=session, user=user, blocker_id=bid, now=now)

    return _act(request, state, session, user, team_id, csrf_token, day, run)


def _date_field(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("pick a date (YYYY-MM-DD)", field=name) from None


@router.post("/team/{team_id}/leave")
def add_leave(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    csrf_token: FormStr = "",
    start: FormStr = "",
    end: FormStr = "",
    note: FormStr = "",
) -> Response:
    def run(user: User, tid: int, now: datetime) -> None:
        team_service.get_team(session=session, user=user, team_id=tid)
        if len(note) > 200:
            raise Invalid("keep the note under 200 characters", field="note")
        leave_service.add_leave(
            session=session,
            user=user,
            start=_date_field(start, "start"),
            end=_date_field(end, "end"),
            note=note,
            now=now,
        )

    values = {"start": start, "end": end, "note": note}
    return _act(request, state, session, user, team_id, csrf_token, "", run, values)


@router.post("/team/{team_id}/leave/{leave_id}/delete")
def delete_leave(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    leave_id: str,
    csrf_token: FormStr = "",
) -> Response:
    def run(user: User, tid: int, now: datetime) -> None:
        team_service.get_team(session=session, user=user, team_id=tid)
        leave_service.delete_leave(session=session, user=user, leave_id=_id(leave_id))

    return _act(request, state, session, user, team_id, csrf_token, "", run)
