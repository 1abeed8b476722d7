"""The planner service: the routine, busy times, the duty list and stored day plans.

Plans are built by the pure solver from the database; the stored plan keeps its blocks, so that
pinned, moved and finished blocks survive a re-plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Invalid, NotFound
from devday.planning import priority, solver
from devday.planning.models import BusyEvent, DayPlan, PlanBlock, Routine
from devday.planning.problem import GRID, Inputs, build, routine_of
from devday.planning.schemas import BlockUpdate, BusyEventCreate, RoutineWrite
from devday.task import service as task_service
from devday.task.models import Status

HORIZON_DAYS = 14
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
) -> Sequence[BusyEvent]:
    query = select(BusyEvent).where(BusyEvent.user_id == user.id)
    if start is not None:
        query = query.where(BusyEvent.end_at > start)
    if end is not None:
        query = query.where(BusyEvent.start_at < end)
    return session.scalars(query.order_by(BusyEvent.start_at).limit(500)).all()


def add_busy(*, session: Session, user: User, data: BusyEventCreate) -> BusyEvent:
    event = BusyEvent(user_id=user.id, title=data.title, start_at=data.start, end_at=data.end)
    session.add(event)
    session.flush()
    return event


def delete_busy(*, session: Session, user: User, event_id: int) -> None:
    event = session.get(BusyEvent, event_id)
    if event is None or event.user_id != user.id:
        raise NotFound("busy event not found")
    session.delete(event)
    session.flush()


# --- the duty list -------------------------------------------------------------------------------


def duty_list(
    *, session: Session, user: User, now: datetime
) -> tuple[Inputs, list[priority.DutyItem]]:
    inputs = build(session=session, user=user, now=now, horizon_days=DUTY_HORIZON_DAYS)
    boosts: dict[str, float] = inputs.routine.get("boosts", {})
    projects = _project_names(session, inputs)
    facts = {}
    for task_id, task in inputs.tasks.items():
        keys = [f"tag:{tag}" for tag in inputs.tags[task_id]]
        keys.append(f"kind:{task.kind.value}")
        if task.project_id in projects:
            keys.append(f"project:{projects[task.project_id].lower()}")
        matched = tuple((key, boosts[key]) for key in keys if key in boosts)
        facts[str(task_id)] = priority.TaskFacts(created_at=task.created_at, boosts=matched)
    elsewhere = {
        str(task_id): [_as_solver_task(t) for t in blockers]
        for task_id, blockers in inputs.external_blockers.items()
    }
    return inputs, priority.duty_list(inputs.problem, facts, open_elsewhere=elsewhere)


def _as_solver_task(task: Any) -> solver.Task:
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


def plan_start(user: User, plan_date: date, now: datetime) -> datetime:
    """Planning for a day starts now if the day is today, else at the day's local midnight."""
    midnight = datetime.combine(plan_date, time(0), tzinfo=ZoneInfo(user.timezone))
    return max(now, midnight)


def get_plan(*, session: Session, user: User, plan_date: date) -> DayPlan:
    plan = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == plan_date)
    )
    if plan is None:
        raise NotFound(f"no plan for {plan_date.isoformat()} yet; POST to build it")
    return plan


def blocks_of(*, session: Session, plan: DayPlan) -> Sequence[PlanBlock]:
    return session.scalars(
        select(PlanBlock).where(PlanBlock.plan_id == plan.id).order_by(PlanBlock.start_at)
    ).all()


def build_plan(
    *,
    session: Session,
    user: User,
    plan_date: date,
    now: datetime,
    horizon_days: int = HORIZON_DAYS,
) -> DayPlan:
    """Builds (or rebuilds from scratch, keeping pinned and done blocks) the plan for a day."""
    check_plan_date(user, plan_date, now)
    existing = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == plan_date)
    )
    kept = _kept_blocks(session, existing) if existing else []
    start = plan_start(user, plan_date, now)
    pinned = tuple(
        solver.PinnedBlock(task_id=str(b.task_id), start=b.start_at, end=b.end_at) for b in kept
    )
    inputs = build(
        session=session,
        user=user,
        now=start,
        horizon_days=horizon_days,
        pinned=_only_open(pinned, session, user),
    )
    result = solver.solve(inputs.problem)
    return _store(session, user, plan_date, existing, inputs, result, kept, now, horizon_days)


