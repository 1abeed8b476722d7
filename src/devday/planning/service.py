"""The planner service: the routine, busy times, the duty list and stored day plans.

Plans are built by the pure solver from the database (``refresh``) and kept live by
``live``: every change to what a plan is built from re-plans it in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from devday import timetext
from devday.account.models import User
from devday.calendars.models import CalendarSource
from devday.concurrency import check_version, flush_versioned
from devday.errors import Conflict, Invalid, NotFound
from devday.planning import priority, refresh, solver
from devday.planning.models import BusyEvent, DayPlan, PlanBlock, Routine
from devday.planning.problem import GRID, Inputs, OutsideTask, build, routine_of, tags_of
from devday.planning.refresh import HORIZON_DAYS as HORIZON_DAYS
from devday.planning.refresh import blocks_of as blocks_of
from devday.planning.refresh import plan_start as plan_start
from devday.planning.schemas import BlockUpdate, BusyEventCreate, RoutineWrite
from devday.task import service as task_service
from devday.task.models import Status, Task
from devday.worklog import service as worklog_service

DUTY_HORIZON_DAYS = 42
MAX_PAST_DAYS = 7
MAX_FUTURE_DAYS = 60


# --- routine and busy times ----------------------------------------------------------------------


def get_routine(*, session: Session, user: User) -> tuple[dict[str, Any], int]:
    return routine_of(session=session, user=user)


def put_routine(
    *, session: Session, user: User, data: RoutineWrite, version: int, now: datetime
) -> tuple[dict[str, Any], int]:
    row = session.get(Routine, user.id)
    check_version(row.version if row else 0, version, "your routine")
    values = data.model_dump(mode="json", exclude={"version"})
    if row is None:
        row = Routine(user_id=user.id, updated_at=now, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    flush_versioned(session, "your routine")
    return routine_of(session=session, user=user)


def list_busy(
    *, session: Session, user: User, start: datetime | None, end: datetime | None
) -> list[tuple[BusyEvent, str | None]]:
    """The user's busy times, each with the name of the subscribed calendar it comes from
    (None for busy time entered in devday)."""
    query = (
        select(BusyEvent, CalendarSource.name)
        .outerjoin(CalendarSource, CalendarSource.id == BusyEvent.source_id)
        .where(BusyEvent.user_id == user.id)
    )
    if start is not None:
        query = query.where(BusyEvent.end_at > start)
    if end is not None:
        query = query.where(BusyEvent.start_at < end)
    rows = session.execute(query.order_by(BusyEvent.start_at, BusyEvent.id).limit(500))
    return [(event, name) for event, name in rows]


def add_busy(*, session: Session, user: User, data: BusyEventCreate) -> BusyEvent:
    event = BusyEvent(user_id=user.id, title=data.title, start_at=data.start, end_at=data.end)
    session.add(event)
    session.flush()
    return event


def _own_busy(session: Session, user: User, event_id: int) -> BusyEvent:
    """A busy time the user entered; a subscribed calendar's event is changed there."""
    event = session.get(BusyEvent, event_id)
    if event is None or event.user_id != user.id:
        raise NotFound("busy event not found")
    if event.source_id is not None:
        source = session.get(CalendarSource, event.source_id)
        name = source.name if source else "a subscribed calendar"
        raise Conflict(
            f"{event.title!r} comes from the calendar {name!r}: change it there, or unsubscribe"
        )
    return event


def update_busy(*, session: Session, user: User, event_id: int, data: BusyEventCreate) -> BusyEvent:
    event = _own_busy(session, user, event_id)
    event.title, event.start_at, event.end_at = data.title, data.start, data.end
    session.flush()
    return event


def delete_busy(*, session: Session, user: User, event_id: int) -> None:
    session.delete(_own_busy(session, user, event_id))
    session.flush()


# --- the duty list -------------------------------------------------------------------------------


NO_PLAN = "No plan for today yet: once it is built, its first block comes first here."


@dataclass(frozen=True)
class Duties:
    """The duty list as the plan sees it: the first item is the first work block of today's
    plan (``note`` says why not, when it is not); each task's next block today and chance."""

    items: list[priority.DutyItem]
    note: str
    planned_at: dict[int, datetime]
    chances: dict[int, float]


