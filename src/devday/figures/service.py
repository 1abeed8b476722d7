"""Team figures per week (Monday to Sunday in the team's timezone) and per member.

For each member and week: tasks finished (the team's tasks assigned to them), how many of those
had a deadline and how many were finished by it, minutes logged on the team's tasks by kind
(coding, testing, docs, meeting; the rest as other), estimate accuracy (the median of actual
time logged over the estimate, for finished tasks with both), and requests answered (inbox
items to them, personal or the team's, answered that week) with the median minutes from
receipt to answer. Team totals add every member up; medians are taken over all their items.

Only owners and managers see every member's figures; a member sees the totals and their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Invalid
from devday.inbox.models import InboxItem
from devday.task.models import Kind, Status, Task
from devday.team import service as team_service
from devday.team.models import Team, TeamMember
from devday.worklog import service as worklog_service
from devday.worklog.models import TimeEntry

KINDS = ("coding", "testing", "docs", "meeting", "other")
_KIND_OF = {
    Kind.coding: "coding",
    Kind.testing: "testing",
    Kind.docs: "docs",
    Kind.meeting: "meeting",
}
MAX_WEEKS = 52
MINUTE = timedelta(minutes=1)


@dataclass
class Tally:
    """What one member (or the team) did in one week (or the whole window); raw values kept
    so that medians of a total are taken over all items, not over members' medians."""

    finished: int = 0
    with_deadline: int = 0
    on_time: int = 0
    spent: dict[str, timedelta] = field(default_factory=lambda: defaultdict(timedelta))
    ratios: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.finished += other.finished
        self.with_deadline += other.with_deadline
        self.on_time += other.on_time
        for kind, spent in other.spent.items():
            self.spent[kind] += spent
        self.ratios += other.ratios
        self.answers += other.answers


@dataclass(frozen=True)
class Figures:
    week_start: date | None
    tasks_finished: int
    finished_with_deadline: int
    finished_on_time: int
    on_time_share: float | None
    minutes_by_kind: dict[str, int]
    total_minutes: int
    estimated_tasks: int
    estimate_ratio_median: float | None
    requests_answered: int
    answer_minutes_median: float | None


@dataclass(frozen=True)
class MemberFigures:
    user: User
    role: str
    weeks: list[Figures]
    overall: Figures


@dataclass(frozen=True)
class TeamFigures:
    team: Team
    weeks: list[date]
    totals: list[Figures]
    overall: Figures
    members: list[MemberFigures]
    all_members: bool