def replan(
    *, session: Session, user: User, plan_date: date, now: datetime, version: int
) -> DayPlan:
    """Re-plans from now: finished and pinned blocks stay, and nothing moves outside today
    unless a deadline forces it."""
    plan = get_plan(session=session, user=user, plan_date=plan_date)
    check_version(plan.version, version, "this plan")
    blocks = blocks_of(session=session, plan=plan)
    kept = [b for b in blocks if b.pinned or b.done]
    previous = solver.Plan(
        blocks=tuple(
            solver.Block(task_id=str(b.task_id), start=b.start_at, end=b.end_at)
            for b in blocks
            if not (b.pinned or b.done) and b.end_at > now
        )
    )
    start = plan_start(user, plan_date, now)
    pinned = tuple(
        solver.PinnedBlock(task_id=str(b.task_id), start=b.start_at, end=b.end_at) for b in kept
    )
    inputs = build(
        session=session,
        user=user,
        now=start,
        horizon_days=plan.horizon_days,
        pinned=_only_open(pinned, session, user),
    )
    result = solver.replan(inputs.problem, previous)
    return _store(session, user, plan_date, plan, inputs, result, kept, now, plan.horizon_days)


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
        start = _snap(data.start or block.start_at)
        end = _snap(data.end) if data.end is not None else start + (block.end_at - block.start_at)
        if end <= start:
            raise Invalid("the block must end after it starts", field="end")
        for other in blocks_of(session=session, plan=plan):
            if other.id != block.id and other.start_at < end and start < other.end_at:
                raise Invalid(
                    f"overlaps the block of task {other.task_id} at {other.start_at.isoformat()}",
                    field="start",
                )
        block.start_at, block.end_at = start, end
        block.pinned = True  # a block the user placed stays where they put it
    if data.pinned is not None:
        block.pinned = data.pinned
    finished = False
    if data.done is not None:
        block.done = data.done
        if data.done:
            finished = _finish_task_if_all_done(session, user, plan, block, now)
    # The plan's version covers its blocks: a block change must bump it.
    flag_modified(plan, "late")
    flush_versioned(session, "this plan")
    if finished:
        plan = replan_if_planned(session=session, user=user, now=now) or plan
    return plan, block


def replan_if_planned(*, session: Session, user: User, now: datetime) -> DayPlan | None:
    """Re-plans the rest of today when today has a plan: a finished task frees its blocks."""
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    plan = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == today)
    )
    if plan is None:
        return None
    return replan(session=session, user=user, plan_date=today, now=now, version=plan.version)


def _finish_task_if_all_done(
    session: Session, user: User, plan: DayPlan, block: PlanBlock, now: datetime
) -> bool:
    siblings = [b for b in blocks_of(session=session, plan=plan) if b.task_id == block.task_id]
    if not all(b.done or b.id == block.id for b in siblings):
        return False
    task = task_service.get_task(session=session, user=user, task_id=block.task_id)
    if task.status in (Status.todo, Status.doing):
        task_service.set_status(session=session, task=task, status=Status.done, now=now)
        task.updated_at = now
        session.flush()
    return True


def _snap(moment: datetime) -> datetime:
    minutes = moment.minute - moment.minute % GRID
    return moment.replace(minute=minutes, second=0, microsecond=0)


def _kept_blocks(session: Session, plan: DayPlan) -> list[PlanBlock]:
    return [b for b in blocks_of(session=session, plan=plan) if b.pinned or b.done]


def _only_open(
    pinned: tuple[solver.PinnedBlock, ...], session: Session, user: User
) -> tuple[solver.PinnedBlock, ...]:
    # Blocks of tasks that are no longer open (done elsewhere, dropped) are history, not input.
    from devday.task.models import Task

    ids = {int(p.task_id) for p in pinned}
    if not ids:
        return ()
    open_ids = set(
        session.scalars(
            select(Task.id).where(
                Task.id.in_(ids),
                Task.assignee_id == user.id,
                Task.status.in_((Status.todo, Status.doing)),
            )
        )
    )
    return tuple(p for p in pinned if int(p.task_id) in open_ids)


def _store(
    session: Session,
    user: User,
    plan_date: date,
    plan: DayPlan | None,
    inputs: Inputs,
    result: solver.Plan,
    kept: list[PlanBlock],
    now: datetime,
    horizon_days: int,
) -> DayPlan:
    titles = {str(t.id): t.title for t in inputs.tasks.values()}
    late = [
        {
            "task_id": int(item.task_id),
            "title": titles.get(item.task_id, ""),
            "deadline": item.deadline.isoformat(),
            "finish": item.finish.isoformat() if item.finish else None,
            "reason": item.reason,
        }
        for item in result.late
    ]
    unscheduled = [
        {"task_id": int(u.task_id), "title": titles.get(u.task_id, ""), "reason": u.reason}
        for u in result.unscheduled
    ]
    if plan is None:
        plan = DayPlan(
            user_id=user.id,
            plan_date=plan_date,
            built_at=now,
            horizon_days=horizon_days,
            late=late,
            unscheduled=unscheduled,
            planned_task_ids=[],
        )
        session.add(plan)
        session.flush()
    kept_keys = {(str(b.task_id), b.start_at, b.end_at) for b in kept}
    kept_ids = [b.id for b in kept]
    session.execute(
        delete(PlanBlock).where(PlanBlock.plan_id == plan.id, PlanBlock.id.not_in(kept_ids))
    )
    for block in result.blocks:
        key = (block.task_id, block.start, block.end)
        if key in kept_keys:
            continue
        session.add(
            PlanBlock(
                plan_id=plan.id, task_id=int(block.task_id), start_at=block.start, end_at=block.end
            )
        )
    zone = ZoneInfo(user.timezone)
    on_day = {int(b.task_id) for b in result.blocks if b.start.astimezone(zone).date() == plan_date}
    plan.planned_task_ids = sorted(set(plan.planned_task_ids or []) | on_day)
    plan.built_at = now
    flag_modified(plan, "late")
    plan.horizon_days = horizon_days
    plan.late, plan.unscheduled = late, unscheduled
    plan.missed_deadline_weight = result.missed_deadline_weight
    plan.weighted_tardiness_minutes = result.weighted_tardiness_minutes
    flush_versioned(session, "this plan")
    return plan
