"""Building and re-planning a stored plan from what really happened.

At the moment of a (re-)plan a stored plan's blocks fall in four groups:

- history: blocks that ended. They stay as they are and count for nothing: the work done on a
  task is the time logged on it, which the pages draw as worked time;
- started: a block under way never moves; its task keeps the time from now to the block's
  end. When the task is finished, the block ends when it was finished;
- pinned ahead: blocks the user pinned or moved stay where they are;
- the rest ahead: the previous plan, which a re-plan keeps where nothing forces a move.

The work left on a task is its estimate minus the time logged on it (see ``problem.work_left``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from devday.account.models import User
from devday.planning import chances, solver
from devday.planning import jobs as planning_jobs
from devday.planning.models import BusyEvent, DayPlan, PlanBlock
from devday.planning.problem import GRID, Inputs, build
from devday.task.models import Status, Task

HORIZON_DAYS = 14
OPEN = (Status.todo, Status.doing)


@dataclass(frozen=True)
class Split:
    """A stored plan's blocks at one moment (see the module's docstring)."""

    history: list[PlanBlock]
    kept: list[PlanBlock]
    ahead: list[PlanBlock]
    gone: list[PlanBlock]


def plan_start(user: User, plan_date: date, now: datetime) -> datetime:
    """Planning for a day starts now if the day is today, else at the day's local midnight."""
    midnight = datetime.combine(plan_date, time(0), tzinfo=ZoneInfo(user.timezone))
    return max(now, midnight)


def blocks_of(*, session: Session, plan: DayPlan) -> Sequence[PlanBlock]:
    return session.scalars(
        select(PlanBlock).where(PlanBlock.plan_id == plan.id).order_by(PlanBlock.start_at)
    ).all()


def split(blocks: Sequence[PlanBlock], start: datetime, tasks: dict[int, Task]) -> Split:
    """Sorts ``blocks`` into the four groups at ``start``; a started block of a finished task is
    cut to end when the task was finished (on the grid, and at least one grid step long)."""
    history, kept, ahead, gone = [], [], [], []
    for block in blocks:
        task = tasks.get(block.task_id)
        open_task = task is not None and task.status in OPEN
        if block.end_at <= start or block.done:
            history.append(block)
        elif block.start_at < start:
            if not open_task:
                finished = (task.completed_at if task else None) or start
                block.end_at = max(
                    block.start_at + timedelta(minutes=GRID),
                    min(block.end_at, snap_up(finished)),
                )
                history.append(block)
            else:
                kept.append(block)
        elif not open_task:
            gone.append(block)
        elif block.pinned:
            kept.append(block)
        else:
            ahead.append(block)
    return Split(history, kept, ahead, gone)


def snap_down(moment: datetime) -> datetime:
    """``moment`` rounded down to the planning grid."""
    return moment.replace(minute=moment.minute - moment.minute % GRID, second=0, microsecond=0)


def snap_up(moment: datetime) -> datetime:
    """``moment`` rounded up to the planning grid."""
    floor = snap_down(moment)
    return floor if floor == moment else floor + timedelta(minutes=GRID)


def _cut_at_busy_time(session: Session, user: User, parts: Split, start: datetime) -> None:
    """A block under way ends where busy time added since begins (an interview put in the
    calendar at 14:00 ends the 13:30 block then); the planner places the rest anew."""
    started = [b for b in parts.kept if b.start_at < start and not b.pinned]
    if not started:
        return
    last = max(b.end_at for b in started)
    events = session.scalars(
        select(BusyEvent.start_at).where(
            BusyEvent.user_id == user.id, BusyEvent.start_at < last, BusyEvent.end_at > start
        )
    ).all()
    for block in started:
        cuts = [max(at, start) for at in events if at < block.end_at]
        if cuts:
            block.end_at = max(block.start_at + timedelta(minutes=GRID), snap_up(min(cuts)))


def pins(split_: Split, start: datetime) -> tuple[solver.PinnedBlock, ...]:
    """The kept blocks as the solver's pins: their part from ``start`` (down to the grid, so
    that a block under way keeps whole grid steps) on is work ahead."""
    first = snap_down(start)
    return tuple(
        solver.PinnedBlock(task_id=str(b.task_id), start=max(b.start_at, first), end=b.end_at)
        for b in split_.kept
        if b.end_at > first
    )


