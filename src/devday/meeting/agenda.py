"""The meeting's agenda, built from the team's data at the moment it is asked for.

Parts: the standups submitted for the day, the blockers still open, the deadlines at risk in
each member's plan (with the planner's reason), the open incidents of the team's apps, last
meeting's action items with their task's status now, and reassignments that would save a
deadline (see ``overcommit``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from devday.account.models import User
from devday.meeting import overcommit, sources
from devday.meeting.models import ItemKind, Meeting, MeetingItem
from devday.planning import solver
from devday.planning.models import DayPlan, PlanBlock
from devday.planning.problem import build
from devday.planning.service import HORIZON_DAYS
from devday.task.models import Status, Task
from devday.team.models import Role, Team, TeamMember

DEFAULT_MEETING_TIME = "15:00"
#: The agenda solves every member's plan on each view: a short search keeps the page quick.
PRIVATE_TITLE = "a task outside this team"


@dataclass(frozen=True)
class Member:
    user: User
    role: Role


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    role: Role
    away: bool


@dataclass(frozen=True)
class AtRisk:
    task_id: int
    title: str
    user_id: int
    name: str
    deadline: datetime
    finish: datetime | None  # None when the plan cannot place it at all
    reason: str


@dataclass(frozen=True)
class PreviousAction:
    item_id: int
    meeting_date: date
    title: str
    task_id: int | None
    status: str  # the task's status now, or "deleted"
    assignee_id: int | None
    assignee: str | None
    deadline: datetime | None


@dataclass(frozen=True)
class Agenda:
    members: list[Member]
    away: set[int]
    standups: list[sources.StandupLine]
    missing_standups: list[int]  # members present but without a submitted standup
    blockers: list[sources.BlockerLine]
    at_risk: list[AtRisk]
    other_late: dict[int, int]  # per member: late tasks of theirs outside this team (a count)
    incidents: list[sources.IncidentLine]
    previous_actions: list[PreviousAction]
    suggestions: list[overcommit.Suggestion]

    @property
    def people(self) -> list[Person]:
        """The members in name order, each with their role and whether they are away."""
        return [
            Person(user_id=m.user.id, name=m.user.name, role=m.role, away=m.user.id in self.away)
            for m in self.members
        ]


def meeting_time(team: Team) -> time:
    """The team's meeting time of day (15:00 unless the team set another)."""
    raw = team.meeting_time or DEFAULT_MEETING_TIME
    hours, _, minutes = raw.partition(":")
    return time(int(hours), int(minutes or 0))


def team_today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


def starts_at(team: Team, day: date) -> datetime:
    return datetime.combine(day, meeting_time(team), tzinfo=ZoneInfo(team.timezone))


def members_of(*, session: Session, team_id: int) -> list[Member]:
    rows = session.execute(
        select(User, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team_id)
        .order_by(User.name, User.id)
    ).all()
    return [Member(user, role) for user, role in rows]


def build_agenda(*, session: Session, meeting: Meeting, now: datetime) -> Agenda:
    members = members_of(session=session, team_id=meeting.team_id)
    day = meeting.meeting_date
    away = sources.away(session=session, user_ids=[m.user.id for m in members], day=day)
    standups = sources.submitted_standups(session=session, team_id=meeting.team_id, day=day)
    submitted = {s.user_id for s in standups}
    plans = member_plans(session=session, members=members, team_id=meeting.team_id, now=now)
    plans = [replace(p, available=p.user_id not in away) for p in plans]
    suggestions = overcommit.suggest(plans)
    return Agenda(
        members=members,
        away=away,
        standups=standups,
        missing_standups=[
            m.user.id for m in members if m.user.id not in submitted and m.user.id not in away
        ],
        blockers=sources.open_blockers(session=session, team_id=meeting.team_id, today=day),
        at_risk=at_risk(plans),
        other_late={
            p.user_id: n
            for p in plans
            if (n := sum(1 for item in p.plan.late if item.task_id not in p.movable))
        },
        incidents=sources.open_incidents(session=session, team_id=meeting.team_id),
        previous_actions=previous_actions(session=session, meeting=meeting),
        suggestions=suggestions,
    )