def duty_list(*, session: Session, user: User, now: datetime) -> Duties:
    inputs = build(session=session, user=user, now=now, horizon_days=DUTY_HORIZON_DAYS)
    boosts: dict[str, float] = inputs.routine.get("boosts", {})
    matched = _boosts_matched(session, user, inputs, boosts) if boosts else {}
    facts = {
        str(task_id): priority.TaskFacts(
            created_at=task.created_at, boosts=matched.get(task_id, ())
        )
        for task_id, task in inputs.tasks.items()
    }
    elsewhere = {
        str(task_id): [_as_solver_task(t) for t in blockers]
        for task_id, blockers in inputs.external_blockers.items()
    }
    items = priority.duty_list(inputs.problem, facts, open_elsewhere=elsewhere)
    return _as_planned(session, user, now, items)


def _boosts_matched(
    session: Session, user: User, inputs: Inputs, boosts: dict[str, float]
) -> dict[int, tuple[tuple[str, float], ...]]:
    """The user's boosts that match each task, by tag, then kind, then project. Only asked for
    when the user has boosts (the default routine has none), so that the tags are read only
    then; and each project's key is spelled once rather than once per task."""
    tags = tags_of(session, user, inputs.tasks)
    projects = {
        project_id: f"project:{name.lower()}"
        for project_id, name in _project_names(session, inputs).items()
    }
    matched = {}
    for task_id, task in inputs.tasks.items():
        keys = [f"tag:{tag}" for tag in tags[task_id]]
        keys.append(f"kind:{task.kind.value}")
        if task.project_id in projects:
            keys.append(projects[task.project_id])
        matched[task_id] = tuple((key, boosts[key]) for key in keys if key in boosts)
    return matched


def _as_planned(
    session: Session, user: User, now: datetime, items: list[priority.DutyItem]
) -> Duties:
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    # The plan's id and facts alone: its other JSON (late, unscheduled) is not read here.
    plan = session.execute(
        select(DayPlan.id, DayPlan.facts).where(
            DayPlan.user_id == user.id, DayPlan.plan_date == today
        )
    ).first()
    if plan is None:
        return Duties(items, NO_PLAN, {}, {})
    day_end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=ZoneInfo(user.timezone))
    planned_at: dict[int, datetime] = {}
    blocks = session.execute(
        select(PlanBlock.task_id, PlanBlock.start_at, PlanBlock.end_at, PlanBlock.done)
        .where(PlanBlock.plan_id == plan.id)
        .order_by(PlanBlock.start_at)
    )
    for block in blocks:
        if not block.done and block.end_at > now and block.start_at < day_end:
            planned_at.setdefault(block.task_id, max(block.start_at, now))
    chances = {
        int(task_id): float(item["p"])
        for task_id, item in (plan.facts or {}).get("chances", {}).items()
    }
    if not planned_at:
        return Duties(items, "Nothing more is planned for today.", {}, chances)
    first = min(planned_at, key=lambda task_id: planned_at[task_id])
    ordered = sorted(items, key=lambda item: item.task.id != str(first))
    return Duties(ordered, "", planned_at, chances)


def _as_solver_task(task: OutsideTask) -> solver.Task:
    return solver.Task(id=str(task.id), title=task.title, estimate_minutes=GRID)


def _project_names(session: Session, inputs: Inputs) -> dict[int, str]:
    from devday.project.models import Project

    ids = {t.project_id for t in inputs.tasks.values() if t.project_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Project.id, Project.name).where(Project.id.in_(ids))).all())


# --- day plans -----------------------------------------------------------------------------------


def check_plan_date(user: User, plan_date: date, now: datetime) -> None:
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    if (
        not today - timedelta(days=MAX_PAST_DAYS)
        <= plan_date
        <= today + timedelta(days=MAX_FUTURE_DAYS)
    ):
        raise Invalid(
            f"plan dates run from {MAX_PAST_DAYS} days ago to {MAX_FUTURE_DAYS} days ahead",
            field="date",
        )


def get_plan(*, session: Session, user: User, plan_date: date) -> DayPlan:
    plan = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == plan_date)
    )
    if plan is None:
        raise NotFound(f"no plan for {plan_date.isoformat()} yet; POST to build it")
    return plan


def find_plan(*, session: Session, user: User, plan_date: date) -> DayPlan | None:
    return session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == plan_date)
    )


def build_plan(
    *,
    session: Session,
    user: User,
    plan_date: date,
    now: datetime,
    horizon_days: int = HORIZON_DAYS,
) -> DayPlan:
    """Builds the plan for a day afresh (or rebuilds it): blocks that ended, blocks under way and
    pinned blocks stay; everything else is placed anew."""
    check_plan_date(user, plan_date, now)
    existing = find_plan(session=session, user=user, plan_date=plan_date)
    return refresh.solve_and_store(
        session=session,
        user=user,
        plan_date=plan_date,
        plan=existing,
        now=now,
        horizon_days=horizon_days,
        fresh=True,
        reason="built",
    )


