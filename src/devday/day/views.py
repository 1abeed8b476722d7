"""The morning review's API answer built from the day service's view.

FastAPI-free, so that the route and the CLI's local fast path build the very same answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from devday import importance
from devday.account.models import User
from devday.day import service
from devday.day.schemas import HabitRead, NewsRead, TaskBrief, TodayRead
from devday.planning.views import read_plan
from devday.task.models import Task


def brief(task: Task) -> TaskBrief:
    return TaskBrief(
        id=task.id,
        title=task.title,
        priority=importance.label(task.importance),
        status=task.status.value,
        deadline=task.deadline_at,
        planned_date=task.planned_date,
        estimate_minutes=task.estimate_minutes,
        kind=task.kind.value,
    )


def today(*, session: Session, user: User, now: datetime) -> TodayRead:
    view = service.today(session=session, user=user, now=now)
    plan = read_plan(session, user, view.plan, now) if view.plan else None
    return TodayRead(
        date=view.day,
        timezone=user.timezone,
        due=[brief(t) for t in view.due],
        # The plan's late tasks, with their priorities as the plan names them.
        at_risk=list(plan.late) if plan else [],
        plan=plan,
        yesterday=view.yesterday,
        yesterday_goals=[brief(t) for t in view.yesterday_goals],
        habits=[HabitRead(habit=h.title, done=h.done, streak=h.streak) for h in view.habits],
        unclosed_day=view.unclosed_day,
        news=_news(session, user, now),
    )


def _news(session: Session, user: User, now: datetime) -> list[NewsRead]:
    from datetime import timedelta

    from devday.learning import service as learning_service

    return [
        NewsRead(
            id=item.id,
            title=item.title,
            link=item.link,
            feed_title=feed_title,
            published_at=item.published_at,
        )
        for item, feed_title in learning_service.starred_news(
            session=session, user=user, since=now - timedelta(days=1)
        )
    ]