def solve_and_store(
    *,
    session: Session,
    user: User,
    plan_date: date,
    plan: DayPlan | None,
    now: datetime,
    horizon_days: int,
    fresh: bool,
    reason: str,
) -> DayPlan:
    """Builds (``fresh``) or re-plans the plan of ``plan_date`` from ``now`` and stores it: the
    history, started and pinned blocks stay, and blocks a re-plan keeps keep their ids."""
    start = plan_start(user, plan_date, now)
    blocks = list(blocks_of(session=session, plan=plan)) if plan is not None else []
    ids = {b.task_id for b in blocks}
    tasks = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(ids)))} if ids else {}
    parts = split(blocks, start, tasks)
    _cut_at_busy_time(session, user, parts, start)
    pinned = pins(parts, start)
    inputs = build(session=session, user=user, now=start, horizon_days=horizon_days, pinned=pinned)
    if fresh or not parts.ahead:
        result = solver.solve(inputs.problem)
    else:
        previous = solver.Plan(
            blocks=tuple(
                solver.Block(task_id=str(b.task_id), start=b.start_at, end=b.end_at)
                for b in parts.ahead
            )
        )
        result = solver.replan(inputs.problem, previous)
    return _store(session, user, plan_date, plan, inputs, result, parts, now, horizon_days, reason)


def _store(
    session: Session,
    user: User,
    plan_date: date,
    plan: DayPlan | None,
    inputs: Inputs,
    result: solver.Plan,
    parts: Split,
    now: datetime,
    horizon_days: int,
    reason: str,
) -> DayPlan:
    titles = {str(t.id): t.title for t in inputs.tasks.values()}
    # Worked out before the plan row changes: its queries would flush a half-made change.
    facts = {
        "unplaced_weighted_minutes": result.unplaced_weighted_minutes,
        "over_estimate": list(inputs.over_estimate),
        "deferred": [
            {"task_id": int(d.task_id), "title": titles.get(d.task_id, ""), "reason": d.reason}
            for d in result.deferred
        ],
        **chances.facts(session=session, user_id=user.id, problem=inputs.problem, plan=result),
    }
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
            facts={},
        )
        session.add(plan)
        session.flush()
    _place(session, plan, result, inputs, parts)
    zone = ZoneInfo(user.timezone)
    on_day = {int(b.task_id) for b in result.blocks if b.start.astimezone(zone).date() == plan_date}
    plan.planned_task_ids = sorted(set(plan.planned_task_ids or []) | on_day)
    if reason == "built":
        plan.built_at = now
    plan.changed_at = now
    plan.change_reason = reason
    plan.horizon_days = horizon_days
    plan.late, plan.unscheduled = late, unscheduled
    plan.missed_deadline_weight = result.missed_deadline_weight
    plan.weighted_tardiness_minutes = result.weighted_tardiness_minutes
    plan.facts = facts
    flag_modified(plan, "late")
    session.flush()
    planning_jobs.schedule_catch_up(
        session=session, plan=plan, blocks=blocks_of(session=session, plan=plan), now=now
    )
    return plan


def _place(
    session: Session, plan: DayPlan, result: solver.Plan, inputs: Inputs, parts: Split
) -> None:
    """Stores the result's new blocks. A block the same as before keeps its row; a block that
    changed keeps the row of its task's nearest old block (so its id stays); rows left over
    are deleted, and new rows get new ids (never a deleted one's)."""
    pinned_keys = {(p.task_id, p.start, p.end) for p in inputs.problem.pinned}
    fresh = [b for b in result.blocks if (b.task_id, b.start, b.end) not in pinned_keys]
    old = {(b.task_id, b.start_at, b.end_at): b for b in parts.ahead}
    unmatched = [b for b in fresh if old.pop((int(b.task_id), b.start, b.end), None) is None]
    left: dict[int, list[PlanBlock]] = {}
    for row in old.values():
        left.setdefault(row.task_id, []).append(row)
    for block in unmatched:
        rows = left.get(int(block.task_id))
        if rows:
            row = min(rows, key=lambda r: abs((r.start_at - block.start).total_seconds()))
            rows.remove(row)
            row.start_at, row.end_at = block.start, block.end
            continue
        session.add(
            PlanBlock(
                plan_id=plan.id, task_id=int(block.task_id), start_at=block.start, end_at=block.end
            )
        )
    dropped = [r.id for rows in left.values() for r in rows] + [b.id for b in parts.gone]
    if dropped:
        session.execute(delete(PlanBlock).where(PlanBlock.id.in_(dropped)))


def refresh_user(*, session: Session, user: User, now: datetime, reason: str) -> list[DayPlan]:
    """Re-plans every stored plan of ``user`` for today or later, from ``now``; each plan row is
    locked first, so two writers re-plan one after the other, each on the other's result."""
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    plans = session.scalars(
        select(DayPlan)
        .where(DayPlan.user_id == user.id, DayPlan.plan_date >= today)
        .order_by(DayPlan.plan_date)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return [
        solve_and_store(
            session=session,
            user=user,
            plan_date=plan.plan_date,
            plan=plan,
            now=now,
            horizon_days=plan.horizon_days,
            fresh=False,
            reason=reason,
        )
        for plan in plans
    ]
