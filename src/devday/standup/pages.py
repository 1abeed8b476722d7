"""The Team page: pick a team; your standup form (prefilled with the draft), who submitted and
who is away, the open blockers, your leave, and the team's figures drawn as charts. A thin
adapter over ``standup.service``, ``standup.leave`` and ``figures.service``.

Each form POST answers 303 back to the page (Post/Redirect/Get); a refused one shows the page
again with the message next to its field and a 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse, Response

from devday.deps import IdPath
from devday.errors import DomainError, Invalid, NotFound
from devday.figures import service as figures_service
from devday.figures.views import figure_context
from devday.input_rules import RANGE, day_in_range
from devday.standup import leave as leave_service
from devday.standup import service as standup_service
from devday.team import service as team_service
from devday.web.forms import Clean, FormStr, Refusal, form_version
from devday.web.page import Missing, Page, PageContext, page_router

router = page_router(
    Missing(
        title="Team not found",
        text="There is no such team, or you are not a member of it.",
        back="/team",
        back_label="Your teams",
    )
)

PAGE = "standup/team.html"
PICK = "standup/pick.html"
FIGURE_WEEKS = 8
LongText = Annotated[str, Form(max_length=4 * standup_service.MAX_PART), Clean]


@router.get("/team", response_class=HTMLResponse)
def pick_team(page: Page) -> Response:
    teams = team_service.list_teams(session=page.session, user=page.user)
    if len(teams) == 1:
        return page.redirect(f"/team/{teams[0][0].id}")
    return page.render(PICK, {"teams": teams})


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return day_in_range(date.fromisoformat(text.strip()))
    except ValueError:
        raise Invalid(f"{text!r} is not a date from {RANGE}; use YYYY-MM-DD", field="day") from None


def page_context(page: PageContext, team_id: int, day: date | None) -> dict[str, Any]:
    session, user, now = page.session, page.user, page.now
    view = standup_service.team_day(session=session, user=user, team_id=team_id, day=day, now=now)
    mine = standup_service.get_mine(
        session=session, user=user, team_id=team_id, day=view.day, now=now
    )
    figures = figures_service.team_figures(
        session=session, user=user, team_id=team_id, weeks=FIGURE_WEEKS, now=now
    )
    stored = mine.stored
    return {
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
    page: PageContext,
    team_id: int,
    day: date | None,
    refusal: Refusal | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The team's page; a refused form's message goes beside its field, or at the top."""
    context = page_context(page, team_id, day)
    if refusal is None:
        return page.render(PAGE, context)
    if values:
        # What the visitor typed comes back; the version stays the stored one.
        context["values"].update({k: v for k, v in values.items() if k != "version"})
    if refusal.field and not refusal.expired:
        context["errors"] = {refusal.field: refusal.errors.get(refusal.field, refusal.message)}
    else:
        context["error"] = refusal.message
    return page.render(PAGE, context, status=refusal.status)


@router.get("/team/{team_id}", response_class=HTMLResponse)
def team_page(page: Page, team_id: IdPath, day: str = "") -> Response:
    try:
        the_day = _day(day)
    except DomainError as exc:
        return page.render(PAGE, {"error": exc.message}, status=exc.status_code)
    return _show(page, team_id, the_day)


def _act(
    page: PageContext,
    team_id: int,
    day_text: str,
    change: Callable[[], object],
    values: dict[str, str] | None = None,
) -> Response:
    """Runs ``change`` and goes back to the team page (of the form's day)."""
    try:
        day = _day(day_text)
    except Invalid:
        day = None
    suffix = f"?day={day.isoformat()}" if day is not None else ""
    return page.submit(
        change,
        then=f"/team/{team_id}{suffix}",
        refused=lambda refusal: _show(page, team_id, day, refusal, values),
    )


@router.post("/team/{team_id}/standup")
def save_standup(
    page: Page,
    team_id: IdPath,
    day: FormStr = "",
    yesterday: LongText = "",
    today: LongText = "",
    blockers: LongText = "",
    version: FormStr = "0",
    action: FormStr = "save",
) -> Response:
    def save() -> None:
        standup_service.save_mine(
            session=page.session,
            user=page.user,
            team_id=team_id,
            day=_day(day),
            yesterday=yesterday,
            today=today,
            blockers=blockers,
            submit=action == "submit",
            version=form_version(version) or 0,
            now=page.now,
        )

    values = {"yesterday": yesterday, "today": today, "blockers": blockers}
    return _act(page, team_id, day, save, values)


@router.post("/team/{team_id}/blockers/{blocker_id}/resolve")
def resolve_blocker(page: Page, team_id: IdPath, blocker_id: IdPath, day: FormStr = "") -> Response:
    def resolve() -> None:
        blocker = standup_service.get_blocker(
            session=page.session, user=page.user, blocker_id=blocker_id
        )
        if blocker.team_id != team_id:
            raise NotFound(f"blocker {blocker_id} not found")
        standup_service.resolve_blocker(
            session=page.session, user=page.user, blocker_id=blocker_id, now=page.now
        )

    return _act(page, team_id, day, resolve)


def _date_field(text: str, name: str) -> date:
    try:
        return day_in_range(date.fromisoformat(text.strip()))
    except ValueError:
        raise Invalid(f"pick a date (YYYY-MM-DD) from {RANGE}", field=name) from None


@router.post("/team/{team_id}/leave")
def add_leave(
    page: Page, team_id: IdPath, start: FormStr = "", end: FormStr = "", note: FormStr = ""
) -> Response:
    def add() -> None:
        team_service.get_team(session=page.session, user=page.user, team_id=team_id)
        if len(note) > 200:
            raise Invalid("keep the note under 200 characters", field="note")
        leave_service.add_leave(
            session=page.session,
            user=page.user,
            start=_date_field(start, "start"),
            end=_date_field(end, "end"),
            note=note,
            now=page.now,
        )

    return _act(page, team_id, "", add, {"start": start, "end": end, "note": note})


@router.post("/team/{team_id}/leave/{leave_id}/delete")
def delete_leave(page: Page, team_id: IdPath, leave_id: IdPath) -> Response:
    def delete() -> None:
        team_service.get_team(session=page.session, user=page.user, team_id=team_id)
        leave_service.delete_leave(session=page.session, user=page.user, leave_id=leave_id)

    return _act(page, team_id, "", delete)
