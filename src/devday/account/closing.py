"""Leaving devday: an export of everything a user owns, and deleting the account.

The export is one JSON document: the profile, the tasks they own (with tags, dependencies and
logged minutes, as ``TaskRead`` shows them), time entries, habit ticks, reflections, day plans
with their blocks, the routine, busy events and the teams they belong to.

Deleting removes the user row and lets the database's foreign keys do the rest: every row only
the user owns goes with it (``ON DELETE CASCADE``) and references from shared rows (an
assignee, who asked in the inbox, who wrote in a meeting) are emptied (``SET NULL``). Two kinds
of team rows name the user as their owner and would go too: team tasks they created and apps
they own. Those are handed to another owner of the team first, so that the team keeps them. A
team that only the user owns stops the deletion: it must be handed over or deleted first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import FromClause, delete, select, update
from sqlalchemy.orm import Session

from devday.account import service
from devday.account.models import User
from devday.account.ratelimit import RateLimits
from devday.account.schemas import UserRead
from devday.checks.models import App
from devday.config import Settings
from devday.day.models import HabitCheck, Reflection
from devday.errors import Conflict
from devday.planning.models import BusyEvent, DayPlan, PlanBlock, Routine
from devday.task import views as task_views
from devday.task.models import Task
from devday.task.schemas import TaskRead
from devday.team.models import Role, Team, TeamMember
from devday.worklog.models import TimeEntry

EXPORT_FORMAT = "devday-export/1"


def _columns(row: Any, table: FromClause, skip: tuple[str, ...] = ("user_id",)) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in table.columns if c.key not in skip}


def export(*, session: Session, user: User, now: datetime) -> dict[str, Any]:
    """Everything ``user`` owns, as JSON-ready values (times in UTC, ISO 8601)."""
    tasks = session.scalars(select(Task).where(Task.owner_id == user.id).order_by(Task.id)).all()
    rows = task_views.task_rows(session, tasks, now)

    def owned(model: Any, *order: Any) -> list[dict[str, Any]]:
        found = session.scalars(select(model).where(model.user_id == user.id).order_by(*order))
        return [_columns(row, model.__table__) for row in found]

    plans = []
    for plan in session.scalars(
        select(DayPlan).where(DayPlan.user_id == user.id).order_by(DayPlan.plan_date)
    ):
        blocks = session.scalars(
            select(PlanBlock).where(PlanBlock.plan_id == plan.id).order_by(PlanBlock.start_at)
        )
        plan_skip = ("user_id", "facts", "version")
        plans.append(
            _columns(plan, DayPlan.__table__, plan_skip)
            | {"blocks": [_columns(b, PlanBlock.__table__, ("plan_id",)) for b in blocks]}
        )
    teams = session.execute(
        select(Team.id, Team.name, TeamMember.role)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user.id)
        .order_by(Team.id)
    )
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "profile": UserRead.model_validate(user).model_dump(),
        "tasks": [TaskRead.model_validate(row).model_dump() for row in rows],
        "time_entries": owned(TimeEntry, TimeEntry.start_at, TimeEntry.id),
        "habits": owned(HabitCheck, HabitCheck.check_date, HabitCheck.habit),
        "reflections": owned(Reflection, Reflection.day_date),
        "plans": plans,
        "routine": next(iter(owned(Routine, Routine.user_id)), None),
        "busy_events": owned(BusyEvent, BusyEvent.start_at, BusyEvent.id),
        "teams": [{"id": i, "name": name, "role": str(role)} for i, name, role in teams],
    }
    return dict(to_jsonable_python(document))


def teams_only_they_own(*, session: Session, user: User) -> list[Team]:
    """The teams that would be left without an owner if ``user`` went."""
    theirs = select(TeamMember.team_id).where(
        TeamMember.user_id == user.id, TeamMember.role == Role.owner
    )
    others = select(TeamMember.team_id).where(
        TeamMember.user_id != user.id, TeamMember.role == Role.owner
    )
    query = select(Team).where(Team.id.in_(theirs), Team.id.not_in(others)).order_by(Team.name)
    return list(session.scalars(query))


def _heir(session: Session, user: User, team_id: int) -> int | None:
    """Who takes over ``user``'s rows in a team: its longest-standing other owner, else its
    longest-standing other member."""
    query = (
        select(TeamMember.user_id)
        .where(TeamMember.team_id == team_id, TeamMember.user_id != user.id)
        .order_by((TeamMember.role != Role.owner), TeamMember.joined_at, TeamMember.user_id)
        .limit(1)
    )
    return session.scalar(query)


def delete_account(
    *, session: Session, limits: RateLimits, settings: Settings, user: User, password: str
) -> None:
    """Deletes ``user`` once ``password`` is checked (Invalid naming ``password`` otherwise);
    Conflict naming the team when a team only they own would be left without an owner."""
    service.check_password(
        limits=limits,
        settings=settings,
        user=user,
        password=password,
        field="password",
        message="wrong password",
    )
    sole = teams_only_they_own(session=session, user=user)
    if sole:
        names = ", ".join(f"“{team.name}”" for team in sole)
        raise Conflict(
            f"you are the only owner of the team {names}: make another member its owner, "
            "or delete the team, before deleting your account"
        )
    for model in (Task, App):
        team_ids = session.scalars(
            select(model.team_id)
            .where(model.owner_id == user.id, model.team_id.is_not(None))
            .distinct()
        ).all()
        for team_id in team_ids:
            heir = _heir(session, user, team_id) if team_id is not None else None
            if heir is not None:
                session.execute(
                    update(model)
                    .where(model.owner_id == user.id, model.team_id == team_id)
                    # A new version, so that an edit begun before the hand-over is refused
                    # rather than made over it.
                    .values(owner_id=heir, version=model.version + 1)
                    .execution_options(synchronize_session=False)
                )
    session.execute(delete(User).where(User.id == user.id))
    session.expunge(user)