def figures_of(tally: Tally, week_start: date | None) -> Figures:
    minutes = {kind: tally.spent.get(kind, timedelta(0)) // MINUTE for kind in KINDS}
    return Figures(
        week_start=week_start,
        tasks_finished=tally.finished,
        finished_with_deadline=tally.with_deadline,
        finished_on_time=tally.on_time,
        on_time_share=round(tally.on_time / tally.with_deadline, 3)
        if tally.with_deadline
        else None,
        minutes_by_kind=minutes,
        total_minutes=sum(minutes.values()),
        estimated_tasks=len(tally.ratios),
        estimate_ratio_median=round(median(tally.ratios), 3) if tally.ratios else None,
        requests_answered=len(tally.answers),
        answer_minutes_median=round(median(tally.answers), 1) if tally.answers else None,
    )


def week_starts(team: Team, weeks: int, now: datetime) -> list[date]:
    """The Mondays of the last ``weeks`` weeks in the team's timezone, this week last."""
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def team_figures(
    *, session: Session, user: User, team_id: int, weeks: int, now: datetime
) -> TeamFigures:
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"weeks runs from 1 to {MAX_WEEKS}", field="weeks")
    team, role = team_service.get_team(session=session, user=user, team_id=team_id)
    zone = ZoneInfo(team.timezone)
    mondays = week_starts(team, weeks, now)
    bounds = [datetime.combine(m, time(0), tzinfo=zone) for m in mondays]
    bounds.append(datetime.combine(mondays[-1] + timedelta(days=7), time(0), tzinfo=zone))
    start, end = bounds[0], bounds[-1]

    def week_of(instant: datetime) -> int | None:
        if not start <= instant < end:
            return None
        local = instant.astimezone(zone).date()
        return (local - mondays[0]).days // 7

    rows = session.execute(
        select(User, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id)
        .order_by(User.name, User.id)
    ).all()
    member_ids = [u.id for u, _ in rows]
    tallies: dict[tuple[int, int], Tally] = defaultdict(Tally)

    finished = session.scalars(
        select(Task).where(
            Task.team_id == team.id,
            Task.status == Status.done,
            Task.assignee_id.in_(member_ids),
            Task.completed_at >= start,
            Task.completed_at < end,
        )
    ).all()
    actual = worklog_service.actual_minutes(
        session=session,
        task_ids=[t.id for t in finished if t.estimate_minutes],
        now=now,
    )
    for task in finished:
        assert task.completed_at is not None and task.assignee_id is not None
        index = week_of(task.completed_at)
        if index is None:
            continue
        tally = tallies[(task.assignee_id, index)]
        tally.finished += 1
        if task.deadline_at is not None:
            tally.with_deadline += 1
            tally.on_time += task.completed_at <= task.deadline_at
        spent = actual.get(task.id, 0)
        if task.estimate_minutes and spent:
            tally.ratios.append(spent / task.estimate_minutes)

    entries = session.execute(
        select(TimeEntry.user_id, TimeEntry.start_at, TimeEntry.end_at, Task.kind)
        .join(Task, Task.id == TimeEntry.task_id)
        .where(
            Task.team_id == team.id,
            TimeEntry.user_id.in_(member_ids),
            TimeEntry.start_at < end,
            or_(TimeEntry.end_at.is_(None), TimeEntry.end_at > start),
        )
    ).all()
    for user_id, entry_start, entry_end, kind in entries:
        lo, hi = max(entry_start, start), min(entry_end or now, end)
        for index in range(len(mondays)):
            part = min(hi, bounds[index + 1]) - max(lo, bounds[index])
            if part > timedelta(0):
                tallies[(user_id, index)].spent[_KIND_OF.get(kind, "other")] += part

    answered = session.execute(
        select(InboxItem.recipient_id, InboxItem.received_at, InboxItem.answered_at).where(
            InboxItem.recipient_id.in_(member_ids),
            or_(InboxItem.team_id == team.id, InboxItem.team_id.is_(None)),
            InboxItem.answered_at >= start,
            InboxItem.answered_at < end,
        )
    ).all()
    for recipient_id, received_at, answered_at in answered:
        index = None if answered_at is None else week_of(answered_at)
        if index is not None and answered_at is not None and recipient_id is not None:
            wait = max(timedelta(0), answered_at - received_at)
            tallies[(recipient_id, index)].answers.append(wait / MINUTE)

    all_members = role in team_service.MANAGING_ROLES
    team_weeks = [Tally() for _ in mondays]
    team_overall = Tally()
    members = []
    for member, member_role in rows:
        overall = Tally()
        weekly = []
        for index, monday in enumerate(mondays):
            tally = tallies.get((member.id, index), Tally())
            team_weeks[index].add(tally)
            overall.add(tally)
            weekly.append(figures_of(tally, monday))
        team_overall.add(overall)
        if all_members or member.id == user.id:
            members.append(
                MemberFigures(
                    user=member,
                    role=member_role.value,
                    weeks=weekly,
                    overall=figures_of(overall, None),
                )
            )
    return TeamFigures(
        team=team,
        weeks=mondays,
        totals=[figures_of(t, m) for t, m in zip(team_weeks, mondays, strict=True)],
        overall=figures_of(team_overall, None),
        members=members,
        all_members=all_members,
    )