def replan(
    *, session: Session, user: User, plan_date: date, now: datetime, version: int
) -> DayPlan:
    """Re-plans from now: blocks that ended, blocks under way and pinned blocks stay, and the
    rest stays where it is unless a deadline needs the time."""
    plan = get_plan(session=session, user=user, plan_date=plan_date)
    check_version(plan.version, version, "this plan")
    return refresh.solve_and_store(
        session=session,
        user=user,
        plan_date=plan_date,
        plan=plan,
        now=now,
        horizon_days=plan.horizon_days,
        fresh=False,
        reason="re-planned on request",
    )


def update_block(
    *,
    session: Session,
    user: User,
    plan_date: date,
    block_id: int,
    data: BlockUpdate,
    version: int,
    now: datetime,
) -> tuple[DayPlan, PlanBlock]:
    plan = get_plan(session=session, user=user, plan_date=plan_date)
    block = session.get(PlanBlock, block_id)
    if block is None or block.plan_id != plan.id:
        raise NotFound("block not found")
    check_version(plan.version, version, "this plan")
    if data.start is not None or data.end is not None:
        start = refresh.snap_down(data.start or block.start_at)
        end = (
            refresh.snap_down(data.end)
            if data.end is not None
            else start + (block.end_at - block.start_at)
        )
        if end <= start:
            raise Invalid("the block must end after it starts", field="end")
        for other in blocks_of(session=session, plan=plan):
            if other.id != block.id and other.start_at < end and start < other.end_at:
                raise Invalid(
                    f"overlaps the block of {_title(session, other.task_id)} at "
                    f"{timetext.moment(other.start_at, user.timezone, now)} ({user.timezone})",
                    field="start",
                )
        block.start_at, block.end_at = start, end
        block.pinned = True  # a block the user placed stays where they put it
    if data.pinned is not None:
        block.pinned = data.pinned
    if data.done is not None and data.done != block.done:
        if data.done:
            _finish_block(session, user, plan, block, now)
        else:
            block.done = False
    # The plan's version covers its blocks: a block change must bump it.
    flag_modified(plan, "late")
    flush_versioned(session, "this plan")
    return plan, block


def _title(session: Session, task_id: int) -> str:
    # The plan is the user's own: every task on it is one they may see.
    task = session.get(Task, task_id)
    return repr(task.title) if task is not None else "a task"


def _finish_block(
    session: Session, user: User, plan: DayPlan, block: PlanBlock, now: datetime
) -> None:
    """Marks ``block`` done at ``now``: it ends when it was finished, its time up to then is
    logged as worked (where no entry of the user covers it), and the task is done with its last
    block ahead. A block that has not begun can be done only as the task's last one: the task
    is finished early; the block moves to the time logged on the task that day, or (none
    logged) the re-plan frees its time."""
    ahead = [
        b
        for b in blocks_of(session=session, plan=plan)
        if b.task_id == block.task_id and b.id != block.id and not b.done and b.end_at > now
    ]
    task = task_service.get_task(session=session, user=user, task_id=block.task_id)
    if now <= block.start_at:
        if ahead:
            raise Invalid(
                f"this block of '{task.title}' has not begun and the task has more blocks "
                "ahead; mark done the block you worked in, or finish the task",
                field="done",
            )
        worked = _worked_today(session, user, plan, block.task_id, now)
        if worked is not None:  # the work happened, timed, before the block: it goes there
            block.start_at, block.end_at = worked
            block.done = True
    else:
        worklog_service.log_worked(
            session=session,
            user=user,
            task_id=block.task_id,
            start=block.start_at,
            end=min(block.end_at, now),
            now=now,
        )
        block.end_at = max(
            block.start_at + timedelta(minutes=GRID), min(block.end_at, refresh.snap_up(now))
        )
        block.done = True
    if not ahead and task.status in (Status.todo, Status.doing):
        task_service.set_status(session=session, task=task, status=Status.done, now=now)
        task.updated_at = now
        session.flush()


def _worked_today(
    session: Session, user: User, plan: DayPlan, task_id: int, now: datetime
) -> tuple[datetime, datetime] | None:
    """The span (on the grid) of the time logged on ``task_id`` on the plan's day, up to now."""
    midnight = datetime.combine(plan.plan_date, time(0), tzinfo=ZoneInfo(user.timezone))
    entries = worklog_service.list_entries(
        session=session, user=user, start=midnight, end=now, task_id=task_id
    )
    if not entries:
        return None
    start = refresh.snap_down(max(midnight, min(e.start_at for e in entries)))
    end = refresh.snap_up(max(e.end_at or now for e in entries))
    return start, max(end, start + timedelta(minutes=GRID))
