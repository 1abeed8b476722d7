"""The team meeting page: /team/{team_id}/meeting (today) and /team/{team_id}/meeting/{day}.

A thin adapter over ``meeting.service``: the agenda, forms to add a note, a decision or an
action item, to take up a suggested reassignment and to close the meeting. Each form POST
answers 303 back to the page (Post/Redirect/Get); a refused one shows the page again with the
message next to its field and a 4xx status. ``/meeting`` leads to the caller's team's meeting.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from devday import markdown
from devday.account.models import User
from devday.dateparse import WHEN_HELP, parse_duration, parse_when
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import DomainError, Invalid, NotFound
from devday.meeting import agenda as agenda_module
from devday.meeting import router as meeting_api
from devday.meeting import service
from devday.meeting.models import ItemKind, Meeting
from devday.meeting.schemas import MAX_TEXT, ItemCreate
from devday.team import service as team_service
from devday.web._legacy import form_ok, login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import render

router = APIRouter(include_in_schema=False)

PAGE = "web/meeting.html"
MISSING_PAGE = "web/meeting_missing.html"
PICK_PAGE = "web/meeting_pick.html"
EXPIRED = "Your form expired; please try again."
LongText = Annotated[str, Form(max_length=2 * MAX_TEXT)]
FORM_FIELDS = {"text", "assignee_id", "deadline", "estimate", "task_id", "meeting", "version"}


@router.get("/meeting", response_class=HTMLResponse)
def my_meeting(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    teams = team_service.list_teams(session=session, user=user)
    if len(teams) == 1:
        return RedirectResponse(f"/team/{teams[0][0].id}/meeting", status_code=303)
    return render(request, state, PICK_PAGE, {"user": user, "teams": teams})


def _missing(request: Request, state: StateDep, user: User) -> Response:
    return render(request, state, MISSING_PAGE, {"user": user}, status=404)


def _context(session: Session, user: User, meeting: Meeting, now: datetime) -> dict[str, Any]:
    _meeting, team, role = service.get_meeting(session=session, user=user, meeting_id=meeting.id)
    items = meeting_api.items_read(
        session, service.items_of(session=session, meeting_id=meeting.id)
    )
    members = agenda_module.members_of(session=session, team_id=team.id)
    agenda = None
    current = service.is_current(meeting, team, now)
    if current:
        agenda = meeting_api.agenda_read(
            service.build_agenda(session=session, meeting=meeting, now=now)
        )
    return {
        "user": user,
        "team": team,
        "meeting": meeting,
        "role": role,
        "can_close": service.can_close(role),
        "members": members,
        "agenda": agenda,
        "current": current,
        "items": items,
        "html": {i.id: Markup(i.html) for i in items},  # noqa: S704 - sanitised by devday.markdown
        # Sanitised the same way: markdown-it without raw HTML, then nh3.
        "summary_html": Markup(markdown.render(meeting.summary_markdown)),  # noqa: S704
        "names": {m.user.id: m.user.name for m in members},
        "today": agenda_module.team_today(team, now),
        "when_help": WHEN_HELP,
        "errors": {},
        "values": {},
    }


def _show(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    team_id: int,
    day: date | None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    now = state.clock.now()
    try:
        if day is None:
            meeting, _team, _role = service.today_meeting(
                session=session, user=user, team_id=team_id, now=now
            )
            session.commit()
        else:
            meeting = service.meeting_on(session=session, user=user, team_id=team_id, day=day)
    except NotFound:
        return _missing(request, state, user)
    context = _context(session, user, meeting, now)
    context["errors"] = errors or {}
    context["values"] = values or {}
    return render(request, state, PAGE, context, status=status)


@router.get("/team/{team_id}/meeting", response_class=HTMLResponse)
def meeting_today(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, team_id: str
) -> Response:
    if user is None:
        return login_redirect(request)
    if not team_id.isdigit() or not 0 < int(team_id) < 2**31:
        return _missing(request, state, user)
    return _show(request, state, session, user, int(team_id), None)


@router.get("/team/{team_id}/meeting/{day}", response_class=HTMLResponse)
def meeting_of_day(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    day: str,
) -> Response:
    if user is None:
        return login_redirect(request)
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        return _missing(request, state, user)
    if not team_id.isdigit() or not 0 < int(team_id) < 2**31:
        return _missing(request, state, user)
    return _show(request, state, session, user, int(team_id), wanted)


def _post(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    team_id: str,
    csrf_token: str,
    form: str,
    values: dict[str, str],
    action: Any,
) -> Response:
    """Checks sign-in and CSRF, runs ``action(user, meeting, now)`` on today's meeting, commits
    and goes back; a domain error shows the page with the message next to its field."""
    if user is None:
        return login_redirect(request)
    if not team_id.isdigit() or not 0 < int(team_id) < 2**31:
        return _missing(request, state, user)
    tid = int(team_id)
    values = {**values, "form": form}
    if not form_ok(request, state, csrf_token):
        return _show(
            request,
            state,
            session,
            user,
            tid,
            None,
            errors={f"{form}-form": EXPIRED},
            values=values,
            status=403,
        )
    now = state.clock.now()
    try:
        meeting, _team, _role = service.today_meeting(
            session=session, user=user, team_id=tid, now=now
        )
        action(user, meeting, now)
        session.commit()
    except NotFound:
        session.rollback()
        return _missing(request, state, user)
    except DomainError as exc:
        session.rollback()
        field = exc.field if exc.field in FORM_FIELDS else "form"
        return _show(
            request,
            state,
            session,
            user,
            tid,
            None,
            errors={f"{form}-{field}": exc.message},
            values=values,
            status=exc.status_code,
        )
    return RedirectResponse(f"/team/{tid}/meeting", status_code=303)


def _int(text: str, field: str, what: str) -> int:
    if not text.strip().isdigit() or not 0 < int(text) < 2**31:
        raise Invalid(f"choose {what}", field=field)
    return int(text)


@router.post("/team/{team_id}/meeting/items")
def add_item(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    csrf_token: FormStr = "",
    kind: FormStr = "note",
    text: LongText = "",
    assignee_id: FormStr = "",
    deadline: FormStr = "",
    estimate: FormStr = "",
) -> Response:
    form = kind if kind in {k.value for k in ItemKind} else "note"

    def action(user: User, meeting: Meeting, now: datetime) -> None:
        if not text.strip():
            raise Invalid("write something first", field="text")
        if len(text) > MAX_TEXT:
            raise Invalid(f"keep it under {MAX_TEXT} characters", field="text")
        fields: dict[str, Any] = {"kind": form, "text": text}
        if form == ItemKind.action:
            fields["assignee_id"] = _int(assignee_id, "assignee_id", "who does it")
            if not deadline.strip():
                raise Invalid("give a deadline", field="deadline")
            try:
                fields["deadline"] = parse_when(deadline, now=now, timezone=user.timezone)
            except ValueError as exc:
                raise Invalid(str(exc), field="deadline") from None
            if estimate.strip():
                try:
                    fields["estimate_minutes"] = parse_duration(estimate)
                except ValueError as exc:
                    raise Invalid(str(exc), field="estimate") from None
        service.add_item(
            session=session,
            user=user,
            meeting_id=meeting.id,
            data=ItemCreate.model_validate(fields),
            now=now,
        )

    values = {"text": text, "assignee_id": assignee_id, "deadline": deadline, "estimate": estimate}
    return _post(request, state, session, user, team_id, csrf_token, form, values, action)


@router.post("/team/{team_id}/meeting/reassign")
def reassign(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    csrf_token: FormStr = "",
    task_id: FormStr = "",
    assignee_id: FormStr = "",
) -> Response:
    def action(user: User, meeting: Meeting, now: datetime) -> None:
        service.reassign(
            session=session,
            user=user,
            meeting_id=meeting.id,
            task_id=_int(task_id, "task_id", "a task"),
            assignee_id=_int(assignee_id, "assignee_id", "a teammate"),
            now=now,
        )

    values = {"task_id": task_id, "assignee_id": assignee_id}
    return _post(request, state, session, user, team_id, csrf_token, "reassign", values, action)


@router.post("/team/{team_id}/meeting/close")
def close(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: str,
    csrf_token: FormStr = "",
    version: FormStr = "",
) -> Response:
    def action(user: User, meeting: Meeting, now: datetime) -> None:
        service.close(
            session=session,
            user=user,
            meeting_id=meeting.id,
            version=int(version) if version.strip().isdigit() else None,
            now=now,
        )

    return _post(
        request, state, session, user, team_id, csrf_token, "close", {"version": version}, action
    )
