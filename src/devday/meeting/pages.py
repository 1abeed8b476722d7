"""The team meeting page: /team/{team_id}/meeting (today) and /team/{team_id}/meeting/{day}.

A thin adapter over ``meeting.service``: the agenda, forms to add a note, a decision or an
action item, to take up a suggested reassignment and to close the meeting. Each form POST
answers 303 back to the page (Post/Redirect/Get); a refused one shows the page again with the
message next to its field and a 4xx status. ``/meeting`` leads to the caller's team's meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from devday import markdown
from devday.dateparse import WHEN_HELP, parse_duration, parse_when
from devday.deps import IdPath
from devday.errors import Invalid, NotFound
from devday.meeting import agenda as agenda_module
from devday.meeting import service
from devday.meeting.models import ItemKind, Meeting
from devday.meeting.schemas import MAX_TEXT, ItemCreate
from devday.meeting.views import agenda_read, items_read
from devday.team import service as team_service
from devday.team.models import Role, Team
from devday.web.forms import Clean, FormStr, Refusal, form_id, form_version
from devday.web.page import Missing, Page, PageContext, PageDay, page_router

router = page_router(
    Missing(
        title="Meeting not found",
        text="There is no such meeting, or you are not a member of its team.",
        back="/meeting",
        back_label="Your team's meeting",
    )
)

PAGE = "meeting/meeting.html"
PICK_PAGE = "meeting/pick.html"
LongText = Annotated[str, Form(max_length=2 * MAX_TEXT), Clean]
FORM_FIELDS = {"text", "assignee_id", "deadline", "estimate", "task_id", "meeting", "version"}


@router.get("/meeting", response_class=HTMLResponse)
def my_meeting(page: Page) -> Response:
    teams = team_service.list_teams(session=page.session, user=page.user)
    if len(teams) == 1:
        return page.redirect(f"/team/{teams[0][0].id}/meeting")
    return page.render(PICK_PAGE, {"teams": teams})


def _meeting(page: PageContext, team_id: int, day: date | None) -> tuple[Meeting, Team, Role]:
    """Today's meeting of the team (not stored until its first change), or the one held on
    ``day``; with the team and the caller's role. Reads only."""
    if day is None:
        return service.today_meeting(
            session=page.session, user=page.user, team_id=team_id, now=page.now
        )
    meeting = service.meeting_on(session=page.session, user=page.user, team_id=team_id, day=day)
    _row, team, role = service.get_meeting(
        session=page.session, user=page.user, meeting_id=meeting.id
    )
    return meeting, team, role


def _show(
    page: PageContext,
    team_id: int,
    day: date | None = None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    session, now = page.session, page.now
    meeting, team, role = _meeting(page, team_id, day)
    items = items_read(session, service.items_of(session=session, meeting_id=meeting.id))
    members = agenda_module.members_of(session=session, team_id=team.id)
    agenda = agenda_read(session, meeting, team, now)
    context = {
        "team": team,
        "meeting": meeting,
        "role": role,
        "can_close": service.can_close(role),
        "members": members,
        "agenda": agenda,
        "current": agenda is not None,
        "items": items,
        "html": {i.id: Markup(i.html) for i in items},  # noqa: S704 - sanitised by devday.markdown
        # Sanitised the same way: markdown-it without raw HTML, then nh3.
        "summary_html": Markup(markdown.render(meeting.summary_markdown)),  # noqa: S704
        "names": {m.user.id: m.user.name for m in members},
        "today": agenda_module.team_today(team, now),
        "when_help": WHEN_HELP,
        "errors": errors or {},
        "values": values or {},
    }
    return page.render(PAGE, context, status=status)


@router.get("/team/{team_id}/meeting", response_class=HTMLResponse)
def meeting_today(page: Page, team_id: IdPath) -> Response:
    return _show(page, team_id)


@router.get("/team/{team_id}/meeting/{day}", response_class=HTMLResponse)
def meeting_of_day(page: Page, team_id: IdPath, day: PageDay) -> Response:
    return _show(page, team_id, day)


def _post(
    page: PageContext,
    team_id: int,
    form: str,
    values: dict[str, str],
    change: Callable[[Meeting], object],
) -> Response:
    """Runs ``change`` on today's meeting and goes back; a refusal shows the page with the
    message next to the form's field. A meeting the user may not see is the 404 page."""
    values = {**values, "form": form}

    def run() -> object:
        meeting, _team, _role = service.open_today(
            session=page.session, user=page.user, team_id=team_id, now=page.now
        )
        return change(meeting)

    def refused(refusal: Refusal) -> Response:
        if refusal.status == 404:
            raise NotFound(refusal.message)
        field = refusal.field if refusal.field in FORM_FIELDS else "form"
        errors = {f"{form}-{field}": refusal.errors.get(field, refusal.message)}
        return _show(page, team_id, errors=errors, values=values, status=refusal.status)

    return page.submit(run, then=f"/team/{team_id}/meeting", refused=refused)


@router.post("/team/{team_id}/meeting/items")
def add_item(
    page: Page,
    team_id: IdPath,
    kind: FormStr = "note",
    text: LongText = "",
    assignee_id: FormStr = "",
    deadline: FormStr = "",
    estimate: FormStr = "",
) -> Response:
    form = kind if kind in {k.value for k in ItemKind} else "note"

    def add(meeting: Meeting) -> None:
        if not text.strip():
            raise Invalid("write something first", field="text")
        if len(text) > MAX_TEXT:
            raise Invalid(f"keep it under {MAX_TEXT} characters", field="text")
        fields: dict[str, Any] = {"kind": form, "text": text}
        if form == ItemKind.action:
            fields["assignee_id"] = form_id(
                assignee_id, field="assignee_id", message="choose who does it"
            )
            if not deadline.strip():
                raise Invalid("give a deadline", field="deadline")
            try:
                fields["deadline"] = parse_when(deadline, now=page.now, timezone=page.user.timezone)
            except ValueError as exc:
                raise Invalid(str(exc), field="deadline") from None
            if estimate.strip():
                try:
                    fields["estimate_minutes"] = parse_duration(estimate)
                except ValueError as exc:
                    raise Invalid(str(exc), field="estimate") from None
        service.add_item(
            session=page.session,
            user=page.user,
            meeting_id=meeting.id,
            data=ItemCreate.model_validate(fields),
            now=page.now,
        )

    values = {"text": text, "assignee_id": assignee_id, "deadline": deadline, "estimate": estimate}
    return _post(page, team_id, form, values, add)


@router.post("/team/{team_id}/meeting/reassign")
def reassign(
    page: Page, team_id: IdPath, task_id: FormStr = "", assignee_id: FormStr = ""
) -> Response:
    def give(meeting: Meeting) -> None:
        service.reassign(
            session=page.session,
            user=page.user,
            meeting_id=meeting.id,
            task_id=form_id(task_id, field="task_id", message="choose a task"),
            assignee_id=form_id(assignee_id, field="assignee_id", message="choose a teammate"),
            now=page.now,
        )

    values = {"task_id": task_id, "assignee_id": assignee_id}
    return _post(page, team_id, "reassign", values, give)


@router.post("/team/{team_id}/meeting/close")
def close(page: Page, team_id: IdPath, version: FormStr = "") -> Response:
    def close_it(meeting: Meeting) -> None:
        service.close(
            session=page.session,
            user=page.user,
            meeting_id=meeting.id,
            version=form_version(version),
            now=page.now,
        )

    return _post(page, team_id, "close", {"version": version}, close_it)