def member_plans(
    *, session: Session, members: list[Member], team_id: int, now: datetime
) -> list[overcommit.MemberPlan]:
    """Each member's plan from now over the planner's horizon, as the planner would make it.

    Blocks already done or pinned in the member's plan of today stay where they are, as they do
    when the member re-plans. Only tasks of this team may change hands.
    """
    out = []
    for member in members:
        user = member.user
        pinned = _kept_blocks(session, user, now)
        inputs = build(
            session=session, user=user, now=now, horizon_days=HORIZON_DAYS, pinned=pinned
        )
        movable = frozenset(str(t.id) for t in inputs.tasks.values() if t.team_id == team_id)
        # The planner's reasons name tasks: those outside this team stay private.
        problem = replace(
            inputs.problem,
            tasks=tuple(
                t if t.id in movable else replace(t, title=PRIVATE_TITLE)
                for t in inputs.problem.tasks
            ),
        )
        plan = solver.solve(problem)  # a count of moves, not the clock: one agenda a day
        out.append(
            overcommit.MemberPlan(
                user_id=user.id,
                name=user.name,
                problem=problem,
                plan=plan,
                movable=movable,
                titles={str(t.id): t.title for t in inputs.tasks.values()},
            )
        )
    return out


def _kept_blocks(session: Session, user: User, now: datetime) -> tuple[solver.PinnedBlock, ...]:
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    rows = session.execute(
        select(PlanBlock)
        .join(DayPlan, DayPlan.id == PlanBlock.plan_id)
        .join(Task, Task.id == PlanBlock.task_id)
        .where(
            DayPlan.user_id == user.id,
            DayPlan.plan_date == today,
            PlanBlock.pinned | PlanBlock.done,
            Task.assignee_id == user.id,
            Task.status.in_((Status.todo, Status.doing)),
        )
        .order_by(PlanBlock.start_at)
    ).scalars()
    return tuple(
        solver.PinnedBlock(task_id=str(b.task_id), start=b.start_at, end=b.end_at) for b in rows
    )


def at_risk(plans: list[overcommit.MemberPlan]) -> list[AtRisk]:
    """Every late team task of every member, the earliest deadline first."""
    out = [
        AtRisk(
            task_id=int(item.task_id),
            title=plan.titles.get(item.task_id, ""),
            user_id=plan.user_id,
            name=plan.name,
            deadline=item.deadline,
            finish=item.finish,
            reason=item.reason,
        )
        for plan in plans
        for item in plan.plan.late
        if item.task_id in plan.movable
    ]
    return sorted(out, key=lambda risk: (risk.deadline, risk.task_id))


def previous_meeting(*, session: Session, meeting: Meeting) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(Meeting.team_id == meeting.team_id, Meeting.meeting_date < meeting.meeting_date)
        .order_by(Meeting.meeting_date.desc())
        .limit(1)
    )


def previous_actions(*, session: Session, meeting: Meeting) -> list[PreviousAction]:
    """Last meeting's action items, each with its task as it stands now."""
    last = previous_meeting(session=session, meeting=meeting)
    if last is None:
        return []
    assignee = aliased(User)
    rows = session.execute(
        select(MeetingItem, Task, assignee.name)
        .outerjoin(Task, Task.id == MeetingItem.task_id)
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .where(MeetingItem.meeting_id == last.id, MeetingItem.kind == ItemKind.action)
        .order_by(MeetingItem.id)
    ).all()
    return [
        PreviousAction(
            item_id=item.id,
            meeting_date=last.meeting_date,
            title=task.title if task is not None else item.text,
            task_id=task.id if task is not None else None,
            status=task.status.value if task is not None else "deleted",
            assignee_id=task.assignee_id if task is not None else None,
            assignee=name,
            deadline=task.deadline_at if task is not None else None,
        )
        for item, task, name in rows
    ]
