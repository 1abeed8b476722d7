"""The morning review (today) and habits with streaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from devday import timetext
from devday.account.models import User
from devday.day import reflection as reflection_module
from devday.day.calendar_days import day_bounds, local_today, previous_working_day
from devday.day.models import DayClose, HabitCheck
from devday.errors import Invalid
from devday.planning import service as planning_service
from devday.planning.models import DayPlan
from devday.planning.routine import WEEKDAYS
from devday.task.models import Status, Task

STREAK_LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class Habit:
    title: str
    done: bool
    streak: int


@dataclass(frozen=True)
class Today:
    day: date
    due: list[Task]
    plan: DayPlan | None
    yesterday: date
    yesterday_goals: list[Task]
    habits: list[Habit]
    unclosed_day: date | None


def habit_titles(*, session: Session, user: User, day: date) -> list[str]:
    routine, _ = planning_service.get_routine(session=session, user=user)
    weekday = WEEKDAYS[day.weekday()]
    return [b["title"] for b in routine["blocks"] if b.get("personal") and weekday in b["days"]]


def habits(*, session: Session, user: User, day: date) -> list[Habit]:
    titles = habit_titles(session=session, user=user, day=day)
    if not titles:
        return []
    routine, _ = planning_service.get_routine(session=session, user=user)
    days_of = {b["title"]: set(b["days"]) for b in routine["blocks"]}
    since = day - timedelta(days=STREAK_LOOKBACK_DAYS)
    checks: dict[str, set[date]] = {title: set() for title in titles}
    for title, checked in session.execute(
        select(HabitCheck.habit, HabitCheck.check_date).where(
            HabitCheck.user_id == user.id,
            HabitCheck.habit.in_(titles),
            HabitCheck.check_date > since,
            HabitCheck.check_date <= day,
        )
    ):
        checks[title].add(checked)
    result = []
    for title in titles:
        done = day in checks[title]
        # A streak counts the habit's scheduled days in a row; today not yet ticked does not
        # break it, so the morning review shows the streak to keep.
        streak, cursor = 0, day if done else day - timedelta(days=1)
        while cursor > since:
            if WEEKDAYS[cursor.weekday()] in days_of[title]:
                if cursor not in checks[title]:
                    break
                streak += 1
            cursor -= timedelta(days=1)
        result.append(Habit(title=title, done=done, streak=streak))
    return result


def check_habit(
    *, session: Session, user: User, day: date, habit: str, done: bool, now: datetime
) -> list[Habit]:
    if habit not in habit_titles(session=session, user=user, day=day):
        raise Invalid(
            f"{habit!r} is not one of your personal routine items on "
            f"{timetext.day(day, user.timezone, now)}",
            field="habit",
        )
    session.execute(
        delete(HabitCheck).where(
            HabitCheck.user_id == user.id, HabitCheck.habit == habit, HabitCheck.check_date == day
        )
    )
    if done:
        session.add(HabitCheck(user_id=user.id, habit=habit, check_date=day, checked_at=now))
    session.flush()
    return habits(session=session, user=user, day=day)


def unclosed_day(*, session: Session, user: User, today: date) -> date | None:
    """The previous working day, if it had work in it and was never wrapped up."""
    previous = previous_working_day(session=session, user=user, day=today)
    closed = session.scalar(
        select(DayClose.id).where(DayClose.user_id == user.id, DayClose.day_date == previous)
    )
    if closed is not None:
        return None
    start, end = day_bounds(user, previous)
    had_plan = session.scalar(
        select(DayPlan.id).where(DayPlan.user_id == user.id, DayPlan.plan_date == previous)
    )
    finished = session.scalar(
        select(Task.id)
        .where(Task.assignee_id == user.id, Task.completed_at >= start, Task.completed_at < end)
        .limit(1)
    )
    return previous if had_plan is not None or finished is not None else None


def today(*, session: Session, user: User, now: datetime) -> Today:
    day = local_today(user, now)
    _start, end = day_bounds(user, day)
    due = list(
        session.scalars(
            select(Task)
            .where(
                Task.assignee_id == user.id,
                Task.status.in_((Status.todo, Status.doing)),
                Task.deadline_at < end,
            )
            .order_by(Task.deadline_at, Task.importance.desc())
        )
    )
    plan = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == day)
    )
    yesterday = previous_working_day(session=session, user=user, day=day)
    goals = reflection_module.get(session=session, user=user, day=yesterday).goals
    return Today(
        day=day,
        due=due,
        plan=plan,
        yesterday=yesterday,
        yesterday_goals=goals,
        habits=habits(session=session, user=user, day=day),
        unclosed_day=unclosed_day(session=session, user=user, today=day),
    )
