"""The developer's own day: /api/v1/today, /habits, /wrapup and /reflections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from devday import inputs
from devday.concurrency import etag
from devday.day import reflection, service, views, wrapup
from devday.day.schemas import (
    HabitCheckWrite,
    HabitList,
    HabitRead,
    ReflectionRead,
    ReflectionWrite,
    TodayRead,
    WrapupClose,
    WrapupClosed,
    WrapupItem,
    WrapupRead,
)
from devday.day.views import brief
from devday.deps import ClockDep, CurrentUser, SessionDep

router = APIRouter(prefix="/api/v1", tags=["day"])
Day = Annotated[inputs.Day, Path(description="A local date, YYYY-MM-DD")]


@router.get("/today", response_model=TodayRead)
def today(user: CurrentUser, session: SessionDep, clock: ClockDep) -> TodayRead:
    """The morning review in one place: tasks due today or overdue, what is at risk in
    today's plan (with the planner's reason), yesterday's goals, today's plan, your personal
    routine items to tick off with their streaks, and a previous day still to wrap up."""
    return views.today(session=session, user=user, now=clock.now())


@router.get("/habits/{day}", response_model=HabitList)
def read_habits(day: Day, user: CurrentUser, session: SessionDep) -> HabitList:
    """Your personal routine items on a day, ticked or not, with their streaks."""
    items = service.habits(session=session, user=user, day=day)
    return HabitList(
        date=day, habits=[HabitRead(habit=h.title, done=h.done, streak=h.streak) for h in items]
    )


@router.put("/habits/{day}", response_model=HabitList)
def check_habit(
    day: Day, data: HabitCheckWrite, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> HabitList:
    """Tick a personal routine item off for a day (or untick it with `done: false`)."""
    items = service.check_habit(
        session=session, user=user, day=day, habit=data.habit, done=data.done, now=clock.now()
    )
    session.commit()
    return HabitList(
        date=day, habits=[HabitRead(habit=h.title, done=h.done, streak=h.streak) for h in items]
    )


def _items(items: list[wrapup.Item]) -> list[WrapupItem]:
    return [
        WrapupItem(
            task_id=i.task.id,
            title=i.task.title,
            minutes=i.minutes,
            deadline=i.task.deadline_at,
            planned_date=i.task.planned_date,
        )
        for i in items
    ]


@router.get("/wrapup/{day}", response_model=WrapupRead)
def read_wrapup(day: Day, user: CurrentUser, session: SessionDep, clock: ClockDep) -> WrapupRead:
    """The wrap-up of a day: what was done (with time spent), what is in progress, and what
    was planned and not done, each needing a decision (tomorrow by default)."""
    view = wrapup.build(session=session, user=user, day=day, now=clock.now())
    return WrapupRead(
        date=day,
        closed=view.closed is not None,
        done=_items(view.done),
        in_progress=_items(view.in_progress),
        pending=_items(view.pending),
        time_by_kind=dict(view.time_by_kind),
        next_day=view.next_day,
        report_markdown=view.closed.report_markdown if view.closed else None,
    )


@router.post("/wrapup/{day}", response_model=WrapupClosed)
def close_day(
    day: Day, data: WrapupClose, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> WrapupClosed:
    """Close the day: apply a decision to each pending task (tomorrow, a later date, back to
    the list, or drop; tomorrow by default, keeping its deadline), and send the end-of-day
    report to your and your teams' channels (email, chat, webhooks) through the outbox."""
    row, sent = wrapup.close(
        session=session,
        user=user,
        day=day,
        decisions=[d.model_dump() for d in data.decisions],
        blockers=data.blockers,
        now=clock.now(),
    )
    session.commit()
    return WrapupClosed(
        date=day,
        sent_to=sent,
        report_markdown=row.report_markdown,
        report_html=row.report_html,
        decisions=row.decisions,
    )


def _reflection(view: reflection.ReflectionView) -> ReflectionRead:
    row = view.reflection
    return ReflectionRead(
        date=view.day,
        achievements=[brief(t) for t in view.achievements],
        went_well=row.went_well if row else "",
        improve=row.improve if row else "",
        energy=row.energy if row else None,
        note=row.note if row else "",
        learned=row.learned if row else "",
        goals=[brief(t) for t in view.goals],
        goal_date=view.goal_date,
        version=row.version if row else 0,
    )


@router.get("/reflections/{day}", response_model=ReflectionRead)
def read_reflection(
    day: Day, user: CurrentUser, session: SessionDep, response: Response
) -> ReflectionRead:
    """The evening reflection of a day, with the achievements listed from its finished work."""
    view = reflection.get(session=session, user=user, day=day)
    response.headers["ETag"] = etag(view.reflection.version if view.reflection else 0)
    return _reflection(view)


@router.put("/reflections/{day}", response_model=ReflectionRead)
def save_reflection(
    day: Day,
    data: ReflectionWrite,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> ReflectionRead:
    """Write the reflection: what went well, what to improve, energy (1-3), a note, and goals
    for tomorrow, each of which becomes a task planned for the next working day (the planner
    places it that day). Updating needs the version you read."""
    version = data.version
    if if_match is not None:
        from devday.concurrency import expected_version

        version = expected_version(if_match, data.version)
    view = reflection.save(
        session=session,
        user=user,
        day=day,
        went_well=data.went_well,
        improve=data.improve,
        energy=data.energy,
        note=data.note,
        learned=data.learned,
        goals=[
            reflection.Goal(title=g.title, estimate_minutes=g.estimate_minutes, kind=g.kind)
            for g in data.goal_list()
        ],
        version=version,
        now=clock.now(),
    )
    session.commit()
    response.headers["ETag"] = etag(view.reflection.version if view.reflection else 0)
    return _reflection(view)
